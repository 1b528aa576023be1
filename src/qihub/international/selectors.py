"""Reads of the international domain: registries, set-based counts for
programme targets and organisation pages, and talents."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qihub.catalog.models import Standard
from qihub.core.pagination import page_number
from qihub.declarations.models import Declaration, DeclaredStandard, Enterprise
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
    qs = TbtNotification.objects.all()
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
    """The fields and standards a notification touches (the enterprises are
    ``tbt_enterprises``)."""
    return (
        notification.matches.filter(
            kind__in=[TbtMatch.Kind.ICS, TbtMatch.Kind.STANDARD]
        )
        .select_related("standard")
        .order_by("kind", "ics_code", "id")
    )


def _current_citations() -> QuerySet:
    """The standards cited by the current versions of published declarations."""
    return DeclaredStandard.objects.filter(
        version__declaration__status=Declaration.Status.PUBLISHED,
        version__declaration__current_version=F("version"),
    )


_ORG = "version__declaration__enterprise__organisation_id"


def _declarations_sql() -> dict[str, str]:
    return {
        "si": Standard.ics.through._meta.db_table,
        "ds": DeclaredStandard._meta.db_table,
        "d": Declaration._meta.db_table,
        "e": Enterprise._meta.db_table,
        "m": TbtMatch._meta.db_table,
        "o": Organisation._meta.db_table,
    }


@dataclass(frozen=True)
class TbtEnterprises:
    """The enterprises a notification touches, read from the declarations:
    those whose published declarations (current version) cite a standard in
    its fields (``codes``: each listed field and the narrower ones) or a
    standard it cites, and those an earlier matching recorded (``TbtMatch``
    rows of kind organisation).

    The queries are written out with ``CROSS JOIN`` so that SQLite starts
    from the fields and walks the indexes to the declarations (the ORM's
    joins made it scan the declarations of the fields twice over)."""

    notification_id: int
    codes: tuple[str, ...]

    def organisation_ids(self) -> list[int]:
        """Every organisation touched, by name (one query)."""
        t = _declarations_sql()
        published = Declaration.Status.PUBLISHED
        parts, params = [], []
        if self.codes:
            ph = ", ".join(["%s"] * len(self.codes))
            # Table names only, from the models; values go as parameters.
            parts.append(
                f"SELECT e.organisation_id FROM {t['si']} si"  # noqa: S608
                f" CROSS JOIN {t['ds']} ds CROSS JOIN {t['d']} d"
                f" CROSS JOIN {t['e']} e WHERE si.icscode_id IN ({ph})"
                " AND ds.standard_id = si.standard_id"
                " AND d.current_version_id = ds.version_id AND d.status = %s"
                " AND e.id = d.enterprise_id"
            )
            params += [*self.codes, published]
        parts.append(
            f"SELECT e.organisation_id FROM {t['m']} sm"  # noqa: S608
            f" CROSS JOIN {t['ds']} ds CROSS JOIN {t['d']} d"
            f" CROSS JOIN {t['e']} e WHERE sm.notification_id = %s AND sm.kind = %s"
            " AND ds.standard_id = sm.standard_id"
            " AND d.current_version_id = ds.version_id AND d.status = %s"
            " AND e.id = d.enterprise_id"
        )
        params += [self.notification_id, TbtMatch.Kind.STANDARD, published]
        parts.append(
            f"SELECT organisation_id FROM {t['m']}"  # noqa: S608
            " WHERE notification_id = %s AND kind = %s"
        )
        params += [self.notification_id, TbtMatch.Kind.ORGANISATION]
        sql = (
            f"SELECT o.id FROM {t['o']} o WHERE o.id IN ("  # noqa: S608
            + " UNION ".join(parts)
            + ") ORDER BY o.name_key, o.id"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [pk for (pk,) in cur.fetchall()]

    def organisations(self) -> QuerySet[Organisation]:
        return (
            Organisation.objects.filter(pk__in=self.organisation_ids())
            .select_related("region")
            .order_by("name_key", "id")
        )

    def page(self, number: object, per_page: int = 50) -> Page:
        """A page of organisations (region loaded): two queries, one over
        the declarations, one for the page's organisations."""
        page = Paginator(self.organisation_ids(), per_page).get_page(
            page_number(number)
        )
        ids = list(page.object_list)
        found = Organisation.objects.select_related("region").in_bulk(ids)
        page.object_list = [found[pk] for pk in ids if pk in found]
        return page

    def reasons(self, organisations: Sequence[Organisation]) -> dict[int, str]:
        """Organisation id → the field its declarations fall in (the first,
        by code), or "" when it is there for a standard the notification
        cites (two queries for a page of organisations)."""
        ids = [o.pk for o in organisations]
        out: dict[int, str] = {}
        if not ids:
            return out
        for org_id, code in TbtMatch.objects.filter(
            notification_id=self.notification_id,
            kind=TbtMatch.Kind.ORGANISATION,
            organisation_id__in=ids,
        ).values_list("organisation_id", "ics_code"):
            out[org_id] = code
        if self.codes:
            t = _declarations_sql()
            sql = (
                "SELECT e.organisation_id, MIN(si.icscode_id)"  # noqa: S608
                f" FROM {t['e']} e CROSS JOIN {t['d']} d CROSS JOIN {t['ds']} ds"
                f" CROSS JOIN {t['si']} si"
                f" WHERE e.organisation_id IN ({', '.join(['%s'] * len(ids))})"
                " AND d.enterprise_id = e.id AND d.status = %s"
                " AND ds.version_id = d.current_version_id"
                " AND si.standard_id = ds.standard_id"
                f" AND si.icscode_id IN ({', '.join(['%s'] * len(self.codes))})"
                " GROUP BY e.organisation_id"
            )
            with connection.cursor() as cur:
                cur.execute(sql, [*ids, Declaration.Status.PUBLISHED, *self.codes])
                for org_id, code in cur.fetchall():
                    out[org_id] = code
        return {pk: out.get(pk, "") for pk in ids}


