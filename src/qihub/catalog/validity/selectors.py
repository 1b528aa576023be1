"""Reads of saved validity checks."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qihub.catalog.validity.models import ValidityCheck
from qihub.core.errors import NotFound


def _org_ids(user) -> list[int]:
    from qihub.organisations.models import Membership

    return list(
        Membership.objects.filter(user=user).values_list("organisation_id", flat=True)
    )


def can_manage(user, check: ValidityCheck) -> bool:
    """The owner, a member of the owning organisation, or a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or check.owner_user_id == user.pk:
        return True
    return (
        check.owner_organisation_id is not None
        and check.owner_organisation_id in _org_ids(user)
    )


def validity_checks_of(user) -> QuerySet[ValidityCheck]:
    """The checks a user owns and those of the organisations they belong to."""
    if not getattr(user, "is_authenticated", False):
        return ValidityCheck.objects.none()
    return (
        ValidityCheck.objects.filter(
            Q(owner_user=user) | Q(owner_organisation_id__in=_org_ids(user))
        )
        .select_related("owner_user", "owner_organisation")
        .defer("lines", "result")
        .order_by("-updated_at", "-id")
    )


def validity_check_for(user, pk: int) -> ValidityCheck:
    """A check the user may see, or NotFound (also for another's check)."""
    check = (
        ValidityCheck.objects.select_related("owner_user", "owner_organisation")
        .filter(pk=pk)
        .first()
    )
    if check is None or not can_manage(user, check):
        raise NotFound(f"No validity check {pk}.")
    return check


def validity_checks_naming(standard_id: int) -> QuerySet[ValidityCheck]:
    return ValidityCheck.objects.filter(standards__id=standard_id).order_by("id")
