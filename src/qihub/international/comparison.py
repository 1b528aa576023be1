"""Domestic–international comparison of a field, set-wise.

For an ICS field (``67``, ``67.100``) or a CCS product category (``X``,
``X16``): the reference standards valid in it (international ones, or
foreign ones: EN, ASTM, JIS ..., compared the same way), the domestic
standards adopting each (with the degree IDT/MOD/NEQ; an adoption of an
earlier edition counts, flagged), the reference standards with no valid
domestic counterpart, the domestic standards stricter or weaker on the
parameters both regulate (the requirement comparison run on every adoption
pair that has machine-readable requirements on both sides), and the
adoption rate and degrees by year. A handful of set-based queries whatever
the size of the catalogue.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard, StandardRelation
from qihub.core.errors import ApplicationError

REFERENCE_LEVELS = {
    "international": (Standard.Level.INTERNATIONAL,),
    "foreign": (Standard.Level.FOREIGN_REGIONAL, Standard.Level.FOREIGN_NATIONAL),
    "all": (
        Standard.Level.INTERNATIONAL,
        Standard.Level.FOREIGN_REGIONAL,
        Standard.Level.FOREIGN_NATIONAL,
    ),
}
DOMESTIC_LEVELS = (
    Standard.Level.NATIONAL,
    Standard.Level.INDUSTRY,
    Standard.Level.LOCAL,
    Standard.Level.GROUP,
    Standard.Level.ENTERPRISE,
)
DEGREES = ("IDT", "MOD", "NEQ")


@dataclass
class Adoption:
    id: int
    identifier: str
    title: str
    status: str
    degree: str
    year: int | None
    adopted_edition: str
    outdated: bool
    verdict: str = ""
    stricter: int = 0
    weaker: int = 0
    equal: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ReferenceRow:
    id: int
    identifier: str
    title: str
    level: str
    year: int | None
    adoptions: list[Adoption] = field(default_factory=list)

    @property
    def adopted(self) -> bool:
        return bool(self.adoptions)

    @property
    def best_degree(self) -> str:
        for degree in DEGREES:
            if any(a.degree == degree for a in self.adoptions):
                return degree
        return "—" if self.adoptions else ""

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "identifier": self.identifier,
            "title": self.title,
            "level": self.level,
            "year": self.year,
            "degree": self.best_degree,
            "adoptions": [a.as_dict() for a in self.adoptions],
        }


@dataclass
class FieldComparison:
    field: str
    kind: str
    reference: str
    rows: list[ReferenceRow]
    by_year: list[dict]
    degrees: dict[str, int]
    verdicts: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def adopted(self) -> int:
        return sum(1 for r in self.rows if r.adopted)

    @property
    def rate(self) -> float:
        return round(self.adopted / self.total, 4) if self.rows else 0.0

    @property
    def unmatched(self) -> list[ReferenceRow]:
        return [r for r in self.rows if not r.adopted]

    @property
    def compared(self) -> list[tuple[ReferenceRow, Adoption]]:
        return [(r, a) for r in self.rows for a in r.adoptions if a.verdict]

    def summary(self) -> dict:
        return {
            "field": self.field,
            "kind": self.kind,
            "reference": self.reference,
            "international_in_force": self.total,
            "adopted": self.adopted,
            "unmatched": self.total - self.adopted,
            "adoption_rate": self.rate,
            "degrees": self.degrees,
            "verdicts": self.verdicts,
        }


def _field_filter(ics: str, ccs: str) -> tuple[dict, str, str]:
    """The standards filter of the field and its (kind, code)."""
    ics, ccs = (ics or "").strip(), (ccs or "").strip().upper()
    if ics:
        if not ics.replace(".", "").isdigit():
            raise ApplicationError(
                _("%(code)s is not an ICS code (67, 67.100 or 67.100.10).")
                % {"code": ics},
                details={"ics": ics},
            )
        # "67" up to "67/" is 67 and every 67.xxx ('.' sorts just before '/'):
        # an index range on the ICS code, not a LIKE.
        through = Standard.ics.through.objects.filter(
            icscode_id__gte=ics, icscode_id__lt=ics + "/"
        )
        return {"pk__in": through.values("standard_id")}, "ics", ics
    if ccs:
        return {"ccs_id__gte": ccs, "ccs_id__lt": ccs + "~"}, "ccs", ccs
    raise ApplicationError(
        _("Give an ICS field (ics=67) or a product category (ccs=X)."),
        details={"ics": ""},
    )


def _year(issued_on: datetime.date | None, year: int | None) -> int | None:
    return issued_on.year if issued_on else year


def field_comparison(
    *,
    ics: str = "",
    ccs: str = "",
    reference: str = "international",
    compare_requirements: bool = True,
) -> FieldComparison:
    """Compare a field's reference standards with their domestic adoptions."""
    levels = REFERENCE_LEVELS.get(reference)
    if levels is None:
        raise ApplicationError(
            _("reference must be international, foreign or all."),
            details={"reference": reference},
        )
    flt, kind, code = _field_filter(ics, ccs)
    from qihub.core.i18n import localised

    field_refs = Standard.objects.filter(level__in=levels, **flt).exclude(
        status=Standard.Status.DRAFT
    )
    valid = set(Standard.VALID_STATUSES)
    editions: dict[int, tuple] = {}
    current_by_base: dict[str, int] = {}
    rows: dict[int, ReferenceRow] = {}
    for (
        pk,
        ident,
        t_zh,
        t_en,
        lvl,
        year,
        issued,
        status,
        base,
    ) in field_refs.values_list(
        "pk",
        "identifier",
        "title_zh",
        "title_en",
        "level",
        "year",
        "issued_on",
        "status",
        "base_key",
    ).order_by("ident_key"):
        editions[pk] = (ident, base)
        if status in valid:
            prev = current_by_base.get(base)
            if prev is None or (rows[prev].year or 0) < (year or 0):
                current_by_base[base] = pk
            rows[pk] = ReferenceRow(
                pk, ident, localised(t_zh, t_en), lvl, _year(issued, year)
            )
    # Only the newest valid edition of each reference standard is a row.
    keep = set(current_by_base.values())
    rows = {pk: r for pk, r in rows.items() if pk in keep}
    relations = StandardRelation.objects.filter(
        kind=StandardRelation.Kind.ADOPTS,
        target_id__in=field_refs.values("pk"),
        source__level__in=DOMESTIC_LEVELS,
        source__status__in=list(valid),
    ).values_list(
        "target_id",
        "source_id",
        "source__identifier",
        "source__title_zh",
        "source__title_en",
        "source__status",
        "degree",
        "source__issued_on",
        "source__year",
    )
    pairs: list[tuple[int, int, Adoption]] = []
    for target, src, ident, t_zh, t_en, status, degree, issued, year in relations:
        target_ident, base = editions.get(target, ("", ""))
        row_pk = current_by_base.get(base)
        if row_pk is None or row_pk not in rows:
            continue
        adoption = Adoption(
            id=src,
            identifier=ident,
            title=localised(t_zh, t_en),
            status=status,
            degree=degree or "",
            year=_year(issued, year),
            adopted_edition=target_ident,
            outdated=target != row_pk,
        )
        rows[row_pk].adoptions.append(adoption)
        pairs.append((src, target, adoption))
    verdicts: Counter = Counter()
    if compare_requirements and pairs:
        _compare_pairs(pairs, verdicts)
    ordered = sorted(rows.values(), key=lambda r: r.identifier)
    for r in ordered:
        r.adoptions.sort(
            key=lambda a: (
                DEGREES.index(a.degree) if a.degree in DEGREES else 9,
                a.identifier,
            )
        )
    degrees = Counter(r.best_degree for r in ordered if r.adopted)
    return FieldComparison(
        field=code,
        kind=kind,
        reference=reference,
        rows=ordered,
        by_year=_by_year(ordered),
        degrees={d: degrees.get(d, 0) for d in DEGREES},
        verdicts=dict(verdicts),
    )


