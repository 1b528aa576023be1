from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.core.services import api_token_create


@login_required
def account(request):
    tokens = request.user.api_tokens.filter(revoked=False).order_by("-created_at")
    roles = sorted(request.user.groups.values_list("name", flat=True))
    return render(request, "core/account.html", {"tokens": tokens, "roles": roles})


@login_required
@require_POST
def token_create(request):
    _token, key = api_token_create(user=request.user, name=request.POST.get("name", ""))
    messages.success(
        request, _("Your new API token (shown once): %(key)s") % {"key": key}
    )
    return redirect("core:account")
