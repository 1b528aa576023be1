"""Pages of the organisations registry and the networks, and the HTMX
answers of the organisation picker."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.organisations import profile, selectors, services, tallies
from qihub.organisations.forms import (
    AnnouncementForm,
    DesignationForm,
    MeetingForm,
    MemberLeaveForm,
    NetworkForm,
    NetworkMemberForm,
    OrganisationForm,
    RoleForm,
    SecretariatForm,
    UserAddForm,
    UserRemoveForm,
)
from qihub.organisations.models import Designation, Membership, Network, Organisation
from qihub.organisations.widgets import picker_html
from qihub.pool.views import network_search_context
from qihub.sharing.selectors import network_shared

#: How many matches the picker offers.
PICK_LIMIT = 10
#: How many of its drafted standards an organisation's page lists.
DRAFTED_LIMIT = 50


def _kinds(request) -> list[str]:
    raw = request.GET.get("kinds") or request.POST.get("kinds") or ""
    return [k for k in raw.split(",") if k in Organisation.Kind.values]


def organisation_list(request):
    qs = selectors.organisation_search(
        q=request.GET.get("q", ""),
        kind=request.GET.get("kind", "")
        if request.GET.get("kind") in Organisation.Kind.values
        else "",
        region=request.GET.get("region", "").strip()[:6]
        if request.GET.get("region", "").strip().isdigit()
        else "",
        designation=request.GET.get("designation", "")
        if request.GET.get("designation") in Designation.Kind.values
        else "",
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "page": page,
            "kinds": Organisation.Kind.choices,
            "designation_kinds": Designation.Kind.choices,
            "is_staff": is_staff_member(request.user),
        },
    )


def _forbidden() -> DjangoPermissionDenied:
    return DjangoPermissionDenied(_("Only institute staff may do this."))


def _form_error(form, exc: ApplicationError) -> None:
    """Show a refused move on the field it is about (``details`` names the
    input), else above the form."""
    fields = [name for name in exc.details if name in form.fields]
    if len(fields) == 1:
        form.add_error(fields[0], exc.message)
    else:
        form.add_error(None, exc.message)


def _organisation_page(request, org: Organisation, status: int = 200, **forms):
    """The organisation's page; a refused form comes back with what was typed,
    the others are drawn afresh."""
    manage = (
        services.may_manage(request.user, org)
        if request.user.is_authenticated
        else False
    )
    staff = is_staff_member(request.user)
    context = {
        "org": org,
        "metrics": profile.metrics_for([org.pk]),
        "designations": selectors.organisation_designations(org),
        "networks": selectors.network_memberships(org),
        "drafted": selectors.standards_drafted_by(org, limit=DRAFTED_LIMIT),
        "may_manage": manage,
        "is_staff": staff,
    }
    if manage:
        users = list(selectors.organisation_users(org))
        context["users"] = [
            (m, RoleForm(initial={"username": m.user.username, "role": m.role}))
            for m in users
        ]
        context["edit_form"] = forms.get(
            "edit_form"
        ) or OrganisationForm.for_organisation(org)
        context["user_form"] = forms.get("user_form") or UserAddForm()
        context["form_errors"] = forms.get("form_errors", "")
    if staff:
        context["designation_form"] = forms.get("designation_form") or DesignationForm()
    return render(
        request, "organisations/organisation_detail.html", context, status=status
    )


def organisation_detail(request, pk: int):
    org = get_object_or_404(Organisation.objects.select_related("region"), pk=pk)
    return _organisation_page(request, org)


def _managed_organisation(
    request, pk: int, *, staff_only: bool = False
) -> Organisation:
    """The organisation a POST changes; 403 unless the user may manage it."""
    org = get_object_or_404(Organisation.objects.select_related("region"), pk=pk)
    allowed = (
        is_staff_member(request.user)
        if staff_only
        else request.user.is_authenticated and services.may_manage(request.user, org)
    )
    if not allowed:
        raise DjangoPermissionDenied(
            _("Only institute staff and the organisation's administrators may do this.")
        )
    return org


def _on_page(request, form, change, done, page):
    """A form on a page: ``change(cleaned_data)`` calls one service and returns
    what to redirect to; ``done`` is the message; a refusal is shown by
    ``page(form)`` with what was typed (status 400)."""
    if form.is_valid():
        try:
            target = change(form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(target)
    return page(form)


@require_POST
def organisation_edit(request, pk: int):
    org = _managed_organisation(request, pk)
    form = OrganisationForm.for_organisation(org, request.POST)
    return _on_page(
        request,
        form,
        lambda data: services.organisation_update(
            actor=request.user,
            organisation=org,
            reason=data.get("reason", ""),
            **form.changes(),
        ),
        _("The organisation was changed."),
        lambda f: _organisation_page(request, org, status=400, edit_form=f),
    )


@require_POST
def designation_add(request, pk: int):
    org = _managed_organisation(request, pk, staff_only=True)
    form = DesignationForm(request.POST, request.FILES)
    return _on_page(
        request,
        form,
        lambda data: (
            services.designation_add(
                actor=request.user, organisation=org, **data
            ).organisation
        ),
        _("The designation was recorded."),
        lambda f: _organisation_page(request, org, status=400, designation_form=f),
    )


@require_POST
def organisation_user_add(request, pk: int):
    org = _managed_organisation(request, pk)
    form = UserAddForm(request.POST)

    def change(data):
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            message = _("There is no user %(user)s.") % {"user": data["username"]}
            raise ApplicationError(message, details={"username": [message]})
        services.membership_add(
            actor=request.user, organisation=org, user=user, role=data["role"]
        )
        return org

    return _on_page(
        request,
        form,
        change,
        _("The user was added."),
        lambda f: _organisation_page(request, org, status=400, user_form=f),
    )


def _membership_of(org: Organisation, username: str) -> Membership:
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation=org, user__username=username)
        .first()
    )
    if membership is None:
        message = _("%(user)s does not belong to %(org)s.") % {
            "user": username,
            "org": org.name,
        }
        raise ApplicationError(message, details={"username": [message]})
    return membership


def _user_form_refused(request, org, form):
    """A refused role change or removal: the message above the users' table."""
    errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
    return _organisation_page(request, org, status=400, form_errors=errors)


