"""Real-browser test: the ICS 67 comparison, then a TBT notification that
alerts an enterprise with a declaration in that field."""

import pytest

from qihub.international.imports import tbt_import
from qihub.international.tests.conftest import TBT_CSV


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_food_comparison_then_tbt_alert(page, login, food, food_enterprise):
    assert tbt_import(file=TBT_CSV.encode()).ok
    page.goto("/international/")
    page.click("nav.small >> text=Field comparison")
    page.fill("input[name=ics]", "67")
    page.click("form.searchbox button[type=submit]")
    page.wait_for_selector("table.adoptions")
    adoptions = page.inner_text("table.adoptions")
    assert "GB/T 22000-2006" in adoptions
    assert page.locator("table.adoptions .badge.degree").all_inner_texts() == [
        "IDT",
        "MOD",
    ]
    assert "adopts ISO 22000:2005" in adoptions
    assert "ISO 2171:2023" in page.inner_text("table.unmatched")
    assert "2 of 3 reference standards" in page.inner_text(".summary")

    page.click("nav.small >> text=TBT/SPS notifications")
    # still open for comments: listed under the deadlines
    page.click("table.deadlines >> text=G/TBT/N/KOR/1201")
    page.wait_for_selector("h1:has-text('G/TBT/N/KOR/1201')")
    alerted = page.inner_text("table.alerted")
    assert "深圳市甜源食品有限公司" in alerted
    assert "declares a standard in ICS 67.220.20" in alerted
    assert "GB 2760-2024" in page.inner_text("ul.cited")
    page.click("table.alerted >> text=深圳市甜源食品有限公司")
    page.wait_for_selector("h1:has-text('深圳市甜源食品有限公司')")
    assert "TBT/SPS notifications touching its declarations" in page.inner_text("main")

    # the enterprise's user finds the notification in the inbox
    login(food_enterprise.organisation.memberships.get().user, "pw-foodent")
    page.goto("/alerts/inbox/")
    item = page.locator("ul.inbox li", has_text="G/TBT/N/KOR/1201")
    assert item.count() == 1
    item.locator("a", has_text="G/TBT/N/KOR/1201").click()
    page.wait_for_selector("h1:has-text('G/TBT/N/KOR/1201')")
