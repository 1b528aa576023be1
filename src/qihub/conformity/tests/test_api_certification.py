"""The API for schemes, applications (evaluation, decision, certificate),
surveillance, certificate history and recognition agreements."""

import datetime
import json

import pytest

from qihub.conformity import services
from qihub.conformity.models import Agreement, Application, Certificate, Scheme
from qihub.conformity.tests.test_reports import _report


@pytest.fixture
def staff_api(token_client_for, staff_user):
    return token_client_for(staff_user)


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_scheme_application_to_certificate(
    staff_api, client, lab, cert_body, enterprise, gb31701
):
    r = _post(
        staff_api,
        "/api/conformity/schemes",
        {"code": "SZS", "name_en": "Shenzhen standard", "standards": ["GB 31701"]},
    )
    assert r.status_code == 201, r.content
    assert r.json()["standards"] == ["GB 31701-2015"]
    assert client.get("/api/conformity/schemes").json()[0]["code"] == "SZS"
    r = _post(
        staff_api,
        "/api/conformity/applications",
        {
            "scheme": "SZS",
            "body_id": cert_body.pk,
            "applicant_id": enterprise.pk,
            "products": "婴儿连体服",
            "standard": "GB 31701-2015",
        },
    )
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    assert r.json()["state"] == "applied"
    # Deciding before the evaluation is refused and changes nothing.
    r = _post(
        staff_api, f"/api/conformity/applications/{app_id}/decide", {"grant": True}
    )
    assert r.status_code == 409
    report = services.report_issue(
        actor=None, report=_report(lab, value="10", conclusion="pass")
    )
    r = _post(
        staff_api,
        f"/api/conformity/applications/{app_id}/evaluate",
        {
            "test_report": report.number,
            "inspection_on": "2025-01-01",
            "inspection_passed": True,
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "evaluated"
    r = _post(
        staff_api,
        f"/api/conformity/applications/{app_id}/decide",
        {"grant": True, "number": "CERT-API-1"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "granted"
    assert r.json()["certificate"] == "CERT-API-1"
    cert = Certificate.objects.get(number="CERT-API-1")
    assert cert.next_surveillance_on is not None
    r = _post(
        staff_api,
        "/api/conformity/certificates/CERT-API-1/surveillance",
        {"passed": False, "notes": "sample failed"},
    )
    assert r.json()["status"] == "suspended"
    r = staff_api.get("/api/conformity/certificates/CERT-API-1/history")
    assert [e["type"] for e in r.json()] == ["issued", "surveilled", "suspended"]
    # The history is not public.
    assert client.get(
        "/api/conformity/certificates/CERT-API-1/history"
    ).status_code in (
        401,
        403,
    )


def test_application_bad_input_stores_nothing(
    staff_api, cert_body, enterprise, gb31701
):
    services.scheme_create(actor=None, code="SZS", standards=["GB 31701"])
    base = {
        "scheme": "SZS",
        "body_id": enterprise.pk,
        "applicant_id": enterprise.pk,
        "products": "婴儿连体服",
        "standard": "GB 31701-2015",
    }
    r = _post(staff_api, "/api/conformity/applications", base)
    assert r.status_code == 400
    assert "not a certification body" in r.json()["detail"]
    r = _post(
        staff_api,
        "/api/conformity/applications",
        dict(base, body_id=cert_body.pk, standard="GB 99999-2020"),
    )
    assert r.status_code == 400
    r = _post(staff_api, "/api/conformity/schemes", {"code": "SZS"})
    assert r.status_code == 400
    assert not Application.objects.exists()
    assert Scheme.objects.count() == 1


def test_scheme_and_agreement_need_staff(token_client_for, enterprise_user, lab):
    api = token_client_for(enterprise_user)
    assert _post(api, "/api/conformity/schemes", {"code": "X"}).status_code == 403
    r = _post(
        api,
        "/api/conformity/agreements",
        {
            "kind": "ilac_mra",
            "name": "ILAC MRA",
            "body_ids": [lab.pk],
            "markets": ["CN"],
            "valid_from": "2020-01-01",
        },
    )
    assert r.status_code == 403
    assert not Agreement.objects.exists()


def test_agreement_create_list_and_recognition(staff_api, client, lab, gb31701):
    data = {
        "kind": "bilateral",
        "name": "CN-DE textiles",
        "body_ids": [lab.pk],
        "markets": ["DE"],
        "valid_from": "2020-01-01",
        "valid_until": "2030-01-01",
        "products": ["纺织产品"],
        "standards": ["GB 31701-2015"],
    }
    r = _post(staff_api, "/api/conformity/agreements", data)
    assert r.status_code == 201, r.content
    assert r.json()["bodies"] == [lab.name]
    assert client.get("/api/conformity/agreements").json()[0]["name"] == data["name"]
    r = client.get(
        "/api/conformity/recognition",
        {"body_id": lab.pk, "standard": "GB 31701-2015", "market": "DE"},
    )
    assert r.json()["recognised"] is True
    bad = dict(data, valid_until="2019-01-01", name="bad")
    assert _post(staff_api, "/api/conformity/agreements", bad).status_code == 400
    bad = dict(data, body_ids=[999999], name="bad")
    assert _post(staff_api, "/api/conformity/agreements", bad).status_code == 400
    bad = dict(data, kind="nope", name="bad")
    assert _post(staff_api, "/api/conformity/agreements", bad).status_code == 400
    assert Agreement.objects.count() == 1
    assert datetime.date(2030, 1, 1) == Agreement.objects.get().valid_until


def test_application_and_certificate_history_in_api_details(
    token_client_for, django_user_model, client, lab, cert_body, enterprise, gb31701
):
    from qihub.organisations.models import Membership

    applicant = django_user_model.objects.create_user("applicant", password="x")
    Membership.objects.create(user=applicant, organisation=enterprise)
    officer = django_user_model.objects.create_user("officer", password="x")
    Membership.objects.create(user=officer, organisation=cert_body)
    outsider = django_user_model.objects.create_user("outsider", password="x")
    applicant_api, officer_api = (
        token_client_for(applicant),
        token_client_for(officer),
    )
    services.scheme_create(actor=None, code="SZS", standards=["GB 31701"])
    r = _post(
        applicant_api,
        "/api/conformity/applications",
        {
            "scheme": "SZS",
            "body_id": cert_body.pk,
            "applicant_id": enterprise.pk,
            "products": "婴儿连体服",
            "standard": "GB 31701",
            "note": "first application",
        },
    )
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    assert [(e["type"], e["actor"], e["reason"]) for e in r.json()["history"]] == [
        ("applied", "applicant", "first application")
    ]
    report = services.report_issue(
        actor=None, report=_report(lab, value="10", conclusion="pass")
    )
    _post(
        officer_api,
        f"/api/conformity/applications/{app_id}/evaluate",
        {
            "test_report": report.number,
            "inspection_on": "2025-01-01",
            "inspection_passed": True,
            "inspection_notes": "line 2 inspected",
        },
    )
    _post(
        officer_api,
        f"/api/conformity/applications/{app_id}/decide",
        {"grant": True, "number": "CERT-API-H", "reason": "conforms"},
    )
    _post(
        officer_api,
        "/api/conformity/certificates/CERT-API-H/status",
        {"action": "suspend", "reason": "audit failed"},
    )
    # Both sides read the application's history from its detail.
    for api in (applicant_api, officer_api):
        r = api.get(f"/api/conformity/applications/{app_id}")
        assert r.status_code == 200
        history = r.json()["history"]
        assert [(e["type"], e["actor"], e["reason"]) for e in history] == [
            ("applied", "applicant", "first application"),
            ("evaluated", "officer", "line 2 inspected"),
            ("granted", "officer", "conforms"),
        ]
        assert history[1]["details"]["test_report"] == report.number
        assert history[2]["details"] == {"certificate": "CERT-API-H"}
        assert history[0]["at"] <= history[2]["at"]
    r = officer_api.get("/api/conformity/certificates/CERT-API-H")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "suspended"
    assert body["holder"] == enterprise.name
    assert [(e["type"], e["actor"], e["reason"]) for e in body["history"]] == [
        ("issued", "officer", ""),
        ("suspended", "officer", "audit failed"),
    ]
    assert (
        applicant_api.get("/api/conformity/certificates/CERT-API-H").status_code == 200
    )
    assert (
        applicant_api.get("/api/conformity/certificates/CERT-API-H/history").json()[1][
            "type"
        ]
        == "suspended"
    )
    # Not for others, nor anonymous (they verify publicly).
    outsider_api = token_client_for(outsider)
    assert outsider_api.get(f"/api/conformity/applications/{app_id}").status_code == 404
    assert (
        outsider_api.get("/api/conformity/certificates/CERT-API-H").status_code == 404
    )
    assert client.get("/api/conformity/certificates/CERT-API-H").status_code in (
        401,
        403,
    )
    assert client.get(f"/api/conformity/applications/{app_id}").status_code in (
        401,
        403,
    )
