"""The Redis cache degrades to misses when Redis is unreachable, logging once per interval."""

import logging

import pytest
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from conftest import missing_service
from core import cache_backend
from core.cache import cached, generation, invalidate
from core.cache_backend import DegradingRedisCache

CLOSED = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
UNREACHABLE_CACHES = {"default": {"BACKEND": "core.cache_backend.DegradingRedisCache", "LOCATION": CLOSED}}


@pytest.fixture(autouse=True)
def fresh_outages(monkeypatch):
    monkeypatch.setattr(DegradingRedisCache, "_outages", {})


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cache_backend.time, "monotonic", lambda: now[0])
    return now


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == cache_backend.__name__]


def test_unreachable_redis_reads_as_a_miss_and_drops_writes():
    cache = DegradingRedisCache(CLOSED, {})

    assert cache.get("k", "default") == "default"
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    assert cache.get_or_set("k", 7) == 7
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")


def test_an_outage_logs_one_warning_per_interval(caplog, clock):
    cache = DegradingRedisCache(CLOSED, {"RETRY_AFTER": 30})

    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            cache.get("k")
        assert len(warnings_of(caplog)) == 1
        assert "unavailable" in warnings_of(caplog)[0]
        assert "API throttles are not enforced" in warnings_of(caplog)[0]

        clock[0] += 31
        for _ in range(5):
            cache.set("k", 1)

    assert len(warnings_of(caplog)) == 2


def test_during_an_interval_the_server_is_not_tried_again(monkeypatch, clock):
    calls = []

    def failing_get(self, *args, **kwargs):
        calls.append(args)
        raise RedisConnectionError("refused")

    monkeypatch.setattr(cache_backend.RedisCache, "get", failing_get)
    cache = DegradingRedisCache(CLOSED, {"RETRY_AFTER": 30})

    for _ in range(3):
        assert cache.get("k") is None
    clock[0] += 31
    cache.get("k")

    assert len(calls) == 2


def test_the_cache_is_used_again_once_redis_answers(caplog, monkeypatch, clock):
    if not settings.REDIS_URL:
        missing_service("REDIS_URL is not set")
    cache = DegradingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-degrading", "RETRY_AFTER": 30})
    cache.set("k", "stored")
    real_get = cache_backend.RedisCache.get
    monkeypatch.setattr(
        cache_backend.RedisCache, "get", lambda *a, **kw: (_ for _ in ()).throw(RedisConnectionError("down"))
    )
    with caplog.at_level(logging.WARNING):
        assert cache.get("k") is None
        monkeypatch.setattr(cache_backend.RedisCache, "get", real_get)
        clock[0] += 31

        assert cache.get("k") == "stored"

    assert "reachable again" in warnings_of(caplog)[-1]
    cache.delete("k")


@pytest.mark.django_db
def test_saves_and_cached_figures_work_with_the_cache_unreachable(rep, settings):
    settings.CACHES = UNREACHABLE_CACHES

    rep.first_name = "Saved"
    rep.save()  # post_save bumps the figures' generation
    invalidate()

    assert generation() == 1
    assert cached("figure", lambda: 42) == 42
