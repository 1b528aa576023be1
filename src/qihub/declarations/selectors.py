"""Reads for self-declarations: public search, pages and inboxes."""

from __future__ import annotations

from functools import cached_property

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from qihub.declarations.models import (
    Declaration,
    DeclarationEvent,
    DeclarationVersion,
    DeclaredStandard,
    Enterprise,
    ForerunnerEvaluation,
    Inspector,
    Notice,
    SpotCheck,
    SpotCheckPlan,
)
from qihub.declarations.region_names import RegionIndex
from qihub.declarations.search_keys import prefix_range, text_key


def _prefix(field: str, text: str) -> Q:
    """Keys starting with ``text``: a b-tree range on SQLite, LIKE 'x%' on PostgreSQL."""
    bounds = prefix_range(text)
    if bounds is None:
        return Q()
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": bounds[0]})
    return Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def region_filter(text: str, field: str = "region") -> Q:
    """Declarations in the division ``text`` names (a code or a name such as
    深圳 or 广东省), the divisions inside it included: a range on the
    denormalised code, so the (status, region) index serves it. A name that
    several divisions bear matches each; one naming none matches nothing."""
    text = (text or "").strip()
    if not text:
        return Q()
    cond = Q(pk__in=[])
    for code in RegionIndex.cached().candidates(text):
        if code.endswith("0000"):
            prefix = code[:2]
        elif code.endswith("00"):
            prefix = code[:4]
        else:
            cond |= Q(**{field: code})
            continue
        upper = str(int(prefix) + 1).zfill(len(prefix))
        cond |= Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return cond


#: The total of a search is counted exactly up to this many matches beyond
#: the page asked for; past it the total is a lower bound
#: (``SearchResults.total_is_estimate``). Counting the 1M declarations that
#: cite one popular standard took 0.4 s for 200k; people page through the
#: first pages and narrow the search.
COUNT_CAP = 1000
#: A standard cited by at least this many declaration versions (and by one
#: declaration in a hundred) is "popular": the newest declarations are walked
#: and each is tested for the citation (an index lookup), instead of
#: collecting and sorting every citing version first.
POPULAR = 2000


def _standard_ids(identifier: str) -> list[int]:
    from qihub.catalog.identifiers import compact_key
    from qihub.catalog.models import Standard

    compact = compact_key(identifier)
    qs = Standard.objects.filter(Q(ident_key=compact) | Q(base_key=compact))
    return list(qs.values_list("pk", flat=True)[:50])


def declaration_search(
    *,
    q: str = "",
    enterprise: str = "",
    product: str = "",
    standard: str = "",
    region: str = "",
    category: str = "",
    include_withdrawn: bool = False,
) -> QuerySet[Declaration]:
    """Published declarations matching every given criterion.

    ``q`` matches a product or enterprise name prefix, a credit code or a
    standard identifier. Every criterion uses an index (see ``search_keys``).
    A search by product or enterprise name lists in name order, so the
    prefix index yields the first page without sorting every match (a short
    prefix can match hundreds of thousands); otherwise the newest come first.
    """
    statuses = [Declaration.Status.PUBLISHED]
    if include_withdrawn:
        statuses.append(Declaration.Status.WITHDRAWN)
    qs = Declaration.objects.filter(status__in=statuses)
    order: tuple[str, ...] = ("-id",)
    if region:
        qs = qs.filter(region_filter(region))
    if category:
        qs = qs.filter(category=category.strip())
    if enterprise:
        code = enterprise.strip().upper()
        if len(code) == 18 and code.isalnum():
            qs = qs.filter(credit_code=code)
        else:
            qs = qs.filter(_prefix("enterprise_key", enterprise))
            order = ("enterprise_key", "id")
    if product:
        qs = qs.filter(_prefix("product_key", product))
        order = ("product_key", "id")
    if standard:
        qs = qs.filter(_citing(_standard_ids(standard)))
    if q:
        text = q.strip()
        cond = _prefix("product_key", text) | _prefix("enterprise_key", text)
        if len(text) == 18 and text.isalnum():
            cond |= Q(credit_code=text.upper())
        ids = _standard_ids(text) if any(ch.isdigit() for ch in text) else []
        if ids:
            cond |= _citing(ids)
        qs = qs.filter(cond)
    return qs.select_related("enterprise__organisation").order_by(*order)


