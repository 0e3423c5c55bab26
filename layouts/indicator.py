"""Indicator page: definition, formula, exact source, coverage, official/synthetic label; map, rankings, funnel.

The definition part depends only on the indicator; the charts (layouts/components/indicator_charts.py) follow
the year and level kept in the URL (``/wskaznik/<id>?rok=2024&poziom=powiaty``) and are re-rendered by
callbacks/indicator.py. Developer notes on sources (English, with the evidence behind an id) stay in the API's
metadata, not on this public page.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.changelog import changelog_block
from layouts.components.indicator_charts import (
    LEVEL_NAMES,
    body_view,
    funnel_section,
    funnel_view,
    group_options,
    level_options,
    year_options,
)
from layouts.components.shell import page, with_lang
from layouts.not_found import NotFound
from portal import ids
from portal.catalogue import DIMENSION_NAMES, Indicator
from portal.explain import format_number, format_value
from portal.figures import direction_label
from portal.i18n import translator
from portal.indicator_stats import coverage, official_sources, year_span
from portal.state import IndicatorState, parse_indicator
from portal.store import get_store

DEFAULT_INDICATOR = "egzamin-8-matematyka"
BDL_VARIABLE_URL = "https://bdl.stat.gov.pl/bdl/metadane/cechy/{id}"


def parse_state(indicator_id: str, params: dict[str, str | None]) -> IndicatorState:
    """The page's state from the URL (portal/state.py owns the rules)."""
    return parse_indicator(get_store(), indicator_id, params)


def origin_label(ind: Indicator, lang: str) -> html.Div:
    """The big official/synthetic label; for synthetic values, how the generator made them."""
    store = get_store()
    _ = translator(lang)
    if not store.is_synthetic(ind.id):
        return html.Div([html.Span(_("OFFICIAL DATA"), className="origin-label origin-real"),
                         html.Span(_("Values come from the official source named below."), className="ms-2")],
                        className="origin origin-box-real")
    body: list = [html.Span(_("SYNTHETIC DATA"), className="origin-label origin-synthetic"),
                  html.P(_("These are not official statistics. OMUP generated the values because BDL and SMUP data "
                           "could not be fetched here. They are for trying the portal, not for drawing conclusions."),
                         className="mb-1 mt-2 fw-semibold")]
    gen = ind.synthetic
    if gen is not None and gen.median is not None:
        trend = ("+" if gen.trend > 0 else "") + format_number(gen.trend * 100, 1, lang) + "%"
        body.append(html.P(_("How they were made: a generator with a fixed random seed takes a typical value of "
                             "{median} for a mid-sized rural gmina in 2020, varies it by gmina type, size and region, "
                             "adds a smooth trend ({trend} a year) and small year-to-year wobble; county and "
                             "voivodeship values are sums of their gminas, so the levels agree.").format(
            median=format_value(gen.median, ind.unit.get(lang), ind.decimals, lang), trend=trend), className="mb-1 small"))
    body.append(dcc.Link(_("More about synthetic data"), href=with_lang("/o-danych", lang) + "#syntetyczne"))
    return html.Div(body, className="origin origin-box-synthetic", role="note")


def _row(term: str, *value: object) -> list:
    return [html.Dt(term, className="col-sm-3"), html.Dd(list(value), className="col-sm-9")]


def source_view(ind: Indicator, lang: str) -> list:
    """The exact source: the datasets of an official indicator (publisher, name, table, files, years), the BDL
    variable and SMUP ids where the catalogue has them."""
    store = get_store()
    _ = translator(lang)
    src = ind.source
    out: list = [html.Div(src.origin)]
    for d in official_sources(store, ind):
        name = d.get("name_en") if lang == "en" and d.get("name_en") else d.get("name")
        parts = [html.Strong(d.get("publisher", "")), ": ", name]
        if d.get("table"):
            parts += [" · ", _("table"), " ", html.Code(d["table"])]
        parts += [" · ", str(d.get("years", "")), " · ", _("files:"), " ",
                  *[html.Code(f, className="me-1") for f in d.get("files", [])]]
        out.append(html.Div(parts, className="small source-dataset"))
    if src.bdl_variable is not None:
        out.append(html.Div([_("BDL variable") + ": ", html.A(str(src.bdl_variable),
                                                                href=BDL_VARIABLE_URL.format(id=src.bdl_variable),
                                                                target="_blank", rel="noopener")]
                            + ([" (" + _("subject") + f" {src.bdl_subject})"] if src.bdl_subject else [])))
    elif src.bdl_subject:
        out.append(html.Div(_("BDL variable") + ": – (" + _("subject") + f" {src.bdl_subject})"))
    if src.smup is not None:
        kinds = {"gmina": _("gminas"), "mnpp": _("cities with county rights"), "all": _("all")}
        parts = [f"{kinds.get(k, k)}: {v}" for k, v in src.smup.model_dump().items() if v is not None]
        if parts:
            out.append(html.Div(_("SMUP indicator") + ": " + "; ".join(parts)))
    return out


