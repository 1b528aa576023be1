"""A sample STS document imported, read clause by clause, and compared, in a
real browser."""

import pytest

from qihub.requirements import demo
from qihub.requirements.tests.conftest import DATA


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_import_read_and_compare(page, staff_user):
    # The enterprise standard and the other samples come from the demo loader;
    # GB 31701 is imported through the page like staff would.
    page.goto("/accounts/login/?next=/requirements/import/")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", f"pw-{staff_user.username}")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_selector("#id_file")
    page.set_input_files("#id_file", str(DATA / "gb31701-2015.sts.xml"))
    page.click("main button[type=submit]")
    page.wait_for_selector("nav.toc")
    assert "GB 31701-2015" in page.inner_text("h1")

    # Table of contents: jump to clause 4.2 and see its limits table and marker.
    page.click("nav.toc a[href='#sec_4.2']")
    clause = page.locator("section#sec_4\\.2")
    assert "甲醛含量/(mg/kg)" in clause.inner_text()
    assert "has-req" in clause.get_attribute("class")
    assert page.locator("section#sec_3\\.1").inner_text().startswith("3.1")
    assert page.locator("section[data-number='A']").count() == 1

    # Confirm the proposals so they count, then compare the enterprise standard.
    from qihub.requirements.models import Requirement
    from qihub.requirements.services import requirement_confirm

    for r in Requirement.objects.filter(status="proposed"):
        requirement_confirm(requirement=r, actor=None)
    demo.load()

    page.goto("/requirements/compare/")
    page.fill("#id_a", "Q/QHB 001-2024")
    page.fill("#id_b", "GB 31701-2015")
    page.click("main form button[type=submit]")
    page.wait_for_selector("table.compare")
    assert page.locator("tr[data-verdict='stricter']").count() >= 1
    assert page.locator("tr[data-verdict='weaker']").count() >= 1
    assert "A is weaker than B" in page.inner_text("#verdict")
