"""A project walked from proposal to publication in a real browser."""

import datetime

import pytest
from django.utils import timezone

from qihub.catalog.models import Standard
from qihub.catalog.tests.factories import StandardFactory
from qihub.core.services import user_create
from qihub.lifecycle import services
from qihub.lifecycle.models import CommitteeMember


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_project_from_proposal_to_publication(page, staff_user, enterprise_user):
    old = StandardFactory(
        identifier="GB 31701-2015",
        nature="mandatory",
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
        title_en="Safety technical code for infants and children textile products",
        issued_on=datetime.date(2015, 5, 26),
        implemented_on=datetime.date(2016, 6, 1),
    )
    committee = services.committee_create(actor=staff_user, code="SAC/TC 219")
    voters = []
    for i in range(3):
        user = user_create(username=f"voter{i}", password=f"pw-voter{i}")
        services.committee_member_add(committee=committee, user=user, actor=staff_user)
        voters.append(user)
    project = services.project_create(
        actor=enterprise_user,
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
        title_en="Safety technical code for infants and children textile products",
        replaces=old,
        committee=committee,
    )
    url = f"/lifecycle/projects/{project.pk}/"

    def login(user):
        # The shared ``login`` fixture clicks the first submit button on the
        # page, which is the header's language switch; submit the login form.
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", f"pw-{user.username}")
        page.click("form:has(#id_password) button[type=submit]")
        page.wait_for_load_state()

    def step(slug: str, **fields):
        form = page.locator(f'form[data-transition="{slug}"]')
        for name, value in fields.items():
            form.locator(f'input[name="{name}"]').fill(value)
        form.locator("button").click()
        page.wait_for_load_state()

    login(staff_user)
    page.goto(url)
    assert page.locator('form[data-transition="published"]').count() == 0
    step("approved", comment="Plan approved")
    step("drafting")
    page.fill("#id_identifier", "GB 31701-2026")
    page.fill(
        "#id_draft_text",
        "1 范围\n本文件规定了婴幼儿纺织产品的安全要求。\n4.1 甲醛含量\n",
    )
    page.click("#draft-form button")
    deadline = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    step("consultation", deadline=deadline)
    assert "Consultation" in page.locator("#project-state").inner_text()

    # an anonymous visitor comments on clause 4.1
    page.context.clear_cookies()
    page.click("#consultations a")
    page.select_option("#id_clause", "4.1")
    page.fill("#id_commenter", "王工")
    page.fill("#id_organisation", "某检测中心")
    page.select_option("#id_type", "te")
    page.fill("#id_text", "甲醛限量应与 GB 18401 一致")
    page.click("#comment-form button")
    page.get_by_text("comment no. 1 was recorded").wait_for()

    # staff resolve it on the resolution page (htmx)
    login(staff_user)
    page.goto(url)
    page.click("text=Resolve comments")
    row = page.locator("tbody tr").first
    row.locator("select").select_option("partial")
    row.locator("textarea").fill("采纳限量，保留检测方法")
    row.locator("button").click()
    page.locator("tbody tr .badge", has_text="Partially accepted").wait_for()

    page.goto(url)
    step("review")
    # committee ballot: one member votes in the browser, two more by service
    login(voters[0])
    page.goto(url)
    page.click("#ballots a")
    page.check('input[value="approve"]')
    page.click("#vote-form button")
    page.get_by_text("Your vote was recorded").wait_for()
    ballot = project.ballots.get()
    for voter in voters[1:]:
        services.ballot_vote(ballot=ballot, actor=voter, choice="approve")
    login(staff_user)
    page.goto(f"/lifecycle/ballots/{ballot.pk}/")
    page.click("#close-form button")
    assert page.locator("#ballot-result").inner_text() == "Passed"

    page.goto(url)
    step("submitted")
    step("published", issued_on="2026-03-01")
    assert "Published" in page.locator("#project-state").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "Plan approved" in timeline

    assert page.locator("#published-standard").inner_text() == "GB 31701-2026"
    response = page.goto(page.locator("#published-standard").get_attribute("href"))
    assert response.ok
    old.refresh_from_db()
    assert old.status == Standard.Status.REPLACED
    # the undated identifier now resolves to the new edition in the catalogue
    from qihub.catalog.selectors import standard_get_by_identifier

    assert standard_get_by_identifier("GB 31701").identifier == "GB 31701-2026"
    new = Standard.objects.get(identifier="GB 31701-2026")
    assert new.relations_out.get().target == old
    assert CommitteeMember.objects.count() == 3
