"""The programmes admin: programmes and targets are added through the
services (``programme_create``, ``target_add``: an unknown indicator, a
target without deadline or unit are refused as a message, nothing saved);
reported values are reviewed with the approve/reject actions
(``reported_value_review``); snapshots are read only (the monthly job and
``qihub snapshot-indicators`` write them). Nothing is deleted here."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from qihub.core.admin import ServiceWritesAdmin
from qihub.core.errors import ApplicationError
from qihub.programmes import services
from qihub.programmes.models import Programme, ReportedValue, Snapshot, Target

PROGRAMME_FIELDS = [
    "name_zh",
    "name_en",
    "issuing_authority",
    "region",
    "network",
    "starts_on",
    "ends_on",
    "source_title",
    "source_url",
    "source_text",
]
TARGET_FIELDS = [
    "programme",
    "indicator",
    "target_value",
    "unit",
    "baseline_value",
    "baseline_on",
    "deadline",
    "owner",
    "note",
]


class NoDelete(ServiceWritesAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(NoDelete):
    list_display = ["name", "issuing_authority", "region", "network", "ends_on"]
    list_select_related = ["issuing_authority", "region", "network"]
    fields = PROGRAMME_FIELDS
    raw_id_fields = ["issuing_authority", "region", "network"]
    search_fields = ["name_zh", "name_en"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        saved = services.programme_create(
            actor=request.user, **{f: form.cleaned_data[f] for f in PROGRAMME_FIELDS}
        )
        obj.pk = saved.pk


@admin.register(Target)
class TargetAdmin(NoDelete):
    list_display = ["programme", "indicator", "target_value", "unit", "deadline"]
    list_select_related = ["programme"]
    list_filter = ["indicator"]
    fields = TARGET_FIELDS
    raw_id_fields = ["programme", "owner"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["programme", "indicator"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        saved = services.target_add(
            actor=request.user, **{f: form.cleaned_data[f] for f in TARGET_FIELDS}
        )
        obj.pk = saved.pk


@admin.register(ReportedValue)
class ReportedValueAdmin(NoDelete):
    list_display = [
        "indicator",
        "organisation",
        "period_start",
        "period_end",
        "value",
        "state",
        "reviewer",
    ]
    list_filter = ["state", "indicator"]
    list_select_related = ["organisation", "reviewer"]
    readonly_fields = [f.name for f in ReportedValue._meta.fields]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def _review(self, request, queryset, approve: bool):
        done = 0
        for reported in queryset:
            try:
                services.reported_value_review(
                    actor=request.user,
                    reported=reported,
                    approve=approve,
                    note="" if approve else str(_("Rejected in the admin.")),
                )
                done += 1
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, _("%(n)d reviewed.") % {"n": done})

    @admin.action(description=_("Approve the selected values"))
    def approve(self, request, queryset):
        self._review(request, queryset, True)

    @admin.action(description=_("Reject the selected values"))
    def reject(self, request, queryset):
        self._review(request, queryset, False)


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["indicator", "scope", "month", "value", "seeded"]
    list_filter = ["indicator", "seeded"]
    search_fields = ["scope"]
    readonly_fields = [f.name for f in Snapshot._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