def definition_view(ind: Indicator, lang: str) -> html.Section:
    store = get_store()
    _ = translator(lang)
    area = store.full_catalogue.area_by_id[ind.area]
    f = ind.formula
    formula: list = [html.Span(_("numerator") + ": "), html.Em(f.numerator.get(lang))]
    if f.denominator is not None:
        formula += [html.Br(), html.Span(_("denominator") + ": "), html.Em(f.denominator.get(lang))]
    if f.multiplier != 1:
        formula += [html.Br(), html.Span(_("multiplier") + ": " + format_number(f.multiplier, 0, lang))]
    rows = (
        _row(_.pgettext("service area", "Area"), dcc.Link(area.name.get(lang), href=with_lang(f"/obszar/{area.id}", lang)))
        + _row(_("Dimension"), DIMENSION_NAMES[ind.dimension]["en" if lang == "en" else "pl"])
        + _row(_("Unit"), ind.unit.get(lang))
        + _row(_("Direction"), direction_label(ind, lang))
        + _row(_("Formula"), *formula)
        + _row(_("Levels"), ", ".join(_(LEVEL_NAMES[lvl]) for lvl in ind.levels))
        + _row(_("Years in the catalogue"), year_span(ind))
        + _row(_("Source"), *source_view(ind, lang))
    )
    return html.Section([html.H2(_("Definition"), className="h4"), html.Dl(rows, className="row indicator-def")],
                        className="mb-3")


def coverage_view(ind: Indicator, lang: str) -> html.Section:
    _ = translator(lang)
    rows = []
    for c in coverage(get_store(), ind.id):
        years = c["years"]
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "–")
        rows.append(html.Tr([
            html.Th([_(LEVEL_NAMES[c["level"]]), html.Div(span, className="small text-muted fw-normal")], scope="row"),
            html.Td(str(c["year"]) if c["year"] else "–"),
            html.Td(f"{format_number(c['n'], 0, lang)} / {format_number(c['total'], 0, lang)}", className="text-nowrap"),
            html.Td(format_number(100 * c["share"], 1, lang) + "%"),
        ]))
    table = html.Table([
        html.Caption(_("Share of units with a value in the latest year"), className="small"),
        html.Thead(html.Tr([html.Th(t, scope="col") for t in (_("Level"), _("Year"), _("With a value"), _("Share"))])),
        html.Tbody(rows),
    ], className="table table-sm coverage-table")
    # Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
    return html.Section([html.H2(_("Coverage"), className="h4"),
                         html.Div(table, className="table-responsive", tabIndex="0", role="region",
                                  **{"aria-label": _("Coverage")})], className="mb-3")


def without_official(ind: Indicator, lang: str) -> list:
    """An indicator of the catalogue without official values in this release: its definition, what would fill it,
    and the demo link – no charts."""
    from layouts.components.official import fill_sources

    _ = translator(lang)
    note = html.Div([
        html.P(_("This release has no official values of this indicator yet: {sources} will fill it, fetched with "
                 "omup data fetch.").format(sources=fill_sources([ind], lang)), className="mb-1"),
        html.A(_("See it in demo mode (synthetic data)"), href=with_lang(f"/wskaznik/{ind.id}", lang, demo="1")),
    ], className="no-official alert alert-secondary", role="note")
    return [note, definition_view(ind, lang)]


def layout(indicator: str | None = None, rok: str | None = None, poziom: str | None = None, lang: str = "pl",
           srednia: str | None = None, grupa: str | None = None, **_params: str) -> list:
    store = get_store()
    indicator = indicator or DEFAULT_INDICATOR
    lang = "en" if lang == "en" else "pl"
    _ = translator(lang)
    if indicator not in store.catalogue.by_id:
        ind = store.full_catalogue.by_id.get(indicator)
        if ind is None:
            raise NotFound("indicator", indicator)
        content = [html.H1(ind.name.get(lang), className="h2"), html.P(ind.description.get(lang), className="lead"),
                   *without_official(ind, lang)]
        return page(lang, f"/wskaznik/{ind.id}", {}, content, indicator_ids=[])
    ind = store.catalogue.by_id[indicator]
    state = parse_state(ind.id, {"rok": rok, "poziom": poziom, "lang": lang, "srednia": srednia, "grupa": grupa})
    area = store.catalogue.area_by_id[ind.area]
    controls = dbc.Row([
        dbc.Col([dbc.Label(_("Level"), html_for=ids.INDICATOR_LEVEL),
                 dbc.Select(id=ids.INDICATOR_LEVEL, options=level_options(ind, lang), value=state.level)],
                xs=7, sm=5, lg=3),
        dbc.Col([dbc.Label(_("Year"), html_for=ids.INDICATOR_YEAR),
                 dbc.Select(id=ids.INDICATOR_YEAR, options=year_options(ind.id, state.level), value=str(state.year))],
                xs=5, sm=3, lg=2),
    ], className="g-2 controls mb-3")
    content = [
        html.P([dcc.Link(area.name.get(lang), href=with_lang(f"/obszar/{area.id}", lang))],
               className="small mb-1 breadcrumb-line"),
        html.H1(ind.name.get(lang), className="h2"),
        html.P(ind.description.get(lang), className="lead"),
        origin_label(ind, lang),
        dbc.Row([dbc.Col(definition_view(ind, lang), xs=12, lg=7), dbc.Col(coverage_view(ind, lang), xs=12, lg=5)],
                className="mt-3"),
        html.H2(_("Data"), className="visually-hidden"),
        controls,
        html.Div(body_view(state), id=ids.INDICATOR_BODY, **{"aria-live": "polite"}),
        funnel_section(ind, state),
        changelog_block(ind.id, lang),
        dcc.Store(id=ids.INDICATOR_STATE, data=state.as_dict()),
        dcc.Location(id=ids.INDICATOR_URL, refresh="callback-nav"),
    ]
    return page(lang, f"/wskaznik/{ind.id}", state.to_query(), content, indicator_ids=[ind.id])


__all__ = ["DEFAULT_INDICATOR", "IndicatorState", "body_view", "coverage_view", "definition_view", "funnel_view",
           "group_options", "layout", "origin_label", "parse_state"]
