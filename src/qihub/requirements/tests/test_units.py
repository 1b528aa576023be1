from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qihub.requirements import units


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("毫克/千克", "mg/kg"),
        ("毫克每千克", "mg/kg"),
        ("mg/kg", "mg/kg"),
        ("μg/kg", "μg/kg"),
        ("µg/kg", "μg/kg"),
        ("ug/kg", "μg/kg"),
        ("%", "%"),
        ("‰", "‰"),
        ("ppm", "ppm"),
        ("℃", "℃"),
        ("°C", "℃"),
        ("个/100g", "count/100g"),
        ("mg/L", "mg/L"),
        ("", ""),
    ],
)
def test_normalise_unit(text, canonical):
    assert units.normalise_unit(text) == canonical


def test_exact_conversion():
    assert units.convert(Decimal("0.1"), "mg/kg", "µg/kg") == Decimal(100)
    assert units.convert(Decimal("0.1"), "毫克/千克", "ug/kg") == Decimal(100)
    assert units.convert(Decimal("1"), "%", "mg/kg") == Decimal(10000)
    assert units.convert(Decimal("20"), "mg/kg", "ppm") == Decimal(20)
    assert units.convert(Decimal("37"), "℃", "K") == Decimal("310.15")
    assert units.convert(Decimal("0.5"), "g/100g", "%") == Decimal("0.5")


def test_incompatible_dimensions_raise():
    with pytest.raises(units.UnitError, match="different quantities"):
        units.convert(Decimal(1), "mg/kg", "mm")
    with pytest.raises(units.UnitError, match="Unknown unit"):
        units.parse_unit("blorbs per wug")


@given(
    st.decimals(
        min_value=Decimal("-1e9"),
        max_value=Decimal("1e9"),
        allow_nan=False,
        allow_infinity=False,
        places=6,
    ),
    st.sampled_from(
        [
            ("mg/kg", "µg/kg"),
            ("g/kg", "mg/kg"),
            ("%", "ppm"),
            ("mm", "m"),
            ("kPa", "Pa"),
        ]
    ),
)
def test_round_trip_is_exact(value, pair):
    there = units.convert(value, pair[0], pair[1])
    assert units.convert(there, pair[1], pair[0]) == value
