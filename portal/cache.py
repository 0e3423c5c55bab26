"""Caching that survives Redis going away: a flask-caching backend over Redis with a local fallback.

With OMUP_CACHE_URL=redis://… every process shares one cache; when Redis stops answering, each process serves
from its own in-memory cache and tries Redis again after a short pause, so requests keep succeeding and the
shared cache comes back by itself. Keys always carry the data version (see `memoize_versioned`).

Values are stored as data, never as pickles: JSON (orjson) for dicts, lists, strings, numbers, booleans and
None, raw bytes for files, each behind a one-byte tag. Whoever can write to Redis can then change what a page
shows from the cache, but cannot run code in the workers: a value in any other format (a pickle, say) is a miss.
A value JSON cannot hold (a numpy array, a dict with non-string keys) stays in the process's local cache only;
tuples come back as lists.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson
from cachelib import SimpleCache
from flask_caching.backends.base import BaseCache

log = logging.getLogger(__name__)
RETRY_AFTER_S = 2.0
JSON_TAG, BYTES_TAG = b"J", b"B"


class UnsafeValue(ValueError):
    """A cached value the safe format cannot hold (it stays in the local cache)."""


def dump_value(value: Any) -> bytes:
    """A cache value as stored in Redis: tagged JSON or tagged bytes (raises UnsafeValue for anything else)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BYTES_TAG + bytes(value)
    try:
        return JSON_TAG + orjson.dumps(value)
    except TypeError as exc:
        raise UnsafeValue(str(exc)) from None


def load_value(raw: bytes) -> Any:
    """The value of a stored entry, or None (a miss) for anything not written by `dump_value`. Never unpickles."""
    tag, data = raw[:1], raw[1:]
    if tag == BYTES_TAG:
        return data
    if tag == JSON_TAG:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    log.warning("cache entry in an unknown format ignored (%d bytes, starting %r)", len(raw), raw[:8])
    return None


class FallbackRedisCache(BaseCache):
    """Redis when it answers, a local SimpleCache when it does not (per process), retried every 2 s."""

    def __init__(self, url: str, default_timeout: int = 300, key_prefix: str = "omup:") -> None:
        super().__init__(default_timeout=default_timeout)
        import redis

        self._redis = redis.Redis.from_url(url, socket_connect_timeout=0.2, socket_timeout=0.3,
                                           health_check_interval=10)
        self._errors = (redis.RedisError, OSError)
        self._prefix = key_prefix
        self._local = SimpleCache(threshold=2000, default_timeout=default_timeout)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app, config: dict, args: list, kwargs: dict) -> FallbackRedisCache:
        return cls(config["CACHE_REDIS_URL"], default_timeout=config.get("CACHE_DEFAULT_TIMEOUT", 300))

    @property
    def redis_up(self) -> bool:
        return time.monotonic() >= self._down_until

    def _fail(self, exc: Exception) -> None:
        with self._lock:
            if self.redis_up:
                log.warning("redis unavailable (%s); serving from the local cache", exc)
            self._down_until = time.monotonic() + RETRY_AFTER_S

    def _timeout(self, timeout: int | None) -> int:
        t = self.default_timeout if timeout is None else timeout
        return int(t)

    def get(self, key: str) -> Any:
        if not self.redis_up:
            return self._local.get(key)
        try:
            raw = self._redis.get(self._prefix + key)
        except self._errors as exc:
            self._fail(exc)
            return self._local.get(key)
        value = None if raw is None else load_value(raw)
        if value is not None:
            return value
        # Not in Redis, or not readable there (Redis restarted empty, the key evicted or overwritten): this
        # process may still hold it; put it back so the other processes share it again.
        value = self._local.get(key)
        if value is not None:
            self._store_shared(key, value, self.default_timeout)
        return value

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        self._local.set(key, value, timeout=self._timeout(timeout))
        if self.redis_up:
            self._store_shared(key, value, self._timeout(timeout))
        return True

    def _store_shared(self, key: str, value: Any, timeout: int) -> None:
        try:
            self._redis.set(self._prefix + key, dump_value(value), ex=timeout if timeout > 0 else None)
        except UnsafeValue as exc:
            log.info("cache value for %s kept locally only: %s", key[:80], exc)
        except self._errors as exc:
            self._fail(exc)

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        if self.get(key) is not None:
            return False
        return self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        self._local.delete(key)
        if self.redis_up:
            try:
                self._redis.delete(self._prefix + key)
            except self._errors as exc:
                self._fail(exc)
        return True

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def clear(self) -> bool:
        self._local.clear()
        return True


def memoize_versioned(fn: Callable) -> Callable:
    """Memoise a costly pure function of (version, *args) in the app's cache; the data version is part of the key,
    so a new release never serves stale results. Without an app context it just calls the function."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        from flask import has_app_context

        from portal.app import cache
        from portal.store import get_store

        if not has_app_context():
            return fn(*args)
        key = f"{fn.__module__}.{fn.__qualname__}:{get_store().cache_key}:{args!r}"
        if len(key) > 400:
            import hashlib

            key = key[:200] + hashlib.sha1(key.encode()).hexdigest()
        try:
            hit = cache.get(key)
        except Exception:
            hit = None
        if hit is not None:
            return hit
        value = fn(*args)
        try:
            cache.set(key, value)
        except Exception:
            log.warning("cache set failed for %s", fn.__qualname__)
        return value

    return wrapper
