"""The lifecycle API: projects and transitions, consultation comments,
ballots, patent disclosures, feedback, periodic reviews due, committees and
research projects."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qihub.catalog.models import Standard
from qihub.core.api_auth import write_auth
from qihub.core.errors import ApplicationError
from qihub.core.pagination import BoundedPageNumberPagination
from qihub.lifecycle import selectors, services
from qihub.lifecycle.models import (
    Ballot,
    Comment,
    Committee,
    CommitteeMember,
    Consultation,
    PatentDisclosure,
    Project,
    ResearchProject,
)
from qihub.organisations.models import Organisation

router = Router(tags=["lifecycle"])


class OrganisationRef(Schema):
    """An organisation a record names: its id, name and page."""

    id: int
    name: str
    url: str = Field(..., alias="get_absolute_url")


def _organisation(field: str, org_id: int | None) -> Organisation | None:
    """The organisation of an ``*_id`` input; an unknown id is refused naming
    the field."""
    if org_id is None:
        return None
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None:
        raise ApplicationError(
            _("%(field)s: no organisation has the id %(id)d.")
            % {"field": field, "id": org_id},
            details={field: [str(org_id)]},
        )
    return org


def _organisations(field: str, ids: list[int]) -> list[Organisation]:
    """Organisations of a list of ids, in the order given (one query)."""
    found = Organisation.objects.in_bulk(ids)
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise ApplicationError(
            _("%(field)s: no organisation has the id %(ids)s.")
            % {"field": field, "ids": ", ".join(map(str, unknown))},
            details={field: [str(i) for i in unknown]},
        )
    return [found[i] for i in ids]


class ProjectOut(Schema):
    id: int
    code: str
    kind: str
    level: str
    title_zh: str
    title_en: str
    identifier: str
    state: str = Field(..., alias="state.slug")
    state_name: str = Field(..., alias="state.name")
    committee: str | None = Field(None, alias="committee.code")
    replaces: str | None = Field(None, alias="replaces.identifier")
    standard_id: int | None = None
    due_on: datetime.date | None
    url: str = Field(..., alias="get_absolute_url")
    proposer_organisation: OrganisationRef | None = None
    drafting_units: list[OrganisationRef]

    @staticmethod
    def resolve_drafting_units(obj) -> list[Organisation]:
        return obj.drafting_organisations()


class ProjectIn(Schema):
    title_zh: str = ""
    title_en: str = ""
    kind: str = Project.Kind.NEW
    level: str = Standard.Level.NATIONAL
    committee: str | None = None
    replaces: str | None = None
    identifier: str = ""
    scope: str = ""
    ics: str = ""
    proposer_organisation_id: int | None = None
    drafting_unit_ids: list[int] = Field(
        default_factory=list, description="Drafting units, the first one first."
    )
    drafters: str = ""
    due_on: datetime.date | None = None


class ProjectEventOut(Schema):
    type: str
    created_at: datetime.datetime
    actor: str | None = Field(None, alias="actor.username")
    from_state: str
    to_state: str
    comment: str
    details: dict

    @staticmethod
    def resolve_comment(obj) -> str:
        # The API keeps the name it had before events shared one shape.
        return obj.reason


class TransitionIn(Schema):
    to_state: str
    comment: str = ""
    deadline: datetime.date | None = None
    issued_on: datetime.date | None = None


class CommentIn(Schema):
    text: str
    commenter: str = ""
    organisation_name: str = ""
    email: str = ""
    clause: str = ""
    paragraph: str = ""
    type: str = Comment.Type.GENERAL
    proposed_change: str = ""


class CommentOut(Schema):
    id: int
    number: int
    commenter: str
    organisation_name: str
    organisation: OrganisationRef | None = None
    clause: str
    paragraph: str
    type: str
    text: str
    proposed_change: str
    resolution: str
    observations: str


class ResolveIn(Schema):
    resolution: str
    observations: str = ""


class VoteIn(Schema):
    choice: str
    comment: str = ""


class BallotOut(Schema):
    id: int
    project: str = Field(..., alias="project.code")
    committee: str = Field(..., alias="committee.code")
    status: str
    closes_on: datetime.date
    result: str
    counts: dict
    result_reason: str


class PatentIn(Schema):
    patent_number: str
    holder: str
    licensing: str
    title: str = ""
    declarant: str = ""
    email: str = ""
    project: int | None = None
    standard: int | None = None


class PatentOut(Schema):
    id: int
    patent_number: str
    title: str
    holder: str
    holder_organisation: OrganisationRef | None = None
    licensing: str
    declarant: str
    project: str | None = Field(None, alias="project.code")
    standard: str | None = Field(None, alias="standard.identifier")
    created_at: datetime.datetime


class FeedbackIn(Schema):
    standard: int
    name: str = ""
    subject: str
    body: str
    kind: str = "feedback"
    organisation_name: str = ""
    email: str = ""
    clause: str = ""


class FeedbackOut(Schema):
    tracking_number: str
    standard: str = Field(..., alias="standard.identifier")
    kind: str
    status: str
    subject: str
    committee: str | None = Field(None, alias="committee.code")
    response: str
    created_at: datetime.datetime


class ReviewDueOut(Schema):
    id: int
    identifier: str
    implemented_on: datetime.date
    review_due_on: datetime.date
    review_overdue: bool


class CommitteeOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    level: str
    quorum: float
    approval_threshold: float
    disapproval_max: float


class ResearchOut(Schema):
    id: int
    code: str
    title_zh: str
    title_en: str
    programme: str
    status: str
    lead_organisation: OrganisationRef | None = None


class CommitteeIn(Schema):
    code: str
    name_zh: str = ""
    name_en: str = ""
    level: str = Standard.Level.NATIONAL
    email: str = ""
    quorum: float = 0.5
    approval_threshold: float = 0.75
    disapproval_max: float = 0.25


class MemberIn(Schema):
    username: str
    role: str = CommitteeMember.Role.MEMBER
    organisation_id: int | None = None


class MemberOut(Schema):
    committee: str = Field(..., alias="committee.code")
    username: str = Field(..., alias="user.username")
    role: str
    organisation: OrganisationRef | None = None


class ResearchIn(Schema):
    code: str
    title_zh: str = ""
    title_en: str = ""
    programme: str = ""
    lead_organisation_id: int | None = None
    leader: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    summary: str = ""


class MilestoneIn(Schema):
    title: str
    due_on: datetime.date | None = None
    reached_on: datetime.date | None = None


class MilestoneOut(Schema):
    id: int
    research_project: str = Field(..., alias="research_project.code")
    title: str
    due_on: datetime.date | None
    reached_on: datetime.date | None


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@router.get("/projects/", response=list[ProjectOut])
@paginate(BoundedPageNumberPagination)
def projects(request, state: str | None = None, q: str | None = None):
    """Standard projects, newest first; filter by state slug or text."""
    return selectors.project_list(state=state, q=q)


@router.post("/projects/", response={201: ProjectOut}, auth=write_auth)
def project_create(request, payload: ProjectIn):
    """Propose a project; ``replaces`` is the identifier of the standard revised."""
    data = payload.dict()
    committee = data.pop("committee")
    replaces = data.pop("replaces")
    project = services.project_create(
        actor=request.user,
        committee=get_object_or_404(Committee, code=committee) if committee else None,
        replaces=get_object_or_404(Standard, identifier=replaces) if replaces else None,
        proposer_organisation=_organisation(
            "proposer_organisation_id", data.pop("proposer_organisation_id")
        ),
        drafting_units=_organisations(
            "drafting_unit_ids", data.pop("drafting_unit_ids")
        ),
        **data,
    )
    return Status(201, selectors.project_get(project.pk))


@router.get("/projects/{project_id}/", response=ProjectOut)
def project(request, project_id: int):
    try:
        return selectors.project_get(project_id)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


@router.get("/projects/{project_id}/events/", response=list[ProjectEventOut])
def project_events(request, project_id: int):
    """The project's timeline, newest first."""
    return selectors.project_events(project=get_object_or_404(Project, pk=project_id))


