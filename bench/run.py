"""OMUP performance benchmark: one command, all figures from the same run.

    python bench/run.py            # ~5 minutes on 2 cores; writes bench/RESULTS.md and bench/results.json
    python bench/run.py --load     # also the 60 s, 32-connection mixed load run (issue: reliability)

Measures: payload budgets (geometry, map-update response, first and repeat visit of the area page in headless
Chromium), server time per callback (map, ranking, profile) next to a no-op Dash callback, HTTP throughput with
wrk against gunicorn (map callback and profile page vs a precomputed-bytes Flask route), memory per worker (PSS).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "map_update_p50_ms": ("≤", 2.0),
    "map_update_p95_ms": ("≤", 5.0),
    "map_update_response_gzip_kb": ("≤", 15.0),
    "geometry_gmina_br_kb": ("≤", 250.0),
    "first_visit_kb": ("≤", 1600.0),
    "repeat_visit_kb": ("≤", 100.0),
    "map_callback_throughput_ratio": ("≥", 0.3),
    "profile_callback_throughput_ratio": ("≥", 0.1),
    "profile_p95_ms": ("≤", 50.0),
    "pss_mb_per_worker": ("≤", 60.0),
}
BENCH_ENV = {
    "OMUP_RATE_LIMIT": "10000000 per minute",  # the load comes from one address
    "OMUP_CACHE_URL": "",
}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# ------------------------------------------------------------------------------------------- payloads
def callback_body(output: str, outputs, inputs: list[dict], state: list[dict] | None = None) -> dict:
    changed = [f"{i['id']}.{i['property']}" for i in inputs]
    return {"output": output, "outputs": outputs, "inputs": inputs, "changedPropIds": changed, "state": state or []}


def map_body(state: dict) -> dict:
    return callback_body("area-map-figure.data", {"id": "area-map-figure", "property": "data"},
                         [{"id": "area-state", "property": "data", "value": state}])


def ranking_body(state: dict) -> dict:
    state = dict(state, view="ranking")
    return callback_body("area-ranking-box.children", {"id": "area-ranking-box", "property": "children"},
                         [{"id": "area-state", "property": "data", "value": state}])


def profile_body(teryt: str) -> dict:
    outs = [{"id": "page", "property": "children"}, {"id": "title-sink", "property": "children"}]
    return callback_body("..page.children...title-sink.children..", outs,
                         [{"id": "url", "property": "pathname", "value": f"/jst/{teryt}"}],
                         [{"id": "url", "property": "search", "value": ""}])


def noop_body(i: int) -> dict:
    return callback_body("bench-noop-out.children", {"id": "bench-noop-out", "property": "children"},
                         [{"id": "bench-noop-in", "property": "value", "value": i}])


def states(store, n: int) -> list[dict]:
    """Realistic explorer states: gmina maps of many indicators and years, some with a selected unit."""
    from portal.state import resolve_state

    out = []
    inds = [i for i in store.catalogue.indicators if "gmina" in i.levels]
    units = list(store.level_codes("gmina"))
    for k in range(n):
        ind = inds[k % len(inds)]
        years = store.years(ind.id, "gmina")
        params = {"wskaznik": ind.id, "rok": str(years[k % len(years)]), "poziom": "gminy"}
        if k % 2:
            params["jst"] = units[(k * 37) % len(units)]
        out.append(resolve_state(store, ind.area, params).as_dict())
    return out


# ------------------------------------------------------------------------------------------- in-process timing
def time_callbacks(results: dict, n: int) -> None:
    os.environ.update(BENCH_ENV)
    import bench.wsgi_bench as wb
    from portal.store import get_store

    store = get_store()
    client = wb.server.test_client()
    headers = {"Accept-Encoding": "gzip", "Content-Type": "application/json"}

    def run(bodies: list[dict]) -> tuple[list[float], list[int]]:
        times, sizes = [], []
        for body in bodies[:5]:
            client.post("/_dash-update-component", data=orjson.dumps(body), headers=headers)
        for body in bodies:
            payload = orjson.dumps(body)
            t0 = time.perf_counter()
            r = client.post("/_dash-update-component", data=payload, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (r.status_code, r.data[:300])
            sizes.append(len(r.data))
        return times, sizes

    sts = states(store, n)
    noop_t, _ = run([noop_body(i) for i in range(n)])
    map_t, map_sizes = run([map_body(s) for s in sts])
    rank_t, _ = run([ranking_body(s) for s in sts[: max(50, n // 4)]])
    gminy = list(store.level_codes("gmina"))
    prof_units = [gminy[(k * 53) % len(gminy)] for k in range(max(60, n // 5))]
    prof_t, _ = run([profile_body(t) for t in prof_units])

    # Response size as sent (gzip), for a typical map update: the median over the states.
    results.update({
        "noop_p50_ms": round(pct(noop_t, 0.5), 3),
        "noop_p95_ms": round(pct(noop_t, 0.95), 3),
        "map_update_p50_ms": round(pct(map_t, 0.5), 3),
        "map_update_p95_ms": round(pct(map_t, 0.95), 3),
        "map_update_response_gzip_kb": round(statistics.median(map_sizes) / 1024, 1),
        "ranking_p50_ms": round(pct(rank_t, 0.5), 2),
        "ranking_p95_ms": round(pct(rank_t, 0.95), 2),
        "profile_p50_ms": round(pct(prof_t, 0.5), 2),
        "profile_p95_ms": round(pct(prof_t, 0.95), 2),
        "callback_samples": {"map": len(map_t), "ranking": len(rank_t), "profile": len(prof_t), "noop": len(noop_t)},
    })
    geo = store.meta["geometry"]
    results["geometry_gmina_br_kb"] = round(geo["gmina"]["br_bytes"] / 1024, 1)
    results["geometry_powiat_br_kb"] = round(geo["powiat"]["br_bytes"] / 1024, 1)
    results["data_version"] = store.version
    results["_map_body"] = map_body(sts[1])
    results["_profile_teryt"] = "1218093"


# ------------------------------------------------------------------------------------------- gunicorn + wrk
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, workers: int = 2) -> None:
        self.port = free_port()
        self.workers = workers

    def __enter__(self) -> Gunicorn:
        env = dict(os.environ, **BENCH_ENV, PYTHONPATH=str(ROOT))
        self.log = open(HERE / "tmp" / "gunicorn.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bench.wsgi_bench:server", "--preload", "--workers", str(self.workers),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048",
             "--keep-alive", "5", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/_bench/ceiling", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start; see bench/tmp/gunicorn.log")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def __exit__(self, *exc) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def wrk(url: str, seconds: int, connections: int, script: Path | None = None, threads: int = 1,
        timeout: int | None = None) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip"]
    if timeout:  # wrk drops a request slower than its timeout (2 s) from the latencies: count it instead
        cmd.append(f"--timeout={timeout}s")
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"), "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else "", "requests": int(total.group(1)) if total else 0,
            "raw": out}


def _ms(text: str) -> float:
    value = float(re.match(r"[\d.]+", text).group(0))
    unit = text[len(re.match(r"[\d.]+", text).group(0)):]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def post_script(body: dict, path: Path) -> Path:
    data = orjson.dumps(body).decode().replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(f'wrk.method = "POST"\nwrk.body = "{data}"\nwrk.headers["Content-Type"] = "application/json"\n')
    return path


def pss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1)) / 1024


def throughput(results: dict, seconds: int) -> None:
    tmp = HERE / "tmp"
    with Gunicorn(workers=2) as g:
        # Memory right after the fork, before any request: what the preloaded master shares with each worker.
        time.sleep(1)
        results["pss_mb_workers_idle"] = [round(pss_mb(p), 1) for p in g.worker_pids()]
        # Warm up every worker: pages, callbacks, geometry.
        for _ in range(40):
            urllib.request.urlopen(g.base + "/obszar/edukacja", timeout=10).read()
        script = post_script(results["_map_body"], tmp / "map.lua")
        wrk(g.base + "/_dash-update-component", 5, 8, script)
        ceiling = wrk(g.base + "/_bench/ceiling", seconds, 8)
        mapcb = wrk(g.base + "/_dash-update-component", seconds, 8, script)
        prof_script = post_script(profile_body(results["_profile_teryt"]), tmp / "profile.lua")
        profile = wrk(g.base + "/_dash-update-component", seconds, 8, prof_script)
        page = wrk(g.base + "/jst/1218093", seconds, 8)
        pss = [pss_mb(p) for p in g.worker_pids()]
        results["pss_mb_per_worker"] = round(max(pss), 1)
        results["pss_mb_workers"] = [round(x, 1) for x in pss]
        results["pss_mb_master"] = round(pss_mb(g.proc.pid), 1)
        results["wrk"] = {k: {kk: vv for kk, vv in v.items() if kk != "raw"}
                          for k, v in {"ceiling": ceiling, "map_callback": mapcb, "profile_callback": profile,
                                       "profile_page_html": page}.items()}
        results["map_callback_throughput_ratio"] = round(mapcb["rps"] / ceiling["rps"], 3)
        results["profile_callback_throughput_ratio"] = round(profile["rps"] / ceiling["rps"], 3)


def load_run(results: dict, seconds: int = 60, connections: int = 32) -> None:
    """Mixed load: pages, callbacks and API calls, 32 connections, 60 s; no non-2xx allowed, memory steady."""
    tmp = HERE / "tmp"
    bodies = [map_body(s) for s in results["_states"][:20]] + [profile_body("1218093"), profile_body("1261011")]
    lines = ["local reqs = {}", "local i = 0"]
    paths = ["/", "/obszar/edukacja", "/jst/1218093", "/api/v1/units?q=wad", "/api/v1/indicators",
             "/api/v1/values?indicator=kanalizacja-odsetek&year=2024&level=gmina&page_size=100",
             "/api/v1/profiles/1218093", "/geo/" + results["_geo_file"]]
    for p in paths:
        lines.append(f'table.insert(reqs, wrk.format("GET", "{p}"))')
    for b in bodies:
        data = orjson.dumps(b).decode().replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'table.insert(reqs, wrk.format("POST", "/_dash-update-component", '
                     f'{{["Content-Type"]="application/json"}}, "{data}"))')
    lines += ["request = function()", "  i = i + 1", "  return reqs[(i % #reqs) + 1]", "end"]
    lines += ["done = function(summary, latency, requests)",
              '  io.write(string.format("Non-2xx or 3xx responses: %d\\n", summary.errors.status))', "end"]
    script = tmp / "mix.lua"
    script.write_text("\n".join(lines) + "\n")
    with Gunicorn(workers=2) as g:
        for _ in range(20):
            urllib.request.urlopen(g.base + "/", timeout=10).read()
        before = [pss_mb(p) for p in g.worker_pids()]
        out = wrk(g.base, seconds, connections, script, threads=2)
        after = [pss_mb(p) for p in g.worker_pids()]
    results["load_mixed"] = {"seconds": seconds, "connections": connections, "requests": out["requests"],
                             "rps": out["rps"], "p50_ms": out["p50_ms"], "p99_ms": out["p99_ms"],
                             "non_2xx": out["non_2xx"], "socket_errors": out["socket_errors"],
                             "pss_mb_before": [round(x, 1) for x in before], "pss_mb_after": [round(x, 1) for x in after]}


# ------------------------------------------------------------------------------------------- browser
def browser_bytes(results: dict) -> None:
    from playwright.sync_api import sync_playwright

    with Gunicorn(workers=2) as g, sync_playwright() as p:
        b = p.chromium.launch(executable_path=os.environ.get("OMUP_CHROMIUM", "/usr/bin/chromium"),
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--no-first-run", "--disable-quic"])
        context = b.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sizes: dict[str, float] = {}
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        url = g.base + "/obszar/edukacja?wskaznik=egzamin-8-matematyka"

        def visit() -> tuple[float, int, list]:
            sizes.clear()
            urls.clear()
            page.goto(url, wait_until="networkidle")
            page.wait_for_function("() => { const g = document.querySelector('#area-map .js-plotly-plot');"
                                   " return g && g.data && g.data.length > 0; }", timeout=30_000)
            page.wait_for_timeout(1500)
            top = sorted(((sizes[k], urls.get(k, "")) for k in sizes), reverse=True)[:6]
            return sum(sizes.values()) / 1024, len(sizes), [(round(s / 1024, 1), u.replace(g.base, "")) for s, u in top]

        first_kb, first_n, first_top = visit()
        repeat_kb, repeat_n, repeat_top = visit()
        b.close()
    results["first_visit_kb"] = round(first_kb, 1)
    results["first_visit_requests"] = first_n
    results["first_visit_largest"] = first_top
    results["repeat_visit_kb"] = round(repeat_kb, 1)
    results["repeat_visit_requests"] = repeat_n
    results["repeat_visit_largest"] = repeat_top


# ------------------------------------------------------------------------------------------- report
def verdicts(results: dict) -> list[tuple[str, float, str, bool]]:
    out = []
    for key, (op, target) in TARGETS.items():
        value = results.get(key)
        if value is None:
            continue
        ok = value <= target if op == "≤" else value >= target
        out.append((key, value, f"{op} {target:g}", ok))
    return out


def write_report(results: dict, notes_path: Path) -> None:
    clean = {k: v for k, v in results.items() if not k.startswith("_")}
    path = HERE / "results.json"
    # Keys other scripts record (bench/load_downloads.py, bench/csp_check.py) stay.
    kept = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**kept, **clean}, indent=2, ensure_ascii=False) + "\n")
    rows = "\n".join(f"| `{k}` | {v} | {t} | {'met' if ok else '**missed**'} |" for k, v, t, ok in verdicts(results))
    notes = notes_path.read_text(encoding="utf-8") if notes_path.exists() else ""
    load = results.get("load_mixed")
    load_md = ""
    if load:
        load_md = (f"\n## Mixed load (issue: reliability)\n\n`python bench/run.py --load`: wrk, {load['seconds']} s, "
                   f"{load['connections']} connections, 2 threads, a rotation of pages, callbacks, API calls and the "
                   f"geometry file against gunicorn (2 sync workers, --preload) on loopback.\n\n"
                   f"| requests | req/s | p50 ms | p99 ms | non-2xx | socket errors | PSS before → after (MB) |\n"
                   f"|---|---|---|---|---|---|---|\n| {load['requests']} | {load['rps']} | {load['p50_ms']} | "
                   f"{load['p99_ms']} | {load['non_2xx']} | {load['socket_errors'] or 'none'} | "
                   f"{load['pss_mb_before']} → {load['pss_mb_after']} |\n")
    wrk_rows = "\n".join(f"| {k} | {v['rps']} | {v['p50_ms']} | {v['p99_ms']} | {v['non_2xx']} |"
                         for k, v in results.get("wrk", {}).items())
    md = f"""# OMUP benchmark results

