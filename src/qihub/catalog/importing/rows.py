"""The row rules: a raw row checked (through ``catalog.rules``, the rules
``standard_create`` obeys) and turned into a ``Clean`` row ready to write,
its relations resolved once every row is read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog import identifiers, rules
from qihub.catalog.importing.readers import READERS, Source
from qihub.catalog.importing.report import RowError
from qihub.catalog.models import Standard, StandardRelation
from qihub.catalog.search_text import search_text_for
from qihub.core.spreadsheets import unescape_cell
from qihub.vocab.models import CcsCode, IcsCode

STATUS_ALIASES = {
    "现行": Standard.Status.IN_FORCE,
    "即将实施": Standard.Status.TO_BE_IMPLEMENTED,
    "废止": Standard.Status.WITHDRAWN,
    "被代替": Standard.Status.REPLACED,
    "草案": Standard.Status.DRAFT,
    "in force": Standard.Status.IN_FORCE,
    "to be implemented": Standard.Status.TO_BE_IMPLEMENTED,
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


@dataclass(slots=True)
class Ref:
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
class Clean:
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


class Validator:
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
        self.refs: list[tuple[str, Ref]] = []  # (source ident_key, ref)
        self.rows = 0
        #: (ident_key, first line, later line): settled by settle_duplicates().
        self.duplicates: list[tuple[str, int, int]] = []
        #: Targets to catalogue as "referenced only": ident_key -> (parsed, status).
        self.placeholders: dict[str, tuple[identifiers.StandardIdentifier, str]] = {}
        self.today = timezone.localdate()

    def clean(self, line: int, row: dict) -> Clean | None:
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
        return Clean(  # positional: a million times a file
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
    def _parse_ref(ref: Ref) -> None:
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
            self.refs.append((key, Ref(line, "replaces", kind.REPLACES, text=text)))
        for text in _list(row.get("cites")):
            self.refs.append((key, Ref(line, "cites", kind.CITES, text=text)))
        for item in _list(row.get("adopts")):
            parts = item.rsplit(" ", 1)
            degree = ""
            if len(parts) == 2 and parts[1].upper() in DEGREES:
                item, degree = parts[0], parts[1].upper()
            self.refs.append(
                (key, Ref(line, "adopts", kind.ADOPTS, text=item, degree=degree))
            )
        if ident.adopted is not None:
            self.refs.append(
                (
                    key,
                    Ref(
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
                    Ref(line, "replaces", kind.REPLACES, external_id=ext, strict=False),
                )
            )
        for ext in row.get("_iso_replaced_by", []):
            self.refs.append(
                (
                    key,
                    Ref(
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
                (key, Ref(line, "relation", kind.REPLACES, text=text, strict=False))
            )
        for text in refs.get("replaced_by", []):
            self.refs.append(
                (
                    key,
                    Ref(
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
                (key, Ref(line, "relation", kind.ADOPTS, text=text, strict=False))
            )

    def resolve_refs(self) -> list[tuple[str, str | int, Ref]]:
        """Resolve every relation to (source key, target key-or-id, ref).

        A target is an ident_key from the file, or a Standard id already in the
        catalogue. Unresolvable targets are errors for our own formats and
        warnings for foreign catalogue extracts (which name records outside
        the extract).
        """
        resolved: list[tuple[str, str | int, Ref]] = []
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
        found = dict(chunked_lookup(Standard.objects, "ident_key", list(pending_keys)))
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

    def _placeholder(self, src_key: str, ref: Ref, key: str, resolved: list) -> bool:
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

    def settle_duplicates(self, src: Source, fmt: str) -> None:
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
    def _missing(ref: Ref) -> str:
        return _("%(id)s is neither in the file nor in the catalogue") % {
            "id": ref.text
        }

    def _unresolved(self, ref: Ref, reason: str) -> None:
        (self.errors if ref.strict else self.warnings).append(
            RowError(ref.line, ref.field, reason)
        )


def chunked_lookup(qs, field_name: str, values: list[str], size: int = 900):
    for i in range(0, len(values), size):
        yield from qs.filter(**{f"{field_name}__in": values[i : i + size]}).values_list(
            field_name, "pk"
        )


def search_document(c: Clean) -> str:
    return search_text_for(
        identifier=c.canonical,
        title_zh=c.values["title_zh"],
        title_en=c.values["title_en"],
        prefix=c.prefix,
        ics=c.ics,
        level=c.level,
        year=c.year,
    )


#: What an update compares, by the names ``standard_update``'s history uses,
#: with the standard's attribute: the imported event holds {name: [old, new]}.
DIFFED = (
    ("identifier", "identifier"),
    ("status", "status"),
    ("title_zh", "title_zh"),
    ("title_en", "title_en"),
    ("issued_on", "issued_on"),
    ("implemented_on", "implemented_on"),
    ("withdrawn_on", "withdrawn_on"),
    ("ccs", "ccs_id"),
    ("issuing_body", "issuing_body"),
    ("committee", "committee"),
    ("scope", "scope"),
    ("external_id", "external_id"),
)


def _plain(value: Any) -> Any:
    """A value as the history holds it (dates as ISO 8601)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def changes(old: list, old_ics, values: dict[str, Any], ics: list[str]) -> dict:
    """{field: [old, new]} of what an update changes: ``old`` the record's
    ``DIFFED`` columns, ``values`` the new ones (the writer's), only those
    the row sets."""
    diff = {}
    for (name, attname), before in zip(DIFFED, old, strict=True):
        if attname in values:
            before, after = _plain(before), _plain(values[attname])
            if before != after:
                diff[name] = [before, after]
    codes = sorted(old_ics), sorted(ics)
    if codes[0] != codes[1]:
        diff["ics"] = list(codes)
    return diff
