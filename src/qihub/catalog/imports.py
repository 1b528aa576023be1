"""Import catalogue records from files, all or nothing.

Formats: our own column layout as ``csv``, ``xlsx`` or ``json`` (see
``COLUMNS``), ISO Open Data deliverables metadata (``iso-jsonl`` / ``iso-csv``)
and Relaton bibliographic XML (``relaton``, one record or a collection).

Every row is validated first (identifier, dates, status, ICS/CCS codes,
relation targets) and every problem is collected as a :class:`RowError`
with its line, field and reason; nothing is written unless every row is
valid. Writes are set-based (bulk inserts in batches inside one transaction)
and existing identifiers are updated in place. Each imported standard gets one
``imported`` event.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import functools
import gc
import io
import json
import multiprocessing
import operator
import os
import pickle
import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog import identifiers, rules
from qihub.catalog.models import ImportRun, Standard, StandardEvent, StandardRelation
from qihub.catalog.search import _jieba as search_jieba
from qihub.catalog.search import search_text_for
from qihub.catalog.signals import standard_status_changed
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.core.spreadsheets import unescape_cell, xlsx_rows
from qihub.organisations.profile import counts_changed
from qihub.vocab.models import CcsCode, IcsCode

#: Our own column layout (csv, xlsx, json); exports write the same columns.
COLUMNS = (
    "identifier",
    "title_zh",
    "title_en",
    "status",
    "issued_on",
    "implemented_on",
    "withdrawn_on",
    "ics",
    "ccs",
    "issuing_body",
    "committee",
    "scope",
    "replaces",
    "adopts",
    "cites",
    "external_id",
)
FORMATS = ("csv", "xlsx", "json", "iso-jsonl", "iso-csv", "relaton")
BATCH_SIZE = 2000
#: The SQLite trigger (migration 0002) that indexes each new row.
FTS_INSERT_TRIGGER = "catalog_standard_fts_ai"
#: The PostgreSQL full-text index (migration 0002).
PG_SEARCH_INDEX = "catalog_standard_search_gin"
#: SQLite FTS5's in-memory term buffer: its default, and for a first load.
FTS_DEFAULT_HASH_SIZE = 1024 * 1024
FTS_BULK_HASH_SIZE = 64 * 1024 * 1024
#: Largest XML file accepted (Relaton records are a few kilobytes each).
MAX_XML_BYTES = 50 * 1024 * 1024

STATUS_ALIASES = {
    "现行": Standard.Status.IN_FORCE,
    "即将实施": Standard.Status.TO_BE_IMPLEMENTED,
    "废止": Standard.Status.WITHDRAWN,
    "被代替": Standard.Status.REPLACED,
    "草案": Standard.Status.DRAFT,
    "in force": Standard.Status.IN_FORCE,
    "to be implemented": Standard.Status.TO_BE_IMPLEMENTED,
}
RELATON_STAGES = {
    "activated": Standard.Status.IN_FORCE,
    "published": Standard.Status.PUBLISHED,
    "obsoleted": Standard.Status.WITHDRAWN,
    "withdrawn": Standard.Status.WITHDRAWN,
    "abolished": Standard.Status.WITHDRAWN,
    "replaced": Standard.Status.REPLACED,
    "superseded": Standard.Status.REPLACED,
    "to-be-implemented": Standard.Status.TO_BE_IMPLEMENTED,
    "draft": Standard.Status.DRAFT,
}
DEGREES = {d.value for d in StandardRelation.Degree}
#: Row fields that name related standards (readers add the underscored ones).
_REF_FIELDS = (
    "replaces",
    "cites",
    "adopts",
    "_iso_replaces",
    "_iso_replaced_by",
    "_refs",
)
_STATUSES = frozenset(Standard.Status.values)
#: Standard columns a new record takes from its checked row (``_Clean``)...
_FROM_CLEAN = {
    "identifier": "canonical",
    "ident_key": "key",
    "base_key": "base_key",
    "prefix": "prefix",
    "number": "number",
    "year": "year",
    "level": "level",
    "nature": "nature",
    "search_text": "search_text",
}
#: ... and from its values (the dates in the database's terms).
_FROM_VALUES = (
    "status",
    "title_zh",
    "title_en",
    "ccs_id",
    "issuing_body",
    "committee",
    "scope",
    "source",
    "external_id",
)
_DATES = ("issued_on", "implemented_on", "withdrawn_on")
#: The tables an import writes (their foreign keys are checked at the end).
_WRITTEN_TABLES = (
    Standard._meta.db_table,
    Standard.ics.through._meta.db_table,
    StandardEvent._meta.db_table,
    StandardRelation._meta.db_table,
)


class ImportFormatError(ValueError):
    """The whole file is unreadable in the given format."""


@dataclass(frozen=True)
class RowError:
    """One problem in one row: the line (or record) number, field and reason."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or refusal, would have done)."""

    format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    relations: int = 0
    #: Records created as "referenced only": targets of cites/replaces that
    #: were neither in the file nor in the catalogue.
    placeholders: int = 0
    dry_run: bool = False
    seconds: float = 0.0
    #: On SQLite, how long the import held the write lock (its one write
    #: transaction, ``_Writer.final``); other writers wait at most this long.
    lock_seconds: float = 0.0
    #: The ``ImportRun`` of an import that wrote (none for a dry run or refusal).
    run_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def summary(self) -> str:
        if not self.ok:
            return _("refused: %(n)d error(s) in %(rows)d rows, nothing imported") % {
                "n": len(self.errors),
                "rows": self.rows,
            }
        verb = _("would import") if self.dry_run else _("imported")
        text = _(
            "%(verb)s %(total)s standards (%(new)s new, %(upd)s updated), "
            "%(rel)s relations in %(sec).1f s"
        ) % {
            "verb": verb,
            "total": f"{self.created + self.updated:,}",
            "new": f"{self.created:,}",
            "upd": f"{self.updated:,}",
            "rel": f"{self.relations:,}",
            "sec": self.seconds,
        }
        if self.placeholders:
            text += "; " + _(
                "%(n)s cited or replaced standards catalogued as referenced only"
            ) % {"n": f"{self.placeholders:,}"}
        if self.warnings:
            text += "; " + _("%(n)s warning(s)") % {"n": f"{len(self.warnings):,}"}
        return text


@dataclass(slots=True)
class _Ref:
    """A relation named in a row, resolved after every row is read."""

    line: int
    field: str
    kind: str
    text: str = ""  # an identifier
    external_id: str = ""  # an ISO deliverable id
    degree: str = ""
    reverse: bool = False  # the row's standard is the target (replacedBy)
    strict: bool = True  # unresolved = error (own formats) or warning (foreign)
    # ``text`` parsed as the row is read (in the checking process): the
    # target's ident_key when dated, its base_key when not, neither when
    # the text is no identifier.
    parsed: bool = False
    key: str = ""
    base_key: str = ""


@dataclass(slots=True)
class _Clean:
    """A validated row, ready to write, with its identifier's derived fields."""

    line: int
    key: str
    base_key: str
    canonical: str
    prefix: str
    number: str
    year: int | None
    level: str
    nature: str
    values: dict[str, Any]
    ics: list[str]
    search_text: str = ""
    index: int = 0  # the row's place among the file's rows (from 0)


