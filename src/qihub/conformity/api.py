"""The conformity API: who can test this, scopes, test requests and reports,
certificates, public verification and recognition."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from qihub.catalog.selectors import standard_get_by_identifier
from qihub.conformity import selectors, services
from qihub.conformity.models import (
    Agreement,
    Application,
    Certificate,
    Scheme,
    TestReport,
    TestRequest,
)
from qihub.conformity.ratelimit import verify_rate_check
from qihub.core.api_auth import write_auth
from qihub.core.api_json import shaped
from qihub.core.errors import ApplicationError, NotFound
from qihub.organisations.models import Organisation

router = Router(tags=["conformity"])


class CapabilityOut(Schema):
    rank: int
    body_id: int
    body: str
    region: str
    scope_line_id: int
    object: str
    parameter: str
    parameter_key: str
    unit: str
    standard: str
    clause: str
    limitation: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    valid: bool
    accredited: bool
    edition_current: bool
    flag_reason: str


def _capability(hit) -> dict:
    line = hit.line
    return {
        "rank": hit.rank,
        "body_id": line.body_id,
        "body": line.body.name,
        "region": line.body.region_id or "",
        "scope_line_id": line.pk,
        "object": line.object_name,
        "parameter": line.parameter_name,
        "parameter_key": line.parameter_key,
        "unit": line.unit,
        "standard": line.standard.identifier,
        "clause": line.clause,
        "limitation": line.limitation,
        "valid_from": line.valid_from,
        "valid_until": line.valid_until,
        "valid": hit.valid,
        "accredited": hit.accredited,
        "edition_current": hit.edition_current,
        "flag_reason": line.flag_reason,
    }


@router.get("/capabilities", response=list[CapabilityOut])
def capabilities(
    request,
    product: str = "",
    parameter: str = "",
    standard: str = "",
    clause: str = "",
    region: str = "",
    kind: str = "",
):
    """Who can test this: scope lines ranked exact standard and clause first,
    then the same standard, then the same parameter under another standard."""
    if not (product or parameter or standard):
        raise ApplicationError(
            "Give at least one of product, parameter or standard.",
            details={"product": "required"},
        )
    hits = selectors.capabilities(
        product=product,
        parameter=parameter,
        standard=standard,
        clause=clause,
        region=region,
        kind=kind,
    )
    # Shaped here (tested against CapabilityOut): 200 hits through ninja's
    # field-by-field check cost more than finding them.
    return shaped([_capability(h) for h in hits])


class VerifyIn(Schema):
    numbers: list[str | int | None]


@router.get("/verify")
def verify_one(request, number: str = ""):
    """Verify one certificate or test report by number (public, rate-limited)."""
    verify_rate_check(request)
    return selectors.verify([number])[0]


@router.post("/verify")
def verify_bulk(request, payload: VerifyIn):
    """Verify up to 100 numbers; each is answered on its own."""
    if len(payload.numbers) > services.MAX_BULK:
        raise ApplicationError(
            f"At most {services.MAX_BULK} numbers per request.",
            details={"numbers": "too many"},
        )
    verify_rate_check(request, cost=max(1, len(payload.numbers) // 10))
    return {"results": selectors.verify(payload.numbers)}


class ResultIn(Schema):
    parameter: str
    value: str
    unit: str = ""
    uncertainty: str = ""
    method: str = ""
    limit_quoted: str = ""


class TestReportIn(Schema):
    number: str
    body_id: int
    client_id: int | None = None
    request_id: int | None = None
    product: str
    sample: str = ""
    standards: list[str]
    conditions: dict[str, str] = {}
    conclusion: str
    results: list[ResultIn]
    issue: bool = True


class ResultOut(Schema):
    parameter: str
    value: str
    unit: str
    uncertainty: str
    method: str
    limit_quoted: str
    outcome: str
    reason: str
    requirement: str


class ReportOut(Schema):
    id: int
    number: str
    body: str
    product: str
    status: str
    conclusion: str
    computed: str
    issued_on: datetime.date | None
    results: list[ResultOut]

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body.name

    @staticmethod
    def resolve_results(obj):
        return list(obj.results.all())


@router.post("/reports", response={201: ReportOut}, auth=write_auth)
def report_create(request, payload: TestReportIn):
    """Draft a report and (by default) issue it: results are checked against
    the cited standards' confirmed requirements; a contradiction is refused."""
    from django.db import transaction

    body = get_object_or_404(Organisation, pk=payload.body_id)
    client = (
        get_object_or_404(Organisation, pk=payload.client_id)
        if payload.client_id
        else None
    )
    req = (
        get_object_or_404(TestRequest, pk=payload.request_id)
        if payload.request_id
        else None
    )
    with transaction.atomic():
        report = services.report_create(
            actor=request.auth,
            body=body,
            client=client,
            request=req,
            number=payload.number,
            product=payload.product,
            sample=payload.sample,
            standards=payload.standards,
            conditions=payload.conditions,
            conclusion=payload.conclusion,
            results=[r.dict() for r in payload.results],
        )
        if payload.issue:
            report = services.report_issue(actor=request.auth, report=report)
    return 201, selectors.report_detail(report.pk)


