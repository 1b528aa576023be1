"""An import's history: an event for each record it creates, and for each
record it updates the old and new value of every field it changed, on the
page and in the API (issue 19); records imported before get their event from
migration catalog 0012."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qihub.catalog.importing import standards_import
from qihub.catalog.models import ImportRun, Standard, StandardEvent
from qihub.catalog.tests.test_imports import write_csv

pytestmark = pytest.mark.django_db

FIRST = {
    "identifier": "GB/T 19001-2016",
    "title_zh": "质量管理体系 要求",
    "status": "in_force",
    "issued_on": "2016-12-30",
    "ics": "03.120.10",
}


def test_an_imported_change_shows_old_and_new_values(tmp_path, classifications, client):
    assert standards_import(file=write_csv(tmp_path / "a.csv", [FIRST])).ok
    changed = dict(
        FIRST, title_zh="质量管理体系 要求（修订）", ics="03.120.10;03.100.70"
    )
    report = standards_import(file=write_csv(tmp_path / "b.csv", [changed]))
    assert (report.created, report.updated) == (0, 1)
    std = Standard.objects.get(identifier="GB/T 19001-2016")
    update, created = std.events.order_by("-id")
    assert created.details["created"] is True
    assert update.field_changes == {
        "title_zh": ["质量管理体系 要求", "质量管理体系 要求（修订）"],
        "ics": [["03.120.10"], ["03.100.70", "03.120.10"]],
    }
    html = client.get(std.get_absolute_url()).content.decode()
    assert "title_zh: 质量管理体系 要求 → 质量管理体系 要求（修订）" in html
    history = client.get(f"/api/catalog/standards/{std.pk}").json()["history"]
    assert history[0]["changes"]["title_zh"] == [
        "质量管理体系 要求",
        "质量管理体系 要求（修订）",
    ]
    assert history[0]["changes"]["import"] == report.run_id
    assert history[1]["changes"]["created"] is True
    # the same file again: an event that names the import, nothing changed
    assert standards_import(file=write_csv(tmp_path / "c.csv", [changed])).ok
    assert std.events.order_by("-id").first().field_changes == {}


def test_a_placeholder_completed_by_an_import_shows_what_it_gained(
    tmp_path, classifications
):
    rows = [
        dict(FIRST, identifier="GB/T 19004-2020", issued_on="", cites="GB/T 19000-2016")
    ]
    report = standards_import(file=write_csv(tmp_path / "a.csv", rows))
    assert report.ok, report.errors
    placeholder = Standard.objects.get(identifier="GB/T 19000-2016")
    assert placeholder.referenced_only
    full = dict(FIRST, identifier="GB/T 19000-2016", title_zh="质量管理体系 基础和术语")
    assert standards_import(file=write_csv(tmp_path / "b.csv", [full])).ok
    event = placeholder.events.order_by("-id").first()
    assert event.field_changes["title_zh"] == ["", "质量管理体系 基础和术语"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_records_imported_before_their_event(classifications):
    executor = MigrationExecutor(connection)
    executor.migrate([("catalog", "0011_implemented_index")])
    try:
        run = ImportRun.objects.create(format="csv", file_name="old.csv")
        kept = Standard.objects.create(
            identifier="GB/T 1-2020",
            ident_key="GBT12020",
            base_key="GBT1",
            prefix="GB/T",
            number="1",
            year=2020,
            level="national",
            title_zh="标准化工作导则",
            import_run=run,
        )
        by_hand = Standard.objects.create(
            identifier="GB/T 2-2020",
            ident_key="GBT22020",
            base_key="GBT2",
            prefix="GB/T",
            number="2",
            year=2020,
            level="national",
            title_zh="另一个",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    [event] = StandardEvent.objects.filter(standard=kept)
    assert (event.type, event.created_at, event.actor_id) == (
        "imported",
        run.created_at,
        None,
    )
    assert event.details == {"format": "csv", "import": run.pk, "created": True}
    assert "old.csv" in event.reason
    assert not StandardEvent.objects.filter(standard=by_hand).exists()
    assert Standard.objects.count() == 2  # nothing else changed
