"""Export catalogue records as CSV, XLSX or JSON in the import column layout.

Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
CR first) gets an apostrophe in CSV and XLSX, XLSX cells are all strings, and
the import takes the apostrophe off again. An export re-imports unchanged: the same columns (``imports.COLUMNS``),
lists joined with semicolons, dates as YYYY-MM-DD, and the relations a
standard has (replaces, adopts with its degree, cites) named by identifier.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from qihub.catalog.importing import COLUMNS
from qihub.catalog.models import Standard, StandardRelation
from qihub.core.spreadsheets import escape_cell

EXPORT_FORMATS = ("csv", "xlsx", "json")
CHUNK = 2000


def _rows(queryset: QuerySet) -> Iterator[dict[str, Any]]:
    """Rows in the import layout, read in chunks with their ICS codes and relations."""
    pks = list(
        queryset.order_by("prefix", "number", "year", "pk").values_list("pk", flat=True)
    )
    through = Standard.ics.through
    for i in range(0, len(pks), CHUNK):
        chunk = pks[i : i + CHUNK]
        standards = Standard.objects.in_bulk(chunk)
        ics: dict[int, list[str]] = defaultdict(list)
        for std_id, code in (
            through.objects.filter(standard_id__in=chunk)
            .order_by("standard_id", "icscode_id")
            .values_list("standard_id", "icscode_id")
        ):
            ics[std_id].append(code)
        rels: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for source_id, kind, degree, target in (
            StandardRelation.objects.filter(source_id__in=chunk)
            .order_by("source_id", "kind", "target__identifier")
            .values_list("source_id", "kind", "degree", "target__identifier")
        ):
            if kind == StandardRelation.Kind.ADOPTS and degree:
                target = f"{target} {degree}"
            column = "replaces" if kind.endswith("replaces") else kind
            rels[source_id][column].append(target)
        for pk in chunk:
            std = standards[pk]
            yield {
                "identifier": std.identifier,
                "title_zh": std.title_zh,
                "title_en": std.title_en,
                "status": std.status,
                "issued_on": std.issued_on.isoformat() if std.issued_on else "",
                "implemented_on": (
                    std.implemented_on.isoformat() if std.implemented_on else ""
                ),
                "withdrawn_on": std.withdrawn_on.isoformat()
                if std.withdrawn_on
                else "",
                "ics": ";".join(ics.get(pk, [])),
                "ccs": std.ccs_id or "",
                "issuing_body": std.issuing_body,
                "committee": std.committee,
                "scope": std.scope,
                "replaces": ";".join(rels[pk]["replaces"]) if pk in rels else "",
                "adopts": ";".join(rels[pk]["adopts"]) if pk in rels else "",
                "cites": ";".join(rels[pk]["cites"]) if pk in rels else "",
                "external_id": std.external_id,
            }


def standards_export(*, queryset: QuerySet, fmt: str, stream: IO) -> int:
    """Write the standards of ``queryset`` to ``stream``; returns how many.

    ``stream`` is a text stream for csv and json, a binary one for xlsx.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use csv, xlsx or json")
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in _rows(queryset):
            writer.writerow({k: escape_cell(v) for k, v in row.items()})
            count += 1
    elif fmt == "json":
        stream.write("[")
        for row in _rows(queryset):
            stream.write(
                ("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False)
            )
            count += 1
        stream.write("\n]\n")
    else:
        from qihub.core.xlsx_stream import xlsx_stream

        def cells() -> Iterator[list]:
            nonlocal count
            yield list(COLUMNS)
            for row in _rows(queryset):
                yield [escape_cell(str(row[c])) for c in COLUMNS]
                count += 1

        for block in xlsx_stream(cells(), sheet="standards"):
            stream.write(block)
    return count
