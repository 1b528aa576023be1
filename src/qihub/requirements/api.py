"""REST API for machine-readable standards: documents, clauses, requirements,
check, compare, import."""

import base64
import binascii
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from qihub.core.api_auth import write_auth
from qihub.core.errors import ApplicationError
from qihub.core.pagination import BoundedPageNumberPagination
from qihub.requirements import checking, checks, fulltext, selectors, services
from qihub.requirements.models import Document, Parameter, Requirement

router = Router(tags=["requirements"])


class DocumentOut(Schema):
    id: int
    standard_id: int
    identifier: str
    title: str
    source_format: str
    language: str
    adopted_identifier: str
    clause_count: int = 0

    @staticmethod
    def resolve_identifier(obj) -> str:
        return obj.standard.identifier


class ClauseOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    number: str
    title: str
    text: str
    depth: int
    anchor: str
    tables: list[dict[str, Any]]


class RequirementOut(Schema):
    id: int
    standard_id: int
    standard: str
    clause: str | None
    kind: str
    subject: str
    parameter: str
    parameter_name: str
    operator: str
    value: str | None
    upper: str | None
    values: list[str]
    unit: str
    conditions: dict[str, str]
    test_method: str
    status: str
    origin: str

    @staticmethod
    def resolve_standard(obj) -> str:
        return obj.standard.identifier

    @staticmethod
    def resolve_clause(obj) -> str | None:
        return obj.clause.number if obj.clause_id else None

    @staticmethod
    def resolve_parameter(obj) -> str:
        return obj.parameter.key

    @staticmethod
    def resolve_parameter_name(obj) -> str:
        return obj.parameter.name

    @staticmethod
    def resolve_value(obj) -> str | None:
        return None if obj.value is None else f"{obj.value.normalize():f}"

    @staticmethod
    def resolve_upper(obj) -> str | None:
        return None if obj.upper is None else f"{obj.upper.normalize():f}"


class ParameterOut(Schema):
    key: str
    name_zh: str
    name_en: str
    default_unit: str
    dimension: str
    synonyms: list[str]
    is_new: bool = False


class RequirementFilter(Schema):
    standard: str | None = None
    subject: str | None = None
    parameter: str | None = None
    status: str | None = None


class RequirementIn(Schema):
    standard: str
    parameter: str
    operator: str
    value: str | None = None
    upper: str | None = None
    values: list[str] = []
    unit: str = ""
    conditions: dict[str, str] = {}
    kind: str = "shall"
    subject: str = ""
    clause: str | None = None
    test_method: str = ""


class Measured(Schema):
    value: Decimal | float | str | bool
    unit: str = ""


class CheckIn(Schema):
    standards: list[str]
    values: dict[str, Measured]
    conditions: dict[str, str] = {}


class CheckResultOut(Schema):
    requirement_id: int | None
    parameter: str
    requirement: str
    outcome: str
    reason: str
    measured: str


class CheckOut(Schema):
    outcome: str
    counts: dict[str, int]
    results: list[CheckResultOut]


class BulkIn(Schema):
    standards: list[str]
    products: list[dict[str, Measured]]
    conditions: dict[str, str] = {}


class BulkOut(Schema):
    products: int
    requirements: int
    verdicts: list[str]
    counts: dict[str, int]


class CompareRowOut(Schema):
    parameter: str
    conditions: dict[str, str]
    verdict: str
    a: str | None
    b: str | None
    reason: str


class CompareOut(Schema):
    a: str
    b: str
    not_weaker: bool
    counts: dict[str, int]
    rows: list[CompareRowOut]


class ImportIn(Schema):
    filename: str
    content_base64: str
    replace: bool = False
    dry_run: bool = False


class Error(Schema):
    detail: str
    errors: dict[str, Any] | None = None


def _document_qs():
    return selectors.documents()


