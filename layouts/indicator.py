"""Indicator page: definition, formula, source, evidence, coverage, real/synthetic label; map, rankings.

The definition part depends only on the indicator; the charts follow the year and level kept in the URL
(``/wskaznik/<id>?rok=2024&poziom=powiaty``) and are re-rendered by callbacks/indicator.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
from dash import dcc, html

from layouts.components.changelog import changelog_block
from layouts.components.share import share_panel
from layouts.components.shell import page, with_lang
from layouts.not_found import NotFound
from portal import ids
from portal.catalogue import DIMENSION_NAMES, Indicator
from portal.explain import format_number, format_value
from portal.figures import (
    bar_figure,
    direction_label,
    distribution_figure,
    funnel_figure,
    graph_config,
    map_figure,
)
from portal.state import LEVEL_PARAM, LEVEL_WORD
from portal.store import get_store
from portal.uncertainty import funnel

DEFAULT_INDICATOR = "egzamin-8-matematyka"
BDL_VARIABLE_URL = "https://bdl.stat.gov.pl/bdl/metadane/cechy/{id}"

EVIDENCE = {
    "code_imported_level6": {
        "pl": "identyfikator zmiennej BDL używany w działającym programie pobierającym dane gmin, z "
        "potwierdzoną "
        "liczbą gmin – pewny",
        "en": "a BDL variable id used by working import code for gminas, with the number of gminas reported "
        "– sure",
    },
    "code_verified_value": {
        "pl": "identyfikator zmiennej BDL potwierdzony wartością, którą zwróciło API – pewny",
        "en": "a BDL variable id confirmed by a value the API returned – sure",
    },
    "code_used_level6": {
        "pl": "identyfikator zmiennej BDL używany w kodzie lub dokumentacji dla gmin, bez pokazanej wartości "
        "– "
        "prawdopodobny",
        "en": "a BDL variable id used in code or documentation for gminas, no value shown – likely",
    },
    "smup_imported": {
        "pl": "identyfikator wskaźnika SMUP pobierany przez działający program – pewny",
        "en": "an SMUP indicator id imported by working code – sure",
    },
    "code_list": {
        "pl": "identyfikator z listy nazw zmiennych w kodzie pobierającym dane, nie sprawdzony inaczej – do "
        "potwierdzenia",
        "en": "an id from a curated id→name list in fetch code, not otherwise checked – to be confirmed",
    },
    "subject_only": {
        "pl": "potwierdzony jest tylko temat BDL (kod P…); identyfikator zmiennej nie jest znany",
        "en": "only the BDL subject (P… code) is confirmed; the variable id is not known",
    },
    "guessed": {
        "pl": "ani identyfikator, ani temat BDL nie są potwierdzone – źródło do ustalenia",
        "en": "neither the id nor the BDL subject is confirmed – the source is still to be pinned down",
    },
    "data_in_hand": {
        "pl": "dane spoza BDL (np. PKW, CKE) zapisane w repozytorium projektu i przeliczone na gminy",
        "en": "non-BDL data (e.g. PKW, CKE) kept in the project's repository and aggregated to gminas",
    },
    "derived": {
        "pl": "wyliczony z innych wskaźników tego katalogu",
        "en": "computed from other indicators of this catalogue",
    },
}

TEXT = {
    "pl": {
        "real": "DANE RZECZYWISTE",
        "synthetic": "DANE SYNTETYCZNE",
        "real_note": "Wartości pochodzą ze źródła urzędowego podanego niżej.",
        "synthetic_note": "To nie są dane urzędowe. Wartości wygenerował program OMUP, bo danych z BDL i "
        "SMUP nie "
        "dało się tu pobrać. Służą do sprawdzenia działania portalu, nie do wyciągania "
        "wniosków.",
        "generator": "Jak powstały: generator z ustalonym ziarnem losowania przyjmuje typową wartość "
        "{median} dla "
        "średniej gminy wiejskiej w 2020 r., różnicuje ją według typu i wielkości gminy oraz "
        "regionu, "
        "dodaje płynny trend ({trend} rocznie) i niewielkie wahania z roku na rok; wartości "
        "powiatów "
        "i województw są sumowane z gmin, więc poziomy się zgadzają.",
        "more_synthetic": "Więcej o danych syntetycznych",
        "definition": "Definicja",
        "area": "Obszar",
        "dimension": "Wymiar",
        "unit": "Jednostka",
        "direction": "Kierunek",
        "formula": "Wzór",
        "numerator": "licznik",
        "denominator": "mianownik",
        "multiplier": "mnożnik",
        "levels": "Poziomy",
        "years": "Lata w katalogu",
        "source": "Źródło",
        "bdl": "Zmienna BDL",
        "bdl_subject": "temat",
        "smup": "Wskaźnik SMUP",
        "evidence": "Pewność identyfikatora",
        "note": "Uwagi techniczne (po angielsku)",
        "coverage": "Pokrycie danymi",
        "coverage_caption": "Udział jednostek z wartością w najnowszym roku",
        "cov_level": "Poziom",
        "cov_year": "Rok",
        "cov_years": "Lata z danymi",
        "cov_n": "Z wartością",
        "cov_share": "Udział",
        "level_names": {"gmina": "gminy", "powiat": "powiaty", "wojewodztwo": "województwa"},
        "level_gen": {"gmina": "gmin", "powiat": "powiatów", "wojewodztwo": "województw"},
        "smup_kinds": {"gmina": "gminy", "mnpp": "miasta na prawach powiatu", "all": "wszystkie"},
        "year": "Rok",
        "ranking": "Ranking",
        "level": "Poziom",
        "map": "Mapa",
        "top": "Najlepsze 10",
        "bottom": "Najsłabsze 10",
        "highest": "Najwyższe 10",
        "lowest": "Najniższe 10",
        "all": "Wszystkie",
        "dist": "Rozkład wartości",
        "map_alt": "Mapa: {name}, {level}, {year}. Wartości jednostek w tabeli rankingu w eksploratorze "
        "obszaru.",
        "dist_alt": "Rozkład wartości wszystkich jednostek: pudełko pokazuje środkowe 50% jednostek, kropki "
        "– "
        "pojedyncze jednostki.",
        "bars_alt": "Wykres słupkowy: {title}.",
        "explore": "Otwórz w eksploratorze obszaru (ranking, tabela)",
        "download": "Pobierz dane:",
        "median": "mediana",
        "bottom_order": "od najsłabszej",
        "no_data": "Brak danych dla tego roku i poziomu.",
        "data": "Dane",
        "area_link": "obszar",
        "funnel": "Niepewność: wykres lejkowy",
        "funnel_lead": "W małej gminie kilka osób więcej lub mniej zmienia wskaźnik o wiele punktów, więc "
        "zwykły ranking myli. Wykres lejkowy pokazuje każdą jednostkę jako kropkę: jej wartość (oś "
        "pionowa) wobec liczby osób, od których zależy wskaźnik (oś pozioma). Linie przerywane to granice "
        "przypadkowych wahań wokół średniej odniesienia: 95% (kreski) i 99,8% (kropki). W małych "
        "jednostkach lejek jest szeroki, w dużych wąski. Kropka wewnątrz lejka nie różni się od średniej "
        "bardziej, niż mógłby sprawić przypadek – nie należy jej nazywać lepszą ani gorszą.",
        "funnel_counts": "Poza granicami 95%: {out95} z {n} ({above} powyżej, {below} poniżej); poza "
        "granicami 99,8%: {out998}.",
        "funnel_window": "Wartości to średnie z lat {a}–{b} (co najmniej dwa lata z danymi).",
        "funnel_alt": "Wykres lejkowy: {name}, {level}, {year}. Liczby jednostek poza granicami podano nad "
        "wykresem.",
        "reference": "Odniesienie",
        "reference_pl": "cała Polska",
        "window": "Średnia 3-letnia (stabilniejsza dla małych jednostek)",
        "funnel_error": "Brak danych do wykresu lejkowego dla tego roku i poziomu.",
        "funnel_denominator": "{name} (2020, skala log.)",
        "funnel_axes": "Oś pozioma: {x} (2020, skala logarytmiczna). Oś pionowa: {y}.",
    },
    "en": {
        "real": "REAL DATA",
        "synthetic": "SYNTHETIC DATA",
        "real_note": "Values come from the official source named below.",
        "synthetic_note": "These are not official statistics. OMUP generated the values because BDL and SMUP "
        "data "
        "could not be fetched here. They are for trying the portal, not for drawing "
        "conclusions.",
        "generator": "How they were made: a generator with a fixed random seed takes a typical value of "
        "{median} "
        "for a mid-sized rural gmina in 2020, varies it by gmina type, size and region, adds a "
        "smooth "
        "trend ({trend} a year) and small year-to-year wobble; county and voivodeship values "
        "are sums "
        "of their gminas, so the levels agree.",
        "more_synthetic": "More about synthetic data",
        "definition": "Definition",
        "area": "Area",
        "dimension": "Dimension",
        "unit": "Unit",
        "direction": "Direction",
        "formula": "Formula",
        "numerator": "numerator",
        "denominator": "denominator",
        "multiplier": "multiplier",
        "levels": "Levels",
        "years": "Years in the catalogue",
        "source": "Source",
        "bdl": "BDL variable",
        "bdl_subject": "subject",
        "smup": "SMUP indicator",
        "evidence": "Confidence in the id",
        "note": "Technical notes",
        "coverage": "Coverage",
        "coverage_caption": "Share of units with a value in the latest year",
        "cov_level": "Level",
        "cov_year": "Year",
        "cov_years": "Years with data",
        "cov_n": "With a value",
        "cov_share": "Share",
        "level_names": {"gmina": "gminas", "powiat": "counties", "wojewodztwo": "voivodeships"},
        "level_gen": {"gmina": "gminas", "powiat": "counties", "wojewodztwo": "voivodeships"},
        "smup_kinds": {"gmina": "gminas", "mnpp": "cities with county rights", "all": "all"},
        "year": "Year",
        "ranking": "Ranking",
        "level": "Level",
        "map": "Map",
        "top": "Best 10",
        "bottom": "Weakest 10",
        "highest": "Highest 10",
        "lowest": "Lowest 10",
        "all": "All",
        "dist": "Distribution of values",
        "map_alt": "Map: {name}, {level}, {year}. Unit values are in the ranking table of the area explorer.",
        "dist_alt": "Distribution of all units' values: the box shows the middle 50% of units, dots single "
        "units.",
        "bars_alt": "Bar chart: {title}.",
        "explore": "Open in the area explorer (ranking, table)",
        "download": "Download data:",
        "median": "median",
        "bottom_order": "weakest first",
        "no_data": "No data for this year and level.",
        "data": "Data",
        "area_link": "area",
        "funnel": "Uncertainty: funnel plot",
        "funnel_lead": "In a small gmina a few people more or less move the indicator by many points, so a "
        "plain ranking misleads. The funnel plot shows each unit as a dot: its value (vertical axis) "
        "against the number of people the indicator counts (horizontal axis). The dashed lines bound chance "
        "variation around the reference average: 95% (dashes) and 99.8% (dots). The funnel is wide for "
        "small units and narrow for large ones. A dot inside the funnel differs from the average no more "
        "than chance could make it – it should not be called better or worse.",
        "funnel_counts": "Outside the 95% limits: {out95} of {n} ({above} above, {below} below); outside "
        "the 99.8% limits: {out998}.",
        "funnel_window": "Values are means over {a}–{b} (at least two years with data).",
        "funnel_alt": "Funnel plot: {name}, {level}, {year}. The numbers of units outside the limits are "
        "given above the chart.",
        "reference": "Reference",
        "reference_pl": "all of Poland",
        "window": "Three-year average (steadier for small units)",
        "funnel_error": "No data for the funnel plot in this year and level.",
        "funnel_denominator": "{name} (2020, log scale)",
        "funnel_axes": "Horizontal axis: {x} (2020, log scale). Vertical axis: {y}.",
    },
}


def _tx(lang: str) -> dict:
    return TEXT["en" if lang == "en" else "pl"]


# ---------------------------------------------------------------------------------------------- state
@dataclass(frozen=True)
class IndicatorState:
    indicator: str
    level: str
    year: int
    lang: str = "pl"
    window: int | None = None  # 3: the funnel shows three-year rolling values (rate indicators only)
    group: str | None = None  # the funnel's reference: None = Poland, else a peer-group id

    def to_query(self) -> dict[str, str]:
        q = {"rok": str(self.year), "poziom": LEVEL_WORD[self.level]}
        if self.window:
            q["srednia"] = str(self.window)
        if self.group:
            q["grupa"] = self.group
        if self.lang == "en":
            q["lang"] = "en"
        return q

    def search(self) -> str:
        return "?" + urlencode(self.to_query())

    def as_dict(self) -> dict:
        return asdict(self)


def parse_state(indicator_id: str, params: dict[str, str | None]) -> IndicatorState:
    """A valid year and level from the URL; unknown values fall back to gminy and the latest year."""
    store = get_store()
    ind = store.catalogue.by_id[indicator_id]
    word = params.get("poziom") or ""
    level = LEVEL_PARAM.get(word, word)
    if level not in ind.levels:
        level = "gmina" if "gmina" in ind.levels else ind.levels[0]
    years = store.years(ind.id, level)
    try:
        year = int(params.get("rok") or "")
    except ValueError:
        year = -1
    if year not in years:
        year = years[-1] if years else ind.years[1]
    lang = "en" if params.get("lang") == "en" else "pl"
    window = 3 if ind.rate and params.get("srednia") == "3" else None
    group = params.get("grupa") or None
    if not ind.rate or group not in set(group_ids(level)):
        group = None
    return IndicatorState(indicator=ind.id, level=level, year=year, lang=lang, window=window, group=group)


def group_ids(level: str) -> list[str]:
    """Peer groups with units at the level (the funnel's possible references besides Poland)."""
    units = get_store().units
    present = set(units.loc[units["level"] == level, "peer_group"])
    return [g for g in get_store().meta.get("peer_groups", {}) if g in present]


def group_options(level: str, lang: str) -> list[dict]:
    store = get_store()
    return [{"label": _tx(lang)["reference_pl"], "value": "PL"}] + [
        {"label": store.peer_group_name(g, lang), "value": g} for g in group_ids(level)
    ]


def fit_funnel(fig: dict) -> dict:
    """Axis titles move to a caption above the chart and the legend below the ticks: on a phone the long
    titles overlapped the plot and the legend's rows covered the x title."""
    layout = fig["layout"]
    layout["xaxis"]["title"] = None
    layout["yaxis"]["title"] = None
    layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.08, "yanchor": "top"}
    layout["margin"] = {**layout["margin"], "l": 40, "b": 30}
    layout["height"] = 460
    return fig


