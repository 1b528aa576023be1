"""Core indicators read from an enterprise standard file (the Q/ file)."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qihub.core.errors import ApplicationError
from qihub.declarations.models import Declaration
from qihub.declarations.proposing import indicators_from_file

pytestmark = pytest.mark.django_db

Q_TEXT = """Q/HBJ 01-2021 婴幼儿纺织品
4 技术要求
4.1 甲醛含量应不大于 20 mg/kg。
4.2 pH 值应为 4.0～7.5。
4.3 铅（以Pb计）含量应 ≤ 0.1 mg/kg，按 GB 5009.12 测定。
4.4 可分解致癌芳香胺染料：禁用。
"""

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    """A minimal Word document: paragraphs, then a table."""

    def p(text, style=""):
        props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        return f"<w:p>{props}<w:r><w:t>{text}</w:t></w:r></w:p>"

    rows = "".join(
        "<w:tr>" + "".join(f"<w:tc>{p(cell)}</w:tc>" for cell in row) + "</w:tr>"
        for row in table
    )
    body = (
        p("4 技术要求", "Heading1")
        + "".join(p(t) for t in paragraphs)
        + f"<w:tbl>{rows}</w:tbl>"
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def test_text_file_gives_the_declared_limits():
    rows = indicators_from_file("q.txt", Q_TEXT.encode("gb18030"))
    by_parameter = {r["parameter"]: r for r in rows}
    assert set(by_parameter) == {"formaldehyde", "ph", "lead"}
    assert by_parameter["formaldehyde"] == {
        "parameter": "formaldehyde",
        "operator": "<=",
        "value": "20",
        "upper": "",
        "unit": "mg/kg",
        "test_method": "",
    }
    assert (by_parameter["ph"]["operator"], by_parameter["ph"]["upper"]) == (
        "range",
        "7.5",
    )
    assert by_parameter["lead"]["test_method"] == "GB 5009.12"


def test_word_document_paragraphs_and_table():
    data = _docx(
        ["4.1 甲醛含量应不大于 20 mg/kg。"],
        [["项目", "指标"], ["甲醛含量/(mg/kg)", "≤20"], ["铅/(mg/kg)", "≤0.1"]],
    )
    rows = indicators_from_file("Q-HBJ-01.docx", data)
    assert [(r["parameter"], r["operator"], r["value"], r["unit"]) for r in rows] == [
        ("formaldehyde", "<=", "20", "mg/kg"),
        ("lead", "<=", "0.1", "mg/kg"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("q.pdf", b"%PDF-1.7", "Word (.docx), text (.txt, .md) or STS XML"),
        ("q.docx", b"not a zip", "not a Word (.docx) document"),
        (
            "q.xml",
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><standard>&e;</standard>',
            "External entities are not allowed",
        ),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(name, data, reason):
    with pytest.raises(ApplicationError, match=re.escape(reason)):
        indicators_from_file(name, data)


def test_the_form_fills_its_rows_from_the_file(client, enterprise, enterprise_user):
    client.force_login(enterprise_user)
    page = client.get("/declarations/new/").content.decode()
    assert 'id="propose-indicators"' in page
    upload = SimpleUploadedFile("Q-HBJ-01.txt", Q_TEXT.encode())
    response = client.post(
        "/declarations/indicators/propose/",
        {"q_standard_file": upload, "ind-TOTAL_FORMS": "0", "ind-INITIAL_FORMS": "0"},
        headers={"hx-request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 indicator(s) read from Q-HBJ-01.txt" in html
    assert 'name="ind-TOTAL_FORMS" value="5"' in html  # 3 read, 2 empty rows
    assert 'value="formaldehyde"' in html
    assert 'value="GB 5009.12"' in html
    assert not Declaration.objects.exists()  # nothing saved


def test_the_form_keeps_its_rows_when_the_file_is_unreadable(
    client, enterprise, enterprise_user
):
    client.force_login(enterprise_user)
    response = client.post(
        "/declarations/indicators/propose/",
        {
            "q_standard_file": SimpleUploadedFile("q.pdf", b"%PDF-1.7"),
            "ind-TOTAL_FORMS": "1",
            "ind-INITIAL_FORMS": "0",
            "ind-0-parameter": "typed by hand",
            "ind-0-operator": "<=",
            "ind-0-value": "5",
        },
    )
    html = response.content.decode()
    assert "not from .pdf" in html
    assert 'value="typed by hand"' in html


def test_anonymous_visitors_cannot_use_it(client):
    response = client.post("/declarations/indicators/propose/")
    assert response.status_code == 302  # to the login page


def test_api_reads_a_file(token_client_for, enterprise_user):
    api = token_client_for(enterprise_user)
    response = api.post(
        "/api/declarations/indicators/propose",
        {"file": SimpleUploadedFile("q.md", Q_TEXT.encode())},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["file"] == "q.md"
    assert {r["parameter"] for r in body["indicators"]} == {
        "formaldehyde",
        "ph",
        "lead",
    }
    refused = api.post(
        "/api/declarations/indicators/propose",
        {"file": SimpleUploadedFile("q.pdf", b"%PDF")},
    )
    assert refused.status_code == 400
    assert "STS XML" in refused.json()["detail"]
