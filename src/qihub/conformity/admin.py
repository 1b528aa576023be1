"""Admin: conformity records are read here; changes go through the services
(pages, API and commands), so the admin only lists and shows them."""

from django.contrib import admin

from qihub.conformity import models
from qihub.core.admin import EventInline


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ScopeLine)
class ScopeLineAdmin(ReadOnlyAdmin):
    list_display = [
        "body",
        "object_name",
        "parameter_key",
        "standard",
        "clause",
        "flagged_at",
    ]
    list_filter = ["flagged_at"]
    search_fields = [
        "object_name",
        "parameter_name_zh",
        "parameter_name_en",
        "standard_text",
    ]
    list_select_related = ["body", "standard"]
    raw_id_fields = ["body", "standard"]


@admin.register(models.TestRequest)
class TestRequestAdmin(ReadOnlyAdmin):
    list_display = ["product", "body", "client", "state", "due_on"]
    list_filter = ["state"]
    list_select_related = ["body", "client"]


@admin.register(models.TestReport)
class TestReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "body", "product", "status", "computed", "issued_on"]
    list_filter = ["status", "computed"]
    search_fields = ["number", "product"]
    list_select_related = ["body"]


@admin.register(models.Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_zh", "name_en"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationEventInline(EventInline):
    model = models.ApplicationEvent


class CertificateEventInline(EventInline):
    model = models.CertificateEvent


@admin.register(models.Application)
class ApplicationAdmin(ReadOnlyAdmin):
    inlines = [ApplicationEventInline]
    list_display = ["pk", "scheme", "applicant", "body", "products", "state"]
    list_filter = ["state"]
    search_fields = ["products"]
    list_select_related = ["scheme", "applicant", "body"]


@admin.register(models.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    inlines = [CertificateEventInline]
    list_display = ["number", "holder", "body", "products", "status", "valid_until"]
    list_filter = ["status"]
    search_fields = ["number", "products"]
    list_select_related = ["holder", "body"]


@admin.register(models.Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "valid_from", "valid_until"]