def funnel_axes(data: dict, ind: Indicator, lang: str) -> str:
    """The caption naming the funnel's axes (denominator and indicator unit)."""
    name = data["denominator_name"]["en" if lang == "en" else "pl"]
    return _tx(lang)["funnel_axes"].format(x=name, y=ind.unit.get(lang))


def funnel_view(state: IndicatorState) -> list:
    """The funnel plot of a rate indicator with its plain explanation; [] for other indicators."""
    store = get_store()
    ind = store.catalogue.by_id[state.indicator]
    if not ind.rate:
        return []
    lang = state.lang
    tx = _tx(lang)
    try:
        data = funnel(store, ind.id, state.year, state.level, state.group, window=state.window)
    except ValueError:
        return [html.P(tx["funnel_error"], className="text-muted")]
    name = data["denominator_name"]["en" if lang == "en" else "pl"]
    fig = funnel_figure(
        points=data["points"],
        reference=data["reference"],
        limits_curve=data["curve"],
        indicator=ind,
        lang=lang,
        synthetic=data["synthetic"],
        x_title=tx["funnel_denominator"].format(name=name),
    )
    c = data["counts"]
    counts = tx["funnel_counts"].format(
        out95=format_number(sum(c[k] for k in ("above95", "below95", "above998", "below998")), 0, lang),
        n=format_number(len(data["points"]), 0, lang),
        above=format_number(c["above95"] + c["above998"], 0, lang),
        below=format_number(c["below95"] + c["below998"], 0, lang),
        out998=format_number(c["above998"] + c["below998"], 0, lang),
    )
    fit_funnel(fig)
    out: list = [
        html.P(counts, className="funnel-counts small mb-1"),
        html.P(funnel_axes(data, ind, lang), className="funnel-axes small mb-1"),
    ]
    if data["window"]:
        out.append(html.P(tx["funnel_window"].format(a=state.year - 2, b=state.year), className="small mb-1"))
    level_name = tx["level_names"][state.level]
    out.append(
        _figure(
            [],
            dcc.Graph(
                figure=fig, config=graph_config(lang, f"omup-{ind.id}-lejek"), className="funnel-graph"
            ),
            tx["funnel_alt"].format(name=ind.name.get(lang), level=level_name, year=state.year),
        )
    )
    out.append(share_panel("indicator-funnel", path=f"/wskaznik/{ind.id}", query=state.to_query(), lang=lang))
    return out