@require_POST
def organisation_user_role(request, pk: int):
    org = _managed_organisation(request, pk)
    form = RoleForm(request.POST)
    return _on_page(
        request,
        form,
        lambda data: (
            services.membership_set_role(
                actor=request.user,
                membership=_membership_of(org, data["username"]),
                role=data["role"],
            ).organisation
        ),
        _("The role was changed."),
        lambda f: _user_form_refused(request, org, f),
    )


@require_POST
def organisation_user_remove(request, pk: int):
    org = _managed_organisation(request, pk)
    form = UserRemoveForm(request.POST)

    def change(data):
        services.membership_remove(
            actor=request.user, membership=_membership_of(org, data["username"])
        )
        return org

    return _on_page(
        request,
        form,
        change,
        _("The user was removed."),
        lambda f: _user_form_refused(request, org, f),
    )


def _staff_registration(request, form_class, template: str, service, done: str):
    """A staff-only registration page: the form, then one service call."""
    if not is_staff_member(request.user):
        raise _forbidden()
    form = form_class(request.POST or None)

    def page(f):
        return render(request, template, {"form": f}, status=400 if f.is_bound else 200)

    if request.method != "POST":
        return page(form)
    return _on_page(
        request,
        form,
        lambda data: service(actor=request.user, **data),
        done,
        page,
    )


def organisation_create(request):
    """Register an organisation (staff), its credit code checked."""
    return _staff_registration(
        request,
        OrganisationForm,
        "organisations/organisation_form.html",
        services.organisation_create,
        _("The organisation was registered."),
    )


