"""Real-browser test: follow an instrument's chain up to the national standard."""

import pytest

from qihub.metrology.tests.conftest import DAY


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_follow_chain_to_national_standard(page, registry):
    page.goto("/metrology/instruments/")
    page.click("text=INS-0001")
    page.wait_for_selector("svg.chain-graph")
    page.fill("input[name=on]", DAY.isoformat())
    page.click("text=Validate on this date")
    page.wait_for_selector(".chain-status:has-text('Chain valid')")
    nodes = page.locator("svg.chain-graph g.node").evaluate_all(
        "els => els.map(e => e.dataset.code)"
    )
    # drawn from the instrument (bottom) up to the national primary (top)
    assert nodes == ["INS-0001", "JL-S-002", "JL-S-001", "NIM-P-01"]
    assert (
        page.locator("svg.chain-graph g.node.primary").get_attribute("data-code")
        == "NIM-P-01"
    )
    # follow the link to the top: the working standard's page shows its own chain
    page.click("text=Certificates")
    page.click("text=JL-2026-010")
    page.click("a:has-text('JL-S-001')")
    page.wait_for_selector("svg.chain-graph g.node.primary[data-code='NIM-P-01']")
    assert "National primary standard" not in page.title()
