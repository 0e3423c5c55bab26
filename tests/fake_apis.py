"""A local HTTP server on loopback that answers like BDL API v1 and SMUP API 1.0.0, for the fetch tests.

Shapes follow the recorded pyBDL responses (../shared/data-raw/bdl-api-fixtures-pybdl/), BDL's swagger.json
(``/data/by-variable/{var-id}``: ``totalRecords``, ``page``, ``pageSize``, ``links``, ``results[{id, name,
values[{year, val, attrId}]}]``; ``/variables/{id}``: ``measureUnitName`` …; errors as ``{"errors": [...]}``)
and the SMUP notes (../shared/data-raw/smup-api/: ``{"data": [...], "page-count": N}``, HTTP 404 for an
indicator without data that year, ``X-ClientId`` required).

The test decides what the server knows (``FakeApis.bdl_values`` etc.), can make the first answer to chosen
requests a 429 with Retry-After, and can stall every request after the n-th until released (to interrupt a
fetch at a known point). Every request is recorded.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

BDL_PREFIX = "/api/v1/"
SMUP_PREFIX = "/api/1.0.0/"


def bdl_level(unit_id: str) -> int:
    if unit_id[4:] == "00000000":
        return 2
    if unit_id[9:] == "000":
        return 5
    return 6


@dataclass
class FakeApis:
    """What the fake BDL and SMUP know, and how they misbehave."""

    # BDL: variable → {"unit": measureUnitName, "values": {unit id: {year: (val, attrId)}}}
    bdl: dict[int, dict] = field(default_factory=dict)
    page_size_max: int = 100
    # SMUP: teryt-dictionary rows, and indicator → {year: [rows]}
    smup_dictionary: list[dict] = field(default_factory=list)
    smup_flags: list[dict] = field(default_factory=list)
    smup: dict[int, dict[int, list[dict]]] = field(default_factory=dict)
    smup_key: str = "smup-key"
    # Misbehaviour: request paths (without query) whose first answer is a 429 with this Retry-After
    throttle_once: set[str] = field(default_factory=set)
    retry_after: str = "1"
    # Requests after the first `stall_after` wait until `release` is set
    stall_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    stalled: threading.Event = field(default_factory=threading.Event)
    # What was asked
    requests: list[str] = field(default_factory=list)
    answered: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- BDL ------------------------------------------------------------------------------------------
    def bdl_answer(self, path: str, query: dict[str, list[str]], base: str) -> tuple[int, dict]:
        rest = path[len(BDL_PREFIX) :]
        if rest.startswith("variables/"):
            var = int(rest.split("/")[1])
            if var not in self.bdl:
                return 404, {"errors": [{"message": f"Variable {var} not found"}]}
            spec = self.bdl[var]
            years = sorted({y for by_year in spec["values"].values() for y in by_year})
            return 200, {
                "id": var,
                "subjectId": spec.get("subject", "P0000"),
                "n1": spec.get("n1", "ogółem"),
                "level": 6,
                "measureUnitId": 1,
                "measureUnitName": spec["unit"],
                "years": years,
            }
        if rest.startswith("data/by-variable/"):
            var = int(rest.split("/")[2])
            if var not in self.bdl:
                return 404, {"errors": [{"message": f"Variable {var} not found"}]}
            level = int(query.get("unit-level", ["6"])[0])
            years = {int(y) for y in query.get("year", [])}
            page = int(query.get("page", ["0"])[0])
            size = min(int(query.get("page-size", ["10"])[0]), self.page_size_max)
            units = []
            for uid, by_year in sorted(self.bdl[var]["values"].items()):
                if bdl_level(uid) != level:
                    continue
                values = [
                    {"year": str(y), "val": v, "attrId": a}
                    for y, (v, a) in sorted(by_year.items())
                    if not years or y in years
                ]
                if values:
                    units.append({"id": uid, "name": f"unit {uid}", "values": values})
            total = len(units)
            chunk = units[page * size : (page + 1) * size]
            last = max(0, math.ceil(total / size) - 1)

            def link(p: int) -> str:
                return f"{base}{path}?" + urlencode(
                    {**{k: v for k, v in query.items()}, "page": [str(p)]}, doseq=True
                )

            links = {"first": link(0), "self": link(page), "last": link(last)}
            if page < last:
                links["next"] = link(page + 1)
            return 200, {
                "totalRecords": total,
                "page": page,
                "pageSize": size,
                "links": links,
                "variableId": var,
                "measureUnitId": 1,
                "lastUpdate": "2026-05-14T00:00:00",
                "results": chunk,
            }
        return 404, {"errors": [{"message": "Not found"}]}

    # -- SMUP ---------------------------------------------------------------------------------------------
    def smup_answer(self, path: str, query: dict[str, list[str]], key: str | None) -> tuple[int, dict | list]:
        if key != self.smup_key:
            return 403, {"message": "Brak klucza"}
        resource = path[len(SMUP_PREFIX) :].strip("/")
        page = int(query.get("page", ["1"])[0])
        size = int(query.get("page-size", ["100"])[0])

        def paged(rows: list) -> tuple[int, dict]:
            count = max(1, math.ceil(len(rows) / size))
            if page > count:
                return 404, {"message": "Brak danych"}
            return 200, {"data": rows[(page - 1) * size : page * size], "page-count": count}

        if resource == "teryt-dictionary":
            return paged(self.smup_dictionary)
        if resource == "flag-dictionary":
            return (200, {"data": self.smup_flags}) if self.smup_flags else (404, {"message": "Brak"})
        if resource == "indicator-date-data":
            ident = int(query["id"][0])
            year = int(query["id-daty"][0]) // 10000
            rows = self.smup.get(ident, {}).get(year)
            if not rows:
                return 404, {"message": "Brak danych"}
            return paged(rows)
        return 404, {"message": "Nieznany zasób"}

    # -- plumbing -----------------------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler, base: str) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(handler.path)
        query = parse_qs(url.query, keep_blank_values=True)
        with self.lock:
            self.requests.append(handler.path)
            n = len(self.requests)
            throttle = url.path in self.throttle_once
            if throttle:
                self.throttle_once.discard(url.path)
        if self.stall_after is not None and n > self.stall_after:
            self.stalled.set()
            self.release.wait(60)
        if throttle:
            body = {"reason": "Too many requests", "result": "Przekroczono limit"}
            with self.lock:
                self.answered.append((handler.path, 429))
            return 429, {"Retry-After": self.retry_after}, json.dumps(body).encode()
        if url.path.startswith(BDL_PREFIX):
            status, body = self.bdl_answer(url.path, query, base)
        elif url.path.startswith(SMUP_PREFIX):
            status, body = self.smup_answer(url.path, query, handler.headers.get("X-ClientId"))
        else:
            status, body = 404, {"errors": [{"message": "Not found"}]}
        with self.lock:
            self.answered.append((handler.path, status))
        return status, {}, json.dumps(body, ensure_ascii=False).encode()


@contextmanager
def serve(apis: FakeApis) -> Iterator[str]:
    """Run the fake APIs on 127.0.0.1 (a free port) while the block runs; yields ``http://127.0.0.1:<port>``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = apis.handle(self, base)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-apis", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        apis.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- the scenario the fetch tests share --------------------------------------------------------------------
