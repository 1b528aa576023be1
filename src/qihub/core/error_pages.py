"""Error answers for every page: no debug page, JSON under /api/.

Django's own handlers answer HTML; an API client gets ``{"detail": ...}`` as
from every other API error. A body over the upload limit is 413, not 400.
"""

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def too_big_response(request) -> HttpResponse:
    """413 Content Too Large for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    message = _("The request body is larger than this server accepts.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return too_big_response(request)
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("You may not do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Server error; it has been logged.")}, status=500
        )
    return defaults.server_error(request)


def out_of_range_response(request) -> HttpResponse:
    """A number in the URL beyond the databases' integers (SQLite's driver
    refuses it with OverflowError before the query runs): no row has it."""
    message = _("A number in the request is out of range.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=422)
    return page_not_found(request)


#: Seconds a client is told to wait when SQLite's one writer is busy.
RETRY_AFTER = 5


def is_database_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked": the one writer is busy for longer than
    the busy timeout (a large catalogue import in its single transaction)."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def busy_response(request) -> HttpResponse:
    """503 with Retry-After: nothing was written, the client may try again."""
    message = _(
        "The database is busy with a large write (an import); nothing was "
        "changed. Try again in a few seconds."
    )
    if _is_api(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            message, status=503, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def _has_nul(request) -> bool:
    """A NUL character in a query or form value, or in a JSON body: no text
    holds one, and PostgreSQL refuses it in every text column."""
    if any("\x00" in v for vs in request.GET.lists() for v in vs[1]):
        return True
    kind = request.content_type or ""
    if kind == "application/x-www-form-urlencoded":
        return any("\x00" in v for vs in request.POST.lists() for v in vs[1])
    if kind.endswith("json"):
        body = request.body
        return b"\\u0000" in body or b"\x00" in body
    return False


def nul_response(request) -> HttpResponse:
    message = _("Text in the request holds a NUL (0x00) character.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=422)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class OutOfRangeMiddleware:
    """Pages: an id like /standards/99999999999999999999/ is a 404, not 500;
    a write that found SQLite busy for too long is a 503 with Retry-After;
    text holding a NUL character is refused before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            if _has_nul(request):
                return nul_response(request)
        except RequestDataTooBig:
            return too_big_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return out_of_range_response(request)
        if is_database_locked(exception):
            return busy_response(request)
        return None
