"""The lifecycle names its parties as organisations: proposers, ordered
drafting units, research leads, committee seats; public input keeps its text
and links a registered organisation only when the name matches."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from qihub.catalog.selectors import drafting_units as standard_drafting_units
from qihub.catalog.selectors import standards_drafted
from qihub.catalog.tests.factories import StandardFactory
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.lifecycle import selectors, services
from qihub.lifecycle.models import CommitteeMember, Project, ProjectDraftingUnit
from qihub.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(make_org):
    return [
        make_org("中国纺织工业联合会", kind="social_organisation"),
        make_org("国家纺织制品质量检验检测中心", kind="testing_body"),
        make_org("东华大学", kind="university"),
    ]


def _publish(project, staff_user, voters):
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    ballot = project.ballots.get()
    for voter in voters[:3]:
        services.ballot_vote(ballot=ballot, actor=voter, choice="approve")
    services.ballot_close(ballot=ballot, actor=staff_user)
    services.project_transition(project=project, to_state="submitted", actor=staff_user)
    return services.project_transition(
        project=project,
        to_state="published",
        actor=staff_user,
        issued_on=timezone.localdate(),
    )


# -- services -----------------------------------------------------------------


def test_project_keeps_drafting_units_in_order_and_publication_copies_them(
    make_project, staff_user, voters, units
):
    first, second, third = units
    project = make_project(
        "consultation",
        identifier="GB 99001-2026",
        proposer_organisation=first,
        drafting_units=[second, first, third],
    )
    assert project.proposer_organisation == first
    assert project.drafting_organisations() == [second, first, third]
    assert list(
        ProjectDraftingUnit.objects.filter(project=project).values_list(
            "position", flat=True
        )
    ) == [1, 2, 3]
    standard = _publish(project, staff_user, voters).standard
    # the first drafting unit first, so the organisation page counts it
    assert standard_drafting_units(standard) == [second, first, third]
    assert list(standards_drafted([third.pk])) == [standard]


def test_project_update_reorders_drafting_units_and_records_it(
    make_project, staff_user, units
):
    first, second, third = units
    project = make_project(drafting_units=[first, second])
    services.project_update(
        project=project, actor=staff_user, drafting_units=[third, first]
    )
    assert project.drafting_organisations() == [third, first]
    event = project.events.filter(type="edited").first()
    assert event.details["changes"]["drafting_units"] == [
        [first.pk, second.pk],
        [third.pk, first.pk],
    ]


def test_an_organisation_twice_or_a_text_party_is_refused(
    make_project, staff_user, units
):
    first, second, _third = units
    project = make_project(drafting_units=[first])
    with pytest.raises(ApplicationError, match="listed twice") as exc:
        services.project_update(
            project=project, actor=staff_user, drafting_units=[second, second]
        )
    assert "drafting_units" in exc.value.details
    assert project.drafting_organisations() == [first]
    with pytest.raises(ApplicationError, match="registered organisation") as exc:
        services.project_update(
            project=project, actor=staff_user, proposer_organisation="某公司"
        )
    assert "proposer_organisation" in exc.value.details
    project.refresh_from_db()
    assert project.proposer_organisation is None


def test_public_comment_feedback_and_patent_link_only_registered_names(
    make_project, units, staff_user, enterprise_user
):
    first = units[0]
    before = Organisation.objects.count()
    consultation = make_project("consultation").consultations.get()
    matched = services.comment_submit(
        consultation=consultation,
        actor=None,
        commenter="王工",
        organisation_name=" 中国纺织工业联合会 ",
        text="x",
    )
    assert (matched.organisation_name, matched.organisation) == (
        "中国纺织工业联合会",
        first,
    )
    unknown = services.comment_submit(
        consultation=consultation,
        actor=None,
        commenter="李工",
        organisation_name="某不知名检测站",
        text="y",
    )
    assert (unknown.organisation_name, unknown.organisation) == ("某不知名检测站", None)
    standard = StandardFactory()
    feedback = services.feedback_submit(
        standard=standard,
        actor=None,
        name="刘",
        organisation_name="东华大学",
        subject="s",
        body="b",
    )
    assert feedback.organisation == units[2]
    patent = services.patent_disclose(
        actor=None,
        standard=standard,
        patent_number="ZL1",
        holder="某个人",
        licensing="free",
        declarant="D",
    )
    assert patent.holder_organisation is None
    # nothing is registered from public input
    assert Organisation.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.patent_link_holder(
            patent=patent, actor=enterprise_user, organisation=first
        )
    patent = services.patent_link_holder(
        patent=patent, actor=staff_user, organisation=first
    )
    assert (patent.holder, patent.holder_organisation) == ("某个人", first)


# -- the organisation profile provider ----------------------------------------


def test_organisation_metrics_count_each_record_once(
    make_project, make_org, staff_user, committee, units, django_assert_max_num_queries
):
    first, second, third = units
    outsider = make_org("某服装有限公司", kind="enterprise")
    # led as proposer; led as first drafting unit; led by both (counts once)
    make_project(proposer_organisation=first, drafting_units=[outsider])
    make_project(drafting_units=[second, third], level="group")
    make_project(proposer_organisation=first, drafting_units=[second, first])
    make_project(proposer_organisation=outsider, drafting_units=[outsider, third])
    accepted = services.research_project_create(
        actor=staff_user, code="RP1", title_zh="一", lead_organisation=first
    )
    services.research_review_record(
        research_project=accepted,
        actor=staff_user,
        kind="acceptance",
        outcome="passed",
        held_on=timezone.localdate(),
    )
    services.research_project_create(
        actor=staff_user, code="RP2", title_zh="二", lead_organisation=second
    )
    services.committee_member_add(
        committee=committee, user=staff_user, actor=staff_user, organisation=first
    )
    with django_assert_max_num_queries(4):
        metrics = {
            m.key: m for m in selectors.organisation_metrics([first.pk, second.pk])
        }
    assert metrics["projects_led"].value == 3
    year = timezone.now().year
    assert metrics["projects_led"].by_level_year == {
        "national": {year: 2},
        "group": {year: 1},
    }
    # any drafting unit: projects 2, 3 (first and second are not in 1 and 4)
    assert metrics["projects_drafting"].value == 2
    assert metrics["research_led"].value == 2
    assert metrics["research_accepted"].value == 1
    assert metrics["committee_seats"].value == 1
    alone = {m.key: m.value for m in selectors.organisation_metrics([third.pk])}
    assert alone == {
        "projects_led": 0,
        "projects_drafting": 2,
        "research_led": 0,
        "research_accepted": 0,
        "committee_seats": 0,
    }


# -- pages ----------------------------------------------------------------------


def test_project_form_orders_drafting_units_and_page_links_them(
    client, enterprise_user, staff_user, committee, units
):
    first, second, third = units
    client.force_login(enterprise_user)
    response = client.post(
        "/lifecycle/projects/new/",
        {
            "kind": "new",
            "level": "national",
            "title_zh": "测试项目",
            "committee": committee.pk,
            "proposer_organisation": first.pk,
            # a gap in the pickers does not change the order
            "drafting_unit_1": third.pk,
            "drafting_unit_2": "",
            "drafting_unit_3": first.pk,
            "implementation_months": 6,
        },
    )
    assert response.status_code == 302, response.content.decode()
    project = Project.objects.get()
    assert project.proposer_organisation == first
    assert project.drafting_organisations() == [third, first]
    html = client.get(project.get_absolute_url()).content.decode()
    ordered = html.index(third.name_zh) < html.index(f">{first.name_zh}</a></li>")
    assert ordered
    assert f'<a href="{third.get_absolute_url()}">{third.name_zh}</a>' in html

    client.force_login(staff_user)
    edit = f"/lifecycle/projects/{project.pk}/edit/"
    form = client.get(edit).content.decode()
    assert 'name="drafting_unit_5"' in form  # two filled, three spare
    response = client.post(
        edit,
        {
            "title_zh": "测试项目",
            "level": "national",
            "committee": committee.pk,
            "proposer_organisation": first.pk,
            "drafting_unit_1": second.pk,
            "drafting_unit_2": third.pk,
            "drafting_unit_3": third.pk,
            "implementation_months": 6,
        },
    )
    assert response.status_code == 200
    assert "is listed twice among the drafting units" in response.content.decode()
    assert project.drafting_organisations() == [third, first]
    response = client.post(
        edit,
        {
            "title_zh": "测试项目",
            "level": "national",
            "committee": committee.pk,
            "proposer_organisation": first.pk,
            "drafting_unit_1": second.pk,
            "drafting_unit_2": third.pk,
            "implementation_months": 6,
        },
    )
    assert response.status_code == 302
    assert project.drafting_organisations() == [second, third]


def test_research_form_picks_the_lead(client, staff_user, units):
    client.force_login(staff_user)
    response = client.post(
        "/lifecycle/research/new/",
        {"code": "RP-9", "title_zh": "研究", "lead_organisation": units[2].pk},
    )
    assert response.status_code == 302
    research = selectors.research_list().get(code="RP-9")
    assert research.lead_organisation == units[2]
    html = client.get(research.get_absolute_url()).content.decode()
    assert f'<a href="{units[2].get_absolute_url()}">东华大学</a>' in html


# -- API ------------------------------------------------------------------------


def test_project_api_takes_organisation_ids_in_order(staff_api, committee, units):
    first, second, third = units
    response = staff_api.post(
        "/api/lifecycle/projects/",
        {
            "title_en": "API project",
            "committee": committee.code,
            "proposer_organisation_id": first.pk,
            "drafting_unit_ids": [third.pk, second.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["proposer_organisation"]["id"] == first.pk
    assert [(u["id"], u["name"]) for u in data["drafting_units"]] == [
        (third.pk, third.name),
        (second.pk, second.name),
    ]
    again = staff_api.get(f"/api/lifecycle/projects/{data['id']}/").json()
    assert [u["id"] for u in again["drafting_units"]] == [third.pk, second.pk]
    bad = staff_api.post(
        "/api/lifecycle/projects/",
        {"title_en": "Bad", "drafting_unit_ids": [first.pk, 999999]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["detail"] == (
        "drafting_unit_ids: no organisation has the id 999999."
    )
    assert bad.json()["errors"] == {"drafting_unit_ids": ["999999"]}
    assert Project.objects.count() == 1


def test_research_and_member_api_name_organisations(
    staff_api, committee, enterprise_user, units
):
    response = staff_api.post(
        "/api/lifecycle/research/",
        {"code": "RP-API", "title_en": "R", "lead_organisation_id": units[0].pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["lead_organisation"]["id"] == units[0].pk
    bad = staff_api.post(
        f"/api/lifecycle/committees/{committee.pk}/members/",
        {"username": enterprise_user.username, "organisation_id": 424242},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"organisation_id": ["424242"]}
    assert not CommitteeMember.objects.filter(user=enterprise_user).exists()


# -- project plan import ------------------------------------------------------------


def test_plan_import_finds_or_registers_parties_in_order(
    tmp_path, committee, units, capsys
):
    path = tmp_path / "plan.csv"
    path.write_text(
        "计划号,项目名称,提出单位,起草单位\n"
        "P-1,纺织品 测试,中国纺织工业联合会,某新材料有限公司、东华大学，中国纺织工业联合会\n"
        "P-2,纺织品 测试二,,某新材料有限公司\n",
        encoding="utf-8",
    )
    before = Organisation.objects.count()
    call_command("import_project_plan", str(path), "--dry-run")
    assert Organisation.objects.count() == before
    call_command("import_project_plan", str(path), "--json")
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["created"] == 2
    new = Organisation.objects.get(name_zh="某新材料有限公司")
    assert new.kind == "enterprise"
    assert Organisation.objects.count() == before + 1
    p1 = Project.objects.get(code="P-1")
    assert p1.proposer_organisation == units[0]
    assert p1.drafting_organisations() == [new, units[2], units[0]]
    assert Project.objects.get(code="P-2").drafting_organisations() == [new]


def test_organisation_page_shows_the_lifecycle_counts(
    client, monkeypatch, make_project, units
):
    """Once the lead registers the provider, the organisation page shows it."""
    from qihub.organisations import profile

    monkeypatch.setattr(
        profile,
        "PROVIDERS",
        (*profile.PROVIDERS, "qihub.lifecycle.selectors.organisation_metrics"),
    )
    make_project(proposer_organisation=units[0], drafting_units=[units[0]])
    html = client.get(units[0].get_absolute_url()).content.decode()
    assert "Standard projects led" in html
    assert "Committee seats" in html


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("中国标准化研究院", "standardization_institute"),
        ("四川省标准化协会", "standardization_institute"),
        ("中国科学院沈阳自动化研究所", "research_institute"),
        ("东华大学", "university"),
        ("四川工程职业技术学院", "university"),
        ("中国纺织工业联合会", "social_organisation"),
        ("某服装有限公司", "enterprise"),
        ("中国电子科技集团", "enterprise"),
        ("绵阳市市场监督管理局", "government"),
        ("国家纺织制品质量检验检测中心", "research_institute"),
    ],
)
def test_kind_is_guessed_from_the_name(name, kind):
    from qihub.lifecycle.parties import guess_kind

    assert guess_kind(name) == kind


def test_staff_link_a_patent_holder_on_the_project_page(
    client, make_project, staff_user, enterprise_user, units
):
    project = make_project()
    patent = services.patent_disclose(
        actor=None,
        project=project,
        patent_number="ZL9",
        holder="东华大学技术转移中心",
        licensing="frand",
        declarant="D",
    )
    assert patent.holder_organisation is None
    url = f"/lifecycle/patents/{patent.pk}/holder/"
    client.force_login(enterprise_user)
    assert f'id="patent-{patent.pk}-holder"' not in (
        client.get(project.get_absolute_url()).content.decode()
    )
    client.post(url, {f"patent-{patent.pk}-holder_organisation": units[2].pk})
    patent.refresh_from_db()
    assert patent.holder_organisation is None
    client.force_login(staff_user)
    assert f'id="patent-{patent.pk}-holder"' in (
        client.get(project.get_absolute_url()).content.decode()
    )
    response = client.post(
        url, {f"patent-{patent.pk}-holder_organisation": units[2].pk}
    )
    assert response.status_code == 302
    patent.refresh_from_db()
    assert (patent.holder, patent.holder_organisation) == (
        "东华大学技术转移中心",
        units[2],
    )
    html = client.get(project.get_absolute_url()).content.decode()
    assert f'<a href="{units[2].get_absolute_url()}">东华大学技术转移中心</a>' in html
