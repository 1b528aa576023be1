from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
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