@dataclass(slots=True)
class _Prepared:
    """A batch of a first load as final table rows (``_Writer.prepare``): on
    PostgreSQL already in COPY's text format (``_copy_text``)."""

    keys: list[str]
    ids: list[int]
    standards: list[tuple] | bytes
    ics: list[tuple[int, str]] | bytes

    def without(self, drop: set[str]) -> _Prepared:
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
        return _Prepared(
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


def _copy_text(rows: list[tuple]) -> bytes:
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


# --- readers: every format yields (line, row dict in our column layout) -------


class _Source:
    """A file that can be read more than once (validation pass, write pass)."""

    def __init__(self, file: Path | str | IO) -> None:
        self.path: Path | None = None
        self.data: bytes | None = None
        if isinstance(file, str | Path):
            self.path = Path(file)
            self.name = self.path.name
        else:
            self.name = getattr(file, "name", "") or ""
            raw = file.read()
            self.data = raw.encode() if isinstance(raw, str) else raw

    def open_bytes(self) -> IO[bytes]:
        if self.path is not None:
            return self.path.open("rb")
        return io.BytesIO(self.data or b"")

    def open_text(self) -> IO[str]:
        return io.TextIOWrapper(self.open_bytes(), encoding=self.encoding(), newline="")

    @functools.cached_property
    def _encoding(self) -> str:
        """The text encoding: a BOM (UTF-8, UTF-16), else UTF-8 if the whole
        file decodes as it, else GB 18030 (the Chinese national encoding, as
        the declaration reader reads text). Anything else is refused."""
        head = self.head(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if head.startswith(b"PK\x03\x04"):
            raise ImportFormatError(
                _("This is a zip file (XLSX?), not a text file; import it as xlsx.")
            )
        for encoding in ("utf-8-sig", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                with self.open_bytes() as fh:
                    while chunk := fh.read(1 << 20):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
        if b"\x00" in self.head(8192):
            raise ImportFormatError(
                _("This is a binary file, not a text (CSV/JSON) file.")
            )
        raise ImportFormatError(
            _("The file is neither UTF-8, UTF-16 nor GB 18030 text.")
        )

    def encoding(self) -> str:
        return self._encoding

    def head(self, n: int = 2048) -> bytes:
        with self.open_bytes() as fh:
            return fh.read(n)

    def size(self) -> int:
        if self.path is not None:
            return self.path.stat().st_size
        return len(self.data or b"")


def detect_format(name: str, head: bytes) -> str:
    """Guess the format from the file name, then from its first bytes."""
    lower = name.lower()
    text = head.decode("utf-8", "ignore").lstrip("\ufeff").lstrip()
    if lower.endswith(".xlsx") or head.startswith(b"PK"):
        return "xlsx"
    if lower.endswith(".xml") or text.startswith("<"):
        return "relaton"
    if lower.endswith(".jsonl") or lower.endswith(".ndjson"):
        return "iso-jsonl"
    if lower.endswith(".json") or text.startswith(("{", "[")):
        if text.startswith("[") or '"identifier"' in text[:500]:
            return "json"
        return "iso-jsonl"
    first_line = text.split("\n", 1)[0]
    if "reference" in first_line and "currentStage" in first_line:
        return "iso-csv"
    return "csv"


def _in_share(index: int, share: tuple[int, int]) -> bool:
    """Whether row ``index`` is checker i's of n (``share`` = (i, n)): each
    takes every n-th run of BATCH_SIZE rows."""
    mine, checkers = share
    return checkers == 1 or (index // BATCH_SIZE) % checkers == mine


def _read_csv(
    src: _Source, share: tuple[int, int] = (0, 1)
) -> Iterator[tuple[int, dict | None]]:
    """Rows as dicts; with ``share`` = (i, n) only the i-th of every n runs of
    BATCH_SIZE rows (the others come as None, unbuilt: see ``_check``)."""
    with src.open_text() as fh:
        reader = csv.reader(fh)
        names = next(reader, None)
        if not names or "identifier" not in names:
            raise ImportFormatError(_("The CSV file has no 'identifier' column."))
        width = len(names)
        index = -1
        for cells in reader:
            if not cells:
                continue  # a blank line, as csv.DictReader skips them
            index += 1
            if not _in_share(index, share):
                yield reader.line_num, None
                continue
            if len(cells) > width:  # as DictReader: the extra cells under None
                row = dict(zip(names, cells[:width], strict=True))
                row[None] = cells[width:]
            else:
                row = dict(zip(names, cells, strict=False))
            yield reader.line_num, row


def _read_json(src: _Source) -> Iterator[tuple[int, dict]]:
    with src.open_bytes() as fh:
        try:
            data = json.loads(fh.read().decode(src.encoding()))
        except ValueError as exc:
            raise ImportFormatError(_("Not valid JSON: %(e)s") % {"e": exc}) from exc
        except RecursionError:
            raise ImportFormatError(
                _("Not valid JSON: nested too deeply to be a list of standards.")
            ) from None
    if isinstance(data, dict):
        data = data.get("standards", [data])
    if not isinstance(data, list):
        raise ImportFormatError(_("The JSON file must hold a list of standards."))
    for i, row in enumerate(data, start=1):
        yield i, row if isinstance(row, dict) else {"identifier": None}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    return "" if value is None else value


def _read_xlsx(src: _Source) -> Iterator[tuple[int, dict]]:
    """The first sheet's rows, through the bounded reader (``check_zip``
    and the cell limit before openpyxl parses anything)."""
    with src.open_bytes() as fh:
        data = fh.read()
    try:
        rows = xlsx_rows(data)
        _number, first = next(rows, (1, []))
        header = [str(c or "").strip() for c in first]
        if "identifier" not in header:
            raise ImportFormatError(_("The first sheet has no 'identifier' column."))
        for line, values in rows:
            if not any(v not in (None, "") for v in values):
                continue
            yield (
                line,
                {h: _cell(v) for h, v in zip(header, values, strict=False) if h},
            )
    except ApplicationError as exc:
        raise ImportFormatError(str(exc)) from None


def _iso_stage(value: Any) -> str:
    text = str(value if value is not None else "").replace(".", "").strip()
    return text.zfill(4) if text.isdigit() else text


def _iso_status(stage: str, replaced_by: list) -> str:
    if not stage.isdigit():
        return ""
    code = int(stage)
    if code < 6060:
        return Standard.Status.DRAFT
    if code == 9599:
        return Standard.Status.REPLACED if replaced_by else Standard.Status.WITHDRAWN
    return Standard.Status.PUBLISHED


def _id_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).replace(",", ";").split(";") if v.strip()]


def _iso_row(rec: dict) -> dict:
    stage = _iso_stage(rec.get("currentStage"))
    replaced_by = _id_list(rec.get("replacedBy"))
    title = rec.get("title") or {}
    scope = rec.get("scope") or {}
    return {
        "identifier": rec.get("reference"),
        "title_en": title.get("en", "") if isinstance(title, dict) else str(title),
        "title_zh": "",
        "status": _iso_status(stage, replaced_by) or f"stage {stage}",
        "issued_on": rec.get("publicationDate") or "",
        "ics": _id_list(rec.get("icsCode")),
        "committee": rec.get("ownerCommittee") or "",
        "issuing_body": "ISO",
        "scope": _strip_html(scope.get("en", "") if isinstance(scope, dict) else ""),
        "external_id": str(rec.get("id") or ""),
        "_iso_replaces": _id_list(rec.get("replaces")),
        "_iso_replaced_by": replaced_by,
        "_source": "iso",
    }


def _strip_html(text: str) -> str:
    if not text or "<" not in text:
        return text or ""
    import lxml.html

    try:
        return " ".join(lxml.html.fromstring(text).text_content().split())
    except Exception:  # scope is informative; keep the raw text if it is not HTML
        return text


def _read_iso_jsonl(src: _Source) -> Iterator[tuple[int, dict]]:
    head = src.head(64).lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"["):
        with src.open_bytes() as fh:
            try:
                data = json.load(fh)
            except ValueError as exc:
                raise ImportFormatError(
                    _("Not valid JSON: %(e)s") % {"e": exc}
                ) from exc
        for i, rec in enumerate(data, start=1):
            yield i, _iso_row(rec if isinstance(rec, dict) else {})
        return
    with src.open_text() as fh:
        text = fh.read()
    stripped = text.strip()
    if stripped.startswith("{") and "\n{" not in stripped:
        # One pretty-printed record (a single deliverable's file).
        try:
            yield 1, _iso_row(json.loads(stripped))
            return
        except ValueError:
            pass
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except ValueError as exc:
            yield line, {"_error": ("json", _("not valid JSON: %(e)s") % {"e": exc})}
            continue
        yield line, _iso_row(rec if isinstance(rec, dict) else {})


def _read_iso_csv(src: _Source) -> Iterator[tuple[int, dict]]:
    with src.open_text() as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "reference" not in reader.fieldnames:
            raise ImportFormatError(_("The ISO CSV file has no 'reference' column."))
        for row in reader:
            yield reader.line_num, _iso_row(row)


def _parse_xml(data: bytes):
    from qihub.core.xml import XmlError, safe_parse

    if len(data) > MAX_XML_BYTES:
        raise ImportFormatError(_("The XML file is too large."))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ImportFormatError(
            _("The XML file declares a DOCTYPE or entities, which are refused.")
        )
    try:
        return safe_parse(data, max_bytes=MAX_XML_BYTES)
    except XmlError as exc:
        raise ImportFormatError(_("Not well-formed XML: %(e)s") % {"e": exc}) from exc


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el, name: str):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _relaton_row(rec) -> dict:
    row: dict[str, Any] = {"_source": "relaton"}
    ids = _children(rec, "docidentifier")
    primary = next(
        (d for d in ids if d.get("primary") == "true"), ids[0] if ids else None
    )
    row["identifier"] = _text(primary)
    titles: dict[str, str] = {}
    for t in _children(rec, "title"):
        lang = (t.get("language") or "").lower()
        if t.get("type") in ("main", "title-main", None) and lang not in titles:
            titles[lang] = _text(t)
    row["title_zh"] = titles.get("zh", "")
    row["title_en"] = titles.get("en", "")
    for d in _children(rec, "date"):
        on = _text(_child(d, "on"))
        if d.get("type") == "published":
            row["issued_on"] = on
        elif d.get("type") in ("implemented", "effective"):
            row["implemented_on"] = on
        elif d.get("type") in ("obsoleted", "withdrawn"):
            row["withdrawn_on"] = on
    status = _child(rec, "status")
    stage = _text(_child(status, "stage")) if status is not None else ""
    row["status"] = RELATON_STAGES.get(stage.lower(), stage) if stage else ""
    for contrib in _children(rec, "contributor"):
        role = _child(contrib, "role")
        org = _child(contrib, "organization")
        if role is not None and role.get("type") == "publisher" and org is not None:
            names = {n.get("language"): _text(n) for n in _children(org, "name")}
            row["issuing_body"] = names.get("zh") or names.get("en") or ""
    abstract = _children(rec, "abstract")
    if abstract:
        row["scope"] = _text(abstract[0])
    refs: dict[str, list] = {"replaces": [], "replaced_by": [], "adopts": []}
    for rel in _children(rec, "relation"):
        target = _child(rel, "bibitem")
        target_id = _text(_child(target, "docidentifier")) if target is not None else ""
        kind = rel.get("type", "")
        if not target_id:
            continue
        if kind in ("obsoletes", "replaces"):
            refs["replaces"].append(target_id)
        elif kind in ("obsoletedBy", "replacedBy"):
            refs["replaced_by"].append(target_id)
        elif kind in ("adoptedFrom", "identical"):
            refs["adopts"].append(target_id)
    row["_refs"] = refs
    ext = _child(rec, "ext")
    if ext is not None:
        ics = _child_codes(ext, "ics")
        row["ics"] = ics
        ccs = _child_codes(ext, "ccs")
        row["ccs"] = ccs[0] if ccs else ""
        row["committee"] = _text(_child(ext, "gbcommittee"))
    return row


