"""Technical committees and their members."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.actors import require_staff
from qihub.core.errors import ApplicationError, Conflict
from qihub.lifecycle.models import Committee, CommitteeMember
from qihub.lifecycle.services._common import (
    check_organisation,
    check_public_input,
    require_manager,
)
from qihub.organisations.models import Organisation


@transaction.atomic
def committee_create(
    *,
    actor,
    code: str,
    name_zh: str = "",
    name_en: str = "",
    level: str = Standard.Level.NATIONAL,
    email: str = "",
    quorum: float | str = "0.5",
    approval_threshold: float | str = "0.75",
    disapproval_max: float | str = "0.25",
) -> Committee:
    """Register a technical committee or working group and its ballot rules
    (fractions between 0 and 1)."""
    if actor is not None:
        require_staff(actor)
    code = code.strip()
    if not code:
        raise ApplicationError(_("A committee needs a code, e.g. SAC/TC 176."))
    from decimal import Decimal, InvalidOperation

    try:
        fractions = [
            Decimal(str(v)) for v in (quorum, approval_threshold, disapproval_max)
        ]
    except InvalidOperation as exc:
        raise ApplicationError(
            _("Ballot rules must be fractions such as 0.75.")
        ) from exc
    if any(f < 0 or f > 1 for f in fractions):
        raise ApplicationError(_("Ballot rules must be fractions between 0 and 1."))
    if level not in Standard.Level.values:
        raise ApplicationError(
            _("Unknown level: %(level)s.") % {"level": level},
            details={"level": "unknown"},
        )
    check_public_input(
        Committee, email=email, code=code, name_zh=name_zh, name_en=name_en
    )
    if Committee.objects.filter(code=code).exists():
        raise Conflict(_("Committee %(code)s exists already.") % {"code": code})
    return Committee.objects.create(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        level=level,
        email=email,
        quorum=fractions[0],
        approval_threshold=fractions[1],
        disapproval_max=fractions[2],
    )


@transaction.atomic
def committee_member_add(
    *,
    committee: Committee,
    user,
    actor,
    role: str = CommitteeMember.Role.MEMBER,
    organisation: Organisation | None = None,
) -> CommitteeMember:
    """Seat ``user`` on ``committee`` (or change their role), representing
    ``organisation`` (a registered organisation, or none recorded)."""
    if actor is not None:
        require_manager(actor, committee)
    if role not in CommitteeMember.Role.values:
        raise ApplicationError(_("Unknown committee role: %(r)s.") % {"r": role})
    organisation = check_organisation("organisation", organisation)
    member, _created = CommitteeMember.objects.update_or_create(
        committee=committee,
        user=user,
        defaults={"role": role, "organisation": organisation},
    )
    return member
