"""Windowed hit counters on the shared cache, for rate limits and throttles.

The count must be shared by every worker process, so it lives in Django's
cache framework configured as a shared cache: Redis in production (``INCR`` is
atomic), the database cache on the embedded default. The database cache's
``incr`` is a read then a write, so there it runs inside a transaction: on
SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (see
``config.settings``), which serialises the read and the write between processes.
"""

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction


def shared_cache():
    """The cache the counters use (a function, so tests can swap clients)."""
    return caches["default"]


def count_hit(key: str, *, window: int, cost: int = 1) -> int:
    """Add ``cost`` hits to ``key`` in its window; return the window's count."""
    cache = shared_cache()
    if isinstance(cache, DatabaseCache):
        db = router.db_for_write(cache.cache_model_class)
        with transaction.atomic(using=db):
            return _incr(cache, key, window, cost)
    return _incr(cache, key, window, cost)


def _incr(cache, key: str, window: int, cost: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key, cost)
    except ValueError:  # expired between add and incr
        cache.set(key, cost, timeout=window)
        return cost