def _child_codes(ext, name: str) -> list[str]:
    return [
        _text(_child(el, "code"))
        for el in _children(ext, name)
        if _child(el, "code") is not None
    ]


def _read_relaton(src: _Source) -> Iterator[tuple[int, dict]]:
    with src.open_bytes() as fh:
        data = fh.read(MAX_XML_BYTES + 1)
    root = _parse_xml(data)
    records = []
    if _local(root.tag) in ("bibdata", "bibitem"):
        records = [root]
    else:
        for el in root:
            if _local(el.tag) in ("bibdata", "bibitem"):
                records.append(el)
            elif _local(el.tag) == "relation":
                records.extend(c for c in el if _local(c.tag) in ("bibdata", "bibitem"))
    if not records:
        raise ImportFormatError(_("No Relaton bibdata or bibitem records found."))
    for rec in records:
        yield rec.sourceline or 1, _relaton_row(rec)


READERS: dict[str, Callable[[_Source], Iterator[tuple[int, dict]]]] = {
    "csv": _read_csv,
    "json": _read_json,
    "xlsx": _read_xlsx,
    "iso-jsonl": _read_iso_jsonl,
    "iso-csv": _read_iso_csv,
    "relaton": _read_relaton,
}


# --- validation ----------------------------------------------------------------


def _str(value: Any) -> str:
    if value.__class__ is str and "\x00" not in value:
        if value[:1] == "'":  # our own export's formula escape, undone
            value = unescape_cell(value)
        return value.strip()  # the usual case, first (a million times a file)
    if value is None:
        return ""
    text = unescape_cell(str(value))
    if "\x00" in text:  # PostgreSQL text cannot hold NUL; it is never meant
        text = text.replace("\x00", "")
    return text.strip()


def _date(value: Any, line: int, name: str, errors: list[RowError]):
    if value is None or value == "":
        return None
    if value.__class__ is str and len(value) == 10:
        try:
            return _fromisoformat(value)
        except ValueError:
            pass  # reported below with the general rules
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text[:10] if "T" in text else text)
    except ValueError:
        errors.append(
            RowError(line, name, _('bad date "%(v)s" (use YYYY-MM-DD)') % {"v": text})
        )
        return None


_fromisoformat = datetime.date.fromisoformat


def _default_status(
    level: str, implemented_on: datetime.date | None, today: datetime.date
) -> str:
    """A row without a status: from its dates, as when catalogued by hand."""
    if implemented_on and implemented_on > today:
        return Standard.Status.TO_BE_IMPLEMENTED
    if level == Standard.Level.INTERNATIONAL and implemented_on is None:
        return Standard.Status.PUBLISHED
    return Standard.Status.IN_FORCE


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [_str(v) for v in value if _str(v)]
    return [v.strip() for v in str(value).split(";") if v.strip()]


