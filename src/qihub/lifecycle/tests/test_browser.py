"""In a real browser: a project walked from proposal to publication, and
staff registering a committee and a research project on their pages."""

import datetime

import pytest
from django.utils import timezone

from qihub.catalog.models import Standard
from qihub.catalog.tests.factories import StandardFactory
from qihub.core.services import user_create
from qihub.lifecycle import services
from qihub.lifecycle.models import CommitteeMember, ResearchProject
from qihub.organisations.services import organisation_create


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
    federation = organisation_create(
        actor=None, kind="social_organisation", name_zh="中国纺织工业联合会"
    )
    testing = organisation_create(
        actor=None, kind="testing_body", name_zh="国家纺织制品质量检验检测中心"
    )
    project = services.project_create(
        actor=enterprise_user,
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
        title_en="Safety technical code for infants and children textile products",
        replaces=old,
        committee=committee,
        drafting_units=[testing, federation],
    )
    url = f"/lifecycle/projects/{project.pk}/"

    def login(user):
        # As the shared ``login`` fixture, but as a new visitor each time:
        # this test changes users, and the previous one's session must go.
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
    page.fill("#id_organisation_name", "某检测中心")
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
    # the drafting units are listed in order and link to their pages
    units = page.locator("#drafting-units li a")
    assert units.all_inner_texts() == [testing.name_zh, federation.name_zh]
    assert units.first.get_attribute("href") == testing.get_absolute_url()
    response = page.goto(page.locator("#published-standard").get_attribute("href"))
    assert response.ok
    old.refresh_from_db()
    assert old.status == Standard.Status.REPLACED
    # the undated identifier now resolves to the new edition in the catalogue
    from qihub.catalog.selectors import standard_get_by_identifier

    assert standard_get_by_identifier("GB 31701").identifier == "GB 31701-2026"
    new = Standard.objects.get(identifier="GB 31701-2026")
    assert new.relations_out.get().target == old
    from qihub.catalog.selectors import drafting_units

    assert drafting_units(new) == [testing, federation]
    assert CommitteeMember.objects.count() == 3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_register_committee_and_research_project(
    page, login, staff_user, reviewer_user
):
    cnis = organisation_create(
        actor=None, kind="standardization_institute", name_zh="中国标准化研究院"
    )
    login(staff_user)
    page.goto("/lifecycle/committees/")
    page.click("text=New committee")
    page.fill("#id_code", "SAC/TC 176")
    page.fill("#id_name_zh", "全国质量管理和质量保证标准化技术委员会")
    page.fill("#id_name_en", "Quality management and quality assurance")
    page.fill("#id_email", "tc176@example.org")
    page.fill("#id_quorum", "0.6")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("h1:has-text('SAC/TC 176')")
    assert "Committee SAC/TC 176 registered." in page.inner_text(".messages")
    assert "quorum 0.600 of members" in page.inner_text("main")

    # seat a member with the form folded under "Add a member"
    page.click("summary:has-text('Add a member')")
    page.fill("#id_user", reviewer_user.username)
    page.select_option("#id_role", "secretary")
    # the organisation is picked by search as you type
    page.fill("#member-form input[name=organisation__q]", "标准化研究")
    page.click("#member-form .org-result-list button:has-text('中国标准化研究院')")
    page.locator(
        "#member-form [data-testid=organisation-picked]", has_text="中国标准化研究院"
    ).wait_for()
    page.click("#member-form button[type=submit]")
    page.wait_for_selector(".messages:has-text('reviewer1 seated as Secretary.')")
    row = page.locator("table tbody tr", has_text="reviewer1")
    assert row.locator("td").all_inner_texts() == [
        "reviewer1",
        "Secretary",
        "中国标准化研究院",
    ]
    page.goto("/lifecycle/committees/")
    row = page.locator("tbody tr", has_text="SAC/TC 176")
    assert row.locator("td").nth(3).inner_text() == "1"  # members

    page.goto("/lifecycle/research/")
    page.click("text=New research project")
    page.fill("#id_code", "RP-2026-01")
    page.fill("#id_title_en", "Digital standards")
    page.fill("#id_programme", "NQI")
    page.fill("#id_starts_on", "2026-01-01")
    page.fill("#id_ends_on", "2027-12-31")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("h1:has-text('RP-2026-01')")
    assert "Research project RP-2026-01 registered." in page.inner_text(".messages")

    page.click("summary:has-text('Add a milestone')")
    page.fill("#milestone-form #id_title", "Mid-term check")
    page.fill("#milestone-form #id_due_on", "2026-09-30")
    page.click("#milestone-form button[type=submit]")
    page.wait_for_selector(".messages:has-text('Recorded.')")
    row = page.locator("table tbody tr", has_text="Mid-term check")
    assert row.locator("td").all_inner_texts() == [
        "Mid-term check",
        "Sept. 30, 2026",
        "—",  # not reached yet
    ]
    page.goto("/lifecycle/research/")
    assert (
        "Digital standards"
        in page.locator("tbody tr", has_text="RP-2026-01").inner_text()
    )

    research = ResearchProject.objects.get(code="RP-2026-01")
    assert [(m.title, m.due_on) for m in research.milestones.all()] == [
        ("Mid-term check", datetime.date(2026, 9, 30))
    ]
    member = CommitteeMember.objects.get(committee__code="SAC/TC 176")
    assert (member.user, member.role, member.organisation) == (
        reviewer_user,
        "secretary",
        cnis,
    )
