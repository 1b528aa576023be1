"""The metrology admin. Laboratories, measurement standards, technical
specifications and instruments are added through the services
(``laboratory_create``, ``standard_register``, ``specification_register``,
``instrument_register``), checked and recorded as from the pages and the API;
a refusal is shown as a message and saves nothing. Afterwards only descriptive
fields are edited here, a standard's status through
``standard_set_status`` and its re-assessment through ``standard_reassess``.
Standards and instruments are never deleted; an instrument is taken out of
use on its page or through the API (``instrument_retire``), not here.
Calibrations are read and searched only (recorded on the pages or through the
API by ``services.calibration_record``)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from qihub.core.admin import ReadOnlyMixin, RecordAdmin, ServiceWritesAdmin
from qihub.metrology import services
from qihub.metrology.models import (
    AccreditationScope,
    CalibrationEvent,
    CompulsoryItem,
    Instrument,
    Laboratory,
    MeasurementResult,
    MeasurementStandard,
    MetrologyEvent,
    PropertyValue,
    ReferenceMaterial,
    TechnicalSpecification,
)


def _readonly_on_change(fields: list[str], editable: list[str], obj) -> list[str]:
    """On a new record nothing is read-only; afterwards all but ``editable``."""
    return [] if obj is None else [f for f in fields if f not in editable]


def _save_editable(obj, form, editable: list[str]) -> None:
    changed = [f for f in form.changed_data if f in editable]
    if changed:
        obj.save(update_fields=[*changed, "updated_at"])


#: The arguments of ``services.laboratory_scope_add`` (and of a scope entry
#: given to ``services.laboratory_create``).
SCOPE_FIELDS = ["quantity", "range_min", "range_max", "unit", "valid_until"]


class ScopeInline(admin.TabularInline):
    """Scope entries are added through the services (unit and range checked)
    and then only shown: the chain checks look up the entry valid on a
    calibration's day, so a renewal is a new entry and old ones stay."""

    model = AccreditationScope
    fields = SCOPE_FIELDS
    extra = 0
    verbose_name_plural = _(
        "accreditation scope (a renewal is a new entry; entries are not changed "
        "or deleted)"
    )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


#: What an admin gives when adding a laboratory: the arguments of
#: ``services.laboratory_create`` besides the scope entries.
LABORATORY_FIELDS = [
    "code",
    "name",
    "organisation",
    "accreditation_number",
    "email",
]
#: What an admin may correct afterwards: all but the code, which calibrations,
#: DCC imports and the API refer to. The organisation may be corrected (a
#: laboratory matched to the wrong legal entity); its region is the
#: organisation's.
LABORATORY_EDITABLE = ["name", "organisation", "accreditation_number", "email"]


@admin.register(Laboratory)
class LaboratoryAdmin(ServiceWritesAdmin):
    list_display = ["code", "name", "organisation", "accreditation_number"]
    list_select_related = ["organisation"]
    search_fields = ["code", "name", "organisation__name_zh", "organisation__name_en"]
    fields = LABORATORY_FIELDS
    # an id input, not a select of every organisation in the registry
    raw_id_fields = ["organisation"]
    inlines = [ScopeInline]

    def get_readonly_fields(self, request, obj=None):
        return _readonly_on_change(LABORATORY_FIELDS, LABORATORY_EDITABLE, obj)

    def save_model(self, request, obj, form, change):
        if change:
            _save_editable(obj, form, LABORATORY_EDITABLE)
            return
        saved = services.laboratory_create(
            actor=request.user,
            **{name: form.cleaned_data[name] for name in LABORATORY_FIELDS},
        )
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        # Only new scope entries reach here (the others are read-only); each
        # goes through the service, in the same transaction as a new lab.
        entries = formset.save(commit=False)
        formset.new_objects = [
            services.laboratory_scope_add(
                laboratory=form.instance,
                actor=request.user,
                **{name: getattr(entry, name) for name in SCOPE_FIELDS},
            )
            for entry in entries
        ]


#: What an admin gives when adding a standard: the arguments of
#: ``services.standard_register`` (``assessment_valid_from`` is its
#: ``assessed_on``); the rest is derived or recorded by it.
STANDARD_ADD_FIELDS = [
    "code",
    "name",
    "kind",
    "quantity",
    "unit",
    "range_min",
    "range_max",
    "uncertainty",
    "coverage_factor",
    "accuracy_class",
    "mpe",
    "holder",
    "region",
    "assessment_certificate",
    "assessment_valid_from",
]
#: What an admin may change afterwards. The kind, unit, range, uncertainty and
#: tolerances decide the chain checks and the certificates' propagated
#: uncertainty; the assessment's validity is derived; suspicion belongs to the
#: services.
STANDARD_EDITABLE = ["name", "holder", "region"]
#: The status (suspended, retired) is changed through
#: ``services.standard_set_status`` with the reason given beside it, checked
#: and recorded in the history as from the standard's page and the API.
STANDARD_STATUS_FIELDS = ["status", "reason"]
#: A re-assessment (the new certificate and its day) is recorded through
#: ``services.standard_reassess``, which derives the validity and records it
#: in the history, as from the standard's page and the API.
STANDARD_REASSESS_FIELDS = ["new_assessment_certificate", "reassessed_on"]


