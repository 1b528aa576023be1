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

import csv
import datetime
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog import identifiers
from qihub.catalog.models import Standard, StandardEvent, StandardRelation
from qihub.catalog.search import search_text_for
from qihub.core.errors import PermissionDenied
from qihub.core.roles import is_staff_member
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
    dry_run: bool = False
    seconds: float = 0.0
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
        return _(
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


@dataclass
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


@dataclass
class _Clean:
    """A validated row, ready to write."""

    line: int
    ident: identifiers.StandardIdentifier
    values: dict[str, Any]
    ics: list[str]


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
        return io.TextIOWrapper(self.open_bytes(), encoding="utf-8-sig", newline="")

    def head(self, n: int = 2048) -> bytes:
        with self.open_bytes() as fh:
            return fh.read(n)


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


def _read_csv(src: _Source) -> Iterator[tuple[int, dict]]:
    with src.open_text() as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "identifier" not in reader.fieldnames:
            raise ImportFormatError(_("The CSV file has no 'identifier' column."))
        for row in reader:
            yield reader.line_num, row


def _read_json(src: _Source) -> Iterator[tuple[int, dict]]:
    with src.open_bytes() as fh:
        try:
            data = json.load(fh)
        except ValueError as exc:
            raise ImportFormatError(_("Not valid JSON: %(e)s") % {"e": exc}) from exc
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
    from openpyxl import load_workbook

    with src.open_bytes() as fh:
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise ImportFormatError(
                _("Not a readable XLSX workbook: %(e)s") % {"e": exc}
            ) from exc
        try:
            rows = wb.worksheets[0].iter_rows(values_only=True)
            header = [str(c or "").strip() for c in next(rows, ())]
            if "identifier" not in header:
                raise ImportFormatError(
                    _("The first sheet has no 'identifier' column.")
                )
            for line, values in enumerate(rows, start=2):
                if not any(v not in (None, "") for v in values):
                    continue
                yield (
                    line,
                    {h: _cell(v) for h, v in zip(header, values, strict=False) if h},
                )
        finally:
            wb.close()


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
    from lxml import etree

    if len(data) > MAX_XML_BYTES:
        raise ImportFormatError(_("The XML file is too large."))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ImportFormatError(
            _("The XML file declares a DOCTYPE or entities, which are refused.")
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
    )
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
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
    if value is None:
        return ""
    return str(value).strip()


def _date(value: Any, line: int, name: str, errors: list[RowError]):
    if value in (None, ""):
        return None
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
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [_str(v) for v in value if _str(v)]
    return [v.strip() for v in str(value).split(";") if v.strip()]


class _Validator:
    """Checks rows one by one, remembering what relations must resolve to."""

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
        key = ident.key
        if key in self.keys:
            errors.append(
                RowError(
                    line,
                    "identifier",
                    _("%(id)s also appears on line %(other)d")
                    % {"id": ident.primary.canonical, "other": self.keys[key]},
                )
            )
        else:
            self.keys[key] = line
            if ident.year:
                self.base_years.setdefault(ident.base_key, []).append((ident.year, key))
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
        if status not in Standard.Status.values:
            errors.append(
                RowError(
                    line, "status", _('unknown status "%(v)s"') % {"v": status_text}
                )
            )
        values["status"] = status
        if (
            values["issued_on"]
            and implemented_on
            and implemented_on < values["issued_on"]
        ):
            errors.append(
                RowError(
                    line,
                    "implemented_on",
                    _("the implementation date is before the issue date"),
                )
            )
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
        return _Clean(
            line=line, ident=ident, values=values, ics=list(dict.fromkeys(ics))
        )

    def _collect_refs(self, line, key, ident, row, errors) -> None:
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
            parsed = identifiers.try_parse(ref.text)
            if parsed is None:
                self._unresolved(
                    ref, _('"%(v)s" is not a standard identifier') % {"v": ref.text}
                )
                continue
            parsed = parsed.primary
            if parsed.dated:
                if parsed.key in self.keys:
                    resolved.append((src_key, parsed.key, ref))
                else:
                    pending_keys.setdefault(parsed.key, []).append((src_key, ref))
            else:
                editions = self.base_years.get(parsed.base_key)
                if editions:
                    resolved.append((src_key, max(editions)[1], ref))
                else:
                    pending_bases.setdefault(parsed.base_key, []).append((src_key, ref))
        found = dict(_chunked_lookup(Standard.objects, "ident_key", list(pending_keys)))
        for k, items in pending_keys.items():
            for src_key, ref in items:
                if k in found:
                    resolved.append((src_key, found[k], ref))
                else:
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
                else:
                    self._unresolved(ref, self._missing(ref))
        by_ext = dict(
            Standard.objects.filter(external_id__in=list(pending_ext))
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

    Every row is checked before anything is written; if any row is wrong the
    report lists every error (line, field, reason) and the catalogue is left
    unchanged. ``dry_run`` checks and counts without writing. ``progress`` is
    called with the number of rows just handled (a tqdm ``update``).
    Records are upserted by identifier; each gets one ``imported`` event.
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
    reader = READERS[fmt]
    cleaned: list[_Clean] = []
    keep = fmt not in ("csv", "iso-csv")  # re-reading CSV is cheaper than keeping it
    for n, (line, row) in enumerate(reader(src), start=1):
        clean = validator.clean(line, row)
        if keep and clean is not None:
            cleaned.append(clean)
        if progress and n % 1000 == 0:
            progress(1000)
    if progress:
        progress(validator.rows % 1000)
    refs = validator.resolve_refs()
    report.rows = validator.rows
    report.errors = sorted(validator.errors, key=lambda e: (e.line, e.field))
    report.warnings = validator.warnings
    existing_keys = {
        k
        for k, _pk in _chunked_lookup(
            Standard.objects, "ident_key", list(validator.keys)
        )
    }
    report.updated = len(existing_keys)
    report.created = len(validator.keys) - report.updated
    report.relations = len(refs)
    if not report.ok or dry_run:
        if not report.ok:
            report.created = report.updated = report.relations = 0
        report.seconds = time.perf_counter() - started
        return report

    if keep:
        rows_iter: Iterable[_Clean] = cleaned
    else:
        fresh = _Validator(fmt)
        fresh.ics_codes, fresh.ccs_codes = validator.ics_codes, validator.ccs_codes
        rows_iter = (c for line, row in reader(src) if (c := fresh.clean(line, row)))
    report.relations = _write(
        rows=rows_iter,
        refs=refs,
        existing_keys=existing_keys,
        actor=actor,
        fmt=fmt,
        file_name=src.name,
        progress=progress,
    )
    report.seconds = time.perf_counter() - started
    return report


@transaction.atomic
def _write(
    *,
    rows: Iterable[_Clean],
    refs: list,
    existing_keys: set[str],
    actor,
    fmt: str,
    file_name: str,
    progress,
) -> int:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    key_to_pk: dict[str, int] = {}
    status_changes: list[tuple[int, str, str]] = []
    batch: list[_Clean] = []
    for clean in rows:
        batch.append(clean)
        if len(batch) >= BATCH_SIZE:
            _write_batch(
                batch, existing_keys, key_to_pk, status_changes, actor, fmt, file_name
            )
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        _write_batch(
            batch, existing_keys, key_to_pk, status_changes, actor, fmt, file_name
        )
        if progress:
            progress(len(batch))
    relations = []
    for src_key, target, ref in refs:
        source_pk = key_to_pk[src_key]
        target_pk = key_to_pk[target] if isinstance(target, str) else target
        if ref.reverse:
            source_pk, target_pk = target_pk, source_pk
        if source_pk == target_pk:
            continue
        relations.append(
            StandardRelation(
                source_id=source_pk,
                target_id=target_pk,
                kind=ref.kind,
                degree=ref.degree,
                note=_("imported from %(f)s") % {"f": file_name or fmt},
            )
        )
    if relations:
        existing = set(
            StandardRelation.objects.filter(
                source_id__in={r.source_id for r in relations}
            ).values_list("source_id", "target_id", "kind")
        )
        relations = [
            r
            for r in {(r.source_id, r.target_id, r.kind): r for r in relations}.values()
            if (r.source_id, r.target_id, r.kind) not in existing
        ]
        StandardRelation.objects.bulk_create(relations, batch_size=BATCH_SIZE)
    if status_changes:
        transaction.on_commit(lambda: _send_status_changes(status_changes))
    return len(relations)


_UPDATE_FIELDS = (
    "title_zh",
    "title_en",
    "status",
    "issued_on",
    "implemented_on",
    "withdrawn_on",
    "issuing_body",
    "committee",
    "scope",
    "source",
    "ccs_id",
    "search_text",
    "level",
    "nature",
    "identifier",
    "base_key",
    "prefix",
    "number",
    "year",
)


def _write_batch(
    batch, existing_keys, key_to_pk, status_changes, actor, fmt, file_name
):
    now = timezone.now()
    new: list[Standard] = []
    updates: list[_Clean] = []
    for clean in batch:
        if clean.ident.key in existing_keys:
            updates.append(clean)
        else:
            new.append(_standard(clean, now))
    created = Standard.objects.bulk_create(new, batch_size=BATCH_SIZE)
    for obj in created:
        key_to_pk[obj.ident_key] = obj.pk
    updated_objs: list[Standard] = []
    if updates:
        current = {
            s.ident_key: s
            for s in Standard.objects.filter(
                ident_key__in=[c.ident.key for c in updates]
            ).only("pk", "ident_key", "status", "external_id")
        }
        fields = set(_UPDATE_FIELDS)
        for clean in updates:
            old = current[clean.ident.key]
            obj = _standard(clean, now)
            obj.pk = old.pk
            if "external_id" in clean.values:
                fields.add("external_id")
            if old.status != obj.status:
                status_changes.append((old.pk, old.status, obj.status))
            key_to_pk[obj.ident_key] = old.pk
            updated_objs.append(obj)
        Standard.objects.bulk_update(
            updated_objs, [*fields, "updated_at"], batch_size=500
        )
        Standard.ics.through.objects.filter(
            standard_id__in=[o.pk for o in updated_objs]
        ).delete()
    through = Standard.ics.through
    ics_rows = [
        through(standard_id=key_to_pk[c.ident.key], icscode_id=code)
        for c in batch
        for code in c.ics
    ]
    through.objects.bulk_create(ics_rows, batch_size=BATCH_SIZE * 2)
    reason = _("imported from %(f)s") % {"f": file_name or fmt}
    StandardEvent.objects.bulk_create(
        [
            StandardEvent(
                standard_id=key_to_pk[c.ident.key],
                type=StandardEvent.Type.IMPORTED,
                actor=actor,
                reason=reason,
                changes={
                    "format": fmt,
                    "created": c.ident.key not in existing_keys,
                    "line": c.line,
                },
            )
            for c in batch
        ],
        batch_size=BATCH_SIZE,
    )


def _standard(clean: _Clean, now) -> Standard:
    ident = clean.ident.primary
    values = clean.values
    return Standard(
        identifier=ident.canonical,
        ident_key=ident.key,
        base_key=ident.base_key,
        prefix=ident.prefix,
        number=ident.number,
        year=ident.year,
        level=ident.level,
        nature=ident.nature,
        search_text=search_text_for(
            identifier=ident.canonical,
            title_zh=values["title_zh"],
            title_en=values["title_en"],
        ),
        created_at=now,
        updated_at=now,
        **values,
    )


def _send_status_changes(changes: list[tuple[int, str, str]]) -> None:
    try:
        from qihub.catalog.signals import standard_status_changed
    except ImportError:  # the catalogue's signal is optional for imports
        return
    for standard in Standard.objects.filter(pk__in=[c[0] for c in changes]):
        for pk, old, new in changes:
            if pk == standard.pk:
                standard_status_changed.send(
                    sender=Standard, standard=standard, old_status=old, new_status=new
                )
