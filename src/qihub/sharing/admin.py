"""Admin of the sharing app. The member list is the status page: last
successful pull and last error per member instance. Mirrors are read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from qihub.core.errors import ApplicationError
from qihub.sharing import services
from qihub.sharing.models import (
    FeedEntry,
    InstanceIdentity,
    MemberInstance,
    MemberKey,
    MirroredRecord,
    MirroredStandard,
    PublishingChoice,
    RefusedEntry,
    SigningKey,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InstanceIdentity)
class InstanceIdentityAdmin(_ReadOnly):
    list_display = ["base_url", "organisation", "updated_at"]


@admin.register(SigningKey)
class SigningKeyAdmin(_ReadOnly):
    list_display = ["key_id", "valid_from", "valid_until"]
    exclude = ["private_key_encrypted"]


@admin.register(PublishingChoice)
class PublishingChoiceAdmin(_ReadOnly):
    list_display = ["kind", "enabled", "changed_at"]


@admin.register(FeedEntry)
class FeedEntryAdmin(_ReadOnly):
    list_display = ["seq", "kind", "key", "op", "key_id", "created_at"]
    list_filter = ["kind", "op"]
    search_fields = ["key"]


class MemberKeyInline(admin.TabularInline):
    model = MemberKey
    extra = 0
    can_delete = False
    readonly_fields = ["key_id", "public_key", "valid_from", "valid_until"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MemberInstance)
class MemberInstanceAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "base_url",
        "network",
        "state",
        "cursor",
        "records",
        "last_success_at",
        "last_error_at",
        "last_error",
    ]
    list_filter = ["state", "network"]
    readonly_fields = [
        "state",
        "accepted_at",
        "accepted_by",
        "removed_at",
        "cursor",
        "records",
        "last_pull_at",
        "last_success_at",
        "last_error",
        "last_error_at",
    ]
    inlines = [MemberKeyInline]
    actions = ["accept", "remove", "pull"]

    def has_add_permission(self, request):
        return False  # registered through the service (it checks the key)

    def _each(self, request, queryset, change, done):
        for member in queryset:
            try:
                change(member=member, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{member}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{member}: {done}")

    @admin.action(description=_("Accept the membership"))
    def accept(self, request, queryset):
        self._each(request, queryset, services.member_accept, _("accepted"))

    @admin.action(description=_("Remove from the network"))
    def remove(self, request, queryset):
        self._each(request, queryset, services.member_remove, _("removed"))

    @admin.action(description=_("Pull the feed now"))
    def pull(self, request, queryset):
        for member in queryset:
            n = services.member_pull(member=member)
            self.message_user(request, f"{member}: {n}")


@admin.register(MirroredRecord)
class MirroredRecordAdmin(_ReadOnly):
    list_display = ["kind", "key", "member", "deleted", "no_longer_shared"]
    list_filter = ["kind", "deleted", "no_longer_shared", "member"]
    search_fields = ["key"]


@admin.register(MirroredStandard)
class MirroredStandardAdmin(_ReadOnly):
    list_display = ["identifier", "title_zh", "member", "deleted", "no_longer_shared"]
    list_filter = ["level", "deleted", "no_longer_shared", "member"]
    search_fields = ["identifier", "title_zh", "title_en"]


@admin.register(RefusedEntry)
class RefusedEntryAdmin(_ReadOnly):
    list_display = ["member", "seq", "kind", "refused_at", "reason"]
    list_filter = ["member"]
