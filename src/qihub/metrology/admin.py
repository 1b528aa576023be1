"""The metrology admin. Instruments are added through
``services.instrument_register``; calibrations are read and searched only
(recorded on the pages or through the API by ``services.calibration_record``)."""

from django.contrib import admin

from qihub.core.admin import ServiceWritesAdmin
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


class ScopeInline(admin.TabularInline):
    model = AccreditationScope
    extra = 0


@admin.register(Laboratory)
class LaboratoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "accreditation_number"]
    search_fields = ["code", "name"]
    inlines = [ScopeInline]


@admin.register(MeasurementStandard)
class MeasurementStandardAdmin(admin.ModelAdmin):
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
    ]
    list_filter = ["use", "requires_verification", "suspect", "item_type"]
    search_fields = ["code", "name", "serial", "owner"]

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
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            f for f in self.get_fields(request, obj) if f not in INSTRUMENT_EDITABLE
        ]

    def save_model(self, request, obj, form, change):
        if change:
            changed = [f for f in form.changed_data if f in INSTRUMENT_EDITABLE]
            if changed:
                obj.save(update_fields=[*changed, "updated_at"])
            return
        saved = services.instrument_register(
            actor=request.user,
            **{name: form.cleaned_data[name] for name in INSTRUMENT_ADD_FIELDS},
        )
        obj.pk = saved.pk
        obj.requires_verification = saved.requires_verification


@admin.register(TechnicalSpecification)
class TechnicalSpecificationAdmin(admin.ModelAdmin):
    list_display = ["standard", "kind", "quantity", "is_local"]
    raw_id_fields = ["standard"]


class PropertyInline(admin.TabularInline):
    model = PropertyValue
    extra = 0


@admin.register(ReferenceMaterial)
class ReferenceMaterialAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "grade", "valid_until"]
    search_fields = ["number", "name"]
    inlines = [PropertyInline]
    raw_id_fields = ["standard"]


class ResultInline(admin.TabularInline):
    model = MeasurementResult
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
class MetrologyEventAdmin(admin.ModelAdmin):
    list_display = ["at", "type", "actor", "reason"]
    list_filter = ["type"]
    raw_id_fields = ["instrument", "standard", "certificate", "actor"]
