"""Writes of saved validity checks."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.validity.check import check_list
from qihub.catalog.validity.models import ValidityCheck, ValidityCheckEvent
from qihub.catalog.validity.selectors import can_manage
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.core.roles import is_staff_member


def _store(check: ValidityCheck) -> dict:
    """Run the check on its lines and keep the answer; returns the old summary."""
    result = check_list(check.lines, on=check.on_date)
    old = check.summary
    check.result = result.as_json()
    check.summary = result.summary
    check.checked_at = timezone.now()
    check.runs += 1
    check.save()
    check.standards.set(sorted(result.standard_ids))
    return old


@transaction.atomic
def validity_check_save(
    *,
    actor,
    name: str,
    lines: list[str],
    on_date: datetime.date | None = None,
    organisation=None,
) -> ValidityCheck:
    """Save a list as a check owned by ``actor`` (or by ``organisation``,
    of which the actor is a member) and run it once."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to save a validity check."))
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            _("Give the check a name."), details={"errors": {"name": "required"}}
        )
    if organisation is not None:
        from qihub.organisations.models import Membership

        if not Membership.objects.filter(
            user=actor, organisation=organisation
        ).exists():
            raise PermissionDenied(
                _("Only members of %(org)s may save checks for it.")
                % {"org": organisation}
            )
    check = ValidityCheck(
        name=name[:200],
        owner_user=None if organisation is not None else actor,
        owner_organisation=organisation,
        created_by=actor,
        on_date=on_date,
        lines=list(lines),
    )
    check.save()
    _store(check)
    ValidityCheckEvent.objects.create(
        check_run=check,
        type=ValidityCheckEvent.Type.CREATED,
        actor=actor,
        details={"summary": check.summary},
    )
    return check


@transaction.atomic
def validity_check_rerun(
    *,
    check: ValidityCheck,
    actor=None,
    reason: str = "",
    standard_id: int | None = None,
) -> ValidityCheck:
    """Run a saved check again against today's catalogue. ``actor`` None is
    the platform (a standard on the list changed: ``standard_id``)."""
    if actor is not None and not (can_manage(actor, check) or is_staff_member(actor)):
        raise PermissionDenied(_("This validity check is not yours."))
    check = ValidityCheck.objects.select_for_update().get(pk=check.pk)
    old = _store(check)
    ValidityCheckEvent.objects.create(
        check_run=check,
        type=(
            ValidityCheckEvent.Type.STANDARD_CHANGED
            if standard_id is not None
            else ValidityCheckEvent.Type.RERUN
        ),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        details={
            "summary": [old, check.summary],
            **({"standard": standard_id} if standard_id is not None else {}),
        },
    )
    return check


def validity_checks_rerun_for_standard(*, standard_id: int) -> int:
    """Re-run every saved check naming the standard; returns how many. Each
    check in its own transaction, so one that fails leaves the others run."""
    from qihub.catalog.validity.selectors import validity_checks_naming

    count = 0
    for check in validity_checks_naming(standard_id):
        try:
            validity_check_rerun(
                check=check,
                reason=_("A standard on the list changed."),
                standard_id=standard_id,
            )
        except ApplicationError:
            continue  # its lines no longer name a standard: nothing to keep
        count += 1
    return count
