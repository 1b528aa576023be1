"""Reads for machine-readable standards."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from qihub.catalog.identifiers import compact_key
from qihub.catalog.models import Standard
from qihub.core.pagination import ascii_int
from qihub.requirements.models import (
    Clause,
    Document,
    Parameter,
    Requirement,
    Term,
)


def requirements_for_standards(
    standard_ids: Iterable[int], *, confirmed_only: bool = True
) -> QuerySet[Requirement]:
    """The requirements of the given standards (confirmed ones by default)."""
    qs = Requirement.objects.filter(standard_id__in=list(standard_ids))
    if confirmed_only:
        qs = qs.filter(status=Requirement.Status.CONFIRMED)
    else:
        qs = qs.exclude(status=Requirement.Status.REJECTED)
    return qs.select_related("parameter", "standard", "clause").order_by(
        "standard_id", "parameter__key", "id"
    )


def requirement_specs(
    standard_ids: Iterable[int], *, confirmed_only: bool = True
) -> list:
    """The requirements of the given standards as engine specs, read as plain
    rows (no model instances: this is on the check API's hot path)."""
    from qihub.requirements.checks import RequirementSpec
    from qihub.requirements.models import decimal_normalised

    qs = Requirement.objects.filter(standard_id__in=list(standard_ids))
    if confirmed_only:
        qs = qs.filter(status=Requirement.Status.CONFIRMED)
    else:
        qs = qs.exclude(status=Requirement.Status.REJECTED)
    rows = qs.order_by("standard_id", "parameter__key", "id").values_list(
        "pk",
        "parameter__key",
        "operator",
        "value",
        "upper",
        "values",
        "unit",
        "conditions",
        "kind",
    )
    return [
        RequirementSpec(
            parameter=key,
            operator=op,
            value=decimal_normalised(value),
            upper=decimal_normalised(upper),
            values=tuple(values or ()),
            unit=unit,
            conditions=dict(conditions or {}),
            kind=kind,
            ref=pk,
        )
        for pk, key, op, value, upper, values, unit, conditions, kind in rows
    ]


def mandatory_requirements(*, subject: str | None = None) -> QuerySet[Requirement]:
    """Confirmed requirements of mandatory catalogue standards valid today,
    optionally only those about one product category (``subject``)."""
    qs = Requirement.objects.filter(
        status=Requirement.Status.CONFIRMED,
        standard__nature=Standard.Nature.MANDATORY,
        standard__status__in=Standard.VALID_STATUSES,
    )
    if subject:
        qs = qs.filter(Q(subject__iexact=subject) | Q(subject=""))
    return qs.select_related("parameter", "standard", "clause").order_by(
        "standard_id", "parameter__key", "id"
    )


def requirement_list(
    *,
    standard: str | int | None = None,
    subject: str | None = None,
    parameter: str | None = None,
    status: str | None = None,
) -> QuerySet[Requirement]:
    """Requirements filtered by standard (id or identifier), product category
    and parameter key; rejected ones only when asked for."""
    qs = Requirement.objects.select_related(
        "parameter", "standard", "clause", "test_method_standard"
    )
    if standard:
        if ascii_int(standard) is not None:
            qs = qs.filter(standard_id=ascii_int(standard))
        else:
            qs = qs.filter(standard__ident_key=compact_key(str(standard)))
    if subject:
        qs = qs.filter(subject__icontains=subject.strip())
    if parameter:
        qs = qs.filter(
            Q(parameter__key=parameter.strip())
            | Q(parameter__name_zh=parameter.strip())
            | Q(parameter__name_en__iexact=parameter.strip())
        )
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Requirement.Status.REJECTED)
    return qs.order_by("standard__identifier", "clause__order", "id")


def documents() -> QuerySet[Document]:
    return (
        Document.objects.select_related("standard")
        .annotate(
            clause_count=Count("clauses", distinct=True),
        )
        .order_by("standard__identifier")
    )


def document_get(pk: int) -> Document:
    return Document.objects.select_related("standard").get(pk=pk)


def document_for_reading(pk: int) -> tuple[Document, list[Clause]]:
    """A document with its clauses in reading order, each with its
    non-rejected requirements prefetched (the requirement markers)."""
    document = document_get(pk)
    clauses = list(
        Clause.objects.filter(document=document)
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=Requirement.objects.exclude(
                    status=Requirement.Status.REJECTED
                ).select_related("parameter"),
            )
        )
        .order_by("order")
    )
    return document, clauses


def terms_for(document: Document) -> QuerySet[Term]:
    return (
        Term.objects.filter(document=document)
        .select_related("clause")
        .order_by("number", "term")
    )


def review_queue(*, standard_id: int | None = None) -> QuerySet[Requirement]:
    """Proposed requirements awaiting staff review."""
    qs = Requirement.objects.filter(status=Requirement.Status.PROPOSED)
    if standard_id:
        qs = qs.filter(standard_id=standard_id)
    return qs.select_related("parameter", "standard", "clause").order_by(
        "standard__identifier", "clause__order", "id"
    )


def standards_with_requirements() -> QuerySet[Standard]:
    """Catalogue standards that hold at least one confirmed requirement."""
    return (
        Standard.objects.filter(requirements__status=Requirement.Status.CONFIRMED)
        .annotate(requirement_count=Count("requirements", distinct=True))
        .order_by("identifier")
    )


def new_parameters() -> QuerySet[Parameter]:
    """Parameters extraction proposed from names outside the vocabulary,
    with how many requirements use each, for staff to map or keep."""
    return (
        Parameter.objects.filter(is_new=True)
        .annotate(requirement_count=Count("requirements"))
        .order_by("-requirement_count", "key")
    )


def known_parameters() -> QuerySet[Parameter]:
    """The vocabulary a new parameter can be mapped onto."""
    return Parameter.objects.filter(is_new=False).order_by("key")
