"""A Redis cache that turns an outage into cache misses instead of errors.

Everything kept in the cache can be recomputed or done without: cached
figures are computed again, API throttles let requests through (login
lockout is django-axes, in the database). So when Redis cannot be reached a
read is a miss and a write is dropped, and the request goes on with the
database alone. After a failure the process stops trying for `RETRY_AFTER`
seconds (a black-holed host would otherwise cost a connect timeout on every
call) and logs one warning per such interval.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """Whether this process treats a cache server as down, shared by all threads."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        self.down_until = 0.0
        self.down = False
        self.lock = threading.Lock()

    def skipping(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, location: str, exc: BaseException) -> None:
        with self.lock:
            if self.skipping():
                return  # another thread already logged this interval
            self.down = True
            self.down_until = time.monotonic() + self.retry_after
        log.warning(
            "cache %s unavailable (%s): serving without it for %ss - figures are recomputed, "
            "API throttles are not enforced",
            location,
            exc,
            self.retry_after,
        )

    def succeeded(self, location: str) -> None:
        if self.down:
            self.down = False
            log.warning("cache %s reachable again", location)


class DegradingRedisCache(RedisCache):
    """Django's RedisCache; a connection failure is a miss, logged once per interval."""

    _outages: dict[str, _Outage] = {}  # per server, per process

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = ",".join(self._servers)
        retry_after = float(params.get("RETRY_AFTER", 30))
        self._outage = self._outages.setdefault(self._location, _Outage(retry_after))

    def _call(self, method: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        if self._outage.skipping():
            return fallback
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._outage.failed(self._location, exc)
            return fallback
        self._outage.succeeded(self._location)
        return result

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:  # noqa: ANN401
        return self._call("add", False, key, value, timeout, version)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:  # noqa: ANN401
        return self._call("get", default, key, default, version)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:  # noqa: ANN401
        self._call("set", None, key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:  # noqa: ANN401
        return self._call("touch", False, key, timeout, version)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._call("delete", False, key, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict:  # noqa: ANN401
        return self._call("get_many", {}, keys, version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._call("has_key", False, key, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        missing = object()
        result = self._call("incr", missing, key, delta, version)
        if result is missing:
            raise ValueError(f"Key {key!r} not found (cache unavailable)")  # what a miss means for incr
        return result

    def set_many(self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list:  # noqa: ANN401
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:  # noqa: ANN401
        self._call("delete_many", None, keys, version)

    def clear(self) -> bool:
        return self._call("clear", False)
