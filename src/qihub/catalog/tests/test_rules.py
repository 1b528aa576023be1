"""One rule set for a catalogue record (``catalog.rules``): every refusal
``standard_create`` makes, every import format makes too, and nothing is
written."""

import csv
import datetime
import io
import json

import openpyxl
import pytest

from qihub.catalog.importing import standards_import
from qihub.catalog.models import Standard
from qihub.catalog.services import standard_create
from qihub.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

#: (what breaks, the record's fields, the field blamed)
BROKEN = [
    (
        "no title",
        {"identifier": "GB/T 30001-2020", "issued_on": "2020-05-01"},
        "title",
    ),
    (
        "implemented before issued",
        {
            "identifier": "GB/T 30002-2020",
            "title_zh": "标题",
            "issued_on": "2020-05-01",
            "implemented_on": "2020-01-01",
        },
        "implemented_on",
    ),
    (
        "withdrawn before issued",
        {
            "identifier": "GB/T 30003-2020",
            "title_zh": "标题",
            "issued_on": "2020-05-01",
            "withdrawn_on": "2019-12-31",
        },
        "withdrawn_on",
    ),
    (
        "issue date far from the identifier's year",
        {
            "identifier": "GB/T 30004-2026",
            "title_zh": "标题",
            "issued_on": "1800-01-01",
        },
        "issued_on",
    ),
]

COLUMNS = ["identifier", "title_zh", "issued_on", "implemented_on", "withdrawn_on"]


def _csv(record: dict) -> tuple[bytes, str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow({c: record.get(c, "") for c in COLUMNS})
    return out.getvalue().encode(), "csv"


def _json(record: dict) -> tuple[bytes, str]:
    return json.dumps([record], ensure_ascii=False).encode(), "json"


def _xlsx(record: dict) -> tuple[bytes, str]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append([record.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), "xlsx"


FORMATS = {"csv": _csv, "json": _json, "xlsx": _xlsx}


def _dates(record: dict) -> dict:
    return {
        k: datetime.date.fromisoformat(v) if k.endswith("_on") else v
        for k, v in record.items()
    }


@pytest.mark.parametrize(
    ("what", "record", "field"), BROKEN, ids=[b[0] for b in BROKEN]
)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_refuses_what_the_service_refuses(what, record, field, fmt):
    with pytest.raises(ApplicationError) as refused:
        standard_create(actor=None, **_dates(record))
    assert field in refused.value.details
    message = refused.value.message

    data, name = FORMATS[fmt](record)
    report = standards_import(file=io.BytesIO(data), fmt=name)
    assert not report.ok
    assert [(e.field, e.reason) for e in report.errors] == [(field, message)]
    assert not Standard.objects.exists()


def test_iso_open_data_rows_refuse_an_issue_date_far_from_the_reference():
    row = {
        "id": 1,
        "reference": "ISO 9001:2015",
        "publicationDate": "1990-01-01",
        "currentStage": 6060,
    }
    report = standards_import(
        file=io.BytesIO(json.dumps(row).encode() + b"\n"), fmt="iso-jsonl"
    )
    assert [e.field for e in report.errors] == ["issued_on"]
    with pytest.raises(ApplicationError):
        standard_create(
            actor=None, identifier="ISO 9001:2015", issued_on=datetime.date(1990, 1, 1)
        )
    assert not Standard.objects.exists()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_records_known_by_identifier_alone_are_accepted_everywhere(fmt):
    """An international standard without a title (ISO's open data has none)
    and a referenced-only record: both the service and every format take them."""
    records = [
        {"identifier": "ISO 9001:2015", "issued_on": "2015-09-15"},
        {"identifier": "GB/T 30009-2020", "status": "unknown"},
    ]
    for record in records:
        columns = [*COLUMNS, "status"]
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            writer.writerow({c: record.get(c, "") for c in columns})
            data = out.getvalue().encode()
        elif fmt == "json":
            data = json.dumps([record]).encode()
        else:
            wb = openpyxl.Workbook()
            wb.active.append(columns)
            wb.active.append([record.get(c, "") for c in columns])
            buf = io.BytesIO()
            wb.save(buf)
            data = buf.getvalue()
        report = standards_import(file=io.BytesIO(data), fmt=fmt)
        assert report.ok, report.errors
    assert Standard.objects.count() == 2
    Standard.objects.all().delete()
    standard_create(actor=None, identifier="ISO 9001:2015")
    standard_create(actor=None, identifier="GB/T 30009-2020", status="unknown")
