"""The users of an organisation and their roles."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.errors import Conflict
from qihub.organisations.models import (
    Membership,
    Organisation,
    OrganisationEvent,
)
from qihub.organisations.services._common import check_may_manage, event, field_error

# -- users of an organisation -------------------------------------------------


def _role(role: str) -> str:
    if role not in Membership.Role.values:
        raise field_error(
            "role",
            _("Unknown role %(role)r; use member or administrator.") % {"role": role},
        )
    return role


@transaction.atomic
def membership_add(
    *, actor, organisation: Organisation, user, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make a user a member (or administrator) of an organisation."""
    check_may_manage(actor, organisation)
    role = _role(role)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise Conflict(
            _("%(user)s already belongs to %(org)s.")
            % {"user": user.get_username(), "org": organisation.name},
            details={"user": [user.get_username()]},
        )
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role
    )
    event(
        OrganisationEvent.Type.MEMBER_ADDED,
        actor=actor,
        organisation=organisation,
        details={"user": user.get_username(), "role": role},
    )
    return membership


def _check_not_last_administrator(membership: Membership) -> None:
    if membership.role != Membership.Role.ADMINISTRATOR:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(
            organisation=membership.organisation, role=Membership.Role.ADMINISTRATOR
        )
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise field_error(
            "user",
            _(
                "%(user)s is the last administrator of %(org)s: make another "
                "user its administrator first."
            )
            % {
                "user": membership.user.get_username(),
                "org": membership.organisation.name,
            },
        )


@transaction.atomic
def membership_set_role(*, actor, membership: Membership, role: str) -> Membership:
    """Change a user's role in an organisation; the last administrator stays one."""
    check_may_manage(actor, membership.organisation)
    role = _role(role)
    if role == membership.role:
        return membership
    if role != Membership.Role.ADMINISTRATOR:
        _check_not_last_administrator(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    event(
        OrganisationEvent.Type.ROLE_CHANGED,
        actor=actor,
        organisation=membership.organisation,
        details={"user": membership.user.get_username(), "role": [old, role]},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Remove a user from an organisation; the last administrator cannot leave."""
    check_may_manage(actor, membership.organisation)
    _check_not_last_administrator(membership)
    org = membership.organisation
    username = membership.user.get_username()
    membership.delete()
    event(
        OrganisationEvent.Type.MEMBER_REMOVED,
        actor=actor,
        organisation=org,
        details={"user": username},
    )


# -- networks -----------------------------------------------------------------
