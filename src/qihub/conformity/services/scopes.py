"""Accredited scope lines: the CNAS-layout import and the flags when a cited standard is replaced or withdrawn."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.conformity.models import (
    ScopeLine,
)
from qihub.conformity.services._common import (
    actor_recorded,
    check_acts_for,
    field_error,
)
from qihub.core.errors import ApplicationError
from qihub.organisations.models import Organisation
from qihub.requirements import units
from qihub.requirements.parameters import fold

#: Column headers as CNAS publishes them, and English ones, to field names.
SCOPE_HEADERS = {
    "序号": "seq",
    "no": "seq",
    "no.": "seq",
    "seq": "seq",
    "检测对象": "object",
    "检验对象": "object",
    "object": "object",
    "product": "object",
    "项目/参数": "parameter",
    "项目参数": "parameter",
    "parameter": "parameter",
    "参数序号": "parameter_number",
    "parameter number": "parameter_number",
    "参数英文名称": "parameter_en",
    "parameter (english)": "parameter_en",
    "parameter en": "parameter_en",
    "单位": "unit",
    "unit": "unit",
    "检测标准（方法）名称及编号（含年号）": "standard",
    "检测标准(方法)名称及编号(含年号)": "standard",
    "检测标准": "standard",
    "standard": "standard",
    "standard (method)": "standard",
    "条款": "clause",
    "clause": "clause",
    "限制范围": "limitation",
    "limitation": "limitation",
    "limitation/range": "limitation",
    "说明": "remarks",
    "remarks": "remarks",
    "有效期起": "valid_from",
    "valid from": "valid_from",
    "有效期至": "valid_until",
    "valid until": "valid_until",
}
REQUIRED_COLUMNS = ("object", "parameter", "standard")

_IDENT = re.compile(
    r"(?:GB|GB/T|GB/Z|[A-Z]{1,5}/T|[A-Z]{2,6}|ISO|IEC|EN|ASTM|JJF|JJG)"
    r"(?:/[A-Z])?\s*[A-Z]?\s*\d+(?:[.\-]\d+)*(?:\s*[-—–]\s*\d{2,4})?"
)
_CLAUSE = re.compile(
    r"(?:第\s*)?(\d+(?:\.\d+)*)\s*条|(?:clause|cl\.)\s*(\d+(?:\.\d+)*)", re.I
)


def _norm_header(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip()).lower()


def split_standard_cell(text: str) -> tuple[str, str]:
    """The identifier and the clause in a CNAS standard cell
    ("纺织品 甲醛的测定 GB/T 2912.1-2009 第5条")."""
    text = (text or "").strip()
    clause = ""
    m = _CLAUSE.search(text)
    if m:
        clause = m.group(1) or m.group(2) or ""
        text_wo = text[: m.start()] + text[m.end() :]
    else:
        text_wo = text
    ids = _IDENT.findall(text_wo.upper().replace("／", "/"))
    ident = ids[0].strip() if ids else text_wo.strip()
    return ident, clause


def _read_rows(*, data: bytes, filename: str) -> list[list[str]]:
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        from qihub.core.spreadsheets import check_zip

        check_zip(data)
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ApplicationError(_("The file is not a readable XLSX file.")) from exc
        sheet = wb.worksheets[0]
        rows = [
            ["" if c is None else str(c) for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        wb.close()
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ApplicationError(
                _("The file is neither UTF-8 nor GB 18030 text.")
            ) from exc
    return list(csv.reader(io.StringIO(text)))


def _date_cell(value: str, field_name: str, line: int, errors: list) -> Any:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        errors.append(
            {
                "line": line,
                "field": field_name,
                "message": _("%(value)r is not a date (YYYY-MM-DD).")
                % {"value": value},
            }
        )
        return None


@dataclass
class ScopeImportReport:
    """What a scope import did (or would do, in a dry run)."""

    body: Organisation
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    dry_run: bool = False
    errors: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        verb = _("would add") if self.dry_run else _("added")
        return _(
            "%(body)s: %(rows)d rows read, %(verb)s %(created)d scope lines, "
            "%(dup)d already there."
        ) % {
            "body": self.body.name,
            "rows": self.rows,
            "verb": verb,
            "created": self.created,
            "dup": self.duplicates,
        }


@transaction.atomic
def scope_import(
    *,
    actor,
    body: Organisation,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
    progress=None,
) -> ScopeImportReport:
    """Import a body's accredited scope from CSV or XLSX in the CNAS layout,
    all or nothing: one bad row (unknown standard, parameter without a unit,
    bad date) refuses the whole file with every error by line."""
    check_acts_for(actor, body)
    if body.kind not in (
        Organisation.Kind.TESTING_BODY,
        Organisation.Kind.CALIBRATION_LAB,
        Organisation.Kind.CERTIFICATION_BODY,
        Organisation.Kind.INTERNATIONAL,
    ):
        raise field_error(
            "body",
            _("%(org)s is not a testing, inspection or certification body.")
            % {"org": body.name},
        )
    rows = [
        r for r in _read_rows(data=data, filename=filename) if any(c.strip() for c in r)
    ]
    if not rows:
        raise field_error("file", _("The file is empty."))
    header = [SCOPE_HEADERS.get(_norm_header(h), "") for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise field_error(
            "file",
            _(
                "Missing columns: %(cols)s. Use the CNAS headers (序号, 检测对象, "
                "项目/参数, 检测标准（方法）名称及编号（含年号）, 限制范围, 说明) or "
                "English ones (object, parameter, standard, limitation, remarks)."
            )
            % {"cols": ", ".join(missing)},
        )
    from qihub.requirements.models import Parameter
    from qihub.requirements.services import parameter_keys

    records = []
    for offset, raw in enumerate(rows[1:], start=2):
        rec = {
            name: (raw[i].strip() if i < len(raw) else "")
            for i, name in enumerate(header)
            if name
        }
        rec["line"] = offset
        records.append(rec)
    names = []
    for rec in records:
        pname = rec.get("parameter", "")
        m = re.match(r"^\s*(\d+(?:\.\d+)*)\s+(.+)$", pname)
        if m and not rec.get("parameter_number"):
            rec["parameter_number"], pname = m.group(1), m.group(2)
        rec["parameter"] = pname.strip()
        names.append(rec["parameter"])
    keys = parameter_keys(names)
    default_units = dict(
        Parameter.objects.filter(key__in=set(keys.values())).values_list(
            "key", "default_unit"
        )
    )
    report = ScopeImportReport(body=body, rows=len(records), dry_run=dry_run)
    std_cache: dict[str, Standard | None] = {}
    existing = set(
        ScopeLine.objects.filter(body=body).values_list(
            "object_key", "parameter_key", "standard_id", "clause"
        )
    )
    to_create = []
    for n, rec in enumerate(records):
        line = rec["line"]
        errors = report.errors
        if not rec.get("object"):
            errors.append(
                {
                    "line": line,
                    "field": "object",
                    "message": _("Give the object (product category)."),
                }
            )
        if not rec["parameter"]:
            errors.append(
                {
                    "line": line,
                    "field": "parameter",
                    "message": _("Give the parameter."),
                }
            )
            continue
        ident, clause = split_standard_cell(rec.get("standard", ""))
        clause = rec.get("clause") or clause
        if not ident:
            errors.append(
                {"line": line, "field": "standard", "message": _("Give the standard.")}
            )
            continue
        if ident not in std_cache:
            try:
                std_cache[ident] = standard_get_by_identifier(ident)
            except Exception:
                std_cache[ident] = None
        standard = std_cache[ident]
        if standard is None:
            errors.append(
                {
                    "line": line,
                    "field": "standard",
                    "message": _("%(ident)s is not in the standards catalogue.")
                    % {"ident": ident},
                }
            )
            continue
        key = keys.get(rec["parameter"], rec["parameter"])
        unit = rec.get("unit") or default_units.get(key, "")
        if not unit and key in default_units:
            unit = "-"  # a known dimensionless parameter (pH, grade)
        if not unit:
            errors.append(
                {
                    "line": line,
                    "field": "unit",
                    "message": _(
                        "%(parameter)s has no unit: give one in the unit (单位) "
                        "column, or '-' for a qualitative parameter."
                    )
                    % {"parameter": rec["parameter"]},
                }
            )
            continue
        if unit != "-":
            try:
                units.parse_unit(unit)
            except units.UnitError:
                errors.append(
                    {
                        "line": line,
                        "field": "unit",
                        "message": _("%(unit)r is not a unit.") % {"unit": unit},
                    }
                )
                continue
        valid_from = _date_cell(rec.get("valid_from", ""), "valid_from", line, errors)
        valid_until = _date_cell(
            rec.get("valid_until", ""), "valid_until", line, errors
        )
        obj_key = fold(rec.get("object", ""))
        sig = (obj_key, key, standard.pk, clause)
        if sig in existing:
            report.duplicates += 1
            continue
        existing.add(sig)
        zh, en = rec["parameter"], rec.get("parameter_en", "")
        if not re.search(r"[\u4e00-\u9fff]", zh) and not en:
            zh, en = "", zh
        to_create.append(
            ScopeLine(
                body=body,
                body_region=body.region_id or "",
                seq=rec.get("seq", "")[:20],
                object_name=rec.get("object", "")[:200],
                object_key=obj_key[:200],
                parameter_number=rec.get("parameter_number", "")[:20],
                parameter_name_zh=zh[:200],
                parameter_name_en=en[:200],
                parameter_key=key[:200],
                unit=unit[:40],
                standard=standard,
                standard_text=rec.get("standard", "")[:300],
                clause=clause[:60],
                limitation=rec.get("limitation", "")[:300],
                remarks=rec.get("remarks", "")[:300],
                valid_from=valid_from,
                valid_until=valid_until,
                flagged_at=None if standard.is_valid else timezone.now(),
                flag_reason=""
                if standard.is_valid
                else _("%(ident)s is %(status)s.")
                % {
                    "ident": standard.identifier,
                    "status": standard.get_status_display(),
                },
            )
        )
        if progress is not None:
            progress(n + 1)
    if report.errors:
        raise ApplicationError(
            _(
                "The scope file has %(n)d errors; nothing was imported. First: line %(line)d, %(message)s"
            )
            % {"n": len(report.errors), **report.errors[0]},
            details={"rows": report.errors},
        )
    report.created = len(to_create)
    if not dry_run:
        ScopeLine.objects.bulk_create(to_create, batch_size=1000)
        from qihub.organisations.models import OrganisationEvent

        OrganisationEvent.objects.create(
            organisation=body,
            type=OrganisationEvent.Type.IMPORTED,
            actor=actor_recorded(actor),
            reason=_("Accredited scope imported"),
            details={"scope_lines": report.created, "file": filename},
        )
    return report


def scope_lines_flag_for_standard(*, standard: Standard) -> int:
    """Flag (or unflag) the scope lines citing ``standard`` after its status
    changed: replaced or withdrawn editions need the accreditation extended."""
    if standard.status in (Standard.Status.REPLACED, Standard.Status.WITHDRAWN):
        from qihub.declarations.declaration_checks import replacement_for

        repl = replacement_for(standard)
        reason = _("%(ident)s is %(status)s") % {
            "ident": standard.identifier,
            "status": standard.get_status_display(),
        }
        if repl is not None:
            reason += _("; extend the accreditation to %(new)s") % {
                "new": repl.identifier
            }
        return ScopeLine.objects.filter(
            standard=standard, flagged_at__isnull=True
        ).update(flagged_at=timezone.now(), flag_reason=reason[:300])
    if standard.is_valid:
        return ScopeLine.objects.filter(
            standard=standard, flagged_at__isnull=False
        ).update(flagged_at=None, flag_reason="")
    return 0
