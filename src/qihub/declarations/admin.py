from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from qihub.core.admin import RecordAdmin
from qihub.core.errors import ApplicationError
from qihub.declarations import services
from qihub.declarations.models import (
    CheckRun,
    Declaration,
    DeclarationEvent,
    DeclarationVersion,
    DeclaredStandard,
    Enterprise,
    ForerunnerEvaluation,
    Indicator,
    Inspector,
    Notice,
    SpotCheck,
    SpotCheckPlan,
)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """The enterprise's name, credit code, region and users are its
    organisation's (organisations admin)."""

    list_display = ["organisation", "industry"]
    search_fields = ["organisation__name_zh", "organisation__credit_code"]
    list_filter = ["industry"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]


class VersionInline(admin.TabularInline):
    model = DeclarationVersion
    fields = ["number", "status", "product_name", "check_status", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Declaration)
class DeclarationAdmin(RecordAdmin):
    """Declarations are written by their enterprises through the services;
    staff read them here and withdraw a published one with a reason (the
    declaration stays public, marked withdrawn). Nothing is deleted."""

    actions = ["withdraw"]
    list_display = [
        "product_name",
        "enterprise",
        "status",
        "check_status",
        "published_at",
    ]
    list_filter = ["status", "check_status", "region"]
    search_fields = ["product_name", "credit_code"]
    raw_id_fields = ["enterprise", "current_version"]
    inlines = [VersionInline]

    @admin.action(description=_("Withdraw the selected declarations (as staff)"))
    def withdraw(self, request, queryset):
        done = 0
        for declaration in queryset:
            try:
                services.declaration_withdraw(
                    actor=request.user,
                    declaration=declaration,
                    reason=str(_("withdrawn by staff in the admin")),
                )
            except ApplicationError as exc:
                self.message_user(
                    request, f"{declaration}: {exc.message}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, _("%(n)d declarations withdrawn.") % {"n": done})


class CitationInline(admin.TabularInline):
    model = DeclaredStandard
    fields = ["identifier", "standard", "flag", "replacement"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["parameter", "operator", "value", "upper", "unit"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(DeclarationVersion)
class DeclarationVersionAdmin(RecordAdmin):
    list_display = ["declaration", "number", "status", "check_status", "checked_at"]
    list_filter = ["status", "check_status"]
    raw_id_fields = ["declaration", "created_by"]
    inlines = [CitationInline, IndicatorInline]


@admin.register(DeclaredStandard)
class DeclaredStandardAdmin(RecordAdmin):
    list_display = ["identifier", "version", "flag", "replacement"]
    list_filter = ["flag"]
    raw_id_fields = ["version", "standard", "replacement"]


@admin.register(Indicator)
class IndicatorAdmin(RecordAdmin):
    list_display = ["parameter", "operator", "value", "upper", "unit", "version"]
    raw_id_fields = ["version"]


@admin.register(CheckRun)
class CheckRunAdmin(RecordAdmin):
    list_display = ["version", "trigger", "check_status", "created_at"]
    list_filter = ["trigger", "check_status"]
    raw_id_fields = ["version"]


@admin.register(DeclarationEvent)
class DeclarationEventAdmin(RecordAdmin):
    list_display = ["declaration", "type", "actor", "created_at"]
    list_filter = ["type"]
    raw_id_fields = ["declaration", "version", "actor"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["subject", "enterprise", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["enterprise", "declaration"]


@admin.register(Inspector)
class InspectorAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "active"]
    list_select_related = ["organisation"]
    raw_id_fields = ["user", "organisation"]


class SpotCheckInline(admin.TabularInline):
    model = SpotCheck
    raw_id_fields = ["declaration", "version", "inspector"]
    extra = 0


@admin.register(SpotCheckPlan)
class SpotCheckPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "seed", "share", "status", "drawn_at"]
    inlines = [SpotCheckInline]

    def has_delete_permission(self, request, obj=None):
        # A drawn plan's draw is evidence of a fair selection; it stays.
        if obj is not None and obj.status != SpotCheckPlan.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ForerunnerEvaluation)
class ForerunnerEvaluationAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "published_at"]

    def has_delete_permission(self, request, obj=None):
        # A published ranking is public record: it is superseded, not deleted.
        if obj is not None and obj.status == ForerunnerEvaluation.Status.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)
