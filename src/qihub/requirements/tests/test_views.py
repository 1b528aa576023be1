import pytest
from django.urls import reverse

from qihub.requirements import demo
from qihub.requirements.models import Document, Requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    demo.load()
    return {
        d.standard.identifier: d for d in Document.objects.select_related("standard")
    }


def test_index_lists_documents(client, loaded):
    response = client.get("/requirements/")
    assert response.status_code == 200
    assert "GB 31701-2015" in response.content.decode()


def test_reader_shows_clauses_toc_and_markers(
    client, loaded, django_assert_max_num_queries
):
    doc = loaded["GB 31701-2015"]
    with django_assert_max_num_queries(8):
        response = client.get(reverse("requirements:document_read", args=[doc.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="sec_4.2"' in html
    assert "has-req" in html
    assert "甲醛含量/(mg/kg)" in html
    assert "Normative references" in html


def test_reader_in_chinese(zh_client, loaded):
    doc = loaded["GB 31701-2015"]
    html = zh_client.get(
        reverse("requirements:document_read", args=[doc.pk])
    ).content.decode()
    assert "目次" in html


def test_glossary_and_exports(client, loaded):
    doc = loaded["GB 31701-2015"]
    html = client.get(
        reverse("requirements:document_glossary", args=[doc.pk])
    ).content.decode()
    assert "婴幼儿纺织产品" in html
    xml = client.get(reverse("requirements:document_export", args=[doc.pk, "xml"]))
    assert xml["content-type"] == "application/xml"
    assert b"<std-ref" in xml.content
    data = client.get(
        reverse("requirements:document_export", args=[doc.pk, "json"])
    ).json()
    assert data["identifier"] == "GB 31701-2015"
    assert client.get(f"/requirements/documents/{doc.pk}/export.pdf").status_code == 404


def test_check_page_pass_and_fail(client, loaded):
    response = client.post(
        "/requirements/check/",
        {
            "standards": "GB 31701-2015",
            "values": "甲醛含量 = 0.021 g/kg\npH = 6.5\n",
            "conditions": "class=A, age_group=infant",
        },
    )
    html = response.content.decode()
    assert 'id="overall"' in html
    assert 'data-outcome="fail"' in html
    assert "21 mg/kg does not meet formaldehyde &lt;= 20 mg/kg" in html


def test_check_page_bad_input(client, loaded):
    response = client.post(
        "/requirements/check/",
        {"standards": "GB 99999-2099", "values": "x = 1", "conditions": ""},
    )
    assert "No standard GB 99999-2099" in response.content.decode()


def test_compare_page(client, loaded):
    response = client.get(
        "/requirements/compare/", {"a": "Q/QHB 001-2024", "b": "GB 31701-2015"}
    )
    html = response.content.decode()
    assert 'data-verdict="stricter"' in html
    assert 'data-verdict="weaker"' in html
    assert "A is weaker than B on some parameter" in html


def test_review_needs_staff(client, plain_user, loaded):
    client.force_login(plain_user)
    assert client.get("/requirements/review/").status_code == 403


def test_review_confirm_correct_reject_with_htmx(client, staff_user, loaded):
    client.force_login(staff_user)
    page = client.get("/requirements/review/")
    assert page.status_code == 200
    proposed = list(Requirement.objects.filter(status="proposed")[:3])
    assert len(proposed) == 3
    r1, r2, r3 = proposed
    response = client.post(
        f"/requirements/review/{r1.pk}/confirm/", headers={"hx-request": "true"}
    )
    assert f'id="req-{r1.pk}"' in response.content.decode()
    r1.refresh_from_db()
    assert r1.status == "confirmed"
    client.post(
        f"/requirements/review/{r2.pk}/correct/",
        {
            "operator": "<=",
            "value": "0.15",
            "unit": "mg/kg",
            "kind": "shall",
            "conditions": "",
        },
        headers={"hx-request": "true"},
    )
    r2.refresh_from_db()
    assert (r2.status, str(r2.value.normalize())) == ("confirmed", "0.15")
    response = client.post(
        f"/requirements/review/{r3.pk}/reject/",
        {"reason": ""},
        headers={"hx-request": "true"},
    )
    assert "Say why" in response.content.decode()
    client.post(
        f"/requirements/review/{r3.pk}/reject/",
        {"reason": "misread"},
        headers={"hx-request": "true"},
    )
    r3.refresh_from_db()
    assert r3.status == "rejected"


def test_import_page(client, staff_user, sts_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_user)
    response = client.post(
        "/requirements/import/",
        {"file": SimpleUploadedFile("gb2762.xml", sts_data("gb2762-2022.sts.xml"))},
    )
    assert response.status_code == 302
    bad = client.post(
        "/requirements/import/",
        {"file": SimpleUploadedFile("bad.xml", b"<standard><oops></standard>")},
    )
    assert "Malformed XML" in bad.content.decode()


def test_requirement_list_filters(client, loaded):
    html = client.get(
        "/requirements/list/", {"parameter": "formaldehyde"}
    ).content.decode()
    assert "GB 31701-2015" in html
    assert "GB 2762-2022" not in html


def test_check_reasons_in_chinese(zh_client, loaded):
    html = zh_client.post(
        "/requirements/check/",
        {
            "standards": "GB 31701-2015",
            "values": "甲醛含量 = 0.021 g/kg",
            "conditions": "class=A",
        },
    ).content.decode()
    assert "21 mg/kg 不符合 formaldehyde &lt;= 20 mg/kg" in html


def test_refused_file_message_in_chinese(zh_client, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    zh_client.force_login(staff_user)
    html = zh_client.post(
        "/requirements/import/",
        {
            "file": SimpleUploadedFile(
                "bad.xml", b"<!DOCTYPE x [<!ENTITY a SYSTEM 'http://x/'>]><x/>"
            )
        },
    ).content.decode()
    assert "第 1 行：不允许外部实体" in html


def test_admin_pages(client, admin_user, loaded):
    client.force_login(admin_user)
    for model in (
        "parameter",
        "document",
        "clause",
        "term",
        "normativereference",
        "requirement",
        "requirementevent",
        "documentevent",
    ):
        assert client.get(f"/admin/requirements/{model}/").status_code == 200, model
    doc = loaded["GB 31701-2015"]
    assert (
        client.get(f"/admin/requirements/document/{doc.pk}/change/").status_code == 200
    )
