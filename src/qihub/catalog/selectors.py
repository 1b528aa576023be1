"""Reads from the standards catalogue."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from qihub.catalog.identifiers import try_parse
from qihub.catalog.models import (
    Standard,
    StandardDraftingUnit,
    StandardEvent,
    StandardRelation,
)
from qihub.catalog.search import SearchPage, search_standards

__all__ = [
    "SearchPage",
    "edition_in_force_on",
    "relation_graph",
    "search_standards",
    "standard_counts_by_level",
    "standard_detail",
    "standard_editions",
    "standard_get_by_identifier",
    "standard_history",
]


def standard_get_by_identifier(text: str) -> Standard | None:
    """Resolve an identifier in any customary spelling.

    A dated identifier names one edition; an undated one (``GB/T 1.1``) the
    latest edition. A double number resolves to its first (national) part.
    """
    ident = try_parse(text)
    if ident is None:
        return None
    primary = ident.primary
    if primary.dated:
        return Standard.objects.filter(ident_key=primary.key).first()
    return (
        Standard.objects.filter(base_key=primary.base_key)
        .exclude(status=Standard.Status.DRAFT)
        .order_by("-year", "-issued_on", "-id")
        .first()
    )


def standard_editions(standard: Standard) -> QuerySet[Standard]:
    """Every edition sharing the standard's undated identifier, newest first."""
    return Standard.objects.filter(base_key=standard.base_key).order_by("-year", "-id")


def edition_in_force_on(text: str, day: datetime.date) -> Standard | None:
    """The edition of ``text`` (dated or not) that was in force on ``day``."""
    ident = try_parse(text)
    if ident is None:
        return None
    for edition in Standard.objects.filter(base_key=ident.primary.base_key).order_by(
        "-year"
    ):
        if edition.status_on(day) in (
            Standard.Status.IN_FORCE,
            Standard.Status.PUBLISHED,
        ):
            return edition
    return None


def standard_detail(pk: int) -> Standard:
    """A standard with everything its page shows, in a bounded number of queries."""
    return (
        Standard.objects.select_related("ccs", "import_run__actor")
        .prefetch_related(
            "ics",
            Prefetch(
                "relations_out",
                queryset=StandardRelation.objects.select_related("target").order_by(
                    "kind", "id"
                ),
            ),
            Prefetch(
                "relations_in",
                queryset=StandardRelation.objects.select_related("source").order_by(
                    "kind", "id"
                ),
            ),
            Prefetch(
                "events",
                queryset=StandardEvent.objects.select_related("actor").order_by(
                    "-created_at", "-id"
                ),
            ),
        )
        .get(pk=pk)
    )


def standard_history(standard: Standard) -> list[StandardEvent]:
    """The standard's history, newest first. Every record has its events
    from its creation on: an import writes one per record it creates and
    one per record it updates (with {field: [old, new]}); records imported
    before that got theirs from migration catalog 0012."""
    return list(standard.events.all())


def relation_graph(standard: Standard, *, depth: int = 2, limit: int = 40) -> dict:
    """Nodes and edges around a standard, breadth first, for the small graph
    drawn on its page (bounded so a much-cited standard stays readable).

    The first ring comes from the relations ``standard_detail`` prefetched;
    further rings read relations as bare id tuples and their new nodes with
    only what the drawing needs (building the SQL of two full-row joins cost
    more than running it)."""
    nodes: dict[int, Standard] = {standard.pk: standard}
    edges: list[tuple[int, int, str, str]] = []
    frontier = {standard.pk}
    for level in range(depth):
        if not frontier or len(nodes) >= limit:
            break
        if level == 0:
            known = sorted(
                {
                    rel.pk: rel
                    for rel in (
                        *standard.relations_out.all(),
                        *standard.relations_in.all(),
                    )
                }.values(),
                key=lambda rel: rel.pk,
            )[: limit * 2]
            rows = [(r.source_id, r.target_id, r.kind, r.degree) for r in known]
            found = {}
            for rel in known:
                found[rel.source_id] = rel.source
                found[rel.target_id] = rel.target
        else:
            rows = list(
                StandardRelation.objects.filter(
                    Q(source_id__in=frontier) | Q(target_id__in=frontier)
                )
                .order_by("id")
                .values_list("source_id", "target_id", "kind", "degree")[: limit * 2]
            )
            wanted = {pk for row in rows for pk in row[:2]} - nodes.keys()
            found = Standard.objects.only("id", "identifier").in_bulk(wanted)
        next_frontier: set[int] = set()
        for key in rows:
            if key not in edges:
                edges.append(key)
            for pk in key[:2]:
                if pk not in nodes and pk in found and len(nodes) < limit:
                    nodes[pk] = found[pk]
                    next_frontier.add(pk)
        frontier = next_frontier
    edges = [e for e in edges if e[0] in nodes and e[1] in nodes]
    return {"nodes": list(nodes.values()), "edges": edges}


def standard_counts_by_level() -> dict[str, int]:
    rows = Standard.objects.values("level").annotate(n=Count("id")).order_by()
    return {row["level"]: row["n"] for row in rows}


def drafting_units(standard: Standard) -> list:
    """The organisations that drafted a standard, first drafting unit first."""
    return [
        unit.organisation
        for unit in standard.drafting_units.select_related("organisation").order_by(
            "position"
        )
    ]


def standards_drafted(org_ids) -> QuerySet[Standard]:
    """Standards any of these organisations drafted, newest first."""
    return Standard.objects.filter(
        pk__in=StandardDraftingUnit.objects.filter(organisation_id__in=org_ids).values(
            "standard_id"
        )
    ).order_by("-issued_on", "-id")


def organisation_metrics(org_ids) -> list:
    """Profile provider (``organisations.profile``): standards drafted, per
    level and year of issue; a standard drafted by several of the
    organisations counts once. One query."""
    from django.utils.translation import gettext_lazy as _

    from qihub.organisations.profile import Metric

    rows = (
        Standard.objects.filter(
            pk__in=StandardDraftingUnit.objects.filter(
                organisation_id__in=org_ids
            ).values("standard_id")
        )
        .values("level", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_level: dict[str, dict[int | None, int]] = {}
    total = 0
    for row in rows:
        by_level.setdefault(row["level"], {})[row["year"]] = row["n"]
        total += row["n"]
    ordered = {
        level: dict(sorted(by_level[level].items(), key=lambda kv: kv[0] or 0))
        for level in Standard.Level.values
        if level in by_level
    }
    return [
        Metric(
            key="standards_drafted",
            label=_("Standards drafted"),
            value=total,
            section=_("Standards"),
            by_level_year=ordered,
            level_labels=dict(Standard.Level.choices),
        )
    ]
