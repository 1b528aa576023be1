"""The comment resolution table (意见汇总处理表) in the customary layout of
ISO's commenting template, as XLSX and CSV, with Chinese and English headers."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from qihub.lifecycle.models import Comment, Consultation

#: (Chinese header, English header) in the template's column order.
COLUMNS = [
    ("序号", "No."),
    ("提出单位", "MB/NC / Organisation"),
    ("章条编号", "Clause/Subclause"),
    ("段落/图/表", "Paragraph/Figure/Table"),
    ("意见类型", "Type of comment"),
    ("意见内容", "Comments"),
    ("建议修改", "Proposed change"),
    ("委员会处理意见", "Observations of the committee"),
    ("处理结果", "Decision"),
]

_DECISIONS_ZH = {
    Comment.Resolution.PENDING: "待处理",
    Comment.Resolution.ACCEPTED: "采纳",
    Comment.Resolution.PARTIAL: "部分采纳",
    Comment.Resolution.REJECTED: "不采纳",
}


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Comments come from the public: text that a spreadsheet would run as a
    formula is prefixed with an apostrophe (OWASP CSV injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    return [f"{zh} {en}" for zh, en in COLUMNS]


def rows(consultation: Consultation) -> list[list[str | int]]:
    """One row per comment, in number order."""
    result = []
    for c in consultation.comments.order_by("number"):
        result.append(
            [
                _cell(v)
                for v in (
                    c.number,
                    c.organisation_name or c.commenter,
                    c.clause,
                    c.paragraph,
                    c.type,
                    c.text,
                    c.proposed_change,
                    c.observations,
                    f"{_DECISIONS_ZH[c.resolution]} / "
                    f"{Comment.Resolution(c.resolution).label}",
                )
            ]
        )
    return result


def as_csv(consultation: Consultation) -> bytes:
    """UTF-8 with a byte-order mark so spreadsheet programs read the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows(consultation))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(consultation: Consultation) -> bytes:
    project = consultation.project
    wb = Workbook()
    ws = wb.active
    ws.title = "Comments"
    ws.append([f"{project.code} {project.title_zh or project.title_en}"])
    ws.append(
        [
            _("Consultation %(a)s to %(b)s")
            % {"a": consultation.opens_on, "b": consultation.closes_on}
        ]
    )
    ws.append(headers())
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows(consultation):
        ws.append(row)
    widths = [6, 20, 10, 12, 8, 50, 40, 40, 14]
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
