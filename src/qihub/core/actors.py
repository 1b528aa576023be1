"""Who acts: one policy for every domain.

An *actor* is either a user (a request's ``request.user`` or the API's
``request.auth``, possibly anonymous) or :data:`SYSTEM` (``None``): the
platform itself acting where a command runs without a user (imports, demo
data, scheduled jobs). The system may do what staff may do, and what it does
is recorded with no user (``recorded(SYSTEM) is None``), the same in every
domain.
"""

from typing import Any

from django.utils.translation import gettext as _

from qihub.core.errors import PermissionDenied
from qihub.core.roles import Role, has_role

# The platform acting on its own; recorded as no user.
SYSTEM = None

Actor = Any  # a user (maybe anonymous) or SYSTEM


def is_system(actor: Actor) -> bool:
    """True for the platform acting without a user."""
    return actor is SYSTEM


def recorded(actor: Actor):
    """The user to record as having acted: None for the system or an
    anonymous visitor."""
    if actor is SYSTEM or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def may_act_as_staff(actor: Actor) -> bool:
    """The system, institute staff and administrators."""
    return is_system(actor) or has_role(actor, Role.STAFF)


def require_staff(actor: Actor, message: str | None = None) -> None:
    """Refuse anyone but the system and institute staff."""
    if not may_act_as_staff(actor):
        raise PermissionDenied(message or _("Only institute staff may do this."))
