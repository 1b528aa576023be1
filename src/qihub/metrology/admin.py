from django.contrib import admin

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


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
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
    raw_id_fields = ["latest_event", "suspect_cause"]


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


@admin.register(CalibrationEvent)
class CalibrationEventAdmin(admin.ModelAdmin):
    list_display = [
        "certificate_number",
        "kind",
        "performed_on",
        "valid_until",
        "status",
    ]
    list_filter = ["kind", "status", "conformity"]
    search_fields = ["certificate_number"]
    raw_id_fields = [
        "instrument",
        "calibrated_standard",
        "reference_standard",
        "laboratory",
        "specification",
    ]
    inlines = [ResultInline]
    # the archive is written by calibration_record (GTC propagation); record
    # new calibrations through the services, not by editing it here
    readonly_fields = ["gtc_archive", "dcc_xml", "signature_status", "revoked_at"]


@admin.register(MetrologyEvent)
class MetrologyEventAdmin(admin.ModelAdmin):
    list_display = ["at", "type", "actor", "reason"]
    list_filter = ["type"]
    raw_id_fields = ["instrument", "standard", "certificate", "actor"]
