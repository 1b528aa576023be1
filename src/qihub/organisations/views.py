"""Pages of the organisations registry and the networks, and the HTMX
answers of the organisation picker."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.organisations import profile, selectors, services
from qihub.organisations.models import Designation, Network, Organisation
from qihub.organisations.widgets import picker_html

#: How many matches the picker offers.
PICK_LIMIT = 10


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
        },
    )


def organisation_detail(request, pk: int):
    org = get_object_or_404(Organisation.objects.select_related("region"), pk=pk)
    metrics = profile.metrics_for([org.pk])
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "org": org,
            "metrics": metrics,
            "designations": selectors.organisation_designations(org),
            "networks": selectors.network_memberships(org),
            "may_manage": services.may_manage(request.user, org)
            if request.user.is_authenticated
            else False,
        },
    )


def network_list(request):
    return render(
        request,
        "organisations/network_list.html",
        {"networks": selectors.networks_list()},
    )


def network_detail(request, pk: int):
    network = get_object_or_404(Network.objects.select_related("region"), pk=pk)
    members = list(selectors.members_on(network))
    return render(
        request,
        "organisations/network_detail.html",
        {
            "network": network,
            "members": members,
            "metrics": profile.metrics_for([m.organisation_id for m in members]),
            "terms": selectors.secretariat_history(network),
            "secretariat": selectors.secretariat_on(network),
            "meetings": network.meetings.all()[:20],
            "announcements": network.announcements.all()[:10],
        },
    )


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
