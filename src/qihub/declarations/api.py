"""The self-declaration API: public search and reads, authenticated writes."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from qihub.core import import_job_api
from qihub.core.api_auth import write_auth
from qihub.core.errors import ApplicationError
from qihub.declarations import proposing, selectors, services
from qihub.declarations.declaration_checks import issue_message
from qihub.declarations.models import (
    Declaration,
    ForerunnerEvaluation,
    SpotCheckPlan,
)
from qihub.organisations import credit_codes

router = Router()


class SearchParams(Schema):
    q: str = ""
    enterprise: str = ""
    product: str = ""
    standard: str = ""
    region: str = ""
    category: str = ""


class DeclarationRow(Schema):
    id: int
    product_name: str
    category: str
    status: str
    check_status: str
    region: str = Field(..., alias="enterprise.region_name")
    region_code: str = Field(..., alias="region")
    enterprise: str = Field(..., alias="enterprise.name")
    organisation_id: int = Field(..., alias="enterprise.organisation_id")
    credit_code: str
    published_at: datetime.datetime | None


class IndicatorOut(Schema):
    parameter: str
    operator: str
    value: Decimal
    upper: Decimal | None
    unit: str
    test_method: str


class CitationOut(Schema):
    identifier: str
    flag: str
    replacement: str | None = None


class IssueOut(Schema):
    code: str
    severity: str
    message: str


class VersionOut(Schema):
    number: int
    status: str
    product_name: str
    category: str
    effective_on: datetime.date | None
    published_at: datetime.datetime | None
    check_status: str
    checked_at: datetime.datetime | None
    standards: list[CitationOut]
    indicators: list[IndicatorOut]
    issues: list[IssueOut]


class DeclarationOut(Schema):
    id: int
    status: str
    enterprise: str
    organisation_id: int
    credit_code: str
    region: str
    region_code: str
    current_version: int | None
    versions: list[VersionOut]


class IndicatorIn(Schema):
    parameter: str
    operator: str
    value: str
    upper: str | None = None
    unit: str = ""
    test_method: str = ""


class DeclarationIn(Schema):
    enterprise: str = Field(
        "", description="The enterprise's unified social credit code"
    )
    organisation_id: int | None = Field(
        None, description="Or the enterprise's organisation (registry id)"
    )
    product_name: str
    category: str
    standards: list[str]
    indicators: list[IndicatorIn] = []
    effective_on: datetime.date | None = None
    is_service: bool = False
    submit: bool = Field(True, description="Run the checks and publish if they pass")


class DeclarationWithdrawIn(Schema):
    reason: str


class CreditCodeOut(Schema):
    code: str
    valid: bool
    detail: str


def _version_out(v) -> dict:
    return {
        "number": v.number,
        "status": v.status,
        "product_name": v.product_name,
        "category": v.category,
        "effective_on": v.effective_on,
        "published_at": v.published_at,
        "check_status": v.check_status,
        "checked_at": v.checked_at,
        "standards": [
            {
                "identifier": s.identifier,
                "flag": s.flag,
                "replacement": s.replacement.identifier if s.replacement else None,
            }
            for s in v.standards.all()
        ],
        "indicators": list(v.indicators.all()),
        "issues": [
            {
                "code": i.get("code", ""),
                "severity": i.get("severity", ""),
                "message": issue_message(i),
            }
            for i in v.check_results
        ],
    }


def _declaration_out(declaration: Declaration, *, include_drafts: bool) -> dict:
    versions = [
        v for v in declaration.versions.all() if include_drafts or v.status != "draft"
    ]
    return {
        "id": declaration.pk,
        "status": declaration.status,
        "enterprise": declaration.enterprise.name,
        "organisation_id": declaration.enterprise.organisation_id,
        "credit_code": declaration.enterprise.credit_code,
        "region": declaration.enterprise.region_name,
        "region_code": declaration.enterprise.region_code,
        "current_version": declaration.current_version.number
        if declaration.current_version and declaration.status != "draft"
        else None,
        "versions": [_version_out(v) for v in versions],
    }


class SearchPagination(PageNumberPagination):
    """Pages of a declaration search. ``count`` is exact up to
    ``selectors.COUNT_CAP`` matches past the page; beyond that it is a lower
    bound and ``count_is_estimate`` is true."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=100)

    class Output(Schema):
        items: list[Any]
        count: int
        count_is_estimate: bool = False

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = self._get_page_size(pagination.page_size)
        results = selectors.SearchResults(queryset, page=pagination.page, per_page=size)
        offset = (pagination.page - 1) * size
        items = results[offset : offset + size]
        return {
            "items": items,
            "count": results.count(),
            "count_is_estimate": results.total_is_estimate,
        }


@router.get("/declarations", response=list[DeclarationRow])
@paginate(SearchPagination, page_size=20)
def declaration_search(request, params: Query[SearchParams]):
    """Search published declarations by product, enterprise (name or credit code),
    standard identifier, region and category."""
    return selectors.declaration_search(**params.dict())


