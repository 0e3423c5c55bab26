"""What a request costs against the client's one rate-limit budget (`OMUP_RATE_LIMIT`, shared by every route).

A unit lookup and a full-release file are not the same load: each route spends what it costs, so one client
gets many cheap answers or a few heavy ones from the same budget. Static files (scripts, styles, geometry) are
free. The table is published on /api (portal/api/openapi.py renders `COST_TABLE`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Free: the files every page load fetches (fingerprinted scripts and styles, hashed geometry, Dash's layout and
# dependency list).
FREE = re.compile(r"/(assets|_dash-component-suites|geo|static)/|/(favicon\.ico|_dash-layout|_dash-dependencies|"
                  r"_reload-hash|_favicon\.ico)\Z")
FULL_RELEASE = re.compile(r"/pobierz/wydanie\.")
# (pattern, cost, what, co) – the first match wins; the last row catches everything else (pages).
COSTS: list[tuple[re.Pattern, int, str, str]] = [
    (re.compile(r"/_dash-update-component\Z"), 1, "interakcja na stronie (wywołanie zwrotne Dash)",
     "a page interaction (Dash callback)"),
    (FULL_RELEASE, 60, "całe wydanie: /pobierz/wydanie.csv.gz, .parquet", "the full release files"),
    (re.compile(r"/pobierz/pakiet\.pdf\Z|/raport/[^/]+\.docx\Z"), 30, "pakiet PDF, raport DOCX",
     "PDF pack, DOCX report"),
    (re.compile(r"/pobierz/[^/]+\.xlsx\Z"), 20, "tabela XLSX", "an XLSX table"),
    (re.compile(r"/pobierz/"), 10, "tabela CSV", "a CSV table"),
    (re.compile(r"/raport/[^/]+/wykres/"), 4, "wykres SVG raportu", "a report chart (SVG)"),
    (re.compile(r"/embed/|/feeds/"), 4, "osadzenie, kanał Atom", "an embed, an Atom feed"),
    (re.compile(r"/api/v1/|/oembed\Z"), 2, "zapytanie API, oEmbed", "an API call, oEmbed"),
    (re.compile(r"/"), 1, "strona portalu", "a portal page"),
]


def cost_of(path: str, args: Mapping[str, str] | None = None) -> int:
    """The budget a request to `path` spends (0: not counted). A comparison of many units costs more: one more
    per ten units beyond the first ten, as its table grows with them."""
    if FREE.match(path):
        return 0
    for pattern, cost, _pl, _en in COSTS:
        if pattern.match(path):
            if path.startswith("/pobierz/porownanie.") and args is not None:
                units = [c for c in str(args.get("jst", "")).split(",") if c.strip()]
                cost += max(0, len(units) - 10) // 10
            return cost
    return 1


def cost_table() -> list[tuple[int, str, str]]:
    """(cost, Polish, English) rows for the documentation, cheapest first."""
    return sorted(((cost, pl, en) for _p, cost, pl, en in COSTS), key=lambda r: r[0])


__all__ = ["COSTS", "FREE", "cost_of", "cost_table"]
