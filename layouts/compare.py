"""Compare 2–5 units side by side: a table per service area (rows = indicators, columns = units) and bars.

The state lives in the query string (``jst=1218093,1218033&obszar=edukacja&rok=2023``); the functions
here turn it into a valid state and render the page's parts, so the first paint and every later change
share one code path.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.share import share_panel
from layouts.components.shell import VALIDATING, page, with_lang
from layouts.components.units import dropdown_labels, largest_units, search_options, unit_option
from portal import ids
from portal.explain import format_number, format_value
from portal.figures import bar_figure, direction_label, graph_config
from portal.store import LEVEL_OF_LEN, get_store

MAX_UNITS = 5
DEFAULT_AREA = "edukacja"

TEXT = {
    "pl": {
        "h1": "Porównaj jednostki",
        "lead": "Zestaw obok siebie od 2 do 5 gmin, powiatów lub województw i zobacz ich wskaźniki w "
        "wybranym obszarze.",
        "add": "Dodaj jednostkę",
        "add_ph": "Wpisz nazwę gminy, powiatu lub kod TERYT…",
        "area": "Obszar",
        "year": "Rok",
        "latest": "najnowszy dostępny",
        "units": "Porównywane jednostki",
        "remove": "Usuń {name} z porównania",
        "prompt": "Dodaj co najmniej dwie jednostki, aby je porównać – wpisz nazwę w polu „Dodaj jednostkę”.",
        "prompt_one": "Dodaj jeszcze co najmniej jedną jednostkę, aby zobaczyć porównanie na wykresach.",
        "full": "Porównujesz już 5 jednostek – usuń którąś, aby dodać inną.",
        "invalid": "Pominięto nieznane kody: {codes}.",
        "changed": "Kod {old} jest nieaktualny – pokazano {name} ({new}).",
        "too_many": "Można porównać najwyżej 5 jednostek; pokazano pierwsze 5 (pominięto: {codes}).",
        "indicator": "Wskaźnik",
        "median": "Mediana – Polska",
        "peer": "podobne",
        "na": "–",
        "na_title": "Wskaźnik nie jest liczony dla tego poziomu",
        "best": "najlepsza wartość",
        "table_caption": "{area}: wartości wskaźników porównywanych jednostek. Pod wartością: mediana "
        "podobnych "
        "jednostek (tego samego typu i wielkości).",
        "year_note": "Rok w kolumnie „Rok”: wybrany albo najnowszy wspólny dla porównywanych poziomów.",
        "rok": "Rok",
        "bars": "Na wykresach",
        "bar_alt": "Wykres słupkowy: {name}, {year}. Te same dane są w tabeli.",
        "ref": "mediana PL",
        "download": "Pobierz porównanie:",
        "synthetic": "syntetyczne",
        "definition": "definicja",
        "levels": {"gmina": "gmin", "powiat": "powiatów", "wojewodztwo": "województw"},
    },
    "en": {
        "h1": "Compare units",
        "lead": "Put 2 to 5 gminas, counties or voivodeships side by side and see their indicators in one "
        "area.",
        "add": "Add a unit",
        "add_ph": "Type a gmina or county name, or a TERYT code…",
        "area": "Area",
        "year": "Year",
        "latest": "latest available",
        "units": "Units compared",
        "remove": "Remove {name} from the comparison",
        "prompt": "Add at least two units to compare them – type a name in “Add a unit”.",
        "prompt_one": "Add at least one more unit to see the comparison in charts.",
        "full": "You are comparing 5 units already – remove one to add another.",
        "invalid": "Unknown codes were left out: {codes}.",
        "changed": "Code {old} is out of date – showing {name} ({new}).",
        "too_many": "At most 5 units can be compared; showing the first 5 (left out: {codes}).",
        "indicator": "Indicator",
        "median": "Median – Poland",
        "peer": "similar",
        "na": "–",
        "na_title": "The indicator is not computed for this level",
        "best": "best value",
        "table_caption": "{area}: indicator values of the units compared. Below each value: the median of "
        "similar "
        "units (same type and size).",
        "year_note": "The Year column: the chosen year or the latest common to the levels compared.",
        "rok": "Year",
        "bars": "In charts",
        "bar_alt": "Bar chart: {name}, {year}. The same data is in the table.",
        "ref": "median PL",
        "download": "Download the comparison:",
        "synthetic": "synthetic",
        "definition": "definition",
        "levels": {"gmina": "gminas", "powiat": "counties", "wojewodztwo": "voivodeships"},
    },
}


def _tx(lang: str) -> dict:
    return TEXT["en" if lang == "en" else "pl"]


# ---------------------------------------------------------------------------------------------- state
@dataclass(frozen=True)
class CompareState:
    units: tuple[str, ...] = ()
    area: str = DEFAULT_AREA
    year: int | None = None
    lang: str = "pl"
    notes: tuple[dict, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        q: dict[str, str] = {}
        if self.units:
            q["jst"] = ",".join(self.units)
        q["obszar"] = self.area
        if self.year is not None:
            q["rok"] = str(self.year)
        if self.lang == "en":
            q["lang"] = "en"
        return q

    def search(self) -> str:
        return "?" + urlencode(self.to_query(), safe=",")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["units"] = list(self.units)
        d["notes"] = list(self.notes)
        return d

    @classmethod
    def from_dict(cls, d: dict | None) -> CompareState:
        d = d or {}
        return cls(
            units=tuple(d.get("units") or ()),
            area=d.get("area") or DEFAULT_AREA,
            year=d.get("year"),
            lang=d.get("lang") or "pl",
            notes=tuple(d.get("notes") or ()),
        )


def parse_units(raw: str | None, limit: int = MAX_UNITS) -> tuple[list[str], list[dict]]:
    """The `jst` list as typed → today's codes (deduplicated, old codes resolved, capped) and notes.

    Notes are dicts: {"kind": "invalid", "codes": [...]}, {"kind": "changed", "old": ..., "new": ...},
    {"kind": "too_many", "codes": [...]}.
    """
    store = get_store()
    units: list[str] = []
    invalid: list[str] = []
    notes: list[dict] = []
    for code in re.split(r"[\s,;+]+", (raw or "")[:400]):
        if not code:
            continue
        teryt, changed = store.resolve(code)
        if teryt is None:
            if code not in invalid:
                invalid.append(code[:12])
            continue
        teryt = str(teryt)
        if changed:
            notes.append({"kind": "changed", "old": code, "new": teryt})
        if teryt not in units:
            units.append(teryt)
    if invalid:
        notes.insert(0, {"kind": "invalid", "codes": invalid})
    if len(units) > limit:
        notes.append({"kind": "too_many", "codes": units[limit:]})
        units = units[:limit]
    return units, notes


def parse_state(params: dict[str, str | None]) -> CompareState:
    """A complete, valid comparison state from query parameters; unknown values fall back to defaults."""
    store = get_store()
    units, notes = parse_units(params.get("jst"))
    area = params.get("obszar") or DEFAULT_AREA
    if area not in store.catalogue.area_by_id:
        area = DEFAULT_AREA
    try:
        year: int | None = int(params.get("rok") or "")
    except ValueError:
        year = None
    if year is not None and year not in year_choices(area, units):
        year = None
    lang = "en" if params.get("lang") == "en" else "pl"
    return CompareState(units=tuple(units), area=area, year=year, lang=lang, notes=tuple(notes))


def levels_of(units: list[str] | tuple[str, ...]) -> list[str]:
    """The levels present among the units, in the catalogue's order."""
    present = {LEVEL_OF_LEN.get(len(t)) for t in units}
    return [lvl for lvl in ("gmina", "powiat", "wojewodztwo") if lvl in present]


