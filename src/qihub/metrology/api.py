"""The metrology API: registries, registering instruments and taking them out
of use, recording calibrations, a standard's status and re-assessment, chain
validation, impact, coverage, DCC."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from qihub.core.api_auth import write_auth
from qihub.core.errors import ApplicationError
from qihub.core.pagination import BoundedPageNumberPagination
from qihub.metrology import selectors, services
from qihub.metrology.models import CalibrationEvent, Instrument, MeasurementStandard
from qihub.metrology.traceability import archive_budget, chain_validate

router = Router(tags=["metrology"])


class MeasurementStandardOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    is_primary: bool
    quantity: str
    unit: str
    range_min: float | None
    range_max: float | None
    uncertainty: float
    coverage_factor: float
    mpe: float | None
    holder: str
    holder_code: str
    holder_organisation_id: int
    holder_organisation: str
    region: str
    assessment_certificate: str
    assessment_valid_from: datetime.date | None
    assessment_valid_until: datetime.date | None
    status: str
    suspect: bool

    @staticmethod
    def resolve_holder(obj) -> str:
        return obj.holder.name

    @staticmethod
    def resolve_holder_code(obj) -> str:
        return obj.holder.code

    @staticmethod
    def resolve_holder_organisation_id(obj) -> int:
        return obj.holder.organisation_id

    @staticmethod
    def resolve_holder_organisation(obj) -> str:
        return obj.holder.organisation.name


class StatusIn(Schema):
    status: str
    reason: str = ""


class AssessmentIn(Schema):
    certificate: str
    assessed_on: datetime.date


class InstrumentOut(Schema):
    id: int
    code: str
    name: str
    item_type: str | None
    use: str
    maker: str
    model: str
    serial: str
    owner_id: int | None
    owner: str
    region: str
    quantity: str
    unit: str
    range_min: float | None
    range_max: float | None
    mpe: float | None
    requires_verification: bool
    next_due: datetime.date | None
    suspect: bool
    suspect_reason: str
    retired_on: datetime.date | None
    retired_reason: str

    @staticmethod
    def resolve_item_type(obj) -> str | None:
        return obj.item_type.code if obj.item_type_id else None

    @staticmethod
    def resolve_next_due(obj) -> datetime.date | None:
        return obj.latest_event.valid_until if obj.latest_event_id else None

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.name if obj.owner_id else ""


class RetireIn(Schema):
    on: datetime.date
    reason: str


class InstrumentIn(Schema):
    code: str
    name: str
    use: str
    quantity: str
    unit: str
    item_type: str | None = None
    maker: str = ""
    model: str = ""
    serial: str = ""
    owner_id: int | None = None
    owner_email: str = ""
    region: str = ""
    location: str = ""
    range_min: float | None = None
    range_max: float | None = None
    accuracy_class: str = ""
    mpe: float | None = None
    registered_on: datetime.date | None = None


class CertificateIn(Schema):
    certificate_number: str
    kind: str = CalibrationEvent.Kind.CALIBRATION
    laboratory: str
    instrument: str = ""
    calibrated_standard: str = ""
    reference_standard: str = ""
    specification: str = ""
    performed_on: datetime.date
    valid_until: datetime.date
    measured_error: float = 0.0
    expanded_uncertainty: float
    coverage_factor: float = 2.0
    conformity: str = ""


class CertificateOut(Schema):
    id: int
    certificate_number: str
    kind: str
    instrument: str | None
    calibrated_standard: str | None
    reference_standard: str | None
    laboratory: str
    specification: str | None
    performed_on: datetime.date
    valid_until: datetime.date
    measured_error: float
    expanded_uncertainty: float
    coverage_factor: float
    conformity: str
    status: str
    budget: list[tuple[str, float]]
    url: str

    @staticmethod
    def resolve_instrument(obj) -> str | None:
        return obj.instrument.code if obj.instrument_id else None

    @staticmethod
    def resolve_calibrated_standard(obj) -> str | None:
        return obj.calibrated_standard.code if obj.calibrated_standard_id else None

    @staticmethod
    def resolve_reference_standard(obj) -> str | None:
        return obj.reference_standard.code if obj.reference_standard_id else None

    @staticmethod
    def resolve_laboratory(obj) -> str:
        return obj.laboratory.code

    @staticmethod
    def resolve_specification(obj) -> str | None:
        return obj.specification.standard.identifier if obj.specification_id else None

    @staticmethod
    def resolve_budget(obj) -> list[tuple[str, float]]:
        return archive_budget(obj.gtc_archive)

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class MetrologyIssueOut(Schema):
    code: str
    link: str
    message_en: str
    message_zh: str


class LinkOut(Schema):
    item: str
    certificate: str | None
    reference: str | None
    laboratory: str | None
    valid_until: datetime.date | None
    tur: float | None
    issues: list[MetrologyIssueOut]


class ChainOut(Schema):
    on: datetime.date
    ok: bool
    top: str | None
    links: list[LinkOut]
    issues: list[MetrologyIssueOut]
    standard_uncertainty: float | None
    budget: list[tuple[str, float]]


class ImpactOut(Schema):
    standards: int
    instruments: int


class RevokeIn(Schema):
    reason: str


class SuspectOut(Schema):
    id: int
    code: str
    name: str
    owner_id: int | None
    owner: str
    region: str

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.name if obj.owner_id else ""


class CoverageOut(Schema):
    on: datetime.date
    region: str
    item_type: str
    required: int
    covered: int
    rate: float | None
    target: float


class DccOut(Schema):
    certificate_number: str
    schema_version: str
    item: str
    item_created: bool
    laboratory: str
    reference: str | None
    results: int
    signature: str
    signed_at: str = ""
    warnings: list[str] = []
    id: int | None


class ScopeOut(Schema):
    quantity: str
    range_min: float
    range_max: float
    unit: str
    valid_until: datetime.date


class LaboratoryOut(Schema):
    id: int
    code: str
    name: str
    organisation_id: int
    organisation: str
    region: str
    region_name: str
    accreditation_number: str
    scopes: list[ScopeOut]

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_region(obj) -> str:
        """The GB/T 2260 code of the organisation's division, if known."""
        return obj.organisation.region_id or ""


