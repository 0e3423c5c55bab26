"""Issue 18 (hardening), in-process: full-release files, one costed rate-limit budget, trusted proxies, the body
limit, a cache that never unpickles, strict CSP and HSTS, malformed callback bodies, the Host header and soft
404s. The same points with real gunicorn and redis-server processes: tests/integration/test_hardening.py."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest

UNIT = "1218093"  # Wadowice


# ------------------------------------------------------------------------------------------------- fixtures
def _with_downloads(folder: Path) -> None:
    """The edition's full-release files, written by the build's own function when the release predates them."""
    from portal.catalogue import Catalogue
    from portal.pipeline.downloads import read_index, write_release_downloads

    if read_index(folder) is not None:
        return
    catalogue = Catalogue.model_validate(orjson.loads((folder / "catalogue.json").read_bytes()))
    meta = orjson.loads((folder / "metadata.json").read_bytes())
    write_release_downloads(folder, pd.read_parquet(folder / "values.parquet"),
                            pd.read_parquet(folder / "units.parquet"), catalogue, meta)


@pytest.fixture(scope="module")
def release(settings, tmp_path_factory) -> tuple:
    """A private copy of the current release (hard links: nothing is rewritten) with its downloads/ files."""
    from portal.release import current_release_path

    source = current_release_path(settings)
    root = tmp_path_factory.mktemp("hardening-release")
    (root / "releases").mkdir()
    target = root / "releases" / source.name

    def link_or_copy(src: str, dst: str) -> None:
        if "/downloads/" in dst:  # the files this fixture may write are copied, never shared
            shutil.copy2(src, dst)
        else:
            os.link(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)
    os.symlink(Path("releases") / source.name, root / "current")
    for folder in (target, target / "demo"):
        _with_downloads(folder)
    return replace(settings, release_dir=str(root)), target


def _app(settings, **changes):
    from portal.app import create_app

    return create_app(replace(settings, **changes))


@pytest.fixture(scope="module")
def app(release):
    return _app(release[0])


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


# ------------------------------------------------------------------- 1. full-release files built with the release
def _reference_rows(store, indicator_ids: set[str]) -> list[list[str]]:
    """The rows the portal streamed per request before (every unit of a level, every year of the cube), written
    with the portal's own cell format: what the built file must hold."""
    from portal.api.table_files import csv_cell
    from portal.pipeline.downloads import FLAG_PL

    names = store.units["name"]
    out = []
    for ind in store.catalogue.indicators:
        if ind.id not in indicator_ids:
            continue
        for level in ind.levels:
            for year in store.years(ind.id, level):
                sl = store.slice(ind.id, year, level)
                values = sl.value.round(ind.decimals + 2).tolist()
                for k, code in enumerate(sl.codes.tolist()):
                    row = [ind.id, level, code, names.at[code], year, values[k],
                           FLAG_PL.get(sl.flag[k], sl.flag[k]), bool(sl.synthetic[k])]
                    out.append([csv_cell(v) for v in row])
    return out


def _csv_table(path: Path) -> tuple[list[str], list[list[str]]]:
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    return [r[0] for r in rows[:5]], rows[6:]


