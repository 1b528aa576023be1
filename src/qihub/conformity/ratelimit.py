"""Per-client limit on public verification, on the shared cache.

Verification is public and needs no login, so it is counted per client
address, logged in or not (the lifecycle helper exempts logged-in users and
counts submissions per hour; lookups need a per-minute window)."""

from django.conf import settings
from django.utils.translation import gettext as _

from qihub.core.counters import count_hit
from qihub.lifecycle.ratelimit import RateLimited

DEFAULT_LIMIT = 120
DEFAULT_WINDOW = 60


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def verify_rate_check(request, *, cost: int = 1) -> None:
    """Count ``cost`` lookups for the client; refuse past the limit (429)."""
    limit = getattr(settings, "QIHUB_CONFORMITY_VERIFY_LIMIT", DEFAULT_LIMIT)
    window = getattr(settings, "QIHUB_CONFORMITY_VERIFY_WINDOW", DEFAULT_WINDOW)
    key = f"conformity:rl:verify:{client_ip(request)}"
    count = count_hit(key, window=window, cost=cost)
    if count > limit:
        raise RateLimited(
            _(
                "Too many verification requests from your address: at most "
                "%(n)d per %(s)d seconds. Please try again shortly."
            )
            % {"n": limit, "s": window}
        )
