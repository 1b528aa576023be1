from django.contrib import admin

from qihub.vocab.models import CcsCode, IcsCode


@admin.register(IcsCode)
class IcsCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "title_en", "title_zh", "level")
    list_filter = ("level",)
    search_fields = ("code", "title_en", "title_zh")


@admin.register(CcsCode)
class CcsCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "level")
    list_filter = ("level",)
    search_fields = ("code", "name_zh", "name_en")
