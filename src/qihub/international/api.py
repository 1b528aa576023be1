"""The international API: technical bodies and posts, projects, talents,
counts for programme targets, the field comparison and TBT/SPS notifications
with their matches. Reads are public; writes need a staff bearer token."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qihub.core.api_auth import write_auth
from qihub.core.pagination import MAX_PAGE, BoundedPageNumberPagination
from qihub.international import comparison as cmp
from qihub.international import selectors, services
from qihub.international.models import (
    InternationalProject,
    TbtMatch,
    TbtNotification,
    TechnicalBody,
)
from qihub.organisations.models import Network, Organisation

router = Router(tags=["international"])


class BodyOut(Schema):
    id: int
    reference: str
    body: str
    kind: str
    number: int
    title_en: str
    title_zh: str
    parent: str | None
    mirror_committee: str

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.reference if obj.parent_id else None

    @staticmethod
    def resolve_mirror_committee(obj) -> str:
        return obj.mirror_committee.code if obj.mirror_committee_id else obj.mirror_name


class PostOut(Schema):
    id: int
    body: str
    role: str
    person_name: str
    organisation_id: int
    organisation: str
    term_start: datetime.date
    term_end: datetime.date

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body.reference

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name


class BodyDetailOut(BodyOut):
    posts: list[PostOut]

    @staticmethod
    def resolve_posts(obj) -> list:
        return list(selectors.body_posts(obj))


class InternationalProjectOut(Schema):
    id: int
    reference: str
    title_en: str
    title_zh: str
    stage: str
    stage_title: str
    body: str
    leading_organisation_id: int | None
    leading_organisation: str | None
    leader_name: str
    proposed_on: datetime.date | None
    target_dis_on: datetime.date | None
    target_publication_on: datetime.date | None
    standard: str | None
    domestic_adoption: str | None

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body.reference if obj.body_id else obj.committee_text

    @staticmethod
    def resolve_leading_organisation(obj) -> str | None:
        return obj.leading_organisation.name if obj.leading_organisation_id else None

    @staticmethod
    def resolve_standard(obj) -> str | None:
        return obj.standard.identifier if obj.standard_id else None

    @staticmethod
    def resolve_domestic_adoption(obj) -> str | None:
        return obj.domestic_adoption.identifier if obj.domestic_adoption_id else None


class ProjectDetailOut(InternationalProjectOut):
    participants: list[str]

    @staticmethod
    def resolve_participants(obj) -> list[str]:
        return [o.name for o in obj.participants.all()]


class InternationalProjectIn(Schema):
    reference: str
    stage: str
    title_en: str = ""
    title_zh: str = ""
    body: str | None = None
    leading_organisation_id: int | None = None
    leader_name: str = ""
    participant_ids: list[int] = []
    proposed_on: datetime.date | None = None
    target_dis_on: datetime.date | None = None
    target_publication_on: datetime.date | None = None


class StageIn(Schema):
    stage: str
    on: datetime.date | None = None
    reason: str = ""


class PostIn(Schema):
    role: str
    organisation_id: int
    person_name: str = ""
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None


class CountsOut(Schema):
    on: datetime.date
    projects_led: int
    projects_participated: int
    posts_held: int
    talents_trained: int
    talents_active: int


class NotificationOut(Schema):
    id: int
    symbol: str
    kind: str
    member: str
    distributed_on: datetime.date
    products: str
    hs_codes: list[str]
    ics_codes: list[str]
    description: str
    comment_deadline: datetime.date | None


class MatchOut(Schema):
    kind: str
    ics_code: str
    standard_id: int | None
    standard: str | None
    organisation_id: int | None
    organisation: str | None


class NotificationDetailOut(NotificationOut):
    """``matches``: its fields and cited standards, then the first
    ``ENTERPRISES_PAGE`` enterprises it touches (kind organisation, their
    field in ``ics_code``); the rest page at ``/tbt/{id}/enterprises``."""

    matches: list[MatchOut]
    enterprises_count: int


class TbtEnterpriseOut(Schema):
    id: int
    name: str
    region: str | None
    ics_code: str = Field(
        description="the field its declarations fall in; blank: "
        "it declares a standard the notification cites"
    )


class TbtEnterprisePageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[TbtEnterpriseOut]


ENTERPRISES_PAGE = 50


def _enterprise_page(notification: TbtNotification, page: int):
    found = selectors.tbt_enterprises(notification)
    paged = found.page(page, ENTERPRISES_PAGE)
    reasons = found.reasons(list(paged))
    return paged, [(o, reasons[o.pk]) for o in paged]


@router.get("/bodies", response=list[BodyOut])
@paginate(BoundedPageNumberPagination)
def body_list(request, q: str = ""):
    """ISO/IEC/ITU technical committees, subcommittees and working groups."""
    return selectors.body_list(q=q)


@router.get("/bodies/{int:pk}", response=BodyDetailOut)
def body_detail(request, pk: int):
    return get_object_or_404(
        TechnicalBody.objects.select_related("parent", "mirror_committee"), pk=pk
    )


@router.post("/bodies/{int:pk}/posts", response={201: PostOut}, auth=write_auth)
def post_assign(request, pk: int, payload: PostIn):
    """Record a post held for a term (staff); refused without its term."""
    body = get_object_or_404(TechnicalBody, pk=pk)
    post = services.post_assign(
        actor=request.auth,
        body=body,
        role=payload.role,
        organisation=get_object_or_404(Organisation, pk=payload.organisation_id),
        person_name=payload.person_name,
        term_start=payload.term_start,
        term_end=payload.term_end,
    )
    return Status(201, post)


@router.get("/projects", response=list[InternationalProjectOut])
@paginate(BoundedPageNumberPagination)
def project_list(request, stage: str = "", q: str = "", active: bool = False):
    """International projects; ``stage`` is a code (40.20) or a stage (40)."""
    return selectors.project_list(stage=stage, q=q, active=active)


@router.get("/projects/{int:pk}", response=ProjectDetailOut)
def project_detail(request, pk: int):
    return get_object_or_404(
        InternationalProject.objects.select_related(
            "body", "leading_organisation", "standard", "domestic_adoption"
        ).prefetch_related("participants"),
        pk=pk,
    )


@router.post("/projects", response={201: ProjectDetailOut}, auth=write_auth)
def project_register(request, payload: InternationalProjectIn):
    """Register a project at an ISO harmonized stage code (staff)."""
    data = payload.dict()
    body_ref = data.pop("body")
    lead_id = data.pop("leading_organisation_id")
    participant_ids = data.pop("participant_ids")
    project = services.project_register(
        actor=request.auth,
        body=services.body_find_or_register(actor=request.auth, reference=body_ref)
        if body_ref
        else None,
        leading_organisation=get_object_or_404(Organisation, pk=lead_id)
        if lead_id
        else None,
        participants=list(Organisation.objects.filter(pk__in=participant_ids)),
        **data,
    )
    return Status(201, project)


@router.post("/projects/{int:pk}/stage", response=ProjectDetailOut, auth=write_auth)
def project_set_stage(request, pk: int, payload: StageIn):
    project = get_object_or_404(InternationalProject, pk=pk)
    return services.project_set_stage(
        actor=request.auth,
        project=project,
        stage=payload.stage,
        on=payload.on,
        reason=payload.reason,
    )


@router.get("/counts", response=CountsOut)
def counts(
    request,
    region: str | None = None,
    network: int | None = None,
    on: datetime.date | None = None,
):
    """Projects led / taken part in, posts held, people trained and active,
    for a region (GB/T 2260 code) and/or a network, on a day (today)."""
    from django.utils import timezone

    day = on or timezone.localdate()
    net = get_object_or_404(Network, pk=network) if network else None
    kw = {"region": region or None, "network": net, "on": day}
    return {
        "on": day,
        "projects_led": selectors.projects_led_count(**kw),
        "projects_participated": selectors.projects_participated_count(**kw),
        "posts_held": selectors.posts_held_count(**kw),
        "talents_trained": selectors.talents_trained_count(**kw),
        "talents_active": selectors.talents_active_count(**kw),
    }


@router.get("/comparison")
def comparison(request, ics: str = "", ccs: str = "", reference: str = "international"):
    """The field comparison: summary, each reference standard with its
    domestic adoptions (degree, requirement verdict), the unmatched ones and
    the adoption rate by year. ``reference``: international, foreign, all."""
    result = cmp.field_comparison(ics=ics, ccs=ccs, reference=reference)
    return {
        "summary": result.summary(),
        "standards": [r.as_dict() for r in result.rows],
        "unmatched": [r.identifier for r in result.unmatched],
        "by_year": result.by_year,
    }


@router.get("/tbt", response=list[NotificationOut])
@paginate(BoundedPageNumberPagination)
def tbt_list(request, q: str = "", open: bool = False):
    """WTO TBT/SPS notifications; ``open`` keeps those still open for comments."""
    return selectors.tbt_list(q=q, open_only=open)


@router.get("/tbt/deadlines", response=list[NotificationOut])
def tbt_deadlines(request):
    """Notifications open for comments, the nearest deadline first."""
    return list(selectors.tbt_deadlines())


@router.get("/tbt/{int:pk}", response=NotificationDetailOut)
def tbt_detail(request, pk: int):
    notification = get_object_or_404(TbtNotification, pk=pk)
    paged, rows = _enterprise_page(notification, 1)
    matches = [
        {
            "kind": m.kind,
            "ics_code": m.ics_code,
            "standard_id": m.standard_id,
            "standard": m.standard.identifier if m.standard_id else None,
            "organisation_id": None,
            "organisation": None,
        }
        for m in selectors.tbt_matches(notification)
    ]
    matches += [
        {
            "kind": TbtMatch.Kind.ORGANISATION,
            "ics_code": code,
            "standard_id": None,
            "standard": None,
            "organisation_id": org.pk,
            "organisation": org.name,
        }
        for org, code in rows
    ]
    return {
        **NotificationOut.model_validate(notification).model_dump(),
        "matches": matches,
        "enterprises_count": paged.paginator.count,
    }


@router.get("/tbt/{int:pk}/enterprises", response=TbtEnterprisePageOut)
def tbt_enterprises(request, pk: int, page: int = Query(1, ge=1, le=MAX_PAGE)):
    """The enterprises a notification touches (their published declarations
    fall in its fields or cite its standards), 50 a page by name."""
    notification = get_object_or_404(TbtNotification, pk=pk)
    paged, rows = _enterprise_page(notification, page)
    return {
        "count": paged.paginator.count,
        "page": paged.number,
        "pages": paged.paginator.num_pages,
        "items": [
            {
                "id": org.pk,
                "name": org.name,
                "region": org.region.name if org.region_id else None,
                "ics_code": code,
            }
            for org, code in rows
        ],
    }


@router.get("/organisations/{int:pk}/tbt", response=list[NotificationOut])
def organisation_tbt(request, pk: int):
    """The notifications that touch an organisation's declarations."""
    get_object_or_404(Organisation, pk=pk)
    return list(selectors.tbt_alerts_for([pk])[:200])
