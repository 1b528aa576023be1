"""Catalogue hardening (issue 23): safe exports that round-trip, readable
encodings, clear refusals, and dates that fit the identifier."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from qihub.catalog import demo, services
from qihub.catalog.exports import standards_export
from qihub.catalog.importing import ImportFormatError, standards_import
from qihub.catalog.models import ImportRun, Standard
from qihub.catalog.tests.factories import StandardFactory
from qihub.catalog.tests.test_exports import snapshot
from qihub.core.errors import ApplicationError

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=1+2",
    "@SUM(1+1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "'=already",
    "''@x",
]


def _export(fmt: str, path) -> None:
    if fmt == "xlsx":
        with path.open("wb") as fh:
            standards_export(queryset=Standard.objects.all(), fmt=fmt, stream=fh)
    else:
        with path.open("w", encoding="utf-8", newline="") as fh:
            standards_export(queryset=Standard.objects.all(), fmt=fmt, stream=fh)


@pytest.fixture
def hostile(classifications):
    for i, text in enumerate(HOSTILE):
        standard = StandardFactory(
            identifier=f"GB/T {90000 + i}-2020",
            title_zh=text,
            scope=text,
            issued_on=None,
        )
        standard.search_text = services.search_text_for_standard(standard)
        standard.save()


def test_csv_export_escapes_formulas(hostile, tmp_path):
    path = tmp_path / "out.csv"
    _export("csv", path)
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), line
    assert "'=1+2" in text


def test_xlsx_export_writes_strings_only(hostile, tmp_path):
    path = tmp_path / "out.xlsx"
    _export("xlsx", path)
    sheet = load_workbook(path).worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type in ("s", "inlineStr")
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "@", "-"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hostile_text_round_trips_exactly(hostile, tmp_path, fmt):
    before = snapshot()
    path = tmp_path / f"out.{fmt}"
    _export(fmt, path)
    Standard.objects.all().delete()
    report = standards_import(file=path)
    assert report.ok, report.errors
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_whole_demo_catalogue_round_trips(classifications, tmp_path, fmt):
    demo.load()
    before = snapshot()
    assert "ITU-T E.164:2010" in before[0]
    path = tmp_path / f"demo.{fmt}"
    _export(fmt, path)
    dry = standards_import(file=path, dry_run=True)
    assert dry.ok, dry.errors[:5]
    Standard.objects.all().delete()
    report = standards_import(file=path)
    assert report.ok, report.errors[:5]
    assert report.created == len(before[0])
    assert snapshot() == before


def _csv(rows: list[str]) -> str:
    return "identifier,title_zh,title_en,issued_on\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_csv_in_a_chinese_or_utf16_encoding_is_read(
    classifications, tmp_path, encoding
):
    path = tmp_path / "in.csv"
    path.write_bytes(
        _csv(["GB/T 1-2020,标准化工作导则,Directives,2020-03-31"]).encode(encoding)
    )
    report = standards_import(file=path)
    assert report.ok, report.errors
    assert Standard.objects.get().title_zh == "标准化工作导则"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02\xff\xfe\x00binary", "binary"),
        (b"PK\x03\x04rest-of-a-zip", "zip file"),
        (b"identifier\n\xff\xfe\xfd\x80\x81", "neither"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(
    classifications, tmp_path, content, message
):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=message):
        standards_import(file=path, fmt="csv")
    with pytest.raises(CommandError, match=message):
        call_command("import_standards", str(path), "--format", "csv")


def test_deeply_nested_json_is_refused(classifications, tmp_path):
    path = tmp_path / "in.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportFormatError, match="nested too deeply"):
        standards_import(file=path)


def test_a_header_only_csv_is_refused_and_records_no_run(classifications, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(_csv([]))
    report = standards_import(file=path)
    assert not report.ok
    assert "no rows" in str(report.errors[0])
    assert not ImportRun.objects.exists()


def test_an_issue_date_far_from_the_identifier_year_is_refused_on_import(
    classifications, tmp_path
):
    path = tmp_path / "in.csv"
    path.write_text(
        _csv(
            [
                "GB/T 91005-2026,题,Title,1800-01-01",
                "GB/T 91006-2026,题,Title,2025-12-30",
            ]
        )
    )
    report = standards_import(file=path)
    assert not report.ok
    assert [(e.line, e.field) for e in report.errors] == [(2, "issued_on")]
    assert "2026" in str(report.errors[0])
    assert not Standard.objects.exists()


def test_an_issue_date_far_from_the_identifier_year_is_refused_by_the_service(
    classifications, staff_user
):
    standard = StandardFactory(
        identifier="GB/T 91005-2026", issued_on=None, implemented_on=None
    )
    with pytest.raises(ApplicationError, match="does not fit the year 2026"):
        services.standard_update(
            standard=standard, actor=staff_user, issued_on=datetime.date(1800, 1, 1)
        )
    standard.refresh_from_db()
    assert standard.issued_on is None
    services.standard_update(
        standard=standard, actor=staff_user, issued_on=datetime.date(2027, 1, 5)
    )


def test_api_refuses_an_issue_date_far_from_the_year(classifications, staff_api):
    standard = StandardFactory(identifier="GB/T 91005-2026", issued_on=None)
    response = staff_api.patch(
        f"/api/catalog/standards/{standard.pk}",
        json.dumps({"issued_on": "1800-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "issued_on" in response.json()["errors"]
