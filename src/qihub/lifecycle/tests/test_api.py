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


def test_committee_and_member_api(staff_api, token_client_for, enterprise_user, cnis):
    response = staff_api.post(
        "/api/lifecycle/committees/",
        {"code": "SAC/TC 176", "name_en": "Quality management", "quorum": 0.6},
        content_type="application/json",
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["code"], data["quorum"], data["approval_threshold"]) == (
        "SAC/TC 176",
        0.6,
        0.75,
    )
    again = staff_api.post(
        "/api/lifecycle/committees/",
        {"code": "SAC/TC 176"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "Committee SAC/TC 176 exists already."
    bad = staff_api.post(
        "/api/lifecycle/committees/",
        {"code": "SAC/TC 177", "approval_threshold": 1.5},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "between 0 and 1" in bad.json()["detail"]
    url = f"/api/lifecycle/committees/{data['id']}/members/"
    member = staff_api.post(
        url,
        {"username": "enterprise1", "role": "chair", "organisation_id": cnis.pk},
        content_type="application/json",
    )
    assert member.status_code == 201
    assert member.json() == {
        "committee": "SAC/TC 176",
        "username": "enterprise1",
        "role": "chair",
        "organisation": {
            "id": cnis.pk,
            "name": "CNIS",
            "url": cnis.get_absolute_url(),
        },
    }
    unknown = staff_api.post(
        url, {"username": "nobody"}, content_type="application/json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "No user is called nobody."
    wrong_role = staff_api.post(
        url,
        {"username": "enterprise1", "role": "president"},
        content_type="application/json",
    )
    assert wrong_role.status_code == 400
    missing = staff_api.post(
        "/api/lifecycle/committees/99999/members/",
        {"username": "enterprise1"},
        content_type="application/json",
    )
    assert missing.status_code == 404
    from qihub.lifecycle.models import Committee, CommitteeMember

    assert CommitteeMember.objects.get().role == "chair"
    outsider = token_client_for(enterprise_user)
    refused = outsider.post(
        "/api/lifecycle/committees/",
        {"code": "SAC/TC 178"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only institute staff may do this."
    assert not Committee.objects.filter(code="SAC/TC 178").exists()
    anonymous = Client().post(
        "/api/lifecycle/committees/",
        {"code": "SAC/TC 178"},
        content_type="application/json",
    )
    assert anonymous.status_code == 401


def test_member_api_refuses_non_staff(user_api, committee, enterprise_user):
    response = user_api.post(
        f"/api/lifecycle/committees/{committee.pk}/members/",
        {"username": "enterprise1"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not committee.memberships.exists()


def test_research_and_milestone_api(staff_api, user_api):
    response = staff_api.post(
        "/api/lifecycle/research/",
        {"code": "RP-9", "title_en": "Research", "starts_on": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 201
    research = response.json()
    assert (research["code"], research["status"]) == ("RP-9", "ongoing")
    backwards = staff_api.post(
        "/api/lifecycle/research/",
        {
            "code": "RP-10",
            "title_en": "Backwards",
            "starts_on": "2026-06-01",
            "ends_on": "2026-01-01",
        },
        content_type="application/json",
    )
    assert backwards.status_code == 400
    assert "end date" in backwards.json()["detail"]
    duplicate = staff_api.post(
        "/api/lifecycle/research/",
        {"code": "RP-9", "title_en": "Again"},
        content_type="application/json",
    )
    assert duplicate.status_code == 409
    url = f"/api/lifecycle/research/{research['id']}/milestones/"
    milestone = staff_api.post(
        url,
        {"title": "Mid-term report", "due_on": "2026-12-31"},
        content_type="application/json",
    )
    assert milestone.status_code == 201
    assert milestone.json()["research_project"] == "RP-9"
    assert milestone.json()["due_on"] == "2026-12-31"
    blank = staff_api.post(url, {"title": " "}, content_type="application/json")
    assert blank.status_code == 400
    assert blank.json()["detail"] == "A milestone needs a title."
    invalid = staff_api.post(
        url, {"title": "T", "due_on": "soon"}, content_type="application/json"
    )
    assert invalid.status_code == 422
    refused = user_api.post(url, {"title": "Mine"}, content_type="application/json")
    assert refused.status_code == 403
    assert (
        user_api.post(
            "/api/lifecycle/research/",
            {"code": "RP-11", "title_en": "Mine"},
            content_type="application/json",
        ).status_code
        == 403
    )
    from qihub.lifecycle.models import ResearchMilestone, ResearchProject

    assert ResearchProject.objects.count() == 1
    assert ResearchMilestone.objects.count() == 1
