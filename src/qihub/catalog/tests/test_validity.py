"""Batch validity check: finding identifiers, the check, uploads, exports,
the API, saved checks and their automatic re-runs, pages, command, admin."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from qihub.catalog import services
from qihub.catalog.tests import validity_catalogue
from qihub.catalog.validity import exports, reading
from qihub.catalog.validity import services as validity_services
from qihub.catalog.validity.check import MAX_LINES, check_lines, check_list
from qihub.catalog.validity.finding import find_identifiers
from qihub.catalog.validity.models import ValidityCheck, ValidityCheckEvent
from qihub.core.errors import ApplicationError, PermissionDenied

TEN = [line for line, _v, _c in validity_catalogue.TEN_LINES]


@pytest.fixture
def catalogue(db):
    return validity_catalogue.build()


def _docx(paragraphs: list[str]) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    return buffer.getvalue()


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- finding identifiers in free text ------------------------------------------


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("GB/T 19001-2016 质量管理体系 要求", ["GB/T 19001-2016"]),
        ("GBT19001-2016", ["GB/T 19001-2016"]),
        ("1. ＧＢ／Ｔ　１９００１—２０１６《质量管理体系》", ["GB/T 19001-2016"]),
        ("GB 50016-2014(2018年版) 建筑设计防火规范", ["GB 50016-2014(2018年版)"]),
        ("ISO 9001:2015 Quality management systems", ["ISO 9001:2015"]),
        ("ISO 9001:2015 / GB/T 19001-2016", ["GB/T 19001-2016/ISO 9001:2015"]),
        ("GB/T 24001-2016、GB/T 45001-2020", ["GB/T 24001-2016", "GB/T 45001-2020"]),
        ("GB/T 19001-2016 idt ISO 9001:2015", ["GB/T 19001-2016", "ISO 9001:2015"]),
        ("gb/t 45001-2020", ["GB/T 45001-2020"]),
        ("GB/T 1.1 标准化工作导则", ["GB/T 1.1"]),
        ("Q/HBJ 1-2020;T/CAS 115-2005", ["Q/HBJ 1-2020", "T/CAS 115-2005"]),
        ("DB32T1580-2019 地方标准", ["DB32/T 1580-2019"]),
        ("Part 1: General, Table 2", []),
        ("标准号 名称", []),
    ],
)
def test_identifiers_found_in_any_spelling(line, found):
    assert [f.identifier.canonical for f in find_identifiers(line).identifiers] == found


def test_a_mistyped_identifier_is_explained():
    finding = find_identifiers("GB/T 19001-20166 质量管理体系")
    assert finding.identifiers == ()
    assert "20166" in finding.reason


# --- the check ----------------------------------------------------------------


def test_ten_lines_verdicts_and_chains_in_order(catalogue):
    result = check_lines(TEN)
    assert [line["text"] for line in result.lines] == TEN
    for line, (_text, verdict, chain) in zip(
        result.lines, validity_catalogue.TEN_LINES, strict=True
    ):
        (item,) = line["items"]
        assert item["verdict"] == verdict, line
        assert item["chain"] == chain, line
    assert result.summary == {
        "valid": 6,
        "replaced": 2,
        "withdrawn": 1,
        "to_be_implemented": 0,
        "unknown": 1,
    }


def test_current_edition_implementation_date_and_adoption(catalogue):
    (line,) = check_lines(["GB/T 19001-2008"]).lines
    item = line["items"][0]
    assert item["current"]["identifier"] == "GB/T 19001-2016"
    assert item["implemented_on"] == "2017-07-01"
    assert item["adopts"] == [{"identifier": "ISO 9001:2015", "degree": "IDT"}]


def test_status_on_a_chosen_date(catalogue):
    result = check_lines(["GB 2762-2017"], on=datetime.date(2018, 1, 1))
    item = result.lines[0]["items"][0]
    assert item["status"] == "replaced"
    assert item["status_on"] == "in_force"
    assert item["current"]["identifier"] == "GB 2762-2022"
    assert item["current"]["status_on"] is None  # not yet issued then


def test_to_be_implemented(catalogue):
    result = check_lines(["GB 99001-2026"])
    assert result.lines[0]["items"][0]["verdict"] == "to_be_implemented"
    assert result.summary["to_be_implemented"] == 1


def test_unknown_gets_closest_matches(catalogue):
    item = check_lines(["GB/T 19001-2000"]).lines[0]["items"][0]
    assert item["verdict"] == "unknown"
    assert item["found"] is False
    assert [s["identifier"] for s in item["suggestions"]] == [
        "GB/T 19001-2016",
        "GB/T 19001-2008",
    ]
    item = check_lines(["GB 18401-2099"]).lines[0]["items"][0]
    assert "GB 18401-2010" in [s["identifier"] for s in item["suggestions"]]


def test_unparseable_lines_reported_per_line_never_stopping_others(catalogue):
    result = check_lines(["GB/T 19001-20166", "nothing here", "GB/T 24001-2016"])
    first, second, third = result.lines
    assert "20166" in first["error"]
    assert second["error"] == "No standard identifier found in this line."
    assert third["items"][0]["verdict"] == "valid"


def test_check_bounded_in_queries(catalogue, django_assert_max_num_queries):
    lines = TEN * 50
    with django_assert_max_num_queries(20):
        result = check_lines(lines)
    assert len(result.lines) == 500


def test_list_without_identifiers_refused(catalogue):
    with pytest.raises(ApplicationError, match="No standard identifier was found"):
        check_list(["just words", "more words"])
    with pytest.raises(ApplicationError, match="empty"):
        check_list(["", "  "])


# --- reading uploads -----------------------------------------------------------


def test_empty_upload_refused():
    with pytest.raises(ApplicationError, match="empty"):
        reading.lines_from_file("list.txt", b"")


def test_binary_upload_refused():
    with pytest.raises(ApplicationError, match="binary"):
        reading.lines_from_file("list.txt", b"\x00\x01\x02GB/T 1")
    with pytest.raises(ApplicationError, match="XLSX, CSV, TXT or DOCX"):
        reading.lines_from_file("list.pdf", b"%PDF-1.4")


def test_fifty_thousand_lines_refused():
    data = "\n".join(f"GB/T {i}-2020" for i in range(50_000)).encode()
    with pytest.raises(ApplicationError, match="50,000 lines; at most 5,000"):
        reading.lines_from_file("list.txt", data)


def test_gb18030_text_and_csv():
    text = "GB 2762-2017 食品安全国家标准 食品中污染物限量"
    assert reading.lines_from_file("a.txt", (text + "\n").encode("gb18030")) == [text]
    data = "标准号,名称\nGB 2762-2017,食品中污染物限量\n".encode()
    assert (
        reading.lines_from_file("a.csv", data)[1] == "GB 2762-2017 ; 食品中污染物限量"
    )


def test_xlsx_rows_are_lines():
    data = _xlsx(
        [["标准号", "名称"], ["GB/T 19001-2016", "质量管理体系"], [None, None]]
    )
    assert reading.lines_from_file("a.xlsx", data) == [
        "标准号 ; 名称",
        "GB/T 19001-2016 ; 质量管理体系",
    ]


def test_xlsx_bomb_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<a/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(ApplicationError, match="zip bomb"):
        reading.lines_from_file("bomb.xlsx", buffer.getvalue())


def test_docx_paragraphs(catalogue):
    data = _docx(["引用标准", "GB/T 19001-2008 质量管理体系 要求", "ISO 14001:2004"])
    lines = reading.lines_from_file("manual.docx", data)
    result = check_list(lines)
    assert [i["verdict"] for line in result.lines for i in line["items"]] == [
        "replaced",
        "withdrawn",
    ]


def test_docx_without_identifiers_has_a_clear_message(catalogue):
    lines = reading.lines_from_file("manual.docx", _docx(["质量手册", "目录"]))
    with pytest.raises(ApplicationError, match="No standard identifier was found"):
        check_list(lines)


# --- exports -------------------------------------------------------------------


def test_csv_escapes_formulas_and_keeps_order(catalogue):
    result = check_lines(["=HYPERLINK(1) GB/T 24001-2016", "@x", *TEN]).as_json()
    rows = list(csv.reader(io.StringIO(exports.export_csv(result).decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[2][1] == "'@x"
    assert [r[1] for r in rows[3:]] == TEN


def test_xlsx_export_is_text(catalogue):
    from openpyxl import load_workbook

    result = check_lines(["=1+1 GB/T 24001-2016", *TEN]).as_json()
    ws = load_workbook(io.BytesIO(exports.export_xlsx(result))).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 12
    assert rows[1][1] == "'=1+1 GB/T 24001-2016"
    assert rows[1][0] == "1"  # a string, not a number
    assert ws.cell(2, 2).data_type == "s"


# --- API -----------------------------------------------------------------------

URL = "/api/catalog/validity-check"


def test_api_check_json_in_json_out(client, catalogue):
    response = client.post(
        URL, {"lines": TEN, "on": "2018-01-01"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["on"] == "2018-01-01"
    assert body["summary"]["replaced"] == 2
    assert [line["text"] for line in body["lines"]] == TEN
    assert body["lines"][1]["items"][0]["chain"][-1] == "GB 2762-2022"


def test_api_text_input(client, catalogue):
    response = client.post(
        URL, {"text": "GB/T 19001-2008\nGB 2762-2012"}, content_type="application/json"
    )
    assert [line["items"][0]["verdict"] for line in response.json()["lines"]] == [
        "replaced",
        "replaced",
    ]


def test_api_refuses_more_than_5000_lines(client, catalogue):
    lines = [f"GB/T {i}-2020" for i in range(MAX_LINES + 1)]
    response = client.post(URL, {"lines": lines}, content_type="application/json")
    assert response.status_code == 400
    assert "5,001 lines; at most 5,000" in response.json()["detail"]


def test_api_refuses_a_list_without_identifiers(client, catalogue):
    response = client.post(
        URL, {"lines": ["hello", "world"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "No standard identifier" in response.json()["detail"]


def test_api_saved_checks(user_api, plain_user, catalogue):
    response = user_api.post(
        "/api/catalog/validity-checks/",
        {"name": "Quality manual", "lines": TEN},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    saved = response.json()
    assert saved["owner_user"] == plain_user.username
    assert saved["summary"]["unknown"] == 1
    listing = user_api.get("/api/catalog/validity-checks/").json()
    assert [c["name"] for c in listing] == ["Quality manual"]
    rerun = user_api.post(f"/api/catalog/validity-checks/{saved['id']}/rerun")
    assert rerun.json()["runs"] == 2


def test_api_saved_checks_need_login(client):
    assert client.get("/api/catalog/validity-checks/").status_code == 401


def test_api_others_check_is_not_found(user_api, staff_user, catalogue):
    check = validity_services.validity_check_save(
        actor=staff_user, name="staff list", lines=TEN
    )
    assert user_api.get(f"/api/catalog/validity-checks/{check.pk}").status_code == 404


# --- saved checks --------------------------------------------------------------


def test_save_for_an_organisation_needs_membership(plain_user, catalogue):
    from qihub.organisations.models import Membership, Organisation

    org = Organisation.objects.create(name_zh="测试机构", name_key="测试机构")
    with pytest.raises(PermissionDenied):
        validity_services.validity_check_save(
            actor=plain_user, name="org list", lines=TEN, organisation=org
        )
    Membership.objects.create(user=plain_user, organisation=org)
    check = validity_services.validity_check_save(
        actor=plain_user, name="org list", lines=TEN, organisation=org
    )
    assert check.owner_organisation == org
    assert check.owner_user is None


def test_save_refuses_no_name_and_anonymous(plain_user, catalogue):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ApplicationError, match="name"):
        validity_services.validity_check_save(actor=plain_user, name=" ", lines=TEN)
    with pytest.raises(PermissionDenied):
        validity_services.validity_check_save(
            actor=AnonymousUser(), name="x", lines=TEN
        )
    assert ValidityCheck.objects.count() == 0


def test_rerun_automatically_when_a_standard_on_the_list_changes(
    plain_user, catalogue, django_capture_on_commit_callbacks
):
    check = validity_services.validity_check_save(
        actor=plain_user, name="list", lines=["GB/T 24001-2016"]
    )
    assert check.summary["valid"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.standard_withdraw(
            standard=catalogue["GB/T 24001-2016"], actor=None, reason="abolished"
        )
    check.refresh_from_db()
    assert check.summary["withdrawn"] == 1
    assert check.runs == 2
    event = check.events.first()
    assert event.type == ValidityCheckEvent.Type.STANDARD_CHANGED
    assert event.details["standard"] == catalogue["GB/T 24001-2016"].pk


def test_a_change_to_a_standard_on_no_list_runs_nothing(
    plain_user, catalogue, django_capture_on_commit_callbacks
):
    check = validity_services.validity_check_save(
        actor=plain_user, name="list", lines=["GB/T 24001-2016"]
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.standard_withdraw(
            standard=catalogue["GB 18401-2010"], actor=None, reason="abolished"
        )
    check.refresh_from_db()
    assert check.runs == 1
    assert len(callbacks) <= 1  # the catalogue's own signal only


# --- pages ---------------------------------------------------------------------


def test_page_form_and_result(client, catalogue):
    assert client.get(reverse("catalog:validity_check")).status_code == 200
    response = client.post(
        reverse("catalog:validity_check"), {"text": "\n".join(TEN), "on": ""}
    )
    html = response.content.decode()
    assert "GB 2762-2012 → GB 2762-2017 → GB 2762-2022" in html
    assert 'data-verdict="replaced"' in html


def test_page_upload_and_bad_input(client, catalogue):
    upload = io.BytesIO(_xlsx([[line] for line in TEN]))
    upload.name = "list.xlsx"
    response = client.post(reverse("catalog:validity_check"), {"file": upload})
    assert "GB/T 19001-2008 → GB/T 19001-2016" in response.content.decode()
    empty = io.BytesIO(b"")
    empty.name = "list.txt"
    response = client.post(reverse("catalog:validity_check"), {"file": empty})
    assert "The file is empty." in response.content.decode()
    response = client.post(
        reverse("catalog:validity_check"), {"text": "GB/T 1-2020", "on": "yesterday"}
    )
    assert "is not a date" in response.content.decode()


def test_page_htmx_partial(client, catalogue):
    response = client.post(
        reverse("catalog:validity_check"), {"text": TEN[0]}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in response.content
    assert b"validity-result" in response.content


def test_page_export(client, catalogue):
    response = client.post(
        reverse("catalog:validity_export", args=["csv"]), {"text": "\n".join(TEN)}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 11


def test_saved_pages_bounded_queries(
    client, plain_user, catalogue, django_assert_max_num_queries
):
    for n in range(3):
        validity_services.validity_check_save(actor=plain_user, name=f"l{n}", lines=TEN)
    client.force_login(plain_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalog:validity_list"))
    assert response.content.decode().count("<tr>") >= 4
    check = ValidityCheck.objects.first()
    with django_assert_max_num_queries(12):
        response = client.get(check.get_absolute_url())
    assert "GB 2762-2022" in response.content.decode()
    response = client.post(reverse("catalog:validity_rerun", args=[check.pk]))
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.runs == 2
    xlsx = client.get(reverse("catalog:validity_saved_export", args=[check.pk, "xlsx"]))
    assert xlsx.status_code == 200


def test_page_save(client, plain_user, catalogue):
    client.force_login(plain_user)
    response = client.post(
        reverse("catalog:validity_save"), {"text": "\n".join(TEN), "name": "Manual"}
    )
    check = ValidityCheck.objects.get()
    assert response.url == check.get_absolute_url()
    assert check.owner_user == plain_user


def test_others_saved_check_page_is_404(client, plain_user, staff_user, catalogue):
    check = validity_services.validity_check_save(actor=staff_user, name="s", lines=TEN)
    client.force_login(plain_user)
    assert client.get(check.get_absolute_url()).status_code == 404


# --- command and admin ---------------------------------------------------------


def test_command(tmp_path, catalogue, capsys):
    source = tmp_path / "list.txt"
    source.write_text("\n".join(TEN), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    call_command("validity_check", str(source), "-o", str(out))
    printed = capsys.readouterr().out
    assert (
        "GB 2762-2012: replaced (GB 2762-2012 -> GB 2762-2017 -> GB 2762-2022)"
        in printed
    )
    assert out.stat().st_size > 0
    call_command("validity_check", str(source), "--json", "--on", "2018-01-01")
    body = json.loads(capsys.readouterr().out)
    assert body["on"] == "2018-01-01"


def test_command_refuses_bad_file(tmp_path, catalogue):
    from django.core.management.base import CommandError

    source = tmp_path / "list.txt"
    source.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("validity_check", str(source))


def test_admin_lists_and_reruns(client, admin_user, plain_user, catalogue):
    check = validity_services.validity_check_save(actor=plain_user, name="l", lines=TEN)
    client.force_login(admin_user)
    url = reverse("admin:catalog_validitycheck_changelist")
    assert client.get(url).status_code == 200
    assert (
        client.get(
            reverse("admin:catalog_validitycheck_change", args=[check.pk])
        ).status_code
        == 200
    )
    client.post(url, {"action": "rerun", "_selected_action": [check.pk]})
    check.refresh_from_db()
    assert check.runs == 2


def test_api_accepts_5000_distinct_lines(client, catalogue):
    lines = [f"GB/T {30000 + i}-2020 标准{i}" for i in range(MAX_LINES - 10)] + TEN
    response = client.post(URL, {"lines": lines}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert len(body["lines"]) == MAX_LINES
    assert body["summary"]["unknown"] == MAX_LINES - 10 + 1
    assert body["lines"][-10]["items"][0]["chain"][-1] == "GB/T 19001-2016"


def test_the_check_pauses_the_collector_and_answers_the_same(catalogue, monkeypatch):
    import gc

    from qihub.catalog.validity import check

    seen = []
    real = check._check_lines

    def spy(lines, *, on):
        seen.append(gc.isenabled())
        return real(lines, on=on)

    monkeypatch.setattr(check, "_check_lines", spy)
    lines = ["GB/T 19001-2016 质量管理体系 要求", "GB 9999-2001"]
    paused = check.check_lines(lines).as_json()
    monkeypatch.setattr(check, "PAUSE_GC", False)
    running = check.check_lines(lines).as_json()
    assert seen == [False, True]
    assert gc.isenabled()
    assert paused == running
