"""The platform's roles, carried by Django auth groups.

A public visitor is anyone not logged in. Enterprise users manage their own
enterprise's declarations; institute staff run the catalogue, projects and
registries; reviewers vote and review; administrators do everything.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise user")
    STAFF = "staff", _("Institute staff")
    REVIEWER = "reviewer", _("Reviewer")
    ADMINISTRATOR = "administrator", _("Administrator")


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of ``roles``; administrators hold all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = _group_names(user)
    if Role.ADMINISTRATOR in names:
        return True
    return any(str(role) in names for role in roles)


def is_staff_member(user) -> bool:
    """Institute staff or administrator: may edit the catalogue and registries."""
    return has_role(user, Role.STAFF)


def _group_names(user) -> set[str]:
    cached = getattr(user, "_qihub_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._qihub_group_names = cached
    return cached
