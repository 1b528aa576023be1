"""What an organisation (or a network's members together) did, from live data.

Each domain that points to organisations offers one *provider* in its
selectors: ``organisation_metrics(org_ids) -> list[Metric]``, counting its
records for a set of organisations in a bounded number of set-based queries
(never a query per organisation), each record once however many of the
organisations share it (a standard two members co-drafted counts once for
their network). The organisation page passes one id, the network page its
members' ids. ``PROVIDERS`` lists them in the order the pages show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from django.db.models import QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class Metric:
    """One count: ``key`` is stable (API field), ``label`` is translated.
    ``by_level_year`` breaks it down as ``{level: {year: n}}`` where that
    means something (standards drafted)."""

    key: str
    label: str | Promise
    value: int
    section: str | Promise = ""
    by_level_year: dict[str, dict[int | None, int]] = field(default_factory=dict)
    level_labels: dict[str, str | Promise] = field(default_factory=dict)

    def level_rows(self) -> list[dict]:
        """``by_level_year`` for a table: label, level total, (year, n) pairs."""
        return [
            {
                "level": level,
                "label": self.level_labels.get(level, level),
                "total": sum(years.values()),
                "years": list(years.items()),
            }
            for level, years in self.by_level_year.items()
        ]


Provider = Callable[[Sequence[int]], list[Metric]]

#: Dotted paths of the domains' providers, in page order.
PROVIDERS: tuple[str, ...] = (
    "qihub.catalog.selectors.organisation_metrics",
    "qihub.lifecycle.selectors.organisation_metrics",
    "qihub.declarations.selectors.organisation_metrics",
    "qihub.metrology.selectors.organisation_metrics",
    "qihub.international.selectors.organisation_metrics",
)


def _load(path: str) -> Provider:
    module, _dot, name = path.rpartition(".")
    return getattr(import_module(module), name)


def metrics_for(org_ids: Sequence[int] | QuerySet) -> list[Metric]:
    """Every domain's counts for these organisations together.

    ``org_ids`` is a list of ids or a query of them (a network's members):
    providers use it only inside ``__in``, so a query becomes a subquery and
    a thousand ids are never prepared one by one."""
    if isinstance(org_ids, QuerySet):
        ids = org_ids
        if not ids.exists():
            return []
    else:
        ids = sorted(set(org_ids))
        if not ids:
            return []
    out: list[Metric] = []
    for path in PROVIDERS:
        out.extend(_load(path)(ids))
    return out
