import pytest

from qihub.catalog import services


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_in_chinese_open_standard_and_see_replacement(page, classifications):
    old = services.standard_create(
        actor=None,
        identifier="GB 2762-2017",
        title_zh="食品安全国家标准 食品中污染物限量",
        ics=["67.040"],
    )
    new = services.standard_create(
        actor=None,
        identifier="GB 2762-2022",
        title_zh="食品安全国家标准 食品中污染物限量",
        ics=["67.040"],
    )
    services.standard_create(
        actor=None, identifier="GB 18401-2010", title_zh="国家纺织产品基本安全技术规范"
    )
    services.standard_replace(old=old, new=new, actor=None)

    page.goto("/")
    page.fill("input[name=q]", "食品")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == 2
    assert "18401" not in page.locator("table.results").inner_text()
    page.click("text=GB 2762-2017")
    page.wait_for_selector("h1")
    assert "GB 2762-2017" in page.inner_text("h1")
    relations = page.inner_text("ul.relations")
    assert "Replaced by" in relations
    assert "GB 2762-2022" in relations
    assert page.locator("svg.relation-graph").count() == 1
    page.click("ul.relations >> text=GB 2762-2022")
    assert "Replaces" in page.inner_text("ul.relations")
