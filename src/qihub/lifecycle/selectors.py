"""Reads for the standard lifecycle: lists, dashboards, deadlines."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.dates import add_years
from qihub.core.errors import ApplicationError
from qihub.lifecycle.access import may_take
from qihub.lifecycle.models import (
    PERIODIC_REVIEW_YEARS,
    Ballot,
    Comment,
    Committee,
    CommitteeMember,
    Consultation,
    Feedback,
    PatentDisclosure,
    PeriodicReview,
    Project,
    ProjectDraftingUnit,
    ProjectEvent,
    ResearchProject,
    State,
    Transition,
    Vote,
)


def project_list(
    *, state: str | None = None, q: str | None = None, user=None
) -> QuerySet[Project]:
    """Projects, newest first; ``user`` limits to those they proposed or whose
    committee they sit on."""
    qs = Project.objects.select_related(
        "state", "committee", "replaces", "standard", "proposer_organisation"
    ).prefetch_related(_drafting_prefetch())
    if state:
        qs = qs.filter(state__slug=state)
    if q:
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(title_zh__icontains=q)
            | Q(title_en__icontains=q)
            | Q(identifier__icontains=q)
        )
    if user is not None:
        qs = qs.filter(
            Q(proposer=user) | Q(committee__memberships__user=user)
        ).distinct()
    return qs


def _drafting_prefetch() -> Prefetch:
    """A project's drafting units with their organisations, in order."""
    return Prefetch(
        "drafting_units",
        queryset=ProjectDraftingUnit.objects.select_related("organisation").order_by(
            "position"
        ),
    )


def project_get(pk: int) -> Project:
    return (
        Project.objects.select_related(
            "state",
            "committee",
            "replaces",
            "standard",
            "proposer",
            "proposer_organisation",
        )
        .prefetch_related("research_projects", _drafting_prefetch())
        .get(pk=pk)
    )


def project_events(*, project: Project) -> QuerySet[ProjectEvent]:
    return project.events.select_related("actor").order_by("-created_at", "-id")


def project_timeline(*, project: Project) -> list[ProjectEvent]:
    """Events newest first, each with ``to_state_name`` and ``from_state_name``
    (events store slugs so renaming a state keeps history readable)."""
    names = {s.slug: s.name for s in State.objects.all()}
    events = list(project_events(project=project))
    for event in events:
        event.to_state_name = names.get(event.to_state, event.to_state)
        event.from_state_name = names.get(event.from_state, event.from_state)
    return events


def transitions_available(*, project: Project, user) -> list[Transition]:
    """The moves from the project's state that ``user`` may take."""
    if user is None or not user.is_authenticated:
        return []
    transitions = Transition.objects.filter(
        from_state_id=project.state_id
    ).select_related("to_state")
    return [t for t in transitions if may_take(user, t, project.committee)]


def projects_overdue(*, today: datetime.date | None = None) -> QuerySet[Project]:
    """Projects still being worked on after their planned publication date."""
    today = today or timezone.localdate()
    return (
        Project.objects.select_related("state", "committee", "proposer")
        .prefetch_related("committee__memberships__user")
        .filter(state__active=True, due_on__lt=today)
        .order_by("due_on")
    )


def consultations_open(*, today: datetime.date | None = None) -> QuerySet[Consultation]:
    """Consultations taking comments (open, deadline not passed)."""
    today = today or timezone.localdate()
    return (
        Consultation.objects.filter(
            status=Consultation.Status.OPEN, closes_on__gte=today
        )
        .select_related("project__state", "project__committee")
        .annotate(n_comments=Count("comments"))
        .order_by("closes_on")
    )


def consultations_closing(
    *, today: datetime.date | None = None, days: int = 14
) -> QuerySet[Consultation]:
    """Open consultations whose deadline falls within ``days``."""
    today = today or timezone.localdate()
    return (
        consultations_open(today=today)
        .filter(closes_on__lte=today + datetime.timedelta(days=days))
        .select_related("project__proposer")
        .prefetch_related("project__committee__memberships__user")
    )