class StandardChangeForm(forms.ModelForm):
    """A standard's change form, with the reason a status change records and
    the new certificate and day of a re-assessment (both or neither)."""

    reason = forms.CharField(
        label=_("reason for a status change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when suspending or retiring; recorded in the standard's history."
        ),
    )

    new_assessment_certificate = forms.CharField(
        label=_("new assessment certificate"),
        required=False,
        max_length=MeasurementStandard._meta.get_field(
            "assessment_certificate"
        ).max_length,
        help_text=_(
            "To record a re-assessment: the new certificate's number, with the "
            "day below."
        ),
    )
    reassessed_on = forms.DateField(
        label=_("re-assessed on"),
        required=False,
        widget=AdminDateWidget,
        help_text=_(
            "The new certificate's validity counts from this day; recorded in "
            "the standard's history."
        ),
    )

    class Meta:
        model = MeasurementStandard
        fields = STANDARD_EDITABLE

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in STANDARD_REASSESS_FIELDS):
            return cleaned
        certificate = cleaned.get("new_assessment_certificate")
        day = cleaned.get("reassessed_on")
        if certificate and not day:
            self.add_error(
                "reassessed_on", _("Give the day of the re-assessment as well.")
            )
        elif day and not certificate:
            self.add_error(
                "new_assessment_certificate",
                _("Give the new assessment certificate's number as well."),
            )
        return cleaned

    def reassessment(self) -> dict | None:
        """The arguments of ``services.standard_reassess``, when given."""
        certificate = self.cleaned_data.get("new_assessment_certificate")
        day = self.cleaned_data.get("reassessed_on")
        if not (certificate and day):
            return None
        return {"certificate": certificate, "assessed_on": day}