def funnel_section(ind: Indicator, state: IndicatorState) -> html.Section:
    """Controls (reference, three-year average) and the funnel; hidden for indicators that are not rates."""
    lang = state.lang
    tx = _tx(lang)
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(tx["reference"], html_for=ids.INDICATOR_GROUP),
                    dbc.Select(
                        id=ids.INDICATOR_GROUP,
                        options=group_options(state.level, lang),
                        value=state.group or "PL",
                    ),
                ],
                xs=12,
                md=6,
                lg=4,
            ),
            dbc.Col(
                dbc.Checklist(
                    id=ids.INDICATOR_WINDOW,
                    options=[{"label": tx["window"], "value": "3"}],
                    value=["3"] if state.window else [],
                    switch=True,
                    className="mt-md-4 pt-md-2",
                ),
                xs=12,
                md=6,
                lg=5,
            ),
        ],
        className="g-2 controls mb-2",
    )
    return html.Section(
        [
            html.H2(tx["funnel"], className="h4"),
            html.P(tx["funnel_lead"], className="funnel-lead"),
            controls,
            html.Div(funnel_view(state), id=ids.INDICATOR_FUNNEL, **{"aria-live": "polite"}),
        ],
        className="mb-4 funnel-section",
        hidden=not ind.rate,
    )


