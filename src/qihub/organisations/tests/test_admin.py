"""The organisations admin: writes go through the services, refusals are
messages that save nothing, history and regions are read-only."""

import pytest

from qihub.organisations import services
from qihub.organisations.models import (
    Designation,
    Membership,
    Network,
    Organisation,
    OrganisationEvent,
)
from qihub.organisations.tests.conftest import CHENGDU, MIANYANG

INLINES = {
    f"{prefix}-{name}": "0"
    for prefix in ("designations", "memberships", "members", "secretariat_terms")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _org_form(**values) -> dict:
    data = {
        "kind": "enterprise",
        "name_zh": "",
        "name_en": "",
        "credit_code": "",
        "region": "",
        "address": "",
        "website": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "former_names": "[]",
        **INLINES,
    }
    data.update(values)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_add_organisation_through_the_service(admin_client, admin_user):
    url = "/admin/organisations/organisation/add/"
    assert admin_client.get(url).status_code == 200
    bad = MIANYANG[:17] + ("0" if MIANYANG[17] != "0" else "1")
    r = admin_client.post(
        url, _org_form(name_zh="绵阳某公司", credit_code=bad), follow=True
    )
    assert any("check character" in m for m in _messages(r))
    assert not Organisation.objects.exists()
    r = admin_client.post(url, _org_form(name_zh="绵阳某公司", credit_code=MIANYANG))
    assert r.status_code == 302, r.content.decode()[:2000]
    org = Organisation.objects.get()
    assert org.region.code == "510700"
    assert org.events.get().actor == admin_user


def test_change_organisation_records_the_rename(admin_client, make_org):
    org = make_org(
        "绵阳市标准化研究所", kind="standardization_institute", credit_code=MIANYANG
    )
    make_org("成都某公司", credit_code=CHENGDU)
    url = f"/admin/organisations/organisation/{org.pk}/change/"
    assert admin_client.get(url).status_code == 200
    form = _org_form(
        kind="standardization_institute",
        name_zh="绵阳市标准化研究院",
        credit_code=MIANYANG,
        region="510700",
    )
    r = admin_client.post(url, {**form, "credit_code": CHENGDU}, follow=True)
    assert any("already registered" in m for m in _messages(r))
    r = admin_client.post(url, form)
    assert r.status_code == 302
    org.refresh_from_db()
    assert org.name_zh == "绵阳市标准化研究院"
    assert org.former_names == ["绵阳市标准化研究所"]
    assert org.events.filter(type=OrganisationEvent.Type.RENAMED).exists()


def test_search_and_filters(admin_client, make_org):
    make_org("四川九洲电器集团有限责任公司", credit_code=MIANYANG)
    make_org("成都某研究院", kind="research_institute", credit_code=CHENGDU)
    base = "/admin/organisations/organisation/"
    r = admin_client.get(base, {"q": "九洲"})
    assert "四川九洲电器集团有限责任公司" in r.content.decode()
    assert "成都某研究院" not in r.content.decode()
    r = admin_client.get(base, {"q": CHENGDU.lower()})
    assert "成都某研究院" in r.content.decode()
    r = admin_client.get(base, {"kind__exact": "research_institute"})
    assert "九洲" not in r.content.decode()
    r = admin_client.get(base, {"region_level": "city", "province": "510000"})
    assert r.status_code == 200
    assert "成都某研究院" in r.content.decode()


def test_nothing_deleted_and_history_read_only(admin_client, make_org):
    org = make_org("绵阳某公司")
    r = admin_client.post(
        f"/admin/organisations/organisation/{org.pk}/delete/", {"post": "yes"}
    )
    assert r.status_code == 403
    assert Organisation.objects.filter(pk=org.pk).exists()
    event = org.events.get()
    assert (
        admin_client.get("/admin/organisations/organisationevent/add/").status_code
        == 403
    )
    r = admin_client.post(
        f"/admin/organisations/organisationevent/{event.pk}/change/", {}
    )
    assert r.status_code == 403
    assert (
        admin_client.get("/admin/organisations/region/510700/change/").status_code
        == 200
    )
    assert admin_client.get("/admin/organisations/region/add/").status_code == 403


def test_designation_added_through_the_service(admin_client, make_org):
    org = make_org("绵阳某公司")
    url = "/admin/organisations/designation/add/"
    data = {
        "organisation": org.pk,
        "kind": "honest_measurement",
        "number": "",
        "valid_from": "2024-01-01",
        "expires_on": "2023-01-01",
        "note": "",
    }
    r = admin_client.post(url, data, follow=True)
    assert any("cannot end" in m for m in _messages(r))
    assert not Designation.objects.exists()
    r = admin_client.post(url, {**data, "expires_on": "2027-01-01"})
    assert r.status_code == 302
    assert org.events.filter(type=OrganisationEvent.Type.DESIGNATED).exists()


def test_network_and_meeting_through_the_services(admin_client):
    r = admin_client.post(
        "/admin/organisations/network/add/",
        {
            "kind": "alliance",
            "name_zh": "",
            "name_en": "",
            "description": "",
            **INLINES,
        },
        follow=True,
    )
    assert any("Give the network" in m for m in _messages(r))
    r = admin_client.post(
        "/admin/organisations/network/add/",
        {
            "kind": "alliance",
            "name_zh": "四川省电子信息产业标准联盟",
            "name_en": "",
            "description": "",
            **INLINES,
        },
    )
    assert r.status_code == 302
    network = Network.objects.get()
    assert network.events.get().type == OrganisationEvent.Type.CREATED
    r = admin_client.post(
        "/admin/organisations/meeting/add/",
        {
            "network": network.pk,
            "held_on": "2025-03-01",
            "title": "成立大会",
            "place": "",
            "minutes": "",
            "decisions": "通过章程",
        },
    )
    assert r.status_code == 302
    assert network.meetings.get().decision_list() == ["通过章程"]
    assert network.events.filter(type=OrganisationEvent.Type.MEETING).exists()


def test_membership_admin_keeps_the_last_administrator(
    admin_client, make_org, plain_user
):
    org = make_org("绵阳某公司")
    r = admin_client.post(
        "/admin/organisations/membership/add/",
        {"user": plain_user.pk, "organisation": org.pk, "role": "administrator"},
    )
    assert r.status_code == 302
    membership = Membership.objects.get()
    r = admin_client.post(
        f"/admin/organisations/membership/{membership.pk}/change/",
        {"role": "member"},
        follow=True,
    )
    assert any("last administrator" in m for m in _messages(r))
    r = admin_client.post(
        f"/admin/organisations/membership/{membership.pk}/delete/",
        {"post": "yes"},
        follow=True,
    )
    assert any("last administrator" in m for m in _messages(r))
    membership.refresh_from_db()
    assert membership.role == "administrator"
    services.membership_add(
        actor=None, organisation=org, user=make_user("second"), role="administrator"
    )
    r = admin_client.post(
        f"/admin/organisations/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert r.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def make_user(name: str):
    from qihub.core.services import user_create

    return user_create(username=name, password="pw-" + name, roles=[])
