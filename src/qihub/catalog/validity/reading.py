"""A list of standards as lines, from pasted text or an uploaded file.

Readable files: XLSX (first sheet, each row one line, its cells side by
side), CSV, plain text (UTF-8 or GB 18030) and Word DOCX (each paragraph and
each table row one line). Zip-based files are bounded before they are read
(``qihub.core.spreadsheets.check_zip``: total and member size, compression
ratio); DOCX XML is parsed only through ``qihub.core.xml``. An empty,
binary or unreadable file, and a list of more than ``MAX_LINES`` lines, is
refused with a message saying what to do.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from qihub.catalog.validity.check import MAX_LINES, clean_lines
from qihub.core import xml
from qihub.core.errors import ApplicationError
from qihub.core.spreadsheets import check_zip, xlsx_rows

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CELL_SEPARATOR = " ; "


def bounded(lines: list[str]) -> list[str]:
    """The non-blank lines, or a refusal when there are more than MAX_LINES."""
    lines = clean_lines(lines)
    if len(lines) > MAX_LINES:
        raise ApplicationError(
            _(
                "The list has %(n)s lines; at most %(max)s are checked at once. "
                "Split it into several checks."
            )
            % {"n": f"{len(lines):,}", "max": f"{MAX_LINES:,}"},
            details={"lines": len(lines), "max_lines": MAX_LINES},
        )
    return lines


def lines_from_text(text: str) -> list[str]:
    return bounded(text.splitlines())


def lines_from_file(name: str, data: bytes) -> list[str]:
    """The file's lines by its type (its name's suffix, else its content)."""
    if not data or not data.strip():
        raise ApplicationError(_("The file is empty."), details={"file": "empty"})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is larger than %(n)d MB.")
            % {"n": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    suffix = Path(name or "").suffix.lower()
    if data.startswith(b"PK") and suffix not in (".xlsx", ".docx"):
        suffix = _zip_kind(data)
    if suffix == ".xlsx":
        lines = _xlsx_lines(data)
    elif suffix == ".docx":
        lines = _docx_lines(data)
    elif suffix in ("", ".txt", ".csv", ".tsv", ".md"):
        text = _decode(data)
        lines = _csv_lines(text) if suffix == ".csv" else text.splitlines()
    else:
        raise ApplicationError(
            _(
                "A list can be read from XLSX, CSV, TXT or DOCX files, not from "
                "%(type)s; save it as one of these or paste it."
            )
            % {"type": suffix},
            details={"file": "unsupported"},
        )
    lines = bounded(lines)
    if not lines:
        raise ApplicationError(
            _("The file holds no text to check."), details={"file": "empty"}
        )
    return lines


def _zip_kind(data: bytes) -> str:
    check_zip(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
    if "word/document.xml" in names:
        return ".docx"
    if "xl/workbook.xml" in names:
        return ".xlsx"
    raise ApplicationError(_("The file is not a valid XLSX/DOCX (zip) file."))


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ApplicationError(
            _(
                "The file is binary, not a list of standards; upload XLSX, CSV, "
                "TXT or DOCX."
            ),
            details={"file": "binary"},
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(
        _("The text file is neither UTF-8 nor GB 18030."), details={"file": "encoding"}
    )


def _join(cells) -> str:
    return _CELL_SEPARATOR.join(
        str(c).strip() for c in cells if c is not None and str(c).strip()
    )


def _csv_lines(text: str) -> list[str]:
    try:
        return [_join(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ApplicationError(
            _("The CSV file cannot be read: %(reason)s") % {"reason": exc}
        ) from exc


def _xlsx_lines(data: bytes) -> list[str]:
    lines = []
    for _number, values in xlsx_rows(data):
        lines.append(_join(values))
        if len(lines) > MAX_LINES * 4:  # blank rows aside, far too many
            break
    return lines


def _docx_lines(data: bytes) -> list[str]:
    check_zip(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body_xml = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ApplicationError(_("This is not a Word (.docx) document.")) from exc
    try:
        root = xml.safe_parse(body_xml)
    except xml.XmlError as exc:
        raise ApplicationError(
            _("The document cannot be read: %(reason)s") % {"reason": exc}
        ) from exc
    body = root.find(f"{_W}body")
    lines: list[str] = []
    for element in body if body is not None else []:
        if element.tag == f"{_W}p":
            lines.append(_text(element))
        elif element.tag == f"{_W}tbl":
            for row in element.iter(f"{_W}tr"):
                lines.append(_join(_text(cell) for cell in row.iter(f"{_W}tc")))
    return lines


def _text(element) -> str:
    return "".join(node.text or "" for node in element.iter(f"{_W}t")).strip()
