"""A standard's lifecycle panel, public feedback and periodic reviews."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError
from qihub.core.roles import Role, has_role
from qihub.lifecycle import forms, selectors, services
from qihub.lifecycle.models import (
    Feedback,
)
from qihub.lifecycle.views._common import client_ip, form_fail


def standard_panel(request, pk: int):
    """An htmx fragment for the catalogue's standard page: essential patents,
    projects revising the standard, its periodic reviews and the feedback
    link. Include it with ``hx-get`` on ``hx-trigger="load"``."""
    standard = get_object_or_404(Standard, pk=pk)
    return render(
        request,
        "lifecycle/_standard_panel.html",
        {
            "standard": standard,
            "patents": selectors.patents_for(standard=standard),
            "projects": selectors.project_list().filter(
                Q(replaces=standard) | Q(standard=standard)
            ),
            "reviews": standard.periodic_reviews.all()[:10],
        },
    )


def feedback_new(request):
    """The public feedback/complaint form on a published standard."""
    standard_id = request.GET.get("standard", "")
    if not standard_id.isdigit():
        raise Http404
    standard = get_object_or_404(Standard, pk=standard_id)
    form = forms.FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback = services.feedback_submit(
                standard=standard,
                actor=request.user,
                ip=client_ip(request),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            form_fail(request, form, exc)
        else:
            messages.success(
                request,
                _(
                    "Received. Your tracking number is %(n)s; keep it to follow your case."
                )
                % {"n": feedback.tracking_number},
            )
            return redirect(feedback)
    return render(
        request,
        "lifecycle/form_page.html",
        {
            "form": form,
            "title": _("Feedback or complaint on implementation"),
            "subject": standard,
        },
    )


def feedback_track(request):
    number = request.GET.get("number", "").strip()
    feedback = selectors.feedback_by_tracking_number(number) if number else None
    return render(
        request,
        "lifecycle/feedback_track.html",
        {"number": number, "feedback": feedback},
    )


@login_required
def feedback_list(request):
    if not has_role(request.user, Role.STAFF):
        messages.error(request, _("Only institute staff triage feedback."))
        return redirect("lifecycle:index")
    status = request.GET.get("status") or None
    items = selectors.feedback_queue(status=status)[:200]
    return render(
        request,
        "lifecycle/feedback_list.html",
        {
            "rows": [(f, forms.FeedbackHandleForm(prefix=f"f{f.pk}")) for f in items],
            "statuses": Feedback.Status.choices,
            "status": status,
        },
    )


@login_required
@require_POST
def feedback_handle(request, pk: int):
    feedback = get_object_or_404(Feedback, pk=pk)
    form = forms.FeedbackHandleForm(request.POST, prefix=f"f{pk}")
    if form.is_valid():
        try:
            services.feedback_handle(
                feedback=feedback, actor=request.user, **form.cleaned_data
            )
            messages.success(
                request, _("%(n)s updated.") % {"n": feedback.tracking_number}
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Check the form."))
    return redirect("lifecycle:feedback_list")


@login_required
@require_POST
def periodic_review(request, pk: int):
    standard = get_object_or_404(Standard, pk=pk)
    form = forms.PeriodicReviewForm(request.POST)
    if form.is_valid():
        try:
            review = services.periodic_review_record(
                standard=standard, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Periodic review of %(id)s recorded: %(o)s.")
                % {"id": standard.identifier, "o": review.get_outcome_display()},
            )
            if review.revision_project:
                return redirect(review.revision_project)
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("lifecycle:index")