class ScopeIn(Schema):
    quantity: str
    range_min: float
    range_max: float
    unit: str
    valid_until: datetime.date


class SpecificationOut(Schema):
    id: int
    identifier: str
    title_zh: str
    title_en: str
    kind: str
    quantity: str
    is_local: bool
    catalogue_status: str

    @staticmethod
    def resolve_identifier(obj) -> str:
        return obj.standard.identifier

    @staticmethod
    def resolve_title_zh(obj) -> str:
        return obj.standard.title_zh

    @staticmethod
    def resolve_title_en(obj) -> str:
        return obj.standard.title_en

    @staticmethod
    def resolve_catalogue_status(obj) -> str:
        return obj.standard.status


class PropertyOut(Schema):
    name: str
    value: float
    unit: str
    uncertainty: float
    coverage_factor: float


class ReferenceMaterialOut(Schema):
    id: int
    number: str
    grade: str
    name: str
    producer: str
    valid_until: datetime.date | None
    properties: list[PropertyOut]


@router.get("/laboratories", response=list[LaboratoryOut])
@paginate(BoundedPageNumberPagination)
def laboratories(request, organisation_id: int | None = None):
    """The laboratories, or those an organisation runs."""
    qs = selectors.laboratory_list()
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs


@router.post(
    "/laboratories/{path:code}/scopes", response={201: ScopeOut}, auth=write_auth
)
def laboratory_scope_add(request, code: str, payload: ScopeIn):
    """Add an entry to a laboratory's accreditation scope, the laboratory given
    by its code (institute staff, or a user of the lab's organisation)."""
    scope = services.laboratory_scope_add(
        laboratory=selectors.laboratory_by_code(code, field="code"),
        actor=request.auth,
        **payload.dict(),
    )
    return Status(201, scope)


@router.get("/specifications", response=list[SpecificationOut])
@paginate(BoundedPageNumberPagination)
def specifications(request):
    return selectors.specification_list()


