"""Mixed load plus slow full-release downloads against gunicorn started exactly as the Procfile says.

    python bench/load_downloads.py                 # 60 s; writes bench/results.json (hardening_load) and RESULTS.md
    python bench/load_downloads.py --worker-class sync --seconds 30 --no-write   # the same with sync workers

The issue's "done when": under `wrk -t2 -c32 -d60s` (pages, callbacks, API calls, geometry) plus two clients
downloading the full release at 2 MB/s (curl --limit-rate 2M, back to back for the whole run: the demo edition's
CSV.gz, its Parquet file, and the old /pobierz/wydanie.csv address), the API answers within 1 s at p99 (a prober
times one API call at a time, next to wrk), every download is byte-exact (SHA-256 against the release's
downloads/index.json) and no answer is outside 2xx.

The load comes from one address, so the per-client budget is raised for the run (OMUP_RATE_LIMIT), as in
bench/run.py; the limiter itself is tested in tests/integration/test_hardening.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

API_PATHS = ["/api/v1/units/1218093", "/api/v1/units?q=wad", "/api/v1/indicators",
             "/api/v1/values?indicator=ludnosc&year=2020&level=powiat&page_size=100",
             "/api/v1/rankings?indicator=egzamin-8-matematyka&unit=1218093", "/api/v1/profiles/1218093"]
DOWNLOADS = ["/pobierz/wydanie.csv.gz?demo=1", "/pobierz/wydanie.parquet?demo=1", "/pobierz/wydanie.csv?demo=1"]


def Procfile(env: dict[str, str] | None = None, worker_class: str | None = None, log: Path | None = None):
    """gunicorn exactly as the Procfile starts it: the server the integration tests use."""
    from tests.integration.servers import ProcfileServer

    return ProcfileServer(env=env, worker_class=worker_class, log=log)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def expected_checksums(base: str) -> dict[str, str]:
    """SHA-256 of each download as the release's index names it (read from disk, as the server does)."""
    from portal.config import Settings
    from portal.pipeline.downloads import read_index
    from portal.store import get_store

    store = get_store(Settings.from_env(), demo=True)
    index = read_index(store.path)
    if index is None:
        raise SystemExit("the current release has no downloads/ (rebuild it: omup data build)")
    files = index["files"]
    return {"/pobierz/wydanie.csv.gz?demo=1": files["wydanie.csv.gz"]["sha256"],
            "/pobierz/wydanie.parquet?demo=1": files["wydanie.parquet"]["sha256"],
            "/pobierz/wydanie.csv?demo=1": files["wydanie.csv.gz"]["sha256"]}  # the same bytes, gzip-encoded


def downloader(base: str, start: int, rate: str, stop: threading.Event, expected: dict[str, str],
               out: list[dict]) -> None:
    """curl at a limited rate, one full-release file after another, until the load ends; each checked."""
    tmp = Path(tempfile.mkdtemp(prefix="omup-dl-"))
    k = start
    try:
        while not stop.is_set():
            path = DOWNLOADS[k % len(DOWNLOADS)]
            k += 1
            target = tmp / "file"
            began = time.time()
            # No --compressed: the .csv address is stored as sent (gzip bytes), so one checksum fits both.
            cmd = ["curl", "-sS", "--limit-rate", rate, "-H", "Accept-Encoding: gzip", "-o", str(target),
                   "-w", "%{http_code} %{size_download}", base + path]
            done = subprocess.run(cmd, capture_output=True, text=True)
            code, _, size = done.stdout.strip().partition(" ")
            digest = hashlib.sha256(target.read_bytes()).hexdigest() if target.exists() else ""
            out.append({"path": path, "status": int(code or 0), "bytes": int(size or 0),
                        "seconds": round(time.time() - began, 1), "sha256_ok": digest == expected[path],
                        "curl_error": done.stderr.strip()[:200]})
            target.unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def prober(base: str, stop: threading.Event, out: list[tuple[float, int]]) -> None:
    """One API call at a time, round the API paths, timing each (the API's latency under the load)."""
    i = 0
    while not stop.is_set():
        path = API_PATHS[i % len(API_PATHS)]
        i += 1
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = 0
        out.append((time.perf_counter() - began, status))
        time.sleep(0.05)


