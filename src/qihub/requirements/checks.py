"""The check engine: product data against requirements, and standard against standard.

Pure Python (and numpy for bulk mode), no database access, so enterprise
self-declarations, test reports and the API all call the same functions.

* ``evaluate`` checks one product exactly with ``Decimal`` arithmetic.
* ``evaluate_bulk`` checks many products at once: requirements are compiled
  once (limits converted to one canonical unit per parameter), product values
  are read into a float matrix and compared column by column with numpy.
* ``compare_requirement_sets`` says per parameter whether set A is stricter,
  equal or weaker than set B ("not weaker than" the mandatory standard).
"""

from __future__ import annotations

import gc
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
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


def _alternatives(value: str) -> set[str]:
    return {v.strip().casefold() for v in str(value).split("|") if v.strip()}


def applies(spec: RequirementSpec, conditions: Mapping[str, str]) -> bool | None:
    """True if the requirement applies under the product's conditions, False if
    not, None if a condition it depends on was not given."""
    for key, wanted in spec.conditions.items():
        have = conditions.get(key)
        if have is None or have == "":
            return None
        if not (_alternatives(have) & _alternatives(wanted)):
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


# --- Bulk mode ---------------------------------------------------------------


@dataclass
class BulkResult:
    """Outcomes of many products against compiled requirements.

    ``outcomes`` is an int8 matrix (products × requirements) of indexes into
    ``OUTCOMES``; ``verdicts`` one code per product (``summarise`` rules);
    ``counts`` totals per outcome name.
    """

    requirements: list[RequirementSpec]
    outcomes: np.ndarray
    verdicts: np.ndarray

    @property
    def counts(self) -> dict[str, int]:
        totals = np.bincount(self.outcomes.ravel(), minlength=4)
        return {name: int(totals[i]) for i, name in enumerate(OUTCOMES)}

    @property
    def verdict_counts(self) -> dict[str, int]:
        totals = np.bincount(self.verdicts, minlength=4)
        return {name: int(totals[i]) for i, name in enumerate(OUTCOMES)}

    def results_for(self, index: int) -> list[tuple[RequirementSpec, str]]:
        return [
            (spec, OUTCOMES[code])
            for spec, code in zip(self.requirements, self.outcomes[index], strict=True)
        ]


class CompiledRequirements:
    """Requirements prepared once for many products: one column per parameter,
    limits in the parameter's canonical unit as floats.

    Floats carry a relative tolerance of 1e-12 at the limits so a value given
    in another unit (0.1 mg/kg against 100 µg/kg) lands exactly on the limit.
    """

    TOLERANCE = 1e-12

    def __init__(self, requirements: Iterable[RequirementSpec]) -> None:
        self.specs = [s for s in requirements if s.kind != "may"]
        self.parameters: list[str] = []
        self.index: dict[str, int] = {}
        self.canonical_unit: dict[str, str] = {}
        self.categories: dict[str, dict[str, int]] = defaultdict(dict)
        self.kinds: dict[str, str] = {}
        self._unit_factors: dict[tuple[int, str], tuple[float, float] | None] = {}
        self.rules: list[tuple] = []
        for spec in self.specs:
            if spec.parameter not in self.index:
                self.index[spec.parameter] = len(self.parameters)
                self.parameters.append(spec.parameter)
                self.canonical_unit[spec.parameter] = spec.unit
            col = self.index[spec.parameter]
            kind = "numeric" if spec.operator in NUMERIC_OPERATORS else spec.operator
            self.kinds.setdefault(spec.parameter, kind)
            if self.kinds[spec.parameter] != kind:
                kind = "mixed"
            self.rules.append(self._compile(spec, col, kind))

    def _compile(self, spec: RequirementSpec, col: int, kind: str) -> tuple:
        lo = hi = math.nan
        lo_strict = hi_strict = False
        allowed: tuple[int, ...] = ()
        broken = ""
        if kind == "numeric":
            canonical = self.canonical_unit[spec.parameter]
            try:
                value = (
                    float(units.convert(spec.value, spec.unit, canonical))
                    if spec.value is not None
                    else math.nan
                )
                upper = (
                    float(units.convert(spec.upper, spec.unit, canonical))
                    if spec.upper is not None
                    else math.nan
                )
            except units.UnitError as exc:
                broken = str(exc)
                value = upper = math.nan
            op = spec.operator
            if op in ("<=", "<"):
                hi, hi_strict = value, op == "<"
            elif op in (">=", ">"):
                lo, lo_strict = value, op == ">"
            elif op == "=":
                lo = hi = value
            elif op == "range":
                lo, hi = value, upper
        elif kind == "bool":
            expected = 1.0 if (spec.value is None or spec.value) else 0.0
            lo = hi = expected
        elif kind == "one_of":
            cats = self.categories[spec.parameter]
            allowed = tuple(
                cats.setdefault(v.casefold(), len(cats)) for v in spec.values
            )
        else:
            broken = "Requirements on this parameter mix kinds of value."
        return (col, kind, lo, lo_strict, hi, hi_strict, allowed, broken)

    def factor_for(self, col: int, unit: str) -> tuple[float, float] | None:
        key = (col, unit)
        try:
            return self._unit_factors[key]
        except KeyError:
            pass
        try:
            mult, offset = units.factor(
                unit or "", self.canonical_unit[self.parameters[col]]
            )
            result = (float(mult), float(offset))
        except units.UnitError:
            result = None
        self._unit_factors[key] = result
        return result

    def read(self, products: Sequence[Mapping[str, tuple[Any, str]]]) -> np.ndarray:
        """Product values as a float matrix in canonical units.

        NaN = no value; -inf marks a value that cannot be read or converted.
        Read column by column: the common case (a float already in the
        canonical unit) stays inside one list comprehension.
        """
        n = len(products)
        if not self.parameters:
            return np.empty((n, 0))
        matrix = np.empty((n, len(self.parameters)), dtype=np.float64)
        for col, param in enumerate(self.parameters):
            kind = self.kinds[param]
            if kind == "numeric":
                unit = self.canonical_unit[param]
                slow = self._numeric_reader(col)
                values = [
                    e[0]
                    if (e := p.get(param)) is not None
                    and e[1] == unit
                    and type(e[0]) is float
                    else slow(e)
                    for p in products
                ]
                matrix[:, col] = values
                continue
            entries = [p.get(param) for p in products]
            if kind == "bool":
                values = [_bool_code(e) for e in entries]
            elif kind == "one_of":
                cats = self.categories.get(param, {})
                values = [_category_code(e, cats) for e in entries]
            else:
                values = [math.nan if e is None else -math.inf for e in entries]
            matrix[:, col] = values
        return matrix

    def _numeric_reader(self, col: int):
        factors: dict[str, tuple[float, float] | None] = {}

        def read(entry) -> float:
            if entry is None:
                return math.nan
            raw, unit = entry
            fac = factors.get(unit, False)
            if fac is False:
                fac = factors[unit] = self.factor_for(col, unit)
            if fac is None:
                return -math.inf
            if isinstance(raw, float | int) and not isinstance(raw, bool):
                number = float(raw)
                if math.isnan(number):
                    return math.nan
            else:
                dec = to_decimal(raw)
                if dec is None:
                    return -math.inf
                number = float(dec)
            mult, offset = fac
            return number * mult + offset

        return read


