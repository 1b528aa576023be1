"""Real-browser test: the Jilin programme's dashboard and a drill-down."""

import pytest

from qihub.programmes import demo
from qihub.programmes.models import Programme


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_media")
def test_jilin_dashboard_and_drill_down_to_a_city(page):
    from qihub.organisations.models import Region
    from qihub.organisations.regions import regions_load

    if not Region.objects.exists():  # flushed by an earlier transactional test
        regions_load()
    demo.load()
    jilin = Programme.objects.get(name_zh=demo.JILIN)
    page.goto("/programmes/")
    page.click(f"text={jilin.name_en}")
    coverage = page.locator(".target-card[data-indicator='verification_coverage']")
    coverage.wait_for()
    assert coverage.get_attribute("data-status") == "at_risk"
    assert "At risk" in coverage.locator(".badge.status").inner_text()
    assert coverage.locator("svg.target-chart line.target").count() == 1
    rm = page.locator(".target-card[data-indicator='certified_reference_materials']")
    assert "forecast reached" in rm.locator("span.forecast").inner_text()
    assert rm.locator("svg.target-chart line.forecast").count() == 1
    statuses = set(
        page.locator(".target-card").evaluate_all(
            "els => els.map(e => e.dataset.status)"
        )
    )
    assert {"met", "at_risk"} <= statuses
    # drill down to a city: its own cards, from its own snapshots
    page.click("table.drilldown a:has-text('Changchun')")
    page.wait_for_selector("h2.scope-name:has-text('Changchun')")
    assert "scope=220100" in page.url
    assert page.locator(".target-card").count() == 6
    value = page.locator(
        ".target-card[data-indicator='social_public_standards'] .value"
    ).inner_text()
    assert value == str(round(1462 * demo.CITY_SHARES["220100"]))
    page.click("text=back to the whole programme")
    page.wait_for_selector("table.drilldown")
