"""Spreadsheets and zip-based uploads, read and written safely.

Every upload that is a zip underneath (XLSX, DOCX) goes through
`check_zip` before anything parses it: a 2 MB file can expand to gigabytes
(a "zip bomb"), and openpyxl or lxml would read all of it. Every exported
cell goes through `safe_cell`: text a spreadsheet would run as a formula
is neutralised (OWASP CSV injection advice).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError

# Real uploads seen: a 35k-row ISO list is 4 MB as XLSX and 30 MB unpacked;
# a quality manual in DOCX a few MB. The limits leave ample room for those.
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_MEMBER_BYTES = 150 * 1024 * 1024
# Text XML compresses about 10-20 times; a bomb a thousand times or more.
MAX_RATIO = 200
MAX_MEMBERS = 10_000
# A spreadsheet cell holds at most 32,767 characters in Excel itself.
MAX_CELL_CHARS = 32_767

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Source = str | os.PathLike | bytes | IO[bytes]


def safe_cell(value):
    """Text that starts like a formula gets an apostrophe in front, so no
    spreadsheet program runs it; other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_ESCAPED = re.compile("'*[" + re.escape("".join(FORMULA_STARTS)) + "]")


def escape_cell(value):
    """`safe_cell` for an export meant to be imported again: text starting
    like a formula gets an apostrophe, and so does text that already starts
    with apostrophes before such a character, so `unescape_cell` undoes
    exactly what was added."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return "'" + value
    return value


def unescape_cell(value):
    """The text `escape_cell` was given: one leading apostrophe removed
    where it stands before a formula character (or more apostrophes)."""
    if isinstance(value, str) and value[:1] == "'" and _ESCAPED.match(value, 1):
        return value[1:]
    return value


def _as_file(source: Source):
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    return source


def check_zip(
    source: Source,
    *,
    max_total: int = MAX_TOTAL_BYTES,
    max_member: int = MAX_MEMBER_BYTES,
    max_ratio: int = MAX_RATIO,
) -> None:
    """Refuse a zip archive that would expand beyond the limits, before any
    member is read. Raises ApplicationError with a message for the user."""
    handle = _as_file(source)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ApplicationError(
            _("The file is not a valid XLSX/DOCX (zip) file.")
        ) from exc
    finally:
        if hasattr(handle, "seek"):
            handle.seek(0)
    if len(infos) > MAX_MEMBERS:
        raise ApplicationError(_("The file holds too many parts to be read."))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > max_member or total > max_total:
            raise ApplicationError(
                _(
                    "The file would expand to more than %(mb)d MB when "
                    "unpacked; it is refused."
                )
                % {"mb": max_total // (1024 * 1024)}
            )
        if info.file_size > 1024 * 1024 and (
            info.file_size > max_ratio * max(info.compress_size, 1)
        ):
            raise ApplicationError(
                _(
                    "The file is compressed %(ratio)d times or more (a zip "
                    "bomb); it is refused."
                )
                % {"ratio": max_ratio}
            )


def xlsx_rows(
    source: Source, *, max_cell: int = MAX_CELL_CHARS
) -> Iterator[tuple[int, list]]:
    """(row number, values) of the first sheet of an XLSX, after
    `check_zip`. A cell longer than `max_cell` characters is refused naming
    its row and column, without echoing its content."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    check_zip(source)
    handle = _as_file(source)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise ApplicationError(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(row)
            for column, value in enumerate(values, start=1):
                # openpyxl cuts a longer cell to Excel's 32,767 characters
                # as it reads, so a cell of that length was longer.
                if isinstance(value, str) and len(value) >= max_cell:
                    raise ApplicationError(
                        _(
                            "row %(row)d, column %(column)s: the cell holds "
                            "%(length)d characters, more than %(max)d"
                        )
                        % {
                            "row": number,
                            "column": get_column_letter(column),
                            "length": len(value),
                            "max": max_cell,
                        }
                    )
            yield number, values
    finally:
        workbook.close()
