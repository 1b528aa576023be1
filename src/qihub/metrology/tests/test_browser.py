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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_registers_an_instrument_and_records_its_verification(
    page, login, staff_user, registry
):
    login(staff_user)
    page.goto("/metrology/instruments/")
    page.click("text=Register an instrument")
    page.fill("#id_code", "INS-0300")
    page.fill("#id_name", "电子血压计")
    page.select_option("#id_item_type", "CV-04")
    page.select_option("#id_use", "health")
    page.fill("#id_quantity", "pressure")
    page.fill("#id_unit", "kPa")
    page.fill("#id_range_min", "0")
    page.fill("#id_range_max", "40")
    page.fill("#id_mpe", "0.5")
    # the owner is picked from the registry by typing part of its name
    page.fill("input[name=owner__q]", "第一医院")
    page.click(".org-result-list button:has-text('长春市第一医院')")
    page.wait_for_selector("[data-testid=owner-picked]:has-text('长春市第一医院')")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("h1:has-text('INS-0300')")
    assert "Instrument INS-0300 registered." in page.inner_text(".messages")
    assert page.locator("a:has-text('长春市第一医院')").count() == 1

    page.click("text=Record a calibration or verification")
    assert page.input_value("#id_instrument") == "INS-0300"
    page.fill("#id_certificate_number", "JL-2026-700")
    page.select_option("#id_kind", "verification")
    page.fill("#id_reference_standard", "JL-S-002")
    page.select_option("#id_laboratory", "JLIM")
    page.fill("#id_performed_on", DAY.isoformat())
    page.fill("#id_valid_until", "2027-05-31")
    page.fill("#id_measured_error", "0.05")
    page.fill("#id_expanded_uncertainty", "0.2")
    page.select_option("#id_conformity", "pass")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("h1:has-text('JL-2026-700')")
    assert "Certificate JL-2026-700 recorded." in page.inner_text(".messages")
    assert page.locator("a:has-text('INS-0300')").count() == 1
    assert page.locator("a:has-text('JL-S-002')").count() == 1
    # the instrument's chain now runs through the new certificate to the top
    page.click("a:has-text('INS-0300')")
    page.fill("input[name=on]", DAY.isoformat())
    page.click("text=Validate on this date")
    page.wait_for_selector(".chain-status:has-text('Chain valid')")
