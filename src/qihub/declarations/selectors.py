"""Reads for self-declarations: public search, pages and inboxes."""

from __future__ import annotations

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from qihub.declarations.models import (
    Declaration,
    DeclarationEvent,
    DeclarationVersion,
    DeclaredStandard,
    Enterprise,
    ForerunnerEvaluation,
    Notice,
    SpotCheck,
    SpotCheckPlan,
)
from qihub.declarations.search_keys import prefix_range, text_key


def _prefix(field: str, text: str) -> Q:
    """Keys starting with ``text``: a b-tree range on SQLite, LIKE 'x%' on PostgreSQL."""
    bounds = prefix_range(text)
    if bounds is None:
        return Q()
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": bounds[0]})
    return Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


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
        qs = qs.filter(region=region.strip())
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
        qs = qs.filter(current_version__in=_citing_versions(_standard_ids(standard)))
    if q:
        text = q.strip()
        cond = _prefix("product_key", text) | _prefix("enterprise_key", text)
        if len(text) == 18 and text.isalnum():
            cond |= Q(credit_code=text.upper())
        ids = _standard_ids(text) if any(ch.isdigit() for ch in text) else []
        if ids:
            cond |= Q(current_version__in=_citing_versions(ids))
        qs = qs.filter(cond)
    return qs.select_related("enterprise").order_by(*order)


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

    def __init__(self, queryset: QuerySet[Declaration]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = list(self.queryset.values_list("pk", flat=True)[index])
        rows = Declaration.objects.select_related("enterprise").in_bulk(ids)
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
        Declaration.objects.select_related("enterprise", "current_version")
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
        Declaration.objects.filter(enterprise__users=user)
        .select_related("enterprise", "current_version")
        .order_by("-updated_at")
    )


def enterprises_for_user(user) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(users=user).order_by("name")


def notices_for_user(user) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(enterprise__users=user)
        .select_related("enterprise", "declaration")
        .order_by("-created_at", "-id")
    )


def spotcheck_plans(*, published_only: bool = False) -> QuerySet[SpotCheckPlan]:
    qs = SpotCheckPlan.objects.all()
    if published_only:
        qs = qs.filter(status=SpotCheckPlan.Status.PUBLISHED)
    return qs.order_by("-created_at", "-id")


def spotchecks_of(plan: SpotCheckPlan) -> QuerySet[SpotCheck]:
    return plan.checks.select_related(
        "declaration__enterprise", "inspector", "version"
    ).order_by("position")


def forerunner_evaluations(
    *, published_only: bool = False
) -> QuerySet[ForerunnerEvaluation]:
    qs = ForerunnerEvaluation.objects.all()
    if published_only:
        qs = qs.filter(status=ForerunnerEvaluation.Status.PUBLISHED)
    return qs.order_by("-created_at", "-id")


__all__ = ["declaration_search", "text_key"]