def year_choices(area: str, units: list[str] | tuple[str, ...]) -> list[int]:
    """Every year with data for some indicator of the area at the units' levels (all levels when none)."""
    store = get_store()
    levels = levels_of(units) or ["gmina"]
    years: set[int] = set()
    for ind in store.catalogue.in_area(area):
        for lvl in levels:
            years.update(store.years(ind.id, lvl))
    return sorted(years)


def row_year(indicator_id: str, levels: list[str], year: int | None) -> int | None:
    """The year a row shows: the chosen one if every level compared has it, else the latest common ≤ it."""
    store = get_store()
    ind = store.catalogue.by_id[indicator_id]
    own = [lvl for lvl in levels if lvl in ind.levels]
    if not own:
        return None
    common = set(store.years(indicator_id, own[0]))
    for lvl in own[1:]:
        common &= set(store.years(indicator_id, lvl))
    if not common:
        return None
    if year is None:
        return max(common)
    earlier = [y for y in common if y <= year]
    return max(earlier) if earlier else min(common)


def table_rows(
    units: list[str] | tuple[str, ...], area: str, year: int | None, lang: str = "pl"
) -> list[dict]:
    """One row per indicator of the area: its year and a cell per unit (value, text, peer median, best)."""
    store = get_store()
    tx = _tx(lang)
    levels = levels_of(units)
    rows = []
    for ind in store.catalogue.in_area(area):
        y = row_year(ind.id, levels, year)
        unit_text = ind.unit.get(lang)
        cells = []
        for teryt in units:
            level = LEVEL_OF_LEN[len(teryt)]
            if level not in ind.levels or y is None:
                cells.append(
                    {
                        "teryt": teryt,
                        "value": None,
                        "text": tx["na"],
                        "short": tx["na"],
                        "applicable": False,
                        "synthetic": False,
                        "peer_median": None,
                        "peer_text": None,
                        "best": False,
                    }
                )
                continue
            point = store.point(ind.id, teryt, y) or {}
            value = point.get("value")
            peer = point.get("peer") or {}
            peer_median = peer.get("median")
            cells.append(
                {
                    "teryt": teryt,
                    "value": value,
                    "applicable": True,
                    "text": format_value(value, unit_text, ind.decimals, lang),
                    "short": short_value(value, unit_text, ind.decimals, lang),
                    "synthetic": bool(point.get("synthetic")) or store.is_synthetic(ind.id),
                    "peer_median": peer_median,
                    "peer_text": short_value(peer_median, unit_text, ind.decimals, lang)
                    if peer_median is not None
                    else None,
                    "best": False,
                }
            )
        present = [c for c in cells if c["value"] is not None and math.isfinite(c["value"])]
        if ind.direction != "neutral" and len(present) >= 2:
            pick = max if ind.direction == "higher_better" else min
            best_value = pick(c["value"] for c in present)
            if sum(1 for c in present if c["value"] == best_value) == 1:
                for c in present:
                    c["best"] = c["value"] == best_value
        medians = {}
        for lvl in levels:
            national = store.group(ind.id, y, lvl, "national", "PL") if (y and lvl in ind.levels) else None
            medians[lvl] = (
                short_value(national["median"], unit_text, ind.decimals, lang)
                if national and national.get("median") is not None
                else None
            )
        rows.append(
            {
                "indicator": ind.id,
                "name": ind.name.get(lang),
                "unit": unit_text,
                "year": y,
                "direction": direction_label(ind, lang),
                "synthetic": store.is_synthetic(ind.id),
                "cells": cells,
                "medians": medians,
            }
        )
    return rows