def network_list(request):
    return render(
        request,
        "organisations/network_list.html",
        {
            "networks": selectors.networks_list(),
            "is_staff": is_staff_member(request.user),
        },
    )


def network_create(request):
    """Register a network (staff)."""
    return _staff_registration(
        request,
        NetworkForm,
        "organisations/network_form.html",
        services.network_create,
        _("The network was registered."),
    )


#: Members listed a page at a time; the counts cover all of them.
MEMBERS_PER_PAGE = 100


def _network_page(request, network: Network, status: int = 200, **forms):
    members = selectors.members_on(network)
    counts = tallies.network_counts(network)
    metrics = counts.metrics
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("members"))
    staff = is_staff_member(request.user)
    context = {
        "network": network,
        "members": page.object_list,
        "members_page": page,
        "member_count": page.paginator.count,
        "former_members": selectors.former_members(network),
        "metrics": metrics,
        "counts": counts,
        "tables": [level_year_table(m) for m in metrics if m.by_level_year],
        "terms": selectors.secretariat_history(network),
        "secretariat": selectors.secretariat_on(network),
        "meetings": network.meetings.all()[:20],
        "announcements": network.announcements.all()[:10],
        "is_staff": staff,
        "shared": network_shared(network),
        **network_search_context(request, network),
    }
    if staff:
        context.update(
            member_form=forms.get("member_form") or NetworkMemberForm(),
            leave_form=forms.get("leave_form") or MemberLeaveForm(network=network),
            secretariat_form=forms.get("secretariat_form")
            or SecretariatForm(network=network),
            meeting_form=forms.get("meeting_form") or MeetingForm(),
            announcement_form=forms.get("announcement_form") or AnnouncementForm(),
        )
    return render(request, "organisations/network_detail.html", context, status=status)


def network_detail(request, pk: int):
    network = get_object_or_404(Network.objects.select_related("region"), pk=pk)
    return _network_page(request, network)


def _network_change(request, pk: int, form_class, change, done, form_name, **kwargs):
    if not is_staff_member(request.user):
        raise _forbidden()
    network = get_object_or_404(Network.objects.select_related("region"), pk=pk)
    form = form_class(
        request.POST, **({"network": network} if kwargs.get("with_network") else {})
    )
    return _on_page(
        request,
        form,
        lambda data: change(network, data) or network,
        done,
        lambda f: _network_page(request, network, status=400, **{form_name: f}),
    )


@require_POST
def network_member_join(request, pk: int):
    return _network_change(
        request,
        pk,
        NetworkMemberForm,
        lambda network, data: (
            services.network_member_join(
                actor=request.user, network=network, **data
            ).network
        ),
        _("The organisation joined the network."),
        "member_form",
    )


@require_POST
def network_member_leave(request, pk: int):
    def change(network, data):
        services.network_member_leave(
            actor=request.user,
            member=data["member"],
            left_on=data["left_on"],
            reason=data["reason"],
        )

    return _network_change(
        request,
        pk,
        MemberLeaveForm,
        change,
        _("The member left the network."),
        "leave_form",
        with_network=True,
    )


@require_POST
def secretariat_assign(request, pk: int):
    return _network_change(
        request,
        pk,
        SecretariatForm,
        lambda network, data: (
            services.secretariat_assign(
                actor=request.user, network=network, **data
            ).network
        ),
        _("The secretariat was assigned for a new term."),
        "secretariat_form",
        with_network=True,
    )


@require_POST
def meeting_record(request, pk: int):
    return _network_change(
        request,
        pk,
        MeetingForm,
        lambda network, data: (
            services.meeting_record(actor=request.user, network=network, **data).network
        ),
        _("The meeting was recorded."),
        "meeting_form",
    )


@require_POST
def announcement_publish(request, pk: int):
    return _network_change(
        request,
        pk,
        AnnouncementForm,
        lambda network, data: (
            services.announcement_publish(
                actor=request.user, network=network, **data
            ).network
        ),
        _("The announcement was published."),
        "announcement_form",
    )


