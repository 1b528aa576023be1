"""Consultations and their comments, ballots, patent disclosures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError
from qihub.core.models import AuditLog
from qihub.core.services import log
from qihub.lifecycle import exports, forms, selectors, services
from qihub.lifecycle.access import may_manage
from qihub.lifecycle.clauses import clauses_of_standard, split_clauses
from qihub.lifecycle.models import (
    Ballot,
    Comment,
    Consultation,
    Project,
    Vote,
)
from qihub.lifecycle.views._common import client_ip, form_fail


def consultation_detail(request, pk: int):
    """The public page of a draft for comments: read it, comment per clause."""
    try:
        consultation = selectors.consultation_get(pk)
    except Consultation.DoesNotExist as exc:
        raise Http404 from exc
    project = consultation.project
    clauses = split_clauses(project.draft_text)
    reference_edition = None
    if not clauses and project.replaces_id:
        clauses = clauses_of_standard(project.replaces)
        reference_edition = project.replaces if clauses else None
    form = forms.CommentForm(request.POST or None, clauses=clauses)
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_submit(
                consultation=consultation,
                actor=request.user,
                ip=client_ip(request),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            # A closed consultation shows no form: the message goes above.
            form_fail(request, form if consultation.is_open else None, exc)
        else:
            messages.success(
                request,
                _("Thank you: your comment no. %(n)d was recorded.")
                % {"n": comment.number},
            )
            return redirect(consultation)
    if request.method == "GET" and request.GET.get("clause"):
        form.initial["clause"] = request.GET["clause"]
    return render(
        request,
        "lifecycle/consultation_detail.html",
        {
            "consultation": consultation,
            "project": project,
            "clauses": clauses,
            "reference_edition": reference_edition,
            "form": form,
            "my_comments": selectors.comments_of_user(
                consultation=consultation, user=request.user
            ),
            "may_manage": may_manage(request.user, project.committee),
        },
    )


@login_required
def consultation_resolve(request, pk: int):
    """Committee staff resolve the comments one by one (htmx)."""
    consultation = get_object_or_404(
        Consultation.objects.select_related("project__committee", "project__state"),
        pk=pk,
    )
    if not may_manage(request.user, consultation.project.committee):
        messages.error(request, _("Only committee staff resolve comments."))
        return redirect(consultation)
    comments = selectors.consultation_comments(consultation=consultation)
    return render(
        request,
        "lifecycle/consultation_resolve.html",
        {
            "consultation": consultation,
            "project": consultation.project,
            "rows": [(c, forms.ResolveForm(prefix=f"c{c.pk}")) for c in comments],
        },
    )


@login_required
@require_POST
def comment_resolve(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("consultation"), pk=pk)
    form = forms.ResolveForm(request.POST, prefix=f"c{comment.pk}")
    error = None
    if form.is_valid():
        try:
            comment = services.comment_resolve(
                comment=comment, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _("Choose a decision.")
    if request.htmx:
        return render(
            request,
            "lifecycle/_comment_row.html",
            {"comment": comment, "form": form, "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect("lifecycle:consultation_resolve", pk=comment.consultation_id)


@login_required
def consultation_export(request, pk: int, fmt: str):
    consultation = get_object_or_404(
        Consultation.objects.select_related("project__committee"), pk=pk
    )
    if not may_manage(request.user, consultation.project.committee):
        return HttpResponse(_("Only committee staff export comments."), status=403)
    log(
        action=AuditLog.Action.EXPORT,
        actor=request.user,
        target=f"consultation {consultation.pk} comments ({fmt})",
        request=request,
    )
    name = f"comments-{consultation.project.code}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(consultation), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(
        exports.as_xlsx(consultation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def ballot_detail(request, pk: int):
    try:
        ballot = selectors.ballot_get(pk)
    except Ballot.DoesNotExist as exc:
        raise Http404 from exc
    form = forms.VoteForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                services.ballot_vote(
                    ballot=ballot, actor=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                form_fail(request, form, exc)
            else:
                messages.success(request, _("Your vote was recorded."))
                return redirect(ballot)
    my_vote = None
    if request.user.is_authenticated:
        my_vote = ballot.votes.filter(voter=request.user).first()
    return render(
        request,
        "lifecycle/ballot_detail.html",
        {
            "ballot": ballot,
            "project": ballot.project,
            "votes": ballot.votes.select_related("voter"),
            "form": form,
            "my_vote": my_vote,
            "is_member": request.user.is_authenticated
            and ballot.committee.memberships.filter(user=request.user)
            .exclude(role="observer")
            .exists(),
            "may_manage": may_manage(request.user, ballot.committee),
            "choices": Vote.Choice,
        },
    )


@login_required
@require_POST
def ballot_close(request, pk: int):
    ballot = get_object_or_404(Ballot, pk=pk)
    try:
        ballot = services.ballot_close(
            ballot=ballot, actor=request.user, comment=request.POST.get("comment", "")
        )
        messages.success(
            request,
            _("Ballot closed: %(r)s. %(why)s")
            % {"r": ballot.get_result_display(), "why": ballot.result_reason},
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(ballot)


def patent_new(request):
    """Public patent disclosure for a project (?project=) or standard (?standard=)."""
    project = standard = None
    if request.GET.get("project", "").isdigit():
        project = get_object_or_404(Project, pk=request.GET["project"])
    if request.GET.get("standard", "").isdigit():
        standard = get_object_or_404(Standard, pk=request.GET["standard"])
    if project is None and standard is None:
        raise Http404
    form = forms.PatentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.patent_disclose(
                actor=request.user,
                project=project,
                standard=standard,
                ip=client_ip(request),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            form_fail(request, form, exc)
        else:
            messages.success(
                request, _("Thank you: the patent declaration is published.")
            )
            return redirect(project or standard)
    subject = project or standard
    return render(
        request,
        "lifecycle/form_page.html",
        {
            "form": form,
            "title": _("Declare a patent that may be essential"),
            "subject": subject,
        },
    )
