"""Who is acting in this request, for audit entries written by signals.

Role and superuser/staff changes are recorded by signal handlers (so a change
made in the admin, the shell or any service is caught), and a signal does not
see the request: the middleware keeps it in a context variable.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_request: ContextVar = ContextVar("qihub_audit_request", default=None)
_muted: ContextVar[bool] = ContextVar("qihub_audit_muted", default=False)


def current_request():
    return _request.get()


def is_muted() -> bool:
    return _muted.get()


@contextmanager
def muted():
    """A service that writes its own audit entry mutes the signal entries."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
