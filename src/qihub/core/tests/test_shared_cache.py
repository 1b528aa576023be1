"""Rate limits count on the shared cache: two worker processes share the count.

Each "process" is its own cache client (its own backend instance, as a
separate worker would have); the database cache and Redis are both tested.
"""

import itertools
import os

import pytest
import redis
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache

from qihub.core import counters
from qihub.lifecycle.ratelimit import RateLimited, anonymous_rate_check

REDIS = "redis://127.0.0.1:6379/15"


def _accepted_of_25(clients, monkeypatch) -> int:
    turn = itertools.cycle(clients)
    monkeypatch.setattr(counters, "shared_cache", lambda: next(turn))
    accepted = 0
    for _ in range(25):
        try:
            anonymous_rate_check(user=None, ip="203.0.113.9", scope="comment")
        except RateLimited:
            continue
        accepted += 1
    return accepted


@pytest.mark.django_db
def test_two_processes_share_the_count_on_the_database_cache(monkeypatch):
    clients = [DatabaseCache("qihub_cache", {}) for _ in range(2)]
    assert _accepted_of_25(clients, monkeypatch) == 10


def test_two_processes_share_the_count_on_redis(monkeypatch):
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{os.getpid()}-{id(monkeypatch)}"  # runs may go side by side
    clients = [RedisCache(REDIS, {"KEY_PREFIX": prefix}) for _ in range(2)]
    try:
        assert _accepted_of_25(clients, monkeypatch) == 10
    finally:
        clients[0].clear()


@pytest.mark.django_db
def test_a_database_hit_is_one_statement_and_its_window_ends(monkeypatch):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from qihub.core.models import HitCounter

    monkeypatch.setattr(counters, "shared_cache", lambda: DatabaseCache("x", {}))
    monkeypatch.setattr(counters, "PURGE_EVERY", 10**9)
    with CaptureQueriesContext(connection) as ctx:
        assert counters.count_hit("k", window=60) == 1
    assert len(ctx.captured_queries) == 1
    assert counters.count_hit("k", window=60, cost=4) == 5
    assert counters.count_hit("other", window=60) == 1
    # the window ended: the count starts again, with a new end
    later = timezone.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(counters.timezone, "now", lambda: later)
    assert counters.count_hit("k", window=60) == 1
    assert HitCounter.objects.get(key="k").expires > later
    # counters whose window ended an hour ago are purged now and then
    monkeypatch.setattr(counters, "PURGE_EVERY", 1)
    much_later = later + datetime.timedelta(hours=2)
    monkeypatch.setattr(counters.timezone, "now", lambda: much_later)
    assert counters.count_hit("new", window=60) == 1
    assert list(HitCounter.objects.values_list("key", flat=True)) == ["new"]