YEARS = [2020, 2021, 2022]
# Pruszcz (kujawsko-pomorskie) became an urban-rural gmina in 2022: 0414082 until 2021, 0414083 from 2022
# (a type-digit change in the TERYT change table). Bochnia town and rural gmina, Kraków (a city with powiat
# rights: SMUP's "mnpp" indicators).
PRUSZCZ_OLD, PRUSZCZ, BOCHNIA_M, BOCHNIA_G, KRAKOW = "0414082", "0414083", "1201011", "1201022", "1261011"
GMINY = [PRUSZCZ, BOCHNIA_M, BOCHNIA_G, KRAKOW]
GONE = "0299992"

# Totals the fake BDL publishes: (value, attrId) per code of that year and year.
SPENDING_700 = {  # BDL 202242, zł (budget division 700)
    PRUSZCZ_OLD: {2020: (1_250_000.0, 1), 2021: (1_402_117.55, 1)},
    PRUSZCZ: {2022: (1_515_000.0, 1)},
    BOCHNIA_M: {2020: (6_100_000.0, 1), 2021: (0.0, 4), 2022: (6_350_400.0, 1)},  # 2021: confidential
    BOCHNIA_G: {2020: (0.0, 0), 2021: (980_000.0, 1), 2022: (1_010_000.0, 1)},  # 2020: a true zero
    KRAKOW: {2020: (410_000_000.0, 1), 2021: (433_500_000.0, 1), 2022: (450_000_000.0, 1)},
    GONE: {2020: (5_000.0, 1)},  # a code no unit has today: reported, never kept
}
DWELLINGS = {  # BDL 748601, dwellings completed ("-")
    PRUSZCZ_OLD: {2020: (41.0, 1), 2021: (57.0, 1)},
    PRUSZCZ: {2022: (63.0, 1)},
    BOCHNIA_M: {2020: (120.0, 1), 2021: (133.0, 1), 2022: (98.0, 1)},
    BOCHNIA_G: {2020: (85.0, 1), 2021: (91.0, 1), 2022: (102.0, 9)},  # 2022: a preliminary estimate
    "1201": {
        2020: (2_000.0, 97),
        2021: (611.0, 1),
        2022: (640.0, 1),
    },  # 2020: "powiat together with its city"
}
CAPITAL = {  # BDL 76453 capital spending and 76477 total spending, zł
    PRUSZCZ: {2022: (9_000_000.0, 1)},
    BOCHNIA_M: {2022: (21_000_000.0, 1)},
}
TOTAL = {PRUSZCZ: {2022: (45_000_000.0, 1)}, BOCHNIA_M: {2022: (150_000_000.0, 1)}}
# SMUP publishes the share in whole percent: 20 % for Pruszcz (BDL 20.0), 15 % for Bochnia (BDL 14.0, so
# beyond the 0.5 pp tolerance).
SMUP_CAPITAL_SHARE = {PRUSZCZ: (1, 20.0), BOCHNIA_M: (1, 15.0)}
SMUP_DEBT = {  # SMUP 4074 (gminy) / 4424 (cities): zł per resident, (flag, value)
    2021: {PRUSZCZ: (1, 612.48), BOCHNIA_M: (2, None), BOCHNIA_G: (5, None), KRAKOW: (1, 4_421.12)},
    2022: {PRUSZCZ: (1, 640.1), BOCHNIA_M: (3, None), BOCHNIA_G: (1, 1_160.06), KRAKOW: (1, 4_530.0)},
}
SMUP_IDS = {PRUSZCZ: 701, BOCHNIA_M: 702, BOCHNIA_G: 703, KRAKOW: 704, "0414": 801, "1201": 802, "1261": 803}

