from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.admin import EventInline, RecordAdmin
from qihub.core.errors import ApplicationError
from qihub.requirements import services
from qihub.requirements.models import (
    Clause,
    Document,
    DocumentEvent,
    NormativeReference,
    Parameter,
    Requirement,
    RequirementEvent,
    Term,
)


@admin.register(Parameter)
class ParameterAdmin(admin.ModelAdmin):
    list_display = ("key", "name_zh", "name_en", "default_unit", "dimension", "is_new")
    list_filter = ("is_new",)
    search_fields = ("key", "name_zh", "name_en")
    actions = ["keep_new_parameters"]

    @admin.action(description=_("Keep the selected new parameters in the vocabulary"))
    def keep_new_parameters(self, request, queryset):
        kept = 0
        for parameter in queryset.filter(is_new=True):
            try:
                services.parameter_keep(parameter=parameter, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                kept += 1
        self.message_user(
            request,
            _("%(n)d kept; map the others on the new-parameters page: %(url)s")
            % {"n": kept, "url": reverse("requirements:parameters_new")},
        )


class ClauseInline(admin.TabularInline):
    model = Clause
    fields = ("order", "number", "title", "kind", "depth")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "standard",
        "source_format",
        "language",
        "adopted_identifier",
        "created_at",
    )
    search_fields = ("standard__identifier", "title")
    raw_id_fields = ("standard", "imported_by")
    readonly_fields = ("report",)
    inlines = [ClauseInline]


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ("document", "number", "title", "kind", "order")
    list_filter = ("kind",)
    search_fields = ("number", "title", "text", "document__standard__identifier")
    raw_id_fields = ("document", "parent")


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("term", "term_en", "number", "document")
    search_fields = ("term", "term_en", "definition")
    raw_id_fields = ("document", "clause")


@admin.register(NormativeReference)
class NormativeReferenceAdmin(admin.ModelAdmin):
    list_display = ("identifier", "title", "document", "standard")
    search_fields = ("identifier", "title")
    raw_id_fields = ("document", "standard")


class RequirementEventInline(EventInline):
    model = RequirementEvent


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    """Edits here bypass the review events: use the review page for
    confirmations and corrections; the admin is for inspection."""

    list_display = (
        "standard",
        "parameter",
        "operator",
        "value",
        "upper",
        "unit",
        "kind",
        "status",
    )
    list_filter = ("status", "kind", "origin")
    search_fields = ("standard__identifier", "parameter__key", "subject")
    raw_id_fields = ("standard", "clause", "parameter", "test_method_standard")
    inlines = [RequirementEventInline]

    def has_delete_permission(self, request, obj=None):
        # A confirmed requirement is what checks are run against: it is
        # corrected (with an event) or rejected, never deleted.
        if obj is not None and obj.status == Requirement.Status.CONFIRMED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(RequirementEvent)
class RequirementEventAdmin(RecordAdmin):
    list_display = ("requirement", "type", "actor", "created_at")
    list_filter = ("type",)
    raw_id_fields = ("requirement", "actor")


@admin.register(DocumentEvent)
class DocumentEventAdmin(RecordAdmin):
    list_display = ("document", "type", "actor", "created_at")
    raw_id_fields = ("document", "actor")
