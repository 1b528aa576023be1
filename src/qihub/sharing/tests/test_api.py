"""The staff API of the sharing: member instances (register by base URL,
accept, remove), key rotation and what this instance publishes."""

import pytest
from django.test import Client

from qihub.sharing.models import MemberInstance, PublishingChoice, SigningKey

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    from qihub.core.services import api_token_create

    _token, key = api_token_create(user=user)
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})


@pytest.fixture
def api(staff_user):
    return _api(staff_user)


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_register_accept_remove_through_the_api(api, network, publisher, describe):
    r = _post(
        api,
        "/api/network/members",
        {"network": network.pk, "base_url": "http://a.test", "name": "West A"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    key = SigningKey.objects.get()
    assert (body["state"], body["name"], body["network"]) == (
        "requested",
        "West A",
        network.pk,
    )
    assert [k["key_id"] for k in body["keys"]] == [key.key_id]
    member_id = body["id"]

    r = _post(api, f"/api/network/members/{member_id}/accept")
    assert (r.status_code, r.json()["state"]) == (200, "accepted")
    r = _post(api, f"/api/network/members/{member_id}/accept")
    assert r.status_code == 409
    assert "already accepted" in r.json()["detail"]
    r = _post(api, f"/api/network/members/{member_id}/remove")
    assert (r.status_code, r.json()["state"]) == (200, "removed")
    assert r.json()["removed_at"]

    [listed] = api.get("/api/network/members").json()
    assert (listed["id"], listed["base_url"]) == (member_id, "http://a.test")


def test_bad_registrations_are_refused(api, network, publisher, describe, closed_port):
    cases = [
        ({"network": network.pk, "base_url": "ftp://a.test"}, 400, "http://"),
        ({"network": network.pk, "base_url": "http://b.test"}, 400, "signs its feed"),
        (
            {"network": network.pk, "base_url": f"http://127.0.0.1:{closed_port}"},
            400,
            "Could not reach",
        ),
        ({"network": 999999, "base_url": "http://a.test"}, 404, ""),
        (
            {"network": network.pk, "base_url": "http://a.test", "organisation": 9999},
            404,
            "",
        ),
    ]
    for payload, status, message in cases:
        r = _post(api, "/api/network/members", payload)
        assert r.status_code == status, (payload, r.content)
        assert message in r.json()["detail"]
        if status == 400:
            assert "base_url" in r.json()["errors"]
    assert not MemberInstance.objects.exists()
    _post(
        api,
        "/api/network/members",
        {"network": network.pk, "base_url": "http://a.test"},
    )
    r = _post(
        api,
        "/api/network/members",
        {"network": network.pk, "base_url": "http://a.test"},
    )
    assert r.status_code == 409
    assert MemberInstance.objects.count() == 1


def test_key_rotation_and_publishing(api, publisher):
    old = SigningKey.objects.get()
    r = _post(api, "/api/network/key/rotate")
    assert r.status_code == 200
    assert r.json()["key_id"] != old.key_id
    assert r.json()["valid_until"] is None
    old.refresh_from_db()
    assert old.valid_until

    kinds = {p["kind"]: p["enabled"] for p in api.get("/api/network/publishing").json()}
    assert kinds == {
        "local_standard": True,
        "group_standard": True,
        "project": False,
        "research": False,
        "consultation": False,
        "expert": False,
        "held_text": False,
    }
    r = api.put(
        "/api/network/publishing/project",
        {"enabled": True},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["enabled"]) == (200, True)
    assert PublishingChoice.objects.get(kind="project").enabled
    r = api.put(
        "/api/network/publishing/experts",
        {"enabled": True},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "Unknown kind: experts" in r.json()["detail"]


def test_the_staff_api_is_for_staff(client, enterprise_user, network, publisher):
    member = MemberInstance.objects.create(network=network, base_url="http://b.test")
    calls = [
        ("get", "/api/network/members", None),
        (
            "post",
            "/api/network/members",
            {"network": network.pk, "base_url": "http://x"},
        ),
        ("post", f"/api/network/members/{member.pk}/accept", {}),
        ("post", f"/api/network/members/{member.pk}/remove", {}),
        ("post", "/api/network/key/rotate", {}),
        ("get", "/api/network/publishing", None),
        ("put", "/api/network/publishing/project", {"enabled": True}),
    ]
    for who, expected in ((client, 401), (_api(enterprise_user), 403)):
        for method, path, data in calls:
            kwargs = {"content_type": "application/json"} if data is not None else {}
            r = (
                getattr(who, method)(path, data, **kwargs)
                if data is not None
                else (getattr(who, method)(path))
            )
            assert r.status_code == expected, (method, path, r.content)
    member.refresh_from_db()
    assert member.state == "requested"
    assert SigningKey.objects.count() == 1
    assert not PublishingChoice.objects.filter(kind="project").exists()


def test_set_this_instances_identity(api, enterprise_user):
    r = api.put(
        "/api/network/instance",
        {"base_url": "http://"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["errors"] == {"base_url": "invalid"}
    assert not SigningKey.objects.exists()
    r = api.put(
        "/api/network/instance",
        {"base_url": "http://c.test/"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["base_url"] == "http://c.test"
    assert len(r.json()["keys"]) == 1
    r = _api(enterprise_user).put(
        "/api/network/instance",
        {"base_url": "http://evil.test"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Client().get("/api/network/instance").json()["base_url"] == "http://c.test"
