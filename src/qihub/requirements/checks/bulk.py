"""Bulk mode: requirements compiled once (limits in one canonical unit per
parameter), many products read into a float matrix and compared column by
column with numpy.
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qihub.requirements import units
from qihub.requirements.checks.core import (
    NUMERIC_OPERATORS,
    OUTCOMES,
    RequirementSpec,
    applies,
    to_bool,
    to_decimal,
)


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
