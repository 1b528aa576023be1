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

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


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

    def to_json(self) -> dict:
        """A stored form (``NetworkTally``): labels as their msgids, so a
        page in either language translates them when it shows them; years
        as pairs, since JSON keys would turn them (and ``None``) into text."""
        return {
            "key": self.key,
            "label": _msgid(self.label),
            "value": self.value,
            "section": _msgid(self.section),
            "by_level_year": [
                [level, [[year, n] for year, n in years.items()]]
                for level, years in self.by_level_year.items()
            ],
            "level_labels": {k: _msgid(v) for k, v in self.level_labels.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> Metric:
        return cls(
            key=data["key"],
            label=_lazy(data["label"]),
            value=data["value"],
            section=_lazy(data["section"]),
            by_level_year={
                level: dict(years) for level, years in data["by_level_year"]
            },
            level_labels={k: _lazy(v) for k, v in data["level_labels"].items()},
        )


def _msgid(text: str | Promise) -> str:
    """The untranslated text of a lazy label (its msgid)."""
    with translation.override(None):
        return str(text)


def _lazy(msgid: str) -> str | Promise:
    return gettext_lazy(msgid) if msgid else ""


Provider = Callable[[Sequence[int]], list[Metric]]

#: Dotted paths of the domains' providers, in page order.
PROVIDERS: tuple[str, ...] = (
    "qihub.catalog.selectors.organisation_metrics",
    "qihub.lifecycle.selectors.organisation_metrics",
    "qihub.declarations.selectors.organisation_metrics",
    "qihub.metrology.selectors.organisation_metrics",
    "qihub.international.selectors.organisation_metrics",
)


#: The records the providers count (``app_label.Model``): saving or deleting
#: one marks the networks' tallies stale (``counts_changed``). Bulk writes
#: that send no signals (imports) call ``counts_changed`` themselves; a
#: tally older than ``tallies.MAX_AGE`` is recounted anyway.
COUNTED_MODELS: tuple[str, ...] = (
    "catalog.Standard",
    "catalog.StandardDraftingUnit",
    "lifecycle.Project",
    "lifecycle.ProjectDraftingUnit",
    "lifecycle.ResearchProject",
    "lifecycle.CommitteeMember",
    "declarations.Enterprise",
    "declarations.Declaration",
    "declarations.ForerunnerEvaluation",
    "metrology.Laboratory",
    "metrology.AccreditationScope",
    "metrology.MeasurementStandard",
    "metrology.Instrument",
    "international.InternationalProject",
    "international.Post",
    "international.Trainee",
    "international.TbtMatch",
    "organisations.NetworkMember",
)


def counts_changed(**_signal_kwargs) -> None:
    """Records some count depends on changed: once the transaction commits,
    every network's tally is stale (and the large ones are recounted in the
    background). Called by the signals of ``COUNTED_MODELS`` and by bulk
    writes; several calls in one transaction mark once."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _mark_stale for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_mark_stale)


def _mark_stale() -> None:
    from qihub.organisations import tallies

    tallies.mark_stale()


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