@router.get("/reference-materials", response=list[ReferenceMaterialOut])
@paginate(BoundedPageNumberPagination)
def reference_materials(request):
    return selectors.reference_material_list()


@router.get("/standards", response=list[MeasurementStandardOut])
@paginate(BoundedPageNumberPagination)
def standards(request, q: str = "", kind: str = "", region: str = ""):
    return selectors.standard_list(q=q, kind=kind, region=region)


@router.get("/standards/{pk}", response=MeasurementStandardOut)
def standard(request, pk: int):
    return get_object_or_404(
        MeasurementStandard.objects.select_related("holder__organisation"), pk=pk
    )


@router.post(
    "/standards/{path:code}/status", response=MeasurementStandardOut, auth=write_auth
)
def standard_set_status(request, code: str, payload: StatusIn):
    """Suspend, retire or reactivate a measurement standard, given by its code
    (institute staff). Suspending or retiring needs a reason; a retired
    standard stays retired. The change is recorded in the standard's history."""
    return services.standard_set_status(
        standard=selectors.standard_by_code(code, field="code"),
        actor=request.auth,
        **payload.dict(),
    )


@router.post(
    "/standards/{path:code}/assessment",
    response=MeasurementStandardOut,
    auth=write_auth,
)
def standard_reassess(request, code: str, payload: AssessmentIn):
    """Record a re-assessment of a measurement standard, given by its code
    (institute staff): the new assessment certificate's number and the day of
    the re-assessment, not in the future nor before the last assessment. Its
    validity is derived; a retired standard is not re-assessed. The
    re-assessment is recorded in the standard's history."""
    return services.standard_reassess(
        standard=selectors.standard_by_code(code, field="code"),
        actor=request.auth,
        **payload.dict(),
    )


@router.get("/instruments", response=list[InstrumentOut])
@paginate(BoundedPageNumberPagination)
def instruments(
    request,
    q: str = "",
    region: str = "",
    item_type: str = "",
    suspect: bool = False,
    retired: bool = False,
):
    """The instruments in use, or with ``retired=true`` those taken out of use."""
    return selectors.instrument_list(
        q=q, region=region, item_type=item_type, suspect=suspect, retired=retired
    )


@router.post("/instruments", response={201: InstrumentOut}, auth=write_auth)
def instrument_register(request, payload: InstrumentIn):
    """Register an instrument in use (institute staff). ``item_type`` is the
    code of its entry in the compulsory catalogue (``CV-04`` ...); whether it
    requires compulsory verification follows from the type and the use."""
    data = payload.dict()
    code = data.pop("item_type")
    item_type = selectors.compulsory_item_by_code(code) if code else None
    owner_id = data.pop("owner_id")
    owner = (
        selectors.organisation_by_id(owner_id, field="owner_id") if owner_id else None
    )
    instrument = services.instrument_register(
        actor=request.auth, item_type=item_type, owner=owner, **data
    )
    return Status(201, instrument)


@router.post("/instruments/{path:code}/retire", response=InstrumentOut, auth=write_auth)
def instrument_retire(request, code: str, payload: RetireIn):
    """Take an instrument, given by its asset number, out of use (institute
    staff): the day, not in the future nor before its registration or last
    calibration, and the reason. From that day it leaves the verification
    coverage and the reminders and is no longer calibrated; it is recorded
    in the instrument's history and cannot be undone."""
    return services.instrument_retire(
        instrument=selectors.instrument_by_code(code, field="code"),
        actor=request.auth,
        **payload.dict(),
    )


@router.get("/instruments/{pk}", response=InstrumentOut)
def instrument(request, pk: int):
    return get_object_or_404(
        Instrument.objects.select_related("item_type", "latest_event", "owner"), pk=pk
    )


