"""Other writers during a catalogue import on SQLite: the import stages its
rows outside the write transaction (``_Writer.final``), so a write made
while the file is being checked goes through at once, and the import's new
records take ids past it. (PostgreSQL's writers never waited: no staging.)"""

import threading

import pytest
from django.db import connection, connections

from qihub.catalog import services
from qihub.catalog.importing import BATCH_SIZE, standards_import
from qihub.catalog.models import ImportRun, Standard, StandardRelation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="SQLite's one writer only"
    ),
]

ROWS = BATCH_SIZE + 500  # a staged batch before the first progress call


def _file(tmp_path, rows: int = ROWS):
    lines = ["identifier,title_zh,status,replaces,ics"]
    for i in range(rows):
        replaces = f"GB/T {10000 + i - 1}-2010" if i else ""
        lines.append(f"GB/T {10000 + i}-2020,试验标准{i},in_force,{replaces},01.040")
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_meanwhile(identifier: str, outcome: dict):
    """A progress callback that, on its first call, has another thread (its
    own connection) catalogue a standard, and records how that went."""

    def write():
        try:
            outcome["standard"] = services.standard_create(
                actor=None, identifier=identifier, title_zh="同时写入"
            )
        except Exception as exc:  # what the old import made of it
            outcome["error"] = exc
        finally:
            connections.close_all()

    def progress(_seen):
        if "started" not in outcome:
            outcome["started"] = True
            thread = threading.Thread(target=write)
            thread.start()
            thread.join()

    return progress


def test_a_write_during_the_check_goes_through_and_ids_move_past_it(
    tmp_path, classifications
):
    outcome: dict = {}
    report = standards_import(
        file=_file(tmp_path), progress=_write_meanwhile("GB 1-2000", outcome)
    )
    assert "error" not in outcome, outcome.get("error")
    assert report.ok, report.errors[:3]
    other = Standard.objects.get(identifier="GB 1-2000")
    assert other.pk == outcome["standard"].pk
    assert other.title_zh == "同时写入"
    assert report.created == ROWS
    assert 0 < report.lock_seconds < report.seconds  # the lock: only at the end
    imported = Standard.objects.exclude(source="reference").exclude(pk=other.pk)
    assert imported.filter(import_run_id=report.run_id).count() == ROWS
    assert imported.order_by("id").first().pk > other.pk  # shifted past it
    # Links, relations and the full-text index follow the shifted ids.
    first = Standard.objects.get(identifier="GB/T 10000-2020")
    assert list(first.ics.values_list("code", flat=True)) == ["01.040"]
    second = Standard.objects.get(identifier="GB/T 10001-2020")
    assert StandardRelation.objects.filter(
        source=second, target__identifier="GB/T 10000-2010"
    ).exists()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM catalog_standard_fts "
            "WHERE catalog_standard_fts MATCH %s",
            ['"10001"'],
        )
        assert cur.fetchone()[0] >= 1
        cur.execute("SELECT count(*) FROM catalog_standard_fts")
        assert cur.fetchone()[0] == Standard.objects.count()
        cur.execute("SELECT count(*) FROM sqlite_temp_master")
        assert cur.fetchone()[0] == 0  # the staging tables are gone


def test_a_record_catalogued_meanwhile_refuses_the_file_whole(
    tmp_path, classifications
):
    outcome: dict = {}
    with pytest.raises(Exception, match="catalogued by someone else"):
        standards_import(
            file=_file(tmp_path),
            progress=_write_meanwhile("GB/T 10001-2020", outcome),
        )
    assert "error" not in outcome
    assert list(Standard.objects.values_list("identifier", flat=True)) == [
        "GB/T 10001-2020"
    ]
    assert not ImportRun.objects.exists()