# ---------------------------------------------------------------------------------------------- logic
def coverage(indicator_id: str) -> list[dict]:
    """Per level: the latest year, units with a value in it, all units, their share (0–1), years with data."""
    store = get_store()
    ind = store.catalogue.by_id[indicator_id]
    out = []
    for level in ind.levels:
        years = store.years(indicator_id, level)
        total = len(store.level_codes(level))
        if not years:
            out.append({"level": level, "year": None, "n": 0, "total": total, "share": 0.0, "years": []})
            continue
        sl = store.slice(indicator_id, years[-1], level)
        n = int(np.isfinite(sl.value).sum()) if sl is not None else 0
        out.append(
            {
                "level": level,
                "year": years[-1],
                "n": n,
                "total": total,
                "share": n / total if total else 0.0,
                "years": years,
            }
        )
    return out


def _names(codes: list[str], level: str) -> dict[str, str]:
    """Display names; display_name already tells same-named gminy apart."""
    units = get_store().units
    return {c: str(units.at[c, "display_name"]) for c in codes}


def top_bottom(indicator_id: str, year: int, level: str, k: int = 10) -> tuple[list[dict], list[dict]]:
    """The k best and k weakest units by the indicator's direction (neutral: highest and lowest values).

    Both lists start at their extreme: the top list with the best (highest) unit, the bottom list with the
    weakest (lowest) one. Ties are broken by name.
    """
    store = get_store()
    sl = store.slice(indicator_id, year, level)
    if sl is None:
        return [], []
    ind = sl.indicator
    finite = np.isfinite(sl.value)
    codes = sl.codes[finite].tolist()
    values = sl.value[finite].tolist()
    names = _names(codes, level)
    items = [
        {"teryt": c, "name": names[c], "value": v, "synthetic": bool(s)}
        for c, v, s in zip(codes, values, sl.synthetic[finite].tolist(), strict=True)
    ]
    high_first = sorted(items, key=lambda d: (-d["value"], d["name"]))
    low_first = sorted(items, key=lambda d: (d["value"], d["name"]))
    if ind.direction == "lower_better":
        return low_first[:k], high_first[:k]
    return high_first[:k], low_first[:k]


