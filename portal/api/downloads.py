"""Downloads under /pobierz/: every table the portal shows as CSV (UTF-8 with BOM) and XLSX, with a header block.

CSV format, chosen for Polish Excel (which opens it with a double click): UTF-8 with BOM, `;` as separator,
decimal comma. Five information lines (table, source, data version, download date, synthetic notice), a blank
line, then the table: `pd.read_csv(url, sep=";", decimal=",", skiprows=6)`. Every row has a `syntetyczne`
column. Text cells starting with = + - @ tab or CR get a leading apostrophe (formula injection); numbers stay
numbers, so a negative value is still a number.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import flask

from portal.api.versions import VersionError, store_for
from portal.breaks import break_flags, units_with_breaks
from portal.catalogue import Indicator
from portal.similar import KNN_K, VARIABLES, similar_units, stats_over
from portal.state import LEVEL_PARAM
from portal.store import LEVEL_OF_LEN, Store

blueprint = flask.Blueprint("downloads", __name__)

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HEADER_LINES = 5
MAX_UNITS = 100
FLAG_PL = {"ok": "", "estimated": "szacunek", "partial": "niepełne", "zero": "zero", "no_data": "brak danych"}


class DownloadError(Exception):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter, self.message = parameter, message


@dataclass
class Table:
    """A table ready to write: columns, rows (str/int/float/bool/None) and what the header block says."""

    name: str
    title: str
    columns: list[str]
    rows: Iterable[list]
    synthetic: bool
    sources: list[str] = field(default_factory=list)
    version: str = ""
    downloaded: date = field(default_factory=date.today)

    def info(self) -> list[tuple[str, str]]:
        note = ("wartości syntetyczne (kolumna „syntetyczne” = tak) nie są danymi urzędowymi – wygenerowano je, "
                "bo dane źródłowe nie są tu dostępne" if self.synthetic else "tabela nie zawiera wartości syntetycznych")
        return [("Tabela", self.title),
                ("Źródło", "; ".join(dict.fromkeys(self.sources)) + " · opracowanie: OMUP – Otwarty Monitor Usług "
                 "Publicznych"),
                ("Wersja danych", self.version),
                ("Pobrano", self.downloaded.isoformat()),
                ("Uwaga", note)]


# ------------------------------------------------------------------------------------------ writers
def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(DANGEROUS) else text


def csv_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if not math.isfinite(value) else csv_number(value)
    return neutralise(str(value))


def csv_lines(table: Table) -> Iterator[str]:
    """The CSV as text chunks: BOM, header block, blank line, column names, rows."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    buf.write("\ufeff")
    for key, value in table.info():
        writer.writerow([neutralise(f"{key}: {value}")])
    writer.writerow([])
    writer.writerow(table.columns)
    for i, row in enumerate(table.rows):
        writer.writerow([csv_cell(v) for v in row])
        if i % 2000 == 1999:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def write_csv(table: Table) -> str:
    return "".join(csv_lines(table))


def xlsx_cell(value: object) -> object:
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_xlsx(table: Table) -> bytes:
    """Sheets "dane" (the table) and "informacje" (the header block)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    data = wb.create_sheet("dane")
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(data, value=name)
        cell.font = bold
        header.append(cell)
    data.append(header)
    for row in table.rows:
        data.append([xlsx_cell(v) for v in row])
    info = wb.create_sheet("informacje")
    for key, value in table.info():
        info.append([key, neutralise(value)])
    info.append([])
    info.append(["Kolumny", ", ".join(table.columns)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
    names = store.units["display_name"]
    rows = []
    synthetic = False
    for y in chosen:
        sl = store.slice(ind.id, y, level)
        if sl is None:
            continue
        for k, code in enumerate(sl.codes):
            code = str(code)
            syn = bool(sl.synthetic[k])
            synthetic |= syn
            rows.append([code, names.at[code], y, _rounded(sl.value[k], ind.decimals), ind.unit.pl,
                         FLAG_PL.get(str(sl.flag[k]), str(sl.flag[k])), _break(store, ind.id, code, y), syn])
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


def release_rows(store: Store) -> Iterator[list]:
    """Every value of the release, indicator by indicator, level by level, year by year."""
    names = store.units["name"]
    for ind in store.catalogue.indicators:
        for level in ind.levels:
            level_names = None
            for y in store.years(ind.id, level):
                sl = store.slice(ind.id, y, level)
                if sl is None:
                    continue
                if level_names is None:
                    level_names = names.loc[sl.codes].tolist()
                values = sl.value.round(ind.decimals + 2).tolist()
                flags = sl.flag.tolist()
                syn = sl.synthetic.tolist()
                for k, code in enumerate(sl.codes.tolist()):
                    yield [ind.id, level, code, level_names[k], y, values[k], FLAG_PL.get(flags[k], flags[k]), syn[k]]


def release_table(store: Store) -> Table:
    cols = ["wskaznik_id", "poziom", "teryt", "jednostka", "rok", "wartosc", "flaga", "syntetyczne"]
    return Table(f"omup-wydanie-{store.version}", "Całe wydanie danych OMUP (wszystkie wartości)", cols,
                 release_rows(store), bool(store.synthetic_ids), _sources(store, store.catalogue.indicators),
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


@blueprint.get("/pobierz/<table>.<fmt>")
def download(table: str, fmt: str) -> flask.Response:
    try:  # v=<data version>: the table from that kept release (its header block names the version)
        store = store_for(flask.request.args.get("v"))
    except VersionError as exc:
        if exc.status == 400:
            return _error(DownloadError("v", "wersja danych to litery i cyfry, np. z /api/v1/releases"))
        text = (f"Wersja danych „{exc.version[:40]}” nie jest już przechowywana; przechowywane: "
                f"{', '.join(exc.kept)}.\nData version not kept; kept versions: {', '.join(exc.kept)}.\n")
        resp = flask.Response(text, status=404, mimetype="text/plain")
        resp.headers["Cache-Control"] = "no-store"
        return resp
    if table == "wydanie" and fmt == "csv":
        t = release_table(store)
        resp = flask.Response(csv_lines(t), mimetype="text/csv")
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
        return _attach(resp, f"{t.name}.csv")
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        return flask.Response("Nie ma takiego pliku do pobrania (zob. /api).\n", status=404, mimetype="text/plain")
    try:
        t = TABLES[table](store)
    except DownloadError as exc:
        return _error(exc)
    safe = re.sub(r"[^a-z0-9-]", "", t.name.lower())
    if fmt == "csv":
        resp = flask.Response(write_csv(t).encode("utf-8"), mimetype="text/csv")
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
        return _attach(resp, f"omup-{safe}.csv")
    resp = flask.Response(write_xlsx(t),
                          mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return _attach(resp, f"omup-{safe}.xlsx")
