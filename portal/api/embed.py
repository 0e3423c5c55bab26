"""Embeddable charts: /embed/mapa, /embed/ranking, /embed/trend as small server-rendered pages.

Each page holds only the chart (built by portal/figures.py, the page's own builder), its title, a source
line, the synthetic notice when it applies, a link back to the full view and PNG/SVG buttons. plotly.js is
served from the plotly package under a versioned URL (immutable, precompressed); the figure is inlined as
JSON, so an embed costs one HTML request, one cached script and, for maps, the cached geometry. Framing by
any site is allowed for /embed/ (portal/web.py); every other page refuses it.

`v=<data version>` pins an embed to a kept release: it renders from that release's store, so a published
iframe keeps showing the numbers it was published with; when a newer release is current, a quiet link offers
the same view on current data. A version no longer kept answers 404 with the kept versions and a link to the
current view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import flask
import numpy as np
import orjson

from portal.api.images import EXPORT_SIZE, FORMATS, export_figure
from portal.api.versions import VersionError, app_settings, store_for
from portal.figures import bar_figure, direction_label, graph_config, map_figure, trend_figure
from portal.i18n import translator
from portal.state import LEVEL_WORD, ViewState, parse_search, resolve_state
from portal.store import LEVEL_OF_LEN, Store, get_store
from portal.web import allow_inline_script

blueprint = flask.Blueprint("embed", __name__)

KINDS = ("mapa", "ranking", "trend")
MAX_TREND_UNITS = 5
TOP_N = 10
def _level_names(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'gmina': _('gminas'), 'powiat': _('counties'), 'wojewodztwo': _('voivodeships')}
def _texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'source': _('Source'), 'version': _('data version'), 'more': _('See it on OMUP →'), 'synthetic': _('Note: synthetic values – not official statistics.'), 'save': _('Save image:'), 'median': _('median'), 'peer_median': _('peer median'), 'poland_median': _('Poland (median)'), 'top': _('top'), 'highest': _('highest'), 'synthetic_mark': _(' (synthetic data, not official statistics)'), 'in_peers': _('among peers'), 'newer': _('Newer data available'), 'newer_title': _('This chart shows data version {v}; see the same view on current data'), 'gone_title': _('This data version is no longer available'), 'gone': _('The chart was published with data version {v}, which this portal no longer keeps.'), 'kept': _('Kept data versions:'), 'current': _('current'), 'to_current': _('See this view on current data →')}


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def plotly_js_version() -> str:
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def plotly_js_url() -> str:
    return f"/static/plotly-{plotly_js_version()}.min.js"


@dataclass(frozen=True)
class EmbedView:
    kind: str
    title: str
    subtitle: str
    figure: dict
    source: str
    synthetic: bool
    full_url: str
    lang: str
    filename: str
    version: str = ""
    newer_url: str | None = None  # set on a pinned embed of a release older than the current one

    def export(self) -> dict:
        return export_figure(self.figure, title=self.title, subtitle=self.subtitle, source=self.source,
                             kind=self.kind)


def _source_line(store: Store, attributions: list[str], lang: str) -> str:
    t = _texts(lang)
    parts = []
    for a in dict.fromkeys(attributions):
        parts.append(a.removeprefix("Źródło: ").removeprefix("Source: "))
    return f"{t['source']}: {'; '.join(parts)} · OMUP, {t['version']} {store.version}"


def _attribution(store: Store, ind_id: str) -> str:
    ind = store.catalogue.by_id[ind_id]
    return "OMUP – dane syntetyczne" if store.is_synthetic(ind_id) else ind.source.attribution


def _link(path: str, query: dict[str, str]) -> str:
    return path + ("?" + urlencode(query) if query else "")


def _state(store: Store, params: dict[str, str]) -> ViewState:
    return resolve_state(store, None, params)


def map_view(store: Store, params: dict[str, str]) -> EmbedView:
    state = _state(store, params)
    lang = state.lang
    sl = store.slice(state.indicator, state.year, state.level)
    ind = store.catalogue.by_id[state.indicator]
    geo = store.geometry_file(state.level)
    synthetic = bool(sl is not None and sl.synthetic.any())
    if sl is None or geo is None:
        figure: dict = {"data": [], "layout": {}}
    else:
        figure = map_figure(codes=sl.codes, values=sl.value, indicator=ind, geojson_url=f"/geo/{geo.split('/')[-1]}",
                            lang=lang, synthetic=synthetic, selected=state.selected_at_level)
        figure["layout"].pop("height", None)
    title = f"{ind.name.get(lang)} – {_level_names(lang)[state.level]}, {state.year}"
    subtitle = f"{ind.unit.get(lang)} · {direction_label(ind, lang)}"
    query = state.to_query()
    query.pop("widok", None)
    return EmbedView("mapa", title, subtitle, figure, _source_line(store, [_attribution(store, ind.id)], lang),
                     synthetic, _link(f"/obszar/{state.area}", query), lang, f"omup-mapa-{ind.id}-{state.year}")


def ranking_view(store: Store, params: dict[str, str]) -> EmbedView:
    state = _state(store, params)
    lang = state.lang
    t = _texts(lang)
    ind = store.catalogue.by_id[state.indicator]
    sl = store.slice(state.indicator, state.year, state.level)
    try:
        n = min(max(int(params.get("n", TOP_N)), 3), 30)
    except ValueError:
        n = TOP_N
    names, values, highlight = [], [], []
    reference = None
    synthetic = False
    scope = ""
    if sl is not None:
        selected = state.selected_at_level
        idx = np.arange(len(sl.codes))
        rank = sl.rank_pl
        if state.peers and selected and selected in store.units.index:
            group = store.units.at[selected, "peer_group"]
            idx = idx[store.units.loc[sl.codes, "peer_group"].to_numpy() == group]
            rank = sl.rank_peer
            stats = store.group(ind.id, state.year, state.level, "peer", group)
            scope = f" · {t['in_peers']}: {store.peer_group_name(group, lang)}"
        else:
            stats = store.group(ind.id, state.year, state.level, "national", "PL")
        ranked = sorted((i for i in idx.tolist() if math.isfinite(rank[i])), key=lambda i: (rank[i], sl.codes[i]))
        chosen = ranked[:n]
        if selected is not None:
            pos = int(np.searchsorted(sl.codes, selected))
            if pos < len(sl.codes) and sl.codes[pos] == selected and pos not in chosen and pos in ranked:
                chosen.append(pos)
        for i in chosen:
            code = str(sl.codes[i])
            # Display names tell same-named units apart ("Olsztyn (gm. miejsko-wiejska, …)", not "Olsztyn").
            names.append(f"{int(rank[i])}. {store.units.at[code, 'display_name']}")
            values.append(None if not math.isfinite(sl.value[i]) else round(float(sl.value[i]), ind.decimals))
            highlight.append(code == selected)
        synthetic = bool(sl.synthetic[chosen].any()) if chosen else False
        reference = (stats or {}).get("median")
    figure = bar_figure(names=names, values=values, indicator=ind, lang=lang, synthetic=synthetic,
                        reference=reference, reference_label=t["median"], highlight=highlight, labels_above=True)
    figure["layout"].pop("height", None)
    # A neutral indicator ranks highest to lowest, not best to worst.
    top = t["highest"] if ind.direction == "neutral" else t["top"]
    title = f"{ind.name.get(lang)} – {_level_names(lang)[state.level]}, {state.year}: {top} {n}"
    subtitle = f"{ind.unit.get(lang)} · {direction_label(ind, lang)}{scope}"
    query = {**state.to_query(), "widok": "ranking"}
    return EmbedView("ranking", title, subtitle, figure, _source_line(store, [_attribution(store, ind.id)], lang),
                     synthetic, _link(f"/obszar/{state.area}", query), lang, f"omup-ranking-{ind.id}-{state.year}")


def trend_view(store: Store, params: dict[str, str]) -> EmbedView:
    lang = "en" if params.get("lang") == "en" else "pl"
    t = _texts(lang)
    codes = []
    for raw in (params.get("jst") or "").split(",")[:MAX_TREND_UNITS * 2]:
        teryt, _ = store.resolve(raw.strip()[:12])
        if teryt and teryt not in codes:
            codes.append(teryt)
    codes = codes[:MAX_TREND_UNITS]
    level = LEVEL_OF_LEN[len(codes[0])] if codes else "gmina"
    codes = [c for c in codes if LEVEL_OF_LEN[len(c)] == level]
    ind = store.indicator(params.get("wskaznik", ""))
    if ind is None or level not in ind.levels:
        ind = default_trend_indicator(store, level)
    years = store.years(ind.id, level)
    series: dict[str, list] = {}
    synthetic = False
    for c in codes:
        points = {p["year"]: p for p in store.series(ind.id, c)}
        # Keyed by display name: three gminy called Bolesławiec are three lines, each named apart.
        series[str(store.units.at[c, "display_name"])] = [_num(points.get(y, {}).get("value")) for y in years]
        synthetic |= any(p["synthetic"] for p in points.values())
    band = median = None
    if codes:
        group = store.units.at[codes[0], "peer_group"]
        stats = [store.group(ind.id, y, level, "peer", group) or {} for y in years]
        band = ([s.get("q1") for s in stats], [s.get("q3") for s in stats])
        median = [s.get("median") for s in stats]
    else:
        series[t["poland_median"]] = [(store.group(ind.id, y, level, "national", "PL") or {}).get("median")
                                      for y in years]
        synthetic = store.is_synthetic(ind.id)
    # Territorial changes of the units shown are marked on the chart, so a reform is not read as a trend.
    from portal.breaks import break_years

    marks = sorted({y for c in codes for y in break_years(store, c) if years and years[0] < y <= years[-1]})
    figure = trend_figure(years=years, series=series, indicator=ind, lang=lang, synthetic=synthetic, band=band,
                          median=median, breaks=marks)
    figure["layout"].pop("height", None)
    who = ", ".join(str(store.units.at[c, "display_name"]) for c in codes) or t["poland_median"]
    span = f"{years[0]}–{years[-1]}" if years else ""
    title = f"{ind.name.get(lang)}: {who}, {span}"
    subtitle = f"{ind.unit.get(lang)} · {direction_label(ind, lang)}"
    lang_q = {"lang": "en"} if lang == "en" else {}
    if len(codes) == 1:
        full = _link(f"/jst/{codes[0]}", lang_q)
    elif codes:
        full = _link("/porownaj", {"jst": ",".join(codes), "obszar": ind.area, **lang_q})
    else:
        full = _link(f"/wskaznik/{ind.id}", lang_q)
    return EmbedView("trend", title, subtitle, figure, _source_line(store, [_attribution(store, ind.id)], lang),
                     synthetic, full, lang, f"omup-trend-{ind.id}")


def default_trend_indicator(store: Store, level: str):
    """The first area headline the level has (areas without an official indicator have no headline)."""
    for area in store.catalogue.areas:
        ind = store.catalogue.by_id.get(area.headline or "")
        if ind is not None and level in ind.levels and store.years(ind.id, level):
            return ind
    return next(i for i in store.catalogue.indicators if level in i.levels)


def _num(v: object) -> float | None:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


VIEWS = {"mapa": map_view, "ranking": ranking_view, "trend": trend_view}


def build_view(kind: str, params: dict[str, str], store: Store | None = None) -> EmbedView:
    """The embed of kind for params, from store (default: the release params' v names, else the current one).

    Raises VersionError for a v that cannot be served.
    """
    if store is None:
        store = store_for(params.get("v"))
    view = VIEWS[kind](store, params)
    if view.synthetic:
        # The title (page <title>, heading, iframe and oEmbed titles, image) says the values are synthetic.
        view = replace(view, title=view.title + _texts(view.lang)["synthetic_mark"])
    current = get_store(app_settings()).version
    newer = None
    if params.get("v") and store.version != current:
        query = {k: v for k, v in params.items() if k not in ("v", "obraz")}
        newer = _link(f"/embed/{kind}", query)
    return replace(view, version=store.version, newer_url=newer)


def _script_json(obj: object) -> str:
    # Inside <script>: "</" would end the element; U+2028/9 are line breaks in old JS engines.
    return (orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY).decode()
            .replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_CSS = """
*{box-sizing:border-box}html,body{height:100%;margin:0}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:#212529;
background:#fff;display:flex;flex-direction:column;padding:8px 10px 6px;font-size:14px}
h1{font-size:1.05rem;margin:0 0 2px;line-height:1.3}
.sub{margin:0 0 4px;color:#555;font-size:.85rem}
.synthetic{margin:0 0 4px;padding:2px 6px;font-size:.8rem;color:#8a1c00;background:#ffedcc;border:1px solid #8a1c00;
border-radius:3px;align-self:flex-start}
#chart{flex:1 1 auto;min-height:220px;width:100%}
footer{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;justify-content:space-between;
font-size:.78rem;color:#555;border-top:1px solid #e9ecef;padding-top:4px;margin-top:4px}
footer a{color:#0b5ed7}.tools{display:flex;gap:4px;align-items:center}
button{font:inherit;font-size:.75rem;padding:1px 8px;border:1px solid #adb5bd;border-radius:3px;background:#f8f9fa;
cursor:pointer;color:#212529}button:focus-visible,a:focus-visible{outline:2px solid #0b5ed7;outline-offset:1px}
"""

_JS = """
(function(){
  var el = document.getElementById('chart');
  var fig = FIG, exp = EXPORT;
  if (fig.layout.map && fig.layout.map.zoom) {
    // Fit Poland to the frame: zoom 5.1 suits a ~620 px wide, ~560 px high map.
    var w = el.clientWidth || 600, h = el.clientHeight || 480;
    var fit = Math.min(w / 620, h / 560);
    fig.layout.map.zoom = Math.max(3.6, Math.min(5.8, 5.1 + Math.log2(fit)));
    if (w < 480) {  // a narrow frame: the colour bar goes under the map instead of over it
      fig.data.forEach(function(t){ if (t.colorbar) {
        t.colorbar = Object.assign({}, t.colorbar, {orientation: 'h', x: 0.5, xanchor: 'center', y: 0,
          yanchor: 'top', len: 0.9, thickness: 10, title: Object.assign({}, t.colorbar.title, {side: 'top'})});
      }});
      fig.layout.margin = Object.assign({}, fig.layout.margin, {b: 64});
    }
  }
  fig.layout.autosize = true;
  Plotly.newPlot(el, fig.data, fig.layout, CONFIG).then(function(){
    el.setAttribute('data-rendered', '1');
    if (AUTO) { save(AUTO); }
  });
  function save(format) {
    return Plotly.downloadImage({data: exp.data, layout: exp.layout, config: {}},
      {format: format, filename: FILENAME, width: exp.layout.width, height: exp.layout.height, scale: format === 'png' ? 2 : 1});
  }
  var buttons = document.querySelectorAll('button[data-format]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function(e){ save(e.currentTarget.getAttribute('data-format')); });
  }
})();
"""


def render_page(view: EmbedView, auto: str | None = None) -> str:
    t = _texts(view.lang)
    config = graph_config(view.lang, view.filename)
    config["modeBarButtonsToRemove"] = [*config["modeBarButtonsToRemove"], "toImage"]
    config["displayModeBar"] = "hover"
    synthetic = f'<p class="synthetic" role="note">{escape(t["synthetic"])}</p>' if view.synthetic else ""
    newer = ""
    if view.newer_url:
        newer = (f' · <a class="newer" href="{escape(view.newer_url)}" '
                 f'title="{escape(t["newer_title"].format(v=view.version))}">{escape(t["newer"])}</a>')
    w, h = EXPORT_SIZE[view.kind]
    script = (f"var FIG={_script_json(view.figure)};var EXPORT={_script_json(view.export())};"
              f"var CONFIG={_script_json(config)};var FILENAME={_script_json(view.filename)};"
              f"var AUTO={_script_json(auto)};" + _JS)
    allow_inline_script(script)  # the page's one inline script, allowed by its hash in this response's CSP
    return f"""<!DOCTYPE html>
<html lang="{view.lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(view.title)} – OMUP</title>
<link rel="canonical" href="{escape(view.full_url)}">
<link rel="icon" href="/assets/favicon.ico">
<style>{_CSS}</style></head>
<body>
<h1>{escape(view.title)}</h1>
<p class="sub">{escape(view.subtitle)}</p>
{synthetic}
<div id="chart" class="embed-chart" role="figure" aria-label="{escape(view.title)}"></div>
<footer>
<span class="source">{escape(view.source)} · <a href="{escape(view.full_url)}" target="_blank" rel="noopener">{escape(t["more"])}</a>{newer}</span>
<span class="tools">{escape(t["save"])} <button type="button" data-format="png" title="PNG {w}×{h}">PNG</button><button type="button" data-format="svg">SVG</button></span>
</footer>
<script src="{plotly_js_url()}"></script>
<script>{script}</script>
</body></html>"""


@blueprint.get("/embed/<kind>")
def embed(kind: str) -> flask.Response:
    if kind not in KINDS:
        return flask.Response("Nie ma takiego osadzenia: /embed/mapa, /embed/ranking, /embed/trend.\n", status=404,
                              mimetype="text/plain")
    params = parse_search(flask.request.query_string.decode("utf-8", "replace"))
    try:
        view = build_view(kind, params)
    except VersionError as exc:
        resp = flask.Response(render_gone(kind, params, exc), status=404, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-store"
        return resp
    auto = params.get("obraz") if params.get("obraz") in FORMATS else None
    resp = flask.Response(render_page(view, auto), mimetype="text/html")
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


def render_gone(kind: str, params: dict[str, str], exc: VersionError) -> str:
    """The 404 page of an embed pinned to a version that is not kept: what happened, the kept versions, and a
    link to the same view on current data (the iframe stays readable on the host page)."""
    lang = "en" if params.get("lang") == "en" else "pl"
    t = _texts(lang)
    current = get_store(app_settings()).version
    query = {k: v for k, v in params.items() if k not in ("v", "obraz")}
    to_current = _link(f"/embed/{kind}", query)
    mark = f" ({escape(t['current'])})"
    kept = "".join(f"<li><code>{escape(v)}</code>{mark if v == current else ''}</li>" for v in exc.kept)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t["gone_title"])} – OMUP</title>
<style>{_CSS}</style></head>
<body>
<h1>{escape(t["gone_title"])}</h1>
<p class="sub">{escape(t["gone"].format(v=exc.version[:40]))}</p>
<p><a href="{escape(to_current)}">{escape(t["to_current"])}</a></p>
<p class="sub">{escape(t["kept"])}</p><ul class="sub">{kept}</ul>
</body></html>"""


@blueprint.get("/static/plotly-<version>.min.js")
def plotly_js(version: str) -> flask.Response:
    if version != plotly_js_version():
        flask.abort(404)
    from portal.bundles import compressed

    source = plotly_js_path()
    accept = flask.request.headers.get("Accept-Encoding", "")
    encoding = "br" if "br" in accept else "gzip" if "gzip" in accept else None
    if encoding:
        resp = flask.Response(compressed(source, encoding), mimetype="application/javascript")
        resp.headers["Content-Encoding"] = encoding
    else:
        resp = flask.send_file(source, mimetype="application/javascript")
    resp.headers["Vary"] = "Accept-Encoding"
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def embed_query(state: ViewState) -> dict[str, str]:
    """The query an embed of this explorer state takes (the view's own parameters, minus the tab)."""
    q = state.to_query()
    q.pop("widok", None)
    return q


__all__ = ["KINDS", "LEVEL_WORD", "EmbedView", "build_view", "embed_query", "plotly_js_url"]
