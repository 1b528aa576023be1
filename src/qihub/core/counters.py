"""Windowed hit counters on the shared cache, for rate limits and throttles.

The count must be shared by every worker process, so it lives in Django's
cache framework configured as a shared cache: Redis in production (``INCR`` is
atomic). On the embedded default the cache is the database's, whose ``add``
and ``incr`` are reads then writes (17 statements a hit, with a count of the
whole cache table to cull it); there a hit is one upsert on its own table
(``HitCounter``), atomic on SQLite and PostgreSQL alike.
"""

import datetime
import random

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

#: One database hit in this many also deletes the counters whose window
#: ended an hour ago.
PURGE_EVERY = 1000


def shared_cache():
    """The cache the counters use (a function, so tests can swap clients)."""
    return caches["default"]


def count_hit(key: str, *, window: int, cost: int = 1) -> int:
    """Add ``cost`` hits to ``key`` in its window; return the window's count."""
    cache = shared_cache()
    if isinstance(cache, DatabaseCache):
        return _db_hit(key, window, cost)
    return _incr(cache, key, window, cost)


def _db_hit(key: str, window: int, cost: int) -> int:
    """One statement: a new key (or one whose window ended) starts a window
    of ``window`` seconds with ``cost`` hits; a current one adds ``cost``."""
    from qihub.core.models import HitCounter

    connection = connections[router.db_for_write(HitCounter)]
    # raw SQL: the times in the column's own format, as the ORM writes them
    at = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    table = HitCounter._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f'INSERT INTO {table} ("key", hits, expires) VALUES'  # noqa: S608
            " (%s, %s, %s) "
            'ON CONFLICT ("key") DO UPDATE SET '
            f"hits = CASE WHEN {table}.expires <= %s THEN excluded.hits "
            f"ELSE {table}.hits + excluded.hits END, "
            f"expires = CASE WHEN {table}.expires <= %s THEN excluded.expires "
            f"ELSE {table}.expires END RETURNING hits",
            [
                key[:250],
                cost,
                at(now + datetime.timedelta(seconds=window)),
                at(now),
                at(now),
            ],
        )
        hits = cur.fetchone()[0]
        if random.randrange(PURGE_EVERY) == 0:  # noqa: S311 (not a secret)
            cur.execute(
                f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608
                [at(now - datetime.timedelta(hours=1))],
            )
    return hits


def _incr(cache, key: str, window: int, cost: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key, cost)
    except ValueError:  # expired between add and incr
        cache.set(key, cost, timeout=window)
        return cost
