"""One product against requirements: the specs, exact ``Decimal`` checks,
the outcome names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from qihub.requirements import units

OPERATORS = ("<=", "<", ">=", ">", "=", "range", "one_of", "bool")
NUMERIC_OPERATORS = ("<=", "<", ">=", ">", "=", "range")

PASS = "pass"  # noqa: S105 - an outcome name, not a password
FAIL = "fail"
NOT_APPLICABLE = "not_applicable"
CANNOT_EVALUATE = "cannot_evaluate"
#: Outcome codes used by the bulk engine's arrays, in this order.
OUTCOMES = (PASS, FAIL, NOT_APPLICABLE, CANNOT_EVALUATE)

STRICTER = "stricter"
EQUAL = "equal"
WEAKER = "weaker"
ONLY_A = "only_a"
ONLY_B = "only_b"
INCOMPARABLE = "incomparable"
VERDICTS = (STRICTER, EQUAL, WEAKER, ONLY_A, ONLY_B, INCOMPARABLE)

_TRUE = {"1", "true", "yes", "y", "是", "有", "合格", "符合", "pass"}
_FALSE = {"0", "false", "no", "n", "否", "无", "不合格", "不符合", "fail"}


@dataclass(frozen=True)
class RequirementSpec:
    """One checkable requirement, detached from the database.

    ``value`` is the limit (the lower bound for "range"; 1/0 for "bool"),
    ``upper`` the upper bound for "range", ``values`` the allowed values for
    "one_of". ``conditions`` say when it applies ({"age_group": "infant"});
    alternatives are written "A|B". ``ref`` is an opaque back-reference.
    """

    parameter: str
    operator: str
    value: Decimal | None = None
    upper: Decimal | None = None
    values: tuple[str, ...] = ()
    unit: str = ""
    conditions: Mapping[str, str] = field(default_factory=dict)
    kind: str = "shall"
    ref: Any = None

    def __hash__(self) -> int:
        return hash(
            (
                self.parameter,
                self.operator,
                self.value,
                self.upper,
                self.values,
                self.unit,
                tuple(sorted(self.conditions.items())),
                self.kind,
            )
        )

    def describe(self) -> str:
        """The requirement as a short human text ("formaldehyde <= 20 mg/kg")."""
        unit = f" {self.unit}" if self.unit else ""
        if self.operator == "range":
            return f"{self.parameter} {_fmt(self.value)}–{_fmt(self.upper)}{unit}"
        if self.operator == "one_of":
            return f"{self.parameter} ∈ {{{', '.join(self.values)}}}"
        if self.operator == "bool":
            return f"{self.parameter} = {'yes' if self.value else 'no'}"
        return f"{self.parameter} {self.operator} {_fmt(self.value)}{unit}"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one requirement for one product, with the reason."""

    requirement: RequirementSpec
    outcome: str
    reason: str
    measured: str = ""


@dataclass(frozen=True)
class ParameterComparison:
    """How requirement A compares with requirement B on one parameter."""

    parameter: str
    conditions: Mapping[str, str]
    verdict: str
    a: RequirementSpec | None
    b: RequirementSpec | None
    reason: str


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    return text


