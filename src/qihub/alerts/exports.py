"""Search results as CSV or XLSX, both streamed as the rows are read
(``core.xlsx_stream``: the zip is written as it goes), up to
``EXPORT_MAX`` rows, every text cell through ``safe_cell`` so a spreadsheet
never runs a cell as a formula.

Without a query the filtered catalogue is walked by identifier with a
keyset (``ident_key > last``), a chunk at a time: the first rows go out
before the rest are read. With a query the matches are walked the same way,
in the search's order (``catalog.search_walk``), and the rows read by chunks
of ids as they come.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.spreadsheets import safe_cell

EXPORT_MAX = 100_000
CHUNK = 2000
COLUMNS = (
    "identifier",
    "title_zh",
    "title_en",
    "level",
    "status",
    "issued_on",
    "implemented_on",
    "withdrawn_on",
    "committee",
)


def _filtered(params: dict):
    qs = Standard.objects.all()
    if params.get("level"):
        qs = qs.filter(level=params["level"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("year"):
        qs = qs.filter(year=params["year"])
    if params.get("ics"):
        code = params["ics"].rstrip(".")
        qs = qs.filter(
            Q(ics__code=code) | Q(ics__code__startswith=code + ".")
        ).distinct()
    return qs


def _values(row: tuple) -> list:
    return [
        "" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v)
        for v in row
    ]


def export_rows(params: dict, *, limit: int = EXPORT_MAX) -> Iterator[list]:
    """The export rows (without the header) for the catalogue search ``params``
    (q, level, status, ics, year)."""
    limit = min(limit, EXPORT_MAX)
    q = (params.get("q") or "").strip()
    if q:
        from qihub.catalog.search_walk import results_after

        ids = (
            pk
            for pk, _position in results_after(
                q=q,
                level=params.get("level"),
                status=params.get("status"),
                ics=params.get("ics"),
                year=params.get("year"),
                chunk=CHUNK,
            )
        )
        while chunk := list(itertools.islice(ids, min(CHUNK, limit))):
            limit -= len(chunk)
            rows = {
                r[0]: r[1:]
                for r in Standard.objects.filter(pk__in=chunk).values_list(
                    "pk", *COLUMNS
                )
            }
            for pk in chunk:
                if pk in rows:
                    yield _values(rows[pk])
        return
    qs = _filtered(params)
    last, sent = "", 0
    while sent < limit:
        batch = list(
            qs.filter(ident_key__gt=last)
            .order_by("ident_key")
            .values_list("ident_key", *COLUMNS)[: min(CHUNK, limit - sent)]
        )
        if not batch:
            return
        for row in batch:
            yield _values(row[1:])
        sent += len(batch)
        last = batch[-1][0]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(params: dict, *, limit: int = EXPORT_MAX) -> Iterator[str]:
    """CSV lines, header first (a BOM so spreadsheet programs read UTF-8)."""
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield "\ufeff" + writer.writerow(COLUMNS)
    buffer: list[str] = []
    for row in export_rows(params, limit=limit):
        buffer.append(writer.writerow([safe_cell(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def xlsx_stream(params: dict, *, limit: int = EXPORT_MAX) -> Iterator[bytes]:
    """The rows as one XLSX sheet (header first), every cell an inline
    string, as blocks of bytes made while the rows are read: the first goes
    out before any row is read, and memory holds one block at a time."""
    from qihub.core.xlsx_stream import xlsx_stream as stream

    rows = ([safe_cell(v) for v in row] for row in export_rows(params, limit=limit))
    return stream(itertools.chain([COLUMNS], rows), sheet=_("standards"))
