"""Share dialog callbacks: open it (clientside, absolute links), copy texts, and the area page's share panel."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import MATCH, Input, Output, State, callback, clientside_callback, html

from portal import ids, views
from portal.state import ViewState

# Open the dialog, and write its texts from the page's variants (layouts/components/share.py
# share_variants): pinned or not by the two «pin to data version» boxes, made absolute here because only the
# browser knows the address the reader used (a proxy, a port, https). Texts are always rebuilt from the
# relative variants, so reopening or toggling never doubles the origin.
clientside_callback(
    """
    function(n, pinLink, pinFrame, variants) {
        var nu = window.dash_clientside.no_update;
        var ctx = window.dash_clientside.callback_context;
        var trig = ctx && ctx.triggered_id ? ctx.triggered_id : null;
        var opening = !!(trig && trig.type === 'share-open');
        if (opening && !n) { return [nu, nu, nu, nu, nu]; }
        if (!variants) { return [opening ? true : nu, nu, nu, nu, nu]; }
        var origin = window.location.origin;
        var pick = function(what, pinned) { return variants[what][pinned ? 'pinned' : 'current']; };
        var link = pick('link', pinLink);
        var cites = [pick('cite', true), pick('bibtex', true)].map(function(v) {
            var rel = variants.link.pinned;
            return v ? v.split(rel).join(origin + rel) : v;
        });
        var frame = pick('iframe', pinFrame);
        frame = frame ? frame.replace('src="/', 'src="' + origin + '/') : frame;
        return [opening ? true : nu, origin + link, frame, cites[0], cites[1]];
    }
    """,
    Output(ids.share_modal(MATCH), "is_open"),
    Output(ids.share_text(MATCH, "link"), "value"),
    Output(ids.share_text(MATCH, "iframe"), "value"),
    Output(ids.share_text(MATCH, "cite"), "value"),
    Output(ids.share_text(MATCH, "bibtex"), "value"),
    Input(ids.share_button(MATCH), "n_clicks"),
    Input(ids.share_pin(MATCH, "link"), "value"),
    Input(ids.share_pin(MATCH, "iframe"), "value"),
    State(ids.share_variants(MATCH), "data"),
    prevent_initial_call=True,
)

# Copy with the Clipboard API; where it is missing (plain http, old browsers) select the text and use
# execCommand('copy'), so the reader can at least press Ctrl+C on a selected field.
clientside_callback(
    """
    function(n, value) {
        var nu = window.dash_clientside.no_update;
        if (!n) { return nu; }
        var ctx = window.dash_clientside.callback_context;
        var tid = ctx && ctx.triggered_id ? ctx.triggered_id : null;
        var done = document.documentElement.lang === 'en' ? 'Copied ✓' : 'Skopiowano ✓';
        var fallback = function() {
            if (!tid) { return; }
            var key = JSON.stringify({chart: tid.chart, type: 'share-text', what: tid.what});
            var el = document.getElementById(key);
            if (el) { el.focus(); el.select(); try { document.execCommand('copy'); } catch (e) {} }
        };
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(value || '').catch(fallback);
        } else {
            fallback();
        }
        return done;
    }
    """,
    Output(ids.share_copy(MATCH, MATCH), "children"),
    Input(ids.share_copy(MATCH, MATCH), "n_clicks"),
    State(ids.share_text(MATCH, MATCH), "value"),
    prevent_initial_call=True,
)


def area_share(state: dict | None) -> html.Div | list:
    """The area explorer's share panel for its current state (map or ranking embed, ranking downloads)."""
    if not state:
        return []
    view = ViewState(**state)
    query = view.to_query()
    dl = dict(query)
    dl.pop("widok", None)
    qs = urlencode(dl)
    downloads = [("CSV", f"/pobierz/ranking.csv?{qs}"), ("XLSX", f"/pobierz/ranking.xlsx?{qs}")]
    embed = "ranking" if view.view == "ranking" else "mapa"
    return views.share_panel("area", path=f"/obszar/{view.area}", query=query, lang=view.lang, embed=embed,
                       downloads=downloads)


@callback(Output(ids.AREA_SHARE, "children"), Input(ids.AREA_STATE, "data"))
def update_area_share(state: dict | None) -> html.Div | list:
    return area_share(state)