def bar_labels(items: list[dict], width: int = 26) -> list[str]:
    """Short, distinct y labels for bars: the plain name (the display name when two listed units share it).

    Labels are cut to `width`; equal labels would merge into one bar, so repeats get invisible suffixes.
    """
    units = get_store().units
    plain = [str(units.at[d["teryt"], "name"]) for d in items]
    labels = [d["name"] if plain.count(p) > 1 else p for d, p in zip(items, plain, strict=True)]
    labels = [label if len(label) <= width else label[: width - 1].rstrip() + "…" for label in labels]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label + "\u200b" * (seen[label] - 1))
    return out


def _year_span(ind: Indicator) -> str:
    years = ind.year_list
    if ind.only_years:
        return ", ".join(str(y) for y in years)
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


# ---------------------------------------------------------------------------------------------- rendering
def origin_label(ind: Indicator, lang: str) -> html.Div:
    """The big real/synthetic label; for synthetic values, how the generator made them."""
    store = get_store()
    tx = _tx(lang)
    if not store.is_synthetic(ind.id):
        return html.Div(
            [
                html.Span(tx["real"], className="origin-label origin-real"),
                html.Span(tx["real_note"], className="ms-2"),
            ],
            className="origin origin-box-real",
        )
    body: list = [
        html.Span(tx["synthetic"], className="origin-label origin-synthetic"),
        html.P(tx["synthetic_note"], className="mb-1 mt-2 fw-semibold"),
    ]
    gen = ind.synthetic
    if gen is not None and gen.median is not None:
        unit = ind.unit.get(lang)
        trend = format_number(gen.trend * 100, 1, lang) + "%"
        if gen.trend > 0:
            trend = "+" + trend
        body.append(
            html.P(
                tx["generator"].format(
                    median=format_value(gen.median, unit, ind.decimals, lang), trend=trend
                ),
                className="mb-1 small",
            )
        )
    body.append(dcc.Link(tx["more_synthetic"], href=with_lang("/o-danych", lang) + "#syntetyczne"))
    return html.Div(body, className="origin origin-box-synthetic", role="note")