def ballots_closing(
    *, today: datetime.date | None = None, days: int = 14
) -> QuerySet[Ballot]:
    """Open ballots whose closing date falls within ``days``."""
    today = today or timezone.localdate()
    return (
        Ballot.objects.filter(
            status=Ballot.Status.OPEN,
            closes_on__lte=today + datetime.timedelta(days=days),
        )
        .select_related("project", "committee")
        .prefetch_related("votes", "committee__memberships__user")
    )


def ballots_awaiting_vote(*, user) -> QuerySet[Ballot]:
    """Open ballots of the committees where ``user`` votes and has not yet."""
    if user is None or not user.is_authenticated:
        return Ballot.objects.none()
    return (
        Ballot.objects.filter(status=Ballot.Status.OPEN)
        .filter(
            Exists(
                CommitteeMember.objects.filter(
                    committee=OuterRef("committee"), user=user
                ).exclude(role=CommitteeMember.Role.OBSERVER)
            )
        )
        .exclude(Exists(Vote.objects.filter(ballot=OuterRef("pk"), voter=user)))
        .select_related("project", "committee")
        .order_by("closes_on")
    )


def periodic_reviews_due(
    *,
    today: datetime.date | None = None,
    lookahead_days: int = 180,
    limit: int = 500,
) -> list[Standard]:
    """Valid standards whose periodic review (five years after implementation
    or after the last confirmation) falls due within ``lookahead_days`` or is
    overdue, earliest first; standards with a revision under way are left out.
    Each carries ``review_due_on`` and ``review_overdue``.

    Written with correlated subqueries rather than a GROUP BY so the database
    only looks at standards implemented before the cut-off.
    """
    today = today or timezone.localdate()
    cutoff = add_years(
        today + datetime.timedelta(days=lookahead_days), -PERIODIC_REVIEW_YEARS
    )
    confirmations = PeriodicReview.objects.filter(
        standard=OuterRef("pk"), outcome=PeriodicReview.Outcome.CONFIRM
    )
    qs = (
        Standard.objects.filter(
            status__in=Standard.VALID_STATUSES, implemented_on__lte=cutoff
        )
        .exclude(level=Standard.Level.INTERNATIONAL)
        .exclude(Exists(confirmations.filter(decided_on__gt=cutoff)))
        .exclude(
            Exists(Project.objects.filter(replaces=OuterRef("pk"), state__active=True))
        )
        .annotate(
            last_confirmed=Subquery(
                confirmations.order_by("-decided_on").values("decided_on")[:1]
            )
        )
        .annotate(review_start=Coalesce("last_confirmed", "implemented_on"))
        .order_by("review_start", "identifier")
    )
    result = []
    for standard in qs[:limit]:
        standard.review_due_on = add_years(standard.review_start, PERIODIC_REVIEW_YEARS)
        standard.review_overdue = standard.review_due_on < today
        result.append(standard)
    return result


def consultation_get(pk: int) -> Consultation:
    return Consultation.objects.select_related(
        "project__state", "project__committee", "project__replaces"
    ).get(pk=pk)


def consultation_comments(*, consultation: Consultation) -> QuerySet[Comment]:
    return consultation.comments.select_related("resolved_by", "organisation").order_by(
        "number"
    )


def comments_of_user(*, consultation: Consultation, user) -> QuerySet[Comment]:
    if user is None or not user.is_authenticated:
        return Comment.objects.none()
    return consultation_comments(consultation=consultation).filter(user=user)


def ballot_get(pk: int) -> Ballot:
    return Ballot.objects.select_related("project__state", "committee").get(pk=pk)


def patents_for(
    *, standard: Standard | int | None = None, project: Project | None = None
) -> QuerySet[PatentDisclosure]:
    qs = PatentDisclosure.objects.select_related(
        "project", "standard", "holder_organisation"
    )
    if standard is not None:
        qs = qs.filter(standard=standard)
    if project is not None:
        qs = qs.filter(project=project)
    return qs


def user_by_username(username: str):
    """The user a committee form or the API names, or an ``ApplicationError``
    saying there is none."""
    username = username.strip()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ApplicationError(
            _("No user is called %(u)s.") % {"u": username},
            details={"username": "unknown"},
        )
    return user