def to_decimal(value: Any) -> Decimal | None:
    """A number from product data: Decimal, int, float or text ("1,0", "0.05")."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return None if math.isnan(value) else Decimal(repr(float(value)))
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if re.fullmatch(r"[-+]?\d+,\d+", text):
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | float):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def alternatives(value: str) -> set[str]:
    return {v.strip().casefold() for v in str(value).split("|") if v.strip()}


def applies(spec: RequirementSpec, conditions: Mapping[str, str]) -> bool | None:
    """True if the requirement applies under the product's conditions, False if
    not, None if a condition it depends on was not given."""
    for key, wanted in spec.conditions.items():
        have = conditions.get(key)
        if have is None or have == "":
            return None
        if not (alternatives(have) & alternatives(wanted)):
            return False
    return True


def _satisfies(spec: RequirementSpec, number: Decimal) -> bool:
    op = spec.operator
    if op == "<=":
        return number <= spec.value
    if op == "<":
        return number < spec.value
    if op == ">=":
        return number >= spec.value
    if op == ">":
        return number > spec.value
    if op == "=":
        return number == spec.value
    if op == "range":
        low_ok = spec.value is None or number >= spec.value
        high_ok = spec.upper is None or number <= spec.upper
        return low_ok and high_ok
    raise ValueError(op)


def evaluate_one(
    spec: RequirementSpec,
    values: Mapping[str, tuple[Any, str]],
    conditions: Mapping[str, str],
) -> CheckResult:
    """Check one requirement against one product's values."""
    if spec.kind == "may":
        return CheckResult(spec, NOT_APPLICABLE, _("A permission: nothing to check."))
    applicable = applies(spec, conditions)
    if applicable is False:
        wanted = ", ".join(f"{k}={v}" for k, v in spec.conditions.items())
        return CheckResult(
            spec, NOT_APPLICABLE, _("Applies only when %(when)s.") % {"when": wanted}
        )
    if applicable is None:
        missing = [k for k in spec.conditions if not conditions.get(k)]
        return CheckResult(
            spec,
            CANNOT_EVALUATE,
            _("State the product's %(names)s to decide whether this applies.")
            % {"names": ", ".join(missing)},
        )
    entry = values.get(spec.parameter)
    if entry is None:
        return CheckResult(
            spec,
            CANNOT_EVALUATE,
            _("No value given for %(parameter)s.") % {"parameter": spec.parameter},
        )
    if isinstance(entry, tuple | list):
        raw, unit = (entry[0], entry[1] if len(entry) > 1 else "")
    else:
        raw, unit = entry, ""
    measured = f"{raw} {unit}".strip()
    if spec.operator == "bool":
        flag = to_bool(raw)
        if flag is None:
            return CheckResult(
                spec,
                CANNOT_EVALUATE,
                _("%(value)r is not yes or no.") % {"value": raw},
                measured,
            )
        expected = bool(spec.value if spec.value is not None else 1)
        ok = flag == expected
        return CheckResult(
            spec,
            PASS if ok else FAIL,
            (_("%(requirement)s: met.") if ok else _("%(requirement)s: not met."))
            % {"requirement": spec.describe()},
            measured,
        )
    if spec.operator == "one_of":
        allowed = {v.casefold() for v in spec.values}
        ok = str(raw).strip().casefold() in allowed
        return CheckResult(
            spec,
            PASS if ok else FAIL,
            (
                _("%(value)r is allowed by %(requirement)s.")
                if ok
                else _("%(value)r is not allowed by %(requirement)s.")
            )
            % {"value": raw, "requirement": spec.describe()},
            measured,
        )
    number = to_decimal(raw)
    if number is None:
        return CheckResult(
            spec,
            CANNOT_EVALUATE,
            _("%(value)r is not a number.") % {"value": raw},
            measured,
        )
    try:
        converted = units.convert(number, unit, spec.unit)
    except units.UnitError:
        return CheckResult(
            spec,
            CANNOT_EVALUATE,
            _("%(unit)s cannot be converted to %(target)s: different quantities.")
            % {
                "unit": unit or _("a plain number"),
                "target": spec.unit or _("a plain number"),
            },
            measured,
        )
    ok = _satisfies(spec, converted)
    shown = f"{_fmt(converted)} {spec.unit}".strip()
    reason = (
        _("%(value)s meets %(requirement)s.")
        if ok
        else _("%(value)s does not meet %(requirement)s.")
    )
    return CheckResult(
        spec,
        PASS if ok else FAIL,
        reason % {"value": shown, "requirement": spec.describe()},
        measured,
    )


def evaluate(
    values: Mapping[str, tuple[Decimal | float | str | bool, str]],
    requirements: Iterable[RequirementSpec],
    conditions: Mapping[str, str] | None = None,
) -> list[CheckResult]:
    """Check one product against every requirement, exactly.

    A value that cannot be converted to the requirement's unit, a missing
    value or an unstated condition gives "cannot_evaluate", never a pass.
    """
    conditions = conditions or {}
    return [evaluate_one(spec, values, conditions) for spec in requirements]


def summarise(results: Iterable[CheckResult]) -> str:
    """The product's overall outcome: fail if any mandatory requirement fails,
    cannot_evaluate if any could not be decided, else pass."""
    outcomes = [r.outcome for r in results if r.requirement.kind == "shall"]
    if FAIL in outcomes:
        return FAIL
    if CANNOT_EVALUATE in outcomes:
        return CANNOT_EVALUATE
    if PASS in outcomes:
        return PASS
    return NOT_APPLICABLE
