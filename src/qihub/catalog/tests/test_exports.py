"""Catalogue exports: the import layout, and an export re-imports unchanged."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from qihub.catalog.exports import standards_export
from qihub.catalog.importing import COLUMNS, standards_import
from qihub.catalog.models import Standard, StandardRelation
from qihub.catalog.tests.test_imports import GOOD_ROWS, write_csv

FIELDS = (
    "identifier",
    "title_zh",
    "title_en",
    "status",
    "issued_on",
    "implemented_on",
    "withdrawn_on",
    "ccs_id",
    "issuing_body",
    "committee",
    "scope",
    "external_id",
    "level",
    "nature",
    "search_text",
)


def snapshot():
    standards = {
        s.identifier: (
            tuple(getattr(s, f) for f in FIELDS),
            tuple(sorted(c.code for c in s.ics.all())),
        )
        for s in Standard.objects.prefetch_related("ics")
    }
    relations = set(
        StandardRelation.objects.values_list(
            "source__identifier", "target__identifier", "kind", "degree"
        )
    )
    return standards, relations


@pytest.fixture
def imported(tmp_path, classifications):
    report = standards_import(file=write_csv(tmp_path / "in.csv", GOOD_ROWS))
    assert report.ok, report.errors
    return report


def test_csv_export_has_import_columns(imported):
    out = io.StringIO()
    count = standards_export(queryset=Standard.objects.all(), fmt="csv", stream=out)
    assert count == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    by_id = {r["identifier"]: r for r in rows}
    assert by_id["GB/T 19001-2016"]["adopts"] == "ISO 9001:2015 IDT"
    assert by_id["GB/T 19001-2016"]["cites"] == "GB/T 19000-2016"
    assert by_id["GB 2760-2014"]["replaces"] == "GB 2760-2011"
    assert by_id["ISO 9001:2015"]["ics"] == "03.100.70;03.120.10"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_reimports_unchanged(imported, tmp_path, fmt):
    before = snapshot()
    path = tmp_path / f"out.{fmt}"
    if fmt == "xlsx":
        with path.open("wb") as fh:
            standards_export(queryset=Standard.objects.all(), fmt=fmt, stream=fh)
    else:
        with path.open("w", encoding="utf-8", newline="") as fh:
            standards_export(queryset=Standard.objects.all(), fmt=fmt, stream=fh)
    # Into an empty catalogue: the same records come back.
    Standard.objects.all().delete()
    report = standards_import(file=path)
    assert report.ok, report.errors
    assert report.created == 5
    assert snapshot() == before
    # Over the existing catalogue: nothing changes.
    report = standards_import(file=path)
    assert (report.created, report.updated, report.relations) == (0, 5, 0)
    assert snapshot() == before


def test_export_command(imported, tmp_path):
    out = io.StringIO()
    path = tmp_path / "national.json"
    call_command("export_standards", str(path), "--level", "national", stdout=out)
    assert "exported 4 standards" in out.getvalue()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {row["identifier"] for row in data} == {
        "GB 2760-2014",
        "GB 2760-2011",
        "GB/T 19001-2016",
        "GB/T 19000-2016",
    }
