"""The check engine: product data against requirements, and standard against standard.

Pure Python (and numpy for bulk mode), no database access, so enterprise
self-declarations, test reports and the API all call the same functions.

* ``evaluate`` checks one product exactly with ``Decimal`` arithmetic.
* ``evaluate_bulk`` checks many products at once: requirements are compiled
  once (limits converted to one canonical unit per parameter), product values
  are read into a float matrix and compared column by column with numpy.
* ``compare_requirement_sets`` says per parameter whether set A is stricter,
  equal or weaker than set B ("not weaker than" the mandatory standard).

The package: ``core`` (one product, exactly), ``bulk`` (many, with numpy)
and ``compare`` (standard against standard).
"""

from qihub.requirements.checks.bulk import (
    BulkResult,
    CompiledRequirements,
    evaluate_bulk,
    evaluate_columns,
)
from qihub.requirements.checks.compare import (
    compare_pair,
    compare_requirement_sets,
    not_weaker,
)
from qihub.requirements.checks.core import (
    CANNOT_EVALUATE,
    EQUAL,
    FAIL,
    INCOMPARABLE,
    NOT_APPLICABLE,
    NUMERIC_OPERATORS,
    ONLY_A,
    ONLY_B,
    OPERATORS,
    OUTCOMES,
    PASS,
    STRICTER,
    VERDICTS,
    WEAKER,
    CheckResult,
    ParameterComparison,
    RequirementSpec,
    alternatives,
    applies,
    evaluate,
    evaluate_one,
    summarise,
    to_bool,
    to_decimal,
)

__all__ = [
    "CANNOT_EVALUATE",
    "EQUAL",
    "FAIL",
    "INCOMPARABLE",
    "NOT_APPLICABLE",
    "NUMERIC_OPERATORS",
    "ONLY_A",
    "ONLY_B",
    "OPERATORS",
    "OUTCOMES",
    "PASS",
    "STRICTER",
    "VERDICTS",
    "WEAKER",
    "BulkResult",
    "CheckResult",
    "CompiledRequirements",
    "ParameterComparison",
    "RequirementSpec",
    "alternatives",
    "applies",
    "compare_pair",
    "compare_requirement_sets",
    "evaluate",
    "evaluate_bulk",
    "evaluate_columns",
    "evaluate_one",
    "not_weaker",
    "summarise",
    "to_bool",
    "to_decimal",
]
