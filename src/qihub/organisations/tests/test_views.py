"""The organisation and network pages: what everyone sees, the forms staff
and an organisation's administrators use, and 403 for everyone else."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qihub.organisations import services
from qihub.organisations.models import (
    Designation,
    Membership,
    Network,
    NetworkMember,
    Organisation,
    SecretariatTerm,
)
from qihub.organisations.tests.conftest import CHENGDU, MIANYANG

DAY = datetime.date(2024, 1, 1)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_page_lists_drafted_standards_with_positions(client, unit, drafted):
    r = client.get(unit.get_absolute_url())
    assert r.status_code == 200
    html = r.content.decode()
    # Newest first, with links; the first drafting unit says so.
    positions = [html.index(s.identifier) for s in (drafted[2], drafted[0], drafted[1])]
    assert positions == sorted(positions)
    assert drafted[0].get_absolute_url() in html
    assert html.count("first drafting unit") == 2
    assert "unit 2" in html
    # Nobody but staff and its administrators sees forms or users.
    assert "edit-form" not in html
    assert "user-form" not in html
    assert "designation-form" not in html


#: The page's own queries, without the domains' counts.
PAGE_QUERIES = 12


def _provider_queries(org_ids) -> int:
    """What the registered domains' counts cost (each a bounded few)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qihub.organisations import profile

    with CaptureQueriesContext(connection) as ctx:
        profile.metrics_for(org_ids)
    return len(ctx.captured_queries)


def test_page_queries_are_bounded(client, unit, drafted, django_assert_max_num_queries):
    with django_assert_max_num_queries(PAGE_QUERIES + _provider_queries([unit.pk])):
        assert client.get(unit.get_absolute_url()).status_code == 200


def test_others_get_403_on_post(client, plain_user, unit):
    urls = [
        ("organisations:organisation_edit", {"kind": "enterprise", "name_zh": "x"}),
        ("organisations:designation_add", {"kind": "honest_measurement"}),
        ("organisations:user_add", {"username": "visitor1"}),
        ("organisations:user_role", {"username": "visitor1", "role": "member"}),
        ("organisations:user_remove", {"username": "visitor1"}),
    ]
    from django.urls import reverse

    for name, data in urls:
        assert client.post(reverse(name, args=[unit.pk]), data).status_code == 403
    client.force_login(plain_user)
    for name, data in urls:
        assert client.post(reverse(name, args=[unit.pk]), data).status_code == 403
    assert client.get("/organisations/new/").status_code == 403
    assert client.get("/organisations/networks/new/").status_code == 403
    unit.refresh_from_db()
    assert unit.name_zh == "中国工程物理研究院"
    assert not Membership.objects.exists()


def test_staff_edits_and_refusal_shown_on_field(staff_client, unit, make_org):
    make_org("成都某公司", credit_code=CHENGDU)
    html = staff_client.get(unit.get_absolute_url()).content.decode()
    assert "edit-form" in html
    assert "designation-form" in html
    url = f"/organisations/{unit.pk}/edit/"
    base = {
        "kind": "military_research",
        "name_zh": "中国工程物理研究院",
        "credit_code": MIANYANG,
        "region": "510700",
    }
    r = staff_client.post(url, {**base, "credit_code": CHENGDU})
    assert r.status_code == 400
    assert "already registered" in r.content.decode()
    r = staff_client.post(url, {**base, "region": "510799"})
    assert r.status_code == 400
    assert "510799 is not an administrative-division code" in r.content.decode()
    unit.refresh_from_db()
    assert unit.credit_code == MIANYANG
    r = staff_client.post(url, {**base, "name_en": "CAEP", "address": "绵阳市游仙区"})
    assert r.status_code == 302
    unit.refresh_from_db()
    assert (unit.name_en, unit.address) == ("CAEP", "绵阳市游仙区")