def wrk_script(path: Path) -> None:
    """The mixed rotation of bench/run.py's load run: pages, API calls, the geometry file and callbacks."""
    import orjson

    from bench.run import map_body, profile_body, states
    from portal.store import get_store

    store = get_store()
    geo = store.geometry_file("gmina").split("/")[-1]
    bodies = [map_body(s) for s in states(store, 20)] + [profile_body("1218093"), profile_body("1261011")]
    lines = ["local reqs = {}", "local i = 0"]
    for p in ["/", "/obszar/edukacja", "/jst/1218093", *API_PATHS[:4], "/geo/" + geo]:
        lines.append(f'table.insert(reqs, wrk.format("GET", "{p}"))')
    for b in bodies:
        data = orjson.dumps(b).decode().replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'table.insert(reqs, wrk.format("POST", "/_dash-update-component", '
                     f'{{["Content-Type"]="application/json"}}, "{data}"))')
    lines += ["request = function()", "  i = i + 1", "  return reqs[(i % #reqs) + 1]", "end",
              "done = function(summary, latency, requests)",
              '  io.write(string.format("Non-2xx or 3xx responses: %d\\n", summary.errors.status))', "end"]
    path.write_text("\n".join(lines) + "\n")


def run(seconds: int, connections: int, rate: str, worker_class: str | None) -> dict:
    from bench.run import wrk

    env = {"OMUP_RATE_LIMIT": "10000000 per minute", "OMUP_CACHE_URL": ""}
    os.environ.update(env)
    tmp = HERE / "tmp"
    tmp.mkdir(exist_ok=True)
    script = tmp / "mix_downloads.lua"
    wrk_script(script)
    with Procfile(env=env, worker_class=worker_class, log=tmp / "gunicorn-load.log") as g:
        expected = expected_checksums(g.base)
        for _ in range(10):  # warm every worker's caches
            urllib.request.urlopen(g.base + "/jst/1218093", timeout=30).read()
        stop = threading.Event()
        downloads: list[dict] = []
        probes: list[tuple[float, int]] = []
        threads = [threading.Thread(target=downloader, args=(g.base, k, rate, stop, expected, downloads))
                   for k in range(2)]
        threads.append(threading.Thread(target=prober, args=(g.base, stop, probes)))
        for t in threads:
            t.start()
        time.sleep(2)  # both downloads under way before the load starts
        out = wrk(g.base, seconds, connections, script, threads=2, timeout=60)
        stop.set()
        for t in threads:
            t.join(timeout=600)
        worker_class = g.args[g.args.index("--worker-class") + 1]
        threads_per_worker = g.args[g.args.index("--threads") + 1] if "--threads" in g.args else "1"
    api_ms = [d * 1000 for d, _ in probes]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        # Other work on the machine during the run (2 cores): the figures drift with it.
        "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()], "cpus": os.cpu_count(),
        "command": f"wrk -t2 -c{connections} -d{seconds}s --timeout 60s (mixed) + 2 × curl --limit-rate {rate} "
                   "(full release)",
        "gunicorn": f"Procfile: {worker_class}, threads {threads_per_worker}",
        "wrk": {k: v for k, v in out.items() if k != "raw"},
        "api_probe": {"requests": len(probes), "p50_ms": round(pct(api_ms, 0.5), 1),
                      "p99_ms": round(pct(api_ms, 0.99), 1), "max_ms": round(max(api_ms), 1) if api_ms else None,
                      "non_2xx": sum(1 for _, s in probes if not 200 <= s < 300)},
        "downloads": {"completed": len(downloads),
                      "byte_exact": sum(1 for d in downloads if d["sha256_ok"] and d["status"] == 200),
                      "non_2xx": sum(1 for d in downloads if not 200 <= d["status"] < 300),
                      "megabytes": round(sum(d["bytes"] for d in downloads) / 1e6, 1),
                      "each": downloads},
    }


def verdict(result: dict) -> dict:
    api = result["api_probe"]
    dl = result["downloads"]
    return {"api_p99_under_1s": api["p99_ms"] < 1000,
            "downloads_byte_exact": dl["completed"] > 0 and dl["byte_exact"] == dl["completed"],
            "no_non_2xx": result["wrk"]["non_2xx"] == 0 and api["non_2xx"] == 0 and dl["non_2xx"] == 0
            and not result["wrk"].get("socket_errors")}


