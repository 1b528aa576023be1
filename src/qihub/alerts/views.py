"""Pages: watch list, follow/unfollow (HTMX), the one inbox, unsubscribe,
search export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.alerts import exports, selectors, services
from qihub.alerts.feeds import watch_feed_token
from qihub.alerts.models import Watch
from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError


def _export_params(request) -> dict:
    get = request.GET
    year = get.get("year", "").strip()
    return {
        "q": get.get("q", "").strip(),
        "level": get.get("level") or None,
        "status": get.get("status") or None,
        "ics": get.get("ics", "").strip() or None,
        "year": int(year) if year.isdigit() else None,
    }


@login_required
def watch_list(request):
    if request.method == "POST":
        try:
            services.watch_create(
                actor=request.user,
                kind=request.POST.get("kind", ""),
                value=request.POST.get("value", ""),
            )
            messages.success(request, _("Followed."))
        except ApplicationError as exc:
            messages.error(request, str(exc))
        return redirect("alerts:watch_list")
    return render(
        request,
        "alerts/watch_list.html",
        {
            "watches": selectors.watches_for_user(request.user),
            "kinds": Watch.Kind.choices,
            "feed_token": watch_feed_token(request.user),
        },
    )


@login_required
@require_POST
def watch_delete(request, pk: int):
    watch = get_object_or_404(Watch, pk=pk)
    try:
        services.watch_delete(actor=request.user, watch=watch)
        messages.success(request, _("No longer followed."))
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect("alerts:watch_list")


def follow_button(request, pk: int):
    """The follow/unfollow button on a standard's page (an HTMX partial:
    GET draws it, POST toggles)."""
    standard = get_object_or_404(Standard, pk=pk)
    error = ""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return HttpResponse(status=401)
        watch = selectors.watch_for(request.user, standard)
        try:
            if watch is None:
                services.watch_create(
                    actor=request.user, kind=Watch.Kind.STANDARD, value=str(pk)
                )
            else:
                services.watch_delete(actor=request.user, watch=watch)
        except ApplicationError as exc:
            error = str(exc)
    return render(
        request,
        "alerts/_follow.html",
        {
            "standard": standard,
            "watch": selectors.watch_for(request.user, standard),
            "error": error,
        },
    )


@login_required
def inbox(request):
    if request.method == "POST":
        ids = request.POST.getlist("item")
        services.inbox_mark_read(
            user=request.user, ids=[int(i) for i in ids if i.isdigit()] or None
        )
        return redirect("alerts:inbox")
    return render(
        request,
        "alerts/inbox.html",
        {
            "entries": selectors.inbox(request.user, limit=100),
            "unread": selectors.unread_count(request.user),
        },
    )


def unsubscribe(request, token: str):
    """Turn the digest off from the link in an e-mail, without logging in
    (GET asks, POST does it: mail scanners follow links)."""
    done, error = False, ""
    if request.method == "POST":
        try:
            services.digest_unsubscribe(token=token)
            done = True
        except ApplicationError as exc:
            error = str(exc)
    return render(
        request,
        "alerts/unsubscribe.html",
        {"done": done, "error": error, "token": token},
        status=400 if error else 200,
    )


def export(request, fmt: str):
    """The catalogue search's results as CSV or XLSX, streamed as they are
    read."""
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Export as csv or xlsx."))
    params = _export_params(request)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(params), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="standards-{stamp}.csv"'
        )
        return response
    response = StreamingHttpResponse(
        exports.xlsx_stream(params),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = f'attachment; filename="standards-{stamp}.xlsx"'
    return response
