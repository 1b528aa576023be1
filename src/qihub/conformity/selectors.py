"""Reads of conformity assessment: who can test this, verification,
recognition, certified products."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.conformity.models import (
    Agreement,
    Application,
    Certificate,
    ReportCitation,
    Scheme,
    ScopeLine,
    TestReport,
    TestRequest,
)
from qihub.core.i18n import localised
from qihub.organisations.models import Designation, Organisation
from qihub.organisations.selectors import region_code_q
from qihub.requirements.parameters import fold

PAGE = 200

RANK_EXACT = 0  # the standard (and clause, when given) asked for
RANK_STANDARD = 1  # the standard, another clause or edition
RANK_PARAMETER = 2  # the same parameter under another standard


@dataclass(frozen=True)
class _Named:
    """A body or standard as a hit shows it."""

    pk: int
    name_zh: str = ""
    name_en: str = ""
    region_id: str | None = None
    identifier: str = ""
    is_valid: bool = True

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


@dataclass(frozen=True)
class CapabilityLine:
    """A scope line as "who can test this" shows it: its columns read as
    values (200 lines built as three models each cost more than the query)."""

    pk: int
    body_id: int
    body: _Named
    standard_id: int
    standard: _Named
    parameter_number: str
    object_name: str
    parameter_name_zh: str
    parameter_name_en: str
    parameter_key: str
    unit: str
    clause: str
    limitation: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    flagged_at: datetime.datetime | None
    flag_reason: str

    @property
    def parameter_name(self) -> str:
        return localised(self.parameter_name_zh, self.parameter_name_en)

    def valid_on(self, day: datetime.date) -> bool:
        return ScopeLine.valid_on(self, day)


@dataclass(frozen=True)
class Capability:
    """One hit of "who can test this": the scope line and what it is worth."""

    line: CapabilityLine
    rank: int
    valid: bool
    accredited: bool
    edition_current: bool


#: What "who can test this" reads of a scope line (``CapabilityLine``'s
#: columns), then of its body and standard.
_LINE_FIELDS = (
    "body_id",
    "parameter_number",
    "object_name",
    "parameter_name_zh",
    "parameter_name_en",
    "parameter_key",
    "unit",
    "standard_id",
    "clause",
    "limitation",
    "valid_from",
    "valid_until",
    "flagged_at",
    "flag_reason",
)
_RELATED_FIELDS = (
    "body__name_zh",
    "body__name_en",
    "body__region_id",
    "standard__identifier",
    "standard__status",
)


def capabilities(
    *,
    product: str = "",
    parameter: str = "",
    standard: str = "",
    clause: str = "",
    region: str = "",
    kind: str = "",
    day: datetime.date | None = None,
    limit: int = PAGE,
) -> list[Capability]:
    """Scope lines that answer "who can test this", ranked: the exact
    standard and clause first, then the same standard (another clause or
    edition), then the same parameter under another standard. Any spelling
    of the standard works; undated means the latest edition."""
    from qihub.requirements.services import parameter_keys

    day = day or timezone.localdate()
    qs = ScopeLine.objects.all()
    std: Standard | None = None
    if standard:
        try:
            std = standard_get_by_identifier(standard)
        except Exception:
            std = None
        if std is None:
            return []
    pkey = ""
    if parameter:
        pkey = parameter_keys([parameter])[parameter]
    if product:
        qs = qs.filter(object_key__contains=fold(product))
    if region:
        # The body's region as copied onto the line, a range of the lines'
        # own (parameter, region, body) index.
        qs = qs.filter(region_code_q(region, field="body_region"))
    if kind:
        qs = qs.filter(body__kind=kind)
    # The editions' ids (one small query) keep the scope-line filter on its
    # own index instead of joining the catalogue for every line.
    editions = (
        list(
            Standard.objects.filter(base_key=std.base_key).values_list("pk", flat=True)
        )
        if std
        else []
    )
    # The ranks, each its own indexed walk in (region, body, id) order, read only
    # as far as the page needs: one ORDER BY over a computed rank sorts
    # every line of the parameter first (100,000 of 5,000,000 for 甲醛).
    parts: list[tuple[int, Q]] = []
    if std is not None:
        same_std = Q(standard_id__in=editions)
        exact = Q(standard_id=std.pk) & (Q(clause=clause) if clause else Q())
        if pkey:
            same_std &= Q(parameter_key=pkey)
            exact &= Q(parameter_key=pkey)
        parts = [(RANK_EXACT, exact), (RANK_STANDARD, same_std & ~exact)]
        if pkey:
            parts.append((RANK_PARAMETER, Q(parameter_key=pkey) & ~same_std))
    else:
        parts = [(RANK_EXACT, Q(parameter_key=pkey) if pkey else Q())]
    lines: list[tuple[int, CapabilityLine]] = []
    for rank, condition in parts:
        if len(lines) >= limit:
            break
        # Only the columns a hit shows, as values (the region by its code).
        rows = (
            qs.filter(condition)
            .order_by("body_region", "body_id", "id")
            .values_list("pk", *_LINE_FIELDS, *_RELATED_FIELDS)[: limit - len(lines)]
        )
        n = len(_LINE_FIELDS)
        for row in rows:
            values = dict(zip(_LINE_FIELDS, row[1 : n + 1], strict=True))
            name_zh, name_en, region_id, identifier, status = row[n + 1 :]
            body = _Named(values["body_id"], name_zh, name_en, region_id)
            std_row = _Named(
                values["standard_id"],
                identifier=identifier,
                is_valid=status in Standard.VALID_STATUSES,
            )
            lines.append(
                (rank, CapabilityLine(pk=row[0], body=body, standard=std_row, **values))
            )
    # Accreditation of the bodies on this page only (one query on a few
    # hundred ids), not a subquery evaluated against every designation.
    accredited_ids = set(
        Designation.objects.filter(
            organisation_id__in={line.body_id for _rank, line in lines},
            kind=Designation.Kind.ACCREDITED_BODY,
            valid_from__lte=day,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day))
        .order_by()
        .values_list("organisation_id", flat=True)
    )
    hits = []
    for rank, line in lines:
        current = line.standard.is_valid and line.flagged_at is None
        accredited = line.body_id in accredited_ids
        hits.append(
            Capability(
                line=line,
                rank=rank,
                valid=line.valid_on(day) and accredited,
                accredited=accredited,
                edition_current=current,
            )
        )
    return hits


def body_scope(body: Organisation) -> QuerySet[ScopeLine]:
    return ScopeLine.objects.filter(body=body).select_related("standard")


def flagged_scope_lines(body: Organisation) -> QuerySet[ScopeLine]:
    """Lines whose standard was replaced or withdrawn: to extend."""
    return body_scope(body).filter(flagged_at__isnull=False)


def bodies() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(
            Q(scope_lines__isnull=False)
            | Q(
                kind__in=[
                    Organisation.Kind.TESTING_BODY,
                    Organisation.Kind.CERTIFICATION_BODY,
                ]
            )
        )
        .distinct()
        .select_related("region")
    )


def request_detail(pk: int) -> TestRequest:
    return (
        TestRequest.objects.select_related("body", "client", "standard", "requester")
        .prefetch_related("events__actor")
        .get(pk=pk)
    )


def requests_for(user) -> QuerySet[TestRequest]:
    """The requests a user sees: as requester, as client member or as body member."""
    qs = TestRequest.objects.select_related("body", "client", "standard")
    from qihub.core.roles import is_staff_member

    if is_staff_member(user):
        return qs
    orgs = list(user.memberships.values_list("organisation_id", flat=True))
    return qs.filter(Q(requester=user) | Q(body_id__in=orgs) | Q(client_id__in=orgs))


def report_detail(pk: int) -> TestReport:
    return (
        TestReport.objects.select_related("body", "client", "request")
        .prefetch_related("results", "standards", "events__actor")
        .get(pk=pk)
    )


def certificate_detail(pk: int) -> Certificate:
    return (
        Certificate.objects.select_related(
            "body", "holder", "scheme", "standard", "replaces"
        )
        .prefetch_related("events__actor")
        .get(pk=pk)
    )


def certificate_by_number(number: str) -> Certificate:
    """A certificate with what its page and API detail show, history included."""
    return (
        Certificate.objects.select_related(
            "body", "holder", "scheme", "standard", "replaces"
        )
        .prefetch_related("events__actor")
        .get(number=number)
    )


def application_detail(pk: int) -> Application:
    """An application with its scheme, parties, evaluation, certificate and
    history (a bounded number of queries)."""
    return (
        Application.objects.select_related(
            "scheme", "body", "applicant", "standard", "test_report"
        )
        .prefetch_related("events__actor", "certificates")
        .get(pk=pk)
    )


def schemes() -> QuerySet[Scheme]:
    """Certification schemes with their standards and owner."""
    return (
        Scheme.objects.select_related("owner")
        .prefetch_related("standards")
        .order_by("code")
    )


def agreements() -> QuerySet[Agreement]:
    """Recognition agreements with the bodies and standards they cover."""
    return Agreement.objects.prefetch_related("bodies", "standards").order_by("name")


def certification_bodies() -> QuerySet[Organisation]:
    """The bodies an applicant can ask for a certificate."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.CERTIFICATION_BODY
    ).order_by("name_key", "pk")