def short_value(value: float | None, unit_text: str, decimals: int, lang: str) -> str:
    """A table cell's number: the unit is in the row's header, except a percent sign."""
    text = format_number(value, decimals, lang)
    return text + "%" if unit_text == "%" and value is not None else text


def unit_label(teryt: str) -> str:
    return str(get_store().units.at[teryt, "display_name"])


# ---------------------------------------------------------------------------------------------- rendering
def _badge(lang: str) -> html.Span:
    return html.Span(_tx(lang)["synthetic"], className="badge synthetic-badge ms-1")


def notes_view(notes: tuple[dict, ...] | list[dict], lang: str) -> list:
    store = get_store()
    tx = _tx(lang)
    out = []
    for note in notes:
        if note["kind"] == "invalid":
            text = tx["invalid"].format(codes=", ".join(note["codes"]))
        elif note["kind"] == "changed":
            new = note["new"]
            name = store.units.at[new, "display_name"] if new in store.units.index else new
            text = tx["changed"].format(old=note["old"], new=new, name=name)
        elif note["kind"] == "too_many":
            text = tx["too_many"].format(codes=", ".join(unit_label(t) for t in note["codes"]))
        else:
            continue
        out.append(dbc.Alert(text, color="warning", className="py-2 mb-2 small", dismissable=False))
    return out