class _Validator:
    """Checks rows one by one, remembering what relations must resolve to."""

    #: What checking changes (handed back by a checking process).
    STATE = (
        "errors",
        "warnings",
        "keys",
        "base_years",
        "external_ids",
        "refs",
        "rows",
        "duplicates",
    )

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.ics_codes = set(IcsCode.objects.values_list("code", flat=True))
        self.ccs_codes = set(CcsCode.objects.values_list("code", flat=True))
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.keys: dict[str, int] = {}  # ident_key -> line
        self.base_years: dict[str, list[tuple[int, str]]] = {}
        self.external_ids: dict[str, str] = {}  # ISO id -> ident_key
        self.refs: list[tuple[str, _Ref]] = []  # (source ident_key, ref)
        self.rows = 0
        #: (ident_key, first line, later line): settled by settle_duplicates().
        self.duplicates: list[tuple[str, int, int]] = []
        #: Targets to catalogue as "referenced only": ident_key -> (parsed, status).
        self.placeholders: dict[str, tuple[identifiers.StandardIdentifier, str]] = {}
        self.today = timezone.localdate()

    def clean(self, line: int, row: dict) -> _Clean | None:
        self.rows += 1
        errors: list[RowError] = []
        if "_error" in row:
            name, reason = row["_error"]
            self.errors.append(RowError(line, name, reason))
            return None
        text = _str(row.get("identifier"))
        try:
            ident = identifiers.parse(text)
        except identifiers.IdentifierError as exc:
            reason = (
                _("identifier is empty") if not text else f'"{text}": {exc.message}'
            )
            self.errors.append(RowError(line, "identifier", reason))
            return None
        primary = ident if ident.adopted is None else ident.primary
        canonical = primary.canonical
        # The same as ``primary.key`` / ``.base_key`` without copying the
        # identifier twice per row (a fifth of the per-row cost at scale).
        key = canonical.replace(" ", "").upper()
        if primary.international:
            base_key = primary.base_key
        else:
            base_key = f"{primary.prefix}{primary.number}".replace(" ", "").upper()
        if key in self.keys:
            # The same values again are merged, other values refused: which
            # one is told by settle_duplicates() once every row is read.
            self.duplicates.append((key, self.keys[key], line))
            return None
        self.keys[key] = line
        if ident.year:
            self.base_years.setdefault(base_key, []).append((ident.year, key))
        status_text = _str(row.get("status"))
        status = STATUS_ALIASES.get(status_text.lower(), status_text.lower())
        implemented_on = _date(
            row.get("implemented_on"), line, "implemented_on", errors
        )
        values: dict[str, Any] = {
            "title_zh": _str(row.get("title_zh"))[:500],
            "title_en": _str(row.get("title_en"))[:500],
            "issued_on": _date(row.get("issued_on"), line, "issued_on", errors),
            "implemented_on": implemented_on,
            "withdrawn_on": _date(
                row.get("withdrawn_on"), line, "withdrawn_on", errors
            ),
            "issuing_body": _str(row.get("issuing_body"))[:300],
            "committee": _str(row.get("committee"))[:300],
            "scope": _str(row.get("scope")),
            "source": row.get("_source") or "import",
        }
        if "external_id" in row:
            values["external_id"] = _str(row.get("external_id"))[:100]
        if not status:
            status = _default_status(ident.level, implemented_on, self.today)
        if status not in _STATUSES:
            errors.append(
                RowError(
                    line, "status", _('unknown status "%(v)s"') % {"v": status_text}
                )
            )
        values["status"] = status
        # The record rules the services apply (``catalog.rules``): a title,
        # dates in order and fitting the identifier's year.
        for name, message in rules.title_problems(
            values["title_zh"], values["title_en"], level=primary.level, status=status
        ) + rules.date_problems(
            identifier=primary,
            issued_on=values["issued_on"],
            implemented_on=implemented_on,
            withdrawn_on=values["withdrawn_on"],
        ):
            errors.append(RowError(line, name, message))
        ics = _list(row.get("ics"))
        for code in ics:
            if code not in self.ics_codes:
                errors.append(
                    RowError(line, "ics", _('unknown ICS code "%(v)s"') % {"v": code})
                )
        ccs = _str(row.get("ccs"))
        if ccs and ccs not in self.ccs_codes:
            errors.append(
                RowError(line, "ccs", _('unknown CCS code "%(v)s"') % {"v": ccs})
            )
        values["ccs_id"] = ccs or None
        self._collect_refs(line, key, ident, row, errors)
        if values.get("external_id"):
            self.external_ids[values["external_id"]] = key
        self.errors.extend(errors)
        if errors:
            return None
        return _Clean(  # positional: a million times a file
            line,
            key,
            base_key,
            canonical,
            primary.prefix,
            primary.number,
            primary.year,
            primary.level,
            primary.nature,
            values,
            list(dict.fromkeys(ics)) if len(ics) > 1 else ics,
        )

    def _collect_refs(self, line, key, ident, row, errors) -> None:
        if ident.adopted is None and not any(map(row.get, _REF_FIELDS)):
            return  # most rows name no relation
        start = len(self.refs)
        self._add_refs(line, key, ident, row)
        for _src, ref in self.refs[start:]:
            if ref.text:
                self._parse_ref(ref)

    @staticmethod
    def _parse_ref(ref: _Ref) -> None:
        ref.parsed = True
        parsed = identifiers.try_parse(ref.text)
        if parsed is None:
            return
        parsed = parsed.primary
        if parsed.dated:
            ref.key = parsed.key
        else:
            ref.base_key = parsed.base_key

    def _add_refs(self, line, key, ident, row) -> None:
        kind = StandardRelation.Kind
        for text in _list(row.get("replaces")):
            self.refs.append((key, _Ref(line, "replaces", kind.REPLACES, text=text)))
        for text in _list(row.get("cites")):
            self.refs.append((key, _Ref(line, "cites", kind.CITES, text=text)))
        for item in _list(row.get("adopts")):
            parts = item.rsplit(" ", 1)
            degree = ""
            if len(parts) == 2 and parts[1].upper() in DEGREES:
                item, degree = parts[0], parts[1].upper()
            self.refs.append(
                (key, _Ref(line, "adopts", kind.ADOPTS, text=item, degree=degree))
            )
        if ident.adopted is not None:
            self.refs.append(
                (
                    key,
                    _Ref(
                        line,
                        "identifier",
                        kind.ADOPTS,
                        text=ident.adopted.canonical,
                        degree=StandardRelation.Degree.IDT,
                        strict=False,
                    ),
                )
            )
        for ext in row.get("_iso_replaces", []):
            self.refs.append(
                (
                    key,
                    _Ref(
                        line, "replaces", kind.REPLACES, external_id=ext, strict=False
                    ),
                )
            )
        for ext in row.get("_iso_replaced_by", []):
            self.refs.append(
                (
                    key,
                    _Ref(
                        line,
                        "replacedBy",
                        kind.REPLACES,
                        external_id=ext,
                        reverse=True,
                        strict=False,
                    ),
                )
            )
        refs = row.get("_refs") or {}
        for text in refs.get("replaces", []):
            self.refs.append(
                (key, _Ref(line, "relation", kind.REPLACES, text=text, strict=False))
            )
        for text in refs.get("replaced_by", []):
            self.refs.append(
                (
                    key,
                    _Ref(
                        line,
                        "relation",
                        kind.REPLACES,
                        text=text,
                        reverse=True,
                        strict=False,
                    ),
                )
            )
        for text in refs.get("adopts", []):
            self.refs.append(
                (key, _Ref(line, "relation", kind.ADOPTS, text=text, strict=False))
            )

    def resolve_refs(self) -> list[tuple[str, str | int, _Ref]]:
        """Resolve every relation to (source key, target key-or-id, ref).

        A target is an ident_key from the file, or a Standard id already in the
        catalogue. Unresolvable targets are errors for our own formats and
        warnings for foreign catalogue extracts (which name records outside
        the extract).
        """
        resolved: list[tuple[str, str | int, _Ref]] = []
        pending_keys: dict[str, list] = {}
        pending_bases: dict[str, list] = {}
        pending_ext: dict[str, list] = {}
        for src_key, ref in self.refs:
            if ref.external_id:
                if ref.external_id in self.external_ids:
                    resolved.append((src_key, self.external_ids[ref.external_id], ref))
                else:
                    pending_ext.setdefault(ref.external_id, []).append((src_key, ref))
                continue
            if not ref.parsed:
                self._parse_ref(ref)
            if ref.key:
                if ref.key in self.keys:
                    resolved.append((src_key, ref.key, ref))
                else:
                    pending_keys.setdefault(ref.key, []).append((src_key, ref))
            elif ref.base_key:
                editions = self.base_years.get(ref.base_key)
                if editions:
                    resolved.append((src_key, max(editions)[1], ref))
                else:
                    pending_bases.setdefault(ref.base_key, []).append((src_key, ref))
            elif ref.kind == StandardRelation.Kind.CITES:
                # A bibliography names articles and reports too.
                self.warnings.append(
                    RowError(
                        ref.line,
                        ref.field,
                        _('"%(v)s" is not a standard identifier: no relation recorded')
                        % {"v": ref.text},
                    )
                )
            else:
                self._unresolved(
                    ref, _('"%(v)s" is not a standard identifier') % {"v": ref.text}
                )
        found = dict(_chunked_lookup(Standard.objects, "ident_key", list(pending_keys)))
        for k, items in pending_keys.items():
            for src_key, ref in items:
                if k in found:
                    resolved.append((src_key, found[k], ref))
                elif not self._placeholder(src_key, ref, k, resolved):
                    self._unresolved(ref, self._missing(ref))
        latest: dict[str, tuple[int, int]] = {}
        for pk, base, year in (
            Standard.objects.filter(base_key__in=list(pending_bases))
            .values_list("pk", "base_key", "year")
            .iterator()
        ):
            if base not in latest or (year or 0) > latest[base][0]:
                latest[base] = (year or 0, pk)
        for base, items in pending_bases.items():
            for src_key, ref in items:
                if base in latest:
                    resolved.append((src_key, latest[base][1], ref))
                elif not self._placeholder(src_key, ref, base, resolved):
                    self._unresolved(ref, self._missing(ref))
        by_ext = dict(
            Standard.objects.filter(external_id__in=list(pending_ext))
            .exclude(external_id="")  # the partial index
            .values_list("external_id", "pk")
            .iterator()
        )
        for ext, items in pending_ext.items():
            for src_key, ref in items:
                if ext in by_ext:
                    resolved.append((src_key, by_ext[ext], ref))
                else:
                    self._unresolved(
                        ref,
                        _(
                            "ISO deliverable %(id)s is neither in the file nor in the catalogue"
                        )
                        % {"id": ext},
                    )
        return resolved

    #: Relations whose unknown target is catalogued as "referenced only".
    PLACEHOLDER_KINDS = frozenset(
        {StandardRelation.Kind.CITES, StandardRelation.Kind.REPLACES}
    )

    def _placeholder(self, src_key: str, ref: _Ref, key: str, resolved: list) -> bool:
        """Resolve ``ref`` to a "referenced only" record for ``key`` (created
        by the writer, found by search, upgraded in place when its real record
        is imported); False for a relation that needs a real target."""
        if ref.kind not in self.PLACEHOLDER_KINDS or not ref.text:
            return False
        parsed = identifiers.try_parse(ref.text)
        if parsed is None:
            return False
        parsed = parsed.primary
        # What the row says of it: the standard it replaces is replaced.
        replaced = ref.kind == StandardRelation.Kind.REPLACES and not ref.reverse
        status = Standard.Status.REPLACED if replaced else Standard.Status.UNKNOWN
        known = self.placeholders.get(key)
        if known is None or status == Standard.Status.REPLACED:
            self.placeholders[key] = (
                parsed if parsed.dated else parsed.undated,
                status,
            )
        if known is None:
            self.warnings.append(
                RowError(
                    ref.line,
                    ref.field,
                    _(
                        "%(id)s is neither in the file nor in the catalogue: "
                        "catalogued as referenced only"
                    )
                    % {"id": parsed.canonical},
                )
            )
        resolved.append((src_key, key, ref))
        return True

    def settle_duplicates(self, src: _Source, fmt: str) -> None:
        """Compare the rows that share an identifier: the same values are
        merged with a warning (the row is written once), other values
        refused. Reads the file again for those lines only when there are
        duplicates (rare), so checking every row costs nothing more."""
        if not self.duplicates:
            return
        wanted = {line for _key, *lines in self.duplicates for line in lines}
        seen: dict[int, str] = {}
        for line, row in READERS[fmt](src):
            if line in wanted:
                seen[line] = repr(sorted(row.items(), key=str))
        for key, first, later in sorted(self.duplicates, key=lambda d: d[2]):
            parsed = identifiers.try_parse(key)
            args = {"id": parsed.canonical if parsed else key, "other": first}
            if seen.get(first) == seen.get(later):
                self.warnings.append(
                    RowError(
                        later,
                        "identifier",
                        _(
                            "%(id)s also appears on line %(other)d with the same "
                            "values: merged"
                        )
                        % args,
                    )
                )
            else:
                self.errors.append(
                    RowError(
                        later,
                        "identifier",
                        _(
                            "%(id)s also appears on line %(other)d with other "
                            "values: keep one row"
                        )
                        % args,
                    )
                )
        self.duplicates = []

    @staticmethod
    def _missing(ref: _Ref) -> str:
        return _("%(id)s is neither in the file nor in the catalogue") % {
            "id": ref.text
        }

    def _unresolved(self, ref: _Ref, reason: str) -> None:
        (self.errors if ref.strict else self.warnings).append(
            RowError(ref.line, ref.field, reason)
        )


def _chunked_lookup(qs, field_name: str, values: list[str], size: int = 900):
    for i in range(0, len(values), size):
        yield from qs.filter(**{f"{field_name}__in": values[i : i + size]}).values_list(
            field_name, "pk"
        )


# --- the import --------------------------------------------------------------


