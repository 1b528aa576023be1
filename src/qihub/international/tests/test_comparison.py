import io

import pytest
from openpyxl import load_workbook

from qihub.core.errors import ApplicationError
from qihub.international.comparison import comparison_xlsx, field_comparison


@pytest.mark.django_db
def test_field_comparison_of_ics_67(food):
    c = field_comparison(ics="67")
    ids = [r.identifier for r in c.rows]
    # in-force international standards only, one row per standard (newest edition)
    assert ids == ["ISO 2171:2023", "ISO 22000:2018", "ISO 665:2020"]
    rows = {r.identifier: r for r in c.rows}
    a = rows["ISO 22000:2018"].adoptions[0]
    assert (a.identifier, a.degree, a.outdated, a.adopted_edition) == (
        "GB/T 22000-2006",
        "IDT",
        True,
        "ISO 22000:2005",
    )
    assert rows["ISO 665:2020"].best_degree == "MOD"
    assert [r.identifier for r in c.unmatched] == ["ISO 2171:2023"]
    assert c.degrees == {"IDT": 1, "MOD": 1, "NEQ": 0}
    assert c.rate == round(2 / 3, 4)
    last = c.by_year[-1]
    assert (last["published"], last["adopted"]) == (3, 2)
    y2019 = next(y for y in c.by_year if y["year"] == 2019)
    assert (y2019["published"], y2019["adopted"]) == (1, 1)


@pytest.mark.django_db
def test_foreign_standards_compare_the_same_way(food):
    c = field_comparison(ics="67.250", reference="foreign")
    assert [(r.identifier, r.best_degree) for r in c.rows] == [
        ("EN 1186-1:2002", "NEQ")
    ]
    assert field_comparison(ics="67.250").rows == []


@pytest.mark.django_db
def test_stricter_and_weaker_from_requirements(food):
    from qihub.requirements.services import requirement_create

    for std, value in ((food["iso665"], "8"), (food["gbt14489"], "7")):
        requirement_create(
            standard=std, parameter="moisture", operator="<=", value=value, unit="%"
        )
    for std, value in ((food["iso22000_2005"], "5"), (food["gbt22000"], "6")):
        requirement_create(
            standard=std, parameter="lead", operator="<=", value=value, unit="mg/kg"
        )
    c = field_comparison(ics="67")
    rows = {r.identifier: r for r in c.rows}
    assert rows["ISO 665:2020"].adoptions[0].verdict == "stricter"
    assert rows["ISO 22000:2018"].adoptions[0].verdict == "weaker"
    assert c.verdicts == {"stricter": 1, "weaker": 1}


@pytest.mark.django_db
def test_bad_field_refused(food):
    with pytest.raises(ApplicationError, match="not an ICS code"):
        field_comparison(ics="food")
    with pytest.raises(ApplicationError, match="Give an ICS field"):
        field_comparison()
    with pytest.raises(ApplicationError, match="reference must be"):
        field_comparison(ics="67", reference="asia")


@pytest.mark.django_db
def test_xlsx_export_is_safe(food):
    food["iso2171"].title_en = '=HYPERLINK("http://x")'
    food["iso2171"].save()
    wb = load_workbook(io.BytesIO(comparison_xlsx(field_comparison(ics="67"))))
    assert wb.sheetnames == ["Summary", "Adoptions", "Unmatched", "By year"]
    cells = [c.value for row in wb["Unmatched"].iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in cells


@pytest.mark.django_db
def test_astm_and_jis_compare_like_en(food):
    """ASTM (American) and JIS (Japanese) standards are foreign national
    ones; a field's comparison lists them, adopted or not, as it does EN."""
    from qihub.catalog.models import StandardRelation
    from qihub.catalog.services import relation_add
    from qihub.international.tests.conftest import _std

    astm = _std("ASTM F2101-19", "published", "2019-06-01", ["67.250"])
    jis = _std("JIS S 2029:2015", "published", "2015-03-20", ["67.250"])
    gb = _std("GB/T 40001-2021", "in_force", "2021-01-01", ["67.250"])
    relation_add(
        source=gb,
        target=astm,
        kind=StandardRelation.Kind.ADOPTS,
        degree="MOD",
        actor=None,
    )
    assert {astm.level, jis.level} == {"foreign_national"}
    c = field_comparison(ics="67.250", reference="foreign")
    rows = {r.identifier: r.best_degree for r in c.rows}
    assert rows == {
        "ASTM F2101-19": "MOD",
        "EN 1186-1:2002": "NEQ",
        "JIS S 2029:2015": "",
    }
    assert [r.identifier for r in c.unmatched] == ["JIS S 2029:2015"]