@router.post("/projects/{project_id}/transition/", response=ProjectOut, auth=write_auth)
def project_transition(request, project_id: int, payload: TransitionIn):
    """Move the project along an allowed edge (409 when not allowed, 403 when
    the caller lacks the role)."""
    services.project_transition(
        project=get_object_or_404(Project, pk=project_id),
        actor=request.user,
        **payload.dict(),
    )
    return selectors.project_get(project_id)


@router.get("/consultations/{consultation_id}/comments/", response=list[CommentOut])
@paginate(BoundedPageNumberPagination)
def comments(request, consultation_id: int):
    """Comments on a draft and their resolution (public once submitted)."""
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    return selectors.consultation_comments(consultation=consultation)


@router.post("/consultations/{consultation_id}/comments/", response={201: CommentOut})
def comment_submit(request, consultation_id: int, payload: CommentIn):
    """Submit a comment; anonymous callers are rate-limited (429)."""
    comment = services.comment_submit(
        consultation=get_object_or_404(Consultation, pk=consultation_id),
        actor=request.user,
        ip=_ip(request),
        **payload.dict(),
    )
    return Status(201, comment)


@router.post("/comments/{comment_id}/resolve/", response=CommentOut, auth=write_auth)
def comment_resolve(request, comment_id: int, payload: ResolveIn):
    return services.comment_resolve(
        comment=get_object_or_404(Comment, pk=comment_id),
        actor=request.user,
        **payload.dict(),
    )


@router.get("/ballots/{ballot_id}/", response=BallotOut)
def ballot(request, ballot_id: int):
    return selectors.ballot_get(ballot_id)


@router.post("/ballots/{ballot_id}/vote/", response={201: dict}, auth=write_auth)
def ballot_vote(request, ballot_id: int, payload: VoteIn):
    vote = services.ballot_vote(
        ballot=get_object_or_404(Ballot, pk=ballot_id),
        actor=request.user,
        **payload.dict(),
    )
    return Status(201, {"choice": vote.choice})