def _chain_out(chain) -> dict:
    def issues(items):
        return [vars(i) for i in items]

    return {
        "on": chain.on,
        "ok": chain.ok,
        "top": chain.top.code if chain.top else None,
        "links": [
            {
                "item": link.item.code,
                "certificate": link.event.certificate_number if link.event else None,
                "reference": link.event.reference_standard.code
                if link.event and link.event.reference_standard
                else None,
                "laboratory": link.event.laboratory.code if link.event else None,
                "valid_until": link.event.valid_until if link.event else None,
                "tur": link.tur if link.tur != float("inf") else None,
                "issues": issues(link.issues),
            }
            for link in chain.links
        ],
        "issues": issues(chain.issues),
        "standard_uncertainty": chain.uncertainty,
        "budget": chain.budget,
    }


@router.get("/instruments/{pk}/chain", response=ChainOut)
def instrument_chain(request, pk: int, on: datetime.date | None = None):
    """Validate the instrument's traceability chain on a day (today by default)."""
    item = get_object_or_404(Instrument, pk=pk)
    return _chain_out(chain_validate(item, on=on or timezone.localdate()))


@router.get("/standards/{pk}/chain", response=ChainOut)
def standard_chain(request, pk: int, on: datetime.date | None = None):
    item = get_object_or_404(MeasurementStandard, pk=pk)
    return _chain_out(chain_validate(item, on=on or timezone.localdate()))


@router.post("/certificates", response={201: CertificateOut}, auth=write_auth)
def certificate_record(request, payload: CertificateIn):
    """Record a calibration or verification and its certificate (institute
    staff). The laboratory, the calibrated instrument (asset number) or
    standard, the reference standard and the specification are given by their
    codes; the reference's uncertainty is propagated down the chain."""
    data = payload.dict()
    laboratory = selectors.laboratory_by_code(data.pop("laboratory"))
    references = selectors.calibration_references(
        instrument=data.pop("instrument"),
        calibrated_standard=data.pop("calibrated_standard"),
        reference_standard=data.pop("reference_standard"),
        specification=data.pop("specification"),
    )
    event = services.calibration_record(
        actor=request.auth, laboratory=laboratory, **references, **data
    )
    return Status(201, selectors.certificate_get(event.pk))


@router.post("/certificates/{pk}/revoke", response=ImpactOut, auth=write_auth)
def certificate_revoke(request, pk: int, payload: RevokeIn):
    """Revoke a certificate and mark everything downstream suspect."""
    event = get_object_or_404(CalibrationEvent, pk=pk)
    impact = services.certificate_revoke(
        certificate=event, actor=request.auth, reason=payload.reason
    )
    return {"standards": len(impact.standards), "instruments": impact.instruments}


@router.get("/certificates/{pk}/suspects", response=list[SuspectOut])
@paginate(BoundedPageNumberPagination)
def certificate_suspects(request, pk: int):
    """The instruments a revoked certificate made suspect (impact analysis)."""
    return selectors.suspects_for(get_object_or_404(CalibrationEvent, pk=pk))


@router.get("/coverage", response=list[CoverageOut])
def coverage(
    request,
    on: datetime.date | None = None,
    months: int = 12,
    region: str = "",
    item_type: str = "",
):
    """Coverage of compulsory verification at each month end up to ``on``."""
    if not 1 <= months <= 60:
        raise ApplicationError("months must be between 1 and 60.")
    series = selectors.coverage_series(
        until=on or timezone.localdate(),
        months=months,
        region=region,
        item_type=item_type,
    )
    return [
        {
            "on": day,
            "region": region,
            "item_type": item_type,
            "required": row.required,
            "covered": row.covered,
            "rate": row.rate,
            "target": selectors.COVERAGE_TARGET,
        }
        for day, row in series
    ]


@router.post("/dcc", response={201: DccOut, 200: DccOut}, auth=write_auth)
def dcc_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Import a PTB DCC XML file (``dry_run`` checks it and stores nothing)."""
    outcome = services.dcc_import(
        data=file.read(), actor=request.auth, dry_run=dry_run, filename=file.name or ""
    )
    body = {
        **{k: v for k, v in vars(outcome).items() if k != "event"},
        "id": outcome.event.pk if outcome.event else None,
    }
    return Status(200 if dry_run else 201, body)
