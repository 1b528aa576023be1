"""The pool API: anyone reads the listed experts and held texts; staff add,
change, withdraw and release; refused input is a 4xx and stores nothing."""

import pytest

from qihub.pool.models import Expert, HeldText

pytestmark = pytest.mark.django_db

EXPERT = {
    "name_zh": "王计量",
    "fields": "计量; 校准",
    "email": "w@example.org",
    "listed": True,
    "consent_on": "2025-01-02",
}


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_staff_manage_experts(staff_api, client):
    r = _post(staff_api, "/api/pool/experts", EXPERT)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["fields"] == ["计量", "校准"]
    hidden = _post(staff_api, "/api/pool/experts", {"name_zh": "张", "fields": "x"})
    assert hidden.status_code == 201

    public = client.get("/api/pool/experts").json()
    assert [e["name_zh"] for e in public] == ["王计量"]
    assert public[0]["email"] == ""  # not agreed to share it
    assert len(staff_api.get("/api/pool/experts").json()) == 2

    r = staff_api.put(
        f"/api/pool/experts/{pk}",
        {**EXPERT, "contact_shared": True},
        content_type="application/json",
    )
    assert r.json()["contact_shared"] is True
    assert client.get("/api/pool/experts").json()[0]["email"] == "w@example.org"

    r = _post(staff_api, f"/api/pool/experts/{pk}/withdraw")
    assert r.json()["listed"] is False
    assert client.get("/api/pool/experts").json() == []
    r = _post(staff_api, f"/api/pool/experts/{pk}/withdraw")
    assert r.status_code == 409
    assert "no consent" in r.json()["detail"]


def test_refused_expert_input(staff_api):
    r = _post(staff_api, "/api/pool/experts", {**EXPERT, "consent_on": None})
    assert r.status_code == 400
    assert "date the expert agreed" in r.json()["detail"]
    r = _post(staff_api, "/api/pool/experts", {**EXPERT, "organisation": 999999})
    assert r.status_code == 404
    assert not Expert.objects.exists()


def test_staff_manage_held_texts(staff_api, client):
    text = {
        "identifier": "ISO 9001:2015",
        "edition": "2015",
        "licence_scope": "network",
    }
    r = _post(staff_api, "/api/pool/texts", text)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert _post(staff_api, "/api/pool/texts", text).status_code == 409
    r = staff_api.put(
        f"/api/pool/texts/{pk}",
        {**text, "licence_scope": "site"},
        content_type="application/json",
    )
    assert r.json()["licence_scope"] == "site"
    bad = staff_api.put(
        f"/api/pool/texts/{pk}",
        {**text, "licence_scope": "everyone"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "Unknown licence scope" in bad.json()["detail"]
    assert HeldText.objects.get().licence_scope == "site"
    assert len(client.get("/api/pool/texts").json()) == 1
    assert _post(staff_api, f"/api/pool/texts/{pk}/release").json()["released_on"]
    assert client.get("/api/pool/texts").json() == []


def test_writes_are_for_staff(client, user_api):
    assert _post(client, "/api/pool/experts", EXPERT).status_code == 401
    r = _post(user_api, "/api/pool/experts", EXPERT)
    assert r.status_code == 403
    assert not Expert.objects.exists()