def test_full_release_file_holds_every_value_of_the_cubes(release, tmp_path):
    from portal.catalogue import Catalogue
    from portal.pipeline.downloads import write_release_downloads
    from portal.store import Store

    folder = release[1]
    store = Store(folder)
    # Three indicators of different shapes: the first official one, a multi-level one, the last one.
    inds = store.catalogue.indicators
    multi = next(i for i in inds if len(i.levels) > 1)
    chosen = {inds[0].id, multi.id, inds[-1].id}
    values = pd.read_parquet(folder / "values.parquet")
    values = values[values["indicator"].isin(chosen)]
    catalogue = Catalogue.model_validate(orjson.loads((folder / "catalogue.json").read_bytes())).restricted_to(chosen)
    meta = orjson.loads((folder / "metadata.json").read_bytes())
    index = write_release_downloads(tmp_path, values, pd.read_parquet(folder / "units.parquet"), catalogue, meta)

    head, rows = _csv_table(tmp_path / "downloads" / "wydanie.csv.gz")
    assert rows[0] == ["wskaznik_id", "poziom", "teryt", "jednostka", "rok", "wartosc", "flaga", "syntetyczne",
                       "zrodlo"]
    assert [r[:8] for r in rows[1:]] == _reference_rows(store, chosen)
    assert index["rows"] == len(rows) - 1
    # Each present value carries its source dataset; a unit without a value has none.
    by_key = {(r.indicator, r.teryt, int(r.year)): r.source for r in values.itertuples()}
    for r in rows[1:200]:
        assert r[8] == (by_key.get((r[0], r[2], int(r[4]))) or "")
    assert head[2] == f"Wersja danych: {meta['version']}"
    # The Parquet file: the same table, typed, the header block in its schema metadata.
    pq = pd.read_parquet(tmp_path / "downloads" / "wydanie.parquet")
    assert len(pq) == index["rows"] and list(pq.columns) == rows[0]
    import pyarrow.parquet as papq

    schema_meta = papq.read_schema(tmp_path / "downloads" / "wydanie.parquet").metadata
    assert schema_meta[b"omup:wersja_danych"].decode() == meta["version"]
    # Checksums in the index are the files' own.
    for name, info in index["files"].items():
        data = (tmp_path / "downloads" / name).read_bytes()
        assert info["bytes"] == len(data) and info["sha256"] == hashlib.sha256(data).hexdigest()


def test_official_files_hold_no_synthetic_value_and_demo_files_say_so(release):
    official, demo = release[1], release[1] / "demo"
    head, rows = _csv_table(official / "downloads" / "wydanie.csv.gz")
    assert head[4] == "Uwaga: tabela nie zawiera wartości syntetycznych"
    assert {r[7] for r in rows[1:]} == {"nie"} and "SYNTETYCZNE" not in {r[8] for r in rows[1:]}
    assert not pd.read_parquet(official / "downloads" / "wydanie.parquet")["syntetyczne"].any()

    head, rows = _csv_table(demo / "downloads" / "wydanie.csv.gz")
    assert "nie są danymi urzędowymi" in head[4] and "tryb demonstracyjny" in head[0]
    assert "OMUP – dane syntetyczne" in head[1]
    flagged = [r for r in rows[1:] if r[7] == "tak"]
    assert flagged and all(r[8] in ("SYNTETYCZNE", "") for r in flagged)
    import pyarrow.parquet as papq

    meta = papq.read_schema(demo / "downloads" / "wydanie.parquet").metadata
    assert "nie są danymi urzędowymi" in meta[b"omup:uwaga"].decode() and meta[b"omup:wydanie"] == b"demo"


def test_synthetic_values_never_reach_the_official_files(release, tmp_path):
    from portal.catalogue import Catalogue
    from portal.pipeline.downloads import write_release_downloads

    demo = release[1] / "demo"
    values = pd.read_parquet(demo / "values.parquet").head(1000).assign(synthetic=True)
    catalogue = Catalogue.model_validate(orjson.loads((demo / "catalogue.json").read_bytes()))
    meta = {**orjson.loads((demo / "metadata.json").read_bytes()), "edition": "official"}
    with pytest.raises(ValueError, match="synthetic"):
        write_release_downloads(tmp_path, values, pd.read_parquet(demo / "units.parquet"), catalogue, meta)