def units_view(state: CompareState) -> list:
    """Chips of the units compared, each with a remove (×) button, and a prompt when fewer than two."""
    store = get_store()
    tx = _tx(state.lang)
    chips = []
    for teryt in state.units:
        name = unit_label(teryt)
        chips.append(
            html.Li(
                [
                    html.Span(
                        [
                            dcc.Link(
                                name, href=with_lang(f"/jst/{teryt}", state.lang), className="chip-name"
                            ),
                            html.Span(store.context_line(teryt, state.lang), className="chip-context"),
                        ],
                        className="chip-text",
                    ),
                    html.Button(
                        "×",
                        id=ids.compare_remove(teryt),
                        n_clicks=0,
                        type="button",
                        className="chip-remove",
                        title=tx["remove"].format(name=name),
                        **{"aria-label": tx["remove"].format(name=name)},
                    ),
                ],
                className="compare-chip",
            )
        )
    out: list = []
    if chips:
        out.append(html.H2(tx["units"], className="visually-hidden"))
        out.append(html.Ul(chips, className="compare-chips list-unstyled", **{"aria-label": tx["units"]}))
    if len(state.units) == 0:
        out.append(html.P(tx["prompt"], className="compare-prompt"))
    elif len(state.units) == 1:
        out.append(html.P(tx["prompt_one"], className="compare-prompt"))
    elif len(state.units) >= MAX_UNITS:
        out.append(html.P(tx["full"], className="small text-muted"))
    return out


def table_view(state: CompareState, rows: list[dict]) -> list:
    store = get_store()
    lang = state.lang
    tx = _tx(lang)
    levels = levels_of(state.units)
    area = store.catalogue.area_by_id[state.area]
    head = [
        html.Th(tx["indicator"], scope="col", className="col-indicator"),
        html.Th(tx["rok"], scope="col", className="col-year"),
    ]
    head += [
        html.Th(dcc.Link(unit_label(t), href=with_lang(f"/jst/{t}", lang)), scope="col", className="col-unit")
        for t in state.units
    ]
    head += [
        html.Th(f"{tx['median']} ({tx['levels'][lvl]})", scope="col", className="col-median")
        for lvl in levels
    ]
    body = []
    for row in rows:
        name_cell = [
            dcc.Link(row["name"], href=with_lang(f"/wskaznik/{row['indicator']}", lang)),
            html.Div(f"{row['unit']} · {row['direction']}", className="small text-muted"),
        ]
        if row["synthetic"]:
            name_cell.append(_badge(lang))
        tds = [
            html.Th(name_cell, scope="row", className="col-indicator"),
            html.Td(str(row["year"]) if row["year"] else tx["na"], className="col-year"),
        ]
        for cell in row["cells"]:
            if not cell["applicable"]:
                tds.append(html.Td(html.Span(tx["na"], title=tx["na_title"]), className="col-unit na"))
                continue
            content: list = [html.Span(cell["short"], className="value", title=cell["text"])]
            if cell["best"]:
                content.append(
                    html.Span(" ▲", className="best-mark", title=tx["best"], **{"aria-label": tx["best"]})
                )
            if cell["synthetic"] and not row["synthetic"]:
                content.append(_badge(lang))
            if cell["peer_text"]:
                content.append(
                    html.Div(f"{tx['peer']}: {cell['peer_text']}", className="peer small text-muted")
                )
            tds.append(html.Td(content, className="col-unit" + (" best" if cell["best"] else "")))
        tds += [html.Td(row["medians"].get(lvl) or tx["na"], className="col-median") for lvl in levels]
        body.append(html.Tr(tds))
    table = html.Table(
        [
            html.Caption(tx["table_caption"].format(area=area.name.get(lang)), className="visually-hidden"),
            html.Thead(html.Tr(head)),
            html.Tbody(body),
        ],
        className="table table-sm compare-table align-top",
    )
    caption = tx["table_caption"].format(area=area.name.get(lang))
    return [
        html.P(caption, className="small text-muted mb-1", **{"aria-hidden": "true"}),
        html.Div(
            table,
            className="table-responsive compare-table-wrap",
            tabIndex="0",
            role="region",
            **{"aria-label": caption},
        ),
    ]