def _row(term: str, *value: object) -> list:
    return [html.Dt(term, className="col-sm-3"), html.Dd(list(value), className="col-sm-9")]


def definition_view(ind: Indicator, lang: str) -> html.Section:
    store = get_store()
    tx = _tx(lang)
    area = store.catalogue.area_by_id[ind.area]
    f = ind.formula
    formula: list = [html.Span(f"{tx['numerator']}: "), html.Em(f.numerator.get(lang))]
    if f.denominator is not None:
        formula += [html.Br(), html.Span(f"{tx['denominator']}: "), html.Em(f.denominator.get(lang))]
    if f.multiplier != 1:
        formula += [html.Br(), html.Span(f"{tx['multiplier']}: {format_number(f.multiplier, 0, lang)}")]
    src = ind.source
    source: list = [html.Div(src.origin)]
    if src.bdl_variable is not None:
        source.append(
            html.Div(
                [
                    f"{tx['bdl']}: ",
                    html.A(
                        str(src.bdl_variable),
                        href=BDL_VARIABLE_URL.format(id=src.bdl_variable),
                        target="_blank",
                        rel="noopener",
                    ),
                ]
                + ([f" ({tx['bdl_subject']} {src.bdl_subject})"] if src.bdl_subject else [])
            )
        )
    elif src.bdl_subject:
        source.append(html.Div(f"{tx['bdl']}: – ({tx['bdl_subject']} {src.bdl_subject})"))
    if src.smup is not None:
        parts = [f"{tx['smup_kinds'][k]}: {v}" for k, v in src.smup.model_dump().items() if v is not None]
        if parts:
            source.append(html.Div(f"{tx['smup']}: " + "; ".join(parts)))
    source.append(
        html.Div(
            [
                f"{tx['evidence']}: ",
                EVIDENCE[src.evidence]["en" if lang == "en" else "pl"],
            ]
        )
    )
    rows = (
        _row(tx["area"], dcc.Link(area.name.get(lang), href=with_lang(f"/obszar/{area.id}", lang)))
        + _row(tx["dimension"], DIMENSION_NAMES[ind.dimension]["en" if lang == "en" else "pl"])
        + _row(tx["unit"], ind.unit.get(lang))
        + _row(tx["direction"], direction_label(ind, lang))
        + _row(tx["formula"], *formula)
        + _row(tx["levels"], ", ".join(tx["level_names"][lvl] for lvl in ind.levels))
        + _row(tx["years"], _year_span(ind))
        + _row(tx["source"], *source)
    )
    if src.note:
        rows += _row(tx["note"], html.Span(src.note, lang="en", className="small"))
    return html.Section(
        [html.H2(tx["definition"], className="h4"), html.Dl(rows, className="row indicator-def")],
        className="mb-3",
    )


