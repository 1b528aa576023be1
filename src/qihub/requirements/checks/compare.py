""" "Not weaker than": per parameter, whether requirement set A is stricter,
equal or weaker than set B.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from qihub.requirements import units
from qihub.requirements.checks.core import (
    EQUAL,
    INCOMPARABLE,
    NUMERIC_OPERATORS,
    ONLY_A,
    ONLY_B,
    STRICTER,
    WEAKER,
    ParameterComparison,
    RequirementSpec,
    alternatives,
)


@dataclass(frozen=True)
class _Interval:
    lo: Decimal | None
    lo_open: bool
    hi: Decimal | None
    hi_open: bool

    def contains(self, other: _Interval) -> bool:
        """Every value ``other`` allows, ``self`` allows too."""
        if self.lo is not None:
            if other.lo is None or other.lo < self.lo:
                return False
            if other.lo == self.lo and self.lo_open and not other.lo_open:
                return False
        if self.hi is not None:
            if other.hi is None or other.hi > self.hi:
                return False
            if other.hi == self.hi and self.hi_open and not other.hi_open:
                return False
        return True


def _interval(spec: RequirementSpec, unit: str) -> _Interval:
    def conv(v: Decimal | None) -> Decimal | None:
        return None if v is None else units.convert(v, spec.unit, unit)

    op = spec.operator
    if op == "<=":
        return _Interval(None, False, conv(spec.value), False)
    if op == "<":
        return _Interval(None, False, conv(spec.value), True)
    if op == ">=":
        return _Interval(conv(spec.value), False, None, False)
    if op == ">":
        return _Interval(conv(spec.value), True, None, False)
    if op == "=":
        v = conv(spec.value)
        return _Interval(v, False, v, False)
    return _Interval(conv(spec.value), False, conv(spec.upper), False)


def _allowed_set(spec: RequirementSpec) -> frozenset[str]:
    if spec.operator == "bool":
        return frozenset({"1" if (spec.value is None or spec.value) else "0"})
    return frozenset(v.casefold() for v in spec.values)


def compare_pair(a: RequirementSpec, b: RequirementSpec) -> tuple[str, str]:
    """Verdict and reason for A against B on the same parameter."""
    a_num = a.operator in NUMERIC_OPERATORS
    b_num = b.operator in NUMERIC_OPERATORS
    if a_num and b_num:
        try:
            ia, ib = _interval(a, b.unit), _interval(b, b.unit)
        except units.UnitError:
            return INCOMPARABLE, _("%(a)s and %(b)s measure different quantities.") % {
                "a": a.unit or _("a plain number"),
                "b": b.unit or _("a plain number"),
            }
        a_in_b, b_in_a = ib.contains(ia), ia.contains(ib)
        text = _("%(a)s against %(b)s") % {"a": a.describe(), "b": b.describe()}
    elif not a_num and not b_num and (a.operator == "bool") == (b.operator == "bool"):
        sa, sb = _allowed_set(a), _allowed_set(b)
        a_in_b, b_in_a = sa <= sb, sb <= sa
        text = _("%(a)s against %(b)s") % {"a": a.describe(), "b": b.describe()}
    else:
        return INCOMPARABLE, _("One is a number limit, the other a choice of values.")
    if a_in_b and b_in_a:
        return EQUAL, _("Same limit: %(text)s.") % {"text": text}
    if a_in_b:
        return STRICTER, _("A allows less: %(text)s.") % {"text": text}
    return WEAKER, _("A allows values B forbids: %(text)s.") % {"text": text}


def _compatible(ca: Mapping[str, str], cb: Mapping[str, str]) -> bool:
    return all(alternatives(ca[k]) & alternatives(cb[k]) for k in set(ca) & set(cb))


def _key(c: Mapping[str, str]) -> tuple:
    return tuple(sorted((k, "|".join(sorted(alternatives(v)))) for k, v in c.items()))


def compare_requirement_sets(
    a: Iterable[RequirementSpec], b: Iterable[RequirementSpec]
) -> list[ParameterComparison]:
    """Compare requirement set A with set B parameter by parameter.

    Requirements pair up on the parameter and compatible conditions; an exact
    condition match wins over a broader one. The verdict is about A relative
    to B: "stricter" = A allows only values B allows, and fewer; "weaker" = A
    allows some value B forbids; "only_a"/"only_b" = no counterpart.
    Permissions ("may") are not compared.
    """
    by_a: dict[str, list[RequirementSpec]] = defaultdict(list)
    by_b: dict[str, list[RequirementSpec]] = defaultdict(list)
    for spec in a:
        if spec.kind != "may":
            by_a[spec.parameter].append(spec)
    for spec in b:
        if spec.kind != "may":
            by_b[spec.parameter].append(spec)
    rows: list[ParameterComparison] = []
    for parameter in sorted(set(by_a) | set(by_b)):
        list_a, list_b = by_a.get(parameter, []), by_b.get(parameter, [])
        pairs: set[tuple[int, int]] = set()
        # Each requirement pairs with its exact-condition counterparts when it
        # has any, otherwise with every compatible one (a general limit in A
        # covers B's class-specific limits, and the reverse).
        for i, sa in enumerate(list_a):
            exact = [
                j
                for j, sb in enumerate(list_b)
                if _key(sb.conditions) == _key(sa.conditions)
            ]
            pairs.update(
                (i, j)
                for j in exact
                or [
                    j
                    for j, sb in enumerate(list_b)
                    if _compatible(sa.conditions, sb.conditions)
                ]
            )
        for j, sb in enumerate(list_b):
            exact = [
                i
                for i, sa in enumerate(list_a)
                if _key(sa.conditions) == _key(sb.conditions)
            ]
            pairs.update(
                (i, j)
                for i in exact
                or [
                    i
                    for i, sa in enumerate(list_a)
                    if _compatible(sa.conditions, sb.conditions)
                ]
            )
        matched_a = {i for i, _j in pairs}
        matched_b = {j for _i, j in pairs}
        for i, j in sorted(pairs, key=lambda p: (p[1], p[0])):
            sa, sb = list_a[i], list_b[j]
            verdict, reason = compare_pair(sa, sb)
            merged = {**sb.conditions, **sa.conditions}
            rows.append(ParameterComparison(parameter, merged, verdict, sa, sb, reason))
        for i, sa in enumerate(list_a):
            if i not in matched_a:
                rows.append(
                    ParameterComparison(
                        parameter,
                        dict(sa.conditions),
                        ONLY_A,
                        sa,
                        None,
                        _("Only A sets %(requirement)s.")
                        % {"requirement": sa.describe()},
                    )
                )
        for j, sb in enumerate(list_b):
            if j not in matched_b:
                rows.append(
                    ParameterComparison(
                        parameter,
                        dict(sb.conditions),
                        ONLY_B,
                        None,
                        sb,
                        _("Only B sets %(requirement)s.")
                        % {"requirement": sb.describe()},
                    )
                )
    return rows


def not_weaker(rows: Iterable[ParameterComparison]) -> bool:
    """A is not weaker than B: no parameter where A allows what B forbids (or
    where the two cannot be compared). Parameters only B limits ("only_b")
    are gaps to review, listed in the rows, not counted here."""
    return all(r.verdict not in (WEAKER, INCOMPARABLE) for r in rows)
