"""Pages of the standard lifecycle: dashboard, projects, consultations,
ballots, patents, research projects, periodic reviews and feedback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError
from qihub.core.models import AuditLog
from qihub.core.roles import Role, has_role
from qihub.core.services import log
from qihub.lifecycle import exports, forms, selectors, services
from qihub.lifecycle.access import may_manage
from qihub.lifecycle.clauses import clauses_of_standard, split_clauses
from qihub.lifecycle.models import (
    Ballot,
    Comment,
    Committee,
    Consultation,
    Feedback,
    PatentDisclosure,
    Project,
    ResearchProject,
    State,
    Vote,
)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _staff_only(request) -> None:
    """Registry writes (committees, research projects) are for institute
    staff; others get 403 (anonymous visitors are sent to log in first)."""
    if not has_role(request.user, Role.STAFF):
        raise DjangoPermissionDenied(_("Only institute staff may do this."))


def _fail(request, form, exc: ApplicationError) -> None:
    """Show a refused move as a form error naming the fields it concerns."""
    if form is not None:
        form.add_error(None, exc.message)
    else:
        messages.error(request, exc.message)


def index(request):
    """The dashboard: my projects, overdue projects, consultations closing,
    periodic reviews due."""
    today = timezone.localdate()
    context = {
        "overdue": selectors.projects_overdue(today=today)[:50],
        "consultations": selectors.consultations_open(today=today)[:50],
        "reviews": selectors.periodic_reviews_due(today=today),
        "today": today,
        "states": State.objects.all(),
        "is_staff": has_role(request.user, Role.STAFF),
    }
    if request.user.is_authenticated:
        context["mine"] = selectors.project_list(user=request.user)[:50]
        context["to_vote"] = selectors.ballots_awaiting_vote(user=request.user)[:50]
    return render(request, "lifecycle/index.html", context)


def project_list(request):
    state = request.GET.get("state") or None
    q = request.GET.get("q", "").strip() or None
    page = Paginator(selectors.project_list(state=state, q=q), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "lifecycle/project_list.html",
        {"page": page, "states": State.objects.all(), "state": state, "q": q or ""},
    )


@login_required
def project_create(request):
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _fail(request, form, exc)
        else:
            messages.success(
                request, _("Project %(c)s proposed.") % {"c": project.code}
            )
            return redirect(project)
    return render(
        request,
        "lifecycle/form_page.html",
        {"form": form, "title": _("Propose a standard project"), "multipart": False},
    )


@login_required
def project_edit(request, pk: int):
    """Edit the project plan (staff, committee officers, or the proposer
    while it is a proposal); the service decides and records the edit."""
    project = get_object_or_404(Project.objects.select_related("state"), pk=pk)
    fields = [
        "title_zh",
        "title_en",
        "level",
        "identifier",
        "committee",
        "ics",
        "scope",
        "proposer_organisation",
        "drafters",
        "planned_consultation_on",
        "planned_submission_on",
        "due_on",
        "implementation_months",
    ]
    initial = {name: getattr(project, name) for name in fields}
    form = forms.ProjectForm(
        request.POST or None,
        initial=initial,
        drafting_units=project.drafting_organisations(),
    )
    for name in ("kind", "replaces", "research_projects"):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name not in form.drafting_slots
        }
        if form.drafting_units_changed():
            changed["drafting_units"] = form.cleaned_data["drafting_units"]
        try:
            services.project_update(
                project=project,
                actor=request.user,
                comment=request.POST.get("edit_comment", ""),
                **changed,
            )
        except ApplicationError as exc:
            _fail(request, form, exc)
        else:
            messages.success(request, _("Project plan saved."))
            return redirect(project)
    return render(
        request,
        "lifecycle/form_page.html",
        {"form": form, "title": _("Edit project plan"), "subject": project},
    )


def project_detail(request, pk: int):
    try:
        project = selectors.project_get(pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    consultations = list(project.consultations.all())
    patents = list(selectors.patents_for(project=project))
    if has_role(request.user, Role.STAFF):
        for patent in patents:
            patent.holder_form = forms.PatentHolderForm(
                prefix=f"patent-{patent.pk}",
                initial={"holder_organisation": patent.holder_organisation},
            )
    context = {
        "project": project,
        "events": selectors.project_timeline(project=project),
        "transitions": selectors.transitions_available(
            project=project, user=request.user
        ),
        "consultations": consultations,
        "ballots": project.ballots.all(),
        "patents": patents,
        "may_manage": may_manage(request.user, project.committee),
        "may_edit": not project.state.terminal
        and (
            may_manage(request.user, project.committee)
            or (
                project.proposer_id == request.user.pk
                and project.state.slug == "proposal"
            )
        ),
        "draft_form": forms.ProjectDraftForm(
            initial={"identifier": project.identifier, "draft_text": project.draft_text}
        ),
        "today": timezone.localdate(),
    }
    return render(request, "lifecycle/project_detail.html", context)


@login_required
@require_POST
def patent_link_holder(request, pk: int):
    """Staff link a declared patent holder to its registered organisation."""
    patent = get_object_or_404(PatentDisclosure, pk=pk)
    form = forms.PatentHolderForm(request.POST, prefix=f"patent-{pk}")
    if form.is_valid():
        try:
            services.patent_link_holder(
                patent=patent,
                actor=request.user,
                organisation=form.cleaned_data["holder_organisation"],
            )
            messages.success(request, _("Patent holder linked."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose a registered organisation."))
    target = patent.project or patent.standard
    return redirect(target.get_absolute_url() + "#patents")


@login_required
@require_POST
def project_draft(request, pk: int):
    """Staff attach the draft (file or text) and the standard number."""
    project = get_object_or_404(Project, pk=pk)
    form = forms.ProjectDraftForm(request.POST, request.FILES)
    if form.is_valid():
        fields = {
            "identifier": form.cleaned_data["identifier"].strip(),
            "draft_text": form.cleaned_data["draft_text"],
        }
        if form.cleaned_data["draft_file"]:
            fields["draft_file"] = form.cleaned_data["draft_file"]
        try:
            services.project_update(project=project, actor=request.user, **fields)
            messages.success(request, _("Draft saved."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(project)


def project_draft_download(request, pk: int):
    """The attached draft file. Public once the draft has gone out for
    comments; before that only the committee staff and the proposer see it."""
    project = get_object_or_404(Project.objects.select_related("committee"), pk=pk)
    if not project.draft_file:
        raise Http404
    public = project.consultations.exists()
    if not (
        public
        or may_manage(request.user, project.committee)
        or (request.user.is_authenticated and project.proposer_id == request.user.pk)
    ):
        raise Http404
    name = project.draft_file.name.rsplit("/", 1)[-1]
    return FileResponse(
        project.draft_file.open("rb"), as_attachment=True, filename=name
    )


@login_required
@require_POST
def project_transition(request, pk: int):
    project = get_object_or_404(Project, pk=pk)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the dates you entered."))
        return redirect(project)
    try:
        project = services.project_transition(
            project=project,
            actor=request.user,
            to_state=form.cleaned_data["to_state"],
            comment=form.cleaned_data["comment"],
            deadline=form.cleaned_data["deadline"],
            issued_on=form.cleaned_data["issued_on"],
        )
        messages.success(
            request, _("The project is now: %(s)s.") % {"s": project.state}
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("lifecycle:project_detail", pk=pk)


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
                ip=_ip(request),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            # A closed consultation shows no form: the message goes above.
            _fail(request, form if consultation.is_open else None, exc)
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
                _fail(request, form, exc)
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
                ip=_ip(request),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            _fail(request, form, exc)
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


def committee_list(request):
    return render(
        request,
        "lifecycle/committee_list.html",
        {
            "committees": selectors.committee_list(),
            "is_staff": has_role(request.user, Role.STAFF),
        },
    )


@login_required
def committee_create(request):
    _staff_only(request)
    form = forms.CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_create(
                actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            _fail(request, form, exc)
        else:
            messages.success(
                request, _("Committee %(code)s registered.") % {"code": committee.code}
            )
            return redirect(committee)
    return render(
        request,
        "lifecycle/form_page.html",
        {"form": form, "title": _("New committee")},
    )


def committee_detail(request, pk: int):
    """A committee, its members and projects. Whoever may seat members
    (institute staff, the committee's chair or secretary) does it here."""
    try:
        committee = selectors.committee_get(pk)
    except Committee.DoesNotExist as exc:
        raise Http404 from exc
    # The same rule ``services.committee_member_add`` enforces, asked up front
    # so the form shows only to those the service accepts.
    may_seat = may_manage(request.user, committee)
    member_form = forms.CommitteeMemberForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_seat:
            raise DjangoPermissionDenied(
                _(
                    "Only institute staff or the committee's chair or secretary "
                    "may seat members."
                )
            )
        if member_form.is_valid():
            try:
                member = services.committee_member_add(
                    committee=committee, actor=request.user, **member_form.cleaned_data
                )
            except ApplicationError as exc:
                _fail(request, member_form, exc)
            else:
                messages.success(
                    request,
                    _("%(user)s seated as %(role)s.")
                    % {"user": member.user.username, "role": member.get_role_display()},
                )
                return redirect(committee)
    return render(
        request,
        "lifecycle/committee_detail.html",
        {
            "committee": committee,
            "projects": selectors.project_list().filter(committee=committee)[:100],
            "may_seat": may_seat,
            "member_form": member_form,
        },
    )


def research_list(request):
    return render(
        request,
        "lifecycle/research_list.html",
        {
            "projects": selectors.research_list(),
            "is_staff": has_role(request.user, Role.STAFF),
        },
    )


@login_required
def research_create(request):
    _staff_only(request)
    form = forms.ResearchProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            research = services.research_project_create(
                actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            _fail(request, form, exc)
        else:
            messages.success(
                request,
                _("Research project %(code)s registered.") % {"code": research.code},
            )
            return redirect(research)
    return render(
        request,
        "lifecycle/form_page.html",
        {"form": form, "title": _("New research project")},
    )


def research_detail(request, pk: int):
    """A research project; staff add milestones and record evaluations here."""
    try:
        research = selectors.research_get(pk)
    except ResearchProject.DoesNotExist as exc:
        raise Http404 from exc
    is_staff = has_role(request.user, Role.STAFF)
    review_form = forms.ResearchReviewForm(
        request.POST if request.POST.get("form") == "review" else None
    )
    milestone_form = forms.MilestoneForm(
        request.POST if request.POST.get("form") == "milestone" else None
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        _staff_only(request)
        form = review_form if request.POST.get("form") == "review" else milestone_form
        if form.is_valid():
            try:
                if form is review_form:
                    services.research_review_record(
                        research_project=research,
                        actor=request.user,
                        **form.cleaned_data,
                    )
                else:
                    services.research_milestone_add(
                        research_project=research,
                        actor=request.user,
                        **form.cleaned_data,
                    )
            except ApplicationError as exc:
                _fail(request, form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect(research)
    return render(
        request,
        "lifecycle/research_detail.html",
        {
            "research": research,
            "is_staff": is_staff,
            "review_form": review_form,
            "milestone_form": milestone_form,
        },
    )


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
                ip=_ip(request),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            _fail(request, form, exc)
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
