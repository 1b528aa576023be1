"""The readers: every format yields (line, row dict in our column layout).

A ``Source`` can be read more than once (the checking pass and, for a
large file, the checking processes' shares of it).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from qihub.catalog.importing.report import ImportFormatError
from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError
from qihub.core.spreadsheets import xlsx_rows

BATCH_SIZE = 2000


#: Largest XML file accepted (Relaton records are a few kilobytes each).
MAX_XML_BYTES = 50 * 1024 * 1024


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


# --- readers: every format yields (line, row dict in our column layout) -------


class Source:
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


def in_share(index: int, share: tuple[int, int]) -> bool:
    """Whether row ``index`` is checker i's of n (``share`` = (i, n)): each
    takes every n-th run of BATCH_SIZE rows."""
    mine, checkers = share
    return checkers == 1 or (index // BATCH_SIZE) % checkers == mine


def read_csv(
    src: Source, share: tuple[int, int] = (0, 1)
) -> Iterator[tuple[int, dict | None]]:
    """Rows as dicts; with ``share`` = (i, n) only the i-th of every n runs of
    BATCH_SIZE rows (the others come as None, unbuilt: see ``check``)."""
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
            if not in_share(index, share):
                yield reader.line_num, None
                continue
            if len(cells) > width:  # as DictReader: the extra cells under None
                row = dict(zip(names, cells[:width], strict=True))
                row[None] = cells[width:]
            else:
                row = dict(zip(names, cells, strict=False))
            yield reader.line_num, row


def _read_json(src: Source) -> Iterator[tuple[int, dict]]:
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


def _read_xlsx(src: Source) -> Iterator[tuple[int, dict]]:
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


def _read_iso_jsonl(src: Source) -> Iterator[tuple[int, dict]]:
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


def _read_iso_csv(src: Source) -> Iterator[tuple[int, dict]]:
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


def _read_relaton(src: Source) -> Iterator[tuple[int, dict]]:
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


READERS: dict[str, Callable[[Source], Iterator[tuple[int, dict]]]] = {
    "csv": read_csv,
    "json": _read_json,
    "xlsx": _read_xlsx,
    "iso-jsonl": _read_iso_jsonl,
    "iso-csv": _read_iso_csv,
    "relaton": _read_relaton,
}
