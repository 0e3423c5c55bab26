"""Budget view callbacks: URL ↔ year / section / comparison-group controls in one callback that re-renders the
view; the debate-pack link; the print button."""

from __future__ import annotations

from dash import Input, Output, State, callback, clientside_callback, ctx, no_update

from portal import budget as bud
from portal import ids, views
from portal.api.debate import pack_href
from portal.state import BudgetState, parse_search, unit_of_path
from portal.store import get_store


def teryt_of_path(pathname: str | None) -> str | None:
    code = unit_of_path(pathname, "budzet")
    return code if code is not None and code in get_store().units.index else None


def sync(trigger: str | None, search: str | None, year: str | None, section: str | None, pathname: str | None,
         peers: str | None = None) -> tuple[BudgetState | None, bool]:
    """The new state and whether the URL must be written (True when a control, not the URL, changed)."""
    teryt = teryt_of_path(pathname)
    if teryt is None:
        return None, False
    store = get_store()
    params = parse_search(search)
    if trigger in (ids.BUDGET_YEAR, ids.BUDGET_SECTION, ids.BUDGET_PEERS):
        params["rok"] = str(year or params.get("rok") or "")
        params["obszar"] = section or params.get("obszar") or ""
        if peers is not None:
            params["podobne"] = peers
        new = bud.resolve_state(store, teryt, params)
        return new, new != bud.resolve_state(store, teryt, parse_search(search))
    return bud.resolve_state(store, teryt, params), False


OUTPUTS = ("lead", "similar", "summary", "view", "downloads")


@callback(
    Output(ids.BUDGET_URL, "search"),
    Output(ids.BUDGET_YEAR, "value"),
    Output(ids.BUDGET_SECTION, "value"),
    Output(ids.BUDGET_PEERS, "value"),
    Output(ids.BUDGET_LEAD, "children"),
    Output(ids.BUDGET_SIMILAR, "children"),
    Output(ids.BUDGET_SUMMARY, "children"),
    Output(ids.BUDGET_VIEW, "children"),
    Output(ids.BUDGET_DOWNLOADS, "children"),
    Input(ids.BUDGET_URL, "search"),
    Input(ids.BUDGET_YEAR, "value"),
    Input(ids.BUDGET_SECTION, "value"),
    Input(ids.BUDGET_PEERS, "value"),
    State(ids.BUDGET_URL, "pathname"),
    prevent_initial_call=True,
)
def sync_budget(search, year, section, peers, pathname):
    state, write_url = sync(ctx.triggered_id, search, year, section, pathname, peers)
    if state is None:
        return (no_update,) * (4 + len(OUTPUTS))
    view = views.budget_view(state)
    return (state.search() if write_url else no_update, str(state.year), state.section, state.peers,
            *(view[k] for k in OUTPUTS))


def pack_link(indicators: list[str] | None, search: str | None, pathname: str | None) -> str:
    """The debate-pack href for the ticked indicators of the budget's unit."""
    teryt = teryt_of_path(pathname) or ""
    lang = "en" if parse_search(search).get("lang") == "en" else "pl"
    return pack_href(teryt, list(indicators or []), lang, demo=get_store().demo)


@callback(
    Output(ids.BUDGET_PACK_LINK, "href"),
    Input(ids.BUDGET_PACK_INDICATORS, "value"),
    State(ids.BUDGET_URL, "search"),
    State(ids.BUDGET_URL, "pathname"),
    prevent_initial_call=True,
)
def update_pack_link(indicators, search, pathname):
    return pack_link(indicators, search, pathname)


# The browser's print dialog; Plotly charts are first sized to the A4 text width so they fit the page.
clientside_callback(
    """function(n) {
        if (!n) { return window.dash_clientside.no_update; }
        var graphs = document.querySelectorAll('.budget-page .js-plotly-plot');
        var restore = function() {
            graphs.forEach(function(g) { window.Plotly.relayout(g, {width: null, autosize: true}); });
            window.removeEventListener('afterprint', restore);
        };
        var jobs = [];
        graphs.forEach(function(g) { jobs.push(window.Plotly.relayout(g, {width: 680, autosize: false})); });
        window.addEventListener('afterprint', restore);
        Promise.all(jobs).then(function() { window.print(); });
        return '';
    }""",
    Output(ids.BUDGET_PRINT_SINK, "children"),
    Input(ids.BUDGET_PRINT, "n_clicks"),
    prevent_initial_call=True,
)
