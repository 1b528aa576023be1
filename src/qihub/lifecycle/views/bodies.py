"""Technical committees and research projects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.core.roles import Role, has_role
from qihub.lifecycle import forms, selectors, services
from qihub.lifecycle.access import may_manage
from qihub.lifecycle.models import (
    Committee,
    ResearchProject,
)
from qihub.lifecycle.views._common import form_fail, staff_only


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
    staff_only(request)
    form = forms.CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_create(
                actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_fail(request, form, exc)
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
                form_fail(request, member_form, exc)
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
    staff_only(request)
    form = forms.ResearchProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            research = services.research_project_create(
                actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_fail(request, form, exc)
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
        staff_only(request)
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
                form_fail(request, form, exc)
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