def organisations_of(user) -> QuerySet[Organisation]:
    """The organisations a user is a member of (and may act for)."""
    return (
        Organisation.objects.filter(memberships__user=user)
        .distinct()
        .order_by("name_key", "pk")
    )


def certified_products(*, q: str = "", status: str = "valid") -> QuerySet[Certificate]:
    """The public list of certified products and their holders."""
    qs = Certificate.objects.select_related("holder", "body", "scheme", "standard")
    if status:
        qs = qs.filter(status=status)
        if status == Certificate.Status.VALID:
            qs = qs.filter(valid_until__gte=timezone.localdate())
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    return qs.order_by("-valid_from", "-id")


def _cert_status(cert: Certificate, day: datetime.date) -> str:
    if cert.status == Certificate.Status.VALID and cert.valid_until < day:
        return Certificate.Status.EXPIRED
    return cert.status


#: What a verification answers (compiling a lookup of every column of four
#: joined models, and its default order, cost more than running it).
_VERIFY_CERT_FIELDS = (
    "number",
    "status",
    "valid_from",
    "valid_until",
    "products",
    "models_text",
    "holder__name_zh",
    "holder__name_en",
    "body__name_zh",
    "body__name_en",
    "standard__identifier",
    "scheme__code",
    "scheme__name_zh",
    "scheme__name_en",
)
_VERIFY_REPORT_FIELDS = (
    "number",
    "status",
    "product",
    "issued_on",
    "conclusion",
    "body__name_zh",
    "body__name_en",
)


