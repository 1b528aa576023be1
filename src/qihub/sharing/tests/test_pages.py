"""The staff page /sharing/: register a member instance by its base URL,
accept and remove it, rotate this instance's key, choose what it publishes."""

import json

import pytest

from qihub.catalog.models import Standard
from qihub.catalog.tests.factories import StandardFactory
from qihub.sharing import services
from qihub.sharing.models import MemberInstance, PublishingChoice, SigningKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def _register(client, network, base_url, **extra):
    return client.post(
        "/sharing/members/register",
        {"network": network.pk, "base_url": base_url, **extra},
    )


def test_register_accept_and_remove_from_the_page(staff, network, publisher, describe):
    response = _register(staff, network, "http://a.test/", name="West A")
    assert response.status_code == 302, response.content.decode()
    member = MemberInstance.objects.get()
    key = SigningKey.objects.get()
    assert (member.base_url, member.name, member.state) == (
        "http://a.test",
        "West A",
        "requested",
    )
    assert list(member.keys.values_list("key_id", "public_key")) == [
        (key.key_id, key.public_key)
    ]
    page = staff.get("/sharing/").content.decode()
    assert "West A is registered; accept it to pull its feed." in page
    assert f'action="/sharing/members/{member.pk}/accept"' in page

    assert staff.post(f"/sharing/members/{member.pk}/accept").status_code == 302
    member.refresh_from_db()
    assert member.state == "accepted"
    assert member.accepted_by.name == "West Institute"
    StandardFactory(identifier="T/CAS 9-2024", level=Standard.Level.GROUP)
    assert services.member_pull(member=member, fetch=describe) == 1

    assert staff.post(f"/sharing/members/{member.pk}/remove").status_code == 302
    member.refresh_from_db()
    assert member.state == "removed"
    assert member.mirrored_standards.get().no_longer_shared
    row = staff.get("/sharing/").content.decode().split('data-member="http://a.test"')
    assert "Removed" in row[1].split("</tr>")[0]


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("ftp://a.test", "The base URL must be an http:// or https:// address"),
        ("http://", "The base URL must be an http:// or https:// address"),
        ("http://b.test", "The instance at http://b.test signs its feed as"),
    ],
)
def test_bad_base_url_is_refused_with_a_message(
    staff, network, publisher, describe, base_url, message
):
    response = _register(staff, network, base_url)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{base_url}"' in html  # what was typed stays in the form
    assert not MemberInstance.objects.exists()


def test_unreachable_instance_is_refused(staff, network, closed_port):
    url = f"http://127.0.0.1:{closed_port}"
    response = _register(staff, network, url)
    assert response.status_code == 400
    assert f"Could not reach {url}/api/network/instance" in response.content.decode()
    assert not MemberInstance.objects.exists()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"<html>not json</html>", "did not answer with a qihub instance description"),
        (b'{"base_url": "http://a.test"}', "did not answer with a qihub instance"),
        (
            json.dumps(
                {
                    "base_url": "http://a.test",
                    "keys": [{"key_id": "k", "public_key": "x"}],
                }
            ).encode(),
            "did not answer with a qihub instance description",
        ),
        (b'{"base_url": "", "keys": []}', "has no identity yet"),
    ],
)
def test_malformed_description_is_refused(staff, network, monkeypatch, answer, message):
    monkeypatch.setattr(services, "http_describe", lambda url: answer)
    response = _register(staff, network, "http://a.test")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MemberInstance.objects.exists()


def test_registering_twice_is_refused(staff, network, publisher, describe):
    _register(staff, network, "http://a.test")
    response = _register(staff, network, "http://a.test")
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert MemberInstance.objects.count() == 1


def test_rotated_keys_are_registered_and_old_entries_verify(
    staff, network, publisher, describe
):
    StandardFactory(identifier="T/CAS 1-2024", level=Standard.Level.GROUP)
    response = staff.post("/sharing/key/rotate")
    assert response.status_code == 302
    assert SigningKey.objects.count() == 2
    StandardFactory(identifier="T/CAS 2-2024", level=Standard.Level.GROUP)
    _register(staff, network, "http://a.test")
    member = MemberInstance.objects.get()
    assert member.keys.count() == 2
    assert member.keys.filter(valid_until__isnull=True).count() == 1
    services.member_accept(member=member)
    assert services.member_pull(member=member, fetch=describe) == 3
    member.refresh_from_db()
    assert member.last_error == ""
    assert member.mirrored_standards.count() == 2


