"""The ISO harmonized stage codes (``data/iso-stage-codes.csv``, source in
``data/README.md``): reading, normalising and naming them."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from qihub.core.i18n import localised

STAGE_FILE = Path(__file__).resolve().parent / "data" / "iso-stage-codes.csv"

#: Stages whose project has published its deliverable (60.60 and review).
PUBLISHED_FROM = "60.60"
#: Sub-stages that end a project without a deliverable (abandoned, deleted).
ENDED = {"00.98", "10.98", "20.98", "30.98", "40.98", "50.98", "95.99"}

_FORMS = re.compile(r"^\s*(\d{2})[.\s]?(\d{2})\s*$")


@functools.cache
def stages() -> dict[str, tuple[str, str]]:
    """``{"60.60": (title_en, title_zh), ...}`` in code order."""
    with STAGE_FILE.open(encoding="utf-8", newline="") as fh:
        return {
            row["code"]: (row["title_en"], row["title_zh"])
            for row in csv.DictReader(fh)
        }


def normalise(value: object) -> str | None:
    """``"60.60"``, ``"6060"``, ``6060`` or ``"60 60"`` as ``"60.60"`` when
    it is a harmonized stage code, else None."""
    text = str(value if value is not None else "").strip()
    if text.isdigit() and len(text) == 3:
        text = "0" + text  # 0060 read as a number
    m = _FORMS.match(text)
    if not m:
        return None
    code = f"{m.group(1)}.{m.group(2)}"
    return code if code in stages() else None


def stage_title(code: str) -> str:
    titles = stages().get(code)
    if titles is None:
        return code
    return localised(titles[1], titles[0])


def is_active(code: str) -> bool:
    """A project still under development (before publication, not ended)."""
    return code < PUBLISHED_FROM and code not in ENDED


def stage_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {stage_title(code)}") for code in stages()]
