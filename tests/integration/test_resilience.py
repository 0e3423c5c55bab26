"""Faults survived on standard parts: Redis going away and coming back, a worker killed under load. Real processes:
redis-server and gunicorn started from the Procfile on loopback (tests/integration/servers.py). What the server
itself wrote to Redis is read from Redis, not from an object of the test. A release swapped in under load by a real
`omup data build`: tests/integration/test_hardening.py."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
import urllib.error
import urllib.request

import orjson
import pytest

from tests.integration.servers import ProcfileServer, Redis

pytestmark = pytest.mark.integration
OPEN = {"OMUP_RATE_LIMIT": "10000000 per minute"}  # load from one address; the limiter is tested on its own


@pytest.fixture
def redis_server():
    r = Redis().start()
    yield r
    r.stop()


def _ranking_body(settings) -> bytes:
    """The area explorer's ranking callback, as the browser posts it: its rows are memoised in the cache."""
    from portal.state import resolve_state
    from portal.store import get_store

    store = get_store(settings)
    area = next(a for a in store.catalogue.areas if a.headline)
    state = resolve_state(store, area.id, {"wskaznik": area.headline, "widok": "ranking"}).as_dict()
    assert state["view"] == "ranking"  # the rows are built (and memoised) only for the ranking tab
    return orjson.dumps({"output": "area-ranking-box.children",
                         "outputs": {"id": "area-ranking-box", "property": "children"},
                         "inputs": [{"id": "area-state", "property": "data", "value": state}],
                         "changedPropIds": ["area-state.data"], "state": []})


def _hammer(base: str, requests: list, stop: threading.Event, results: list, threads: int = 6) -> list:
    def run(k: int) -> None:
        i = k
        while not stop.is_set():
            path, body = requests[i % len(requests)]
            i += threads
            req = urllib.request.Request(base + path, data=body,
                                         headers={"Content-Type": "application/json"} if body else {})
            try:
                with urllib.request.urlopen(req, timeout=15) as r:
                    r.read()
                    results.append((r.status, path))
            except urllib.error.HTTPError as e:
                results.append((e.code, path))
            except (OSError, http.client.HTTPException) as e:  # a connection cut by a dying worker
                results.append((0, f"{path}: {e!r}"))

    ts = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(threads)]
    for t in ts:
        t.start()
    return ts


PATHS = [("/api/v1/indicators", None), ("/api/v1/units?q=wado", None), ("/api/v1/profiles/1218093", None),
         ("/", None), ("/jst/1218093", None)]


def _cache_entries(redis: Redis) -> dict[bytes, bytes]:
    client = redis.client()
    return {k: client.get(k) for k in client.keys("omup:*")}


def test_redis_goes_away_and_comes_back(settings, redis_server):
    """The server's cache and rate-limit counters live in Redis; while Redis is down requests keep succeeding
    (local cache, per-process counters), and when it returns the server writes there again by itself."""
    requests = [*PATHS, ("/_dash-update-component", _ranking_body(settings))]
    with ProcfileServer(env={**OPEN, "OMUP_CACHE_URL": redis_server.url}) as g:
        stop, results = threading.Event(), []
        ts = _hammer(g.base, requests, stop, results)
        time.sleep(3)
        written = _cache_entries(redis_server)
        assert written and all(v.startswith((b"J", b"B")) for v in written.values()), list(written.values())[:1]
        assert redis_server.client().keys("LIMITS*"), "rate-limit counters in Redis"
        redis_server.stop()
        time.sleep(4)
        during = len(results)
        redis_server.start()  # empty: no persistence
        time.sleep(2 + 4)  # portal/cache.py retries Redis after 2 s
        rewritten = _cache_entries(redis_server)
        counters = redis_server.client().keys("LIMITS*")
        stop.set()
        for t in ts:
            t.join(timeout=20)
    failed = [r for r in results if r[0] != 200]
    print(f"\nredis outage: {len(results)} requests ({len(results) - during} after Redis returned), "
          f"{len(failed)} failed")
    assert len(results) > during > 20
    assert not failed, failed[:5]
    # Reconnected: the server put its cache entries (as data) and its counters back into the restarted Redis.
    assert rewritten and all(v.startswith((b"J", b"B")) for v in rewritten.values())
    assert counters


def test_worker_killed_under_load(settings):
    """Killing a worker loses at most the requests it held; the master replaces it and serving goes on."""
    with ProcfileServer(env=OPEN) as g:
        stop, results = threading.Event(), []
        ts = _hammer(g.base, PATHS, stop, results, threads=4)
        time.sleep(2)
        victim = g.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(5)
        stop.set()
        for t in ts:
            t.join(timeout=20)
        pids = g.worker_pids()
        assert len(pids) == 2 and victim not in pids
    failed = [r for r in results if r[0] != 200]
    print(f"\nworker killed: {len(results)} requests, {len(failed)} failed (in flight on the killed worker)")
    assert len(results) > 50
    assert len(failed) <= 4, failed  # at most one in-flight request per client thread
