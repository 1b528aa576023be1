"""What the declaration services share: who may manage an enterprise, the event."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from qihub.core.actors import may_act_as_staff, recorded
from qihub.core.errors import PermissionDenied
from qihub.core.roles import Role, has_role
from qihub.declarations.models import (
    DeclarationEvent,
    Enterprise,
)
from qihub.organisations.models import Membership

# --- permissions ---------------------------------------------------------------


def can_manage(user, enterprise: Enterprise) -> bool:
    """Staff manage every enterprise; a user of the enterprise's organisation
    (member or administrator) manages its declarations."""
    if user is None or not user.is_authenticated:
        return False
    if has_role(user, Role.STAFF):
        return True
    return Membership.objects.filter(
        user=user, organisation_id=enterprise.organisation_id
    ).exists()


def check_manage(actor, enterprise: Enterprise) -> None:
    if not (may_act_as_staff(actor) or can_manage(actor, enterprise)):
        raise PermissionDenied(
            _(
                "Only the enterprise's own users or institute staff may manage its declarations."
            )
        )


def event(
    declaration, type_, *, actor, version=None, reason="", details=None
) -> DeclarationEvent:
    return DeclarationEvent.objects.create(
        declaration=declaration,
        version=version,
        type=type_,
        actor=recorded(actor),
        reason=reason,
        details=json.loads(json.dumps(details or {}, default=str)),
    )
