import datetime

import pytest
from django.urls import reverse

from qihub.international import services
from qihub.international.imports import tbt_import
from qihub.international.models import Post
from qihub.international.tests.conftest import TBT_CSV

D = datetime.date


@pytest.fixture
def world(food_enterprise, food, orgs):
    body = services.body_register(
        actor=None, reference="ISO/TC 34/SC 17", title_en="Food safety management"
    )
    for n in range(3):
        services.post_assign(
            actor=None,
            body=body,
            role="expert",
            organisation=orgs["szis"],
            person_name=f"专家{n}",
            term_start=D(2024, 1, 1),
            term_end=D(2099, 1, 1),
        )
    for n, stage in enumerate(("10.20", "40.20", "60.60")):
        services.project_register(
            actor=None,
            reference=f"ISO/NP {n + 100}",
            stage=stage,
            body=body,
            leading_organisation=orgs["szis"],
            participants=[orgs["cnis"]],
        )
    course = services.course_create(
        actor=None,
        title="ISO course",
        training_base=orgs["szis"],
        starts_on=D(2023, 1, 1),
        ends_on=D(2023, 1, 2),
    )
    services.trainee_enrol(
        actor=None,
        course=course,
        person_name="专家0",
        organisation=orgs["szis"],
        certificate_number="C-1",
    )
    tbt_import(file=TBT_CSV.encode())
    return {"body": body, "course": course}


@pytest.mark.django_db
def test_pages_with_bounded_queries(client, world, django_assert_max_num_queries):
    from qihub.international.models import InternationalProject, TbtNotification

    project = InternationalProject.objects.first()
    note = TbtNotification.objects.get(symbol="G/TBT/N/KOR/1201")
    urls = [
        reverse("international:index"),
        reverse("international:body_list"),
        reverse("international:body_detail", args=[world["body"].pk]),
        reverse("international:project_list") + "?stage=40",
        reverse("international:project_detail", args=[project.pk]),
        reverse("international:talents"),
        reverse("international:course_detail", args=[world["course"].pk]),
        reverse("international:comparison") + "?ics=67",
        reverse("international:tbt_list"),
        reverse("international:tbt_detail", args=[note.pk]),
    ]
    for url in urls:
        with django_assert_max_num_queries(12):
            r = client.get(url)
        assert r.status_code == 200, url
    r = client.get(reverse("international:tbt_detail", args=[note.pk]))
    assert "深圳市甜源食品有限公司" in r.text
    assert "2099-12-19" in client.get(reverse("international:tbt_list")).text


@pytest.mark.django_db
def test_comparison_page_refuses_bad_field(client, food):
    r = client.get(reverse("international:comparison") + "?ics=food")
    assert r.status_code == 400
    assert "food is not an ICS code" in r.text


@pytest.mark.django_db
def test_comparison_xlsx(client, food):
    r = client.get(reverse("international:comparison_export") + "?ics=67")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("international:comparison_export")).status_code == 400


@pytest.mark.django_db
def test_organisation_page_shows_international_work(
    client, world, food_enterprise, orgs
):
    r = client.get(orgs["szis"].get_absolute_url())
    assert "International projects led" in r.text
    r = client.get(food_enterprise.organisation.get_absolute_url())
    assert "TBT/SPS notifications touching its declarations" in r.text


@pytest.mark.django_db
def test_api_reads(client, world, food_enterprise):
    r = client.get("/api/international/bodies")
    assert r.json()["items"][0]["reference"] == "ISO/TC 34"
    body = client.get(f"/api/international/bodies/{world['body'].pk}").json()
    assert len(body["posts"]) == 3
    projects = client.get("/api/international/projects?stage=40").json()["items"]
    assert [p["stage"] for p in projects] == ["40.20"]
    counts = client.get("/api/international/counts?region=440300").json()
    assert counts["projects_led"] == 3
    assert counts["posts_held"] == 3
    assert counts["talents_trained"] == 1
    assert counts["talents_active"] == 1
    cmp = client.get("/api/international/comparison?ics=67").json()
    assert cmp["summary"]["unmatched"] == 1
    assert cmp["unmatched"] == ["ISO 2171:2023"]
    assert client.get("/api/international/comparison?ics=x").status_code == 400
    notes = client.get("/api/international/tbt?open=true").json()["items"]
    assert [n["symbol"] for n in notes] == ["G/TBT/N/KOR/1201"]
    detail = client.get(f"/api/international/tbt/{notes[0]['id']}").json()
    assert any(m["organisation"] == "深圳市甜源食品有限公司" for m in detail["matches"])
    alerts = client.get(
        f"/api/international/organisations/{food_enterprise.organisation_id}/tbt"
    ).json()
    assert [a["symbol"] for a in alerts] == ["G/TBT/N/KOR/1201"]


@pytest.mark.django_db
def test_api_writes(staff_api, client, world, orgs):
    body = world["body"]
    url = f"/api/international/bodies/{body.pk}/posts"
    payload = {
        "role": "convenor",
        "organisation_id": orgs["lab"].pk,
        "person_name": "陈芳",
    }
    r = staff_api.post(url, payload, content_type="application/json")
    assert r.status_code == 400
    assert "needs its term" in r.json()["detail"]
    assert Post.objects.filter(role="convenor").count() == 0
    payload |= {"term_start": "2025-01-01", "term_end": "2028-01-01"}
    assert client.post(url, payload, content_type="application/json").status_code == 401
    assert (
        staff_api.post(url, payload, content_type="application/json").status_code == 201
    )
    r = staff_api.post(
        "/api/international/projects",
        {"reference": "ISO/NP 7", "stage": "12.34"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "Unknown stage code 12.34" in r.json()["detail"]
    r = staff_api.post(
        "/api/international/projects",
        {
            "reference": "ISO/NP 7",
            "stage": "10.20",
            "body": "ISO/TC 34/SC 17",
            "leading_organisation_id": orgs["lab"].pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    r = staff_api.post(
        f"/api/international/projects/{pk}/stage",
        {"stage": "2000"},
        content_type="application/json",
    )
    assert r.json()["stage"] == "20.00"


@pytest.mark.django_db
def test_pages_in_chinese(zh_client, food):
    r = zh_client.get(reverse("international:comparison") + "?ics=67")
    assert "领域内国内外标准比对" in r.text
    assert "尚无国内对应标准的国际标准" in r.text


@pytest.mark.django_db
def test_tbt_notification_page_in_chinese(zh_client, food_enterprise):
    from qihub.international.models import TbtNotification

    tbt_import(file=TBT_CSV.encode())
    note = TbtNotification.objects.get(symbol="G/TBT/N/KOR/1201")
    r = zh_client.get(reverse("international:tbt_detail", args=[note.pk]))
    assert "1 家企业已发布的自我声明落在这些领域或引用这些标准。" in r.text
