"""Loading the classification lists shipped in ``vocab/data``."""

import csv
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET
from django.db import transaction

from qihub.vocab.models import CcsCode, IcsCode

DATA_DIR = Path(__file__).resolve().parent / "data"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class LoadSummary:
    ics: int
    ccs: int


def _text(el, tag: str, lang: str = "en") -> str:
    for child in el.findall(tag):
        if child.get(_XML_LANG) == lang:
            return (child.text or "").strip()
    return ""


@transaction.atomic
def classifications_load(*, data_dir: Path = DATA_DIR) -> LoadSummary:
    """Create or update every ICS and CCS code from the shipped lists (idempotent)."""
    root = SafeET.parse(data_dir / "ICS-simple.xml").getroot()
    ics_rows: list[IcsCode] = []
    for level, tag in ((1, "field"), (2, "group"), (3, "subGroup")):
        for el in root.iter(tag):
            ident = el.find("identifier")
            if ident is None or not (ident.text or "").strip():
                continue
            code = ident.text.strip()
            parent = None if level == 1 else code.rsplit(".", 1)[0]
            ics_rows.append(
                IcsCode(
                    code=code,
                    parent_id=parent,
                    level=level,
                    title_en=_text(el, "title", "en"),
                    title_fr=_text(el, "title", "fr"),
                    scope_en=_text(el, "scope", "en"),
                )
            )
    # Parents before children so the foreign keys hold on every database.
    ics_rows.sort(key=lambda r: (r.level, r.code))
    IcsCode.objects.bulk_create(
        ics_rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["parent", "level", "title_en", "title_fr", "scope_en"],
        batch_size=500,
    )

    ccs_rows: list[CcsCode] = []
    for level in (1, 2, 3):
        with open(
            data_dir / f"ccs-level{level}.csv", encoding="utf-8-sig", newline=""
        ) as fh:
            reader = csv.reader(fh)
            next(reader)
            for row in reader:
                if not row or not row[0].strip():
                    continue
                code = row[0].strip()
                parent = None
                notes_zh = notes_en = ""
                if level == 2 or level == 3:
                    parent = row[3].strip()
                    notes_zh, notes_en = row[4].strip(), row[5].strip()
                ccs_rows.append(
                    CcsCode(
                        code=code,
                        parent_id=parent,
                        level=level,
                        name_zh=row[1].strip(),
                        name_en=row[2].strip(),
                        notes_zh=notes_zh,
                        notes_en=notes_en,
                    )
                )
    CcsCode.objects.bulk_create(
        ccs_rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["parent", "level", "name_zh", "name_en", "notes_zh", "notes_en"],
        batch_size=500,
    )
    return LoadSummary(ics=len(ics_rows), ccs=len(ccs_rows))
