"""Reads of the sharing app: the feed, member status, mirrored records."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from qihub.sharing.models import (
    FeedEntry,
    InstanceIdentity,
    MemberInstance,
    MirroredStandard,
    PublishingChoice,
    RefusedEntry,
    SharedKind,
    SigningKey,
)


def feed_page(*, since: int, limit: int) -> tuple[list[tuple], bool]:
    """Entries after ``since`` in order, and whether more follow."""
    rows = list(
        FeedEntry.objects.filter(seq__gt=since)
        .order_by("seq")
        .values_list("seq", "body", "key_id", "signature")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def members_status() -> QuerySet[MemberInstance]:
    """Every member instance with its pull status and, in the same query,
    its refused entries: ``refused`` (how many) and ``refused_reason`` (the
    latest; a membership change claimed by a member that is not the
    network's secretariat instance)."""
    refused = RefusedEntry.objects.filter(member=OuterRef("pk"))
    latest = refused.order_by("-refused_at", "-id")
    return (
        MemberInstance.objects.select_related("network", "organisation", "accepted_by")
        .annotate(
            refused=Coalesce(
                Subquery(
                    refused.order_by()
                    .values("member")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            refused_reason=Subquery(latest.values("reason")[:1]),
        )
        .order_by("network__name_zh", "base_url")
    )


def identity() -> InstanceIdentity | None:
    """This instance as the network sees it (None until it is set)."""
    return (
        InstanceIdentity.objects.select_related("organisation").order_by("pk").first()
    )


def signing_keys() -> QuerySet[SigningKey]:
    """This instance's keys, the current one (no ``valid_until``) first."""
    return SigningKey.objects.order_by("-valid_from")


def publishing_choices() -> list[dict]:
    """Every kind this instance can publish, whether it does, in the order
    of ``SharedKind``."""
    enabled = dict(PublishingChoice.objects.values_list("kind", "enabled"))
    return [
        {"kind": kind, "label": label, "enabled": enabled.get(kind, False)}
        for kind, label in SharedKind.choices
    ]


def mirrored_standards_search(q: str, *, limit: int = 20) -> list[MirroredStandard]:
    """Mirrored standards matching the search words, with their source."""
    words = q.lower().split()
    if not words:
        return []
    rows = MirroredStandard.objects.filter(deleted=False).select_related(
        "member__organisation"
    )
    for word in words:
        rows = rows.filter(search_text__contains=word)
    return list(rows.order_by("ident_key")[:limit])


def standard_conflicts(*, limit: int = 200) -> list[dict]:
    """Mirrored standards whose identifier is also a local record with other
    data: listed for staff (the local record is never replaced)."""
    from qihub.catalog.models import Standard

    mirrored = list(
        MirroredStandard.objects.filter(
            deleted=False,
            ident_key__in=Standard.objects.values("ident_key"),
        ).select_related("member__organisation")[:limit]
    )
    local = {
        s.ident_key: s
        for s in Standard.objects.filter(ident_key__in=[m.ident_key for m in mirrored])
    }
    conflicts = []
    for m in mirrored:
        s = local[m.ident_key]
        differs = [
            field
            for field in ("title_zh", "title_en", "status", "level")
            if (getattr(s, field) or "") != (getattr(m, field) or "")
        ]
        if differs:
            conflicts.append({"mirrored": m, "local": s, "fields": differs})
    return conflicts


def network_shared(network, *, limit: int = 50) -> dict:
    """What the network's member instances share, for the network page:
    counts of standards and projects per member, the shared project calendar
    (planned dates) and the consultations open for comment at their owner."""
    from django.db.models import Count, Q

    from qihub.sharing.models import MirroredRecord

    members = list(
        MemberInstance.objects.filter(network=network)
        .select_related("organisation")
        .annotate(
            standards=Count(
                "mirrored_standards",
                filter=Q(mirrored_standards__deleted=False),
                distinct=True,
            ),
            projects=Count(
                "mirrored",
                filter=Q(mirrored__kind="project", mirrored__deleted=False),
                distinct=True,
            ),
        )
        .order_by("base_url")
    )
    live = MirroredRecord.objects.filter(
        member__network=network, deleted=False
    ).select_related("member__organisation")
    calendar = sorted(
        (r for r in live.filter(kind="project")[:limit] if r.data.get("due_on")),
        key=lambda r: r.data["due_on"],
    )
    consultations = list(live.filter(kind="consultation")[:limit])
    return {
        "members": members,
        "calendar": calendar,
        "consultations": consultations,
    }