@router.get("/reports/{number}", response=ReportOut)
def report_get(request, number: str):
    report = TestReport.objects.filter(number=number).exclude(status="draft").first()
    if report is None:
        raise NotFound("No issued report with this number.")
    return selectors.report_detail(report.pk)


class ReasonIn(Schema):
    reason: str = ""


@router.post("/reports/{number}/revoke", response=ReportOut, auth=write_auth)
def report_revoke(request, number: str, payload: ReasonIn):
    report = get_object_or_404(TestReport, number=number)
    services.report_revoke(actor=request.auth, report=report, reason=payload.reason)
    return selectors.report_detail(report.pk)


@router.get("/reports/{number}/markets")
def report_markets(request, number: str):
    """The markets whose bodies recognise this report."""
    report = TestReport.objects.filter(number=number, status="issued").first()
    if report is None:
        raise NotFound("No issued report with this number.")
    return {"number": number, "markets": selectors.report_markets(report)}


class RequestIn(Schema):
    body_id: int
    client_id: int | None = None
    product: str
    parameters: str
    standard: str
    note: str = ""


class RequestOut(Schema):
    id: int
    body: str
    product: str
    parameters: str
    standard: str
    state: str
    due_on: datetime.date | None
    quote: str

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body.name

    @staticmethod
    def resolve_standard(obj) -> str:
        return obj.standard.identifier


@router.post("/requests", response={201: RequestOut}, auth=write_auth)
def request_create(request, payload: RequestIn):
    body = get_object_or_404(Organisation, pk=payload.body_id)
    client = (
        get_object_or_404(Organisation, pk=payload.client_id)
        if payload.client_id
        else None
    )
    req = services.request_create(
        actor=request.auth,
        body=body,
        client=client,
        product=payload.product,
        parameters=payload.parameters,
        standard=payload.standard,
        note=payload.note,
    )
    return 201, req


class MoveIn(Schema):
    state: str
    reason: str = ""
    quote: str = ""


@router.post("/requests/{pk}/move", response=RequestOut, auth=write_auth)
def request_move(request, pk: int, payload: MoveIn):
    req = get_object_or_404(TestRequest, pk=pk)
    if not services.may_see_request(request.auth, req):
        raise NotFound("No such request.")
    return services.request_move(
        actor=request.auth,
        request=req,
        state=payload.state,
        reason=payload.reason,
        quote=payload.quote,
    )


class CertChangeIn(Schema):
    action: str
    reason: str = ""


@router.post("/certificates/{number}/status", auth=write_auth)
def certificate_status(request, number: str, payload: CertChangeIn):
    """Suspend, restore, withdraw or expire a certificate."""
    cert = get_object_or_404(Certificate, number=number)
    services.certificate_change(
        actor=request.auth,
        certificate=cert,
        action=payload.action,
        reason=payload.reason,
    )
    return selectors.verify([number])[0]


@router.get("/certified-products")
def certified_products(request, q: str = "", limit: int = 50):
    """The public list of certified products and their holders."""
    rows = selectors.certified_products(q=q)[: max(1, min(limit, 200))]
    return [
        {
            "number": c.number,
            "holder": c.holder.name,
            "products": c.products,
            "models": c.models_text,
            "standard": c.standard.identifier,
            "scheme": c.scheme.name,
            "body": c.body.name,
            "valid_until": c.valid_until,
        }
        for c in rows
    ]


@router.get("/recognition")
def recognition(
    request, body_id: int, product: str = "", standard: str = "", market: str = ""
):
    """Recognised here? The agreements covering body B, product P, standard S."""
    body = get_object_or_404(Organisation, pk=body_id)
    std = standard_get_by_identifier(standard) if standard else None
    if standard and std is None:
        raise ApplicationError(
            f"{standard} is not in the standards catalogue.",
            details={"standard": "unknown"},
        )
    ags = selectors.recognising_agreements(
        body=body, product=product, standard=std, market=market
    )
    return {
        "recognised": bool(ags),
        "agreements": [
            {
                "name": a.name,
                "kind": a.kind,
                "markets": a.markets,
                "valid_until": a.valid_until,
            }
            for a in ags
        ],
    }


# --- certification: schemes, applications -----------------------------------


