"""Importing organisations from a CSV or XLSX file, all or nothing.

Every row is checked first (credit code, region code, kind, e-mail, web
address, duplicates within the file); a file with any wrong row is refused
with a list of ``{"line", "field", "reason"}`` errors and nothing is
written. A clean file is written in one transaction through the services:
a row whose credit code (else normalised name) is already registered
updates that organisation (``organisation_update``; blank cells leave its
fields as they are), any other row registers a new one
(``organisation_create``). A dry run does the same and rolls back.

Columns (header row, English or Chinese names; any order; only a name
column is required): 名称 name_zh, 英文名称 name_en, 统一社会信用代码
credit_code, 类型 kind (the kind's value, or its English or Chinese label),
行政区划代码 region (GB/T 2260), 地址 address, 网站 website, 联系人
contact_name, 电子邮箱 contact_email, 电话 contact_phone, 曾用名
former_names (separated by ";").
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.core.spreadsheets import xlsx_rows
from qihub.organisations import credit_codes, services
from qihub.organisations.models import Organisation, Region
from qihub.organisations.names import name_key

MAX_BYTES = 50 * 1024 * 1024
#: A sheet or CSV file holds at most this many data rows.
MAX_ROWS = 100_000
#: A cell holds at most this many characters.
MAX_CELL = 1_000

#: Column -> the header names accepted for it (compared lower-cased).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name_zh": ("name_zh", "name", "名称", "中文名称", "单位名称", "组织名称"),
    "name_en": ("name_en", "english name", "英文名称"),
    "credit_code": ("credit_code", "统一社会信用代码", "信用代码"),
    "kind": ("kind", "type", "类型", "机构类型", "单位类型"),
    "region": ("region", "region_code", "行政区划代码", "行政区划"),
    "address": ("address", "地址"),
    "website": ("website", "网站", "网址"),
    "contact_name": ("contact_name", "contact", "联系人"),
    "contact_email": ("contact_email", "email", "e-mail", "电子邮箱", "邮箱"),
    "contact_phone": ("contact_phone", "phone", "电话", "联系电话"),
    "former_names": ("former_names", "曾用名"),
}
#: The longest text each column takes (as the model's fields).
LIMITS = {
    "name_zh": 300,
    "name_en": 300,
    "address": 300,
    "website": 200,
    "contact_name": 100,
    "contact_email": 254,
    "contact_phone": 40,
}
#: Other names people write for the kinds, besides their labels.
KIND_SYNONYMS = {
    "企业": Organisation.Kind.ENTERPRISE,
    "公司": Organisation.Kind.ENTERPRISE,
    "科研院所": Organisation.Kind.RESEARCH_INSTITUTE,
    "研究院所": Organisation.Kind.RESEARCH_INSTITUTE,
    "大学": Organisation.Kind.UNIVERSITY,
    "高校": Organisation.Kind.UNIVERSITY,
    "高等院校": Organisation.Kind.UNIVERSITY,
    "军工科研单位": Organisation.Kind.MILITARY_RESEARCH,
    "检验检测机构": Organisation.Kind.TESTING_BODY,
    "校准实验室": Organisation.Kind.CALIBRATION_LAB,
    "认证机构": Organisation.Kind.CERTIFICATION_BODY,
    "政府部门": Organisation.Kind.GOVERNMENT,
    "社会团体": Organisation.Kind.SOCIAL_ORGANISATION,
    "产业联盟": Organisation.Kind.INDUSTRY_ALLIANCE,
    "国际组织": Organisation.Kind.INTERNATIONAL,
}
_LIST_SPLIT = re.compile(r"\s*[;；]\s*")


@dataclass
class ImportReport:
    """What an import did (or would do, in a dry run)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Row:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    former_names: list[str] = field(default_factory=list)


