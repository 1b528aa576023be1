"""Core indicators proposed from an enterprise standard's own text (the Q/ file).

An enterprise that declares its own standard uploads it; instead of typing
its indicators again, it can have them read from the file by the same
extraction that proposes requirements from STS full texts (verbal forms of
GB/T 1.1 and the ISO/IEC Directives, limit phrases, indicator tables). The
result only fills the declaration form: the enterprise checks it and saves.

Readable files: Word (.docx: paragraphs and tables), plain text or Markdown
(UTF-8 or GB 18030) and NISO STS XML. XML is parsed with the hardened STS
parser (no entities, no DTDs); a .docx is a zip whose parts are bounded in
size before they are read. Anything else is refused with a message saying
what to upload instead.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.core.spreadsheets import check_zip
from qihub.declarations.models import Indicator
from qihub.requirements import extraction, sts
from qihub.requirements.services import parameter_resolve

MAX_BYTES = 20 * 1024 * 1024
#: The declaration form takes at most this many indicators.
MAX_INDICATORS = 30
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OPERATORS = frozenset(Indicator.Operator.values)


@dataclass
class Section:
    """A stretch of the file read as one clause: its title (the context that
    names a parameter when a sentence does not), lines and tables."""

    title: str = ""
    lines: list[str] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)


def indicators_from_file(name: str, data: bytes) -> list[dict]:
    """The indicators the file states, as the declaration form's rows
    (parameter key, operator, value, upper, unit, test method), each once,
    in the file's order; an ``ApplicationError`` for a file it cannot read."""
    rows: list[dict] = []
    seen: set[tuple] = set()
    for section in read_sections(name, data):
        text = "\n".join(section.lines)
        for p in extraction.extract_clause(text, section.tables, title=section.title):
            if p.operator not in _OPERATORS or p.value is None:
                continue  # "not detected" and the like are no declared limit
            parameter = parameter_resolve(p.parameter)
            key = parameter.key if parameter is not None else p.parameter
            found = (key, p.operator, p.value, p.upper, p.unit)
            if found in seen:
                continue
            seen.add(found)
            rows.append(
                {
                    "parameter": key,
                    "operator": p.operator,
                    "value": f"{p.value.normalize():f}",
                    "upper": f"{p.upper.normalize():f}" if p.upper is not None else "",
                    "unit": p.unit,
                    # The method named where the limit is stated.
                    "test_method": extraction.test_method_in(p.source_text),
                }
            )
            if len(rows) == MAX_INDICATORS:
                return rows
    return rows


def read_sections(name: str, data: bytes) -> list[Section]:
    """The file as sections, by its type."""
    if len(data) > MAX_BYTES:
        raise ApplicationError(
            _("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // 1024 // 1024}
        )
    suffix = Path(name or "").suffix.lower()
    if suffix == ".docx" or (not suffix and data.startswith(b"PK")):
        return _docx_sections(data)
    if suffix in (".xml", ".sts"):
        return _sts_sections(data)
    if suffix in ("", ".txt", ".md", ".markdown"):
        return [Section(lines=_decode(data).splitlines())]
    raise ApplicationError(
        _(
            "Indicators can be read from Word (.docx), text (.txt, .md) or STS "
            "XML files, not from %(type)s; save the standard in one of these "
            "or type its indicators."
        )
        % {"type": suffix},
        details={"file": "unsupported"},
    )


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(_("The text file is neither UTF-8 nor GB 18030."))


def _refused(exc: sts.StsError) -> ApplicationError:
    return ApplicationError(
        _("The file was refused: %(reason)s") % {"reason": str(exc)}
    )


def _sts_sections(data: bytes) -> list[Section]:
    try:
        parsed = sts.parse_sts(data)
    except sts.StsError as exc:
        raise _refused(exc) from exc
    return [
        Section(
            title=clause.title,
            lines=list(clause.paragraphs),
            tables=[table.as_json() for table in clause.tables],
        )
        for clause in parsed.clauses
    ]


def _docx_sections(data: bytes) -> list[Section]:
    """Paragraphs and tables of a Word document's body. Headings start a new
    section; the paragraph before a table (its caption, 表1 理化指标) is the
    table's caption."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ApplicationError(_("This is not a Word (.docx) document."))
    check_zip(data)  # every member bounded, not only the body
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_BYTES:  # a zip bomb
                raise ApplicationError(_("The document is too large to read."))
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ApplicationError(_("This is not a Word (.docx) document.")) from exc
    try:
        root = sts.safe_parse(xml)
    except sts.StsError as exc:
        raise _refused(exc) from exc
    body = root.find(f"{_W}body")
    sections = [Section()]
    last_line = ""
    for element in body if body is not None else []:
        if element.tag == f"{_W}p":
            text = _docx_text(element)
            if not text:
                continue
            style = element.find(f"{_W}pPr/{_W}pStyle")
            heading = style is not None and "heading" in (
                style.get(f"{_W}val") or ""
            ).lower().replace(" ", "")
            if heading:
                sections.append(Section(title=text))
            else:
                sections[-1].lines.append(text)
            last_line = text
        elif element.tag == f"{_W}tbl":
            rows = [
                [_docx_text(cell) for cell in row.iter(f"{_W}tc")]
                for row in element.iter(f"{_W}tr")
            ]
            if rows:
                sections[-1].tables.append(
                    {"caption": last_line, "head": rows[:1], "body": rows[1:]}
                )
    return sections


def _docx_text(element) -> str:
    return "".join(node.text or "" for node in element.iter(f"{_W}t")).strip()