def coverage_view(ind: Indicator, lang: str) -> html.Section:
    tx = _tx(lang)
    rows = []
    for c in coverage(ind.id):
        years = c["years"]
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "–")
        rows.append(
            html.Tr(
                [
                    html.Th(
                        [
                            tx["level_names"][c["level"]],
                            html.Div(span, className="small text-muted fw-normal"),
                        ],
                        scope="row",
                    ),
                    html.Td(str(c["year"]) if c["year"] else "–"),
                    html.Td(
                        f"{format_number(c['n'], 0, lang)} / {format_number(c['total'], 0, lang)}",
                        className="text-nowrap",
                    ),
                    html.Td(format_number(100 * c["share"], 1, lang) + "%"),
                ]
            )
        )
    table = html.Table(
        [
            html.Caption(tx["coverage_caption"], className="small"),
            html.Thead(
                html.Tr(
                    [html.Th(tx[k], scope="col") for k in ("cov_level", "cov_year", "cov_n", "cov_share")]
                )
            ),
            html.Tbody(rows),
        ],
        className="table table-sm coverage-table",
    )
    return html.Section(
        [html.H2(tx["coverage"], className="h4"), html.Div(table, className="table-responsive")],
        className="mb-3",
    )


def _figure(caption: list, graph: dcc.Graph, alt: str) -> html.Figure:
    return html.Figure(
        [html.Figcaption([*caption, html.Span(" " + alt, className="visually-hidden")]), graph],
        className="indicator-figure",
    )


def body_view(state: IndicatorState) -> list:
    """Map, top/bottom and distribution for the state's year and level."""
    store = get_store()
    lang = state.lang
    tx = _tx(lang)
    ind = store.catalogue.by_id[state.indicator]
    sl = store.slice(ind.id, state.year, state.level)
    if sl is None or not np.isfinite(sl.value).any():
        return [html.P(tx["no_data"], className="text-muted")]
    synthetic = bool(sl.synthetic.any()) or store.is_synthetic(ind.id)
    path = f"/wskaznik/{ind.id}"
    query = state.to_query()
    dl_query = urlencode({"wskaznik": ind.id, "rok": state.year, "poziom": LEVEL_WORD[state.level]})
    downloads = [("CSV", f"/pobierz/ranking.csv?{dl_query}"), ("XLSX", f"/pobierz/ranking.xlsx?{dl_query}")]
    level_name = tx["level_names"][state.level]
    out: list = []
    geo = store.geometry_file(state.level)
    if geo is not None:
        fig = map_figure(
            codes=sl.codes,
            values=sl.value,
            indicator=ind,
            geojson_url=f"/geo/{geo.split('/')[-1]}",
            lang=lang,
            synthetic=synthetic,
            height=520,
        )
        out.append(
            html.Section(
                [
                    html.H2(f"{tx['map']}: {level_name}, {state.year}", className="h4"),
                    # The figure reaches the graph through the browser, which fits it to the screen width
                    # (assets/omup-maps.js, as in the area explorer).
                    dcc.Store(id=ids.INDICATOR_MAP_FIGURE, data=fig),
                    _figure(
                        [],
                        dcc.Graph(
                            id=ids.INDICATOR_MAP,
                            config=graph_config(lang, f"omup-{ind.id}-mapa"),
                            className="indicator-map",
                        ),
                        tx["map_alt"].format(name=ind.name.get(lang), level=level_name, year=state.year),
                    ),
                    share_panel(
                        "indicator-map", path=path, query=query, lang=lang, embed="mapa", downloads=downloads
                    ),
                ],
                className="mb-4",
            )
        )
    top, bottom = top_bottom(ind.id, state.year, state.level)
    national = store.group(ind.id, state.year, state.level, "national", "PL")
    reference = national["median"] if national else None
    neutral = ind.direction == "neutral"
    n_values = int(np.isfinite(sl.value).sum())
    if n_values <= 20:
        lists = [
            (tx["all"], top + [b for b in reversed(bottom) if b["teryt"] not in {t["teryt"] for t in top}])
        ]
    else:
        lists = [
            (tx["highest"] if neutral else tx["top"], top),
            (tx["lowest"] if neutral else tx["bottom"] + f" ({tx['bottom_order']})", bottom),
        ]
    cols = []
    for title, items in lists:
        fig = bar_figure(
            names=bar_labels(items),
            values=[d["value"] for d in items],
            indicator=ind,
            lang=lang,
            synthetic=synthetic,
            reference=reference,
            reference_label=f"{tx['median']} PL",
        )
        fig["layout"]["margin"]["t"] = max(fig["layout"]["margin"]["t"], 34)  # room for the median's label
        cols.append(
            dbc.Col(
                _figure(
                    [html.H3(title, className="h5")],
                    dcc.Graph(
                        figure=fig, config={**graph_config(lang, f"omup-{ind.id}"), "displayModeBar": False}
                    ),
                    tx["bars_alt"].format(title=title),
                ),
                xs=12,
                lg=6 if len(lists) > 1 else 12,
            )
        )
    out.append(
        html.Section(
            [
                html.H2(f"{tx['ranking']}: {level_name}, {state.year}", className="h4"),
                dbc.Row(cols, className="g-3"),
                share_panel(
                    "indicator-ranking",
                    path=path,
                    query=query,
                    lang=lang,
                    embed="ranking",
                    downloads=downloads,
                ),
            ],
            className="mb-4",
        )
    )
    dist = distribution_figure(
        all_values=sl.value,
        peer_values=None,
        selected_value=None,
        indicator=ind,
        lang=lang,
        synthetic=synthetic,
    )
    out.append(
        html.Section(
            [
                html.H2(f"{tx['dist']}: {level_name}, {state.year}", className="h4"),
                _figure(
                    [],
                    dcc.Graph(figure=dist, config=graph_config(lang, f"omup-{ind.id}-rozklad")),
                    tx["dist_alt"],
                ),
                share_panel("indicator-distribution", path=path, query=query, lang=lang, downloads=downloads),
            ],
            className="mb-4",
        )
    )
    explore = with_lang(
        f"/obszar/{ind.area}", lang, wskaznik=ind.id, rok=state.year, poziom=LEVEL_WORD[state.level]
    )
    out.append(
        html.P(
            [
                dcc.Link(tx["explore"], href=explore, className="me-3"),
                html.Span(tx["download"], className="small me-1"),
            ]
            + [
                html.A(label, href=href, className="btn btn-sm btn-outline-secondary me-1")
                for label, href in downloads
            ]
        )
    )
    return out


