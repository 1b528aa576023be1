"""Reads of the international domain: registries, set-based counts for
programme targets and organisation pages, and talents."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qihub.international import stages
from qihub.international.models import (
    InternationalProject,
    Post,
    TbtMatch,
    TbtNotification,
    TechnicalBody,
    Trainee,
    TrainingCourse,
)
from qihub.organisations.models import Network, NetworkMember, Organisation, Region

# Registries --------------------------------------------------------------


def body_list(*, q: str = "") -> QuerySet[TechnicalBody]:
    qs = TechnicalBody.objects.select_related(
        "parent", "mirror_committee", "mirror_organisation"
    ).annotate(n_posts=Count("posts", distinct=True))
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(title_en__icontains=q)
            | Q(title_zh__icontains=q)
        )
    return qs.order_by("reference")


def body_detail(pk: int) -> TechnicalBody:
    return TechnicalBody.objects.select_related(
        "parent", "mirror_committee", "mirror_organisation"
    ).get(pk=pk)


def body_posts(body: TechnicalBody) -> QuerySet[Post]:
    return body.posts.select_related("organisation", "user").order_by(
        "role", "-term_start"
    )


def posts_held_on(day: datetime.date | None = None) -> QuerySet[Post]:
    day = day or timezone.localdate()
    return Post.objects.filter(term_start__lte=day, term_end__gt=day)


def project_list(*, stage: str = "", q: str = "", active: bool = False) -> QuerySet:
    qs = InternationalProject.objects.select_related(
        "body", "leading_organisation", "standard", "domestic_adoption"
    )
    if stage:
        qs = (
            qs.filter(stage__startswith=stage[:2])
            if len(stage) <= 2
            else qs.filter(stage=stage)
        )
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(title_en__icontains=q)
            | Q(title_zh__icontains=q)
        )
    if active:
        qs = qs.filter(stage__lt=stages.PUBLISHED_FROM).exclude(stage__in=stages.ENDED)
    return qs.order_by("reference")


def project_detail(pk: int) -> InternationalProject:
    return (
        InternationalProject.objects.select_related(
            "body", "leading_organisation", "standard", "domestic_adoption"
        )
        .prefetch_related("participants", "events__actor")
        .get(pk=pk)
    )


def stage_counts() -> dict[str, int]:
    """Projects per stage group (``"40"`` → n)."""
    out: dict[str, int] = {}
    for stage, n in (
        InternationalProject.objects.values_list("stage")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[stage[:2]] = out.get(stage[:2], 0) + n
    return dict(sorted(out.items()))


def tbt_list(*, q: str = "", open_only: bool = False, on=None) -> QuerySet:
    qs = TbtNotification.objects.annotate(
        n_orgs=Count("matches", filter=Q(matches__kind=TbtMatch.Kind.ORGANISATION)),
    )
    if q:
        qs = qs.filter(
            Q(symbol__icontains=q)
            | Q(member__icontains=q)
            | Q(products__icontains=q)
            | Q(description__icontains=q)
        )
    if open_only:
        qs = qs.filter(comment_deadline__gte=on or timezone.localdate())
    return qs.order_by("-distributed_on", "-id")


def tbt_deadlines(*, on: datetime.date | None = None, limit: int = 50) -> QuerySet:
    """Notifications still open for comments, the nearest deadline first."""
    day = on or timezone.localdate()
    return TbtNotification.objects.filter(comment_deadline__gte=day).order_by(
        "comment_deadline", "symbol"
    )[:limit]


def tbt_detail(pk: int) -> TbtNotification:
    return TbtNotification.objects.get(pk=pk)


def tbt_matches(notification: TbtNotification) -> QuerySet[TbtMatch]:
    return notification.matches.select_related(
        "standard", "organisation", "organisation__region"
    ).order_by("kind", "ics_code", "id")


def tbt_alerts_for(org_ids: Sequence[int]) -> QuerySet[TbtMatch]:
    """The notifications that touch these organisations (the profile and a
    future inbox read them)."""
    return (
        TbtMatch.objects.filter(
            kind=TbtMatch.Kind.ORGANISATION, organisation_id__in=org_ids
        )
        .select_related("notification")
        .order_by("-notification__distributed_on", "-id")
    )


# Counts (programme targets) -------------------------------------------------


def _org_ids(
    *, region: Region | str | None, network: Network | None, on: datetime.date
):
    """A subquery of organisation ids in the region (GB/T 2260 prefix) and/or
    the network's members on ``on``; None means every organisation."""
    qs = None
    if region is not None:
        from qihub.organisations.selectors import region_q

        qs = Organisation.objects.filter(region_q(region))
    if network is not None:
        members = NetworkMember.objects.filter(
            network=network, joined_on__lte=on
        ).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        qs = (qs if qs is not None else Organisation.objects.all()).filter(
            pk__in=members.values("organisation_id")
        )
    return None if qs is None else qs.values("pk")


def _projects_by(on: datetime.date) -> QuerySet[InternationalProject]:
    """Projects that count on ``on``: proposed by then, not abandoned."""
    return (
        InternationalProject.objects.filter(
            Q(proposed_on__lte=on)
            | Q(proposed_on__isnull=True, created_at__date__lte=on)
        )
        .exclude(stage__in=stages.ENDED)
        .order_by()
    )


def projects_led_count(
    region: Region | str | None = None,
    network: Network | None = None,
    on: datetime.date | None = None,
    organisations: Sequence[int] | None = None,
) -> int:
    """International projects led by organisations of the region / network
    (or the given ids) that were proposed by ``on`` (today) and not
    abandoned. One query."""
    day = on or timezone.localdate()
    qs = _projects_by(day).filter(leading_organisation__isnull=False)
    ids = _org_ids(region=region, network=network, on=day)
    if ids is not None:
        qs = qs.filter(leading_organisation_id__in=ids)
    if organisations is not None:
        qs = qs.filter(leading_organisation_id__in=organisations)
    return qs.count()


