"""The annual standardization statistics report: one table per subject,
exported as XLSX (one sheet per table) and as CSV (one block per table).

Every table is computed with a few grouped queries over the whole database
(never one per record). Text cells are written as strings; text that starts
like a formula is escaped (``core.spreadsheets.safe_cell``)."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from qihub.core.spreadsheets import safe_cell


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]


def _choices_label(choices, value):
    return str(dict(choices).get(value, value or ""))


def statistics_tables(year: int) -> list[Table]:
    from qihub.catalog.models import Standard, StandardRelation
    from qihub.declarations.models import Declaration
    from qihub.lifecycle.models import Committee, ResearchProject, ResearchReview
    from qihub.programmes.models import ReportedValue

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    levels, statuses = Standard.Level.choices, Standard.Status.choices
    tables: list[Table] = []

    rows = (
        Standard.objects.values("level", "status")
        .annotate(n=Count("id"))
        .order_by("level", "status")
    )
    tables.append(
        Table(
            "standards_by_level_status",
            _("Standards by level and status"),
            [_("Level"), _("Status"), _("Standards")],
            [
                [
                    _choices_label(levels, r["level"]),
                    _choices_label(statuses, r["status"]),
                    r["n"],
                ]
                for r in rows
            ],
        )
    )
    rows = (
        Standard.objects.filter(issued_on__range=(start, end))
        .values("level")
        .annotate(
            n=Count("id"),
            mandatory=Count("id", filter=Q(nature=Standard.Nature.MANDATORY)),
        )
        .order_by("level")
    )
    tables.append(
        Table(
            "standards_issued",
            _("Standards issued in the year by level"),
            [_("Level"), _("Issued"), _("Mandatory")],
            [
                [_choices_label(levels, r["level"]), r["n"], r["mandatory"]]
                for r in rows
            ],
        )
    )
    through = Standard.ics.through
    rows = (
        through.objects.annotate(field=Substr("icscode_id", 1, 2))
        .values("field")
        .annotate(n=Count("standard_id", distinct=True))
        .order_by("field")
    )
    from qihub.vocab.models import IcsCode

    titles = dict(IcsCode.objects.filter(level=1).values_list("code", "title_zh"))
    tables.append(
        Table(
            "standards_by_ics",
            _("Standards by ICS field"),
            [_("ICS field"), _("Title"), _("Standards")],
            [[r["field"], titles.get(r["field"], ""), r["n"]] for r in rows],
        )
    )
    national = Standard.objects.filter(
        level=Standard.Level.NATIONAL, status__in=Standard.VALID_STATUSES
    ).count()
    adoptions = (
        StandardRelation.objects.filter(
            kind=StandardRelation.Kind.ADOPTS,
            source__level=Standard.Level.NATIONAL,
            source__status__in=Standard.VALID_STATUSES,
        )
        .values("degree")
        .annotate(n=Count("source_id", distinct=True))
        .order_by("degree")
    )
    adopting = sum(r["n"] for r in adoptions)
    adoption_rows = [[r["degree"] or _("not stated"), r["n"]] for r in adoptions]
    adoption_rows.append([_("National standards in force"), national])
    adoption_rows.append(
        [
            _("Adoption rate (%)"),
            f"{100 * adopting / national:.1f}" if national else _("no data"),
        ]
    )
    tables.append(
        Table(
            "international_adoption",
            _("Adoption of international standards (national standards in force)"),
            [_("Degree"), _("Standards")],
            adoption_rows,
        )
    )
    rows = (
        ReportedValue.objects.filter(
            indicator="international_standards_led",
            state=ReportedValue.State.APPROVED,
            period_end__range=(start, end),
        )
        .values(name=F("organisation__name_zh"))
        .annotate(n=Sum("value"))
        .order_by("name")
    )
    tables.append(
        Table(
            "international_participation",
            _("Participation in international standardization (approved reports)"),
            [_("Organisation"), _("International standards led or taken part in")],
            [[r["name"], r["n"]] for r in rows],
        )
    )
    rows = (
        # a range on the timestamp, not ``__date`` (a function per row)
        Declaration.objects.filter(
            published_at__gte=_instant(start),
            published_at__lt=_instant(end + datetime.timedelta(days=1)),
        )
        .annotate(province=Substr("region", 1, 2))
        .values("province")
        .annotate(n=Count("id"))
        .order_by("province")
    )
    tables.append(
        Table(
            "declarations",
            _("Self-declarations published in the year by province"),
            [_("Province code"), _("Declarations")],
            [
                [(r["province"] or "") + ("0000" if r["province"] else ""), r["n"]]
                for r in rows
            ],
        )
    )
    rows = (
        Standard.objects.filter(
            level=Standard.Level.GROUP, issued_on__range=(start, end)
        )
        .values("issuing_body")
        .annotate(n=Count("id"))
        .order_by("-n", "issuing_body")
    )
    tables.append(
        Table(
            "group_standards",
            _("Group standards issued in the year by issuing body"),
            [_("Issuing body"), _("Group standards")],
            [[r["issuing_body"], r["n"]] for r in rows],
        )
    )
    rows = (
        Committee.objects.values("level")
        .annotate(n=Count("id", distinct=True), members=Count("members"))
        .order_by("level")
    )
    tables.append(
        Table(
            "committees",
            _("Technical committees by level"),
            [_("Level"), _("Committees"), _("Members")],
            [[_choices_label(levels, r["level"]), r["n"], r["members"]] for r in rows],
        )
    )
    accepted = set(
        ResearchReview.objects.filter(
            kind=ResearchReview.Kind.ACCEPTANCE,
            outcome__in=[
                ResearchReview.Outcome.PASSED,
                ResearchReview.Outcome.CONDITIONAL,
            ],
            held_on__range=(start, end),
        ).values_list("research_project_id", flat=True)
    )
    rows = (
        ResearchProject.objects.values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    research_rows = [
        [_choices_label(ResearchProject.Status.choices, r["status"]), r["n"]]
        for r in rows
    ]
    research_rows.append([_("Accepted in the year"), len(accepted)])
    tables.append(
        Table(
            "research_projects",
            _("Research projects by status"),
            [_("Status"), _("Projects")],
            research_rows,
        )
    )
    return tables


def _instant(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return safe_cell(str(value))


def to_xlsx(tables: list[Table], year: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for table in tables:
        ws = wb.create_sheet(title=table.key[:31])
        ws.append([safe_cell(f"{table.title} ({year})")])
        ws.append([safe_cell(str(c)) for c in table.columns])
        for row in table.rows:
            ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(tables: list[Table], year: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "year", "column", "values..."])
    for table in tables:
        writer.writerow([table.key, year, *[safe_cell(str(c)) for c in table.columns]])
        for row in table.rows:
            writer.writerow([table.key, year, *[_cell(v) for v in row]])
    return out.getvalue()


def statistics_report(*, year: int, fmt: str = "xlsx") -> bytes:
    """The report for a year as file contents (xlsx or csv)."""
    from qihub.core.errors import ApplicationError

    if fmt not in ("xlsx", "csv"):
        raise ApplicationError(f"format: {fmt!r} is not xlsx or csv.")
    if not 1900 <= year <= 2200:
        raise ApplicationError(f"year: {year} is not a year to report on.")
    tables = statistics_tables(year)
    if fmt == "csv":
        return to_csv(tables, year).encode("utf-8-sig")
    return to_xlsx(tables, year)