def _citing(standard_ids: list[int]) -> Q:
    """Declarations whose version in effect cites any of the standards.

    A rarely cited standard: its citing versions are collected first (an
    index range) and the declarations fetched by them. A popular one (cited
    by a third of all declarations, say): collecting and sorting every match
    grows with them, so the newest declarations are walked in id order and
    each is tested by one index lookup; the first page needs a few dozen.
    """
    # Popular: cited by at least POPULAR versions and by one declaration in
    # a hundred. Walking finds a page of a dense match in a few dozen rows,
    # but a rare one (a standard among a thousand) would make the capped
    # count walk most of the table, so those keep the index range.
    newest = Declaration.objects.order_by("-pk").values_list("pk", flat=True).first()
    threshold = max(POPULAR, (newest or 0) // 100)
    popular = (
        len(standard_ids) > 0
        and DeclaredStandard.objects.filter(standard_id__in=standard_ids)
        .order_by()  # the model's ordering would join the versions
        .values("pk")[:threshold]
        .count()
        >= threshold
    )
    if popular:
        return Q(
            Exists(
                DeclaredStandard.objects.filter(
                    version_id=OuterRef("current_version_id"),
                    standard_id__in=standard_ids,
                )
            )
        )
    return Q(current_version__in=_citing_versions(standard_ids))


def _citing_versions(standard_ids: list[int]) -> QuerySet[DeclaredStandard]:
    """The declaration versions citing any of the standards (a covering index scan).

    The outer filter on ``current_version`` keeps only versions in effect.
    """
    return DeclaredStandard.objects.filter(standard_id__in=standard_ids).values(
        "version_id"
    )


class SearchResults:
    """Search results for a paginator, fetched as a "deferred join".

    A page is selected on ids only (an index-only sort), then its rows are
    loaded by primary key, so broad matches never sort whole rows.
    """

    def __init__(
        self,
        queryset: QuerySet[Declaration],
        *,
        page: int | str | None = 1,
        per_page: int = 20,
    ) -> None:
        self.queryset = queryset
        try:
            page_number = max(1, int(page or 1))
        except (TypeError, ValueError):
            page_number = 1
        # Exactly counted up to COUNT_CAP matches past the page asked for.
        self.limit = min(page_number, 100_000) * per_page + COUNT_CAP
        self.total_is_estimate = False

    @cached_property
    def _count(self) -> int:
        found = self.queryset.order_by()[: self.limit + 1].count()
        if found > self.limit:
            self.total_is_estimate = True
            return self.limit
        return found

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = list(self.queryset.values_list("pk", flat=True)[index])
        rows = Declaration.objects.select_related(
            "enterprise__organisation__region"
        ).in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def declaration_detail(pk: int) -> Declaration:
    """One declaration with its versions, citations, indicators and history."""
    versions = DeclarationVersion.objects.prefetch_related(
        Prefetch(
            "standards",
            queryset=DeclaredStandard.objects.select_related("standard", "replacement"),
        ),
        "indicators",
    ).order_by("-number")
    return (
        Declaration.objects.select_related(
            "enterprise__organisation__region", "current_version"
        )
        .prefetch_related(
            Prefetch("versions", queryset=versions),
            Prefetch(
                "events", queryset=DeclarationEvent.objects.select_related("actor")
            ),
        )
        .get(pk=pk)
    )


def declarations_for_user(user) -> QuerySet[Declaration]:
    """Every declaration of the enterprises the user belongs to."""
    return (
        Declaration.objects.filter(enterprise__organisation__memberships__user=user)
        .select_related("enterprise__organisation", "current_version")
        .order_by("-updated_at")
    )


def enterprises_for_user(user) -> QuerySet[Enterprise]:
    """The enterprises of the organisations the user belongs to."""
    if not getattr(user, "is_authenticated", False):
        return Enterprise.objects.none()
    return (
        Enterprise.objects.filter(organisation__memberships__user=user)
        .select_related("organisation__region")
        .order_by("organisation__name_key")
    )


def enterprise_by_reference(
    *, credit_code: str = "", organisation_id: int | None = None
) -> Enterprise | None:
    """The enterprise of a registry organisation id or of a credit code."""
    from qihub.organisations import credit_codes

    qs = Enterprise.objects.select_related("organisation")
    if organisation_id is not None:
        return qs.filter(organisation_id=organisation_id).first()
    code = credit_codes.normalise(credit_code or "")
    if not code:
        return None
    return qs.filter(organisation__credit_code=code).first()


def notices_for_user(user) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(enterprise__organisation__memberships__user=user)
        .select_related("enterprise__organisation", "declaration")
        .order_by("-created_at", "-id")
    )


