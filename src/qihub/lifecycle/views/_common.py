"""What the lifecycle pages share: the client address, the staff check, a refused form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.core.roles import Role, has_role


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def staff_only(request) -> None:
    """Registry writes (committees, research projects) are for institute
    staff; others get 403 (anonymous visitors are sent to log in first)."""
    if not has_role(request.user, Role.STAFF):
        raise DjangoPermissionDenied(_("Only institute staff may do this."))


def form_fail(request, form, exc: ApplicationError) -> None:
    """Show a refused move as a form error naming the fields it concerns."""
    if form is not None:
        form.add_error(None, exc.message)
    else:
        messages.error(request, exc.message)