def test_rotation_without_identity_is_said_on_the_page(staff):
    response = staff.post("/sharing/key/rotate")
    assert response.status_code == 400
    assert "Set this instance&#x27;s identity first" in response.content.decode()
    assert not SigningKey.objects.exists()


def test_choose_what_this_instance_publishes(staff, publisher):
    StandardFactory(identifier="T/CAS 3-2024", level=Standard.Level.GROUP)
    page = staff.get("/sharing/").content.decode()
    row = page.split('data-kind="project"')[1].split("</tr>")[0]
    assert "Publish</button>" in row
    response = staff.post("/sharing/publishing", {"kind": "project", "enabled": "1"})
    assert response.status_code == 302
    assert PublishingChoice.objects.get(kind="project").enabled
    staff.post("/sharing/publishing", {"kind": "group_standard", "enabled": "0"})
    assert not PublishingChoice.objects.get(kind="group_standard").enabled
    page = staff.get("/sharing/").content.decode()
    assert "Group standards are no longer published." in page
    row = page.split('data-kind="project"')[1].split("</tr>")[0]
    assert "Stop publishing</button>" in row


def test_unknown_kind_is_refused(staff, publisher):
    response = staff.post("/sharing/publishing", {"kind": "experts", "enabled": "1"})
    assert response.status_code == 400
    assert "Kind:" in response.content.decode()
    assert not PublishingChoice.objects.filter(kind="experts").exists()


def test_the_actions_are_for_staff(client, enterprise_user, network, publisher):
    member = services.member_register(
        network=network,
        base_url="http://b.test",
        public_key=SigningKey.objects.get().public_key,
    )
    client.force_login(enterprise_user)
    for path, data in [
        ("/sharing/members/register", {"network": network.pk, "base_url": "http://x"}),
        (f"/sharing/members/{member.pk}/accept", {}),
        (f"/sharing/members/{member.pk}/remove", {}),
        ("/sharing/key/rotate", {}),
        ("/sharing/publishing", {"kind": "project", "enabled": "1"}),
    ]:
        assert client.post(path, data).status_code == 403, path
    member.refresh_from_db()
    assert member.state == "requested"
    assert MemberInstance.objects.count() == 1
    assert SigningKey.objects.count() == 1
    assert not PublishingChoice.objects.filter(kind="project").exists()


def test_the_page_in_chinese(zh_client, staff_user, network, publisher):
    zh_client.force_login(staff_user)
    html = zh_client.get("/sharing/").content.decode()
    assert "登记成员实例" in html
    assert "轮换签名密钥" in html
    html = _register(zh_client, network, "ftp://a.test").content.decode()
    assert "基础网址必须是带主机名的 http:// 或 https:// 地址" in html


def test_set_this_instances_identity(staff):
    from django.test import Client

    from qihub.sharing.models import InstanceIdentity

    page = staff.get("/sharing/").content.decode()
    assert "This instance has no identity yet" in page
    response = staff.post("/sharing/identity", {"base_url": "ftp://here"})
    assert response.status_code == 400
    assert "The base URL must be an http:// or https:// address" in (
        response.content.decode()
    )
    assert not InstanceIdentity.objects.exists()
    assert not SigningKey.objects.exists()
    response = staff.post("/sharing/identity", {"base_url": "http://c.test/"})
    assert response.status_code == 302
    assert InstanceIdentity.objects.get().base_url == "http://c.test"
    key = SigningKey.objects.get()
    page = staff.get("/sharing/").content.decode()
    assert "This instance&#x27;s identity is saved." in page
    assert f"<code>{key.key_id}</code>" in page
    assert Client().post("/sharing/identity", {"base_url": "http://x"}).status_code in (
        302,
        403,
    )
    assert InstanceIdentity.objects.get().base_url == "http://c.test"
