"""A captcha-free rate limit for anonymous submissions (comments, patents,
feedback): at most ``QIHUB_LIFECYCLE_ANON_LIMIT`` per IP address and window."""

from django.conf import settings
from django.utils.translation import gettext as _

from qihub.core.counters import count_hit
from qihub.core.errors import ApplicationError

DEFAULT_LIMIT = 10
DEFAULT_WINDOW = 3600


class RateLimited(ApplicationError):
    status = 429


def anonymous_rate_check(*, user, ip: str | None, scope: str = "submit") -> None:
    """Count one anonymous submission from ``ip``; refuse it past the limit.

    Logged-in users are not limited here: they are accountable by name.
    """
    if user is not None and user.is_authenticated:
        return
    limit = getattr(settings, "QIHUB_LIFECYCLE_ANON_LIMIT", DEFAULT_LIMIT)
    window = getattr(settings, "QIHUB_LIFECYCLE_ANON_WINDOW", DEFAULT_WINDOW)
    key = f"lifecycle:rl:{scope}:{ip or 'unknown'}"
    count = count_hit(key, window=window, cost=1)
    if count > limit:
        raise RateLimited(
            _(
                "Too many submissions from your address: at most %(n)d per "
                "%(m)d minutes without an account. Please try again later or log in."
            )
            % {"n": limit, "m": window // 60}
        )
