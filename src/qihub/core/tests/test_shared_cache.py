"""Rate limits count on the shared cache: two worker processes share the count.

Each "process" is its own cache client (its own backend instance, as a
separate worker would have); the database cache and Redis are both tested.
"""

import itertools

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
    prefix = f"test-{id(monkeypatch)}"
    clients = [RedisCache(REDIS, {"KEY_PREFIX": prefix}) for _ in range(2)]
    try:
        assert _accepted_of_25(clients, monkeypatch) == 10
    finally:
        clients[0].clear()