class SchemeIn(Schema):
    code: str
    name_zh: str = ""
    name_en: str = ""
    standards: list[str] = []
    rules: str = ""
    owner_id: int | None = None
    validity_years: int = Field(3, ge=1, le=10)
    surveillance_months: int = Field(12, ge=1, le=60)


class SchemeOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    standards: list[str]
    rules: str
    validity_years: int
    surveillance_months: int

    @staticmethod
    def resolve_standards(obj) -> list[str]:
        return [s.identifier for s in obj.standards.all()]


@router.get("/schemes", response=list[SchemeOut])
def scheme_list(request):
    """The certification schemes and the standards they certify against."""
    return list(Scheme.objects.prefetch_related("standards").order_by("code"))


@router.post("/schemes", response={201: SchemeOut}, auth=write_auth)
def scheme_create(request, payload: SchemeIn):
    """Create a scheme (institute staff)."""
    owner = (
        get_object_or_404(Organisation, pk=payload.owner_id)
        if payload.owner_id
        else None
    )
    data = payload.dict(exclude={"owner_id"})
    return 201, services.scheme_create(actor=request.auth, owner=owner, **data)


class ApplicationIn(Schema):
    scheme: str
    body_id: int
    applicant_id: int
    products: str
    standard: str
    models: str = ""
    note: str = ""


class CertificationEventOut(Schema):
    """One change in an application's or a certificate's history: what
    (for an application, the state it entered), when, who and the note."""

    type: str
    at: datetime.datetime
    actor: str | None
    reason: str
    details: dict


def _events(events, kind_of) -> list[dict]:
    return [
        {
            "type": kind_of(e),
            "at": e.created_at,
            "actor": e.actor.username if e.actor_id else None,
            "reason": e.reason,
            "details": e.details,
        }
        for e in events
    ]


class ApplicationOut(Schema):
    id: int
    scheme: str
    body: str
    applicant: str
    products: str
    models_text: str
    standard: str
    state: str
    test_report: str | None
    inspection_on: datetime.date | None
    inspection_passed: bool | None
    decision_reason: str
    certificate: str | None
    history: list[CertificationEventOut]

    @staticmethod
    def resolve_scheme(obj) -> str:
        return obj.scheme.code

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body.name

    @staticmethod
    def resolve_applicant(obj) -> str:
        return obj.applicant.name

    @staticmethod
    def resolve_standard(obj) -> str:
        return obj.standard.identifier

    @staticmethod
    def resolve_test_report(obj) -> str | None:
        return obj.test_report.number if obj.test_report_id else None

    @staticmethod
    def resolve_certificate(obj) -> str | None:
        cert = next(iter(obj.certificates.all()), None)
        return cert.number if cert else None

    @staticmethod
    def resolve_history(obj) -> list[dict]:
        return _events(obj.events.all(), lambda e: e.type)


def _application_for(user, pk: int) -> Application:
    try:
        app = selectors.application_detail(pk)
    except Application.DoesNotExist:
        raise NotFound("No such application.") from None
    if not (
        services.acts_for(user, app.body) or services.acts_for(user, app.applicant)
    ):
        raise NotFound("No such application.")
    return app


@router.post("/applications", response={201: ApplicationOut}, auth=write_auth)
def application_create(request, payload: ApplicationIn):
    """Apply to a certification body for a certificate under a scheme."""
    scheme = get_object_or_404(Scheme, code=payload.scheme)
    body = get_object_or_404(Organisation, pk=payload.body_id)
    applicant = get_object_or_404(Organisation, pk=payload.applicant_id)
    app = services.application_create(
        actor=request.auth,
        scheme=scheme,
        body=body,
        applicant=applicant,
        products=payload.products,
        standard=payload.standard,
        models_text=payload.models,
        note=payload.note,
    )
    return 201, selectors.application_detail(app.pk)


@router.get("/applications/{pk}", response=ApplicationOut, auth=write_auth)
def application_get(request, pk: int):
    return _application_for(request.auth, pk)


class EvaluateIn(Schema):
    test_report: str
    inspection_on: datetime.date
    inspection_passed: bool
    inspection_notes: str = ""


@router.post("/applications/{pk}/evaluate", response=ApplicationOut, auth=write_auth)
def application_evaluate(request, pk: int, payload: EvaluateIn):
    """Record the evaluation: the test report and the factory inspection."""
    app = _application_for(request.auth, pk)
    report = TestReport.objects.filter(number=payload.test_report).first()
    if report is None:
        raise ApplicationError(
            f"No test report {payload.test_report}.",
            details={"test_report": "unknown"},
        )
    services.application_evaluate(
        actor=request.auth,
        application=app,
        test_report=report,
        inspection_on=payload.inspection_on,
        inspection_passed=payload.inspection_passed,
        inspection_notes=payload.inspection_notes,
    )
    return selectors.application_detail(app.pk)


