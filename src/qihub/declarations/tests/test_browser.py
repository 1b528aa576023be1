"""The issue's acceptance path in a real browser."""

import pytest

from qihub.declarations.tests.conftest import make_code, withdraw_standard


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_register_declare_flag_correct_search_withdraw(page, gb_toy, staff_user):
    code = make_code("91440300MA5GTE4T1")
    page.goto("/declarations/register/")
    page.fill("#id_credit_code", code)
    page.fill("#id_name", "深圳市小羊童装有限公司")
    page.fill("#id_region", "深圳")
    page.fill("#id_industry", "纺织")
    page.fill("#id_username", "xiaoyang")
    page.fill("#id_password", "a-long-password")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/declarations/mine/")

    page.click("text=New declaration")
    page.fill("#id_product_name", "婴儿纯棉连体衣")
    page.fill("#id_category", "children's textiles")
    page.fill("#id_standards", "GB 31701-2015")
    page.fill("[name=ind-0-parameter]", "甲醛")
    page.select_option("[name=ind-0-operator]", "<=")
    page.fill("[name=ind-0-value]", "30")
    page.fill("[name=ind-0-unit]", "mg/kg")
    page.fill("[name=ind-1-parameter]", "pH")
    page.select_option("[name=ind-1-operator]", "range")
    page.fill("[name=ind-1-value]", "4.5")
    page.fill("[name=ind-1-upper]", "7.0")
    page.click("text=Save draft")
    page.click("#submit-declaration")
    assert page.locator("#draft [data-check=flagged]").is_visible()
    assert "weaker than the mandatory" in page.locator("#draft .issues").inner_text()

    page.click("text=Change")
    page.fill("[name=ind-0-value]", "15")
    page.click("text=Save draft")
    page.click("#submit-declaration")
    assert "Version 1 is published" in page.content()
    assert page.locator("#current [data-check=ok]").is_visible()

    page.goto("/declarations/")
    page.fill("#id_q", "婴儿纯棉")
    page.click("form.searchbox button[type=submit]")
    page.locator("#results").get_by_text("婴儿纯棉连体衣").click()
    assert "深圳市小羊童装有限公司" in page.content()
    url = page.url

    withdraw_standard(gb_toy, staff_user)
    page.goto(url)
    assert page.locator("#current [data-check=flagged]").is_visible()
    assert (
        "GB 31701-2015 has been withdrawn"
        in page.locator("#current .issues").inner_text()
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_indicators_read_from_the_q_file(
    page, login, gb_toy, enterprise, enterprise_user
):
    from qihub.declarations.models import Declaration

    login(enterprise_user)
    page.goto("/declarations/new/")
    page.fill("#id_product_name", "婴儿纯棉连体衣")
    page.fill("#id_category", "children's textiles")
    page.fill("#id_standards", "GB 31701-2015\nQ/HBJ 01-2021")
    page.set_input_files(
        "#id_q_standard_file",
        {
            "name": "Q-HBJ-01-2021.txt",
            "mimeType": "text/plain",
            "buffer": "4.1 甲醛含量应不大于 15 mg/kg。\n4.2 pH 值应为 4.0～7.5。\n".encode(),
        },
    )
    page.click("#propose-indicators")
    page.get_by_text("2 indicator(s) read from Q-HBJ-01-2021.txt").wait_for()
    assert page.input_value("[name=ind-0-parameter]") == "formaldehyde"
    assert page.input_value("[name=ind-0-value]") == "15"
    assert page.input_value("[name=ind-1-upper]") == "7.5"
    page.click("text=Save draft")
    page.wait_for_url("**/declarations/*/")
    version = Declaration.objects.get().versions.get()
    assert version.q_standard_file.name.endswith(".txt")  # the file kept its place
    assert sorted(i.parameter for i in version.indicators.all()) == [
        "formaldehyde",
        "ph",
    ]
