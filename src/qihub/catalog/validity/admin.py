"""Admin for saved validity checks: staff read them and re-run them (through
the service, as the owner's button does); the owner keeps the list, so
nothing is edited here."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from qihub.catalog.validity import services
from qihub.catalog.validity.models import ValidityCheck, ValidityCheckEvent
from qihub.core.admin import EventInline, RecordAdmin
from qihub.core.errors import ApplicationError


class ValidityCheckEventInline(EventInline):
    model = ValidityCheckEvent


@admin.register(ValidityCheck)
class ValidityCheckAdmin(RecordAdmin):
    list_display = ("name", "owner_user", "owner_organisation", "checked_at", "runs")
    search_fields = ("name", "owner_user__username", "owner_organisation__name_zh")
    list_select_related = ("owner_user", "owner_organisation")
    readonly_fields = (
        "name",
        "owner_user",
        "owner_organisation",
        "created_by",
        "on_date",
        "checked_at",
        "runs",
        "summary",
        "lines",
    )
    exclude = ("result", "standards")
    inlines = [ValidityCheckEventInline]
    actions = ["rerun"]

    def has_change_permission(self, request, obj=None):
        # The change page is the read-only view; the action needs the list.
        return request.user.is_staff if obj is None else False

    @admin.action(description=_("Run the selected checks again"))
    def rerun(self, request, queryset):
        done = 0
        for check in queryset:
            try:
                services.validity_check_rerun(
                    check=check,
                    actor=request.user,
                    reason=_("Run again by staff in the admin."),
                )
                done += 1
            except ApplicationError as exc:
                messages.error(request, f"{check}: {exc}")
        messages.success(request, _("%(n)d checks run again.") % {"n": done})