@router.get("/declarations/{int:pk}", response=DeclarationOut)
def declaration_get(request, pk: int):
    """One declaration with every public version, its checks and indicators."""
    declaration = selectors.declaration_detail(pk)
    manage = services.can_manage(request.user, declaration.enterprise)
    if declaration.status == Declaration.Status.DRAFT and not manage:
        raise Http404("No such declaration.")
    return _declaration_out(declaration, include_drafts=manage)


class ProposedIndicatorOut(Schema):
    parameter: str
    operator: str
    value: str
    upper: str
    unit: str
    test_method: str


class ProposedOut(Schema):
    file: str
    indicators: list[ProposedIndicatorOut]


@router.post(
    "/indicators/propose",
    response=ProposedOut,
    auth=write_auth,
    summary="Indicators read from an enterprise standard file",
)
def indicators_propose(request, file: File[UploadedFile]):
    """The core indicators a Q/ standard states (Word .docx, text or STS XML),
    as a declaration's ``indicators`` for the enterprise to check; nothing is
    stored."""
    return {
        "file": file.name,
        "indicators": proposing.indicators_from_file(file.name, file.read()),
    }


@router.post(
    "/imports",
    response={202: import_job_api.ImportJobOut},
    auth=write_auth,
    summary="Import published declarations as a background job",
)
def declarations_import_start(
    request, file: File[UploadedFile], dry_run: Form[bool] = False
):
    """Upload a CSV or XLSX file of published declarations to import it all or
    nothing in the background, as ``qihub import-declarations`` does (staff
    only). Answers the job; follow it at ``GET /declarations/imports/{id}``."""
    return Status(
        202,
        import_job_api.start(request, kind="declarations", file=file, dry_run=dry_run),
    )


@router.get(
    "/imports/{int:job_id}",
    response=import_job_api.ImportJobOut,
    auth=write_auth,
    summary="A declarations import job",
)
def declarations_import_get(request, job_id: int):
    """The job's state, progress, summary and row errors (staff only)."""
    return import_job_api.get(request, kind="declarations", job_id=job_id)


@router.post("/declarations", response={201: DeclarationOut}, auth=write_auth)
def declaration_create(request, payload: DeclarationIn):
    """Declare a product: creates the draft and (by default) submits it."""
    enterprise = selectors.enterprise_by_reference(
        credit_code=payload.enterprise, organisation_id=payload.organisation_id
    )
    if enterprise is None:
        raise ApplicationError(
            _("No registered enterprise has this credit code or organisation id."),
            status=404,
        )
    data = payload.dict()
    submit = data.pop("submit")
    data.pop("enterprise")
    data.pop("organisation_id")
    declaration = services.declaration_create(
        actor=request.auth, enterprise=enterprise, **data
    )
    if submit:
        services.declaration_submit(actor=request.auth, declaration=declaration)
    return Status(
        201,
        _declaration_out(
            selectors.declaration_detail(declaration.pk), include_drafts=True
        ),
    )


@router.post(
    "/declarations/{int:pk}/withdraw", response=DeclarationOut, auth=write_auth
)
def declaration_withdraw(request, pk: int, payload: DeclarationWithdrawIn):
    declaration = get_object_or_404(Declaration, pk=pk)
    services.declaration_withdraw(
        actor=request.auth, declaration=declaration, reason=payload.reason
    )
    return _declaration_out(selectors.declaration_detail(pk), include_drafts=True)


@router.get("/credit-codes/{code}", response=CreditCodeOut)
def credit_code_check(request, code: str):
    """Validate a unified social credit code and say what is wrong with it."""
    try:
        normal = credit_codes.validate(code)
    except credit_codes.CreditCodeError as exc:
        return {
            "code": credit_codes.normalise(code),
            "valid": False,
            "detail": str(exc),
        }
    return {"code": normal, "valid": True, "detail": ""}


@router.get("/spot-checks/{int:pk}")
def spotcheck_results(request, pk: int):
    """A published spot-check plan: seed, share and every finding."""
    plan = get_object_or_404(
        SpotCheckPlan, pk=pk, status=SpotCheckPlan.Status.PUBLISHED
    )
    return {
        "name": plan.name,
        "seed": plan.seed,
        "share": str(plan.share),
        "regions": plan.regions,
        "industries": plan.industries,
        "checks": [
            {
                "position": c.position,
                "stratum": c.stratum,
                "declaration": c.declaration_id,
                "enterprise": c.declaration.enterprise.name,
                "organisation_id": c.declaration.enterprise.organisation_id,
                "inspector": c.inspector.name if c.inspector else None,
                "inspector_organisation_id": c.inspector.organisation_id
                if c.inspector
                else None,
                "outcome": c.outcome,
                "items": c.items,
                "deadline": c.deadline,
                "rectified_on": c.rectified_on,
            }
            for c in selectors.spotchecks_of(plan)
        ],
    }


@router.get("/forerunners/{int:pk}")
def forerunner_results(request, pk: int):
    """A published forerunner leaders list with the ranking method's inputs."""
    evaluation = get_object_or_404(
        ForerunnerEvaluation, pk=pk, status=ForerunnerEvaluation.Status.PUBLISHED
    )
    return {
        "category": evaluation.category,
        "title": evaluation.title,
        "indicators": evaluation.indicators,
        "leaders": evaluation.leaders,
        "published_at": evaluation.published_at,
        "results": evaluation.results,
    }