class DecideIn(Schema):
    grant: bool
    number: str = ""
    reason: str = ""
    valid_from: datetime.date | None = None


@router.post("/applications/{pk}/decide", response=ApplicationOut, auth=write_auth)
def application_decide(request, pk: int, payload: DecideIn):
    """Grant (issues the certificate with its scope, validity and surveillance
    schedule) or refuse with a reason."""
    app = _application_for(request.auth, pk)
    services.application_decide(
        actor=request.auth,
        application=app,
        grant=payload.grant,
        number=payload.number,
        reason=payload.reason,
        valid_from=payload.valid_from,
    )
    return selectors.application_detail(app.pk)


class SurveilIn(Schema):
    passed: bool
    notes: str = ""


@router.post("/certificates/{number}/surveillance", auth=write_auth)
def certificate_surveil(request, number: str, payload: SurveilIn):
    """Record a surveillance audit (failed suspends the certificate)."""
    cert = get_object_or_404(Certificate, number=number)
    services.certificate_surveil(
        actor=request.auth, certificate=cert, passed=payload.passed, notes=payload.notes
    )
    return selectors.verify([number])[0]


class ConformityCertificateOut(Schema):
    number: str
    status: str
    status_reason: str
    scheme: str
    body: str
    holder: str
    products: str
    models_text: str
    standard: str
    valid_from: datetime.date
    valid_until: datetime.date
    next_surveillance_on: datetime.date | None
    renews: str | None
    history: list[CertificationEventOut]

    @staticmethod
    def resolve_scheme(obj) -> str:
        return obj.scheme.code

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body.name

    @staticmethod
    def resolve_holder(obj) -> str:
        return obj.holder.name

    @staticmethod
    def resolve_standard(obj) -> str:
        return obj.standard.identifier

    @staticmethod
    def resolve_renews(obj) -> str | None:
        return obj.replaces.number if obj.replaces_id else None

    @staticmethod
    def resolve_history(obj) -> list[dict]:
        return _events(obj.events.all(), lambda e: e.type)


def _certificate_for(user, number: str) -> Certificate:
    """The certificate for its issuing body, its holder and staff (anyone
    else verifies it publicly instead)."""
    try:
        cert = selectors.certificate_by_number(number)
    except Certificate.DoesNotExist:
        raise NotFound("No such certificate.") from None
    if not (services.acts_for(user, cert.body) or services.acts_for(user, cert.holder)):
        raise NotFound("No such certificate.")
    return cert


@router.get(
    "/certificates/{number}", response=ConformityCertificateOut, auth=write_auth
)
def certificate_get(request, number: str):
    """A certificate with its whole history (issuing body, holder, staff)."""
    return _certificate_for(request.auth, number)


@router.get(
    "/certificates/{number}/history",
    response=list[CertificationEventOut],
    auth=write_auth,
)
def certificate_history(request, number: str):
    """Every change of a certificate (issuing body, holder, staff)."""
    cert = _certificate_for(request.auth, number)
    return _events(cert.events.all(), lambda e: e.type)


# --- mutual recognition -----------------------------------------------------


class AgreementIn(Schema):
    kind: str
    name: str
    body_ids: list[int]
    markets: list[str]
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    products: list[str] = []
    standards: list[str] = []


class AgreementOut(Schema):
    id: int
    kind: str
    name: str
    bodies: list[str]
    markets: list[str]
    products: list[str]
    standards: list[str]
    valid_from: datetime.date
    valid_until: datetime.date | None

    @staticmethod
    def resolve_bodies(obj) -> list[str]:
        return [b.name for b in obj.bodies.all()]

    @staticmethod
    def resolve_standards(obj) -> list[str]:
        return [s.identifier for s in obj.standards.all()]


@router.get("/agreements", response=list[AgreementOut])
def agreement_list(request):
    """Recognition agreements (ILAC/IAF MRA membership, bilateral)."""
    return list(
        Agreement.objects.prefetch_related("bodies", "standards").order_by("name")
    )


@router.post("/agreements", response={201: AgreementOut}, auth=write_auth)
def agreement_create(request, payload: AgreementIn):
    """Record an agreement (institute staff)."""
    bodies = list(Organisation.objects.filter(pk__in=payload.body_ids))
    if len(bodies) != len(set(payload.body_ids)):
        raise ApplicationError(
            "Unknown body in body_ids.", details={"body_ids": "unknown"}
        )
    data = payload.dict(exclude={"body_ids"})
    return 201, services.agreement_create(actor=request.auth, bodies=bodies, **data)
