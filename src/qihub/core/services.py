"""Writes for the core domain: the audit log, API tokens and role changes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.audit_context import muted
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.core.models import ApiToken, AuditLog
from qihub.core.roles import Role, has_role


def log(
    *,
    action: str,
    actor=None,
    target: str = "",
    details: dict | None = None,
    request=None,
) -> AuditLog:
    """Record one security-relevant action in the audit log."""
    ip = None
    if request is not None:
        ip = request.META.get("REMOTE_ADDR") or None
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditLog.objects.create(
        action=action,
        actor=actor,
        target=target[:255],
        details=details or {},
        ip_address=ip,
    )


@transaction.atomic
def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """Issue a new API token; the clear key is returned once and never stored."""
    if not user.is_active:
        raise ApplicationError(_("An inactive user cannot hold an API token."))
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8]
    )
    log(
        action=AuditLog.Action.TOKEN_CREATED, actor=user, target=f"token {token.prefix}"
    )
    return token, key


def api_token_authenticate(key: str):
    """Return the active user for a bearer key, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False, user__is_active=True)
        .first()
    )
    return token.user if token else None


@transaction.atomic
def user_set_roles(*, user, roles: list[str], actor) -> None:
    """Replace a user's platform roles. Only administrators may do it."""
    if actor is not None and not has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only an administrator may change roles."))
    valid = set(Role.values)
    unknown = [r for r in roles if r not in valid]
    if unknown:
        raise ApplicationError(
            _("Unknown role(s): %(roles)s.") % {"roles": ", ".join(unknown)}
        )
    groups = [Group.objects.get_or_create(name=r)[0] for r in roles]
    with muted():  # this service writes one entry with the new roles
        user.groups.remove(*Group.objects.filter(name__in=valid))
        user.groups.add(*groups)
    if hasattr(user, "_qihub_group_names"):
        del user._qihub_group_names
    log(
        action=AuditLog.Action.ROLE_CHANGE,
        actor=actor,
        target=f"user {user.username}",
        details={"roles": sorted(roles)},
    )


def password_check(*, password: str, username: str = "", email: str = "") -> None:
    """Run Django's configured password validators; refuse with their messages."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    User = get_user_model()
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as exc:
        raise ApplicationError(
            _("The password is refused: %(why)s") % {"why": " ".join(exc.messages)},
            details={"password": list(exc.messages)},
        ) from exc


@transaction.atomic
def user_create(
    *, username: str, password: str, roles: list[str] = (), email: str = ""
):
    """Create a platform user with the given roles (used by the CLI and demo)."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ApplicationError(_("User %(name)r exists already.") % {"name": username})
    user = User.objects.create_user(username=username, password=password, email=email)
    with muted():  # a new user's flags are part of its creation, not a change
        if Role.ADMINISTRATOR in roles:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        elif Role.STAFF in roles:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    user_set_roles(user=user, roles=list(roles), actor=None)
    return user