MARK_START, MARK_END = "<!-- hardening:start -->", "<!-- hardening:end -->"


def write_markdown(data: dict) -> None:
    """The hardening section of RESULTS.md (between markers, so bench/run.py keeps it)."""
    r = data.get("hardening_load")
    if not r:
        return
    v = verdict(r)
    w, api, dl = r["wrk"], r["api_probe"], r["downloads"]
    sync = data.get("hardening_load_sync")
    sync_row = ""
    if sync:
        sw, sa, sd = sync["wrk"], sync["api_probe"], sync["downloads"]
        sync_row = (f"| {sync['gunicorn']} ({sync['command'].split(' (')[0]}) | {sw['requests']} | {sw['p99_ms']} | "
                    f"{sw['non_2xx']} | {sa['p50_ms']} | {sa['p99_ms']} | {sa['max_ms']} | "
                    f"{sd['byte_exact']}/{sd['completed']} |\n")
    st = data.get("schemathesis")
    st_md = ""
    if st:
        st_md = (f"\n**Contract (schemathesis).** `{st['command']}` against gunicorn ({st['server']}): "
                 f"{st['cases']} test cases, **{st['failures']} failures** ({st['date']}).\n")
    csp = data.get("csp_check")
    csp_md = ""
    if csp:
        csp_md = (f"\n**CSP without 'unsafe-eval' / 'unsafe-inline' scripts** (`python bench/csp_check.py`, headless "
                  f"Chromium, {len(csp['pages'])} page kinds incl. the MapLibre map, the AG Grid ranking, clientside "
                  f"callbacks and embeds): {csp['violations']} violations, {csp['console_errors']} console errors, "
                  f"every page rendered: {csp['all_rendered']}; `eval` refused on every page (control): "
                  f"{csp['eval_refused_everywhere']}.\n")
    row = (f"| {r['gunicorn']} | {w['requests']} | {w['p99_ms']} | {w['non_2xx']} | {api['p50_ms']} | "
           f"{api['p99_ms']} | {api['max_ms']} | {dl['byte_exact']}/{dl['completed']} ({dl['megabytes']} MB) |")
    md = f"""{MARK_START}
## Hardening (issue 18): load with slow full-release downloads

`python bench/load_downloads.py` ({r['date']}, {r.get('cpus')} cores, load average at the end
{r.get('load_average_1_5_15')}): gunicorn started from the `Procfile` ({r['gunicorn']}),
{r['command']}; the API timed by a prober (one call at a time) next to wrk. Downloads: the demo edition's
`wydanie.csv.gz`, `wydanie.parquet` and the old `/pobierz/wydanie.csv` address in turn, back to back, each checked
by SHA-256 against the release's `downloads/index.json`.

| gunicorn | wrk requests | wrk p99 ms | wrk non-2xx | API p50 ms | API p99 ms | API max ms | downloads byte-exact |
|---|---|---|---|---|---|---|---|
{row}
{sync_row}
Done when: API p99 < 1 s: **{v['api_p99_under_1s']}**; downloads byte-exact: **{v['downloads_byte_exact']}**;
0 non-2xx: **{v['no_non_2xx']}**.
{st_md}{csp_md}{MARK_END}
"""
    from bench.sections import write_section

    write_section(md, MARK_START, MARK_END)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rate", default="2M", help="curl --limit-rate of each download")
    ap.add_argument("--worker-class", help="override the Procfile's (e.g. sync, for comparison)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk") or not shutil.which("curl"):
        print("bench: wrk and curl are needed", file=sys.stderr)
        return 2
    result = run(args.seconds, args.connections, args.rate, args.worker_class)
    result["verdict"] = verdict(result)
    summary = {k: v for k, v in result.items() if k != "downloads"}
    summary["downloads"] = {k: v for k, v in result["downloads"].items() if k != "each"}
    print(json.dumps(summary, indent=2))
    if not args.no_write:
        key = "hardening_load" if not args.worker_class else f"hardening_load_{args.worker_class}"
        path = HERE / "results.json"
        data = json.loads(path.read_text()) if path.exists() else {}
        data[key] = result
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        write_markdown(data)
    return 0 if all(result["verdict"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