def projects_participated_count(
    region: Region | str | None = None,
    network: Network | None = None,
    on: datetime.date | None = None,
    organisations: Sequence[int] | None = None,
) -> int:
    """International projects the organisations took part in (as leader or
    participant), each project once however many of them share it."""
    day = on or timezone.localdate()
    ids = _org_ids(region=region, network=network, on=day)
    through = InternationalProject.participants.through.objects.filter(
        internationalproject_id=OuterRef("pk")
    )
    lead = Q(leading_organisation__isnull=False)
    if ids is not None:
        through = through.filter(organisation_id__in=ids)
        lead = Q(leading_organisation_id__in=ids)
    if organisations is not None:
        through = through.filter(organisation_id__in=organisations)
        lead &= Q(leading_organisation_id__in=organisations)
    return _projects_by(day).filter(lead | Exists(through)).count()


def posts_held_count(
    region: Region | str | None = None,
    network: Network | None = None,
    on: datetime.date | None = None,
    organisations: Sequence[int] | None = None,
    role: str | None = None,
) -> int:
    """Posts held on ``on`` by the organisations' people."""
    day = on or timezone.localdate()
    qs = posts_held_on(day)
    ids = _org_ids(region=region, network=network, on=day)
    if ids is not None:
        qs = qs.filter(organisation_id__in=ids)
    if organisations is not None:
        qs = qs.filter(organisation_id__in=organisations)
    if role:
        qs = qs.filter(role=role)
    return qs.count()


def _trainees(region, network, on, organisations) -> QuerySet[Trainee]:
    day = on or timezone.localdate()
    qs = Trainee.objects.filter(completed_on__lte=day).exclude(certificate_number="")
    ids = _org_ids(region=region, network=network, on=day)
    if ids is not None:
        qs = qs.filter(organisation_id__in=ids)
    if organisations is not None:
        qs = qs.filter(organisation_id__in=organisations)
    return qs.order_by()


def talents_trained_count(
    region: Region | str | None = None,
    network: Network | None = None,
    on: datetime.date | None = None,
    organisations: Sequence[int] | None = None,
) -> int:
    """People certified by a training course by ``on`` (one per name and
    organisation: a person who took two courses counts once)."""
    return (
        _trainees(region, network, on, organisations)
        .values("person_name", "organisation_id")
        .distinct()
        .count()
    )


def talents_active_count(
    region: Region | str | None = None,
    network: Network | None = None,
    on: datetime.date | None = None,
    organisations: Sequence[int] | None = None,
) -> int:
    """Certified trainees who, after completing, held a post (started by
    ``on``) or lead a project, matched by name and organisation."""
    day = on or timezone.localdate()
    posts = Post.objects.filter(
        person_name=OuterRef("person_name"),
        organisation_id=OuterRef("organisation_id"),
        term_start__gte=OuterRef("completed_on"),
        term_start__lte=day,
    )
    led = InternationalProject.objects.filter(
        leader_name=OuterRef("person_name"),
        leading_organisation_id=OuterRef("organisation_id"),
    ).exclude(stage__in=stages.ENDED)
    return (
        _trainees(region, network, on, organisations)
        .filter(Exists(posts) | Exists(led))
        .values("person_name", "organisation_id")
        .distinct()
        .count()
    )


def talents_overview(on: datetime.date | None = None) -> dict:
    return {
        "courses": TrainingCourse.objects.count(),
        "trained": talents_trained_count(on=on),
        "active": talents_active_count(on=on),
    }


def course_list() -> QuerySet[TrainingCourse]:
    return TrainingCourse.objects.select_related("training_base").annotate(
        n_trainees=Count("trainees"),
        n_certified=Count("trainees", filter=~Q(trainees__certificate_number="")),
    )


def course_trainees(course: TrainingCourse) -> QuerySet[Trainee]:
    return course.trainees.select_related("organisation").order_by("person_name")


# Organisation page ------------------------------------------------------------


def organisation_metrics(org_ids: Sequence[int]) -> list:
    """Profile provider (``organisations.profile``): international projects
    led and taken part in, posts held today, certified trainees, and TBT/SPS
    notifications touching the organisations' declarations. Five queries."""
    from qihub.organisations.profile import Metric

    ids = org_ids  # a list or a subquery of ids (profile.metrics_for)
    section = gettext_lazy("International standardization")
    return [
        Metric(
            key="international_projects_led",
            label=gettext_lazy("International projects led"),
            value=projects_led_count(organisations=ids),
            section=section,
        ),
        Metric(
            key="international_projects_participated",
            label=gettext_lazy("International projects taken part in"),
            value=projects_participated_count(organisations=ids),
            section=section,
        ),
        Metric(
            key="international_posts",
            label=gettext_lazy("Posts held in ISO/IEC/ITU bodies"),
            value=posts_held_count(organisations=ids),
            section=section,
        ),
        Metric(
            key="international_trained",
            label=gettext_lazy("People trained in international standards"),
            value=talents_trained_count(organisations=ids),
            section=section,
        ),
        Metric(
            key="tbt_alerts",
            label=gettext_lazy("TBT/SPS notifications touching its declarations"),
            value=TbtMatch.objects.filter(
                kind=TbtMatch.Kind.ORGANISATION, organisation_id__in=ids
            )
            .values("notification_id")
            .distinct()
            .count(),
            section=section,
        ),
    ]
