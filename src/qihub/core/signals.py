from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from qihub.core.models import AuditLog


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    from qihub.core.services import log

    log(
        action=AuditLog.Action.LOGIN, actor=user, target=f"user {user}", request=request
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    from qihub.core.services import log

    log(
        action=AuditLog.Action.LOGOUT,
        actor=user,
        target=f"user {user}",
        request=request,
    )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    from qihub.core.services import log

    log(
        action=AuditLog.Action.LOGIN_FAILED,
        target=f"user {credentials.get('username', '')}",
        request=request,
    )


# Staff/superuser flags and role groups: recorded however they change (admin,
# shell, services), with before and after.

_FLAGS = ("is_staff", "is_superuser")


def _audit_role_change(user, details: dict) -> None:
    from qihub.core.audit_context import current_request, is_muted
    from qihub.core.services import log

    if is_muted():
        return
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    log(
        action=AuditLog.Action.ROLE_CHANGE,
        actor=actor,
        target=f"user {user.username}",
        details=details,
        request=request,
    )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _user_flags_before(sender, instance, **kwargs):
    before = None
    if instance.pk:
        before = sender.objects.filter(pk=instance.pk).values(*_FLAGS).first()
    instance._qihub_flags_before = before


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_flags_after(sender, instance, created, **kwargs):
    before = getattr(instance, "_qihub_flags_before", None)
    if created or before is None:
        return
    changed = {
        flag: {"before": before[flag], "after": getattr(instance, flag)}
        for flag in _FLAGS
        if before[flag] != getattr(instance, flag)
    }
    if changed:
        _audit_role_change(instance, changed)


def _group_names(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


@receiver(m2m_changed, sender=get_user_model().groups.through)
def _user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:  # group.user_set changed: one entry per user
        if action.startswith("pre_"):
            users = (
                instance.user_set.all()
                if action == "pre_clear"
                else get_user_model().objects.filter(pk__in=pk_set or ())
            )
            instance._qihub_users_before = {u.pk: (u, _group_names(u)) for u in users}
            return
        for user, before in getattr(instance, "_qihub_users_before", {}).values():
            after = _group_names(user)
            if before != after:
                _audit_role_change(user, {"groups": {"before": before, "after": after}})
        return
    if action.startswith("pre_"):
        instance._qihub_groups_before = _group_names(instance)
        return
    before = getattr(instance, "_qihub_groups_before", None)
    after = _group_names(instance)
    if before is not None and before != after:
        _audit_role_change(instance, {"groups": {"before": before, "after": after}})