def _bool_code(entry) -> float:
    if entry is None:
        return math.nan
    flag = to_bool(entry[0])
    return -math.inf if flag is None else float(flag)


def _category_code(entry, cats: dict[str, int]) -> float:
    if entry is None:
        return math.nan
    code = cats.get(str(entry[0]).strip().casefold())
    return -1.0 if code is None else float(code)


def _applicability(
    specs: list[RequirementSpec], conditions: Mapping[str, str]
) -> list[int]:
    """Per requirement: 1 applies, 0 not applicable, -1 undecided."""
    codes = []
    for spec in specs:
        a = applies(spec, conditions)
        codes.append(1 if a else (0 if a is False else -1))
    return codes


def _compile(
    requirements: Iterable[RequirementSpec] | CompiledRequirements,
) -> CompiledRequirements:
    if isinstance(requirements, CompiledRequirements):
        return requirements
    return CompiledRequirements(requirements)


def _applicability_matrix(
    specs: list[RequirementSpec],
    conditions: Mapping[str, str] | Sequence[Mapping[str, str]] | None,
    start: int,
    n: int,
) -> np.ndarray:
    """Per product and requirement: 1 applies, 0 not applicable, -1 undecided.
    Computed once per distinct set of conditions."""
    if conditions is None or isinstance(conditions, Mapping):
        row = np.array(_applicability(specs, conditions or {}), dtype=np.int8)
        return np.broadcast_to(row, (n, len(specs)))
    keys = [
        tuple(c.items()) if len(c) < 2 else tuple(sorted(c.items()))
        for c in conditions[start : start + n]
    ]
    distinct: dict[tuple, int] = {}
    group = np.fromiter(
        (distinct.setdefault(k, len(distinct)) for k in keys), dtype=np.int32, count=n
    )
    table = np.array(
        [_applicability(specs, dict(k)) for k in distinct], dtype=np.int8
    ).reshape(len(distinct), len(specs))
    return table[group]


