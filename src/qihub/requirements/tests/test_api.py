import base64

import pytest

from qihub.requirements import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    demo.load()


def test_documents_and_clauses(client, loaded):
    data = client.get("/api/requirements/documents").json()
    assert data["count"] == 4
    doc = next(d for d in data["items"] if d["identifier"] == "GB 31701-2015")
    clauses = client.get(f"/api/requirements/documents/{doc['id']}/clauses").json()
    assert clauses[0]["number"] == "1"
    xml = client.get(f"/api/requirements/documents/{doc['id']}/export.xml")
    assert xml.content.startswith(b"<?xml")


def test_requirement_filters_and_export(client, loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        data = client.get(
            "/api/requirements/requirements",
            {"standard": "GB 31701-2015", "parameter": "formaldehyde"},
        ).json()
    assert data["count"] >= 3
    assert {i["parameter"] for i in data["items"]} == {"formaldehyde"}
    export = client.get(
        "/api/requirements/requirements/export", {"subject": "大米"}
    ).json()
    assert export
    assert all("大米" in i["subject"] for i in export)


def test_check_api(client, loaded, django_assert_max_num_queries):
    body = {
        "standards": ["GB 31701-2015"],
        "values": {
            "formaldehyde": {"value": "0.1", "unit": "g/kg"},
            "pH值": {"value": 6.0},
            "odour": {"value": "no"},
        },
        "conditions": {"class": "B", "age_group": "child"},
    }
    with django_assert_max_num_queries(12):
        response = client.post(
            "/api/requirements/check", body, content_type="application/json"
        )
    data = response.json()
    assert response.status_code == 200
    outcomes = {(r["parameter"], r["outcome"]) for r in data["results"]}
    assert ("formaldehyde", "fail") in outcomes  # 100 mg/kg > 75 mg/kg for class B
    assert data["outcome"] == "fail"


def test_check_api_unknown_standard(client, loaded):
    response = client.post(
        "/api/requirements/check",
        {"standards": ["GB 1-1900"], "values": {}},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_bulk_api(client, loaded):
    products = [
        {"formaldehyde": {"value": v, "unit": "mg/kg"}, "ph": {"value": 6}}
        for v in (10, 80)
    ]
    data = client.post(
        "/api/requirements/check/bulk",
        {
            "standards": ["GB 31701-2015"],
            "products": products,
            "conditions": {"class": "B", "age_group": "child"},
        },
        content_type="application/json",
    ).json()
    assert data["products"] == 2
    assert data["verdicts"][1] == "fail"


def test_compare_api(client, loaded):
    data = client.get(
        "/api/requirements/compare", {"a": "Q/QHB 001-2024", "b": "GB 31701-2015"}
    ).json()
    verdicts = {r["verdict"] for r in data["rows"]}
    assert {"stricter", "weaker", "equal", "only_b"} <= verdicts
    assert data["not_weaker"] is False


def test_import_api_needs_staff(user_api, staff_api, sts_data):
    body = {
        "filename": "gb2762.xml",
        "content_base64": base64.b64encode(sts_data("gb2762-2022.sts.xml")).decode(),
    }
    assert (
        user_api.post(
            "/api/requirements/import", body, content_type="application/json"
        ).status_code
        == 403
    )
    response = staff_api.post(
        "/api/requirements/import", body, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["clauses"] == 9
    again = staff_api.post(
        "/api/requirements/import", body, content_type="application/json"
    )
    assert again.status_code == 409
    bad = staff_api.post(
        "/api/requirements/import",
        {
            "filename": "x.xml",
            "content_base64": base64.b64encode(
                b"<!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]><x>&a;</x>"
            ).decode(),
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "External entities are not allowed" in bad.json()["detail"]


def test_create_requirement_api(staff_api, client, loaded):
    response = staff_api.post(
        "/api/requirements/requirements",
        {
            "standard": "GB 2762-2022",
            "parameter": "铅",
            "operator": "<=",
            "value": "0.1",
            "unit": "毫克/千克",
            "clause": "4.1",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["unit"] == "mg/kg"
    bad = staff_api.post(
        "/api/requirements/requirements",
        {"standard": "GB 2762-2022", "parameter": "铅", "operator": "<=", "value": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "must be a number" in bad.json()["detail"]
    anon = client.post(
        "/api/requirements/requirements",
        {"standard": "GB 2762-2022"},
        content_type="application/json",
    )
    assert anon.status_code == 401
