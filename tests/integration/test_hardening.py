"""Issue 18 with real processes: gunicorn started from the Procfile, redis-server, curl and `omup data build` on
loopback. The limiter under gunicorn with Redis (and what it does without), slow clients downloading the full
release while the API stays fast, a download slower than the worker timeout, a release swapped in by a real
build under load, malformed and huge callback bodies, and the Host header."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
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

from tests.integration.servers import ROOT, ProcfileServer, Redis, private_release

pytestmark = pytest.mark.integration
UNIT = "1218093"
OPEN = {"OMUP_RATE_LIMIT": "10000000 per minute"}  # load from one address; the limiter has tests of its own


def _get(url: str, timeout: float = 30, headers: dict | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


@pytest.fixture(scope="module")
def release_dir(settings, tmp_path_factory) -> Path:
    from portal.release import current_release_path

    return private_release(current_release_path(settings), tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def server(release_dir):
    with ProcfileServer(env={**OPEN, "OMUP_RELEASE_DIR": str(release_dir)}) as g:
        yield g


def _index(release_dir: Path, demo: bool = False) -> dict:
    folder = (release_dir / "current").resolve() / ("demo" if demo else "")
    return orjson.loads((folder / "downloads" / "index.json").read_bytes())["files"]


def _curl(url: str, rate: str, target: Path) -> subprocess.Popen:
    return subprocess.Popen(["curl", "-sS", "--limit-rate", rate, "-o", str(target), "-w", "%{http_code}", url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# ----------------------------------------------------------------------------- the limiter, for real
def test_one_budget_per_client_shared_by_every_worker_through_redis(release_dir):
    redis = Redis().start()
    try:
        env = {"OMUP_RELEASE_DIR": str(release_dir), "OMUP_CACHE_URL": redis.url, "OMUP_RATE_LIMIT": "20 per minute"}
        with ProcfileServer(env=env) as g:
            paths = ["/api/v1/indicators", "/api/v1/units/1218093", "/api/v1/releases"]
            answers = [_get(g.base + paths[i % 3]) for i in range(16)]
            pids = len(g.worker_pids())
        codes = [a[0] for a in answers]
        # 2 per API call: exactly ten fit in 20, whichever of the processes and threads served them.
        assert codes == [200] * 10 + [429] * 6, codes
        assert pids == 2
        assert int(answers[-1][2]["Retry-After"]) > 0 and answers[0][2]["X-RateLimit-Limit"] == "20"
        assert redis.client().keys("LIMITS*"), "the counters live in Redis"
    finally:
        redis.stop()


def test_without_redis_each_process_counts_for_itself(release_dir):
    """What the README says: no shared store, so N processes let a client through up to N budgets."""
    env = {"OMUP_RELEASE_DIR": str(release_dir), "OMUP_RATE_LIMIT": "20 per minute"}
    with ProcfileServer(env=env) as g:
        ok = sum(_get(g.base + "/api/v1/releases")[0] == 200 for _ in range(40))
    assert 10 <= ok <= 20, ok
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Without Redis every process counts" in readme


# ----------------------------------------------------------------------------- slow full-release downloads
def test_slow_full_release_downloads_leave_the_api_fast(server, release_dir, tmp_path):
    """Two slow clients take the demo edition's full-release files (~30 s each) while API calls go on: the calls
    keep answering while both downloads run (with the sync workers of before, both processes were held until the
    downloads ended, so no call could complete in between), and the files arrive byte for byte."""
    files = _index(release_dir, demo=True)
    downloads = []
    for name, target in (("wydanie.csv.gz", tmp_path / "a"), ("wydanie.parquet", tmp_path / "b")):
        rate = f"{max(1, files[name]['bytes'] // 30 // 1024)}K"  # about 30 s each
        downloads.append((_curl(server.base + f"/pobierz/{name}?demo=1", rate, target), name, target))
    time.sleep(1)
    calls = []  # (latency s, status, finished while both downloads ran)
    while any(p.poll() is None for p, _, _ in downloads) and len(calls) < 400:
        began = time.perf_counter()
        status, _, _ = _get(server.base + f"/api/v1/profiles/{UNIT}")
        both_running = all(p.poll() is None for p, _, _ in downloads)
        calls.append((time.perf_counter() - began, status, both_running))
    during = [c for c in calls if c[2]]
    assert all(status == 200 for _, status, _ in calls)
    assert len(during) >= 5, f"only {len(during)} API calls completed while both downloads ran"
    assert max(t for t, _, _ in during) < 10, sorted(t for t, _, _ in during)[-3:]
    for p, name, target in downloads:
        assert p.communicate(timeout=120)[0] == "200"
        assert hashlib.sha256(target.read_bytes()).hexdigest() == files[name]["sha256"]
    print(f"\nslow downloads: {len(during)} API calls while both ran, slowest {max(t for t, _, _ in during):.2f} s")


def test_a_download_slower_than_the_worker_timeout_completes(server, release_dir, tmp_path):
    """The probe's failure: a 200 that stopped mid-file when gunicorn killed the worker at --timeout 30 s."""
    files = _index(release_dir)
    size = files["wydanie.parquet"]["bytes"]
    rate = max(1, size // 38 // 1024)  # about 38 s, past the 30 s timeout
    proc = _curl(server.base + "/pobierz/wydanie.parquet", f"{rate}K", tmp_path / "slow")
    code = proc.communicate(timeout=180)[0]
    assert code == "200"
    data = (tmp_path / "slow").read_bytes()
    assert len(data) == size and hashlib.sha256(data).hexdigest() == files["wydanie.parquet"]["sha256"]
    assert "WORKER TIMEOUT" not in server.log


# ----------------------------------------------------------------------------- bodies and Host
def _callback_body(base: str) -> dict:
    deps = orjson.loads(_get(base + "/_dash-dependencies")[1])
    dep = next(d for d in deps if d["output"].startswith("..area-url.search"))
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    return {"output": dep["output"], "outputs": outputs, "inputs": [{**i, "value": None} for i in dep["inputs"]],
            "state": [{**s, "value": None} for s in dep["state"]], "changedPropIds": []}


def _post(base: str, data: bytes) -> tuple[int, bytes]:
    req = urllib.request.Request(base + "/_dash-update-component", data=data,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_malformed_callback_bodies_are_400_with_one_log_line_each(server):
    body = _callback_body(server.base)
    cases = {
        "missing outputs": {k: v for k, v in body.items() if k != "outputs"},
        "an input sent twice": {**body, "inputs": [*body["inputs"], body["inputs"][0]]},
        "15,000 inputs": {**body, "inputs": [body["inputs"][0]] * 15_000},
    }
    datas = {name: orjson.dumps(b) for name, b in cases.items()}
    datas["nested 2,000 deep"] = b'{"output": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    before = server.log.count("rejected callback body")
    for name, data in datas.items():
        status, answer = _post(server.base, data)
        assert status == 400, (name, answer[:200])
        assert orjson.loads(answer)["error"]["code"] == "invalid_callback_body"
    time.sleep(0.5)
    log = server.log
    assert log.count("rejected callback body") - before == len(datas)
    assert "Traceback" not in log


def _rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def _send_huge(port: int, head: bytes, chunk: bytes, limit_bytes: int) -> tuple[bytes, int]:
    """Send a request head, then body chunks until the server answers (or limit_bytes): (answer, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sent = 0
    try:
        sock.sendall(head)
        sock.setblocking(False)
        answer = b""
        while sent < limit_bytes:
            try:
                answer += sock.recv(65536)
                if answer:
                    break
            except BlockingIOError:
                pass
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                time.sleep(0.001)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(30)
        try:
            while b"\r\n\r\n" not in answer:
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
        except (ConnectionResetError, TimeoutError):
            pass
        return answer, sent
    finally:
        sock.close()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_400_mb_callback_body_is_refused_unread(server, framing):
    rss_before = {pid: _rss_mb(pid) for pid in server.worker_pids()}
    if framing == "content-length":
        head = (b"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 400000000\r\n\r\n")
        chunk = b"[" * 65536
    else:
        head = (b"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"10000\r\n" + b"[" * 65536 + b"\r\n"
    answer, sent = _send_huge(server.port, head, chunk, 400_000_000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 100_000_000  # answered long before the body could be read
    time.sleep(0.5)
    grown = max(_rss_mb(pid) - rss_before.get(pid, _rss_mb(pid)) for pid in server.worker_pids())
    assert grown < 50, f"a worker grew by {grown:.0f} MB"
    assert _get(server.base + "/api/v1/releases")[0] == 200  # and the server serves on


def test_host_header_is_checked_and_never_echoed(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for path in ("/", "/api", f"/oembed?url=http://evil.example/jst/{UNIT}", "/feeds/wydania.atom"):
        conn.request("GET", path, headers={"Host": "evil.example"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 400 and b"evil.example" not in body, (path, r.status)
    conn.close()
    status, body, _ = _get(server.base + f"/oembed?url=http://evil.example/jst/{UNIT}")
    assert status == 404
    status, body, _ = _get(server.base + f"/oembed?url=http://127.0.0.1/jst/{UNIT}")
    assert status == 200 and b'src=\\"http://127.0.0.1:8050/embed/trend' in body


# ----------------------------------------------------------------------------- a release swapped by a build
def _hammer(base: str, paths: list[str], stop: threading.Event, results: list, threads: int = 4) -> list:
    def run(k: int) -> None:
        i = k
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += threads
            try:
                with urllib.request.urlopen(base + path, timeout=30) as r:
                    r.read()
                    results.append((r.status, path))
            except urllib.error.HTTPError as e:
                results.append((e.code, path))
            except (OSError, http.client.HTTPException) as e:
                results.append((0, f"{path}: {e!r}"))

    ts = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(threads)]
    for t in ts:
        t.start()
    return ts


def test_release_built_and_swapped_in_by_omup_data_build_under_load(settings, tmp_path):
    """`omup data build` (a real build into a release folder of its own) swaps `current` while gunicorn serves it
    under load: no request fails, every process serves the new version afterwards, with its own full-release
    files."""
    from portal.release import current_release_path

    release = private_release(current_release_path(settings), tmp_path / "release")
    old = (release / "current").resolve().name
    env = {**OPEN, "OMUP_RELEASE_DIR": str(release)}
    with ProcfileServer(env=env) as g:
        stop, results = threading.Event(), []
        paths = ["/api/v1/indicators", f"/api/v1/units/{UNIT}", f"/jst/{UNIT}", "/pobierz/wydanie.parquet",
                 "/api/v1/values?indicator=ludnosc&level=wojewodztwo&year=2020"]
        ts = _hammer(g.base, paths, stop, results)
        built = subprocess.run([sys.executable, "-m", "portal.cli", "data", "build", "--seed", "7"],
                               cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=1800)
        time.sleep(3)
        stop.set()
        for t in ts:
            t.join(timeout=60)
        assert built.returncode == 0, built.stderr[-2000:]
        new = re.search(r"release (\w+) in", built.stdout).group(1)
        served = {orjson.loads(_get(g.base + "/api/v1/releases")[1])["meta"]["data_version"] for _ in range(20)}
        status, data, headers = _get(g.base + "/pobierz/wydanie.parquet")
    failed = [r for r in results if r[0] != 200]
    print(f"\nbuild swap: {len(results)} requests during the build, {len(failed)} failed; {old} → {new}")
    assert len(results) > 50 and not failed, failed[:5]
    assert new != old and served == {new}
    files = _index(release)
    assert status == 200 and hashlib.sha256(data).hexdigest() == files["wydanie.parquet"]["sha256"]
    assert headers["X-Checksum-SHA256"] == files["wydanie.parquet"]["sha256"]
    assert (release / "releases" / new / "demo" / "downloads" / "wydanie.csv.gz").exists()
    shutil.rmtree(release, ignore_errors=True)
