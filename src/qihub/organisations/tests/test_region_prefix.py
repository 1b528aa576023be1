"""One rule for "in this region or a division inside it", used by the
organisation search, the programmes' indicators and conformity's capability
search alike."""

import pytest

from qihub.organisations.models import Region, region_prefix


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("110000", "11"),  # a province
        ("110100", "1101"),  # a city
        ("110105", "110105"),  # a county
        ("11", "11"),  # a prefix given as such
        ("1101", "1101"),
        ("1300", "13"),  # odd input: trailing pairs dropped down to two digits
        (" 510700 ", "5107"),
        ("", ""),
    ],
)
def test_region_prefix(code, prefix):
    assert region_prefix(code) == prefix


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("510000", "province", "51"),
        ("510700", "city", "5107"),
        ("510703", "county", "510703"),
    ],
)
def test_a_region_model_gives_the_same_prefix(code, level, prefix):
    assert Region(code=code, level=level).prefix() == prefix == region_prefix(code)


@pytest.mark.parametrize(
    ("code", "lookups"),
    [
        ("510000", {"region_id__gte": "51", "region_id__lt": "52"}),
        ("519900", {"region_id__gte": "5199", "region_id__lt": "5200"}),
        ("190000", {"region_id__gte": "19", "region_id__lt": "20"}),
        ("99", {"region_id__gte": "99"}),
        ("", {}),
        ("x1", {"region_id__startswith": "x1"}),
    ],
)
def test_region_code_q_is_a_range_of_digit_codes(code, lookups):
    from qihub.organisations.selectors import region_code_q

    assert dict(region_code_q(code).children) == lookups
