"""Downloads under /pobierz/: every table the portal shows as CSV (UTF-8 with BOM) and XLSX, with a header block
(the files are written by portal/api/table_files.py).

CSV format, chosen for Polish Excel (which opens it with a double click): UTF-8 with BOM, `;` as separator,
decimal comma. Five information lines (table, source, data version, download date, synthetic notice), a blank
line, then the table: `pd.read_csv(url, sep=";", decimal=",", skiprows=6)`. Every row has a `syntetyczne`
column. Text cells starting with = + - @ tab or CR get a leading apostrophe (formula injection); numbers stay
numbers, so a negative value is still a number.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Iterator
from datetime import date

import flask
import orjson

from portal.api.table_files import Table, write_csv, write_xlsx
from portal.api.versions import VersionError, app_settings, store_for
from portal.breaks import break_flags, units_with_breaks
from portal.catalogue import Indicator
from portal.pipeline.downloads import (  # the cell formats are shared with the full-release files
    CSV_FILE,
    DOWNLOADS_DIR,
    FLAG_PL,
    PARQUET_FILE,
    read_index,
)
from portal.similar import KNN_K, VARIABLES, similar_units, stats_over
from portal.state import LEVEL_PARAM
from portal.store import LEVEL_OF_LEN, Store

blueprint = flask.Blueprint("downloads", __name__)

MAX_UNITS = 100
# A table built per request is bounded: at most this many cells (rows × columns). The largest the pages link
# (one indicator's values for every gmina and year, ~300,000 cells) takes well under a second to write; more is
# what the full-release files are for.
MAX_CELLS = 600_000
# Built tables are cached (with the data version and edition in the key) up to this size.
CACHE_MAX_BYTES = 8 << 20


class DownloadError(Exception):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter, self.message = parameter, message


# ------------------------------------------------------------------------------------------ parameters
def _arg(name: str) -> str | None:
    v = flask.request.args.get(name)
    return v.strip()[:2000] or None if v is not None else None


def _indicator(store: Store, required: bool = True) -> Indicator | None:
    raw = _arg("wskaznik")
    if raw is None:
        if required:
            raise DownloadError("wskaznik", "podaj identyfikator wskaźnika, np. wskaznik=egzamin-8-matematyka")
        return None
    ind = store.indicator(raw[:80])
    if ind is None:
        raise DownloadError("wskaznik", f"nie ma wskaźnika „{raw[:80]}” (lista: /api/v1/indicators)")
    return ind


def _level(ind: Indicator, unit: str | None = None) -> str:
    raw = _arg("poziom")
    if raw is None:
        if unit is not None and LEVEL_OF_LEN[len(unit)] in ind.levels:
            return LEVEL_OF_LEN[len(unit)]
        return "gmina" if "gmina" in ind.levels else ind.levels[0]
    level = LEVEL_PARAM.get(raw, raw)
    if level not in ind.levels:
        words = {v: k for k, v in LEVEL_PARAM.items()}
        raise DownloadError("poziom", f"dozwolone: {', '.join(words[lvl] for lvl in ind.levels)}")
    return level


def _year(name: str, allowed: list[int] | None = None) -> int | None:
    raw = _arg(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{4}", raw):
        raise DownloadError(name, "rok to liczba czterocyfrowa, np. 2023")
    year = int(raw)
    if allowed is not None and year not in allowed:
        span = f"{allowed[0]}–{allowed[-1]}" if allowed else "brak"
        raise DownloadError(name, f"brak danych za {year} (dostępne lata: {span})")
    return year


def _unit(store: Store, name: str = "jst", required: bool = True) -> str | None:
    raw = _arg(name)
    if raw is None:
        if required:
            raise DownloadError(name, "podaj kod TERYT jednostki, np. jst=1218094")
        return None
    teryt, _ = store.resolve(raw[:12])
    if teryt is None:
        raise DownloadError(name, f"nie ma jednostki o kodzie „{raw[:12]}”")
    return teryt


def _units(store: Store) -> list[str]:
    raw = _arg("jst")
    if raw is None:
        raise DownloadError("jst", "podaj kody TERYT po przecinku, np. jst=1218094,1218014")
    codes = [c.strip() for c in raw.split(",") if c.strip()]
    if not codes or len(codes) > MAX_UNITS:
        raise DownloadError("jst", f"od 1 do {MAX_UNITS} kodów TERYT po przecinku")
    out = []
    for c in codes:
        teryt, _ = store.resolve(c[:12])
        if teryt is None:
            raise DownloadError("jst", f"nie ma jednostki o kodzie „{c[:12]}”")
        out.append(teryt)
    return list(dict.fromkeys(out))


def _num(v: object) -> float | None:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _rounded(v: object, decimals: int) -> float | None:
    f = _num(v)
    return None if f is None else round(f, decimals + 2)


def _sources(store: Store, inds: Iterable[Indicator]) -> list[str]:
    out = []
    for ind in inds:
        out.append("OMUP – dane syntetyczne" if store.is_synthetic(ind.id) else ind.source.origin)
    return out


# ------------------------------------------------------------------------------------------ tables
def ranking_table(store: Store) -> Table:
    ind = _indicator(store)
    assert ind is not None
    jst = _unit(store, required=False)
    level = _level(ind)
    years = store.years(ind.id, level)
    year = _year("rok", years) or (years[-1] if years else None)
    sl = store.slice(ind.id, year, level) if year else None
    if sl is None:
        raise DownloadError("rok", "brak danych dla tego wskaźnika i poziomu")
    df = sl.frame(store.units)
    peers = _arg("podobne") in ("1", "true", "tak")
    title = f"Ranking: {ind.name.pl} ({ind.unit.pl}), {year}"
    if peers and jst:
        from portal.state import unit_at_level

        selected = unit_at_level(jst, level)
        if selected and selected in store.units.index:
            group = store.units.at[selected, "peer_group"]
            df = df[df["peer_group"] == group]
            title += f", grupa porównawcza: {store.peer_group_name(group)}"
    df = df.sort_values(["rank_pl", "teryt"], na_position="last")
    cols = ["miejsce", "miejsce_wsrod_podobnych", "liczba_podobnych", "teryt", "jednostka", "grupa_porownawcza",
            "rok", "wartosc", "jednostka_miary", "flaga", "syntetyczne"]

    def rows() -> Iterator[list]:
        for r in df.itertuples(index=False):
            yield [_int(r.rank_pl), _int(r.rank_peer), int(r.n_peer), r.teryt, r.display_name,
                   store.peer_group_name(r.peer_group), year, _rounded(r.value, ind.decimals), ind.unit.pl,
                   FLAG_PL.get(r.flag, r.flag), bool(r.synthetic)]

    return Table(f"ranking-{ind.id}-{year}", title, cols, list(rows()), bool(df["synthetic"].any()),
                 _sources(store, [ind]), store.version)


def _int(v: object) -> int | None:
    f = _num(v)
    return None if f is None else int(f)


def _unit_rows(store: Store, teryt: str, inds: list[Indicator], year: int | None) -> list[list]:
    level = LEVEL_OF_LEN[len(teryt)]
    name = store.units.at[teryt, "display_name"]
    out = []
    for ind in inds:
        if level not in ind.levels:
            continue
        years = store.years(ind.id, level)
        if not years:
            continue
        y = year if year in years else years[-1]
        p = store.point(ind.id, teryt, y)
        if p is None:
            continue
        peer = p["peer"] or {}
        out.append([ind.area, ind.id, ind.name.pl, ind.unit.pl, teryt, name, y, _rounded(p["value"], ind.decimals),
                    _rounded(peer.get("median"), ind.decimals), p["rank_peer"], p["n_peer"],
                    FLAG_PL.get(p["flag"], p["flag"]), _break(store, ind.id, teryt, y), p["synthetic"]])
    return out


def _break(store: Store, indicator_id: str, teryt: str, year: int) -> str:
    """The series-break note for a unit-year ('' when none): territorial changes are not trends."""
    if teryt not in units_with_breaks(store):
        return ""
    return break_flags(store, indicator_id, teryt).get(year, "")


UNIT_COLUMNS = ["obszar", "wskaznik_id", "wskaznik", "jednostka_miary", "teryt", "jednostka", "rok", "wartosc",
                "mediana_podobnych", "miejsce_wsrod_podobnych", "liczba_podobnych", "flaga", "przerwa_w_serii",
                "syntetyczne"]


def compare_table(store: Store) -> Table:
    units = _units(store)
    area = _arg("obszar")
    if area is not None and area not in store.catalogue.area_by_id:
        raise DownloadError("obszar", f"nie ma obszaru „{area[:60]}”")
    year = _year("rok")
    inds = store.catalogue.in_area(area) if area else list(store.catalogue.indicators)
    rows = [row for t in units for row in _unit_rows(store, t, inds, year)]
    names = ", ".join(store.units.at[t, "name"] for t in units[:5]) + ("…" if len(units) > 5 else "")
    title = f"Porównanie: {names}" + (f" – {store.catalogue.area_by_id[area].name.pl}" if area else "")
    return Table("porownanie", title, UNIT_COLUMNS, rows, any(r[-1] for r in rows), _sources(store, inds),
                 store.version)


def profile_table(store: Store) -> Table:
    teryt = _unit(store)
    assert teryt is not None
    year = _year("rok")
    inds = list(store.catalogue.indicators)
    rows = _unit_rows(store, teryt, inds, year)
    title = f"Profil: {store.units.at[teryt, 'display_name']} ({teryt})"
    return Table(f"profil-{teryt}", title, UNIT_COLUMNS, rows, any(r[-1] for r in rows), _sources(store, inds),
                 store.version)


def values_table(store: Store) -> Table:
    ind = _indicator(store)
    assert ind is not None
    level = _level(ind)
    years = store.years(ind.id, level)
    year = _year("rok", years)
    first, last = _year("od"), _year("do")
    if first and last and first > last:
        raise DownloadError("od", "„od” nie może być późniejsze niż „do”")
    chosen = [y for y in years if (year is None or y == year) and (first is None or y >= first)
              and (last is None or y <= last)]
    rows = []
    synthetic = False
    names: list[str] | None = None
    with_breaks = units_with_breaks(store)
    for y in chosen:
        sl = store.slice(ind.id, y, level)
        if sl is None:
            continue
        codes = sl.codes.tolist()
        if names is None:  # every slice of a level holds the same units in the same order
            names = store.units["display_name"].loc[codes].tolist()
        values = sl.value.tolist()
        flags = sl.flag.tolist()
        syn_flags = sl.synthetic.tolist()
        synthetic |= any(syn_flags)
        for k, code in enumerate(codes):
            note = _break(store, ind.id, code, y) if code in with_breaks else ""
            rows.append([code, names[k], y, _rounded(values[k], ind.decimals), ind.unit.pl,
                         FLAG_PL.get(flags[k], flags[k]), note, bool(syn_flags[k])])
    cols = ["teryt", "jednostka", "rok", "wartosc", "jednostka_miary", "flaga", "przerwa_w_serii", "syntetyczne"]
    return Table(f"wartosci-{ind.id}", f"Wartości: {ind.name.pl} ({ind.unit.pl})", cols, rows, synthetic,
                 _sources(store, [ind]), store.version)


def budget_table(store: Store) -> Table:
    teryt = _unit(store)
    assert teryt is not None
    year = _year("rok")
    level = LEVEL_OF_LEN[len(teryt)]
    # podobne=knn: medians over the 10 most similar units; a unit lacking context data keeps its peer group.
    similar = similar_units(store, teryt, k=KNN_K) if _arg("podobne") == "knn" else None
    knn = [u["teryt"] for u in similar["units"]] if similar and not similar["missing"] else []
    group_name = (f"{len(knn)} najbardziej podobnych jednostek (podobne JST)" if knn
                  else store.peer_group_name(str(store.units.at[teryt, "peer_group"])))
    rows = []
    inds = [i for i in store.catalogue.indicators if i.budget_section and level in i.levels]
    for ind in inds:
        years = store.years(ind.id, level)
        if not years:
            continue
        y = year if year in years else years[-1]
        p = store.point(ind.id, teryt, y)
        if p is None:
            continue
        group = (stats_over(store, ind.id, y, level, knn) if knn else p["peer"]) or {}
        median = group.get("median")
        gap = None if p["value"] is None or median is None else p["value"] - median
        rows.append([ind.budget_section, ind.id, ind.name.pl, y, _rounded(p["value"], ind.decimals),
                     _rounded(median, ind.decimals), _rounded(gap, ind.decimals), group_name, group.get("n"),
                     ind.unit.pl, FLAG_PL.get(p["flag"], p["flag"]), p["synthetic"]])
    cols = ["dzial_budzetu", "wskaznik_id", "wskaznik", "rok", "wartosc", "mediana_podobnych",
            "roznica_do_mediany", "grupa_porownawcza", "liczba_w_grupie", "jednostka_miary", "flaga",
            "syntetyczne"]
    title = f"Wydatki: {store.units.at[teryt, 'display_name']} ({teryt}) na tle "
    if knn:
        names = ", ".join(str(store.units.at[c, "display_name"]) for c in knn)
        title += f"{group_name}: {names}"
        if similar and similar["synthetic"]:
            title += " (dobór podobnych uwzględnia syntetyczne dochody własne na mieszkańca)"
    else:
        title += f"podobnych jednostek ({group_name})"
        if similar and similar["missing"]:  # knn asked for, but the unit lacks context data
            missing = ", ".join(VARIABLES[v]["pl"].replace(" (log)", "") for v in similar["missing"])
            title += f"; brak danych o cechach: {missing} – nie da się wskazać 10 najbardziej podobnych"
    return Table(f"budzet-{teryt}", title, cols, rows, any(r[-1] for r in rows), _sources(store, inds),
                 store.version)


TABLES = {"ranking": ranking_table, "porownanie": compare_table, "profil": profile_table,
          "wartosci": values_table, "budzet": budget_table}


# ------------------------------------------------------------------------------------------ routes
def _error(exc: DownloadError) -> flask.Response:
    text = f"Błędny parametr „{exc.parameter}”: {exc.message}.\nInvalid parameter '{exc.parameter}'.\n"
    resp = flask.Response(text, status=400, mimetype="text/plain")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _attach(resp: flask.Response, filename: str) -> flask.Response:
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def _store_or_error() -> Store | flask.Response:
    """The store `v=` (and `demo=1`) name, or the 400/404 answer for a version that cannot be served."""
    try:  # v=<data version>: the table from that kept release (its header block names the version)
        return store_for(flask.request.args.get("v"))
    except VersionError as exc:
        if exc.status == 400:
            return _error(DownloadError("v", "wersja danych to litery i cyfry, np. z /api/v1/releases"))
        text = (f"Wersja danych „{exc.version[:40]}” nie jest już przechowywana; przechowywane: "
                f"{', '.join(exc.kept)}.\nData version not kept; kept versions: {', '.join(exc.kept)}.\n")
        resp = flask.Response(text, status=404, mimetype="text/plain")
        resp.headers["Cache-Control"] = "no-store"
        return resp


# ------------------------------------------------------------------------------------------ the full release
RELEASE_TYPES = {CSV_FILE: "application/gzip", PARQUET_FILE: "application/vnd.apache.parquet"}


def _release_file(name: str, decoded_csv: bool = False) -> flask.Response:
    """A full-release file built with the release (portal/pipeline/downloads.py), sent as a static file:
    Content-Length, ETag (its SHA-256), Range and conditional requests; by the front server when
    OMUP_ACCEL_REDIRECT names its internal location. `decoded_csv`: the CSV.gz sent as text/csv with
    Content-Encoding: gzip (the old /pobierz/wydanie.csv address; the browser stores the CSV)."""
    store = _store_or_error()
    if isinstance(store, flask.Response):
        return store
    index = read_index(store.path)
    if index is None or name not in index.get("files", {}):
        resp = flask.Response(
            "To wydanie danych nie ma gotowych plików całego wydania: powstają przy budowie wydania "
            "(omup data build).\nThis data release has no full-release files; they are written by the build.\n",
            status=404, mimetype="text/plain")
        resp.headers["Cache-Control"] = "no-store"
        return resp
    settings = app_settings()
    edition = "-demo" if store.demo else ""
    stem = f"omup-wydanie-{store.version}{edition}"
    filename = f"{stem}.csv" if decoded_csv else f"{stem}.{name.split('.', 1)[1]}"
    pinned = bool(flask.request.args.get("v"))
    # A pinned URL always names the same bytes; the current one changes with the next release.
    cache_control = "public, max-age=31536000, immutable" if pinned else "public, max-age=300"
    mimetype = "text/csv" if decoded_csv else RELEASE_TYPES[name]
    path = store.path / DOWNLOADS_DIR / name
    if settings.accel_redirect:
        rel = path.resolve().relative_to(settings.release_path.resolve()).as_posix()
        resp = flask.Response(b"", mimetype=mimetype)
        resp.headers["X-Accel-Redirect"] = settings.accel_redirect.rstrip("/") + "/" + rel
    else:
        etag = index["files"][name]["sha256"][:32] + (".csv" if decoded_csv else "")
        resp = flask.send_file(path, mimetype=mimetype, conditional=True, etag=etag, max_age=None)
    if decoded_csv:
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Vary"] = "Accept-Encoding"
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = cache_control
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["X-Checksum-SHA256"] = index["files"][name]["sha256"]
    return resp


@blueprint.get("/pobierz/wydanie.csv.gz")
def release_csv_gz() -> flask.Response:
    return _release_file(CSV_FILE)


@blueprint.get("/pobierz/wydanie.parquet")
def release_parquet() -> flask.Response:
    return _release_file(PARQUET_FILE)


@blueprint.get("/pobierz/wydanie.csv")
def release_csv() -> flask.Response:
    """The address the portal linked before the files existed: the CSV.gz sent with Content-Encoding: gzip to a
    client that accepts it (a browser saves the CSV), otherwise (or through the front server, which does not
    pass Content-Encoding on) a redirect to /pobierz/wydanie.csv.gz."""
    accepts = "gzip" in flask.request.headers.get("Accept-Encoding", "")
    if accepts and not app_settings().accel_redirect:
        return _release_file(CSV_FILE, decoded_csv=True)
    query = flask.request.query_string.decode("utf-8", "replace")
    resp = flask.redirect("/pobierz/wydanie.csv.gz" + (f"?{query}" if query else ""), code=302)
    resp.headers["Vary"] = "Accept-Encoding"
    return resp


# ------------------------------------------------------------------------------------------ tables per request
def _build(table: str, fmt: str, store: Store) -> tuple[bytes, str]:
    """(file bytes, file name) of a table, memoised per data version, edition, day and query."""
    from portal.app import cache

    query = sorted((k, v[:2000]) for k, v in flask.request.args.items(multi=False))
    key = "pobierz:" + hashlib.sha1(orjson.dumps([store.cache_key, date.today().isoformat(), table, fmt, query]))\
        .hexdigest()
    try:
        hit = cache.get(key)
    except Exception:  # a cache that fails is a miss
        hit = None
    if isinstance(hit, bytes) and b"\n" in hit:  # the file name, a newline, the file
        name, _, data = hit.partition(b"\n")
        return data, name.decode("utf-8")
    t = TABLES[table](store)
    rows = t.rows if isinstance(t.rows, list) else list(t.rows)
    t.rows = rows
    cells = len(rows) * len(t.columns)
    if cells > MAX_CELLS:
        def spaced(n: int) -> str:
            return f"{n:,}".replace(",", "\u00a0")

        raise DownloadError("rok", f"tabela miałaby {spaced(cells)} komórek, najwyżej {spaced(MAX_CELLS)} komórek: "
                                   "zawęź lata (rok, od, do) albo pobierz całe wydanie (/pobierz/wydanie.parquet)")
    safe = re.sub(r"[^a-z0-9-]", "", t.name.lower())
    if fmt == "csv":
        data, name = write_csv(t).encode("utf-8"), f"omup-{safe}.csv"
    else:
        data, name = write_xlsx(t), f"omup-{safe}.xlsx"
    if len(data) <= CACHE_MAX_BYTES:
        try:
            cache.set(key, name.encode("utf-8") + b"\n" + data)
        except Exception:  # not cached this time
            pass
    return data, name


@blueprint.get("/pobierz/<table>.<fmt>")
def download(table: str, fmt: str) -> flask.Response:
    store = _store_or_error()
    if isinstance(store, flask.Response):
        return store
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        return flask.Response("Nie ma takiego pliku do pobrania (zob. /api).\n", status=404, mimetype="text/plain")
    try:
        data, filename = _build(table, fmt, store)
    except DownloadError as exc:
        return _error(exc)
    if fmt == "csv":
        resp = flask.Response(data, mimetype="text/csv")
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        resp = flask.Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return _attach(resp, filename)