@router.get("/documents", response=list[DocumentOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def document_list(request):
    """Standards whose full text is machine-readable."""
    return _document_qs()


@router.get("/documents/{document_id}", response=DocumentOut)
def document_detail(request, document_id: int):
    return get_object_or_404(_document_qs(), pk=document_id)


@router.get("/documents/{document_id}/clauses", response=list[ClauseOut])
def document_clauses(request, document_id: int):
    """Every clause in reading order (``parent_id`` gives the tree)."""
    document = get_object_or_404(Document, pk=document_id)
    return document.clauses.order_by("order")


@router.get("/documents/{document_id}/export.json")
def document_export_json(request, document_id: int):
    """The clause tree, terms and references as nested JSON."""
    document = get_object_or_404(
        Document.objects.select_related("standard"), pk=document_id
    )
    return fulltext.document_as_dict(document)


@router.get("/documents/{document_id}/export.xml")
def document_export_xml(request, document_id: int):
    """The full text as NISO STS 1.2 XML."""
    document = get_object_or_404(
        Document.objects.select_related("standard"), pk=document_id
    )
    return HttpResponse(fulltext.export_sts(document), content_type="application/xml")


@router.get("/parameters", response=list[ParameterOut])
def parameter_list(request):
    """The parameter vocabulary (keys used by requirements and product data)."""
    return Parameter.objects.order_by("key")


class ParameterMapIn(Schema):
    target: str


class ParameterKeepIn(Schema):
    key: str = ""


class ParameterMapOut(Schema):
    target: str
    moved: int


@router.post(
    "/parameters/{key}/map",
    response={200: ParameterMapOut, 400: Error, 404: Error},
    auth=write_auth,
)
def parameter_map(request, key: str, payload: ParameterMapIn):
    """Map a new parameter onto a known one (staff): its requirements move."""
    parameter = get_object_or_404(Parameter, key=key)
    target = get_object_or_404(Parameter, key=payload.target)
    moved = services.parameter_map(
        parameter=parameter, target=target, actor=request.user
    )
    return {"target": target.key, "moved": moved}


@router.post(
    "/parameters/{key}/keep",
    response={200: ParameterOut, 400: Error, 404: Error},
    auth=write_auth,
)
def parameter_keep(request, key: str, payload: ParameterKeepIn):
    """Keep a new parameter in the vocabulary (staff), optionally re-keyed."""
    parameter = get_object_or_404(Parameter, key=key)
    return services.parameter_keep(
        parameter=parameter, actor=request.user, key=payload.key
    )


@router.get("/requirements", response=list[RequirementOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def requirement_list(request, filters: Query[RequirementFilter]):
    """Requirements by standard (id or identifier), product category, parameter."""
    return selectors.requirement_list(**filters.dict())


@router.get("/requirements/export", response=list[RequirementOut])
def requirement_export(request, filters: Query[RequirementFilter]):
    """All matching requirements in one JSON document (no pagination)."""
    return list(selectors.requirement_list(**filters.dict()))


@router.post(
    "/requirements", response={201: RequirementOut, 400: Error}, auth=write_auth
)
def requirement_create(request, payload: RequirementIn):
    """Record a confirmed requirement by hand (staff)."""
    standard = checking.standard_lookup(payload.standard)
    clause = None
    if payload.clause:
        document = Document.objects.filter(standard=standard).first()
        clause = (
            document.clauses.filter(number=payload.clause).first() if document else None
        )
        if clause is None:
            raise ApplicationError(
                f"No clause {payload.clause} in {standard.identifier}."
            )
    requirement = services.requirement_create(
        standard=standard,
        clause=clause,
        actor=request.user,
        **payload.dict(exclude={"standard", "clause"}),
    )
    return Status(201, requirement)


@router.post(
    "/requirements/{requirement_id}/confirm", response=RequirementOut, auth=write_auth
)
def requirement_confirm(request, requirement_id: int):
    requirement = get_object_or_404(Requirement, pk=requirement_id)
    return services.requirement_confirm(requirement=requirement, actor=request.user)


class RejectIn(Schema):
    reason: str


@router.post(
    "/requirements/{requirement_id}/reject", response=RequirementOut, auth=write_auth
)
def requirement_reject(request, requirement_id: int, payload: RejectIn):
    requirement = get_object_or_404(Requirement, pk=requirement_id)
    return services.requirement_reject(
        requirement=requirement, actor=request.user, reason=payload.reason
    )


def _standards(refs: list[str]):
    if not refs:
        raise ApplicationError(_("Name at least one standard."))
    return [checking.standard_lookup(r) for r in refs]


@router.post("/check", response=CheckOut)
def check(request, payload: CheckIn):
    """Check one product against every confirmed requirement of the standards.

    Values carry their unit; they are converted exactly. A missing value, an
    unconvertible unit or an unstated condition is "cannot_evaluate".
    """
    standards = _standards(payload.standards)
    values = {name: (m.value, m.unit) for name, m in payload.values.items()}
    results = checking.check_product(
        standards=standards, values=values, conditions=payload.conditions
    )
    counts = dict.fromkeys(checks.OUTCOMES, 0)
    for r in results:
        counts[r.outcome] += 1
    return {
        "outcome": checks.summarise(results),
        "counts": counts,
        "results": [
            {
                "requirement_id": r.requirement.ref,
                "parameter": r.requirement.parameter,
                "requirement": r.requirement.describe(),
                "outcome": r.outcome,
                "reason": r.reason,
                "measured": r.measured,
            }
            for r in results
        ],
    }


@router.post("/check/bulk", response=BulkOut)
def check_bulk(request, payload: BulkIn):
    """Check many products at once (same conditions); per-product verdicts."""
    if len(payload.products) > 10_000:
        raise ApplicationError(_("At most 10,000 products per request."))
    standards = _standards(payload.standards)
    specs = checking.specs_for(standards)
    keys = services.parameter_keys({k for product in payload.products for k in product})
    products = [
        {keys[k]: (m.value, m.unit) for k, m in product.items()}
        for product in payload.products
    ]
    result = checks.evaluate_bulk(products, specs, payload.conditions)
    return {
        "products": len(products),
        "requirements": len(specs),
        "verdicts": [checks.OUTCOMES[v] for v in result.verdicts],
        "counts": result.verdict_counts,
    }


@router.get("/compare", response=CompareOut)
def compare(request, a: str, b: str):
    """Standard A against standard B per parameter: stricter, equal, weaker,
    only_a, only_b, incomparable (about A relative to B)."""
    std_a, std_b = checking.standard_lookup(a), checking.standard_lookup(b)
    rows = checking.compare_standards(std_a, std_b)
    return {
        "a": std_a.identifier,
        "b": std_b.identifier,
        "not_weaker": checks.not_weaker(rows),
        "counts": {v: sum(1 for r in rows if r.verdict == v) for v in checks.VERDICTS},
        "rows": [
            {
                "parameter": r.parameter,
                "conditions": dict(r.conditions),
                "verdict": r.verdict,
                "a": r.a.describe() if r.a else None,
                "b": r.b.describe() if r.b else None,
                "reason": r.reason,
            }
            for r in rows
        ],
    }


@router.post("/import", response={201: dict, 400: Error, 409: Error}, auth=write_auth)
def import_document(request, payload: ImportIn):
    """Import a full text (staff): STS XML, YAML or Markdown, base64-encoded."""
    try:
        data = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApplicationError("content_base64 is not valid base64.") from exc
    result = fulltext.document_import(
        data=data,
        filename=payload.filename,
        actor=request.user,
        replace=payload.replace,
        dry_run=payload.dry_run,
    )
    return Status(201, result.as_dict())


@router.post(
    "/import/upload", response={201: dict, 400: Error, 409: Error}, auth=write_auth
)
def import_upload(request, file: File[UploadedFile], replace: bool = False):
    """Import a full text (staff) as a multipart file upload."""
    result = fulltext.document_import(
        data=file.read(), filename=file.name, actor=request.user, replace=replace
    )
    return Status(201, result.as_dict())