PLAN = {
    "version": 1,
    "population": {
        "bdl": {"variable": 72305, "unit": "osoba"},
        "levels": ["gmina", "powiat", "wojewodztwo"],
        "raw": "population",
        "tolerance": {"relative": 0.001},
    },
    "area": {"raw": "area_km2"},
    "indicators": [
        {
            "id": "wydatki-700-na-mieszkanca",
            "bdl": {
                "numerator": [{"variable": 202242, "unit": "zł"}],
                "denominator": "population",
                "levels": ["gmina"],
            },
        },
        {
            "id": "mieszkania-oddane-na-1000",
            "bdl": {
                "numerator": [{"variable": 748601, "unit": "-"}],
                "denominator": "population",
                "multiplier": 1000,
                "levels": ["gmina", "powiat"],
                "sum_up": True,
            },
        },
        {
            "id": "dlug-na-mieszkanca",
            "smup": {"gmina": 4074, "mnpp": 4424, "unit": "zł na mieszkańca", "levels": ["gmina"]},
        },
        {
            "id": "wydatki-majatkowe-udzial",
            "smup": {"gmina": 4053, "mnpp": 4403, "unit": "%", "levels": ["gmina"]},
            "bdl": {
                "numerator": [{"variable": 76453, "unit": "zł"}],
                "denominator": [{"variable": 76477, "unit": "zł"}],
                "multiplier": 100,
                "levels": ["gmina"],
            },
            "priority": "smup",
            "tolerance": {"absolute": 0.5},
        },
        # A wrong id: the fake BDL does not know 202295, as the real one would not know a mistyped id.
        {
            "id": "wydatki-900-na-mieszkanca",
            "bdl": {
                "numerator": [{"variable": 202295, "unit": "zł"}],
                "denominator": "population",
                "levels": ["gmina"],
            },
        },
    ],
}