def level_options(ind: Indicator, lang: str) -> list[dict]:
    tx = _tx(lang)
    return [{"label": tx["level_names"][lvl], "value": lvl} for lvl in ind.levels]


def year_options(indicator_id: str, level: str) -> list[dict]:
    return [{"label": str(y), "value": str(y)} for y in reversed(get_store().years(indicator_id, level))]


def layout(
    indicator: str | None = None,
    rok: str | None = None,
    poziom: str | None = None,
    lang: str = "pl",
    srednia: str | None = None,
    grupa: str | None = None,
    **_: str,
) -> list:
    store = get_store()
    indicator = indicator or DEFAULT_INDICATOR
    if indicator not in store.catalogue.by_id:
        raise NotFound("indicator", indicator)
    ind = store.catalogue.by_id[indicator]
    state = parse_state(
        ind.id, {"rok": rok, "poziom": poziom, "lang": lang, "srednia": srednia, "grupa": grupa}
    )
    lang = state.lang
    tx = _tx(lang)
    area = store.catalogue.area_by_id[ind.area]
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(tx["level"], html_for=ids.INDICATOR_LEVEL),
                    dbc.Select(id=ids.INDICATOR_LEVEL, options=level_options(ind, lang), value=state.level),
                ],
                xs=7,
                sm=5,
                lg=3,
            ),
            dbc.Col(
                [
                    dbc.Label(tx["year"], html_for=ids.INDICATOR_YEAR),
                    dbc.Select(
                        id=ids.INDICATOR_YEAR,
                        options=year_options(ind.id, state.level),
                        value=str(state.year),
                    ),
                ],
                xs=5,
                sm=3,
                lg=2,
            ),
        ],
        className="g-2 controls mb-3",
    )
    content = [
        html.P(
            [dcc.Link(area.name.get(lang), href=with_lang(f"/obszar/{area.id}", lang))],
            className="small mb-1 breadcrumb-line",
        ),
        html.H1(ind.name.get(lang), className="h2"),
        html.P(ind.description.get(lang), className="lead"),
        origin_label(ind, lang),
        dbc.Row(
            [
                dbc.Col(definition_view(ind, lang), xs=12, lg=7),
                dbc.Col(coverage_view(ind, lang), xs=12, lg=5),
            ],
            className="mt-3",
        ),
        html.H2(tx["data"], className="visually-hidden"),
        controls,
        html.Div(body_view(state), id=ids.INDICATOR_BODY, **{"aria-live": "polite"}),
        funnel_section(ind, state),
        changelog_block(ind.id, lang),
        dcc.Store(id=ids.INDICATOR_STATE, data=state.as_dict()),
        dcc.Location(id=ids.INDICATOR_URL, refresh="callback-nav"),
    ]
    return page(lang, f"/wskaznik/{ind.id}", state.to_query(), content, indicator_ids=[ind.id])
