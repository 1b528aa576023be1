"""Validity check pages: the form (paste or upload, a date), the result with
its summary and downloads, the saved checks of the user."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.catalog.validity import selectors, services
from qihub.catalog.validity.check import check_list, verdict_labels, with_labels
from qihub.catalog.validity.exports import export_csv, export_xlsx
from qihub.catalog.validity.reading import lines_from_file, lines_from_text
from qihub.core.errors import ApplicationError, NotFound

_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _on(value: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(
            _("The date %(value)r is not a date (YYYY-MM-DD).") % {"value": value},
            details={"field": "on"},
        ) from None


def _lines(request) -> list[str]:
    upload = request.FILES.get("file")
    if upload is not None:
        return lines_from_file(upload.name, upload.read())
    return lines_from_text(request.POST.get("text", ""))


def _organisations(user):
    from qihub.organisations.selectors import organisations_of_user

    return list(organisations_of_user(user)[:50])


def validity_check(request):
    """GET: the form; POST: the check (the result partial for HTMX)."""
    context = {"labels": verdict_labels(), "text": "", "on": ""}
    if request.user.is_authenticated:
        context["organisations"] = _organisations(request.user)
    if request.method == "POST":
        try:
            on = _on(request.POST.get("on", ""))
            lines = _lines(request)
            result = check_list(lines, on=on)
            context.update(
                result=with_labels(result.as_json()), lines_text="\n".join(lines)
            )
        except ApplicationError as exc:
            context["error"] = str(exc)
        context["text"] = request.POST.get("text", "")
        context["on"] = request.POST.get("on", "")
        if request.htmx:
            return render(request, "catalog/_validity_result.html", context)
    return render(request, "catalog/validity_check.html", context)


def _download(result: dict, fmt: str, name: str) -> HttpResponse:
    if fmt not in _CONTENT_TYPES:
        raise Http404
    body = export_csv(result) if fmt == "csv" else export_xlsx(result)
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
def validity_export(request, fmt: str):
    """The check of the posted lines as a file (the result page posts the
    lines it checked, so the file is the answer shown, in its order)."""
    try:
        on = _on(request.POST.get("on", ""))
        result = check_list(lines_from_text(request.POST.get("text", "")), on=on)
    except ApplicationError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    return _download(result.as_json(), fmt, "validity-check")


@login_required
@require_POST
def validity_save(request):
    org_id = request.POST.get("organisation") or None
    organisation = None
    if org_id:
        organisation = next(
            (o for o in _organisations(request.user) if str(o.pk) == org_id), None
        )
    try:
        check = services.validity_check_save(
            actor=request.user,
            name=request.POST.get("name", ""),
            lines=lines_from_text(request.POST.get("text", "")),
            on_date=_on(request.POST.get("on", "")),
            organisation=organisation,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("catalog:validity_check")
    messages.success(request, _("The check %(name)s is saved.") % {"name": check.name})
    return redirect(check)


@login_required
def validity_list(request):
    return render(
        request,
        "catalog/validity_list.html",
        {
            "checks": selectors.validity_checks_of(request.user),
            "labels": verdict_labels(),
        },
    )


def _mine(request, pk: int):
    try:
        return selectors.validity_check_for(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def validity_detail(request, pk: int):
    check = _mine(request, pk)
    return render(
        request,
        "catalog/validity_detail.html",
        {
            "check": check,
            "result": with_labels(check.result),
            "labels": verdict_labels(),
            "events": check.events.select_related("actor")[:20],
        },
    )


@login_required
@require_POST
def validity_rerun(request, pk: int):
    check = _mine(request, pk)
    try:
        services.validity_check_rerun(check=check, actor=request.user)
        messages.success(request, _("The check was run again."))
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect(check)


@login_required
def validity_saved_export(request, pk: int, fmt: str):
    check = _mine(request, pk)
    return _download(check.result, fmt, f"validity-check-{check.pk}")
