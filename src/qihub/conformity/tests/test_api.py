import json

import pytest

from qihub.conformity import services


def test_capabilities_ranked(
    client, scope_lines, lab, gb31701, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        r = client.get(
            "/api/conformity/capabilities?parameter=甲醛&standard=GB 31701&product=婴幼儿"
        )
    assert r.status_code == 200
    hits = r.json()
    assert hits[0]["parameter_key"] == "formaldehyde"
    assert hits[0]["rank"] == 0
    assert hits[0]["edition_current"] is True
    assert hits[0]["valid"] is True
    assert hits[0]["body"] == lab.name
    # shaped by the operation itself: exactly the documented schema
    from qihub.conformity.api import CapabilityOut

    for hit in hits:
        assert set(hit) == set(CapabilityOut.model_fields)
        assert CapabilityOut.model_validate(hit).model_dump(mode="json") == hit
    assert r["Content-Type"].startswith("application/json")


def test_capabilities_needs_input(client, db):
    r = client.get("/api/conformity/capabilities")
    assert r.status_code == 400


def test_capabilities_unknown_standard_empty(client, scope_lines):
    r = client.get("/api/conformity/capabilities?standard=GB 99999")
    assert r.json() == []


def test_verify_get_and_bulk(client, lab, gb31701):
    report = services.report_create(
        actor=None,
        body=lab,
        number="R-100",
        product="p",
        standards=["GB 31701"],
        results=[{"parameter": "甲醛含量", "value": "5", "unit": "mg/kg"}],
        conclusion="pass",
    )
    services.report_issue(actor=None, report=report)
    r = client.get("/api/conformity/verify?number=R-100")
    assert r.json()["status"] == "valid"
    r = client.post(
        "/api/conformity/verify",
        json.dumps({"numbers": ["R-100", "X-404", "!!"]}),
        content_type="application/json",
    )
    assert [x["status"] for x in r.json()["results"]] == [
        "valid",
        "unknown",
        "malformed",
    ]
    r = client.post(
        "/api/conformity/verify",
        json.dumps({"numbers": ["A-" + str(i) for i in range(101)]}),
        content_type="application/json",
    )
    assert r.status_code == 400


def test_verify_rate_limited(client, db, settings):
    settings.QIHUB_CONFORMITY_VERIFY_LIMIT = 3
    from django.core.cache import cache

    cache.clear()
    codes = [
        client.get("/api/conformity/verify?number=X-1").status_code for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    cache.clear()


@pytest.fixture
def lab_api(lab, token_client_for, staff_user):
    return token_client_for(staff_user)


def test_report_api_contradiction_stores_nothing(lab_api, lab, gb31701):
    from qihub.conformity.models import TestReport

    payload = {
        "number": "R-200",
        "body_id": lab.pk,
        "product": "p",
        "standards": ["GB 31701-2015"],
        "conclusion": "pass",
        "results": [{"parameter": "甲醛含量", "value": "50", "unit": "mg/kg"}],
    }
    r = lab_api.post(
        "/api/conformity/reports", json.dumps(payload), content_type="application/json"
    )
    assert r.status_code == 400
    assert "contradicts" in r.json()["detail"]
    assert not TestReport.objects.exists()
    payload["conclusion"] = "fail"
    r = lab_api.post(
        "/api/conformity/reports", json.dumps(payload), content_type="application/json"
    )
    assert r.status_code == 201
    assert r.json()["results"][0]["outcome"] == "fail"
    r = lab_api.post(
        "/api/conformity/reports/R-200/revoke",
        json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert r.json()["status"] == "revoked"


def test_report_api_unit_refused(lab_api, lab, gb31701):
    payload = {
        "number": "R-201",
        "body_id": lab.pk,
        "product": "p",
        "standards": ["GB 31701"],
        "conclusion": "pass",
        "results": [{"parameter": "甲醛含量", "value": "50", "unit": "kg"}],
    }
    r = lab_api.post(
        "/api/conformity/reports", json.dumps(payload), content_type="application/json"
    )
    assert r.status_code == 400
    assert "cannot be converted" in r.json()["detail"]


def test_capabilities_region_and_kind(client, scope_lines, lab):
    from qihub.organisations.models import Region

    region = Region.objects.filter(level="city").first()
    if region is None:
        region = Region.objects.create(code="510700", name_zh="绵阳市", level="city")
    lab.region = region
    lab.save()
    r = client.get(
        f"/api/conformity/capabilities?parameter=甲醛&region={region.code[:2]}0000&kind=testing_body"
    )
    assert len(r.json()) == 1
    r = client.get("/api/conformity/capabilities?parameter=甲醛&region=990000")
    assert r.json() == []