def _outcomes(
    compiled: CompiledRequirements, matrix: np.ndarray, appl: np.ndarray
) -> np.ndarray:
    """Outcome codes (products × requirements) from the value matrix."""
    n = matrix.shape[0]
    out = np.empty((n, len(compiled.specs)), dtype=np.int8)
    tol = CompiledRequirements.TOLERANCE
    for j, (col, kind, lo, lo_strict, hi, hi_strict, allowed, broken) in enumerate(
        compiled.rules
    ):
        if broken:
            out[:, j] = 3
            continue
        x = matrix[:, col]
        missing = np.isnan(x) | np.isneginf(x)
        if kind == "one_of":
            ok = np.isin(x, np.array(allowed, dtype=np.float64))
        else:
            ok = np.ones(n, dtype=bool)
            if not math.isnan(lo):
                ok &= (
                    (x > lo + abs(lo) * tol) if lo_strict else (x >= lo - abs(lo) * tol)
                )
            if not math.isnan(hi):
                ok &= (
                    (x < hi - abs(hi) * tol) if hi_strict else (x <= hi + abs(hi) * tol)
                )
        column = np.where(ok, 0, 1).astype(np.int8)
        column[missing] = 3
        a = appl[:, j]
        column[a == 0] = 2
        column[a == -1] = 3
        out[:, j] = column
    return out


def _result(compiled: CompiledRequirements, parts: list[np.ndarray]) -> BulkResult:
    specs = compiled.specs
    outcomes = (
        np.concatenate(parts) if parts else np.empty((0, len(specs)), dtype=np.int8)
    )
    shall = np.array([s.kind == "shall" for s in specs], dtype=bool)
    return BulkResult(
        requirements=specs, outcomes=outcomes, verdicts=_verdicts(outcomes, shall)
    )


def evaluate_bulk(
    products: Iterable[Mapping[str, tuple[Any, str]]],
    requirements: Iterable[RequirementSpec] | CompiledRequirements,
    conditions: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
    *,
    chunk_size: int = 50_000,
) -> BulkResult:
    """Check many products at once against the same requirements.

    ``conditions`` is one mapping for all products or one per product. Pass a
    ``CompiledRequirements`` to reuse the compilation across calls.
    """
    compiled = _compile(requirements)
    parts = []
    start = 0
    iterator = iter(products)
    while True:
        chunk = []
        for product in iterator:
            chunk.append(product)
            if len(chunk) >= chunk_size:
                break
        if not chunk:
            break
        n = len(chunk)
        appl = _applicability_matrix(compiled.specs, conditions, start, n)
        # Reading builds millions of floats and no reference cycles: the cyclic
        # garbage collector would only rescan the caller's live products.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            matrix = compiled.read(chunk)
        finally:
            if was_enabled:
                gc.enable()
        parts.append(_outcomes(compiled, matrix, appl))
        start += n
    return _result(compiled, parts)


def evaluate_columns(
    columns: Mapping[str, tuple[Sequence[float] | np.ndarray, str]],
    requirements: Iterable[RequirementSpec] | CompiledRequirements,
    conditions: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
) -> BulkResult:
    """Bulk mode for data already in columns (e.g. a test-report import):
    ``{parameter: (values, unit)}``, NaN for a missing value. Each column is
    converted to the canonical unit in one vectorised step.

    Numeric parameters only take float columns; a column in a unit that
    cannot be converted makes every value of it "cannot_evaluate".
    """
    compiled = _compile(requirements)
    lengths = {len(values) for values, _unit in columns.values()}
    if len(lengths) > 1:
        raise ValueError("All columns must have the same length.")
    n = lengths.pop() if lengths else 0
    matrix = np.full((n, len(compiled.parameters)), np.nan)
    for param, (values, unit) in columns.items():
        col = compiled.index.get(param)
        if col is None:
            continue
        kind = compiled.kinds[param]
        array = np.asarray(values, dtype=np.float64)
        if kind == "numeric":
            fac = compiled.factor_for(col, unit)
            if fac is None:
                matrix[:, col] = np.where(np.isnan(array), np.nan, -np.inf)
                continue
            mult, offset = fac
            matrix[:, col] = (
                array if (mult == 1.0 and offset == 0.0) else array * mult + offset
            )
        else:
            matrix[:, col] = array
    appl = _applicability_matrix(compiled.specs, conditions, 0, n)
    return _result(compiled, [_outcomes(compiled, matrix, appl)])


def _verdicts(outcomes: np.ndarray, shall: np.ndarray) -> np.ndarray:
    n = outcomes.shape[0]
    verdicts = np.full(n, 2, dtype=np.int8)
    if n == 0 or not shall.any():
        return verdicts
    sub = outcomes[:, shall]
    verdicts[(sub == 0).any(axis=1)] = 0
    verdicts[(sub == 3).any(axis=1)] = 3
    verdicts[(sub == 1).any(axis=1)] = 1
    return verdicts


# --- Comparison ("not weaker than") -----------------------------------------


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
    return all(_alternatives(ca[k]) & _alternatives(cb[k]) for k in set(ca) & set(cb))


def _key(c: Mapping[str, str]) -> tuple:
    return tuple(sorted((k, "|".join(sorted(_alternatives(v)))) for k, v in c.items()))


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