def bars_view(state: CompareState, rows: list[dict]) -> list:
    """One small bar chart per indicator of the area (only the units with a value)."""
    store = get_store()
    lang = state.lang
    tx = _tx(lang)
    levels = levels_of(state.units)
    graphs = []
    for row in rows:
        ind = store.catalogue.by_id[row["indicator"]]
        cells = [c for c in row["cells"] if c["applicable"]]
        if not cells or row["year"] is None:
            continue
        names = [unit_label(c["teryt"]) for c in cells]
        values = [c["value"] for c in cells]
        reference = None
        if len(levels) == 1:
            national = store.group(ind.id, row["year"], levels[0], "national", "PL")
            reference = national["median"] if national else None
        fig = bar_figure(
            names=names,
            values=values,
            indicator=ind,
            lang=lang,
            synthetic=row["synthetic"],
            reference=reference,
            reference_label=tx["ref"],
            height=70 + 38 * len(names) + (20 if row["synthetic"] else 0),
        )
        fig["layout"]["margin"]["t"] = max(fig["layout"]["margin"]["t"], 34)  # room for the median's label
        title = f"{row['name']} ({row['year']})"
        graphs.append(
            dbc.Col(
                html.Figure(
                    [
                        html.Figcaption(
                            [
                                html.Span(title, className="fw-semibold"),
                                html.Span(f" · {row['unit']} · {row['direction']}", className="text-muted"),
                                html.Span(
                                    " " + tx["bar_alt"].format(name=row["name"], year=row["year"]),
                                    className="visually-hidden",
                                ),
                            ],
                            className="small",
                        ),
                        dcc.Graph(
                            figure=fig,
                            config={
                                **graph_config(lang, f"omup-porownanie-{ind.id}"),
                                "displayModeBar": False,
                            },
                            className="compare-bar",
                            style={"height": f"{fig['layout']['height']}px"},
                        ),
                    ],
                    className="compare-figure",
                ),
                xs=12,
                lg=6,
            )
        )
    return graphs


def download_query(state: CompareState) -> str:
    q = {"jst": ",".join(state.units)}
    if state.year is not None:
        q["rok"] = str(state.year)
    return urlencode(q, safe=",")


def body_view(state: CompareState) -> list:
    """Everything below the controls: the table, the bars, downloads and share."""
    tx = _tx(state.lang)
    if not state.units:
        return []
    rows = table_rows(state.units, state.area, state.year, state.lang)
    qs = download_query(state)
    downloads = [("CSV", f"/pobierz/porownanie.csv?{qs}"), ("XLSX", f"/pobierz/porownanie.xlsx?{qs}")]
    out: list = [
        *table_view(state, rows),
        html.P(tx["year_note"], className="small text-muted"),
        html.Div(
            [html.Span(tx["download"], className="small me-2")]
            + [
                html.A(label, href=href, className="btn btn-sm btn-outline-secondary me-1")
                for label, href in downloads
            ]
            + [
                share_panel(
                    "compare-table",
                    path="/porownaj",
                    query=state.to_query(),
                    lang=state.lang,
                    downloads=downloads,
                )
            ],
            className="d-flex flex-wrap align-items-center gap-1 mb-3",
        ),
    ]
    if len(state.units) >= 2:
        out.append(html.H2(tx["bars"], className="h5 mt-3"))
        out.append(dbc.Row(bars_view(state, rows), className="g-3"))
        out.append(
            share_panel(
                "compare-bars", path="/porownaj", query=state.to_query(), lang=state.lang, downloads=downloads
            )
        )
    return out