def standards_import(
    *,
    file: Path | str | IO,
    fmt: str | None = None,
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Import catalogue records from a file, all or nothing.

    Every row is checked; if any row is wrong the report lists every error
    (line, field, reason) and the catalogue is left unchanged (rows are
    written in batches as they pass inside one transaction, which is rolled
    back on the first error while checking goes on to the end). ``dry_run``
    checks and counts without writing. ``progress`` is called with the number
    of rows just handled (a tqdm ``update``). Records are upserted by
    identifier. The import is recorded as an ``ImportRun``: new records point
    to it, each updated one gets an ``imported`` event.
    """
    started = time.perf_counter()
    src = _Source(file)
    fmt = fmt or detect_format(src.name, src.head())
    if fmt not in READERS:
        raise ImportFormatError(
            _("Unknown format %(f)s; use one of %(all)s")
            % {"f": fmt, "all": ", ".join(FORMATS)}
        )
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may change the catalogue."))
    report = ImportReport(format=fmt, dry_run=dry_run)
    validator = _Validator(fmt)
    big = _large(src)
    large = not dry_run and big
    # On SQLite the checking holds no transaction: the writer stages the rows
    # and takes the write lock only to move them in (``_Writer.final``).
    sqlite = connection.vendor == "sqlite"
    in_transaction = not sqlite  # the import's own, to roll back on a refusal
    with (
        _collector_paused(big),
        _foreign_keys_unchecked(large) as unchecked,
        contextlib.nullcontext() if sqlite else transaction.atomic(),
        contextlib.ExitStack() as stack,
    ):
        writer = None if dry_run else _Writer(actor=actor, fmt=fmt, name=src.name)
        if writer is not None:
            stack.callback(writer.discard_stage)
        check, options = _check, {}
        if writer is not None and FORK_CHECKERS and big:
            check = _check_in_children
            if writer.catalogue_was_empty:
                # A first load: the checkers build the final rows too.
                writer.start_staged()
                options = {"checkers": STAGED_CHECKERS, "prepare": writer.prepare}
        for batch, seen in check(
            src, fmt, validator, keep=writer is not None, **options
        ):
            if batch:
                writer.write(batch)
            if progress and seen:
                progress(seen)
        validator.settle_duplicates(src, fmt)
        staged = writer is not None and writer.staging
        if staged:
            refs = validator.resolve_refs()  # before the write lock
        if writer is not None and not validator.errors:
            if staged:
                stack.enter_context(writer.final())
                in_transaction = True
            writer.close()  # indexes back before relations are looked up
        if not staged:
            refs = validator.resolve_refs()
        report.rows = validator.rows
        report.errors = sorted(validator.errors, key=lambda e: (e.line, e.field))
        if not report.rows and not report.errors:
            # A header without rows is a mistake, not an import run of none.
            report.errors = [RowError(1, "file", _("the file has no rows"))]
        report.warnings = validator.warnings
        if not report.ok:
            if in_transaction:
                transaction.set_rollback(True)
        elif writer is None:
            report.updated = sum(
                1
                for _key in _chunked_lookup(
                    Standard.objects, "ident_key", list(validator.keys)
                )
            )
            report.created = len(validator.keys) - report.updated
            report.relations = len({(s, str(t), r.kind) for s, t, r in refs})
            report.placeholders = len(validator.placeholders)
        else:
            report.placeholders = writer.add_placeholders(validator.placeholders)
            report.relations = writer.relate(refs)
            report.created, report.updated = writer.created, writer.updated
            report.run_id = writer.finish(report)
            if unchecked:
                connection.check_constraints(table_names=_WRITTEN_TABLES)
    report.seconds = time.perf_counter() - started
    report.lock_seconds = getattr(writer, "lock_seconds", 0.0)
    return report


@contextlib.contextmanager
def _collector_paused(wanted: bool) -> Iterator[None]:
    """Python's cyclic garbage collector paused for a large import: the rows
    it builds are many new containers, and each collection of the oldest
    generation walks the import's growing state (a sixth of a checker's
    time at 1M rows). Imports make almost no reference cycles; what they do
    make is collected when the collector is back on."""
    paused = wanted and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@contextlib.contextmanager
def _foreign_keys_unchecked(wanted: bool) -> Iterator[bool]:
    """SQLite looks up the parent of every foreign key as each row goes in
    (a third of a large import's writing). As loaddata does, turn that off
    for a large import (only possible outside a transaction: inside one it
    stays on); yields whether it is off, and then the caller checks the
    written tables once before committing."""
    off = wanted and connection.disable_constraint_checking()
    try:
        yield off
    finally:
        if off:
            connection.enable_constraint_checking()


def _check(
    src: _Source,
    fmt: str,
    validator: _Validator,
    *,
    keep: bool,
    share: tuple[int, int] = (0, 1),
    documents: bool = True,
) -> Iterator[tuple[list[_Clean], int]]:
    """Check every row; yield (batch to write, rows checked since the last).

    Batches come only while ``keep`` and no row has failed: after the first
    error nothing is written, but checking goes on to report every error.
    ``share`` = (i, n): check only the i-th of every n runs of BATCH_SIZE rows
    (the others are read past), for n checking processes. Without
    ``documents`` the search documents are left to the writer.
    """
    batch: list[_Clean] = []
    seen = 0
    # The CSV reader leaves the other checkers' rows unbuilt (None).
    rows = _read_csv(src, share) if fmt == "csv" else READERS[fmt](src)
    for index, (line, row) in enumerate(rows):
        if not _in_share(index, share):
            continue
        clean = validator.clean(line, row)
        seen += 1
        if clean is None and not validator.errors:
            continue  # a row again: settle_duplicates() tells
        if not keep or validator.errors:
            batch.clear()
            if seen >= 1000:
                yield [], seen
                seen = 0
            continue
        if documents:
            clean.search_text = _search_document(clean)
        clean.index = index
        batch.append(clean)
        if len(batch) >= BATCH_SIZE:
            yield batch, seen
            batch, seen = [], 0
    yield (batch if keep and not validator.errors else []), seen


#: Files from this size up are checked in other processes while this one
#: writes (forking costs ~10 ms; the children share the dictionary pages).
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
#: How many checking processes beside the writing process: one per core but
#: the writer's (on two cores one: a second checker only takes time from a
#: writer that builds its own rows).
CHECKERS = max(1, min(4, (os.cpu_count() or 2) - 1))
#: How many for a first load, where the checkers also build the final rows
#: and the writer only hands them to the database: one per core.
STAGED_CHECKERS = max(1, min(4, os.cpu_count() or 2))


#: Whether checking processes can be forked (not on every platform).
FORK_CHECKERS = "fork" in multiprocessing.get_all_start_methods()


def _large(src: _Source) -> bool:
    return src.size() >= PARALLEL_MIN_BYTES


def _check_in_children(
    src: _Source,
    fmt: str,
    validator: _Validator,
    *,
    keep: bool,
    checkers: int = CHECKERS,
    prepare: Callable[[list[_Clean]], _Prepared] | None = None,
) -> Iterator[tuple[list[_Clean] | _Prepared, int]]:
    """``_check`` in forked processes, each taking every ``checkers``-th run
    of rows, so that parsing identifiers and segmenting titles use the other
    cores while this process writes. The children never touch the database;
    at the end each sends its validator's state, merged here (with the
    duplicates between children), so relations resolve as after ``_check``.

    With ``prepare`` (a first load, ``_Writer.prepare``) the children also
    turn their batches into the final table rows, with ids from the rows'
    places in the file, and send those instead of the checked rows.
    """
    ctx = multiprocessing.get_context("fork")
    # A queue, not a bare pipe: its feeder thread sends while a child goes
    # on checking. A few batches ahead bound the memory.
    channel = ctx.Queue(maxsize=2 * checkers)
    search_jieba()  # load the dictionary once, before the fork
    children = [
        ctx.Process(
            target=_child_check,
            args=(channel, src, fmt, validator, keep, (i, checkers), prepare),
            name=f"qihub-import-check-{i}",
            daemon=True,
        )
        for i in range(checkers)
    ]
    for child in children:
        child.start()
    written: set[str] = set()
    try:
        running = len(children)
        while running:
            try:
                kind, payload, seen = channel.get(timeout=1)
            except queue.Empty:
                # A child that has sent "done" may have exited; one that has
                # not and is gone died without a word.
                if sum(child.is_alive() for child in children) >= running:
                    continue
                raise RuntimeError(
                    "an import's checking process stopped unexpectedly"
                ) from None
            if kind == "batch":
                if not payload:
                    yield [], seen
                    continue
                keys = payload.keys if prepare else [c.key for c in payload]
                # The same identifier in two children's shares: written once
                # (the merge below tells whether the rows are the same, else
                # the file is refused).
                again = written.intersection(keys)
                written.update(keys)
                if again:
                    payload = (
                        payload.without(again)
                        if prepare
                        else [c for c in payload if c.key not in again]
                    )
                yield payload, seen
            elif kind == "done":
                _merge_state(validator, payload)
                running -= 1
            else:
                raise payload
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
        channel.close()
        channel.join_thread()


def _merge_state(validator: _Validator, state: dict) -> None:
    validator.rows += state["rows"]
    validator.errors.extend(state["errors"])
    validator.warnings.extend(state["warnings"])
    validator.refs.extend(state["refs"])
    validator.external_ids.update(state["external_ids"])
    validator.duplicates.extend(state["duplicates"])
    # Set operations and update() rather than a loop per row (a million
    # keys at the end of a large import).
    years, their_years = validator.base_years, state["base_years"]
    for base in years.keys() & their_years.keys():
        their_years[base] = years[base] + their_years[base]
    years.update(their_years)
    keys, theirs = validator.keys, state["keys"]
    shared = keys.keys() & theirs.keys()  # duplicates between checkers
    if shared:
        keys.update((k, line) for k, line in theirs.items() if k not in shared)
    else:
        keys.update(theirs)
    for key in shared:
        other, line = keys[key], theirs[key]
        if other != line:
            first, later = sorted((other, line))
            keys[key] = first
            validator.duplicates.append((key, first, later))


def _child_check(channel, src, fmt, validator, keep, share, prepare) -> None:
    try:
        # With one checker, the writing process (which waits for it)
        # segments the titles for the search documents: the two halves are
        # then even. With more, or rows built here, the checkers do.
        documents = prepare is not None or share[1] > 1
        batches = _check(
            src, fmt, validator, keep=keep, share=share, documents=documents
        )
        for batch, seen in batches:
            payload = prepare(batch) if prepare and batch else batch
            channel.put(("batch", payload, seen))
        state = {name: getattr(validator, name) for name in _Validator.STATE}
        channel.put(("done", state, 0))
    except BaseException as exc:  # handed to the parent
        try:
            pickle.dumps(exc)
        except Exception:  # an exception that does not pickle
            exc = RuntimeError(str(exc))
        channel.put(("error", exc, 0))
    finally:
        channel.close()
        channel.join_thread()  # everything sent before the process ends


def _adapt_default(field) -> Any:
    value = field.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class _Writer:
    """Set-based writes of validated rows: a few statements per batch.

    New standards get their ids up front (the next free ids under SQLite's
    write lock, ``nextval`` on PostgreSQL) so the ICS links and events of a
    batch go in without reading anything back. PostgreSQL uses COPY.

    Into an empty catalogue (a first load) the writer follows PostgreSQL's
    advice for populating a database: the secondary indexes (and on
    PostgreSQL the unique and foreign-key constraints) of the tables it fills
    are dropped first and built again in ``close()``, all inside the import's
    transaction, so a refused file leaves them as they were. On PostgreSQL
    this locks the (empty) tables until the import commits. There the
    relations' table is treated alike, its constraints added back after
    ``relate()`` wrote it: each key is then checked in one statement, not by
    a deferred trigger per row and key at commit (a million records' 275,000
    relations: 6 s of the commit).

    On SQLite, whose one writer would otherwise hold the database for the
    whole import (other writers waited past their busy timeout), the writer
    *stages*: while the rows are checked it writes nothing to the database
    but TEMP tables (the connection's own temporary database, no lock on the
    main one) and remembers the updates; ``final()`` then opens the one write
    transaction (BEGIN IMMEDIATE), moves the staged rows in with INSERT ...
    SELECT, and the rest of the import (indexes, full text, placeholders,
    relations, the run) follows in it before the commit. New records get
    provisional ids from the highest id when the import began, shifted in
    ``final()`` past any record written meanwhile. All or nothing as before:
    a refused file never opens the transaction.
    """

    #: The staging tables by the tables they stand for (TEMP: dropped by
    #: ``discard_stage()``, or with the connection).
    STAGE = {
        Standard._meta.db_table: "temp.qihub_stage_standard",
        Standard.ics.through._meta.db_table: "temp.qihub_stage_ics",
    }

    def __init__(self, *, actor, fmt: str, name: str) -> None:
        self.connection = connection
        # Nothing to update in an empty catalogue: no per-batch lookup, and
        # the indexes are built once at the end.
        self.catalogue_was_empty = not Standard.objects.exists()
        self.deferred_ddl: list[str] = []  # built again by close()
        self.relation_ddl: list[str] = []  # built again by relate()
        self.postgres = connection.vendor == "postgresql"
        self.actor_id = (
            actor.pk
            if actor is not None and getattr(actor, "is_authenticated", False)
            else None
        )
        self.fmt = fmt
        self.staging = not self.postgres
        # The run the new records point to (their history's first entry);
        # a staging writer saves it in final().
        self.run = ImportRun(
            actor_id=self.actor_id, file_name=(name or "")[:300], format=fmt
        )
        if not self.staging:
            self.run.save()
        self.staged_updates: list[tuple[str, list]] = []
        self.staged_unlinked: list[int] = []
        self.staged_events: list[tuple[int, int]] = []  # (standard id, line)
        self.first_id = 0
        self.lock_seconds = 0.0
        self.reason = self.run.reason
        self.key_to_pk: dict[str, int] = {}
        self.created = 0
        self.updated = 0
        self.status_changes: list[tuple[int, str, str]] = []
        self.now = timezone.now()
        self.next_id = 0
        self.last_id = 0  # the highest id the checkers gave (a first load)
        self.std_fields = list(Standard._meta.concrete_fields)
        self.std_columns = [f.column for f in self.std_fields]
        self.std_defaults = {f.attname: _adapt_default(f) for f in self.std_fields}
        self.std_row = operator.itemgetter(*(f.attname for f in self.std_fields))
        self.std_index = {f.attname: i for i, f in enumerate(self.std_fields)}
        self.event_fields = [
            f for f in StandardEvent._meta.concrete_fields if not f.primary_key
        ]
        self.event_defaults = {f.attname: _adapt_default(f) for f in self.event_fields}
        self.event_row = operator.itemgetter(*(f.attname for f in self.event_fields))
        self.event_index = {f.attname: i for i, f in enumerate(self.event_fields)}
        self.fts_trigger_sql = ""
        self.fts_columns: list[str] = []
        self.gin_index = ""
        if self.postgres:
            with connection.cursor() as cur:
                cur.execute("SELECT to_regclass(%s)::text", [PG_SEARCH_INDEX])
                self.gin_index = cur.fetchone()[0] or ""
                if self.gin_index:
                    # Collect new entries in the GIN pending list and merge them
                    # once at the end: a sorted bulk merge beats many small ones.
                    cur.execute("SET LOCAL gin_pending_list_limit = '128MB'")
        else:
            with connection.cursor() as cur:
                cur.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_standard")
                self.next_id = self.first_id = cur.fetchone()[0] + 1
                # FTS5 flushes its pending terms once per statement, so a row
                # trigger makes bulk inserts ~4x slower; index each batch in one
                # INSERT ... SELECT instead. DDL is transactional in SQLite and
                # we hold the write lock: a rollback restores the trigger and
                # no other writer ever sees it missing.
                cur.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                    [FTS_INSERT_TRIGGER],
                )
                found = cur.fetchone()
                # A bigger page cache for this connection: a large import
                # touches every index page of catalog_standard.
                cur.execute("PRAGMA cache_size=-262144")
                if found:
                    self.fts_trigger_sql = found[0]
                    cur.execute("PRAGMA table_info(catalog_standard_fts)")
                    self.fts_columns = [row[1] for row in cur.fetchall()]
                self._create_stage(cur)
        if self.catalogue_was_empty and not self.staging:
            # (A first load writes no events: the new records point to the run.)
            self.deferred_ddl = self._drop_secondary_indexes(
                [Standard._meta.db_table, Standard.ics.through._meta.db_table]
            )
            if self.postgres:  # empty too: relations need standards
                self.relation_ddl = self._drop_secondary_indexes(
                    [StandardRelation._meta.db_table]
                )

    def _create_stage(self, cur) -> None:
        """The TEMP tables a staging writer fills: columns as the real ones',
        no constraints or indexes. In a temporary file rather than memory
        (the connection's default): a large file's rows would not fit."""
        cur.execute("PRAGMA temp_store")
        self.temp_store = cur.fetchone()[0]
        if not self.connection.in_atomic_block:  # (SQLite refuses it inside)
            cur.execute("PRAGMA temp_store=FILE")  # also drops older TEMP tables
        for stage in self.STAGE.values():
            cur.execute(f"DROP TABLE IF EXISTS {stage}")
        for table, stage in self.STAGE.items():
            cur.execute(f"CREATE TABLE {stage} AS SELECT * FROM main.{table} WHERE 0")  # noqa: S608

    def discard_stage(self) -> None:
        """Drop the staging tables (after the commit or a refusal)."""
        if not self.STAGE or self.postgres or not hasattr(self, "temp_store"):
            return
        try:
            with self.connection.cursor() as cur:
                for stage in self.STAGE.values():
                    cur.execute(f"DROP TABLE IF EXISTS {stage}")
                if not self.connection.in_atomic_block:
                    cur.execute(f"PRAGMA temp_store={int(self.temp_store)}")
        except DatabaseError:
            pass  # the connection is gone: so are its TEMP tables

    @contextlib.contextmanager
    def final(self) -> Iterator[None]:
        """The import's one write transaction (a staging writer's): the staged
        rows moved in first, then the caller's remaining writes, committed at
        the end (rolled back on an error)."""
        started = time.perf_counter()
        try:
            with transaction.atomic():
                self._move_staged()
                yield
        finally:
            self.lock_seconds = time.perf_counter() - started

    def _move_staged(self) -> None:
        stage_std = self.STAGE[Standard._meta.db_table]
        through = Standard.ics.through._meta.db_table
        with self.connection.cursor() as cur:
            cur.execute(
                f"SELECT s.identifier FROM {stage_std} s JOIN main.catalog_standard c "  # noqa: S608
                "ON c.ident_key = s.ident_key ORDER BY s.id LIMIT 5"
            )
            taken = [row[0] for row in cur.fetchall()]
            if taken:
                raise ImportFormatError(
                    _(
                        "%(ids)s were catalogued by someone else while the file "
                        "was being checked; nothing was imported: import the "
                        "file again."
                    )
                    % {"ids": ", ".join(taken)}
                )
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_standard")
            # New records' ids past any written since the import began.
            shift = max(0, cur.fetchone()[0] + 1 - self.first_id)
        self.run.save()
        if self.catalogue_was_empty:
            self.deferred_ddl = self._drop_secondary_indexes(
                [Standard._meta.db_table, through]
            )
        with self.connection.cursor() as cur:
            if self.fts_trigger_sql:
                cur.execute(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
            # The updates and their old ICS links first, then the new rows
            # and every link.
            for sql, params in self.staged_updates:
                cur.executemany(sql, params)
            unlinked = self.staged_unlinked
            for i in range(0, len(unlinked), 900):
                chunk = unlinked[i : i + 900]
                cur.execute(
                    f"DELETE FROM {through} WHERE standard_id IN "  # noqa: S608
                    f"({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
            select, params = [], []
            for column in self.std_columns:
                if column == "id":
                    select.append("id + %s")
                    params.append(shift)
                elif column == "import_run_id":
                    select.append("%s")
                    params.append(self.run.pk)
                else:
                    select.append(column)
            cur.execute(
                f"INSERT INTO catalog_standard ({', '.join(self.std_columns)}) "  # noqa: S608
                f"SELECT {', '.join(select)} FROM {stage_std} ORDER BY id",
                params,
            )
            cur.execute(
                f"INSERT INTO {through} (standard_id, icscode_id) "  # noqa: S608
                "SELECT CASE WHEN standard_id >= %s THEN standard_id + %s "
                "ELSE standard_id END, icscode_id "
                f"FROM {self.STAGE[through]} ORDER BY standard_id",
                [self.first_id, shift],
            )
        self.staging = False  # from here on the writes go where they belong
        self._insert(
            StandardEvent._meta.db_table,
            [f.column for f in self.event_fields],
            self._event_rows(self.staged_events, self._now()),
        )
        if shift:
            first = self.first_id
            self.key_to_pk = {
                k: pk + shift if pk >= first else pk for k, pk in self.key_to_pk.items()
            }
        if self.last_id >= self.first_id:
            self.last_id += shift
            self._index_text(self.first_id + shift, self.last_id)
        self.staged_updates, self.staged_unlinked, self.staged_events = [], [], []

    def _drop_secondary_indexes(self, tables: list[str]) -> list[str]:
        """Drop the secondary indexes (and on PostgreSQL the unique and
        foreign-key constraints) of ``tables``; returns the statements that
        build them again. See the class docstring."""
        drop: list[str] = []
        build: list[str] = []
        with self.connection.cursor() as cur:
            if self.postgres:
                cur.execute(
                    "SELECT conrelid::regclass::text, conname, contype, "
                    "pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') "
                    "ORDER BY contype DESC",  # unique first: foreign keys use them
                    [tables],
                )
                for table, name, _type, definition in cur.fetchall():
                    drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    build.append(
                        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                    )
                cur.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
                    "AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint "
                    "c WHERE c.conindid = i.indexrelid AND c.contype IN ('u', 'p', 'x'))",
                    [tables],
                )
                indexes = cur.fetchall()
                self.gin_index = ""  # built again whole, not merged
            else:
                cur.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
                    f"AND sql IS NOT NULL AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                    tables,
                )
                indexes = cur.fetchall()
            for name, definition in indexes:
                drop.append(f"DROP INDEX {name}")
                # Indexes before the foreign keys that are checked through them.
                build.insert(0, definition)
            self._ddl(cur, drop)
        return build

    def _build_again(self, statements: list[str]) -> None:
        """Build what ``_drop_secondary_indexes`` dropped."""
        if not statements:
            return
        with self.connection.cursor() as cur:
            if self.postgres:
                cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            self._ddl(cur, statements)

    def _ddl(self, cur, statements: list[str]) -> None:
        if self.postgres:
            # Foreign keys are checked at commit; PostgreSQL refuses to alter
            # a table with such checks pending (rows written earlier in this
            # transaction), so run them now, and defer again afterwards.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cur.execute(sql)
        if self.postgres:
            cur.execute("SET CONSTRAINTS ALL DEFERRED")

    # values in the database's terms
    def _date(self, value):
        if value is None or self.postgres:
            return value
        return value.isoformat()

    def _now(self):
        if self.postgres:
            return self.now
        return self.connection.ops.adapt_datetimefield_value(self.now)

    def _reserve_ids(self, n: int) -> list[int]:
        if self.postgres:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence('catalog_standard', 'id')) "
                    "FROM generate_series(1, %s)",
                    [n],
                )
                return [row[0] for row in cur.fetchall()]
        ids = list(range(self.next_id, self.next_id + n))
        self.next_id += n
        return ids

    def _insert(
        self, table: str, columns: list[str], rows: list[tuple] | bytes
    ) -> None:
        """Insert rows, or on PostgreSQL also COPY data (``_copy_text``)."""
        if not rows:
            return
        if self.staging:
            table = self.STAGE.get(table, table)
        with self.connection.cursor() as cur:
            if self.postgres:
                cols = ", ".join(columns)
                with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    if isinstance(rows, bytes):
                        copy.write(rows)
                    else:
                        for row in rows:
                            copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                    rows,
                )

    def _standard_values(self, c: _Clean, pk: int, now) -> dict[str, Any]:
        values = c.values
        return {
            "id": pk,
            "created_at": now,
            "updated_at": now,
            "identifier": c.canonical,
            "ident_key": c.key,
            "base_key": c.base_key,
            "prefix": c.prefix,
            "number": c.number,
            "year": c.year,
            "level": c.level,
            "nature": c.nature,
            "status": values["status"],
            "title_zh": values["title_zh"],
            "title_en": values["title_en"],
            "issued_on": self._date(values["issued_on"]),
            "implemented_on": self._date(values["implemented_on"]),
            "withdrawn_on": self._date(values["withdrawn_on"]),
            "ccs_id": values["ccs_id"],
            "issuing_body": values["issuing_body"],
            "committee": values["committee"],
            "scope": values["scope"],
            "source": values["source"],
            "external_id": values.get("external_id", ""),
            "search_text": c.search_text or _search_document(c),
            "referenced_only": False,  # a placeholder upgraded in place
        }

    def _new_rows(self, batch: list[_Clean], ids: list[int], now) -> list[tuple]:
        """``_standard_values`` of new records as table rows, by position
        (the fields' defaults, then what a record sets): a dict per row cost
        a tenth of a large import's checking."""
        index, date = self.std_index, self._date
        template = list(
            self.std_row(
                self.std_defaults
                | {"created_at": now, "updated_at": now, "import_run_id": self.run.pk}
            )
        )
        clean_at = [index[name] for name in _FROM_CLEAN]
        clean_get = operator.attrgetter(*_FROM_CLEAN.values())
        values_at = [(index[name], name) for name in _FROM_VALUES]
        dates_at = [(index[name], name) for name in _DATES]
        at_id = index["id"]
        rows = []
        for c, pk in zip(batch, ids, strict=True):
            if not c.search_text:
                c.search_text = _search_document(c)
            row = template.copy()
            row[at_id] = pk
            for i, value in zip(clean_at, clean_get(c), strict=True):
                row[i] = value
            values = c.values
            for i, name in values_at:
                row[i] = values.get(name, "")  # external_id may be absent
            for i, name in dates_at:
                row[i] = date(values[name])
            rows.append(tuple(row))
        return rows

    def _event_rows(self, events: list[tuple[int, int]], now) -> list[tuple]:
        """One ``imported`` event per updated record (its id and line), by
        position as ``_new_rows`` (new records point to the run instead)."""
        event, changes = self._event(now)
        row = list(self.event_row(event))
        at_standard = self.event_index["standard_id"]
        at_changes = self.event_index["changes"]
        rows = []
        for pk, line in events:
            row[at_standard] = pk
            row[at_changes] = changes % line
            rows.append(tuple(row))
        return rows

    def start_staged(self) -> None:
        """Give the new rows of a first load ids from their places in the
        file (``prepare``): the next id on, ``close()`` moves the sequence."""
        if self.postgres:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence('catalog_standard', 'id'))"
                )
                self.next_id = cur.fetchone()[0]

    def _event(self, now) -> tuple[dict[str, Any], str]:
        """An ``imported`` event's values but the standard and changes, and
        the changes as a template for the line."""
        event = self.event_defaults | {
            "type": StandardEvent.Type.IMPORTED.value,
            "created_at": now,
            "actor_id": self.actor_id,
            "reason": self.reason,
        }
        # json.dumps per row is a measurable share of a big import.
        template = (
            '{"format": ' + json.dumps(self.fmt) + ', "import": %d, "line": %%d}'
        ) % self.run.pk
        return event, template

    def prepare(self, batch: list[_Clean]) -> _Prepared:
        """A first load's batch as the final rows of the standard and ICS-link
        tables, the ids from the rows' places in the file. Runs in a checking
        process: no database access."""
        now = self._now()
        first = self.next_id
        ids = [first + c.index for c in batch]
        ics = [(pk, code) for c, pk in zip(batch, ids, strict=True) for code in c.ics]
        standards = self._new_rows(batch, ids, now)
        if self.postgres:
            return _Prepared(
                [c.key for c in batch], ids, _copy_text(standards), _copy_text(ics)
            )
        return _Prepared([c.key for c in batch], ids, standards, ics)

    def _write_prepared(self, batch: _Prepared) -> None:
        # A first load: the full-text index is built in close().
        self.key_to_pk.update(zip(batch.keys, batch.ids, strict=True))
        self._insert("catalog_standard", self.std_columns, batch.standards)
        self.last_id = max(self.last_id, *batch.ids)
        self.created += len(batch.ids)
        self._insert(
            Standard.ics.through._meta.db_table,
            ["standard_id", "icscode_id"],
            batch.ics,
        )

    def write(self, batch: list[_Clean] | _Prepared) -> None:
        if isinstance(batch, _Prepared):
            self._write_prepared(batch)
            return
        now = self._now()
        existing: dict[str, tuple[int, str]] = {}
        keys = [] if self.catalogue_was_empty else [c.key for c in batch]
        with self.connection.cursor() as cur:
            for i in range(0, len(keys), 900):
                chunk = keys[i : i + 900]
                cur.execute(
                    "SELECT id, ident_key, status FROM catalog_standard WHERE "  # noqa: S608
                    f"ident_key IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                for pk, key, status in cur.fetchall():
                    existing[key] = (pk, status)
        new = [c for c in batch if c.key not in existing]
        ids = self._reserve_ids(len(new))
        self.key_to_pk.update(zip((c.key for c in new), ids, strict=True))
        self._insert(
            "catalog_standard", self.std_columns, self._new_rows(new, ids, now)
        )
        if ids and not self.staging:  # staged: indexed in final()
            self._index_text(ids[0], ids[-1])
        self.created += len(new)
        if self.staging and ids:
            self.last_id = max(self.last_id, ids[-1])
        updates = [c for c in batch if c.key in existing]
        if updates:
            self._update(updates, existing, now)
        through = Standard.ics.through
        self._insert(
            through._meta.db_table,
            ["standard_id", "icscode_id"],
            [(self.key_to_pk[c.key], code) for c in batch for code in c.ics],
        )
        events = [(existing[c.key][0], c.line) for c in updates]
        if self.staging:
            self.staged_events.extend(events)
            return
        self._insert(
            StandardEvent._meta.db_table,
            [f.column for f in self.event_fields],
            self._event_rows(events, now),
        )

    def _index_text(self, low: int, high: int) -> None:
        """Index new rows with ids low..high in SQLite's full-text table, as
        the dropped insert trigger would (every column of the full-text
        table comes from the same-named column of the standard's)."""
        if not self.fts_trigger_sql or self.catalogue_was_empty:
            return  # a first load builds the full-text index at the end
        columns = ", ".join(self.fts_columns)
        with self.connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO catalog_standard_fts(rowid, {columns}) "  # noqa: S608
                f"SELECT id, {columns} FROM catalog_standard WHERE id BETWEEN %s AND %s",
                [low, high],
            )

    def _update(self, updates: list[_Clean], existing, now) -> None:
        fields = [
            f.attname
            for f in self.std_fields
            if f.attname not in ("id", "created_at", "ident_key")
        ]
        rows = []
        for c in updates:
            pk, old_status = existing[c.key]
            self.key_to_pk[c.key] = pk
            values = self._standard_values(c, pk, now)
            if "external_id" not in c.values:
                values.pop("external_id")
            if old_status != values["status"]:
                self.status_changes.append((pk, old_status, values["status"]))
            rows.append((values, [f for f in fields if f in values]))
        with self.connection.cursor() as cur:
            by_fields: dict[tuple, list] = {}
            for values, cols in rows:
                by_fields.setdefault(tuple(cols), []).append(
                    [values[c] for c in cols] + [values["id"]]
                )
            for cols, params in by_fields.items():
                columns = {f.attname: f.column for f in self.std_fields}
                sets = ", ".join(f"{columns[c]} = %s" for c in cols)
                sql = f"UPDATE catalog_standard SET {sets} WHERE id = %s"  # noqa: S608
                if self.staging:
                    self.staged_updates.append((sql, params))
                else:
                    cur.executemany(sql, params)
        pks = [existing[c.key][0] for c in updates]
        if self.staging:
            self.staged_unlinked.extend(pks)
        else:
            Standard.ics.through.objects.filter(standard_id__in=pks).delete()
        self.updated += len(updates)

    def close(self) -> None:
        """Put the full-text trigger back (inside the same transaction), build
        the indexes dropped for a first load, and merge PostgreSQL's pending
        full-text entries into the index."""
        if self.postgres and self.last_id:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence('catalog_standard', 'id'), %s)",
                    [self.last_id],
                )
        self._build_again(self.deferred_ddl)
        self.deferred_ddl = []
        if self.gin_index:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT gin_clean_pending_list(%s::regclass)", [self.gin_index]
                )
            self.gin_index = ""
        if self.fts_trigger_sql:
            with self.connection.cursor() as cur:
                if self.catalogue_was_empty:
                    # Into an empty index, one build from the content table
                    # is cheaper than an index segment per batch.
                    self._rebuild_fts(cur)
                cur.execute(self.fts_trigger_sql)
            self.fts_trigger_sql = ""

    @staticmethod
    def _rebuild_fts(cur) -> None:
        """Build the full-text index from the content table. FTS5 collects
        terms in memory and writes a segment, to be merged later, each time
        they pass its hash size (1 MB): for a large load, 64 MB takes 40% off
        the build (1M records: 2.8 s against 4.5 s). The option is FTS5's
        own (``hashsize``, kept in its config table): set for the build, then
        back to the default; an SQLite without it builds with the default."""
        fts = "INSERT INTO catalog_standard_fts(catalog_standard_fts, rank) VALUES "
        try:
            with transaction.atomic():  # a savepoint: a refused option is harmless
                cur.execute(fts + "('hashsize', %s)", [FTS_BULK_HASH_SIZE])
        except DatabaseError:
            sized = False
        else:
            sized = True
        cur.execute(
            "INSERT INTO catalog_standard_fts(catalog_standard_fts) VALUES ('rebuild')"
        )
        if sized:
            cur.execute(fts + "('hashsize', %s)", [FTS_DEFAULT_HASH_SIZE])

    def add_placeholders(
        self, placeholders: dict[str, tuple[identifiers.StandardIdentifier, str]]
    ) -> int:
        """Catalogue the "referenced only" records that relations of this
        import need (the index is back: after ``close()``); returns how many."""
        if not placeholders:
            return 0
        records = []
        for key, (ident, status) in placeholders.items():
            records.append(
                Standard(
                    identifier=ident.canonical,
                    ident_key=key,
                    base_key=ident.base_key,
                    prefix=ident.prefix,
                    number=ident.number,
                    year=ident.year,
                    level=ident.level,
                    nature=ident.nature,
                    status=status,
                    source="reference",
                    referenced_only=True,
                    import_run=self.run,
                    search_text=search_text_for(
                        identifier=ident.canonical,
                        title_zh="",
                        title_en="",
                        prefix=ident.prefix,
                        level=ident.level,
                        year=ident.year,
                    ),
                )
            )
        Standard.objects.bulk_create(records, batch_size=500)
        counts_changed()  # bulk_create sends no signal
        self.key_to_pk.update(
            _chunked_lookup(Standard.objects, "ident_key", list(placeholders))
        )
        return len(records)

    def finish(self, report: ImportReport) -> int:
        """Record what the import did on its run; returns the run's id."""
        ImportRun.objects.filter(pk=self.run.pk).update(
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            relations=report.relations,
        )
        return self.run.pk

    def relate(self, refs: list) -> int:
        """Write the resolved relations that are not there yet; returns how many."""
        now = self._now()
        wanted: dict[tuple[int, int, str], str] = {}
        for src_key, target, ref in refs:
            source_pk = self.key_to_pk[src_key]
            target_pk = self.key_to_pk[target] if isinstance(target, str) else target
            if ref.reverse:
                source_pk, target_pk = target_pk, source_pk
            if source_pk != target_pk:
                wanted.setdefault((source_pk, target_pk, ref.kind), ref.degree)
        if wanted and not self.catalogue_was_empty:  # else none can be there
            sources = list({k[0] for k in wanted})
            for i in range(0, len(sources), 900):
                for key in StandardRelation.objects.filter(
                    source_id__in=sources[i : i + 900]
                ).values_list("source_id", "target_id", "kind"):
                    wanted.pop(key, None)
        note = self.reason
        self._insert(
            StandardRelation._meta.db_table,
            [
                "created_at",
                "updated_at",
                "source_id",
                "target_id",
                "kind",
                "degree",
                "note",
            ],
            [(now, now, s, t, k, d, note) for (s, t, k), d in wanted.items()],
        )
        self._build_again(self.relation_ddl)
        self.relation_ddl = []
        if self.status_changes:
            changes = list(self.status_changes)
            transaction.on_commit(lambda: _send_status_changes(changes))
        return len(wanted)


def _search_document(c: _Clean) -> str:
    return search_text_for(
        identifier=c.canonical,
        title_zh=c.values["title_zh"],
        title_en=c.values["title_en"],
        prefix=c.prefix,
        ics=c.ics,
        level=c.level,
        year=c.year,
    )


def _send_status_changes(changes: list[tuple[int, str, str]]) -> None:
    olds = {pk: (old, new) for pk, old, new in changes}
    for standard in Standard.objects.filter(pk__in=list(olds)):
        old, new = olds[standard.pk]
        standard_status_changed.send(
            sender=Standard, standard=standard, old_status=old, new_status=new
        )
