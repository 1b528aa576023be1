from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from qihub.core import import_jobs, selectors
from qihub.core.errors import ApplicationError, NotFound
from qihub.core.roles import is_staff_member
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


class ImportUploadForm(forms.Form):
    """The upload page's form of every import (the catalogue adds a format)."""

    file = forms.FileField(label=_lazy("File"))
    dry_run = forms.BooleanField(
        label=_lazy("Dry run: check every row, import nothing"), required=False
    )


def import_upload_page(
    request, *, kind: str, template: str, form_class=ImportUploadForm
):
    """An import's upload page (staff only): the form, then the new job's
    page; below, the latest jobs of this kind."""
    if not is_staff_member(request.user):
        raise DjangoPermissionDenied(_("Only institute staff may import files."))
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.import_job_start(
                actor=request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                fmt=form.cleaned_data.get("format", ""),
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(job.get_absolute_url())
    jobs = selectors.import_jobs_recent(actor=request.user, kind=kind)
    return render(request, template, {"form": form, "jobs": jobs})


@login_required
def import_job(request, pk: int):
    """An import job's page: its progress (polled while it runs) and outcome."""
    job = _job_or_404(request, pk)
    return render(request, "core/import_job.html", {"job": job})


@login_required
def import_job_progress(request, pk: int):
    """The job's progress panel (HTMX polls it until the job has finished)."""
    job = _job_or_404(request, pk)
    return render(request, "core/_import_job_progress.html", {"job": job})


def _job_or_404(request, pk: int):
    if not is_staff_member(request.user):
        raise DjangoPermissionDenied(_("Only institute staff may import files."))
    try:
        return selectors.import_job_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