def test_full_release_cells_are_formula_safe_and_the_bytes_reproducible(release, tmp_path):
    from portal.catalogue import Catalogue
    from portal.pipeline.downloads import write_release_downloads

    folder = release[1]
    units = pd.read_parquet(folder / "units.parquet")
    units.loc[units["teryt"] == UNIT, "name"] = "=HYPERLINK(\"http://evil.example\";\"x\")"
    values = pd.read_parquet(folder / "values.parquet")
    values = values[values["teryt"] == UNIT]
    catalogue = Catalogue.model_validate(orjson.loads((folder / "catalogue.json").read_bytes()))
    meta = orjson.loads((folder / "metadata.json").read_bytes())
    first = write_release_downloads(tmp_path / "a", values, units, catalogue, meta)
    second = write_release_downloads(tmp_path / "b", values, units, catalogue, meta)
    assert first["files"] == second["files"]  # same tables → same bytes (no timestamp in the gzip stream)
    _, rows = _csv_table(tmp_path / "a" / "downloads" / "wydanie.csv.gz")
    names = {r[3] for r in rows[1:] if r[2] == UNIT}
    assert names == {"'=HYPERLINK(\"http://evil.example\";\"x\")"}


def test_content_version_ignores_the_derived_download_files(tmp_path):
    from portal.pipeline.build import _content_version

    (tmp_path / "values.parquet").write_bytes(b"tables")
    before = _content_version(tmp_path)
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "wydanie.parquet").write_bytes(b"derived")
    (tmp_path / "downloads" / "index.json").write_bytes(b"{}")
    (tmp_path / "demo" / "downloads").mkdir(parents=True)
    (tmp_path / "demo" / "downloads" / "index.json").write_bytes(b"{}")
    assert _content_version(tmp_path) == before