def test_designation_form_with_evidence(
    staff_client, unit, make_org, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    authority = make_org("四川省市场监督管理局", kind="government")
    url = f"/organisations/{unit.pk}/designations/"
    r = staff_client.post(
        url,
        {
            "kind": "industrial_measurement_centre",
            "issuing_authority": authority.pk,
            "number": "川市监〔2024〕8号",
            "valid_from": "2024-01-01",
            "expires_on": "2023-12-31",
        },
    )
    assert r.status_code == 400
    assert "cannot end" in r.content.decode()
    assert not Designation.objects.exists()
    r = staff_client.post(
        url,
        {
            "kind": "industrial_measurement_centre",
            "issuing_authority": authority.pk,
            "number": "川市监〔2024〕8号",
            "valid_from": "2024-01-01",
            "expires_on": "2029-01-01",
            "evidence": SimpleUploadedFile("批文.pdf", b"%PDF-1.4 test"),
        },
    )
    assert r.status_code == 302
    d = Designation.objects.get()
    assert d.issuing_authority == authority
    assert d.evidence.name.endswith(".pdf")
    html = staff_client.get(unit.get_absolute_url()).content.decode()
    assert "川市监〔2024〕8号" in html
    assert d.evidence.url in html


def test_administrator_manages_users(client, unit, plain_user, enterprise_user):
    services.membership_add(
        actor=None, organisation=unit, user=plain_user, role="administrator"
    )
    client.force_login(plain_user)
    html = client.get(unit.get_absolute_url()).content.decode()
    assert 'data-user="visitor1"' in html
    assert "designation-form" not in html  # designations are given by staff
    base = f"/organisations/{unit.pk}/users/"
    r = client.post(base, {"username": "nobody", "role": "member"})
    assert r.status_code == 400
    assert "There is no user nobody" in r.content.decode()
    r = client.post(base, {"username": enterprise_user.username, "role": "member"})
    assert r.status_code == 302
    r = client.post(base + "role/", {"username": "visitor1", "role": "member"})
    assert r.status_code == 400
    assert "last administrator" in r.content.decode()
    r = client.post(base + "remove/", {"username": "visitor1"})
    assert r.status_code == 400
    r = client.post(
        base + "role/", {"username": "enterprise1", "role": "administrator"}
    )
    assert r.status_code == 302
    r = client.post(base + "remove/", {"username": "visitor1"})
    assert r.status_code == 302
    assert list(Membership.objects.values_list("user__username", "role")) == [
        ("enterprise1", "administrator")
    ]
    # No longer a member: 403.
    r = client.post(base, {"username": "visitor1", "role": "member"})
    assert r.status_code == 403


def test_register_organisation_page(staff_client):
    r = staff_client.get("/organisations/new/")
    assert r.status_code == 200
    data = {
        "kind": "enterprise",
        "name_zh": "四川九洲电器集团有限责任公司",
        "credit_code": MIANYANG[:17] + "Y",
    }
    r = staff_client.post("/organisations/new/", data)
    assert r.status_code == 400
    assert "check character" in r.content.decode()
    r = staff_client.post("/organisations/new/", {**data, "credit_code": MIANYANG})
    assert r.status_code == 302
    org = Organisation.objects.get()
    assert r["Location"] == org.get_absolute_url()
    assert org.region.code == "510700"


def test_network_page_table_per_level_and_year(client, centre, drafted):
    r = client.get(centre.get_absolute_url())
    assert r.status_code == 200
    html = r.content.decode()
    # Rows are levels, columns years, with totals: 2 national (2022, 2023),
    # 1 group (2024), 3 in all, each standard once although both drafted it.
    assert '<tr data-level="national"><th scope="row">' in html
    national = html.split('<tr data-level="national">')[1].split("</tr>")[0]
    assert "<td>1</td><td>1</td><td>·</td>" in national
    assert '<td class="level-total"><strong>2</strong>' in national
    assert '<td class="grand-total"><strong>3</strong>' in html
    assert "li@example.org" in html
    assert "member-form" not in html


def test_network_page_queries_are_bounded(client, centre, make_org):
    """The page costs the same with 2 members as with 22: set-based counts,
    never a query per member."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(centre.get_absolute_url()).status_code == 200
    ids = list(centre.members.values_list("organisation_id", flat=True))
    # + the kept-counts lookup and what member instances share (three), and
    # the expert pool and held texts, here and mirrored (four)
    network_extra = 8
    assert len(few.captured_queries) <= (
        PAGE_QUERIES + network_extra + _provider_queries(ids)
    )
    for i in range(20):
        services.network_member_join(
            actor=None,
            network=centre,
            organisation=make_org(f"成员单位{i:02d}", kind="research_institute"),
            joined_on=DAY,
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(centre.get_absolute_url()).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_network_staff_forms(staff_client, centre, unit, make_org):
    client = Client(headers={"accept-language": "en"})
    newcomer = make_org("西南科技大学", kind="university")
    base = f"/organisations/networks/{centre.pk}/"
    html = staff_client.get(base).content.decode()
    for form_id in (
        "member-form",
        "leave-form",
        "secretariat-form",
        "meeting-form",
        "announcement-form",
    ):
        assert form_id in html
    r = staff_client.post(
        base + "members/", {"organisation": unit.pk, "joined_on": "2024-02-01"}
    )
    assert r.status_code == 400
    assert "already a member" in r.content.decode()
    r = staff_client.post(
        base + "members/",
        {
            "organisation": newcomer.pk,
            "joined_on": "2024-02-01",
            "liaison_name": "王五",
        },
    )
    assert r.status_code == 302
    r = staff_client.post(
        base + "secretariat/", {"organisation": unit.pk, "starts_on": "2024-01-01"}
    )
    assert r.status_code == 302
    member = NetworkMember.objects.get(network=centre, organisation=unit)
    r = staff_client.post(
        base + "members/leave/", {"member": member.pk, "left_on": "2023-01-01"}
    )
    assert r.status_code == 400
    assert "cannot leave" in r.content.decode()
    r = staff_client.post(
        base + "members/leave/",
        {"member": member.pk, "left_on": "2025-06-01", "reason": "调整"},
    )
    assert r.status_code == 302
    assert SecretariatTerm.objects.get().ends_on == datetime.date(2025, 6, 1)
    r = staff_client.post(
        base + "meetings/",
        {"held_on": "2025-01-10", "title": "理事会", "decisions": "一\n二"},
    )
    assert r.status_code == 302
    r = staff_client.post(
        base + "announcements/", {"title": "年会通知", "body": "请各单位参加"}
    )
    assert r.status_code == 302
    html = client.get(base).content.decode()
    assert "Former members" in html
    assert "2025-06-01" in html or "June 1, 2025" in html
    assert "理事会" in html
    assert "年会通知" in html
    # Not staff: 403.
    assert client.post(base + "announcements/", {"title": "x"}).status_code == 403


def test_register_network_page(staff_client, unit):
    r = staff_client.get("/organisations/networks/new/")
    assert r.status_code == 200
    r = staff_client.post(
        "/organisations/networks/new/",
        {"kind": "cooperation", "name_zh": "", "region": "510000"},
    )
    assert r.status_code == 400
    assert "Give the network" in r.content.decode()
    r = staff_client.post(
        "/organisations/networks/new/",
        {
            "kind": "cooperation",
            "name_zh": "西部标准化合作组织",
            "region": "510000",
            "organisation": unit.pk,
        },
    )
    assert r.status_code == 302
    network = Network.objects.get()
    assert network.organisation == unit
    assert r["Location"] == network.get_absolute_url()


def test_pages_in_chinese(zh_client, unit, drafted, centre):
    html = zh_client.get(unit.get_absolute_url()).content.decode()
    assert "第一起草单位" in html
    assert "起草的标准" in html
    assert "军工科研单位" in html
    html = zh_client.get(centre.get_absolute_url()).content.decode()
    assert "成员合计产出" in html
    assert "2 个成员" in html
