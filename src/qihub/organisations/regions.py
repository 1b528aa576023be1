"""The GB/T 2260 administrative divisions shipped with qihub (data/NOTICE.md)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from qihub.organisations.models import Region

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.csv"
COLUMNS = ("code", "name_zh", "name_en", "level", "parent")
_ORDER = {"province": 0, "city": 1, "county": 2}


def read_rows(path: Path = DATA_FILE) -> list[dict[str, str]]:
    """The rows of a division list, parents before children; a malformed
    list is refused with the line at fault."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: the columns must be {','.join(COLUMNS)}")
        rows = list(reader)
    codes = {r["code"] for r in rows}
    for line, r in enumerate(rows, start=2):
        if not (len(r["code"]) == 6 and r["code"].isdigit()):
            raise ValueError(
                f"{path}: line {line}: {r['code']!r} is not a 6-digit code"
            )
        if r["level"] not in _ORDER:
            raise ValueError(f"{path}: line {line}: unknown level {r['level']!r}")
        if r["parent"] and r["parent"] not in codes:
            raise ValueError(f"{path}: line {line}: unknown parent {r['parent']!r}")
    rows.sort(key=lambda r: (_ORDER[r["level"]], r["code"]))
    return rows


@transaction.atomic
def regions_load(path: Path = DATA_FILE) -> tuple[int, int]:
    """Add the divisions not yet known and update the names of the others."""
    rows = read_rows(path)
    known = {r.code: r for r in Region.objects.all()}
    created = updated = 0
    for r in rows:
        region = known.get(r["code"])
        if region is None:
            Region.objects.create(
                code=r["code"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                level=r["level"],
                parent_id=r["parent"] or None,
            )
            created += 1
        elif (region.name_zh, region.name_en, region.level, region.parent_id) != (
            r["name_zh"],
            r["name_en"],
            r["level"],
            r["parent"] or None,
        ):
            region.name_zh, region.name_en = r["name_zh"], r["name_en"]
            region.level, region.parent_id = r["level"], r["parent"] or None
            region.save()
            updated += 1
    return created, updated