@router.post("/ballots/{ballot_id}/close/", response=BallotOut, auth=write_auth)
def ballot_close(request, ballot_id: int):
    services.ballot_close(
        ballot=get_object_or_404(Ballot, pk=ballot_id), actor=request.user
    )
    return selectors.ballot_get(ballot_id)


class PatentFilter(Schema):
    standard: int | None = None
    project: int | None = None


@router.get("/patents/", response=list[PatentOut])
@paginate(BoundedPageNumberPagination)
def patents(request, filters: Query[PatentFilter]):
    """Patent disclosures, by standard (``?standard=<id>``) or project."""
    project = (
        get_object_or_404(Project, pk=filters.project) if filters.project else None
    )
    return selectors.patents_for(standard=filters.standard, project=project)


@router.post("/patents/", response={201: PatentOut})
def patent_disclose(request, payload: PatentIn):
    data = payload.dict()
    project_id, standard_id = data.pop("project"), data.pop("standard")
    patent = services.patent_disclose(
        actor=request.user,
        ip=_ip(request),
        project=get_object_or_404(Project, pk=project_id) if project_id else None,
        standard=get_object_or_404(Standard, pk=standard_id) if standard_id else None,
        **data,
    )
    return Status(201, patent)


class PatentHolderIn(Schema):
    holder_organisation_id: int | None = None


@router.post("/patents/{patent_id}/holder/", response=PatentOut, auth=write_auth)
def patent_link_holder(request, patent_id: int, payload: PatentHolderIn):
    """Link the holder of a disclosure to its registered organisation, or
    unlink it with ``null`` (institute staff)."""
    return services.patent_link_holder(
        patent=get_object_or_404(PatentDisclosure, pk=patent_id),
        actor=request.auth,
        organisation=_organisation(
            "holder_organisation_id", payload.holder_organisation_id
        ),
    )


@router.post("/feedback/", response={201: FeedbackOut})
def feedback_submit(request, payload: FeedbackIn):
    """Submit feedback or a complaint; the answer holds the tracking number."""
    data = payload.dict()
    standard = get_object_or_404(Standard, pk=data.pop("standard"))
    feedback = services.feedback_submit(
        standard=standard, actor=request.user, ip=_ip(request), **data
    )
    return Status(201, feedback)


@router.get("/feedback/{tracking_number}/", response=FeedbackOut)
def feedback_track(request, tracking_number: str):
    """Public status of feedback by its tracking number."""
    feedback = selectors.feedback_by_tracking_number(tracking_number)
    if feedback is None:
        from qihub.core.errors import NotFound

        raise NotFound(_("No feedback has this tracking number."))
    return feedback


@router.get("/periodic-reviews/due/", response=list[ReviewDueOut])
def periodic_reviews_due(request, lookahead_days: int = 180):
    """Valid standards due (or overdue) for periodic review."""
    # Bounded both ways: a huge negative look-ahead overflowed timedelta (500).
    days = max(-3650, min(lookahead_days, 3650))
    return selectors.periodic_reviews_due(lookahead_days=days)


@router.get("/committees/", response=list[CommitteeOut])
@paginate(BoundedPageNumberPagination)
def committees(request):
    """Technical committees and their ballot rules (fractions)."""
    return selectors.committee_list()


@router.post("/committees/", response={201: CommitteeOut}, auth=write_auth)
def committee_create(request, payload: CommitteeIn):
    """Register a committee and its ballot rules (institute staff; 409 when
    the code exists already)."""
    committee = services.committee_create(actor=request.auth, **payload.dict())
    return Status(201, committee)


@router.post(
    "/committees/{committee_id}/members/",
    response={201: MemberOut},
    auth=write_auth,
)
def committee_member_add(request, committee_id: int, payload: MemberIn):
    """Seat a user (by username) on the committee, or change their role:
    chair, secretary, member or observer."""
    committee = get_object_or_404(Committee, pk=committee_id)
    data = payload.dict()
    user = selectors.user_by_username(data.pop("username"))
    member = services.committee_member_add(
        committee=committee,
        user=user,
        actor=request.auth,
        organisation=_organisation("organisation_id", data.pop("organisation_id")),
        **data,
    )
    return Status(201, member)


@router.get("/research/", response=list[ResearchOut])
@paginate(BoundedPageNumberPagination)
def research(request):
    return selectors.research_list()


@router.post("/research/", response={201: ResearchOut}, auth=write_auth)
def research_create(request, payload: ResearchIn):
    """Register a standards research project (institute staff; 409 when the
    code exists already)."""
    data = payload.dict()
    research = services.research_project_create(
        actor=request.auth,
        lead_organisation=_organisation(
            "lead_organisation_id", data.pop("lead_organisation_id")
        ),
        **data,
    )
    return Status(201, research)


@router.post(
    "/research/{research_id}/milestones/",
    response={201: MilestoneOut},
    auth=write_auth,
)
def research_milestone_add(request, research_id: int, payload: MilestoneIn):
    """Plan a milestone of a research project, or record one reached."""
    milestone = services.research_milestone_add(
        research_project=get_object_or_404(ResearchProject, pk=research_id),
        actor=request.auth,
        **payload.dict(),
    )
    return Status(201, milestone)
