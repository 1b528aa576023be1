"""A check's result as CSV or XLSX: one row per identifier found (a line
with none gets one row with the reason), in the list's original order, the
original line beside the answer. Every cell is text and goes through
``safe_cell``, so a line that starts like a formula (``=``, ``+``, ``-``,
``@``, tab, CR) is never run by a spreadsheet program."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.validity.check import verdict_labels
from qihub.core.spreadsheets import safe_cell

EXPORT_FORMATS = ("csv", "xlsx")


def header() -> list[str]:
    return [
        _("line"),
        _("original text"),
        _("identifier cited"),
        _("found"),
        _("verdict"),
        _("status today"),
        _("status on %(day)s") % {"day": "…"},
        _("current edition"),
        _("replacement chain"),
        _("implementation date of the current edition"),
        _("adopts"),
        _("closest matches"),
        _("message"),
    ]


def rows(result: dict) -> list[list[str]]:
    """The result (``CheckResult.as_json()``) as rows of text, header first."""
    labels = verdict_labels()
    statuses = dict(Standard.Status.choices)
    head = header()
    head[6] = _("status on %(day)s") % {"day": result.get("on", "")}
    out = [head]
    for line in result["lines"]:
        if not line["items"]:
            out.append(
                [
                    str(line["line"]),
                    line["text"],
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    line["error"],
                ]
            )
            continue
        for item in line["items"]:
            current = item.get("current") or {}
            out.append(
                [
                    str(line["line"]),
                    line["text"],
                    item["cited"],
                    _("yes") if item["found"] else _("no"),
                    labels.get(item["verdict"], item["verdict"]),
                    str(statuses.get(item.get("status"), "")),
                    str(statuses.get(item.get("status_on"), "")),
                    current.get("identifier", ""),
                    " → ".join(item.get("chain") or []),
                    item.get("implemented_on") or "",
                    "; ".join(
                        f"{a['identifier']} {a['degree']}".strip()
                        for a in item.get("adopts") or []
                    ),
                    "; ".join(s["identifier"] for s in item.get("suggestions") or []),
                    "",
                ]
            )
    return [[safe_cell(cell) for cell in row] for row in out]


def export_csv(result: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows(result))
    # With a BOM, Excel opens the UTF-8 file with its Chinese text intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(result: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("validity check"))
    for row in rows(result):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # text, whatever it looks like
            cells.append(cell)
        ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