def tbt_enterprises(notification: TbtNotification) -> TbtEnterprises:
    """The enterprises ``notification`` touches, read from the declarations
    (one query for the fields it covers; page the organisations)."""
    from qihub.international.tbt import covered_codes

    codes = notification.matches.filter(kind=TbtMatch.Kind.ICS).values_list(
        "ics_code", flat=True
    )
    return TbtEnterprises(
        notification_id=notification.pk, codes=tuple(covered_codes(list(codes)))
    )


def tbt_alerts_for(org_ids: Sequence[int] | QuerySet) -> QuerySet[TbtNotification]:
    """The notifications that touch these organisations: a field of theirs
    (or a broader one) or a standard they declare, or an earlier matching
    recorded them (the profile and the API read them). One query for the
    organisations' fields, one for the notifications."""
    cites = _current_citations().filter(**{f"{_ORG}__in": org_ids})
    fields: set[str] = set()
    for code in (
        cites.exclude(standard__ics=None)
        .values_list("standard__ics", flat=True)
        .order_by()
        .distinct()
    ):
        parts = code.split(".")
        fields.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    matches = TbtMatch.objects.values("notification_id")
    return TbtNotification.objects.filter(
        Q(pk__in=matches.filter(kind=TbtMatch.Kind.ICS, ics_code__in=sorted(fields)))
        | Q(
            pk__in=matches.filter(
                kind=TbtMatch.Kind.STANDARD,
                standard_id__in=cites.values("standard_id"),
            )
        )
        | Q(
            pk__in=matches.filter(
                kind=TbtMatch.Kind.ORGANISATION, organisation_id__in=org_ids
            )
        )
    ).order_by("-distributed_on", "-id")


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
    notifications touching the organisations' declarations. Six queries."""
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
            value=tbt_alerts_for(ids).count(),
            section=section,
        ),
    ]
