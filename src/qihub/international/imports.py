"""Imports of the international domain, all or nothing: a refused file
changes nothing and names each bad line.

- ISO Open Data deliverables or projects metadata (JSON Lines, a JSON array,
  one JSON record or the CSV export): one international project per
  reference, at its ``currentStage`` (``6060`` or ``60.60``), linked to the
  catalogue's edition of the same reference;
- the WTO ePing / TBT IMS notification export (CSV): member, symbol, date,
  products, HS codes, ICS codes, description, comment deadline.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.catalog.identifiers import try_parse
from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError
from qihub.international import services, stages
from qihub.international.models import (
    InternationalEvent,
    InternationalProject,
    TbtNotification,
)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


class _DryRun(Exception):
    pass


def _read_bytes(file: str | Path | IO | bytes) -> bytes:
    if isinstance(file, bytes):
        return file
    if isinstance(file, (str, Path)):
        return Path(file).read_bytes()
    data = file.read()
    return data.encode() if isinstance(data, str) else data


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            _("The file is not UTF-8 text (byte %(pos)d).") % {"pos": exc.start}
        ) from exc


def _error(report: ImportReport, line: int, fld: str, message: str) -> None:
    report.errors.append({"line": line, "field": fld, "message": str(message)})


# ISO Open Data -------------------------------------------------------------


def _iso_records(text: str) -> list[tuple[int, Any]]:
    stripped = text.strip()
    if not stripped:
        return []
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise ApplicationError(_("Not valid JSON: %(e)s") % {"e": exc}) from exc
        return list(enumerate(data, start=1))
    if stripped.startswith("{"):
        if "\n{" not in stripped:
            try:
                return [(1, json.loads(stripped))]
            except ValueError:
                pass
        out: list[tuple[int, Any]] = []
        for line, raw in enumerate(text.splitlines(), start=1):
            if raw.strip():
                try:
                    out.append((line, json.loads(raw)))
                except ValueError as exc:
                    out.append((line, ValueError(str(exc))))
        return out
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "reference" not in reader.fieldnames:
        raise ApplicationError(
            _("The ISO CSV file has no 'reference' column."),
            details={"reference": ""},
        )
    return [(reader.line_num, row) for row in reader]


def _title(rec: dict) -> tuple[str, str]:
    title = rec.get("title")
    if isinstance(title, dict):
        return str(title.get("en") or ""), str(title.get("zh") or "")
    return str(title or rec.get("title.en") or ""), ""


def _date(value: Any) -> datetime.date | None:
    text = str(value or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d %B %Y"):
        try:
            parsed = datetime.datetime.strptime(  # noqa: DTZ007 - a calendar date
                text[:10] if fmt == "%Y-%m-%d" else text, fmt
            )
            return parsed.date()
        except ValueError:
            continue
    raise ValueError(text)


def iso_projects_import(
    *, file, actor=None, dry_run: bool = False, file_name: str = ""
) -> ImportReport:
    """Import ISO Open Data deliverables/projects: every row is checked first
    (reference, stage code); one bad row refuses the file."""
    report = ImportReport(dry_run=dry_run)
    records = _iso_records(_text(_read_bytes(file)))
    cleaned: list[dict] = []
    seen: set[str] = set()
    for line, rec in records:
        report.rows += 1
        if isinstance(rec, ValueError) or not isinstance(rec, dict):
            _error(
                report, line, "json", _("line %(n)d is not a JSON record") % {"n": line}
            )
            continue
        reference = str(rec.get("reference") or "").strip()
        if not reference:
            _error(
                report,
                line,
                "reference",
                _("line %(n)d has no reference") % {"n": line},
            )
            continue
        raw_stage = rec.get("currentStage", rec.get("stage"))
        code = stages.normalise(raw_stage)
        if code is None:
            _error(
                report,
                line,
                "currentStage",
                _("line %(n)d: unknown stage code %(code)s")
                % {
                    "n": line,
                    "code": raw_stage if raw_stage not in (None, "") else "''",
                },
            )
            continue
        if reference in seen:
            _error(
                report,
                line,
                "reference",
                _("line %(n)d repeats %(ref)s") % {"n": line, "ref": reference},
            )
            continue
        seen.add(reference)
        try:
            published = _date(rec.get("publicationDate"))
        except ValueError:
            _error(
                report,
                line,
                "publicationDate",
                _("line %(n)d: publicationDate is not a date") % {"n": line},
            )
            continue
        en, zh = _title(rec)
        cleaned.append(
            {
                "line": line,
                "reference": reference,
                "stage": code,
                "title_en": en,
                "title_zh": zh,
                "committee": str(rec.get("ownerCommittee") or "").strip(),
                "published": published,
                "external_id": str(rec.get("id") or ""),
            }
        )
    if report.errors:
        return report
    keys = {}
    for row in cleaned:
        ident = try_parse(row["reference"])
        if ident is not None:
            keys[row["reference"]] = ident.primary.key
    standards = {
        s.ident_key: s
        for s in Standard.objects.filter(ident_key__in=set(keys.values()))
    }
    try:
        with transaction.atomic():
            existing = {
                p.reference: p
                for p in InternationalProject.objects.filter(
                    reference__in=[r["reference"] for r in cleaned]
                )
            }
            for row in cleaned:
                standard = standards.get(keys.get(row["reference"], ""))
                project = existing.get(row["reference"])
                if project is None:
                    body = None
                    if row["committee"]:
                        try:
                            body = services.body_find_or_register(
                                actor=actor, reference=row["committee"]
                            )
                        except ApplicationError:
                            body = None
                    project = services.project_register(
                        actor=actor,
                        reference=row["reference"],
                        stage=row["stage"],
                        title_en=row["title_en"]
                        or (standard.title_en if standard else ""),
                        title_zh=row["title_zh"]
                        or (standard.title_zh if standard else ""),
                        body=body,
                        stage_on=row["published"],
                        standard=standard
                        if row["stage"] >= stages.PUBLISHED_FROM
                        else None,
                        external_id=row["external_id"],
                    )
                    if body is None and row["committee"]:
                        project.committee_text = row["committee"][:80]
                        project.save(update_fields=["committee_text"])
                    report.created += 1
                elif project.stage != row["stage"]:
                    services.project_set_stage(
                        actor=actor,
                        project=project,
                        stage=row["stage"],
                        on=row["published"],
                        standard=standard,
                        reason=_("imported from %(f)s")
                        % {"f": file_name or "ISO Open Data"},
                    )
                    report.updated += 1
                else:
                    report.unchanged += 1
            InternationalEvent.objects.create(
                type=InternationalEvent.Type.IMPORTED,
                actor=actor,
                reason=_("imported from %(f)s") % {"f": file_name or "ISO Open Data"},
                details={"kind": "iso-projects", **report.as_dict()},
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


# WTO TBT / SPS ------------------------------------------------------------

#: Column names of the ePing / TBT IMS exports, normalised (lower case, no
#: punctuation), for each field.
TBT_COLUMNS = {
    "symbol": ("symbol", "document symbol", "notification symbol", "documentsymbol"),
    "member": ("member", "notifying member", "members", "notifyingmember"),
    "date": ("date", "date of distribution", "distribution date", "notification date"),
    "products": ("products", "products covered", "product", "productscovered"),
    "hs": ("hs codes", "hs code", "hs codes covered", "hs", "hs code s"),
    "ics": ("ics", "ics codes", "ics code", "ics code s"),
    "description": (
        "description",
        "title",
        "objective and rationale",
        "notified document",
    ),
    "deadline": (
        "comment deadline",
        "final date for comments",
        "comments deadline",
        "final date for comment",
    ),
}

_SYMBOL = re.compile(r"^G/(TBT|SPS)/N/[A-Z]{2,4}/\d+", re.IGNORECASE)
_CODE_SPLIT = re.compile(r"[;,\s|]+")


def _norm_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def _codes(value: str) -> list[str]:
    return [c for c in _CODE_SPLIT.split(value or "") if c]


def tbt_import(
    *, file, actor=None, dry_run: bool = False, file_name: str = "", match: bool = True
) -> ImportReport:
    """Import WTO TBT/SPS notifications; every row needs its symbol and date
    (of distribution). A notification already known (same symbol) is
    updated. Imported notifications are then matched (``tbt.tbt_match``)."""
    report = ImportReport(dry_run=dry_run)
    text = _text(_read_bytes(file))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise ApplicationError(_("The file is empty."), details={"file": ""})
    index: dict[str, int] = {}
    normalised = [_norm_header(h) for h in header]
    for key, names in TBT_COLUMNS.items():
        for i, h in enumerate(normalised):
            if h in names:
                index[key] = i
                break
    missing = [k for k in ("symbol", "date") if k not in index]
    if missing:
        raise ApplicationError(
            _("The file has no %(cols)s column.") % {"cols": " / ".join(missing)},
            details={missing[0]: ""},
        )
    cleaned: list[dict] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1

        def get(key: str, row=row) -> str:
            i = index.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        symbol = get("symbol")
        if not symbol:
            _error(report, line, "symbol", _("line %(n)d has no symbol") % {"n": line})
            continue
        if not _SYMBOL.match(symbol):
            _error(
                report,
                line,
                "symbol",
                _(
                    "line %(n)d: %(s)s is not a WTO notification symbol (G/TBT/N/... or G/SPS/N/...)"
                )
                % {"n": line, "s": symbol},
            )
            continue
        if symbol in seen:
            _error(
                report,
                line,
                "symbol",
                _("line %(n)d repeats %(s)s") % {"n": line, "s": symbol},
            )
            continue
        seen.add(symbol)
        raw_date = get("date")
        if not raw_date:
            _error(
                report,
                line,
                "date",
                _("line %(n)d (%(s)s) has no date") % {"n": line, "s": symbol},
            )
            continue
        try:
            distributed = _date(raw_date)
            deadline = _date(get("deadline"))
        except ValueError as exc:
            _error(
                report,
                line,
                "date",
                _("line %(n)d: %(v)s is not a date") % {"n": line, "v": exc},
            )
            continue
        cleaned.append(
            {
                "symbol": symbol,
                "kind": _SYMBOL.match(symbol).group(1).upper(),
                "member": get("member")[:120],
                "distributed_on": distributed,
                "products": get("products"),
                "hs_codes": _codes(get("hs")),
                "ics_codes": _codes(get("ics")),
                "description": get("description"),
                "comment_deadline": deadline,
            }
        )
    if report.errors:
        return report
    from qihub.international import tbt

    try:
        with transaction.atomic():
            existing = {
                n.symbol: n
                for n in TbtNotification.objects.filter(symbol__in=list(seen))
            }
            touched = []
            new = []
            for row in cleaned:
                found = existing.get(row["symbol"])
                if found is None:
                    new.append(TbtNotification(**row))
                    report.created += 1
                    continue
                changed = [k for k, v in row.items() if getattr(found, k) != v]
                if changed:
                    for k in changed:
                        setattr(found, k, row[k])
                    found.save()
                    touched.append(found)
                    report.updated += 1
                else:
                    report.unchanged += 1
            created = TbtNotification.objects.bulk_create(new, batch_size=2000)
            InternationalEvent.objects.create(
                type=InternationalEvent.Type.IMPORTED,
                actor=actor,
                reason=_("imported from %(f)s") % {"f": file_name or "TBT export"},
                details={"kind": "tbt", **report.as_dict()},
            )
            if match:
                ids = [n.pk for n in created if n.pk] or list(
                    TbtNotification.objects.filter(
                        symbol__in=[n.symbol for n in new]
                    ).values_list("pk", flat=True)
                )
                tbt.tbt_match(
                    notification_ids=ids + [n.pk for n in touched], actor=actor
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
