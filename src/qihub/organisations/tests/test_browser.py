"""Real-browser test over the demo: the regional centre's network page shows
its units' combined standards per level; one unit's page shows what it
drafted and its designations."""

import pytest

from qihub.catalog import demo as catalog_demo
from qihub.core import demo as core_demo
from qihub.organisations import demo
from qihub.organisations.models import Network, Region
from qihub.organisations.regions import regions_load
from qihub.vocab import demo as vocab_demo


@pytest.fixture
def demo_centre(db):
    if not Region.objects.filter(code="510700").exists():
        regions_load()  # a transactional test flushed the migration's divisions
    core_demo.load()
    vocab_demo.load()
    catalog_demo.load()
    demo.load()
    return Network.objects.get(name_zh=demo.CENTRE[0])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_centre_output_per_level_then_one_unit(page, demo_centre):
    page.goto("/organisations/networks/")
    page.click(f"text={demo.CENTRE[1]}")
    page.wait_for_selector("table.by-level-year")
    totals = {
        level: page.locator(
            f"table.by-level-year tr[data-level={level}] td.level-total"
        ).inner_text()
        for level in ("international", "national", "industry", "group")
    }
    assert totals == {
        "international": "4",
        "national": "28",
        "industry": "5",
        "group": "22",
    }
    assert page.locator("table.members tbody tr").count() == 20

    page.click("table.members a:has-text('Sichuan Changhong Electric Co., Ltd.')")
    page.wait_for_selector("h1:has-text('Sichuan Changhong Electric')")
    drafted = page.locator("table.drafted tbody tr")
    assert drafted.count() >= 2
    assert "first drafting unit" in page.inner_text("table.drafted")
    designations = page.inner_text("table.designations")
    assert "Co-construction unit of a centre" in designations
    assert demo.CENTRE[1] in designations
    assert "Honest measurement demonstration unit" in designations