Produced by `python bench/run.py{' --load' if load else ''}` on {results['machine']['date']}
({results['machine']['cpus']} cores, {results['machine']['python']}, data version `{results.get('data_version')}`;
load average (1, 5, 15 min) {results['machine'].get('load_average_start')} at the start, {results['machine'].get('load_average_end')} at the end:
the two cores are shared with other engineers' builds and tests, so absolute figures are slow, ratios hold better).
Machine-readable: `bench/results.json`. Rerun the command to refresh both files.

## Targets

| measure | value | target | |
|---|---|---|---|
{rows}

## Server time per callback (in-process, Dash dispatch included; ms)

| callback | p50 | p95 |
|---|---|---|
| no-op Dash callback (floor) | {results.get('noop_p50_ms')} | {results.get('noop_p95_ms')} |
| map update (plain-dict figure, geometry by URL) | {results.get('map_update_p50_ms')} | {results.get('map_update_p95_ms')} |
| ranking (all units of a level, AG Grid rows) | {results.get('ranking_p50_ms')} | {results.get('ranking_p95_ms')} |
| profile page (router callback, uncached) | {results.get('profile_p50_ms')} | {results.get('profile_p95_ms')} |

## HTTP throughput (wrk -t1 -c8, gunicorn 2 sync workers --preload, loopback)

| endpoint | req/s | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|
{wrk_rows}

Map callback / ceiling: **{results.get('map_callback_throughput_ratio')}**; profile callback / ceiling:
{results.get('profile_callback_throughput_ratio')}.

## Payloads

- Gmina geometry: {results.get('geometry_gmina_br_kb')} KB brotli (powiat {results.get('geometry_powiat_br_kb')} KB).
- Map update response: {results.get('map_update_response_gzip_kb')} KB gzip (median over indicator-years).
- Area page, first visit: {results.get('first_visit_kb')} KB in {results.get('first_visit_requests')} requests;
  largest: {results.get('first_visit_largest')}.
- Repeat visit: {results.get('repeat_visit_kb')} KB in {results.get('repeat_visit_requests')} requests; largest:
  {results.get('repeat_visit_largest')}.
- Memory per worker (PSS): {results.get('pss_mb_workers_idle')} MB right after the fork, {results.get('pss_mb_workers')} MB
  after warm-up and the wrk runs (master {results.get('pss_mb_master')} MB).
{load_md}
{notes}
"""
    (HERE / "RESULTS.md").write_text(md, encoding="utf-8")
    from bench.load_downloads import write_markdown

    write_markdown({**kept, **clean})  # the hardening section, from what results.json holds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=400, help="callback calls per measure")
    ap.add_argument("--seconds", type=int, default=15, help="wrk duration per endpoint")
    ap.add_argument("--load", action="store_true", help="also the 60 s, 32-connection mixed load run")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("bench: wrk is missing (apt-get install wrk)", file=sys.stderr)
        return 2
    (HERE / "tmp").mkdir(exist_ok=True)
    started = time.time()
    results: dict = {"machine": {"date": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
                                 "platform": platform.platform(), "python": platform.python_version(),
                                 "processor": platform.processor() or platform.machine(),
                                 # Other engineers' builds and tests share the two cores: say how busy they were.
                                 "load_average_start": [round(x, 2) for x in os.getloadavg()]}}
    print("bench: callbacks in-process …", flush=True)
    time_callbacks(results, args.samples)
    from portal.store import get_store

    store = get_store()
    results["_states"] = states(store, 40)
    results["_geo_file"] = store.geometry_file("gmina").split("/")[-1]
    print("bench: throughput with wrk …", flush=True)
    throughput(results, args.seconds)
    if not args.skip_browser:
        print("bench: transferred bytes in headless Chromium …", flush=True)
        browser_bytes(results)
    if args.load:
        print("bench: mixed load, 60 s × 32 connections …", flush=True)
        load_run(results)
    results["bench_seconds"] = round(time.time() - started, 1)
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    write_report(results, HERE / "NOTES.md")
    for key, value, target, ok in verdicts(results):
        print(f"{key:34s} {value!s:>10} {target:>8}  {'ok' if ok else 'MISSED'}")
    print(f"bench: done in {results['bench_seconds']} s → bench/RESULTS.md, bench/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
