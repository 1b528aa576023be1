from django.contrib import admin

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
class DeclarationAdmin(admin.ModelAdmin):
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


class CitationInline(admin.TabularInline):
    model = DeclaredStandard
    raw_id_fields = ["standard", "replacement"]
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(DeclarationVersion)
class DeclarationVersionAdmin(admin.ModelAdmin):
    list_display = ["declaration", "number", "status", "check_status", "checked_at"]
    list_filter = ["status", "check_status"]
    raw_id_fields = ["declaration", "created_by"]
    inlines = [CitationInline, IndicatorInline]


@admin.register(DeclaredStandard)
class DeclaredStandardAdmin(admin.ModelAdmin):
    list_display = ["identifier", "version", "flag", "replacement"]
    list_filter = ["flag"]
    raw_id_fields = ["version", "standard", "replacement"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["parameter", "operator", "value", "upper", "unit", "version"]
    raw_id_fields = ["version"]


@admin.register(CheckRun)
class CheckRunAdmin(admin.ModelAdmin):
    list_display = ["version", "trigger", "check_status", "created_at"]
    list_filter = ["trigger", "check_status"]
    raw_id_fields = ["version"]


@admin.register(DeclarationEvent)
class DeclarationEventAdmin(admin.ModelAdmin):
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


@admin.register(ForerunnerEvaluation)
class ForerunnerEvaluationAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "published_at"]
