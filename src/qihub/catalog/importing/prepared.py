"""A first load's batches as final table rows, built in the checking
processes: on PostgreSQL already in COPY's text format.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Prepared:
    """A batch of a first load as final table rows (``Writer.prepare``): on
    PostgreSQL already in COPY's text format (``copy_text``)."""

    keys: list[str]
    ids: list[int]
    standards: list[tuple] | bytes
    ics: list[tuple[int, str]] | bytes

    def without(self, drop: set[str]) -> Prepared:
        """The batch without the rows of the identifiers in ``drop``."""
        gone = {pk for key, pk in zip(self.keys, self.ids, strict=True) if key in drop}
        keep = [i for i, key in enumerate(self.keys) if key not in drop]
        if isinstance(self.standards, bytes):
            lines = self.standards.split(b"\n")[:-1]  # one line per row
            standards = b"".join(lines[i] + b"\n" for i in keep)
            ics = b"".join(
                line + b"\n"
                for line in self.ics.split(b"\n")[:-1]
                if int(line.split(b"\t", 1)[0]) not in gone
            )
        else:
            standards = [self.standards[i] for i in keep]
            ics = [row for row in self.ics if row[0] not in gone]
        return Prepared(
            [self.keys[i] for i in keep], [self.ids[i] for i in keep], standards, ics
        )


#: COPY's text format: these characters are written as escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    """One value that is not a string in COPY's text format."""
    if value is None:
        return "\\N"
    if value.__class__ is int:
        return str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    return _copy_dated(value)


@functools.lru_cache(maxsize=4096)
def _copy_dated(value: Any) -> str:
    """Dates and times as ISO 8601 (times with their offset), and anything
    else as text (memoised: a file's dates and the import's time repeat)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def copy_text(rows: list[tuple]) -> bytes:
    """Rows as the data of ``COPY ... FROM STDIN`` (text format, UTF-8): built
    by the checking processes of a first load, so that the writing process
    only passes bytes on (adapting each value there took it a fifth of a
    PostgreSQL import). Written out for speed: a string is escaped only when
    it holds one of the four characters (str.translate looks up each one)."""
    escapes = _COPY_ESCAPES
    lines = [
        "\t".join(
            [
                (
                    v.translate(escapes)
                    if "\\" in v or "\t" in v or "\n" in v or "\r" in v
                    else v
                )
                if v.__class__ is str
                else _copy_value(v)
                for v in row
            ]
        )
        for row in rows
    ]
    lines.append("")
    return "\n".join(lines).encode()
