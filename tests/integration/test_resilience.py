"""Faults survived on standard parts: Redis going away and coming back, a worker killed under load, a new
release swapped in under load. Real processes: redis-server and gunicorn on loopback."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


class Redis:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (tests/run.sh installs it)")
    r = Redis(_free_port())
    r.start()
    yield r
    r.stop()


class Gunicorn:
    def __init__(self, release_dir: str | None = None, cache_url: str = "", workers: int = 2) -> None:
        self.port = _free_port()
        self.env = dict(os.environ, OMUP_CACHE_URL=cache_url, PYTHONPATH=str(ROOT))
        if release_dir:
            self.env["OMUP_RELEASE_DIR"] = release_dir
        self.workers = workers

    def __enter__(self) -> Gunicorn:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:server", "--preload", "--workers", str(self.workers),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "30", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        _wait(self.base + "/api/v1/indicators")
        return self

    def workers_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def __exit__(self, *exc) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def _hammer(base: str, paths: list[str], stop: threading.Event, results: list, threads: int = 6) -> list[threading.Thread]:
    def run(k: int) -> None:
        i = k
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += threads
            try:
                with urllib.request.urlopen(base + path, timeout=15) as r:
                    body = r.read()
                    results.append((r.status, path, body[:400]))
            except urllib.error.HTTPError as e:
                results.append((e.code, path, b""))
            except (OSError, http.client.HTTPException) as e:  # a connection cut by a dying worker
                results.append((0, path, repr(e).encode()))

    ts = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(threads)]
    for t in ts:
        t.start()
    return ts


PATHS = ["/api/v1/indicators", "/api/v1/units?q=wado", "/api/v1/profiles/1218093", "/", "/jst/1218093",
         "/api/v1/values?indicator=kanalizacja-odsetek&year=2024&level=wojewodztwo"]


def test_redis_goes_away_and_comes_back(settings, redis_server):
    """Requests keep succeeding from the local fallback while Redis is down; the cache reconnects after."""
    import redis as redis_lib

    from portal.cache import RETRY_AFTER_S, FallbackRedisCache

    url = f"redis://127.0.0.1:{redis_server.port}/0"
    cache = FallbackRedisCache(url, default_timeout=60)
    cache.set("a", {"x": 1})
    assert redis_lib.Redis.from_url(url).exists("omup:a")

    with Gunicorn(cache_url=url) as g:
        stop, results = threading.Event(), []
        ts = _hammer(g.base, PATHS, stop, results)
        time.sleep(2)
        redis_server.stop()
        time.sleep(3)
        during = len(results)
        # In-process: the cache answers from local memory while Redis is away.
        assert cache.get("a") == {"x": 1}
        assert not cache.redis_up
        redis_server.start()
        time.sleep(RETRY_AFTER_S + 3)
        stop.set()
        for t in ts:
            t.join(timeout=20)
    failed = [r for r in results if r[0] != 200]
    print(f"\nredis outage: {len(results)} requests ({len(results) - during} after Redis stopped), "
          f"{len(failed)} failed")
    assert len(results) > during > 20
    assert not failed, failed[:5]
    # Reconnected: new writes reach the restarted Redis.
    cache.set("b", 2)
    assert redis_lib.Redis.from_url(url).exists("omup:b")


def test_worker_killed_under_load(settings):
    """Killing a worker loses at most the requests it held; the master replaces it and serving goes on."""
    with Gunicorn() as g:
        stop, results = threading.Event(), []
        ts = _hammer(g.base, PATHS, stop, results, threads=4)
        time.sleep(2)
        victim = g.workers_pids()[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(4)
        stop.set()
        for t in ts:
            t.join(timeout=20)
        assert len(g.workers_pids()) == 2 and victim not in g.workers_pids()
    failed = [r for r in results if r[0] != 200]
    print(f"\nworker killed: {len(results)} requests, {len(failed)} failed (in flight on the killed worker)")
    assert len(results) > 50
    assert len(failed) <= 4, failed  # at most one in-flight request per client thread


def test_release_swapped_in_under_load(settings, tmp_path):
    """A new release behind `current` is served by every worker on its next request, with no failed request."""
    from portal.release import current_release_path

    good = current_release_path(settings)
    release = tmp_path / "release"
    (release / "releases").mkdir(parents=True)
    shutil.copytree(good, release / "releases" / good.name)
    os.symlink(Path("releases") / good.name, release / "current")
    # The "new" release: the same tables under a new version (what a rebuild with new data produces).
    new_version = "f" * 12
    shutil.copytree(good, release / "releases" / new_version)
    meta_path = release / "releases" / new_version / "metadata.json"
    meta = orjson.loads(meta_path.read_bytes())
    meta["version"] = new_version
    meta_path.write_bytes(orjson.dumps(meta))

    with Gunicorn(release_dir=str(release)) as g:
        stop, results = threading.Event(), []
        ts = _hammer(g.base, ["/api/v1/indicators", "/api/v1/units/1218093", "/"], stop, results)
        time.sleep(2)
        tmp_link = release / ".swap"
        os.symlink(Path("releases") / new_version, tmp_link)
        os.replace(tmp_link, release / "current")
        time.sleep(5)
        stop.set()
        for t in ts:
            t.join(timeout=20)
        versions_after = set()
        for _ in range(20):
            with urllib.request.urlopen(g.base + "/api/v1/indicators", timeout=10) as r:
                versions_after.add(orjson.loads(r.read())["meta"]["data_version"])
    failed = [r for r in results if r[0] != 200]
    print(f"\nrelease swap: {len(results)} requests, {len(failed)} failed, served after: {sorted(versions_after)}")
    assert not failed, failed[:5]
    assert versions_after == {new_version}
