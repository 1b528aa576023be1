"""Admin for the catalogue: staff find, add and edit standards here.

Every write goes through the catalogue services, as from the pages and the
API, so it is checked the same way and recorded in the standard's history;
a refused change is shown as a message and changes nothing. Withdrawal and
replacement, which change other records too, are on the standard's page.
History, relations and imports are read-only here.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qihub.catalog import search, services
from qihub.catalog.models import ImportRun, Standard, StandardEvent, StandardRelation
from qihub.core.admin import EventInline, ServiceWritesAdmin

#: Fields the form passes to the services as they are.
_PLAIN_FIELDS = ("identifier", "status", *services.EDITABLE_FIELDS)
#: Left to the services when empty.
_DERIVED = ("status", "level", "nature")


class StandardAdminForm(forms.ModelForm):
    ics_codes = forms.CharField(
        label=_("ICS codes"),
        required=False,
        help_text=_("Separated by spaces, commas or semicolons, e.g. 67.220.20"),
    )

    class Meta:
        model = Standard
        fields = [
            "identifier",
            "title_zh",
            "title_en",
            "status",
            "level",
            "nature",
            "issued_on",
            "implemented_on",
            "withdrawn_on",
            "ccs",
            "issuing_body",
            "committee",
            "scope",
            "source",
            "external_id",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            codes = self.instance.ics.values_list("code", flat=True)
            self.fields["ics_codes"].initial = " ".join(codes)
        # Level and nature follow from the identifier unless given.
        for name in ("level", "nature"):
            self.fields[name].required = False

    def service_arguments(self) -> dict:
        """The entered fields (a new standard) or the changed ones, as the
        services take them; level, nature and status left empty are derived
        (from the identifier, from the dates) by the service."""
        data = self.cleaned_data
        creating = not self.instance.pk
        changed = set(data) if creating else set(self.changed_data)
        kwargs = {}
        for name in _PLAIN_FIELDS:
            value = data.get(name)
            empty = value in (None, "")
            if name in changed and not (empty and (creating or name in _DERIVED)):
                kwargs[name] = value
        if "ccs" in changed and (data["ccs"] or not creating):
            kwargs["ccs"] = data["ccs"].pk if data["ccs"] else ""
        if "ics_codes" in changed:
            kwargs["ics"] = [c for c in re.split(r"[\s,;]+", data["ics_codes"]) if c]
        return kwargs


class RelationInline(admin.TabularInline):
    model = StandardRelation
    fk_name = "source"
    extra = 0
    can_delete = False
    fields = ["kind", "degree", "target", "note", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("relations (add them on the page or through the API)")

    def has_add_permission(self, request, obj=None):
        return False


class StandardEventInline(EventInline):
    model = StandardEvent


@admin.register(Standard)
class StandardAdmin(ServiceWritesAdmin):
    form = StandardAdminForm
    list_display = ["identifier", "title_zh", "title_en", "level", "status", "year"]
    list_filter = ["level", "status", "nature", "referenced_only"]
    # The search box goes to the catalogue's search (identifiers in any
    # spelling, zh and en titles), not to LIKE scans of a million rows.
    search_fields = ["identifier"]
    search_help_text = _("Identifier (any spelling) or words of the title")
    show_full_result_count = False
    raw_id_fields = ["ccs"]
    readonly_fields = ["import_run", "created_at", "updated_at"]
    inlines = [RelationInline, StandardEventInline]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        page = search.search_standards(q=search_term, limit=search.MATCH_CAP)
        return queryset.filter(pk__in=[row["id"] for row in page.rows]), False

    def save_model(self, request, obj, form, change):
        kwargs = form.service_arguments()
        if change:
            saved = services.standard_update(
                standard=obj,
                actor=request.user,
                reason=_("edited in the admin"),
                **kwargs,
            )
        else:
            saved = services.standard_create(
                actor=request.user, reason=_("added in the admin"), **kwargs
            )
        obj.pk = saved.pk
        obj.identifier = saved.identifier

    def has_delete_permission(self, request, obj=None):
        # Standards are withdrawn or replaced, never deleted: other records
        # (declarations, requirements, projects) refer to them.
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "file_name", "format", "actor", "created"]
    list_filter = ["format"]
    fields = [
        "created_at",
        "actor",
        "file_name",
        "format",
        "rows",
        "created",
        "updated",
        "relations",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # imports run from `qihub import-standards` or the API

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Saved validity checks (catalog/validity/admin.py) register with the catalogue.
from qihub.catalog.validity import admin as _validity_admin  # noqa: E402, F401
