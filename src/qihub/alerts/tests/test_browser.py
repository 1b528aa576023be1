import pytest

from qihub.alerts import services
from qihub.catalog import services as catalog_services


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_follow_a_standard_it_is_replaced_the_inbox_shows_it(
    page, login, user, classifications
):
    old = catalog_services.standard_create(
        actor=None, identifier="GB/T 19001-2016", title_zh="质量管理体系 要求"
    )
    services.alerts_run()  # the standard is known before the user follows it
    login(user)
    page.goto(old.get_absolute_url())
    page.get_by_role("button", name="Follow").click()
    page.wait_for_selector("text=You follow this standard")
    new = catalog_services.standard_create(
        actor=None, identifier="GB/T 19001-2026", title_zh="质量管理体系 要求"
    )
    catalog_services.standard_replace(old=old, new=new, actor=None)
    services.alerts_daily()
    page.goto("/alerts/inbox/")
    item = page.locator("ul.inbox li", has_text="GB/T 19001-2016 is replaced")
    assert item.count() == 1
    assert "Replaced by GB/T 19001-2026" in item.inner_text()
    assert "1 unread" in page.locator("h1").inner_text()
    page.goto("/alerts/")
    assert page.locator("td", has_text="GB/T 19001-2026").count() == 1
