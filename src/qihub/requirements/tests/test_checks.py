from decimal import Decimal as D

import pytest

from qihub.requirements.checks import (
    CANNOT_EVALUATE,
    EQUAL,
    FAIL,
    INCOMPARABLE,
    NOT_APPLICABLE,
    ONLY_A,
    ONLY_B,
    PASS,
    STRICTER,
    WEAKER,
    RequirementSpec,
    compare_requirement_sets,
    evaluate,
    evaluate_bulk,
    not_weaker,
    summarise,
)

INFANT = RequirementSpec(
    "formaldehyde", "<=", D(20), unit="mg/kg", conditions={"age_group": "infant"}
)
DIRECT = RequirementSpec(
    "formaldehyde", "<=", D(75), unit="mg/kg", conditions={"age_group": "child"}
)
PH = RequirementSpec("ph", "range", D("4.0"), D("7.5"))
ODOUR = RequirementSpec("odour", "bool", D(0))
GRADE = RequirementSpec("category", "one_of", values=("A", "B"))


def outcome(values, spec, conditions=None):
    (result,) = evaluate(values, [spec], conditions)
    return result


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("20", "mg/kg", PASS),
        ("20.0001", "mg/kg", FAIL),
        ("0.02", "g/kg", PASS),
        (D("20000"), "µg/kg", PASS),
        ("20001", "μg/kg", FAIL),
        ("0.002", "%", PASS),
        ("20", "毫克/千克", PASS),
        ("20,5", "mg/kg", FAIL),
        ("20", "mm", CANNOT_EVALUATE),
        ("twenty", "mg/kg", CANNOT_EVALUATE),
        ("20", "wugs", CANNOT_EVALUATE),
    ],
)
def test_limit_with_units(value, unit, expected):
    result = outcome({"formaldehyde": (value, unit)}, INFANT, {"age_group": "infant"})
    assert result.outcome == expected, result.reason


def test_exact_decimal_boundary():
    spec = RequirementSpec("lead", "<=", D("100"), unit="µg/kg")
    assert outcome({"lead": (D("0.1"), "mg/kg")}, spec).outcome == PASS
    strict = RequirementSpec("lead", "<", D("100"), unit="µg/kg")
    assert outcome({"lead": (D("0.1"), "mg/kg")}, strict).outcome == FAIL


def test_conditions_missing_value_and_kinds():
    assert (
        outcome(
            {"formaldehyde": ("10", "mg/kg")}, INFANT, {"age_group": "adult"}
        ).outcome
        == NOT_APPLICABLE
    )
    result = outcome({"formaldehyde": ("10", "mg/kg")}, INFANT, {})
    assert result.outcome == CANNOT_EVALUATE
    assert "age_group" in result.reason
    assert outcome({}, PH).outcome == CANNOT_EVALUATE
    assert outcome({"ph": ("7,5", "")}, PH).outcome == PASS
    assert outcome({"ph": ("8", "")}, PH).outcome == FAIL
    assert outcome({"odour": ("无", "")}, ODOUR).outcome == PASS
    assert outcome({"odour": (True, "")}, ODOUR).outcome == FAIL
    assert outcome({"category": ("b", "")}, GRADE).outcome == PASS
    assert outcome({"category": ("C", "")}, GRADE).outcome == FAIL
    alt = RequirementSpec("ph", "range", D(4), D("8.5"), conditions={"class": "B|C"})
    assert outcome({"ph": ("8", "")}, alt, {"class": "C"}).outcome == PASS
    may = RequirementSpec("ph", "range", D(4), D(9), kind="may")
    assert outcome({"ph": ("10", "")}, may).outcome == NOT_APPLICABLE


def test_summarise():
    results = evaluate(
        {"formaldehyde": ("30", "mg/kg"), "ph": ("5", "")},
        [INFANT, PH],
        {"age_group": "infant"},
    )
    assert summarise(results) == FAIL


def test_bulk_matches_single():
    specs = [INFANT, DIRECT, PH, ODOUR, GRADE]
    products = [
        {
            "formaldehyde": (20.0, "mg/kg"),
            "ph": (5.0, ""),
            "odour": ("no", ""),
            "category": ("A", ""),
        },
        {
            "formaldehyde": (0.0201, "g/kg"),
            "ph": ("7,5", ""),
            "odour": (False, ""),
            "category": ("B", ""),
        },
        {
            "formaldehyde": (D("0.1"), "%"),
            "ph": (9, ""),
            "odour": ("yes", ""),
            "category": ("Z", ""),
        },
        {"formaldehyde": (3, "mm")},
        {},
    ]
    conds = [
        {"age_group": "infant"},
        {"age_group": "infant"},
        {"age_group": "child"},
        {"age_group": "infant"},
        {},
    ]
    bulk = evaluate_bulk(products, specs, conds, chunk_size=2)
    for i, product in enumerate(products):
        single = [r.outcome for r in evaluate(product, specs, conds[i])]
        assert [o for _s, o in bulk.results_for(i)] == single, i
    assert bulk.verdict_counts["fail"] == 2
    assert sum(bulk.counts.values()) == len(products) * len(specs)


