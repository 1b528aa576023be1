"""The organisations API: reads, and writes through the services with the
refused field named in ``errors``."""

import datetime
import json

import pytest

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


def _send(client, method: str, url: str, data=None):
    return getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json"
    )


@pytest.fixture
def org(make_org):
    return make_org("四川九洲电器集团有限责任公司", credit_code=MIANYANG)


def test_register_checks_credit_code(staff_api, db):
    r = _send(
        staff_api,
        "post",
        "/api/organisations/",
        {"kind": "enterprise", "name_zh": "某公司", "credit_code": MIANYANG[:17] + "Y"},
    )
    assert r.status_code == 400
    assert "credit_code" in r.json()["errors"]
    assert not Organisation.objects.exists()


def test_patch_organisation(staff_api, org):
    r = _send(
        staff_api,
        "patch",
        f"/api/organisations/{org.pk}",
        {"name_zh": "四川九洲电器集团", "address": "绵阳市九华路6号", "reason": "更名"},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["name_zh"] == "四川九洲电器集团"
    assert body["former_names"] == ["四川九洲电器集团有限责任公司"]
    assert body["address"] == "绵阳市九华路6号"
    assert body["credit_code"] == MIANYANG
    assert body["metrics"][0]["key"] == "standards_drafted"


def test_patch_refusals_name_the_field(staff_api, user_api, org, make_org):
    make_org("成都某公司", credit_code=CHENGDU)
    for data, field, status in [
        ({"credit_code": "123"}, "credit_code", 400),
        ({"region": "999999"}, "region", 400),
        ({"credit_code": CHENGDU}, "credit_code", 409),
        ({"name_zh": "成都某公司"}, "name_zh", 409),
    ]:
        r = _send(staff_api, "patch", f"/api/organisations/{org.pk}", data)
        assert r.status_code == status, (data, r.content)
        assert field in r.json()["errors"], data
    r = _send(user_api, "patch", f"/api/organisations/{org.pk}", {"address": "x"})
    assert r.status_code == 403
    org.refresh_from_db()
    assert org.address == ""
    assert org.credit_code == MIANYANG


def test_writes_need_a_token(client, org):
    r = _send(client, "patch", f"/api/organisations/{org.pk}", {"address": "x"})
    assert r.status_code == 401


def test_add_designation(staff_api, org, make_org):
    authority = make_org("四川省市场监督管理局", kind="government")
    r = _send(
        staff_api,
        "post",
        f"/api/organisations/{org.pk}/designations",
        {
            "kind": "industrial_measurement_centre",
            "valid_from": "2024-01-01",
            "expires_on": "2029-01-01",
            "issuing_authority_id": authority.pk,
            "number": "川市监〔2024〕1号",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["issuing_authority"] == "四川省市场监督管理局"
    assert body["issuing_authority_id"] == authority.pk
    assert body["valid_today"] in (True, False)
    detail = staff_api.get(f"/api/organisations/{org.pk}").json()
    assert [d["kind"] for d in detail["designations"]] == [
        "industrial_measurement_centre"
    ]


def test_designation_refusals(staff_api, user_api, org):
    url = f"/api/organisations/{org.pk}/designations"
    r = _send(
        staff_api,
        "post",
        url,
        {
            "kind": "honest_measurement",
            "valid_from": "2024-01-01",
            "expires_on": "2023-01-01",
        },
    )
    assert r.status_code == 400
    assert "expires_on" in r.json()["errors"]
    r = _send(
        staff_api,
        "post",
        url,
        {
            "kind": "honest_measurement",
            "valid_from": "2024-01-01",
            "issuing_authority_id": 99999,
        },
    )
    assert r.status_code == 400
    assert "issuing_authority_id" in r.json()["errors"]
    r = _send(
        user_api,
        "post",
        url,
        {"kind": "honest_measurement", "valid_from": "2024-01-01"},
    )
    assert r.status_code == 403
    assert not Designation.objects.exists()


def test_users_of_an_organisation(
    staff_api, user_api, plain_user, enterprise_user, org
):
    base = f"/api/organisations/{org.pk}/users"
    assert user_api.get(base).status_code == 403
    r = _send(
        staff_api,
        "post",
        base,
        {"username": plain_user.username, "role": "administrator"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["role"] == "administrator"
    # The organisation's administrator now manages its users.
    r = _send(user_api, "post", base, {"username": enterprise_user.username})
    assert r.status_code == 201
    users = user_api.get(base).json()
    assert [(u["username"], u["role"]) for u in users] == [
        ("enterprise1", "member"),
        ("visitor1", "administrator"),
    ]
    r = _send(staff_api, "post", base, {"username": "nobody"})
    assert r.status_code == 400
    assert "username" in r.json()["errors"]
    r = _send(staff_api, "post", base, {"username": "enterprise1"})
    assert r.status_code == 409
    # The last administrator can be neither demoted nor removed.
    r = _send(staff_api, "patch", f"{base}/visitor1", {"role": "member"})
    assert r.status_code == 400
    assert "user" in r.json()["errors"]
    assert staff_api.delete(f"{base}/visitor1").status_code == 400
    r = _send(staff_api, "patch", f"{base}/enterprise1", {"role": "administrator"})
    assert r.status_code == 200
    assert r.json()["role"] == "administrator"
    assert staff_api.delete(f"{base}/visitor1").status_code == 204
    assert staff_api.delete(f"{base}/visitor1").status_code == 404
    assert list(Membership.objects.values_list("user__username", "role")) == [
        ("enterprise1", "administrator")
    ]


def test_network_writes(staff_api, user_api, make_org):
    r = _send(
        staff_api,
        "post",
        "/api/networks/",
        {"kind": "cooperation", "name_zh": "西部标准化合作组织", "region": "510000"},
    )
    assert r.status_code == 201, r.content
    net_id = r.json()["id"]
    sichuan = make_org("四川省标准化研究院", kind="standardization_institute")
    shaanxi = make_org("陕西省标准化研究院", kind="standardization_institute")
    members = {}
    for org in (sichuan, shaanxi):
        r = _send(
            staff_api,
            "post",
            f"/api/networks/{net_id}/members",
            {
                "organisation_id": org.pk,
                "joined_on": "2020-01-01",
                "liaison_name": "张三",
            },
        )
        assert r.status_code == 201, r.content
        members[org.pk] = r.json()["id"]
    r = _send(
        staff_api,
        "post",
        f"/api/networks/{net_id}/members",
        {"organisation_id": sichuan.pk, "joined_on": "2021-01-01"},
    )
    assert r.status_code == 409
    assert "organisation" in r.json()["errors"]
    r = _send(
        staff_api,
        "post",
        f"/api/networks/{net_id}/members",
        {"organisation_id": 999999, "joined_on": "2021-01-01"},
    )
    assert r.status_code == 400
    assert "organisation_id" in r.json()["errors"]
    for org, day in ((sichuan, "2020-01-01"), (shaanxi, "2023-01-01")):
        r = _send(
            staff_api,
            "post",
            f"/api/networks/{net_id}/secretariat",
            {"organisation_id": org.pk, "starts_on": day},
        )
        assert r.status_code == 201, r.content
    r = _send(
        staff_api,
        "post",
        f"/api/networks/{net_id}/meetings",
        {
            "held_on": "2023-01-01",
            "title": "第二届理事会",
            "decisions": ["秘书处移交陕西", " ", "通过工作计划"],
        },
    )
    assert r.status_code == 201
    assert r.json()["decisions"] == ["秘书处移交陕西", "通过工作计划"]
    r = _send(
        staff_api,
        "post",
        f"/api/networks/{net_id}/announcements",
        {"title": "年会通知"},
    )
    assert r.status_code == 201
    r = _send(
        staff_api,
        "post",
        f"/api/networks/{net_id}/members/{members[shaanxi.pk]}/leave",
        {"left_on": "2019-01-01"},
    )
    assert r.status_code == 400
    assert "left_on" in r.json()["errors"]
    r = _send(
        staff_api,
        "post",
        f"/api/networks/{net_id}/members/{members[shaanxi.pk]}/leave",
        {"left_on": "2025-01-01", "reason": "退出"},
    )
    assert r.status_code == 200
    assert r.json()["left_on"] == "2025-01-01"
    assert SecretariatTerm.objects.get(organisation=shaanxi).ends_on == datetime.date(
        2025, 1, 1
    )
    detail = staff_api.get(f"/api/networks/{net_id}").json()
    assert [m["organisation"] for m in detail["members"]] == ["四川省标准化研究院"]
    assert [m["organisation"] for m in detail["former_members"]] == [
        "陕西省标准化研究院"
    ]
    assert [t["organisation_id"] for t in detail["secretariat"]] == [
        sichuan.pk,
        shaanxi.pk,
    ]
    assert detail["meetings"][0]["title"] == "第二届理事会"
    assert detail["announcements"][0]["title"] == "年会通知"
    r = _send(user_api, "post", f"/api/networks/{net_id}/announcements", {"title": "x"})
    assert r.status_code == 403
    assert NetworkMember.objects.count() == 2


def test_network_refusals(staff_api, db):
    r = _send(staff_api, "post", "/api/networks/", {"kind": "club", "name_zh": "x"})
    assert r.status_code == 400
    assert "kind" in r.json()["errors"]
    r = _send(staff_api, "post", "/api/networks/", {"kind": "alliance"})
    assert r.status_code == 400
    assert "name_zh" in r.json()["errors"]
    assert not Network.objects.exists()


def test_huge_page_number_is_refused_not_a_crash(client, make_org):
    make_org("绵阳某公司")
    for url in ("/api/organisations/", "/api/networks/"):
        r = client.get(url, {"page": 10**30})
        assert r.status_code == 422, url
        r = client.get(url, {"page": 100_000})
        assert r.status_code == 200
        assert r.json()["items"] == []


def test_search_api(client, org, make_org):
    make_org("成都某研究院", kind="research_institute", credit_code=CHENGDU)
    services.designation_add(
        actor=None,
        organisation=org,
        kind="honest_measurement",
        valid_from=datetime.date(2020, 1, 1),
    )

    def names(**q):
        return [o["name"] for o in client.get("/api/organisations/", q).json()["items"]]

    assert names(q="九洲") == ["四川九洲电器集团有限责任公司"]
    assert names(code=CHENGDU) == ["成都某研究院"]
    assert names(kind="research_institute") == ["成都某研究院"]
    assert names(region="510000") == sorted(
        ["成都某研究院", "四川九洲电器集团有限责任公司"],
        key=lambda n: Organisation.objects.get(name_zh=n).name_key,
    )
    assert names(designation="honest_measurement") == ["四川九洲电器集团有限责任公司"]


def test_schema_names_are_unique(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    schemas = r.json()["components"]["schemas"]
    for name in ("NetworkMemberOut", "SecretariatTermOut", "OrganisationUserOut"):
        assert name in schemas