def _compare_pairs(pairs: list[tuple[int, int, Adoption]], verdicts: Counter) -> None:
    """Run the requirement comparison on every adoption pair whose two sides
    have confirmed requirements: two queries for all of them."""
    from qihub.requirements import checks
    from qihub.requirements.models import Requirement
    from qihub.requirements.selectors import requirement_specs

    ids = {i for src, tgt, _a in pairs for i in (src, tgt)}
    owners = dict(
        Requirement.objects.filter(
            standard_id__in=sorted(ids), status=Requirement.Status.CONFIRMED
        ).values_list("pk", "standard_id")
    )
    if not owners:
        return
    with_reqs = set(owners.values())
    wanted = [(s, t, a) for s, t, a in pairs if s in with_reqs and t in with_reqs]
    if not wanted:
        return
    specs: dict[int, list] = defaultdict(list)
    for spec in requirement_specs(sorted(with_reqs)):
        specs[owners[spec.ref]].append(spec)
    for src, tgt, adoption in wanted:
        rows = checks.compare_requirement_sets(specs[src], specs[tgt])
        counts = Counter(r.verdict for r in rows)
        adoption.stricter = counts.get(checks.STRICTER, 0)
        adoption.weaker = counts.get(checks.WEAKER, 0)
        adoption.equal = counts.get(checks.EQUAL, 0)
        if adoption.weaker and adoption.stricter:
            adoption.verdict = "mixed"
        elif adoption.weaker:
            adoption.verdict = checks.WEAKER
        elif adoption.stricter:
            adoption.verdict = checks.STRICTER
        elif adoption.equal:
            adoption.verdict = checks.EQUAL
        else:
            adoption.verdict = "no_shared_parameter"
        verdicts[adoption.verdict] += 1