def committee_list() -> QuerySet[Committee]:
    return Committee.objects.annotate(
        n_members=Count("memberships", distinct=True),
        n_projects=Count("projects", distinct=True),
    )


def committee_get(pk: int) -> Committee:
    return Committee.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=CommitteeMember.objects.select_related("user", "organisation"),
        )
    ).get(pk=pk)


def research_list() -> QuerySet[ResearchProject]:
    return ResearchProject.objects.select_related("lead_organisation").annotate(
        n_projects=Count("projects")
    )


def research_get(pk: int) -> ResearchProject:
    return (
        ResearchProject.objects.select_related("lead_organisation")
        .prefetch_related("milestones", "reviews", "projects__state")
        .get(pk=pk)
    )


def feedback_by_tracking_number(number: str) -> Feedback | None:
    return (
        Feedback.objects.select_related("standard", "committee")
        .prefetch_related("events")
        .filter(tracking_number=number.strip().upper())
        .first()
    )


def feedback_queue(*, status: str | None = None) -> QuerySet[Feedback]:
    qs = Feedback.objects.select_related("standard", "committee", "organisation")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Feedback.Status.CLOSED)
    return qs


# --------------------------------------------------------------------------
# Organisation profile


def projects_led(org_ids) -> QuerySet[Project]:
    """Standard projects these organisations lead: as the proposing
    organisation or as the first drafting unit."""
    ids = org_ids
    return Project.objects.filter(
        Q(proposer_organisation_id__in=ids)
        | Q(
            pk__in=ProjectDraftingUnit.objects.filter(
                organisation_id__in=ids, position=1
            ).values("project_id")
        )
    )


def projects_drafted(org_ids) -> QuerySet[Project]:
    """Standard projects in which any of these organisations is a drafting unit."""
    return Project.objects.filter(
        pk__in=ProjectDraftingUnit.objects.filter(organisation_id__in=org_ids).values(
            "project_id"
        )
    )


def organisation_metrics(org_ids) -> list:
    """Profile provider (``organisations.profile``): standard projects led
    (proposer or first drafting unit; per level and year proposed) and taken
    part in (any drafting unit), research projects led and of those accepted,
    committee seats. Each record counts once for the whole set, however many
    of the organisations it names. Four queries."""
    from django.utils.translation import gettext_lazy

    from qihub.organisations.profile import Metric

    ids = org_ids
    by_level: dict[str, dict[int | None, int]] = {}
    led = 0
    rows = (
        projects_led(ids)
        .annotate(year=ExtractYear("created_at"))
        .values("level", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        by_level.setdefault(row["level"], {})[row["year"]] = row["n"]
        led += row["n"]
    ordered = {
        level: dict(sorted(by_level[level].items(), key=lambda kv: kv[0] or 0))
        for level in Standard.Level.values
        if level in by_level
    }
    research = ResearchProject.objects.filter(lead_organisation_id__in=ids).aggregate(
        led=Count("id"),
        accepted=Count("id", filter=Q(status=ResearchProject.Status.ACCEPTED)),
    )
    section = gettext_lazy("Standard development")
    return [
        Metric(
            key="projects_led",
            label=gettext_lazy("Standard projects led"),
            value=led,
            section=section,
            by_level_year=ordered,
            level_labels=dict(Standard.Level.choices),
        ),
        Metric(
            key="projects_drafting",
            label=gettext_lazy("Standard projects taken part in as drafting unit"),
            value=projects_drafted(ids).count(),
            section=section,
        ),
        Metric(
            key="research_led",
            label=gettext_lazy("Research projects led"),
            value=research["led"],
            section=section,
        ),
        Metric(
            key="research_accepted",
            label=gettext_lazy("Research projects led and accepted"),
            value=research["accepted"],
            section=section,
        ),
        Metric(
            key="committee_seats",
            label=gettext_lazy("Committee seats"),
            value=CommitteeMember.objects.filter(organisation_id__in=ids).count(),
            section=section,
        ),
    ]
