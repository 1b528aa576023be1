"""The dashboard and standard projects: list, create, edit, detail, drafts, transitions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import Role, has_role
from qihub.lifecycle import forms, selectors, services
from qihub.lifecycle.access import may_manage
from qihub.lifecycle.models import (
    PatentDisclosure,
    Project,
    State,
)
from qihub.lifecycle.views._common import form_fail


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
            form_fail(request, form, exc)
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
            form_fail(request, form, exc)
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