def _refuse(errors: list[dict], total_rows: int) -> ApplicationError:
    return ApplicationError(
        _("The file was not imported: %(n)d error(s) in %(rows)d of %(total)d row(s).")
        % {
            "n": len(errors),
            "rows": len({e["line"] for e in errors}),
            "total": total_rows,
        },
        details={"errors": errors},
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        # A region code typed as a number comes back as 510700.0.
        return str(int(value))
    return str(value)


def _bounded(rows: Iterable[list], *, what: str) -> list[list[str]]:
    """The rows as text, refusing a file over ``MAX_ROWS`` data rows or with
    a cell over ``MAX_CELL`` characters (checked while reading, so a huge
    sheet is not read whole)."""
    out: list[list[str]] = []
    for line, row in enumerate(rows, start=1):
        if line > MAX_ROWS + 1:
            raise ApplicationError(
                _("The %(what)s has more than %(n)d rows; split it.")
                % {"what": what, "n": MAX_ROWS}
            )
        cells = [_cell(v) for v in row]
        for col, text in enumerate(cells, start=1):
            if len(text) > MAX_CELL:
                raise ApplicationError(
                    _(
                        "Line %(line)d, column %(col)d holds more than %(n)d "
                        "characters; is this the right file?"
                    )
                    % {"line": line, "col": col, "n": MAX_CELL}
                )
        out.append(cells)
    return out


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as ``(line number, {column: text})``."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise ApplicationError(_("The file is larger than 50 MB; split it."))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if not zipfile.is_zipfile(path):
            raise ApplicationError(
                _("Cannot read the XLSX file: %(e)s") % {"e": "not a zip file"}
            )
        # The bounded reader: zip limits and the cell limit before parsing.
        raw = _bounded((values for _number, values in xlsx_rows(path)), what=_("sheet"))
    elif suffix in (".csv", ".txt"):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApplicationError(_("The CSV file must be UTF-8 encoded.")) from None
        raw = _bounded(csv.reader(io.StringIO(text)), what=_("file"))
    else:
        raise ApplicationError(_("Import a .csv or .xlsx file."))
    if not raw:
        raise ApplicationError(_("The file is empty."))
    columns: dict[int, str] = {}
    for i, header in enumerate(raw[0]):
        label = header.strip().lower()
        for key, aliases in COLUMNS.items():
            if label in aliases and key not in columns.values():
                columns[i] = key
    if not {"name_zh", "name_en"} & set(columns.values()):
        raise ApplicationError(
            _(
                "The header row has no name column: give 名称 (name_zh) or "
                "英文名称 (name_en)."
            )
        )
    rows = []
    for line, values in enumerate(raw[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(
            (
                line,
                {
                    columns[i]: v.strip()
                    for i, v in enumerate(values)
                    if i in columns and v.strip()
                },
            )
        )
    return rows


def kind_lookup() -> dict[str, str]:
    """Normalised spellings of each kind (value, English and Chinese label,
    common synonyms) -> the kind's value."""
    lookup = {name_key(k): v for k, v in KIND_SYNONYMS.items()}
    for value, label in Organisation.Kind.choices:
        lookup[name_key(value)] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[name_key(str(label))] = value
    return lookup


def _check_row(
    line: int, raw: dict[str, str], *, regions: set[str], kinds: dict[str, str]
) -> tuple[_Row, list[dict]]:
    """One row's values, normalised, and what is wrong with it."""
    errors: list[dict] = []

    def error(column: str, reason: str) -> None:
        errors.append({"line": line, "field": column, "reason": reason})

    row = _Row(line=line)
    values = row.values
    for column, limit in LIMITS.items():
        text = raw.get(column, "")
        if len(text) > limit:
            error(column, _("Longer than %(n)d characters.") % {"n": limit})
        elif text:
            values[column] = text
    if not values.get("name_zh") and not values.get("name_en"):
        error("name_zh", _("Give the organisation's name."))
    if raw.get("kind"):
        kind = kinds.get(name_key(raw["kind"]))
        if kind is None:
            error(
                "kind",
                _("Unknown kind %(kind)r; use one of: %(kinds)s.")
                % {
                    "kind": raw["kind"],
                    "kinds": ", ".join(
                        str(label) for _v, label in Organisation.Kind.choices
                    ),
                },
            )
        else:
            values["kind"] = kind
    if raw.get("credit_code"):
        if values.get("kind") in Organisation.FOREIGN_KINDS:
            error(
                "credit_code",
                _("A foreign or international body has no unified social credit code."),
            )
        try:
            values["credit_code"] = credit_codes.validate(raw["credit_code"])
        except credit_codes.CreditCodeError as exc:
            error("credit_code", str(exc))
    if raw.get("region"):
        code = raw["region"].strip()
        if code in regions:
            values["region"] = code
        else:
            error(
                "region",
                _(
                    "%(code)s is not an administrative-division code of GB/T 2260 "
                    "(six digits, such as 510700 for Mianyang)."
                )
                % {"code": code},
            )
    if values.get("contact_email"):
        try:
            EmailValidator()(values["contact_email"])
        except DjangoValidationError:
            error(
                "contact_email",
                _("%(v)r is not an e-mail address.") % {"v": values["contact_email"]},
            )
    if values.get("website"):
        try:
            URLValidator(schemes=["http", "https"])(values["website"])
        except DjangoValidationError:
            error(
                "website",
                _("%(v)r is not a web address (http:// or https://).")
                % {"v": values["website"]},
            )
    row.former_names = [
        n for n in _LIST_SPLIT.split(raw.get("former_names", "")) if n.strip()
    ]
    return row, errors


def check_rows(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[_Row], list[dict]]:
    """Every row's values and every error, duplicates within the file
    included (same credit code or same normalised name as an earlier line)."""
    regions = set(Region.objects.values_list("code", flat=True))
    kinds = kind_lookup()
    clean: list[_Row] = []
    errors: list[dict] = []
    by_code: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for line, raw in rows:
        row, row_errors = _check_row(line, raw, regions=regions, kinds=kinds)
        code = row.values.get("credit_code")
        if code:
            if code in by_code:
                row_errors.append(
                    {
                        "line": line,
                        "field": "credit_code",
                        "reason": _(
                            "The credit code %(code)s is also on line %(other)d."
                        )
                        % {"code": code, "other": by_code[code]},
                    }
                )
            else:
                by_code[code] = line
        key = name_key(row.values.get("name_zh") or row.values.get("name_en", ""))
        if key:
            column = "name_zh" if row.values.get("name_zh") else "name_en"
            if key in by_name:
                row_errors.append(
                    {
                        "line": line,
                        "field": column,
                        "reason": _(
                            "The same organisation (by its normalised name) is "
                            "also on line %(other)d."
                        )
                        % {"other": by_name[key]},
                    }
                )
            else:
                by_name[key] = line
        errors.extend(row_errors)
        if not row_errors:
            clean.append(row)
    return clean, errors


def _existing(
    rows: list[_Row],
) -> tuple[dict[str, Organisation], dict[str, Organisation]]:
    """The registered organisations the rows may update, by credit code and
    by name key (two queries, in chunks)."""
    codes = [r.values["credit_code"] for r in rows if r.values.get("credit_code")]
    keys = [
        name_key(r.values.get("name_zh") or r.values.get("name_en", "")) for r in rows
    ]
    by_code: dict[str, Organisation] = {}
    by_key: dict[str, Organisation] = {}
    chunk = 500
    for i in range(0, len(codes), chunk):
        for org in services.with_credit_code(codes[i : i + chunk]):
            by_code[org.credit_code] = org
    for i in range(0, len(keys), chunk):
        for org in Organisation.objects.filter(name_key__in=keys[i : i + chunk]):
            by_key[org.name_key] = org
    return by_code, by_key


def _error_field(exc: ApplicationError, default: str) -> str:
    return next(iter(exc.details), default) if exc.details else default


def _write_row(
    row: _Row,
    *,
    actor,
    by_code: dict[str, Organisation],
    by_key: dict[str, Organisation],
    reason: str,
) -> str:
    """Create or update one row's organisation; returns what happened."""
    values = row.values
    key = name_key(values.get("name_zh") or values.get("name_en", ""))
    org = by_code.get(values.get("credit_code", "")) or by_key.get(key)
    if org is None:
        if "kind" not in values:
            raise ApplicationError(
                _("Give the kind of a new organisation."),
                details={"kind": [""]},
            )
        org = services.organisation_create(
            actor=actor, former_names=row.former_names, reason=reason, **values
        )
        by_key[org.name_key] = org
        if org.credit_code:
            by_code[org.credit_code] = org
        return "created"
    current = {
        k: (org.region_id or "") if k == "region" else getattr(org, k) for k in values
    }
    changes = {k: v for k, v in values.items() if current[k] != v}
    former = [n for n in row.former_names if n not in org.former_names]
    if former:
        changes["former_names"] = [*org.former_names, *former]
    if not changes:
        return "unchanged"
    updated = services.organisation_update(
        actor=actor, organisation=org, reason=reason, **changes
    )
    by_key[updated.name_key] = updated
    return "updated"


class _DryRun(Exception):
    """Rolls the dry run's transaction back."""


def organisations_import(
    *,
    actor,
    path: Path,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportReport:
    """Import a file of organisations (staff, or the platform itself with
    ``actor=None``), all or nothing; upsert by credit code, then by name."""
    services.check_staff(actor)
    rows = read_rows(path)
    clean, errors = check_rows(rows)
    if errors:
        raise _refuse(errors, len(rows))
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    reason = _("Imported from %(file)s.") % {"file": Path(path).name}
    progress = progress or (lambda it: it)
    try:
        with transaction.atomic():
            by_code, by_key = _existing(clean)
            for row in progress(clean):
                try:
                    # Each service call is atomic (a savepoint here): a
                    # refused row leaves nothing behind, the others go on
                    # so that every refusal is reported.
                    outcome = _write_row(
                        row, actor=actor, by_code=by_code, by_key=by_key, reason=reason
                    )
                except ApplicationError as exc:
                    errors.append(
                        {
                            "line": row.line,
                            "field": _error_field(exc, "name_zh"),
                            "reason": str(exc.message),
                        }
                    )
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
            if errors:
                raise _refuse(errors, len(rows))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
