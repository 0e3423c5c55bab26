"""Compare 2–5 units side by side: a table per service area (rows = indicators, columns = units) and bars.

The state lives in the query string (``jst=1218093,1218033&obszar=edukacja&rok=2023``; portal/state.py); the
rows come from portal/compare.py. The first paint and every later change share one code path. On phones the
bars carry their names above them and span the full width.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.share import share_panel
from layouts.components.shell import VALIDATING, page, with_lang
from layouts.components.units import dropdown_labels
from portal import compare as logic
from portal import ids
from portal.figures import bar_figure, graph_config
from portal.i18n import N_, translator
from portal.pickers import suggested_options
from portal.state import (
    COMPARE_DEFAULT_AREA as DEFAULT_AREA,
)
from portal.state import (
    COMPARE_MAX_UNITS as MAX_UNITS,
)
from portal.state import (
    CompareState,
    compare_levels,
    compare_years,
    parse_compare,
)
from portal.state import parse_units as _parse_units
from portal.store import get_store

MEDIAN_OF = {"gmina": N_("Median – Poland (gminas)"), "powiat": N_("Median – Poland (counties)"),
             "wojewodztwo": N_("Median – Poland (voivodeships)")}


# ------------------------------------------------------------------------------ state (portal/state.py owns it)
def parse_units(raw: str | None, limit: int = MAX_UNITS) -> tuple[list[str], list[dict]]:
    return _parse_units(get_store(), raw, limit)


def parse_state(params: dict[str, str | None]) -> CompareState:
    return parse_compare(get_store(), params)


def levels_of(units: list[str] | tuple[str, ...]) -> list[str]:
    return compare_levels(units)


def year_choices(area: str, units: list[str] | tuple[str, ...]) -> list[int]:
    return compare_years(get_store(), area, units)


def table_rows(units: list[str] | tuple[str, ...], area: str, year: int | None, lang: str = "pl") -> list[dict]:
    return logic.table_rows(get_store(), units, area, year, lang)


def unit_label(teryt: str) -> str:
    return str(get_store().units.at[teryt, "display_name"])


# ---------------------------------------------------------------------------------------------- rendering
def _badge(lang: str) -> html.Span:
    return html.Span(translator(lang)("synthetic"), className="badge synthetic-badge ms-1")


def notes_view(notes: tuple[dict, ...] | list[dict], lang: str) -> list:
    store = get_store()
    _ = translator(lang)
    out = []
    for note in notes:
        if note["kind"] == "invalid":
            text = _("Unknown codes were left out: {codes}.").format(codes=", ".join(note["codes"]))
        elif note["kind"] == "changed":
            new = note["new"]
            name = store.units.at[new, "display_name"] if new in store.units.index else new
            text = _("Code {old} is out of date – showing {name} ({new}).").format(old=note["old"], new=new, name=name)
        elif note["kind"] == "too_many":
            text = _("At most 5 units can be compared; showing the first 5 (left out: {codes}).").format(
                codes=", ".join(unit_label(t) for t in note["codes"]))
        else:
            continue
        out.append(dbc.Alert(text, color="warning", className="py-2 mb-2 small", dismissable=False))
    return out


def units_view(state: CompareState) -> list:
    """Chips of the units compared, each with a remove (×) button, and a prompt when fewer than two."""
    store = get_store()
    _ = translator(state.lang)
    chips = []
    for teryt in state.units:
        name = unit_label(teryt)
        remove = _("Remove {name} from the comparison").format(name=name)
        chips.append(html.Li([
            html.Span([dcc.Link(name, href=with_lang(f"/jst/{teryt}", state.lang), className="chip-name"),
                       html.Span(store.context_line(teryt, state.lang), className="chip-context")],
                      className="chip-text"),
            html.Button("×", id=ids.compare_remove(teryt), n_clicks=0, type="button", className="chip-remove",
                        title=remove, **{"aria-label": remove}),
        ], className="compare-chip"))
    out: list = []
    if chips:
        out.append(html.H2(_("Units compared"), className="visually-hidden"))
        out.append(html.Ul(chips, className="compare-chips list-unstyled", **{"aria-label": _("Units compared")}))
    if len(state.units) == 0:
        out.append(html.P(_("Add at least two units to compare them – type a name in “Add a unit”."),
                          className="compare-prompt"))
    elif len(state.units) == 1:
        out.append(html.P(_("Add at least one more unit to see the comparison in charts."), className="compare-prompt"))
    elif len(state.units) >= MAX_UNITS:
        out.append(html.P(_("You are comparing 5 units already – remove one to add another."),
                          className="small text-muted"))
    return out


def table_view(state: CompareState, rows: list[dict]) -> list:
    store = get_store()
    lang = state.lang
    _ = translator(lang)
    levels = levels_of(state.units)
    area = store.catalogue.area_by_id[state.area]
    head = [html.Th(_("Indicator"), scope="col", className="col-indicator"),
            html.Th(_("Year"), scope="col", className="col-year")]
    head += [html.Th(dcc.Link(unit_label(t), href=with_lang(f"/jst/{t}", lang)), scope="col", className="col-unit")
             for t in state.units]
    head += [html.Th(_(MEDIAN_OF[lvl]), scope="col", className="col-median") for lvl in levels]
    body = []
    for row in rows:
        name_cell = [dcc.Link(row["name"], href=with_lang(f"/wskaznik/{row['indicator']}", lang)),
                     html.Div(f"{row['unit']} · {row['direction']}", className="small text-muted")]
        if row["synthetic"]:
            name_cell.append(_badge(lang))
        tds = [html.Th(name_cell, scope="row", className="col-indicator"),
               html.Td(str(row["year"]) if row["year"] else "–", className="col-year")]
        for cell in row["cells"]:
            if not cell["applicable"]:
                tds.append(html.Td(html.Span("–", title=_("The indicator is not computed for this level")),
                                   className="col-unit na"))
                continue
            content: list = [html.Span(cell["short"], className="value", title=cell["text"])]
            if cell["best"]:
                content.append(html.Span(" ▲", className="best-mark", title=_("best value"),
                                         **{"aria-label": _("best value")}))
            if cell["synthetic"] and not row["synthetic"]:
                content.append(_badge(lang))
            if cell["peer_text"]:
                content.append(html.Div(_("similar") + f": {cell['peer_text']}", className="peer small text-muted"))
            tds.append(html.Td(content, className="col-unit" + (" best" if cell["best"] else "")))
        tds += [html.Td(row["medians"].get(lvl) or "–", className="col-median") for lvl in levels]
        body.append(html.Tr(tds))
    caption = _("{area}: indicator values of the units compared. Below each value: the median of similar units "
                "(same type and size).").format(area=area.name.get(lang))
    table = html.Table([html.Caption(caption, className="visually-hidden"), html.Thead(html.Tr(head)),
                        html.Tbody(body)], className="table table-sm compare-table align-top")
    return [html.P(caption, className="small text-muted mb-1", **{"aria-hidden": "true"}),
            html.Div(table, className="table-responsive compare-table-wrap", tabIndex="0", role="region",
                     **{"aria-label": caption})]


def bars_view(state: CompareState, rows: list[dict]) -> list:
    """One bar chart per indicator of the area (only the units with a value), names above the bars."""
    store = get_store()
    lang = state.lang
    _ = translator(lang)
    levels = levels_of(state.units)
    graphs = []
    for row in rows:
        ind = store.catalogue.by_id[row["indicator"]]
        cells = [c for c in row["cells"] if c["applicable"]]
        if not cells or row["year"] is None:
            continue
        reference = None
        if len(levels) == 1:
            national = store.group(ind.id, row["year"], levels[0], "national", "PL")
            reference = national["median"] if national else None
        fig = bar_figure(names=[unit_label(c["teryt"]) for c in cells], values=[c["value"] for c in cells],
                         indicator=ind, lang=lang, synthetic=row["synthetic"], reference=reference,
                         reference_label=_("median PL"), labels_above=True)
        title = f"{row['name']} ({row['year']})"
        alt = _("Bar chart: {name}, {year}. The same data is in the table.").format(name=row["name"], year=row["year"])
        graphs.append(dbc.Col(html.Figure([
            html.Figcaption([html.Span(title, className="fw-semibold"),
                             html.Span(f" · {row['unit']} · {row['direction']}", className="text-muted"),
                             html.Span(" " + alt, className="visually-hidden")], className="small"),
            dcc.Graph(figure=fig, config={**graph_config(lang, f"omup-porownanie-{ind.id}"), "displayModeBar": False},
                      className="compare-bar", style={"height": f"{fig['layout']['height']}px"}),
        ], className="compare-figure"), xs=12, lg=6))
    return graphs


def download_query(state: CompareState) -> str:
    q = {"jst": ",".join(state.units)}
    if state.year is not None:
        q["rok"] = str(state.year)
    if get_store().demo:
        q["demo"] = "1"  # downloads answer from the demo only when their own URL asks
    return urlencode(q, safe=",")


def body_view(state: CompareState) -> list:
    """Everything below the controls: the table, the bars, downloads and share."""
    store = get_store()
    _ = translator(state.lang)
    if not state.units:
        return []
    area = store.catalogue.area_by_id[state.area]
    if area.headline is None:
        from layouts.components.official import area_without_official

        return [area_without_official(area, state.lang, path=f"/porownaj?{urlencode(state.to_query(), safe=',')}")]
    rows = table_rows(state.units, state.area, state.year, state.lang)
    qs = download_query(state)
    downloads = [("CSV", f"/pobierz/porownanie.csv?{qs}"), ("XLSX", f"/pobierz/porownanie.xlsx?{qs}")]
    out: list = [
        *table_view(state, rows),
        html.P(_("The Year column: the chosen year or the latest common to the levels compared."),
               className="small text-muted"),
        html.Div([html.Span(_("Download the comparison:"), className="small me-2")]
                 + [html.A(label, href=href, className="btn btn-sm btn-outline-secondary me-1")
                    for label, href in downloads]
                 + [share_panel("compare-table", path="/porownaj", query=state.to_query(), lang=state.lang,
                                downloads=downloads)],
                 className="d-flex flex-wrap align-items-center gap-1 mb-3"),
    ]
    if len(state.units) >= 2:
        out.append(html.H2(_("In charts"), className="h5 mt-3"))
        out.append(dbc.Row(bars_view(state, rows), className="g-3"))
        out.append(share_panel("compare-bars", path="/porownaj", query=state.to_query(), lang=state.lang,
                               downloads=downloads))
    return out


def area_options(lang: str) -> list[dict]:
    return [{"label": a.name.get(lang), "value": a.id} for a in get_store().catalogue.areas]


def year_options(state: CompareState) -> list[dict]:
    _ = translator(state.lang)
    return [{"label": _("latest available"), "value": "latest"}] + [
        {"label": str(y), "value": str(y)} for y in reversed(year_choices(state.area, state.units))]


def layout(jst: str | None = None, obszar: str | None = None, rok: str | None = None, lang: str = "pl",
           **_params: str) -> list:
    state = parse_state({"jst": jst, "obszar": obszar, "rok": rok, "lang": lang})
    lang = state.lang
    _ = translator(lang)
    store = get_store()
    controls = dbc.Row([
        dbc.Col([dbc.Label(_("Add a unit"), html_for=ids.COMPARE_ADD),
                 dcc.Dropdown(id=ids.COMPARE_ADD, options=[] if VALIDATING.get() else suggested_options(state.units, lang),
                              value=None, placeholder=_("Type a gmina or county name, or a TERYT code…"),
                              searchable=True, clearable=False, disabled=len(state.units) >= MAX_UNITS,
                              optionHeight=44, search_order="original", labels=dropdown_labels(lang))], xs=12, lg=5),
        dbc.Col([dbc.Label(_.pgettext("service area", "Area"), html_for=ids.COMPARE_AREA),
                 dbc.Select(id=ids.COMPARE_AREA, options=area_options(lang), value=state.area)], xs=7, lg=4),
        dbc.Col([dbc.Label(_("Year"), html_for=ids.COMPARE_YEAR),
                 dbc.Select(id=ids.COMPARE_YEAR, options=year_options(state),
                            value="latest" if state.year is None else str(state.year))], xs=5, lg=3),
    ], className="g-2 controls mb-2")
    content = [
        html.H1(_("Compare units"), className="h2"),
        html.P(_("Put 2 to 5 gminas, counties or voivodeships side by side and see their indicators in one area."),
               className="text-muted"),
        controls,
        html.Div(notes_view(state.notes, lang), id=ids.COMPARE_NOTES, **{"aria-live": "polite"}),
        html.Div(units_view(state), id=ids.COMPARE_UNITS, className="mb-2"),
        html.Div(body_view(state), id=ids.COMPARE_BODY),
        dcc.Store(id=ids.COMPARE_STATE, data=state.as_dict()),
        dcc.Location(id=ids.COMPARE_URL, refresh="callback-nav"),
    ]
    area_ids = [i.id for i in store.catalogue.in_area(state.area)]
    return page(lang, "/porownaj", state.to_query(), content, indicator_ids=area_ids)


__all__ = ["DEFAULT_AREA", "MAX_UNITS", "CompareState", "body_view", "layout", "notes_view", "parse_state",
           "parse_units", "table_rows", "units_view", "year_choices",
           "year_options"]