def spotcheck_plans(*, published_only: bool = False) -> QuerySet[SpotCheckPlan]:
    qs = SpotCheckPlan.objects.all()
    if published_only:
        qs = qs.filter(status=SpotCheckPlan.Status.PUBLISHED)
    return qs.order_by("-created_at", "-id")


def spotchecks_of(plan: SpotCheckPlan) -> QuerySet[SpotCheck]:
    return plan.checks.select_related(
        "declaration__enterprise__organisation", "inspector__organisation", "version"
    ).order_by("position")


def forerunner_evaluations(
    *, published_only: bool = False
) -> QuerySet[ForerunnerEvaluation]:
    qs = ForerunnerEvaluation.objects.all()
    if published_only:
        qs = qs.filter(status=ForerunnerEvaluation.Status.PUBLISHED)
    return qs.order_by("-created_at", "-id")


def inspectors() -> QuerySet[Inspector]:
    return Inspector.objects.select_related("organisation").order_by("name", "pk")


class YearUTC(Func):
    """The UTC year of a stored datetime, computed by the database itself
    (Django's ExtractYear calls back into Python for every row on SQLite: a
    quarter of a second for a network's 10,000 declarations)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):
        return self.as_sqlite(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(substr(%(expressions)s, 1, 4) AS integer)",
        )

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(YEAR FROM %(expressions)s AT TIME ZONE 'UTC') AS integer)",
        )


def organisation_metrics(org_ids) -> list:
    """Profile provider (``organisations.profile``): declarations published
    (in effect, not withdrawn) per year of first publication, and the
    organisations' entries (and leaders) in published forerunner rankings.
    Each declaration and each ranking entry counts once for the whole set.
    Two queries: the published rankings, then the organisations'
    declarations grouped by status and year (the ranked ones by id)."""
    from django.utils.translation import gettext_lazy as _

    from qihub.organisations.profile import Metric

    # Published rankings are few; the declarations they rank are matched to
    # these organisations in the same grouped query that counts the
    # published ones per year (in the configured time zone), so a network
    # whose members hold a million declarations costs two queries.
    rankings = list(
        ForerunnerEvaluation.objects.filter(
            status=ForerunnerEvaluation.Status.PUBLISHED
        ).values_list("published_at", "results")
    )
    ranked = sorted(
        {
            entry["declaration"]
            for _published_at, results in rankings
            for entry in results or []
            if isinstance(entry.get("declaration"), int)
        }
    )
    marker = (
        Case(When(pk__in=ranked, then=F("pk")), default=None) if ranked else Value(None)
    )
    rows = (
        Declaration.objects.filter(enterprise__organisation_id__in=org_ids)
        .annotate(
            year=YearUTC("published_at"),
            ranked_pk=ExpressionWrapper(marker, output_field=IntegerField()),
        )
        .values("status", "year", "ranked_pk")
        .annotate(n=Count("id"))
        .order_by()
    )
    published: dict[int | None, int] = {}
    ids: set[int] = set()
    for row in rows:
        if row["status"] == Declaration.Status.PUBLISHED:
            published[row["year"]] = published.get(row["year"], 0) + row["n"]
        if row["ranked_pk"] is not None:
            ids.add(row["ranked_pk"])
    entries: dict[int | None, int] = {}
    leaders: dict[int | None, int] = {}
    for published_at, results in rankings:
        year = published_at.year if published_at else None
        for entry in results or []:
            if entry.get("declaration") in ids:
                entries[year] = entries.get(year, 0) + 1
                if entry.get("leader"):
                    leaders[year] = leaders.get(year, 0) + 1

    def by_year(counts):
        return dict(sorted(counts.items(), key=lambda kv: kv[0] or 0))

    section = _("Declarations")
    return [
        Metric(
            key="declarations_published",
            label=_("Standard self-declarations published"),
            value=sum(published.values()),
            section=section,
            by_level_year={"declarations": by_year(published)} if published else {},
            level_labels={"declarations": _("Declarations")},
        ),
        Metric(
            key="forerunner_entries",
            label=_("Entries in published forerunner rankings"),
            value=sum(entries.values()),
            section=section,
            by_level_year={"entries": by_year(entries)} if entries else {},
            level_labels={"entries": _("Ranked")},
        ),
        Metric(
            key="forerunner_leaders",
            label=_("Forerunner leaders"),
            value=sum(leaders.values()),
            section=section,
            by_level_year={"leaders": by_year(leaders)} if leaders else {},
            level_labels={"leaders": _("Leaders")},
        ),
    ]


__all__ = ["declaration_search", "organisation_metrics", "text_key"]
