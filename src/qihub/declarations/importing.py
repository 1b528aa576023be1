"""Bulk import of published declarations (CSV or XLSX) from another system.

All or nothing: every row is validated first and the file is refused with a
list of ``{"line", "field", "reason"}`` errors if any row is wrong; only a
clean file is written, in one transaction.

Columns (header row, English or Chinese names): credit_code 统一社会信用代码,
enterprise 企业名称, region 地区, industry 行业, product 产品名称,
category 产品类别, standards 执行标准 (separated by ";"),
indicators 核心指标 ("formaldehyde <= 20 mg/kg [GB/T 2912.1]" separated by
";"), effective_on 实施日期 (YYYY-MM-DD).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.actors import require_staff
from qihub.core.errors import ApplicationError
from qihub.core.spreadsheets import xlsx_rows
from qihub.declarations import services
from qihub.declarations.models import Declaration
from qihub.declarations.region_names import RegionIndex
from qihub.declarations.search_keys import text_key
from qihub.organisations import credit_codes
from qihub.organisations.models import Region

MAX_BYTES = 50 * 1024 * 1024

COLUMNS = {
    "credit_code": ("credit_code", "统一社会信用代码"),
    "enterprise": ("enterprise", "企业名称"),
    "region": ("region", "地区"),
    "industry": ("industry", "行业"),
    "product": ("product", "产品名称"),
    "category": ("category", "产品类别"),
    "standards": ("standards", "执行标准"),
    "indicators": ("indicators", "核心指标"),
    "effective_on": ("effective_on", "实施日期"),
}
REQUIRED = (
    "credit_code",
    "enterprise",
    "region",
    "industry",
    "product",
    "category",
    "standards",
)

_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_INDICATOR = re.compile(
    r"^(?P<parameter>.+?)\s*(?:(?P<operator><=|>=|≤|≥|<|>|=)\s*(?P<value>"
    + _NUMBER
    + r")"
    r"|(?P<low>" + _NUMBER + r")\s*[~～–]\s*(?P<upper>" + _NUMBER + r"))"
    r"\s*(?P<unit>[^\[\]]*?)\s*(?:\[(?P<method>[^\]]*)\])?\s*$"
)


@dataclass
class ImportReport:
    """What an import did (or would do, in a dry run)."""

    rows: int = 0
    declarations: int = 0
    enterprises_created: int = 0
    flagged: int = 0
    dry_run: bool = False
    errors: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        """The one-line outcome (the command's and the import job's)."""
        verb = _("would import") if self.dry_run else _("imported")
        return _(
            "%(verb)s %(n)d declarations (%(new)d new enterprises, %(flagged)d flagged)"
        ) % {
            "verb": verb,
            "n": self.declarations,
            "new": self.enterprises_created,
            "flagged": self.flagged,
        }


def parse_indicators(text: str) -> list[dict]:
    """``"a <= 1 mg/kg [method]; b >= 2"`` as indicator dicts (ValueError if unreadable)."""
    result = []
    for part in re.split(r"[;；\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        m = _INDICATOR.match(part)
        if not m:
            raise ValueError(
                _(
                    "%(part)r is not 'parameter operator value unit [test method]' "
                    "nor 'parameter low~high unit'."
                )
                % {"part": part}
            )
        result.append(
            {
                "parameter": m["parameter"].strip(),
                "operator": m["operator"] or "range",
                "value": m["value"] or m["low"],
                "upper": m["upper"],
                "unit": m["unit"].strip(),
                "test_method": (m["method"] or "").strip(),
            }
        )
    return result


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """The file's data rows as ``(line number, {column: text})``."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise ApplicationError(_("The file is larger than 50 MB; split it."))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        # The bounded reader: zip limits and the cell limit before parsing,
        # refused naming the row and column (never echoing the cell).
        raw = [
            [
                ""
                if v is None
                else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v))
                for v in values
            ]
            for _number, values in xlsx_rows(path)
        ]
    elif suffix in (".csv", ".txt"):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApplicationError(_("The CSV file must be UTF-8 encoded.")) from None
        raw = list(csv.reader(io.StringIO(text)))
    else:
        raise ApplicationError(_("Import a .csv or .xlsx file."))
    if not raw:
        raise ApplicationError(_("The file is empty."))
    header = [h.strip() for h in raw[0]]
    names = {}
    for i, h in enumerate(header):
        for key, aliases in COLUMNS.items():
            if h.lower() in aliases:
                names[i] = key
    missing = [c for c in REQUIRED if c not in names.values()]
    if missing:
        raise ApplicationError(
            _("The header row lacks the column(s): %(cols)s.")
            % {"cols": ", ".join(missing)}
        )
    rows = []
    for line, values in enumerate(raw[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        rows.append(
            (
                line,
                {names[i]: str(v).strip() for i, v in enumerate(values) if i in names},
            )
        )
    return rows


def _validate(rows: list[tuple[int, dict]]) -> tuple[list[dict], list[dict]]:
    errors: list[dict] = []
    clean: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    regions = RegionIndex.cached()
    for line, row in rows:
        row_errors = []
        for col in REQUIRED:
            if not row.get(col):
                row_errors.append(
                    {"line": line, "field": col, "reason": _("This column is empty.")}
                )
        try:
            code = credit_codes.validate(row.get("credit_code", ""))
        except credit_codes.CreditCodeError as exc:
            row_errors.append(
                {"line": line, "field": "credit_code", "reason": str(exc)}
            )
            code = ""
        try:
            indicators = parse_indicators(row.get("indicators", ""))
            services.indicators_clean(indicators)
        except ValueError as exc:
            row_errors.append({"line": line, "field": "indicators", "reason": str(exc)})
            indicators = []
        except ApplicationError as exc:
            row_errors.append(
                {"line": line, "field": "indicators", "reason": exc.message}
            )
            indicators = []
        region = regions.resolve(row.get("region", ""))
        if row.get("region") and region is None:
            row_errors.append(
                {
                    "line": line,
                    "field": "region",
                    "reason": _(
                        "%(text)s names no single administrative division of "
                        "GB/T 2260; give its name (such as 深圳市) or its code."
                    )
                    % {"text": row["region"]},
                }
            )
        effective = None
        if row.get("effective_on"):
            try:
                effective = datetime.date.fromisoformat(row["effective_on"][:10])
            except ValueError:
                row_errors.append(
                    {
                        "line": line,
                        "field": "effective_on",
                        "reason": _("Write the date as YYYY-MM-DD."),
                    }
                )
        key = (code, text_key(row.get("product", "")))
        if code and key in seen:
            row_errors.append(
                {
                    "line": line,
                    "field": "product",
                    "reason": _("The same enterprise and product appear on line %(l)d.")
                    % {"l": seen[key]},
                }
            )
        seen.setdefault(key, line)
        if row_errors:
            errors.extend(row_errors)
            continue
        clean.append(
            {
                "line": line,
                "credit_code": code,
                "enterprise": row["enterprise"],
                "region": region,
                "industry": row["industry"],
                "product": row["product"],
                "category": row["category"],
                "standards": [
                    s for s in re.split(r"[;；]", row["standards"]) if s.strip()
                ],
                "indicators": indicators,
                "effective_on": effective,
            }
        )
    return clean, errors


def declarations_import(
    *,
    actor,
    path: Path,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportReport:
    """Import a file of declarations for the authority (staff only), all or nothing.

    Each declaration is checked and published as version 1 with its check
    result (a migrated declaration was public in the old system already, so
    a flagged one is published flagged, not held back).
    """
    require_staff(actor)
    rows = read_rows(path)
    clean, errors = _validate(rows)
    report = ImportReport(rows=len(rows), dry_run=dry_run, errors=errors)
    if errors:
        raise ApplicationError(
            _("The file was not imported: %(n)d error(s) in %(rows)d row(s).")
            % {"n": len(errors), "rows": len({e["line"] for e in errors})},
            details={"errors": errors},
        )
    progress = progress or (lambda it: it)
    try:
        with transaction.atomic():
            enterprises: dict[str, object] = {}
            regions = Region.objects.in_bulk({r["region"] for r in clean} - {None})
            for row in progress(clean):
                enterprise = enterprises.get(row["credit_code"])
                if enterprise is None:
                    try:
                        enterprise, created = services.enterprise_for_import(
                            actor=actor,
                            credit_code=row["credit_code"],
                            name=row["enterprise"],
                            region=regions.get(row["region"]),
                            industry=row["industry"],
                        )
                    except ApplicationError as exc:
                        errors.append(
                            {
                                "line": row["line"],
                                "field": "credit_code",
                                "reason": exc.message,
                            }
                        )
                        continue
                    enterprises[row["credit_code"]] = enterprise
                    report.enterprises_created += int(created)
                try:
                    declaration = services.declaration_create(
                        actor=actor,
                        enterprise=enterprise,
                        product_name=row["product"],
                        category=row["category"],
                        standards=row["standards"],
                        indicators=row["indicators"],
                        effective_on=row["effective_on"],
                    )
                except ApplicationError as exc:
                    errors.append(
                        {"line": row["line"], "field": "", "reason": exc.message}
                    )
                    continue
                outcome = services.declaration_publish_imported(
                    actor=actor,
                    declaration=declaration,
                    source={"file": Path(path).name, "line": row["line"]},
                )
                if outcome.status == Declaration.Check.FLAGGED:
                    report.flagged += 1
                report.declarations += 1
            if errors:
                raise ApplicationError(
                    _("The file was not imported: %(n)d error(s).")
                    % {"n": len(errors)},
                    details={"errors": errors},
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


class _DryRun(Exception):
    """Rolls the dry run's transaction back."""