def p1336(raw) -> dict[str, dict[int, float]]:
    """Population on 31 XII from the raw P1336 export (census-revised from 2020), per code of each year."""
    from portal.pipeline.sources.population import read_exact

    df = read_exact(raw)
    df = df[df["year"].isin(YEARS) & df["value"].notna()]
    out: dict[str, dict[int, float]] = {}
    for r in df.itertuples():
        out.setdefault(r.teryt, {})[int(r.year)] = float(r.value)
    return out


def scenario(raw) -> FakeApis:
    """The fake BDL and SMUP of the fetch tests: several variables at gmina level (and a powiat) for three
    years, a renumbered gmina, flags of every kind, a 404 for a wrong id and a 429 with Retry-After."""
    from portal.pipeline.bdl import teryt_to_bdl_unit

    def bdl_values(spec: dict[str, dict[int, tuple[float, int]]]) -> dict[str, dict[int, tuple[float, int]]]:
        return {teryt_to_bdl_unit(code): by_year for code, by_year in spec.items()}

    pop = p1336(raw)
    codes = [PRUSZCZ_OLD, PRUSZCZ, BOCHNIA_M, BOCHNIA_G, KRAKOW, "1201", "1261", "0414"]
    population = {code: {y: (v, 1) for y, v in pop[code].items()} for code in codes if code in pop}
    apis = FakeApis(page_size_max=2)  # two units a page: every level pages
    apis.bdl = {
        72305: {"unit": "osoba", "values": bdl_values(population)},
        202242: {"unit": "zł", "values": bdl_values(SPENDING_700)},
        748601: {"unit": "-", "values": bdl_values(DWELLINGS)},
        76453: {"unit": "zł", "values": bdl_values(CAPITAL)},
        76477: {"unit": "zł", "values": bdl_values(TOTAL)},
    }
    dictionary = []
    for code, ident in SMUP_IDS.items():
        row = {"id-teryt": ident, "woj": code[:2], "pow": code[2:4], "nazwa": f"jednostka {code}"}
        if len(code) == 7:
            row.update(gmn=code[4:6], rodz=code[6])
        dictionary.append(row)
    dictionary.append({"id-teryt": 999, "woj": "12", "pow": "01", "gmn": "01", "rodz": "4"})  # a town part
    apis.smup_dictionary = dictionary
    apis.smup_flags = [
        {"id-flaga": 1, "nazwa": "Zjawisko wystąpiło"},
        {"id-flaga": 2, "nazwa": "Zjawisko nie wystąpiło"},
        {"id-flaga": 3, "nazwa": "Wartość mniejsza niż przyjęty format prezentacji"},
        {"id-flaga": 4, "nazwa": "Dane niekompletne"},
        {"id-flaga": 5, "nazwa": "Brak informacji, konieczność zachowania tajemnicy statystycznej"},
        {"id-flaga": 6, "nazwa": "Dane szacunkowe"},
    ]

    def rows(ident: int, year: int, spec: dict[str, tuple[int, float | None]]) -> list[dict]:
        return [
            {
                "id": ident,
                "id-daty": year * 10000 + 1231,
                "id-teryt": SMUP_IDS[code],
                "id-flaga": flag,
                "wartosc": value,
                "precyzja": 2,
            }
            for code, (flag, value) in spec.items()
        ]

    debt = {year: {c: v for c, v in spec.items() if c != KRAKOW} for year, spec in SMUP_DEBT.items()}
    apis.smup = {
        4074: {y: rows(4074, y, spec) for y, spec in debt.items()},
        4424: {y: rows(4424, y, {KRAKOW: SMUP_DEBT[y][KRAKOW]}) for y in SMUP_DEBT},
        4053: {2022: rows(4053, 2022, SMUP_CAPITAL_SHARE)},
        4403: {2022: rows(4403, 2022, {KRAKOW: (5, None)})},
    }
    apis.throttle_once = {"/api/v1/data/by-variable/202242"}
    return apis
