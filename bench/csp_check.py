"""Does the portal run under its strict Content-Security-Policy (no 'unsafe-inline', no 'unsafe-eval' for scripts)?

    python bench/csp_check.py [--base http://127.0.0.1:8050]    # without --base: starts gunicorn (Procfile)

Loads every kind of page in headless Chromium (Debian's) under the policy the portal sends, works the parts that
run the most script (the map with MapLibre, the AG Grid ranking, Dash's clientside callbacks, the share dialog,
embeds that draw with the partial plotly.js bundle) and records every CSP violation (the page's
`securitypolicyviolation` events) and console error. Controls check that the policy is in force: a string
evaluated as script and an injected inline script must be refused in every page. Prints JSON; `--write` adds it
to bench/results.json (`csp_check`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CHROMIUM = os.environ.get("OMUP_CHROMIUM", "/usr/bin/chromium")
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
                     source: e.sourceFile + ':' + e.lineNumber});
});
"""
# (name, path, what to wait for, an action that runs more script)
PAGES = [
    ("start", "/", "#main", None),
    ("area map", "/obszar/edukacja?wskaznik=egzamin-8-matematyka", "#area-map .js-plotly-plot .maplibregl-canvas",
     None),
    ("area ranking (AG Grid)", "/obszar/edukacja?wskaznik=egzamin-8-matematyka&widok=ranking", ".ag-row", None),
    ("profile", "/jst/1218093", "#main h1", None),
    ("compare", "/porownaj?jst=1218093,1218014", ".js-plotly-plot", None),
    ("indicator", "/wskaznik/ludnosc", ".js-plotly-plot", None),
    ("budget", "/budzet/1218093", "#main h1", None),
    ("share dialog (clientside callbacks)", "/wskaznik/ludnosc", "button.share-open",
     "document.querySelector('button.share-open') && document.querySelector('button.share-open').click()"),
    ("about", "/o-danych", "#main h1", None),
    ("embed map", "/embed/mapa?wskaznik=ludnosc", "#chart[data-rendered='1']", None),
    ("embed trend", "/embed/trend?wskaznik=ludnosc&jst=1218093", "#chart[data-rendered='1']", None),
    ("api docs", "/api", "h1", None),
]


def check(base: str) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"pages": {}, "violations": 0, "console_errors": 0}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                     "--no-first-run", "--disable-quic"])
        for name, path, selector, action in PAGES:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.add_init_script(WATCH)
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            resp = page.goto(base + path, wait_until="networkidle")
            found = True
            try:
                page.wait_for_selector(selector, state="attached", timeout=30_000)
            except Exception:  # recorded, not raised
                found = False
            if action:
                page.evaluate(action)
                page.wait_for_timeout(1500)
            page.wait_for_timeout(1000)
            violations = page.evaluate("window.__csp")
            errors_before = len(errors)
            # The controls: the page's own policy must refuse a string evaluated as script (setTimeout with a
            # string compiles it in the page, under its CSP; DevTools' own evaluate would bypass it) and an
            # injected inline script; else the check proves nothing.
            page.evaluate("() => { setTimeout('window.__evaluated = 1', 0);"
                          " var s = document.createElement('script'); s.textContent = 'window.__injected = 1';"
                          " document.body.appendChild(s); }")
            page.wait_for_timeout(300)
            refused = page.evaluate("() => [window.__evaluated === undefined, window.__injected === undefined]")
            eval_state = "refused" if all(refused) else f"allowed (eval refused, inline refused: {refused})"
            del errors[errors_before:]  # the controls' own console lines
            csp = resp.headers.get("content-security-policy", "") if resp else ""
            out["pages"][name] = {"path": path, "status": resp.status if resp else None, "rendered": found,
                                  "violations": violations, "console_errors": errors, "eval": eval_state,
                                  "script_src": next((d.strip() for d in csp.split(";")
                                                      if d.strip().startswith("script-src")), "")[:80]}
            out["violations"] += len(violations)
            out["console_errors"] += len(errors)
            context.close()
        browser.close()
    out["all_rendered"] = all(v["rendered"] for v in out["pages"].values())
    out["eval_refused_everywhere"] = all(v["eval"] == "refused" for v in out["pages"].values())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="a running portal; default: start gunicorn as in the Procfile")
    ap.add_argument("--write", action="store_true", help="record the result in bench/results.json (csp_check)")
    args = ap.parse_args()
    if args.base:
        result = check(args.base.rstrip("/"))
    else:
        from bench.load_downloads import Procfile

        with Procfile() as g:
            result = check(g.base)
    result["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.write:
        path = HERE / "results.json"
        data = json.loads(path.read_text()) if path.exists() else {}
        data["csp_check"] = result
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    ok = result["violations"] == 0 and result["console_errors"] == 0 and result["all_rendered"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
