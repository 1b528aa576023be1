import pytest
from django.test import Client

from qihub.lifecycle import services

pytestmark = pytest.mark.django_db


def test_project_api_lifecycle(staff_api, user_api, committee):
    response = staff_api.post(
        "/api/lifecycle/projects/",
        {"title_en": "API project", "committee": committee.code},
        content_type="application/json",
    )
    assert response.status_code == 201
    project = response.json()
    assert project["state"] == "proposal"
    url = f"/api/lifecycle/projects/{project['id']}/transition/"
    bad = staff_api.post(
        url, {"to_state": "published"}, content_type="application/json"
    )
    assert bad.status_code == 409
    assert "cannot move to" in bad.json()["detail"]
    forbidden = user_api.post(
        url, {"to_state": "approved"}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    ok = staff_api.post(
        url,
        {"to_state": "approved", "comment": "Plan approved"},
        content_type="application/json",
    )
    assert ok.json()["state"] == "approved"
    events = Client().get(f"/api/lifecycle/projects/{project['id']}/events/").json()
    assert events[0]["comment"] == "Plan approved"
    listing = Client().get("/api/lifecycle/projects/?state=approved").json()
    assert listing["count"] == 1


def test_anonymous_write_to_projects_is_refused(db):
    response = Client().post(
        "/api/lifecycle/projects/", {"title_en": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_comment_api_and_rate_limit(make_project, settings):
    settings.QIHUB_LIFECYCLE_ANON_LIMIT = 1
    consultation = make_project("consultation").consultations.get()
    url = f"/api/lifecycle/consultations/{consultation.pk}/comments/"
    c = Client()
    first = c.post(
        url,
        {"text": "t", "commenter": "A", "type": "ed"},
        content_type="application/json",
    )
    assert first.status_code == 201
    assert first.json()["number"] == 1
    second = c.post(
        url, {"text": "t", "commenter": "A"}, content_type="application/json"
    )
    assert second.status_code == 429
    assert c.get(url).json()["count"] == 1


def test_patents_by_standard(old_standard):
    services.patent_disclose(
        actor=None,
        standard=old_standard,
        patent_number="ZL9",
        holder="H",
        licensing="frand",
        declarant="D",
    )
    data = Client().get(f"/api/lifecycle/patents/?standard={old_standard.pk}").json()
    assert data["items"][0]["patent_number"] == "ZL9"
    assert data["items"][0]["standard"] == "GB 31701-2015"


def test_feedback_api(old_standard):
    c = Client()
    response = c.post(
        "/api/lifecycle/feedback/",
        {"standard": old_standard.pk, "name": "A", "subject": "S", "body": "B"},
        content_type="application/json",
    )
    assert response.status_code == 201
    number = response.json()["tracking_number"]
    assert c.get(f"/api/lifecycle/feedback/{number}/").json()["status"] == "received"
    assert c.get("/api/lifecycle/feedback/FB-1/").status_code == 404
    bad = c.post(
        "/api/lifecycle/feedback/",
        {"standard": old_standard.pk, "name": "A", "subject": "", "body": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_periodic_reviews_due_api(old_standard):
    data = Client().get("/api/lifecycle/periodic-reviews/due/").json()
    assert data[0]["identifier"] == "GB 31701-2015"
    assert data[0]["review_overdue"] is True


def test_openapi_schema_includes_lifecycle(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/lifecycle/patents/" in response.json()["paths"]


def test_committees_api(committee):
    data = Client().get("/api/lifecycle/committees/").json()
    assert data["items"][0]["code"] == "SAC/TC 999"
    assert data["items"][0]["approval_threshold"] == 0.75
