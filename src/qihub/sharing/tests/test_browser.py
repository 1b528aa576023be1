"""Instance B in a real browser: B (the live test server) registers and
accepts instance A (a qihub subprocess on its own loopback port and SQLite
directory), pulls A's feed, and its catalogue search shows A's group
standard marked with its source; its network page finds A's expert by
field. No address outside 127.0.0.0/8 is used."""

import pytest

from qihub.sharing import services
from qihub.sharing.models import MemberInstance

EXPERT = """
import datetime
from qihub.pool import services as pool
from qihub.sharing import services
services.publishing_set(kind="expert", enabled=True)
pool.expert_create(name_zh="甲所专家", name_en="Expert of A",
    fields="温度测量; 校准", listed=True, consent_on=datetime.date(2025, 1, 2))
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_b_finds_the_group_standard_of_a_with_its_source(
    remotes, network, staff_user, page, login
):
    a = remotes("a", number=7, title="甲所团体标准")
    a.shell(EXPERT)
    assert a.url.startswith("http://127.0.0.1:")
    assert page.base_url.startswith("http://localhost:") or page.base_url.startswith(
        "http://127.0.0.1:"
    )

    login(staff_user)
    page.goto("/sharing/")
    form = page.locator("#member-register")
    form.locator("[name=network]").select_option(str(network.pk))
    form.locator("[name=base_url]").fill(a.url)
    form.locator("[name=name]").fill("Institute A")
    form.locator("button[type=submit]").click()
    row = page.locator(f'tr[data-member="{a.url}"]')
    assert "Requested" in row.locator("td.state").inner_text()
    row.locator("form.accept button").click()
    assert (
        "Accepted" in page.locator(f'tr[data-member="{a.url}"] td.state').inner_text()
    )

    member = MemberInstance.objects.get(base_url=a.url)
    assert services.member_pull(member=member) == 2  # the standard, the expert

    page.goto("/catalog/?q=T/WSC")
    shared = page.locator("tr.mirrored-standard", has_text="T/WSC 7-2025")
    assert shared.locator("td.source").inner_text().strip() == "Institute A"
    assert "甲所团体标准" in shared.inner_text()
    href = shared.locator("a").first.get_attribute("href")
    assert href.startswith(a.url + "/")

    page.goto(f"/organisations/networks/{network.pk}/")
    search = page.locator("#pool-search-form")
    search.locator("[name=expert_field]").fill("温度")
    search.locator("button[type=submit]").click()
    found = page.locator("table.network-experts tr.expert", has_text="Expert of A")
    found.wait_for()
    assert "Institute A" in found.locator("td.source").inner_text()
    assert "温度测量" in found.inner_text()
