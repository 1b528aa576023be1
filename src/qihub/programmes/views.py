"""Pages: the list of programmes, a programme's dashboard (one card per
target, drawn from the snapshots) with drill-down to sub-regions or member
organisations, the reviewers' page for reported values, and the annual
statistics report download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import Role, has_role
from qihub.programmes import charts, indicators, progress, selectors, services
from qihub.programmes.models import ReportedValue
from qihub.programmes.reports import statistics_report


def programme_list(request):
    return render(
        request,
        "programmes/programme_list.html",
        {
            "programmes": selectors.programme_list(),
            "year": timezone.localdate().year,
            "indicators": list(indicators.REGISTRY.values()),
        },
    )


def programme_detail(request, pk: int):
    try:
        prog = selectors.programme_get(pk)
        scope = request.GET.get("scope", "").strip() or prog.scope_key
        scope_obj = indicators.scope_for(scope)
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    rows = selectors.targets_progress(prog, scope=scope)
    cards = [
        {
            "row": r,
            "chart": mark_safe(  # noqa: S308 (built with escape())
                charts.target_svg(
                    r.progress, label=r.indicator.name, unit=r.target.unit
                )
            ),
        }
        for r in rows
    ]
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": prog,
            "scope": scope,
            "scope_name": scope_obj.name,
            "is_root": scope == prog.scope_key,
            "cards": cards,
            "subs": selectors.sub_scopes(prog, scope=scope),
            "targets": [r.target for r in rows],
            "rule": progress.__doc__,
            "year": timezone.localdate().year,
        },
    )


def _check_reviewer(user) -> None:
    if not has_role(user, Role.REVIEWER, Role.STAFF):
        raise DjangoPermissionDenied


@login_required
def reported_review(request):
    _check_reviewer(request.user)
    return render(
        request,
        "programmes/reported_review.html",
        {
            "pending": selectors.reported_pending(),
            "recent": selectors.reported_recent(),
            "names": {i.slug: i.name for i in indicators.REGISTRY.values()},
        },
    )


@login_required
@require_POST
def reported_decide(request, pk: int):
    _check_reviewer(request.user)
    reported = get_object_or_404(ReportedValue, pk=pk)
    try:
        services.reported_value_review(
            actor=request.user,
            reported=reported,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("programmes:reported_review")


def statistics_download(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
        fmt = request.GET.get("format", "xlsx")
        data = statistics_report(year=year, fmt=fmt)
    except (ValueError, ApplicationError) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    kind = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="statistics-{year}.{fmt}"'
    return response