def verify(numbers: Sequence[Any], *, day: datetime.date | None = None) -> list[dict]:
    """Verify certificates and reports by number: two queries for any number
    of numbers; malformed and unknown numbers are answered one by one."""
    from qihub.conformity.services import number_well_formed

    day = day or timezone.localdate()
    wanted = [n.strip() for n in numbers if number_well_formed(n)]
    certs = {
        c.number: c
        for c in Certificate.objects.filter(number__in=wanted)
        .select_related("holder", "body", "standard", "scheme")
        .only(*_VERIFY_CERT_FIELDS)
        .order_by()
    }
    rest = [n for n in wanted if n not in certs]
    reports = {}
    if rest:
        reports = {
            r.number: r
            for r in TestReport.objects.filter(number__in=rest)
            .exclude(status=TestReport.Status.DRAFT)
            .select_related("body")
            .only(*_VERIFY_REPORT_FIELDS)
            .order_by()
            .prefetch_related(
                Prefetch(
                    "standards",
                    queryset=Standard.objects.only("identifier", "ident_key"),
                )
            )
        }
    out = []
    for raw in numbers:
        if not number_well_formed(raw):
            out.append({"number": str(raw)[:80], "status": "malformed", "type": ""})
            continue
        number = raw.strip()
        cert = certs.get(number)
        if cert is not None:
            out.append(
                {
                    "number": number,
                    "type": "certificate",
                    "status": _cert_status(cert, day),
                    "holder": cert.holder.name,
                    "issuing_body": cert.body.name,
                    "scheme": cert.scheme.name,
                    "scope": {
                        "products": cert.products,
                        "models": cert.models_text,
                        "standard": cert.standard.identifier,
                    },
                    "valid_from": cert.valid_from.isoformat(),
                    "valid_until": cert.valid_until.isoformat(),
                }
            )
            continue
        rep = reports.get(number)
        if rep is not None:
            out.append(
                {
                    "number": number,
                    "type": "test_report",
                    "status": "valid"
                    if rep.status == TestReport.Status.ISSUED
                    else "revoked",
                    "holder": "",
                    "issuing_body": rep.body.name,
                    "scope": {
                        "products": rep.product,
                        "models": "",
                        "standard": ", ".join(
                            s.identifier for s in rep.standards.all()
                        ),
                    },
                    "valid_from": rep.issued_on.isoformat() if rep.issued_on else "",
                    "valid_until": "",
                    "conclusion": rep.conclusion,
                }
            )
            continue
        out.append({"number": number, "status": "unknown", "type": ""})
    return out


def _agreements_on(day: datetime.date) -> QuerySet[Agreement]:
    return Agreement.objects.filter(valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def recognising_agreements(
    *,
    body: Organisation,
    product: str = "",
    standard: Standard | None = None,
    market: str = "",
    day: datetime.date | None = None,
) -> list[Agreement]:
    """Agreements in force that cover a report of ``body`` for ``product``
    under ``standard`` (in ``market``, when given): "recognised here?"."""
    day = day or timezone.localdate()
    found = []
    for ag in _agreements_on(day).filter(bodies=body).prefetch_related("standards"):
        if market and market not in ag.markets:
            continue
        if ag.products and product and not any(p in fold(product) for p in ag.products):
            continue
        stds = list(ag.standards.all())
        if (
            stds
            and standard is not None
            and standard.base_key not in {s.base_key for s in stds}
        ):
            continue
        found.append(ag)
    return found


def report_markets(report: TestReport) -> list[dict]:
    """The markets whose bodies recognise this report ("one test, global pass")."""
    markets: dict[str, list[str]] = {}
    if report.status != TestReport.Status.ISSUED:
        return []
    for std in report.standards.all() or [None]:
        for ag in recognising_agreements(
            body=report.body, product=report.product, standard=std
        ):
            for m in ag.markets:
                markets.setdefault(m, [])
                if ag.name not in markets[m]:
                    markets[m].append(ag.name)
    return [{"market": m, "agreements": names} for m, names in sorted(markets.items())]


def citations_for_declaration(declaration_id: int) -> list[dict]:
    """The reports a declaration cites, with their current state."""
    rows = ReportCitation.objects.filter(declaration_id=declaration_id).select_related(
        "report", "indicator"
    )
    return [
        {
            "number": c.report.number,
            "url": c.report.get_absolute_url(),
            "valid": c.report.status == TestReport.Status.ISSUED,
            "indicator": str(c.indicator) if c.indicator_id else "",
        }
        for c in rows
    ]