def test_full_release_is_sent_as_a_file_with_length_etag_and_ranges(client, release):
    index = orjson.loads((release[1] / "downloads" / "index.json").read_bytes())["files"]["wydanie.csv.gz"]
    r = client.get("/pobierz/wydanie.csv.gz")
    body = r.get_data()
    r.close()
    assert r.status_code == 200 and r.mimetype == "application/gzip"
    assert int(r.headers["Content-Length"]) == len(body) == index["bytes"]
    assert hashlib.sha256(body).hexdigest() == index["sha256"] == r.headers["X-Checksum-SHA256"]
    assert r.headers["Accept-Ranges"] == "bytes" and r.headers["ETag"] == f'"{index["sha256"][:32]}"'
    assert 'filename="omup-wydanie-' in r.headers["Content-Disposition"]
    part = client.get("/pobierz/wydanie.csv.gz", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.get_data() == body[100:200]
    part.close()
    same = client.get("/pobierz/wydanie.csv.gz", headers={"If-None-Match": r.headers["ETag"]})
    assert same.status_code == 304
    same.close()


def test_full_release_editions_versions_and_the_old_address(client, release):
    folder = release[1]
    demo_sha = orjson.loads((folder / "demo" / "downloads" / "index.json").read_bytes())["files"]
    r = client.get("/pobierz/wydanie.parquet?demo=1")
    assert hashlib.sha256(r.get_data()).hexdigest() == demo_sha["wydanie.parquet"]["sha256"]
    assert "-demo.parquet" in r.headers["Content-Disposition"] and r.headers["Cache-Control"] == "public, max-age=300"
    r.close()
    pinned = client.get(f"/pobierz/wydanie.parquet?v={folder.name}")
    assert pinned.status_code == 200 and "immutable" in pinned.headers["Cache-Control"]
    pinned.close()
    # The address the portal linked before: gzip-encoded CSV for a client that accepts it, else a redirect.
    r = client.get("/pobierz/wydanie.csv?demo=1", headers={"Accept-Encoding": "gzip, br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip" and r.mimetype == "text/csv"
    assert hashlib.sha256(r.get_data()).hexdigest() == demo_sha["wydanie.csv.gz"]["sha256"]
    r.close()
    r = client.get("/pobierz/wydanie.csv?demo=1", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/pobierz/wydanie.csv.gz?demo=1")


def test_a_release_without_the_files_says_so(release, settings, tmp_path):
    from portal.app import create_app

    source = release[1]
    (tmp_path / "releases").mkdir()
    shutil.copytree(source, tmp_path / "releases" / source.name, copy_function=os.link,
                    ignore=shutil.ignore_patterns("downloads"))
    os.symlink(Path("releases") / source.name, tmp_path / "current")
    client = create_app(replace(settings, release_dir=str(tmp_path))).server.test_client()
    r = client.get("/pobierz/wydanie.parquet")
    assert r.status_code == 404 and "omup data build" in r.get_data(as_text=True)


def test_front_server_sends_the_file_when_configured(release):
    settings, folder = release
    client = _app(settings, accel_redirect="/_omup_release/").server.test_client()
    r = client.get("/pobierz/wydanie.parquet?demo=1")
    assert r.status_code == 200 and r.get_data() == b""
    assert r.headers["X-Accel-Redirect"] == f"/_omup_release/releases/{folder.name}/demo/downloads/wydanie.parquet"
    assert r.headers["Content-Disposition"].endswith('-demo.parquet"')
    # The old CSV address: the front server does not pass Content-Encoding on, so it redirects.
    assert client.get("/pobierz/wydanie.csv", headers={"Accept-Encoding": "gzip"}).status_code == 302


def test_tables_built_per_request_are_bounded_and_cached(client, monkeypatch):
    from portal.api import downloads

    calls = []
    original = downloads.TABLES["profil"]

    def counted(store):
        calls.append(1)
        return original(store)

    monkeypatch.setitem(downloads.TABLES, "profil", counted)
    first = client.get(f"/pobierz/profil.xlsx?jst={UNIT}&rok=2022")
    second = client.get(f"/pobierz/profil.xlsx?jst={UNIT}&rok=2022")
    assert first.status_code == second.status_code == 200 and first.get_data() == second.get_data()
    assert len(calls) == 1  # the second answer came from the cache
    client.get(f"/pobierz/profil.xlsx?jst={UNIT}&rok=2021")
    assert len(calls) == 2  # another query is another table

    monkeypatch.setattr(downloads, "MAX_CELLS", 100)
    r = client.get("/pobierz/wartosci.csv?wskaznik=ludnosc&poziom=powiaty")
    text = r.get_data(as_text=True)
    assert r.status_code == 400 and "najwyżej 100 komórek" in text and "/pobierz/wydanie.parquet" in text


def test_xlsx_writer_cells():
    from openpyxl import load_workbook

    from portal.api.table_files import Table, write_xlsx

    rows = [["=1+1", -3.5, np.int64(7), np.float64(0.25), True, float("nan"), None, "a\x01b<&>", "  spaced "]]
    table = Table("t", "t", ["a", "b", "c", "d", "e", "f", "g", "h", "i"], rows, synthetic=True, version="v1")
    wb = load_workbook(io.BytesIO(write_xlsx(table)))
    assert wb.sheetnames == ["dane", "informacje"]
    data = wb["dane"]
    assert data["A1"].value == "a" and data["A1"].font.b and not data["A2"].font.b
    assert [c.value for c in data[2]] == ["'=1+1", -3.5, 7, 0.25, "tak", None, None, "ab<&>", "  spaced "]
    info = {r[0]: r[1] for r in wb["informacje"].iter_rows(values_only=True) if r and r[0]}
    assert info["Wersja danych"] == "v1" and "nie są danymi urzędowymi" in info["Uwaga"]
    assert pd.read_excel(io.BytesIO(write_xlsx(table)), sheet_name="dane").shape == (1, 9)


# ------------------------------------------------------------------------ 2. one budget per client, costed
def test_route_costs():
    from portal.limits import cost_of

    assert cost_of("/_dash-update-component") == 1
    assert cost_of("/api/v1/units/1218093") == 2
    assert cost_of("/pobierz/ranking.csv", {}) == 10
    assert cost_of("/pobierz/porownanie.xlsx", {"jst": "1218093"}) == 20
    many = ",".join(["1218093"] * 100)
    assert cost_of("/pobierz/porownanie.xlsx", {"jst": many}) == 20 + 9
    assert cost_of("/pobierz/wydanie.parquet") == 60
    assert cost_of("/jst/1218093") == 1
    for free in ("/assets/omup.css", "/_dash-component-suites/dash/x.js", "/geo/gmina.abc.geojson", "/favicon.ico",
                 "/_dash-layout", "/_dash-dependencies"):
        assert cost_of(free) == 0


def test_one_budget_is_shared_by_every_route(release):
    client = _app(release[0], rate_limit="10 per minute").server.test_client()
    spent = [client.get(p) for p in ("/api/v1/indicators", "/api/v1/units/1218093", "/api/v1/releases")]
    assert [r.status_code for r in spent] == [200, 200, 200]  # 3 × 2 = 6 of 10
    assert spent[0].headers["X-RateLimit-Limit"] == "10"
    csv_table = client.get(f"/pobierz/profil.csv?jst={UNIT}")  # costs 10: over the budget
    assert csv_table.status_code == 429 and int(csv_table.headers["Retry-After"]) > 0
    assert client.get("/api/v1/units?q=wad").status_code == 200  # 8 of 10
    assert client.get("/").status_code == 200  # a page costs 1: 9
    # Another endpoint, never called before, shares the same budget: 9 + 2 > 10.
    r = client.get("/api/v1/indicators/ludnosc")
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
    # Static files never count.
    assert client.get("/favicon.ico").status_code == 200


def test_api_page_documents_the_budget_and_costs(release):
    text = _app(release[0], rate_limit="1200 per minute").server.test_client().get("/api").get_data(as_text=True)
    assert "Limit zapytań" in text and "1200 na minutę" in text and "Retry-After" in text
    from portal.limits import cost_table

    for cost, pl, _en in cost_table():
        assert f"{pl} <strong>{cost}</strong>" in text


# -------------------------------------------------------------------------- 3. behind a proxy: per client
def test_trusted_proxy_gives_each_client_its_own_budget(release):
    behind = _app(release[0], rate_limit="4 per minute", trusted_proxies="1").server.test_client()
    a = {"X-Forwarded-For": "203.0.113.1"}
    b = {"X-Forwarded-For": "203.0.113.2"}
    assert [behind.get("/api/v1/releases", headers=a).status_code for _ in range(3)] == [200, 200, 429]
    assert behind.get("/api/v1/releases", headers=b).status_code == 200  # another client, another budget
    # Without a trusted proxy X-Forwarded-For is the client's own claim: ignored, everyone is the socket address.
    direct = _app(release[0], rate_limit="4 per minute").server.test_client()
    assert [direct.get("/api/v1/releases", headers=a).status_code for _ in range(2)] == [200, 200]
    assert direct.get("/api/v1/releases", headers=b).status_code == 429


def test_readme_says_how_limits_count_and_how_to_run_redis_safely():
    from portal.config import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    deployment = readme[readme.index("## Deployment"):]
    assert "Without Redis every process counts" in deployment and "OMUP_TRUSTED_PROXIES" in deployment
    assert "rediss://" in deployment and "requirepass" in deployment
    assert "Strict-Transport-Security" in deployment and "X-Accel-Redirect" in deployment


# ------------------------------------------------------------------------------------- 4. body limit
def test_a_body_over_the_limit_is_413_before_it_is_parsed(client):
    body = b'{"output": "' + b"x" * 1_100_000 + b'"}'
    r = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "request_entity_too_large"
    # A chunked body declares no length: read to the limit and no further, and still 413 (werkzeug alone cuts
    # it silently and the JSON then fails as a 400).
    r = client.post("/_dash-update-component", input_stream=io.BytesIO(body), content_type="application/json",
                    headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 413


# ---------------------------------------------------------------------------- 5. the cache never unpickles
class _FakeRedis:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, ex=None):
        self.data[key] = value

    def delete(self, key):
        self.data.pop(key, None)


EXPLOITED: list[str] = []


class _Exploit:
    def __reduce__(self):
        return (EXPLOITED.append, ("code ran",))


def test_cache_stores_data_never_pickles():
    import pickle

    from portal.cache import FallbackRedisCache

    cache = FallbackRedisCache("redis://127.0.0.1:1/0", default_timeout=60)
    fake = _FakeRedis()
    cache._redis = fake
    cache.set("rows", [{"teryt": UNIT, "value": 1.5, "flag": None}])
    cache.set("file", b"\x00PK bytes")
    assert fake.data["omup:rows"].startswith(b"J") and fake.data["omup:file"] == b"B\x00PK bytes"
    cache._local.clear()
    assert cache.get("rows") == [{"teryt": UNIT, "value": 1.5, "flag": None}]
    assert cache.get("file") == b"\x00PK bytes"
    # Someone who can write to Redis plants a pickle: it is a miss, and nothing runs.
    fake.data["omup:rows"] = pickle.dumps(_Exploit())
    assert cache.get("rows") is None and EXPLOITED == []
    # A process that still holds the value puts the good one back (Redis restarted empty, or a key overwritten).
    cache.set("rows", [1, 2])
    fake.data["omup:rows"] = pickle.dumps(_Exploit())
    assert cache.get("rows") == [1, 2] and fake.data["omup:rows"] == b"J[1,2]" and EXPLOITED == []
    # A value JSON cannot hold stays in this process only.
    cache.set("array", np.arange(3))
    assert "omup:array" not in fake.data and list(cache.get("array")) == [0, 1, 2]


# ------------------------------------------------------------------------------------------ 6. headers
def _inline_scripts(html: str) -> list[str]:
    scripts = []
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if "src=" in attrs or "application/json" in attrs:
            continue  # a file (covered by 'self') or a data block (never executed)
        scripts.append(body)
    return scripts


def _script_src(resp) -> str:
    return next(d for d in resp.headers["Content-Security-Policy"].split(";") if d.strip().startswith("script-src"))


@pytest.mark.parametrize("path", ["/", "/jst/1218093", "/nie-ma-takiej-strony"])
def test_pages_run_only_scripts_the_policy_names(client, path):
    from portal.web import script_hash

    r = client.get(path)
    src = _script_src(r)
    assert "'unsafe-inline'" not in src and "'unsafe-eval'" not in src
    inline = _inline_scripts(r.get_data(as_text=True))
    assert inline  # Dash's renderer bootstrap at least
    for script in inline:
        assert script_hash(script) in src


def test_embed_page_script_is_allowed_by_its_own_hash(client):
    from portal.web import script_hash

    r = client.get(f"/embed/trend?wskaznik=ludnosc&jst={UNIT}")
    (script,) = _inline_scripts(r.get_data(as_text=True))
    src = _script_src(r)
    assert src.strip() == f"script-src 'self' {script_hash(script)}"
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]


def test_hsts_only_over_https(release):
    behind = _app(release[0], trusted_proxies="1").server.test_client()
    https = behind.get("/api/v1/releases", headers={"X-Forwarded-Proto": "https"})
    assert https.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in behind.get("/api/v1/releases").headers
    # Not behind a trusted proxy: a client's X-Forwarded-Proto proves nothing.
    direct = _app(release[0]).server.test_client()
    assert "Strict-Transport-Security" not in direct.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    assert "Strict-Transport-Security" in direct.get("/", base_url="https://localhost").headers


# ----------------------------------------------------------------------------- 7. malformed callback bodies
def _area_body(client) -> dict:
    deps = orjson.loads(client.get("/_dash-dependencies").data)
    dep = next(d for d in deps if d["output"].startswith("..area-url.search"))
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    return {"output": dep["output"], "outputs": outputs,
            "inputs": [{**i, "value": None} for i in dep["inputs"]],
            "state": [{**s, "value": None} for s in dep["state"]], "changedPropIds": []}


def _malformed(body: dict, case: str) -> bytes:
    if case == "no outputs":
        body.pop("outputs")
    elif case == "input twice":
        body["inputs"] = [*body["inputs"], body["inputs"][0]]
    elif case == "wrong input":
        body["inputs"][0] = {"id": "area-year", "property": "options", "value": 1}
    elif case == "5,000 inputs":
        body["inputs"] = [body["inputs"][0]] * 5000
    elif case == "nested 2,000 deep":
        return b'{"output": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    elif case == "unknown output":
        body["output"] = "nope.children"
    elif case == "not an object":
        return b"[1, 2]"
    elif case == "changedPropIds not strings":
        body["changedPropIds"] = [{"a": 1}]
    return orjson.dumps(body)


@pytest.mark.parametrize("case", ["no outputs", "input twice", "wrong input", "5,000 inputs", "nested 2,000 deep",
                                  "unknown output", "not an object", "changedPropIds not strings"])
def test_malformed_callback_bodies_are_400_logged_in_one_line(client, case, caplog):
    data = _malformed(_area_body(client), case)
    with caplog.at_level("INFO"):
        r = client.post("/_dash-update-component", data=data, content_type="application/json")
    assert r.status_code == 400, r.data[:200]
    assert r.get_json()["error"]["code"] == "invalid_callback_body" and b"Traceback" not in r.data
    lines = [rec for rec in caplog.records if "callback" in rec.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None and "\n" not in lines[0].getMessage()


def test_dash_own_checks_answer_400_too(client, caplog):
    """Past the shape check, Dash's own request checks (outputs that do not match the callback) are the
    client's fault as well: 400 and one line, no traceback."""
    body = _area_body(client)
    body["outputs"] = body["outputs"][:2]
    with caplog.at_level("INFO"):
        r = client.post("/_dash-update-component", data=orjson.dumps(body), content_type="application/json")
    assert r.status_code == 400
    assert not any(rec.exc_info for rec in caplog.records)


def test_a_valid_callback_still_answers(client):
    body = _area_body(client)
    r = client.post("/_dash-update-component", data=orjson.dumps(body), content_type="application/json")
    assert r.status_code in (200, 204)


# ----------------------------------------------------------------------------- 8. Host header, soft 404s
def test_other_host_headers_are_refused(client):
    for path in ("/", "/api", "/api/v1/indicators", f"/oembed?url=http://evil.example/jst/{UNIT}"):
        r = client.get(path, headers={"Host": "evil.example"})
        assert r.status_code == 400 and b"evil.example" not in r.data and b"Unknown host" in r.data


def test_oembed_builds_its_iframe_from_the_base_url_only(release):
    from urllib.parse import quote

    client = _app(release[0], base_url="https://omup.example.org",
                  allowed_hosts="omup.example.org,localhost").server.test_client()
    answers = []
    for host in ("localhost", "omup.example.org"):
        url = quote(f"http://{host}/jst/{UNIT}", safe="")
        r = client.get(f"/oembed?url={url}", headers={"Host": host})
        assert r.status_code == 200
        answers.append(r.get_json())
    assert answers[0] == answers[1]  # the same answer whatever Host asked (cacheable by anyone)
    assert answers[0]["html"].startswith('<iframe src="https://omup.example.org/embed/trend?')
    assert answers[0]["provider_url"] == "https://omup.example.org/"
    foreign = quote(f"http://evil.example/jst/{UNIT}", safe="")
    assert client.get(f"/oembed?url={foreign}", headers={"Host": "localhost"}).status_code == 404


@pytest.mark.parametrize("path", ["/pobierz/foo", "/api/v2/units", "/embed/", "/static/x.js", "/oembed/x",
                                  "/feeds/x", "/geo/", "/pobierz/"])
def test_no_soft_404s(client, path):
    r = client.get(path)
    assert r.status_code == 404 and b"_dash-renderer" not in r.data


def test_an_empty_year_range_is_404_naming_it(client):
    r = client.get("/api/v1/values?indicator=ludnosc&from=2024&to=2020")
    assert r.status_code == 404 and r.get_json()["error"]["parameter"] == "from"
