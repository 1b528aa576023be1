"""Precision and recall of requirement extraction on a labelled set.

A proposal matches a label when parameter, operator, limit(s) and (for
numeric limits) the unit agree after exact unit conversion. Each label is
matched at most once, so duplicates count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from qihub.requirements import units
from qihub.requirements.extraction import Proposal, extract_sentence, extract_table
from qihub.requirements.parameters import fold

LABELLED_SET = Path(__file__).parent / "tests" / "data" / "labelled-requirements.yaml"


@dataclass
class Score:
    labels: int = 0
    proposals: int = 0
    matched: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.proposals if self.proposals else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.labels if self.labels else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _same_number(a: Decimal | None, b: Any, a_unit: str, b_unit: str) -> bool:
    if a is None and (b is None or b == ""):
        return True
    if a is None or b is None or b == "":
        return False
    expected = Decimal(str(b))
    try:
        return units.convert(a, a_unit or "", b_unit or "") == expected
    except units.UnitError:
        return False


def matches(p: Proposal, label: dict[str, Any]) -> bool:
    """A label with ``new: true`` names a parameter outside the vocabulary by
    its printed name; the proposal must say it is new and carry that name."""
    if bool(label.get("new")) != p.new_parameter:
        return False
    same = (
        fold(p.parameter) == fold(str(label["parameter"]))
        if p.new_parameter
        else p.parameter == label["parameter"]
    )
    if not same or p.operator != str(label["operator"]):
        return False
    if label.get("kind", "shall") != p.kind:
        return False
    unit = str(label.get("unit", ""))
    if p.operator == "bool":
        return Decimal(str(label.get("value", "0"))) == (p.value or Decimal(0))
    return _same_number(p.value, label.get("value"), p.unit, unit) and _same_number(
        p.upper, label.get("upper"), p.unit, unit
    )


def _describe(p: Proposal) -> str:
    new = " (new parameter)" if p.new_parameter else ""
    return (
        f"{p.parameter}{new} {p.operator} {p.value} {p.upper or ''} {p.unit} ({p.kind})"
    )


def score(path: Path = LABELLED_SET) -> Score:
    """Run extraction over every labelled item and count matches."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = Score()
    for item in data["items"]:
        if "table" in item:
            proposals = extract_table(item["table"])
        else:
            proposals = extract_sentence(item["text"])
        labels = list(item.get("expect") or [])
        result.labels += len(labels)
        result.proposals += len(proposals)
        remaining = labels[:]
        for p in proposals:
            hit = next((lab for lab in remaining if matches(p, lab)), None)
            if hit is not None:
                remaining.remove(hit)
                result.matched += 1
            else:
                result.extras.append(f"{item['source']}: {_describe(p)}")
        result.misses.extend(f"{item['source']}: {lab}" for lab in remaining)
    return result