def area_options(lang: str) -> list[dict]:
    return [{"label": a.name.get(lang), "value": a.id} for a in get_store().catalogue.areas]


def year_options(state: CompareState) -> list[dict]:
    tx = _tx(state.lang)
    return [{"label": tx["latest"], "value": "latest"}] + [
        {"label": str(y), "value": str(y)} for y in reversed(year_choices(state.area, state.units))
    ]


def suggested_options(units: list[str] | tuple[str, ...], lang: str, k: int = 8) -> list[dict]:
    """What the add control lists before anything is typed: the units most similar to the first one
    compared (k nearest on the context variables), else the largest cities. Never empty (see
    layouts.components.units)."""
    from portal.similar import similar_units

    codes: list[str] = []
    if units:
        try:
            codes = [u["teryt"] for u in similar_units(get_store(), units[0], k=k + len(units))["units"]]
        except (ValueError, KeyError):
            codes = []
    codes = [t for t in codes if t not in units][:k] or largest_units("gmina", k, exclude=units)
    return [unit_option(t, lang) for t in codes]


def unit_options(
    search_value: str | None, exclude: list[str] | tuple[str, ...], lang: str
) -> list[dict] | None:
    """Options for the add control from a typed name or code; None (keep the list) while the text is empty
    or one character long (a cleared search follows a selection; the sync callback then sends the new
    suggestions)."""
    if not search_value or len(search_value.strip()) < 2:
        return None
    return search_options(search_value, lang, exclude=exclude)


def layout(
    jst: str | None = None, obszar: str | None = None, rok: str | None = None, lang: str = "pl", **_: str
) -> list:
    state = parse_state({"jst": jst, "obszar": obszar, "rok": rok, "lang": lang})
    lang = state.lang
    tx = _tx(lang)
    store = get_store()
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(tx["add"], html_for=ids.COMPARE_ADD),
                    dcc.Dropdown(
                        id=ids.COMPARE_ADD,
                        options=[] if VALIDATING.get() else suggested_options(state.units, lang),
                        value=None,
                        placeholder=tx["add_ph"],
                        searchable=True,
                        clearable=False,
                        disabled=len(state.units) >= MAX_UNITS,
                        optionHeight=44,
                        search_order="original",
                        labels=dropdown_labels(lang),
                    ),
                ],
                xs=12,
                lg=5,
            ),
            dbc.Col(
                [
                    dbc.Label(tx["area"], html_for=ids.COMPARE_AREA),
                    dbc.Select(id=ids.COMPARE_AREA, options=area_options(lang), value=state.area),
                ],
                xs=7,
                lg=4,
            ),
            dbc.Col(
                [
                    dbc.Label(tx["year"], html_for=ids.COMPARE_YEAR),
                    dbc.Select(
                        id=ids.COMPARE_YEAR,
                        options=year_options(state),
                        value="latest" if state.year is None else str(state.year),
                    ),
                ],
                xs=5,
                lg=3,
            ),
        ],
        className="g-2 controls mb-2",
    )
    content = [
        html.H1(tx["h1"], className="h2"),
        html.P(tx["lead"], className="text-muted"),
        controls,
        html.Div(notes_view(state.notes, lang), id=ids.COMPARE_NOTES, **{"aria-live": "polite"}),
        html.Div(units_view(state), id=ids.COMPARE_UNITS, className="mb-2"),
        html.Div(body_view(state), id=ids.COMPARE_BODY),
        dcc.Store(id=ids.COMPARE_STATE, data=state.as_dict()),
        dcc.Location(id=ids.COMPARE_URL, refresh="callback-nav"),
    ]
    area_ids = [i.id for i in store.catalogue.in_area(state.area)]
    return page(lang, "/porownaj", state.to_query(), content, indicator_ids=area_ids)
