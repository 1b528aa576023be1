"""What the organisation services share: who may act, field errors, the event."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.organisations.models import (
    Membership,
    Network,
    Organisation,
    OrganisationEvent,
)


def field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, details={field: [message]})


def recorded_actor(actor):
    """The user to record, or None for the platform itself."""
    return actor if actor is not None and actor.is_authenticated else None


def check_staff(actor) -> None:
    """Institute staff (or the platform itself) may register and change parties."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(
            _("Only institute staff may register or change organisations.")
        )


def may_manage(user, organisation: Organisation) -> bool:
    """Staff, and the organisation's own administrators, manage its records."""
    if user is None:
        return True
    if is_staff_member(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.ADMINISTRATOR
    ).exists()


def check_may_manage(actor, organisation: Organisation) -> None:
    if not may_manage(actor, organisation):
        raise PermissionDenied(
            _(
                "Only institute staff and the administrators of %(org)s may "
                "manage its members and records."
            )
            % {"org": organisation.name}
        )


def event(
    type_: str,
    *,
    actor,
    organisation: Organisation | None = None,
    network: Network | None = None,
    reason: str = "",
    details: dict | None = None,
) -> OrganisationEvent:
    return OrganisationEvent.objects.create(
        type=type_,
        actor=recorded_actor(actor),
        organisation=organisation,
        network=network,
        reason=reason,
        details=details or {},
    )


def check_text(field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise field_error(
            field,
            _("%(field)s is longer than %(n)d characters.")
            % {"field": field, "n": limit},
        )
    return value