@admin.register(MeasurementStandard)
class MeasurementStandardAdmin(ServiceWritesAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "quantity",
        "uncertainty",
        "unit",
        "status",
        "suspect",
    ]
    list_filter = ["kind", "status", "suspect", "quantity"]
    search_fields = ["code", "name"]
    raw_id_fields = ["holder"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = StandardChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return STANDARD_ADD_FIELDS
        return [
            *STANDARD_ADD_FIELDS,
            "is_primary",
            "assessment_valid_until",
            *STANDARD_REASSESS_FIELDS,
            *STANDARD_STATUS_FIELDS,
            "suspect",
            "suspect_reason",
        ]

    def get_readonly_fields(self, request, obj=None):
        return _readonly_on_change(
            self.get_fields(request, obj),
            [*STANDARD_EDITABLE, *STANDARD_REASSESS_FIELDS, *STANDARD_STATUS_FIELDS],
            obj,
        )

    def save_model(self, request, obj, form, change):
        if change:
            _save_editable(obj, form, STANDARD_EDITABLE)
            if "status" in form.changed_data:
                services.standard_set_status(
                    standard=obj,
                    status=form.cleaned_data["status"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            reassessment = form.reassessment()
            if reassessment is not None:
                services.standard_reassess(
                    standard=obj, actor=request.user, **reassessment
                )
            return
        arguments = {name: form.cleaned_data[name] for name in STANDARD_ADD_FIELDS}
        arguments["assessed_on"] = arguments.pop("assessment_valid_from")
        saved = services.standard_register(actor=request.user, **arguments)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        # A standard has a history and calibrations refer to it: it is
        # suspended or retired, never deleted.
        return False


@admin.register(CompulsoryItem)
class CompulsoryItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "mark", "regulation"]


#: What an admin gives when adding an instrument: the arguments of
#: ``services.instrument_register``; the rest is computed or recorded by it.
INSTRUMENT_ADD_FIELDS = [
    "code",
    "name",
    "item_type",
    "use",
    "quantity",
    "unit",
    "range_min",
    "range_max",
    "mpe",
    "accuracy_class",
    "maker",
    "model",
    "serial",
    "owner",
    "owner_email",
    "region",
    "location",
    "registered_on",
]
#: What an admin may correct afterwards: descriptive fields only. The type,
#: use, unit and tolerances decide compulsory verification and the chain
#: checks; the latest calibration and suspicion belong to the services.
INSTRUMENT_EDITABLE = [
    "name",
    "maker",
    "model",
    "serial",
    "owner",
    "owner_email",
    "region",
    "location",
]


#: Taking an instrument out of use is shown here, read-only: it is recorded on
#: the instrument's page or through the API by ``services.instrument_retire``,
#: which checks the day against the last calibration and writes the history.
INSTRUMENT_RETIRED_FIELDS = ["retired_on", "retired_reason"]


class InUseFilter(admin.SimpleListFilter):
    title = _("use status")
    parameter_name = "in_use"

    def lookups(self, request, model_admin):
        return [("yes", _("in use")), ("no", _("taken out of use"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(retired_on__isnull=self.value() == "yes")
        return queryset


@admin.register(Instrument)
class InstrumentAdmin(ServiceWritesAdmin):
    list_display = [
        "code",
        "name",
        "item_type",
        "use",
        "region",
        "requires_verification",
        "suspect",
        "retired_on",
    ]
    list_filter = [InUseFilter, "use", "requires_verification", "suspect", "item_type"]
    search_fields = ["code", "name", "serial", "owner__name_zh", "owner__name_en"]
    raw_id_fields = ["owner"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return INSTRUMENT_ADD_FIELDS
        return [
            *INSTRUMENT_ADD_FIELDS,
            "requires_verification",
            "latest_event",
            "suspect",
            "suspect_reason",
            "suspect_cause",
            *INSTRUMENT_RETIRED_FIELDS,
        ]

    def get_readonly_fields(self, request, obj=None):
        return _readonly_on_change(
            self.get_fields(request, obj), INSTRUMENT_EDITABLE, obj
        )

    def save_model(self, request, obj, form, change):
        if change:
            _save_editable(obj, form, INSTRUMENT_EDITABLE)
            return
        saved = services.instrument_register(
            actor=request.user,
            **{name: form.cleaned_data[name] for name in INSTRUMENT_ADD_FIELDS},
        )
        obj.pk = saved.pk
        obj.requires_verification = saved.requires_verification

    def has_delete_permission(self, request, obj=None):
        # An instrument has a history from its registration on and
        # certificates refer to it: deleting it would erase the history (and
        # is blocked by its certificates). Its descriptive fields are
        # corrected here instead.
        return False


#: What an admin gives when adding a specification: the arguments of
#: ``services.specification_register``, which finds or creates the catalogue
#: entry and derives the kind and whether it is local from the identifier.
SPECIFICATION_ADD_FIELDS = [
    "identifier",
    "title_zh",
    "title_en",
    "quantity",
    "issued_on",
    "implemented_on",
]
#: Afterwards the catalogue entry (edited in the catalogue), the kind and
#: ``is_local`` follow from the identifier; the quantity may be corrected.
SPECIFICATION_EDITABLE = ["quantity"]


class SpecificationAddForm(forms.ModelForm):
    identifier = forms.CharField(
        label=_("identifier"),
        max_length=200,
        help_text=_(
            "A JJG or JJF number, e.g. JJG 270-2008 or JJF(吉) 101-2022. Not yet "
            "in the catalogue, it is catalogued with the titles and dates below."
        ),
    )
    title_zh = forms.CharField(label=_("Chinese title"), max_length=500, required=False)
    title_en = forms.CharField(label=_("English title"), max_length=500, required=False)
    issued_on = forms.DateField(
        label=_("issued on"), required=False, widget=AdminDateWidget
    )
    implemented_on = forms.DateField(
        label=_("implemented on"), required=False, widget=AdminDateWidget
    )

    class Meta:
        model = TechnicalSpecification
        fields = ["quantity"]


@admin.register(TechnicalSpecification)
class TechnicalSpecificationAdmin(ServiceWritesAdmin):
    list_display = ["standard", "kind", "quantity", "is_local"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SpecificationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return SPECIFICATION_ADD_FIELDS
        return ["standard", "kind", "quantity", "is_local"]

    def get_readonly_fields(self, request, obj=None):
        return _readonly_on_change(
            self.get_fields(request, obj), SPECIFICATION_EDITABLE, obj
        )

    def save_model(self, request, obj, form, change):
        if change:
            _save_editable(obj, form, SPECIFICATION_EDITABLE)
            return
        saved = services.specification_register(
            actor=request.user,
            **{name: form.cleaned_data[name] for name in SPECIFICATION_ADD_FIELDS},
        )
        obj.pk = saved.pk
        obj.standard = saved.standard


class PropertyInline(admin.TabularInline):
    model = PropertyValue
    extra = 0


@admin.register(ReferenceMaterial)
class ReferenceMaterialAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "grade", "valid_until"]
    search_fields = ["number", "name"]
    inlines = [PropertyInline]
    raw_id_fields = ["standard"]


class ResultInline(ReadOnlyMixin, admin.TabularInline):
    model = MeasurementResult
    extra = 0


@admin.register(CalibrationEvent)
class CalibrationEventAdmin(admin.ModelAdmin):
    """Read and search only: a calibration recorded here would miss the
    uncertainty propagated from its reference (the GTC archive), the
    instrument's latest calibration and the history. Record calibrations on
    the metrology pages or through the API; revoke them on their page."""

    list_display = [
        "certificate_number",
        "kind",
        "performed_on",
        "valid_until",
        "status",
    ]
    list_filter = ["kind", "status", "conformity"]
    search_fields = [
        "certificate_number",
        "instrument__code",
        "calibrated_standard__code",
    ]
    raw_id_fields = [
        "instrument",
        "calibrated_standard",
        "reference_standard",
        "laboratory",
        "specification",
    ]
    inlines = [ResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # a certificate is never deleted; it may be revoked
        return False


@admin.register(MetrologyEvent)
class MetrologyEventAdmin(RecordAdmin):
    list_display = ["created_at", "type", "actor", "reason"]
    list_filter = ["type"]
    raw_id_fields = ["instrument", "standard", "certificate", "actor"]
