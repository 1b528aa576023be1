"""Reads of the programmes app. The dashboard draws from the snapshots, never
from live aggregates over the other domains."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from qihub.core.errors import NotFound
from qihub.organisations.models import NetworkMember, Region
from qihub.programmes import indicators, progress
from qihub.programmes.models import Programme, ReportedValue, Snapshot, Target


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.select_related(
        "issuing_authority", "region", "network"
    ).order_by("-ends_on", "id")


def programme_get(pk: int) -> Programme:
    prog = programme_list().filter(pk=pk).first()
    if prog is None:
        raise NotFound(f"No programme {pk}.")
    return prog


@dataclass
class TargetProgress:
    target: Target
    indicator: indicators.Indicator
    progress: progress.Progress


def _month_day(month: datetime.date, today: datetime.date) -> datetime.date:
    nxt = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return min(nxt - datetime.timedelta(days=1), today)


def _series(
    scope: str, slugs: list[str], today: datetime.date
) -> dict[str, list[tuple[datetime.date, float | None]]]:
    """Each indicator's snapshots in the scope, oldest first, as (day, value)."""
    out: dict[str, list] = {s: [] for s in slugs}
    rows = (
        Snapshot.objects.filter(scope=scope, indicator__in=slugs)
        .order_by("month")
        .values_list("indicator", "month", "value")
    )
    for indicator, month, value in rows:
        out[indicator].append((_month_day(month, today), value))
    return out


def targets_progress(
    programme: Programme, *, scope: str | None = None
) -> list[TargetProgress]:
    """Each target with its progress in the programme's scope (or a
    sub-scope for a drill-down). Two queries."""
    targets = list(programme.targets.select_related("owner").order_by("position", "id"))
    key = scope or programme.scope_key
    today = timezone.localdate()
    series = _series(key, sorted({t.indicator for t in targets}), today)
    out = []
    for t in targets:
        points = series.get(t.indicator, [])
        out.append(
            TargetProgress(
                target=t,
                indicator=indicators.get(t.indicator),
                progress=progress.compute(
                    target_value=t.target_value,
                    deadline=t.deadline,
                    series=points,
                    today=today,
                ),
            )
        )
    return out


@dataclass
class SubScope:
    key: str
    name: str
    values: list[float | None]


def sub_scopes(programme: Programme, *, scope: str | None = None) -> list[SubScope]:
    """The divisions directly inside the scope (a region's cities) or a
    network's members, with each target's value in the latest month any of
    them has. Four queries."""
    key = scope or programme.scope_key
    rows: list[tuple[str, str]]
    if key.startswith("network:"):
        members = NetworkMember.objects.filter(network_id=int(key[8:])).select_related(
            "organisation"
        )
        rows = [(f"org:{m.organisation_id}", m.organisation.name) for m in members]
    elif key.startswith("org:"):
        rows = []
    else:
        rows = [(r.code, r.name) for r in Region.objects.filter(parent_id=key)]
    slugs = list(
        programme.targets.order_by("position", "id").values_list("indicator", flat=True)
    )
    keys = [k for k, _n in rows]
    month = (
        Snapshot.objects.filter(scope__in=keys)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    latest: dict[tuple[str, str], float | None] = {}
    if month is not None:
        for sc, indicator, value in Snapshot.objects.filter(
            scope__in=keys, indicator__in=slugs, month=month
        ).values_list("scope", "indicator", "value"):
            latest[(sc, indicator)] = value
    return [
        SubScope(key=k, name=n, values=[latest.get((k, s)) for s in slugs])
        for k, n in rows
    ]


def scope_name(key: str) -> str:
    return indicators.scope_for(key).name


def reported_pending() -> QuerySet[ReportedValue]:
    return (
        ReportedValue.objects.filter(state=ReportedValue.State.PENDING)
        .select_related("organisation", "submitted_by")
        .order_by("period_end", "id")
    )


def reported_recent(limit: int = 50) -> QuerySet[ReportedValue]:
    return (
        ReportedValue.objects.exclude(state=ReportedValue.State.PENDING)
        .select_related("organisation", "reviewer")
        .order_by("-reviewed_at", "-id")[:limit]
    )


def indicator_value(
    slug: str, *, scope: str, on: datetime.date | None = None
) -> tuple[indicators.Indicator, indicators.Scope, datetime.date, float | None]:
    """An indicator computed live for a scope on a date (the API's
    ``/indicators/{slug}``)."""
    ind = indicators.get(slug, field="slug")
    sc = indicators.scope_for(scope)
    day = on or timezone.localdate()
    return ind, sc, day, ind.value(sc, day)