def _by_year(rows: list[ReferenceRow]) -> list[dict]:
    """For each year: reference standards (valid today) published by then,
    those adopted by then, the rate, and the best degree adopted by then."""
    years = [r.year for r in rows if r.year] + [
        a.year for r in rows for a in r.adoptions if a.year
    ]
    if not years:
        return []
    this_year = timezone.localdate().year
    start, end = min(years), max(max(years), this_year)
    published_in: Counter = Counter(r.year or start for r in rows)
    first_adoption: dict[int, tuple[int, str]] = {}
    for r in rows:
        for a in r.adoptions:
            # Counted from when both exist: an adoption of an earlier edition
            # counts from the year the edition in force was published.
            y = max(a.year or start, r.year or start)
            best = first_adoption.get(r.id)
            if best is None or y < best[0]:
                first_adoption[r.id] = (y, a.degree)
    adopted_in: dict[int, Counter] = defaultdict(Counter)
    for y, degree in first_adoption.values():
        adopted_in[y][degree or "—"] += 1
    out, published, degrees = [], 0, Counter()
    for y in range(start, end + 1):
        published += published_in.get(y, 0)
        degrees.update(adopted_in.get(y, {}))
        adopted = sum(degrees.values())
        out.append(
            {
                "year": y,
                "published": published,
                "adopted": adopted,
                "rate": round(adopted / published, 4) if published else 0.0,
                **{d: degrees.get(d, 0) for d in DEGREES},
            }
        )
    return out


def comparison_xlsx(comparison: FieldComparison) -> bytes:
    """The comparison as a workbook: summary, standards and adoptions,
    unmatched standards, by year. Text cells through ``safe_cell``."""
    from openpyxl import Workbook

    from qihub.core.spreadsheets import safe_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Summary"))
    for key, value in comparison.summary().items():
        ws.append([safe_cell(str(key)), safe_cell(str(value))])
    ws = wb.create_sheet(_("Adoptions"))
    ws.append(
        [
            _("Reference standard"),
            _("Title"),
            _("Level"),
            _("Year"),
            _("Domestic standard"),
            _("Degree"),
            _("Adopted edition"),
            _("Comparison"),
            _("Stricter"),
            _("Weaker"),
            _("Equal"),
        ]
    )
    for r in comparison.rows:
        for a in r.adoptions or [None]:
            ws.append(
                [
                    safe_cell(r.identifier),
                    safe_cell(r.title),
                    r.level,
                    r.year,
                    safe_cell(a.identifier) if a else "",
                    a.degree if a else "",
                    safe_cell(a.adopted_edition) if a else "",
                    a.verdict if a else "",
                    a.stricter if a else None,
                    a.weaker if a else None,
                    a.equal if a else None,
                ]
            )
    ws = wb.create_sheet(_("Unmatched"))
    ws.append([_("Reference standard"), _("Title"), _("Year")])
    for r in comparison.unmatched:
        ws.append([safe_cell(r.identifier), safe_cell(r.title), r.year])
    ws = wb.create_sheet(_("By year"))
    ws.append([_("Year"), _("Published"), _("Adopted"), _("Rate"), *DEGREES])
    for y in comparison.by_year:
        ws.append(
            [
                y["year"],
                y["published"],
                y["adopted"],
                y["rate"],
                *(y[d] for d in DEGREES),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