def test_bulk_float_tolerance_on_converted_limits():
    spec = RequirementSpec("lead", "<=", D("100"), unit="µg/kg")
    bulk = evaluate_bulk(
        [{"lead": (0.1, "mg/kg")}, {"lead": (0.1000001, "mg/kg")}], [spec]
    )
    assert list(bulk.verdicts) == [0, 1]


def test_compare_sets():
    mandatory = [
        RequirementSpec(
            "formaldehyde",
            "<=",
            D(20),
            unit="mg/kg",
            conditions={"age_group": "infant"},
        ),
        RequirementSpec(
            "formaldehyde", "<=", D(75), unit="mg/kg", conditions={"age_group": "child"}
        ),
        RequirementSpec("ph", "range", D("4.0"), D("7.5")),
        RequirementSpec("lead_total", "<=", D(90), unit="mg/kg"),
    ]
    enterprise = [
        RequirementSpec(
            "formaldehyde",
            "<=",
            D("0.016"),
            unit="g/kg",
            conditions={"age_group": "infant"},
        ),
        RequirementSpec(
            "formaldehyde",
            "<=",
            D(75000),
            unit="µg/kg",
            conditions={"age_group": "child"},
        ),
        RequirementSpec("ph", "range", D("4.0"), D("9.0")),
        RequirementSpec("odour", "bool", D(0)),
    ]
    rows = {
        (r.parameter, tuple(sorted(r.conditions.items()))): r
        for r in compare_requirement_sets(enterprise, mandatory)
    }
    assert rows[("formaldehyde", (("age_group", "infant"),))].verdict == STRICTER
    assert rows[("formaldehyde", (("age_group", "child"),))].verdict == EQUAL
    assert rows[("ph", ())].verdict == WEAKER
    assert rows[("odour", ())].verdict == ONLY_A
    assert rows[("lead_total", ())].verdict == ONLY_B
    assert not not_weaker(rows.values())
    assert not_weaker([r for r in rows.values() if r.verdict != WEAKER])


def test_compare_unconditional_against_conditional_and_dimensions():
    a = [RequirementSpec("formaldehyde", "<=", D(20), unit="mg/kg")]
    b = [
        RequirementSpec(
            "formaldehyde",
            "<=",
            D(20),
            unit="mg/kg",
            conditions={"age_group": "infant"},
        ),
        RequirementSpec(
            "formaldehyde",
            "<=",
            D(300),
            unit="mg/kg",
            conditions={"age_group": "adult"},
        ),
    ]
    verdicts = sorted(r.verdict for r in compare_requirement_sets(a, b))
    assert verdicts == [EQUAL, STRICTER]
    odd = compare_requirement_sets(
        [RequirementSpec("x", "<=", D(1), unit="mm")],
        [RequirementSpec("x", "<=", D(1), unit="mg/kg")],
    )
    assert odd[0].verdict == INCOMPARABLE
    strict_lt = compare_requirement_sets(
        [RequirementSpec("x", "<", D(1))], [RequirementSpec("x", "<=", D(1))]
    )
    assert strict_lt[0].verdict == STRICTER


def test_columns_match_row_bulk():
    import numpy as np

    from qihub.requirements.checks import evaluate_columns

    specs = [INFANT, DIRECT, PH, ODOUR]
    columns = {
        "formaldehyde": (np.array([20000.0, 20100.0, np.nan]), "µg/kg"),
        "ph": ([5.0, 9.0, 6.0], ""),
        "odour": ([0.0, 1.0, 0.0], ""),
    }
    conds = [{"age_group": "infant"}, {"age_group": "child"}, {"age_group": "infant"}]
    cols = evaluate_columns(columns, specs, conds)
    rows = evaluate_bulk(
        [
            {k: (v[0][i], v[1]) for k, v in columns.items() if not np.isnan(v[0][i])}
            for i in range(3)
        ],
        specs,
        conds,
    )
    assert cols.outcomes.tolist() == rows.outcomes.tolist()
    bad = evaluate_columns(
        {"formaldehyde": ([1.0], "mm")}, [INFANT], {"age_group": "infant"}
    )
    assert bad.outcomes.tolist() == [[3]]
