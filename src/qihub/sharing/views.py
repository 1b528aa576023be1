"""Staff pages of the sharing between instances: each member instance's pull
status, and the conflicts (a shared standard whose identifier is a local
record with other data; the local record is never replaced)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from qihub.core.roles import is_staff_member
from qihub.sharing import selectors


def status(request):
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only institute staff may do this."))
    return render(
        request,
        "sharing/status.html",
        {
            "members": selectors.members_status(),
            "conflicts": selectors.standard_conflicts(),
        },
    )
