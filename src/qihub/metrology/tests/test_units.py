import pytest
from hypothesis import given
from hypothesis import strategies as st

from qihub.metrology.units import (
    UnitError,
    convert,
    convert_delta,
    dsi_to_pint,
    pint_to_dsi,
    to_dsi,
)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(
    finite, st.sampled_from([("kPa", "Pa"), ("degC", "K"), ("kg", "g"), ("L", "mL")])
)
def test_conversions_round_trip(value, units):
    a, b = units
    assert convert(convert(value, a, b), b, a) == pytest.approx(value, abs=1e-6)


def test_offsets_apply_to_values_not_to_differences():
    assert convert(20, "degC", "K") == pytest.approx(293.15)
    assert convert_delta(0.5, "degC", "K") == pytest.approx(0.5)
    assert convert_delta(0.5, "kPa", "Pa") == pytest.approx(500)


@pytest.mark.parametrize(
    ("dsi", "pint_unit"),
    [
        ("\\kilo\\pascal", "kPa"),
        ("\\degreecelsius", "degC"),
        ("\\kelvin", "K"),
        ("\\one", "dimensionless"),
    ],
)
def test_dsi_round_trip(dsi, pint_unit):
    assert dsi_to_pint(dsi) == pint_unit
    assert pint_to_dsi(pint_unit) == dsi


def test_dsi_compound_and_errors():
    assert dsi_to_pint("\\metre\\second\\tothe{-1}") == "m*s**-1"
    with pytest.raises(UnitError):
        dsi_to_pint("\\furlong")
    with pytest.raises(UnitError):
        convert(1, "dB", "Pa")
    assert to_dsi("furlong-ish") == "\\one"
