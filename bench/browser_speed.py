"""Speed a person feels (issue 15): time to a coloured area map and to an interactive profile (Chromium).

    python bench/browser_speed.py         # gunicorn as the Procfile says; 5 cold + 5 warm runs per page
    python bench/browser_speed.py --runs 7 --no-write --dump /tmp/speed.json
    python bench/browser_speed.py --base http://127.0.0.1:8050 --label before
    python bench/browser_speed.py --from-dump /tmp/speed.json --label after   # record runs made before

Definitions (milliseconds from the navigation's start, `performance.timeOrigin`, as the page measures them):

- **map_colour_ms** (`/obszar/<area>`): the first MapLibre frame in which the choropleth's value trace has
  features drawn: a `render` event of the map inside `#area-map` after which `map.queryRenderedFeatures` over
  the fill layers of the trace named "values" returns at least one feature. Checked in the page on every
  `render` event (no polling latency) by an init script (outside the site's CSP, which it does not change).
- **profile_interactive_ms** (`/jst/<teryt>`): the first moment at which the headline strip
  (`.headline-strip .headline-item`) and an indicator card (`.profile-card`) are in the document and Dash's
  renderer has no callback requested, blocked, executing or waiting to be applied
  (`window.store.getState().callbacks`). Checked every 20 ms in the page (late by at most ~20 ms plus a busy
  main thread's delay).
- The area page's `area_interactive` (the same renderer test, with the heading above the map filled) is
  recorded beside.

Each URL is opened `--runs` times in a fresh browser context (cold: empty HTTP cache, new connections) and
`--runs` times in one context warmed by a first visit (warm: scripts and geometry from the HTTP cache).
results.json keeps the cold medians as `map_colour_ms` and `profile_interactive_ms` (a first visit is what a
person feels), the warm medians beside, and the load average during the runs: the machine is shared and has
2 cores, so the numbers move with the load; compare before and after measured at similar load.

Per run the page also records its waterfall (resource timing: start, end and bytes of each request), the Dash
callback chain (each `_dash-update-component` request's outputs, what triggered it, start and end) and the
main thread's long tasks; the median cold run's are kept in results.json (`browser_speed.<label>.<page>.
median_cold_run`) to see what blocks.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("OMUP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync"]
AREA_URL = "/obszar/edukacja"
PROFILE_URL = "/jst/1218093"

# Runs before any script of the page (Page.addScriptToEvaluateOnNewDocument: not subject to the page's CSP).
PROBE = r"""
(() => {
  const T = window.__omupSpeed = {marks: {}, callbacks: [], longtasks: []};
  try {
    new PerformanceObserver(list => { for (const e of list.getEntries()) {
      T.longtasks.push([Math.round(e.startTime), Math.round(e.duration)]); } })
      .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  const origFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || '';
    const p = origFetch.apply(this, arguments);
    if (url.indexOf('_dash-update-component') >= 0) {
      let output = '?', changed = [];
      try {
        const b = JSON.parse(init.body); output = b.output; changed = b.changedPropIds || [];
      } catch (e) {}
      const rec = {output: String(output).slice(0, 120), changed: changed.slice(0, 4),
                   start: performance.now()};
      T.callbacks.push(rec);
      p.then(r => { rec.headers = performance.now(); rec.status = r.status;
                    return r.clone().arrayBuffer().then(b => {
                      rec.end = performance.now(); rec.bytes = b.byteLength; }); },
             () => { rec.failed = true; });
    }
    return p;
  };
  function pending() {
    const s = window.store && window.store.getState && window.store.getState();
    if (!s || !s.callbacks) { return -1; }
    let n = 0;
    for (const k of ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed']) {
      n += (s.callbacks[k] || []).length;
    }
    return n;
  }
  function hookMap() {
    if (T.marks.map_found) { return; }
    const gd = document.querySelector('#area-map .js-plotly-plot');
    const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    const m = sub && sub.map;
    if (!m) { return; }
    T.marks.map_found = performance.now();
    const check = () => {
      if (T.marks.map_colour) { return; }
      const uids = (gd._fullData || []).filter(t => t.name === 'values').map(t => t.uid);
      const style = m.getStyle();
      const layers = ((style && style.layers) || [])
        .filter(l => l.type === 'fill' && uids.some(u => l.id.indexOf(u) >= 0)).map(l => l.id);
      if (layers.length && m.queryRenderedFeatures({layers: layers}).length > 0) {
        T.marks.map_colour = performance.now();
      }
    };
    m.on('render', check);
    m.on('idle', () => {
      if (!T.marks.map_idle && T.marks.map_colour) { T.marks.map_idle = performance.now(); } });
    check();
  }
  const timer = setInterval(() => {
    const now = performance.now();
    hookMap();
    const calm = pending() === 0;
    if (!T.marks.profile_interactive && calm && document.querySelector('.headline-strip .headline-item')
        && document.querySelector('.profile-card')) {
      T.marks.profile_interactive = now;
    }
    if (!T.marks.area_interactive && calm && document.querySelector('#area-heading h2')
        && document.querySelector('#area-map .js-plotly-plot')) {
      T.marks.area_interactive = now;
    }
    if (T.marks.profile_interactive || (T.marks.area_interactive && T.marks.map_colour)) {
      clearInterval(timer); }
  }, 20);
})();
"""

WATERFALL = """() => performance.getEntriesByType('resource').map(e => ({
  name: e.name.replace(location.origin, ''), start: Math.round(e.startTime), end: Math.round(e.responseEnd),
  bytes: e.transferSize, body: e.decodedBodySize, type: e.initiatorType}))"""
NAV = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {dom_content_loaded: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd),
          html_bytes: n.transferSize}; }"""


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measure(context, base: str, path: str, done: str, timeout_s: float = 90) -> dict:
    """Open path in a new page of context; wait for the mark `done`; return marks, waterfall, chain."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    t0 = time.monotonic()
    page.goto(base + path, wait_until="commit")
    deadline = t0 + timeout_s
    marks: dict = {}
    while time.monotonic() < deadline:
        marks = page.evaluate("() => window.__omupSpeed ? window.__omupSpeed.marks : {}")
        if marks.get(done) and (done != "map_colour" or marks.get("area_interactive")):
            break
        page.wait_for_timeout(50)
    else:
        marks["timeout"] = True
    page.wait_for_timeout(300)  # let late requests (and the map's idle) finish for the waterfall
    record = {"marks": {k: (round(v) if isinstance(v, (int, float)) else v)
                        for k, v in page.evaluate("() => window.__omupSpeed.marks").items()},
              "nav": page.evaluate(NAV), "waterfall": page.evaluate(WATERFALL),
              "callbacks": page.evaluate("() => window.__omupSpeed.callbacks"),
              "longtasks": page.evaluate("() => window.__omupSpeed.longtasks"), "errors": errors}
    for c in record["callbacks"]:
        for k in ("start", "headers", "end"):
            if k in c:
                c[k] = round(c[k])
    page.close()
    return record


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values)) if values else None


def run_page(browser, bases: list[str], path: str, done: str, runs: int, width: int) -> list[dict]:
    """`runs` cold visits (a fresh context each) and `runs` warm ones (one context, warmed by one visit) for
    each server in bases, taking turns visit by visit (servers compared under the same load)."""
    outs = [{"path": path, "done": done, "cold": [], "warm": [], "load_average": []} for _ in bases]

    def context():
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="pl-PL")
        ctx.add_init_script(PROBE)
        return ctx

    for _ in range(runs):
        for base, out in zip(bases, outs, strict=True):
            ctx = context()
            out["load_average"].append(load_average())
            out["cold"].append(measure(ctx, base, path, done))
            ctx.close()
    warm = [context() for _ in bases]
    for ctx, base in zip(warm, bases, strict=True):
        measure(ctx, base, path, done)  # warms the HTTP cache
    for _ in range(runs):
        for ctx, base, out in zip(warm, bases, outs, strict=True):
            out["load_average"].append(load_average())
            out["warm"].append(measure(ctx, base, path, done))
    for ctx in warm:
        ctx.close()
    return outs


def summarise(raw: dict, key: str) -> dict:
    """Medians (and min/max) of the marks of cold and warm runs; the median cold run's waterfall and chain."""
    res: dict = {"path": raw["path"]}
    for kind in ("cold", "warm"):
        rs = raw[kind]
        vals = [r["marks"].get(key) for r in rs]
        res[f"{kind}_median_ms"] = median(vals)
        res[f"{kind}_runs_ms"] = vals
        for extra in ("area_interactive", "map_found", "map_idle"):
            if key == "map_colour":
                res[f"{kind}_{extra}_median_ms"] = median([r["marks"].get(extra) for r in rs])
        res[f"{kind}_dom_content_loaded_median_ms"] = median([r["nav"]["dom_content_loaded"] for r in rs])
        kb = [sum(e["bytes"] or 0 for e in r["waterfall"]) / 1024 for r in rs]
        res[f"{kind}_transfer_kb_median"] = median(kb)
        res[f"{kind}_timeouts"] = sum(1 for r in rs if r["marks"].get("timeout"))
    la = raw["load_average"]
    res["load_average_1min_median"] = round(statistics.median(x[0] for x in la), 2)
    res["load_average_1min_range"] = [min(x[0] for x in la), max(x[0] for x in la)]
    cold = [r for r in raw["cold"] if r["marks"].get(key) is not None]
    if cold:
        mid = sorted(cold, key=lambda r: r["marks"][key])[len(cold) // 2]
        res["median_cold_run"] = {"marks": mid["marks"], "nav": mid["nav"],
                                  "waterfall": sorted(mid["waterfall"], key=lambda e: e["start"]),
                                  "callbacks": mid["callbacks"], "longtasks": mid["longtasks"]}
    res["errors"] = sorted({e for r in raw["cold"] + raw["warm"] for e in r["errors"]})[:5]
    return res


def bench(bases: list[str], runs: int, width: int) -> list[dict]:
    """One result per server in bases (measured in turns)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            areas = run_page(browser, bases, AREA_URL, "map_colour", runs, width)
            profiles = run_page(browser, bases, PROFILE_URL, "profile_interactive", runs, width)
        finally:
            browser.close()
    return [{"area": summarise(a, "map_colour"), "profile": summarise(p, "profile_interactive")}
            for a, p in zip(areas, profiles, strict=True)]


def print_summary(result: dict) -> None:
    for name, key in (("area", "map colour"), ("profile", "interactive")):
        r = result[name]
        print(f"{r['path']}: {key} cold median {r['cold_median_ms']} ms {r['cold_runs_ms']}, warm median "
              f"{r['warm_median_ms']} ms {r['warm_runs_ms']}; load 1-min {r['load_average_1min_median']} "
              f"{r['load_average_1min_range']}")
        run = r.get("median_cold_run")
        if run:
            print("  marks", run["marks"], run["nav"])
            for c in run["callbacks"]:
                print(f"  cb {c.get('start')}→{c.get('end')} {c.get('bytes')} B {c['output'][:70]} "
                      f"← {c.get('changed')}")
            print("  long tasks", run.get("longtasks"))
            for e in run["waterfall"]:
                if (e["bytes"] or 0) > 20000 or "geo" in e["name"]:
                    print(f"  req {e['start']}→{e['end']} {e['bytes']} B {e['name'][:90]}")


MARK_START, MARK_END = "<!-- browser-speed:start -->", "<!-- browser-speed:end -->"
NOTES = """Before and after were measured in turns, visit by visit (`--before-base`: the code before the
changes served by a second gunicorn from a copy of that commit), so both saw the same load. What changed (the
callback chain and waterfall of each median run are in results.json):

- The area page no longer waits on two serial round trips before the map can draw. Its `dcc.Location` now
  holds the address the server resolved (it reported itself on mount, which fired the URL sync callback that
  resolved the same state again, and held every other callback back until it answered), and the first map
  figure comes with the page (`portal/area_map.py`; the map callback only follows later changes).
- The distribution and funnel are drawn when their tab is shown, not in a hidden tab while the map draws
  (the 64 KB distribution figure was the largest answer of the first load).
- The figure names its data in `layout.datarevision`, so plotly.js does not re-tile the map when the same
  figure comes back (tab switch, peer filter).
- plotly.js (3 MB, 0.7 MB br) is preloaded on area pages while the server renders the page, and the
  geometry is preloaded as soon as the figure arrives. Running plotly.js early instead (tried first) held
  the page's first callback back by its own run time: preload only.

Three sessions in turns with the committed code (7 cold and 7 warm visits per page and server each, load
average 5–12; the table shows the last, in which "after" is the commit before plus this work only), pooled,
21 visits each: map colour cold 6113 → 5614 ms (−8 %), warm 6221 → 5316 ms (−15 %); the area page's time to
interactive (heading in, no callback pending), session medians, cold 3910/3384/3734 → 3343/2794/3308 ms and
warm 3547/3796/3324 → 2855/2623/2941 ms. The profile, whose code these changes do not touch, measured
2861 → 2729 ms cold pooled: the size of the noise (the spread within a session is ±1.5 s).

Left: after the changes the first callback starts ~1.5–2 s after navigation under this load (Dash's scripts,
the 1.3 MB AG Grid bundle loaded on every page), and MapLibre takes ~2–3 s on software GL from the map's
creation to the first coloured frame (triangulating 2,477 gminas' polygons and their outlines, several frames
of ~0.5 s each). The profile's time to interactive is unchanged by these changes: its `dcc.Location` reports
itself on mount the same way and fires the year/URL sync callback twice (both answer nothing) after the page
is in, ~0.3–0.5 s of the figure (fix in layouts/profile.py: give the location its pathname and search); the
rest is the page callback (191 KB of JSON, rendered by React)."""


HEADER = ["run", "map colour cold", "map colour warm", "area interactive cold", "profile interactive cold",
          "profile interactive warm", "KB transferred cold (area / profile)", "load 1-min (area / profile)"]


def write_markdown(data: dict) -> None:
    """The browser-speed section of RESULTS.md (between markers; other scripts keep it)."""
    bs = data.get("browser_speed")
    if not bs:
        return
    rows = []
    for label in ("before", "after"):
        r = bs.get(label)
        if not r:
            continue
        a, p = r["area"], r["profile"]
        cells = [f"{label} ({r['date'][:16]}, {r.get('commit', '?')})", a["cold_median_ms"],
                 a["warm_median_ms"],
                 a["cold_area_interactive_median_ms"], p["cold_median_ms"], p["warm_median_ms"],
                 f"{a['cold_transfer_kb_median']} / {p['cold_transfer_kb_median']}",
                 f"{a['load_average_1min_median']} / {p['load_average_1min_median']}"]
        rows.append("| " + " | ".join(str(c) for c in cells) + " |")
    last = bs.get("after") or bs.get("before")
    runs, area, profile = last["runs"], last["area"]["path"], last["profile"]["path"]
    md = f"""{MARK_START}
## Speed a person feels (issue 15): coloured map and interactive profile in headless Chromium

`python bench/browser_speed.py` (gunicorn from the `Procfile`, Debian's Chromium headless with software GL,
1366×900, {runs} cold runs (a fresh context each) and {runs} warm runs (HTTP cache warmed) per page; medians;
the machine has {last.get("cpus")} cores shared with other work, so the load average is given).
`map_colour_ms`: `{area}` until the first MapLibre frame with features of the choropleth's value trace drawn.
`profile_interactive_ms`: `{profile}` until the headline strip and cards are in the page and Dash has no
callback pending. Milliseconds from the navigation's start.

| {" | ".join(HEADER)} |
|{"---|" * len(HEADER)}
{chr(10).join(rows)}

{NOTES}
{MARK_END}
"""
    from bench.sections import write_section

    write_section(md, MARK_START, MARK_END)


def git_commit() -> str:
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="a running portal (default: start gunicorn as the Procfile says)")
    ap.add_argument("--before-base", help="with --base: a running portal with the code before, measured in "
                    "turns with --base (both recorded: before and after)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--width", type=int, default=1366)
    ap.add_argument("--label", default="after", choices=("before", "after"), help="the row of results it is")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--dump", help="also write the full result (every run) to this JSON file")
    ap.add_argument("--from-dump", help="record a result written before with --dump (no new runs)")
    ap.add_argument("--before-commit", default="?", help="the commit the --before-base server runs")
    args = ap.parse_args()
    started = load_average()
    results: dict[str, dict] = {}
    if args.from_dump:
        dumped = json.loads(Path(args.from_dump).read_text())
        results = dumped if "area" not in dumped else {args.label: dumped}  # in turns: before and after
    else:
        if args.before_base and args.base:
            before, after = bench([args.before_base, args.base], args.runs, args.width)
            results = {"before": before, "after": after}
            servers = {"before": f"given: {args.before_base}", "after": f"given: {args.base}"}
        elif args.base:
            results[args.label] = bench([args.base], args.runs, args.width)[0]
            servers = {args.label: f"given: {args.base}"}
        else:
            from tests.integration.servers import ProcfileServer

            with ProcfileServer() as srv:
                results[args.label] = bench([srv.base], args.runs, args.width)[0]
                servers = {args.label: " ".join(srv.args[srv.args.index("--workers"):])}
        for label, result in results.items():
            commit = args.before_commit if label == "before" and args.before_base else git_commit()
            result.update({"date": datetime.now(UTC).isoformat(timespec="seconds"), "runs": args.runs,
                           "width": args.width, "cpus": os.cpu_count(), "load_average_start": started,
                           "load_average_end": load_average(), "server": servers[label], "commit": commit,
                           "release": os.environ.get("OMUP_RELEASE_DIR"), "in_turns": len(results) > 1})
    for label, result in results.items():
        print(f"== {label}")
        print_summary(result)
    if args.dump:
        Path(args.dump).write_text(json.dumps(results if len(results) > 1 else next(iter(results.values())),
                                              indent=1, ensure_ascii=False))
    if not args.no_write:
        record(results)
    return 0


def record(results: dict[str, dict]) -> None:
    """Merge into bench/results.json (re-read first: other benches write it too) and RESULTS.md's section."""
    for result in results.values():  # the waterfall's large or dynamic requests only (not every small asset)
        for page in ("area", "profile"):
            run = result[page].get("median_cold_run")
            if run:
                run["waterfall"] = [e for e in run["waterfall"] if (e["bytes"] or 0) > 20000
                                    or not e["name"].startswith(("/assets/", "/_dash-component-suites/"))]
    path = HERE / "results.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    section = data.get("browser_speed", {})
    section.update(results)
    data["browser_speed"] = section
    result = section.get("after") or section.get("before")
    data["map_colour_ms"] = result["area"]["cold_median_ms"]
    data["map_colour_warm_ms"] = result["area"]["warm_median_ms"]
    data["profile_interactive_ms"] = result["profile"]["cold_median_ms"]
    data["profile_interactive_warm_ms"] = result["profile"]["warm_median_ms"]
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    write_markdown(data)


if __name__ == "__main__":
    raise SystemExit(main())
