"""Load the GB/T 2260 administrative divisions shipped in data/regions.csv."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


def load(apps, schema_editor):
    Region = apps.get_model("organisations", "Region")
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # Parents first: provinces, then cities, then counties (codes sort so).
    order = {"province": 0, "city": 1, "county": 2}
    rows.sort(key=lambda r: (order[r["level"]], r["code"]))
    Region.objects.bulk_create(
        [
            Region(
                code=r["code"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                level=r["level"],
                parent_id=r["parent"] or None,
            )
            for r in rows
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    # One statement: the divisions point to each other (PROTECT).
    table = apps.get_model("organisations", "Region")._meta.db_table
    schema_editor.execute(f"DELETE FROM {table}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
