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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_then_download_the_streamed_xlsx(page, classifications):
    import io

    from openpyxl import load_workbook

    for n in range(1, 6):
        catalog_services.standard_create(
            actor=None, identifier=f"GB/T {n}-2020", title_zh=f"食品 检验 {n}"
        )
    catalog_services.standard_create(
        actor=None, identifier="GB/T 9-2020", title_zh="=HYPERLINK(1) 食品"
    )
    page.goto("/catalog/?q=食品")
    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as f:
        values = list(load_workbook(io.BytesIO(f.read())).active.values)
    assert values[0][0] == "identifier"
    assert sorted(row[0] for row in values[1:]) == [
        *(f"GB/T {n}-2020" for n in range(1, 6)),
        "GB/T 9-2020",
    ]
    assert "'=HYPERLINK(1) 食品" in [row[1] for row in values[1:]]
