"""An XLSX workbook of one sheet written as a stream of bytes, row by row.

An XLSX file is a zip of XML parts. openpyxl (even write-only) writes the
zip only when the workbook is saved, so a 100,000-row export gave its first
byte after the whole sheet was built. Here ``zipfile`` writes to a sink
that cannot seek, so every member carries a data descriptor (sizes and CRC
after the data) and nothing already written is revisited: the bytes can go
to the client as they are made, and memory holds a block at a time.

Every cell is an inline string (``t="inlineStr"``): a spreadsheet program
shows the text as text and never evaluates it, and the callers still pass
values through ``safe_cell``/``escape_cell`` so a copy pasted elsewhere keeps
the formula-safety rule. Characters XML 1.0 cannot hold (most C0 controls)
are dropped, as openpyxl refuses them; cells are cut at Excel's 32,767.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from qihub.core.spreadsheets import MAX_CELL_CHARS

#: How much compressed output is gathered before it is handed on.
BLOCK = 64 * 1024

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/></Relationships>'
)
# The least a stylesheet may hold: one font, fill, border and cell format.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
    "</border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" '
    'xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
_SHEET_TAIL = "</sheetData></worksheet>"


class _Sink:
    """A write-only, unseekable file: ``zipfile`` sees no ``tell``/``seek``
    and writes data descriptors; the bytes wait here until taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def column_letters(n: int) -> str:
    """The letters of the 0-based column ``n`` (0 -> A, 26 -> AA)."""
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_text(value) -> str:
    text = _ILLEGAL_XML.sub("", str(value))[:MAX_CELL_CHARS]
    return escape(text)


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of
    ``[]:*?/\\``, not empty."""
    return _SHEET_NAME_BAD.sub(" ", _ILLEGAL_XML.sub("", name))[:31].strip() or "Sheet1"


def xlsx_stream(
    rows: Iterable[Iterable], *, sheet: str = "Sheet1", block: int = BLOCK
) -> Iterator[bytes]:
    """The bytes of an XLSX workbook whose one sheet holds ``rows`` (the
    first is usually the header), every cell an inline string (``None`` leaves it blank); yields a
    block whenever about ``block`` compressed bytes are ready, the first as
    soon as the fixed parts are written (before any row is read)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr(
            "xl/workbook.xml",
            _WORKBOOK.format(name=escape(sheet_name(sheet), {'"': "&quot;"})),
        )
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        yield sink.take()
        # The sheet may pass 2 GiB only in theory (100,000 rows are ~20 MB),
        # but its size is unknown up front: allow ZIP64 rather than fail.
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_SHEET_HEAD.encode())
            letters: list[str] = []
            pending: list[str] = []
            for number, row in enumerate(rows, start=1):
                cells = []
                for i, value in enumerate(row):
                    while i >= len(letters):
                        letters.append(column_letters(len(letters)))
                    if value is None:  # a blank cell, not an empty text
                        continue
                    cells.append(
                        f'<c r="{letters[i]}{number}" t="inlineStr"><is>'
                        f'<t xml:space="preserve">{_cell_text(value)}</t></is></c>'
                    )
                pending.append(f'<row r="{number}">{"".join(cells)}</row>')
                if len(pending) >= 200:
                    part.write("".join(pending).encode())
                    pending = []
                    if sink.size >= block:
                        yield sink.take()
            part.write(("".join(pending) + _SHEET_TAIL).encode())
    yield sink.take()