def level_year_table(metric: profile.Metric) -> dict:
    """A metric's ``{level: {year: n}}`` as a table: rows = levels, columns =
    years (oldest first, an unknown year last), with row and column totals."""
    years = sorted(
        {y for row in metric.by_level_year.values() for y in row},
        key=lambda y: (y is None, y or 0),
    )
    rows = [
        {
            "level": row["level"],
            "label": row["label"],
            "cells": [metric.by_level_year[row["level"]].get(y, 0) for y in years],
            "total": row["total"],
        }
        for row in metric.level_rows()
    ]
    return {
        "metric": metric,
        "years": years,
        "rows": rows,
        "totals": [sum(r["cells"][i] for r in rows) for i in range(len(years))],
        "total": sum(r["total"] for r in rows),
    }


# -- the picker ---------------------------------------------------------------


def _results_html(
    request, *, field: str, field_id: str, q: str, kinds: list[str], **extra
) -> str:
    results = []
    if q.strip():
        qs = selectors.organisation_search(q=q)
        if kinds:
            qs = qs.filter(kind__in=kinds)
        results = list(qs[:PICK_LIMIT])
    kind_choices = [
        (value, label)
        for value, label in Organisation.Kind.choices
        if not kinds or value in kinds
    ]
    return render_to_string(
        "organisations/widgets/_results.html",
        {
            "results": results,
            "q": q,
            "field": field,
            "field_id": field_id,
            "kinds": ",".join(kinds),
            "kind_choices": kind_choices,
            "can_create": is_staff_member(request.user),
            **extra,
        },
        request=request,
    )


@require_GET
def pick(request):
    """Matches for what was typed in a picker's search box."""
    field = request.GET.get("field", "organisation")
    field_id = request.GET.get("id", f"id_{field}")
    q = request.GET.get(f"{field}__q", request.GET.get("q", ""))[:100]
    return HttpResponse(
        _results_html(
            request, field=field, field_id=field_id, q=q, kinds=_kinds(request)
        )
    )


@require_GET
def pick_choose(request):
    """The picker with one organisation chosen."""
    field = request.GET.get("field", "organisation")
    field_id = request.GET.get("id", f"id_{field}")
    try:
        org = Organisation.objects.filter(pk=int(request.GET.get("pk", ""))).first()
    except ValueError:
        org = None
    return HttpResponse(
        picker_html(
            name=field,
            field_id=field_id,
            organisation=org,
            kinds=",".join(_kinds(request)),
        )
    )


@require_POST
def pick_new(request):
    """Register an organisation from the picker (staff), then choose it; a
    refusal (a wrong credit code, a duplicate) is shown in the picker."""
    field = request.POST.get("field", "organisation")
    field_id = request.POST.get("id", f"id_{field}")
    kinds = _kinds(request)
    name = request.POST.get(f"{field}__new_name", "").strip()
    kind = request.POST.get(f"{field}__new_kind", "")
    credit_code = request.POST.get(f"{field}__new_credit_code", "")
    region = request.POST.get(f"{field}__new_region", "")
    try:
        cjk = any("\u3400" <= c <= "\u9fff" for c in name)
        org = services.organisation_create(
            actor=request.user,
            kind=kind,
            name_zh=name if cjk else "",
            name_en="" if cjk else name,
            credit_code=credit_code,
            region=region,
        )
    except ApplicationError as exc:
        results = _results_html(
            request,
            field=field,
            field_id=field_id,
            q=name,
            kinds=kinds,
            error=exc.message,
            new_name=name,
            new_kind=kind,
            new_credit_code=credit_code,
            new_region=region,
        )
        return HttpResponse(
            picker_html(
                name=field,
                field_id=field_id,
                organisation=None,
                kinds=",".join(kinds),
                results_html=results,
            )
        )
    return HttpResponse(
        picker_html(
            name=field, field_id=field_id, organisation=org, kinds=",".join(kinds)
        )
    )
