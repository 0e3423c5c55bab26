"""'Podobne jednostki' on the profile: the variables checklist, the ten nearest units with their distance and
what makes them differ (portal/similar.py computes; this only builds components)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.shell import with_lang
from portal import ids
from portal.explain import format_number
from portal.i18n import translator
from portal.profile import similar_variables
from portal.similar import VARIABLES, similar_units
from portal.store import Store

VAR_COLOURS = {
    "population": "#225ea8",
    "density": "#41b6c4",
    "type": "#7a0177",
    "share_65_plus": "#e08214",
    "own_revenue": "#1a9850",
}
K = 10


def _var_names(names, lang: str) -> str:
    key = "en" if lang == "en" else "pl"
    return ", ".join(VARIABLES[v][key] for v in names)


def similar_list(store: Store, teryt: str, variables: tuple[str, ...] | None, lang: str) -> list:
    """The k=10 nearest units with their distance and what makes them differ (per-variable bars)."""
    _ = translator(lang)
    key = "en" if lang == "en" else "pl"
    if variables is not None and not variables:
        return [html.P(_("Choose at least one characteristic."), className="small text-muted")]
    level = store.units.at[teryt, "level"]
    result = similar_units(store, teryt, k=K, variables=variables or similar_variables(store, level))
    names = [v["id"] for v in result["variables"]]
    if result["missing"]:
        text = _("No data on: {vars} – similar units cannot be found. Untick these characteristics.")
        return [html.P(text.format(vars=_var_names(result["missing"], lang)), className="small")]
    units = result["units"]
    if not units:
        return []
    mean = {v: sum(u["contributions"][v] for u in units) / len(units) for v in names}
    most = sorted(names, key=lambda v: mean[v])[: 2 if len(names) > 2 else 1]
    out: list = [html.P(_("Most similar in: {vars}.").format(vars=_var_names(most, lang)), className="similar-most mb-2")]
    if result["notice"]:
        out.append(html.P(result["notice"][key], className="small caveat"))
    out.append(html.Div(
        [html.Span([html.Span(className="similar-swatch", style={"background": VAR_COLOURS[v]}), VARIABLES[v][key]],
                   className="me-3 text-nowrap") for v in names],
        className="similar-legend small d-flex flex-wrap mb-2", **{"aria-hidden": "true"},
    ))
    items = []
    widest = max(units[-1]["distance"], 1e-9)
    for u in units:
        contrib = u["contributions"]
        mainly = max(names, key=lambda v: contrib[v])
        bar = html.Div(
            [html.Span(className="similar-seg", style={"width": f"{100 * contrib[v]:.1f}%", "background": VAR_COLOURS[v]},
                       title=f"{VARIABLES[v][key]}: {format_number(100 * contrib[v], 0, lang)}%")
             for v in names if contrib[v] > 0],
            className="similar-bar", style={"width": f"{min(100.0, 100 * u['distance'] / widest):.1f}%"},
            **{"aria-hidden": "true"},
        )
        detail = _("distance {d}").format(d=format_number(u["distance"], 2, lang))
        if u["distance"] > 0:
            detail += " · " + _("differs mainly in: {var}").format(var=VARIABLES[mainly][key])
        items.append(html.Li(
            [dcc.Link(u["display_name"], href=with_lang(f"/jst/{u['teryt']}", lang), className="fw-semibold"),
             html.Span(" " + store.context_line(u["teryt"], lang), className="small text-muted"),
             html.Div(detail, className="small"), bar],
            className="similar-item",
        ))
    out.append(html.Ol(items, className="similar-list ps-3"))
    return out


def similar_section(store: Store, unit: dict, variables: tuple[str, ...] | None, lang: str,
                    ranking_href: str) -> html.Section:
    _ = translator(lang)
    key = "en" if lang == "en" else "pl"
    available = similar_variables(store, unit["level"])
    chosen = list(variables) if variables is not None else list(available)
    api = f"/api/v1/units/{unit['teryt']}/similar?k={K}&vars={','.join(chosen)}" if chosen else ""
    lead = _("The {k} units most similar to this one on the chosen characteristics (distance on standardised "
             "characteristics: the smaller, the more similar). The bar shows where the difference comes from: the "
             "shorter a characteristic's segment, the more alike the units are in it.")
    return html.Section(
        [
            html.H2(_("Similar units"), className="h4"),
            html.P(lead.format(k=K), className="small text-muted"),
            html.Fieldset(
                [html.Legend(_("Characteristics used to find similar units"), className="small fw-semibold mb-1"),
                 dbc.Checklist(id=ids.PROFILE_SIMILAR_VARS, options=[{"label": VARIABLES[v][key], "value": v}
                                                                     for v in available],
                               value=chosen, inline=True, className="small")],
                className="mb-2",
            ),
            html.Div(similar_list(store, unit["teryt"], variables, lang), id=ids.PROFILE_SIMILAR,
                     **{"aria-live": "polite"}),
            html.P([dcc.Link(_("Ranking of these units only"), className="me-3", href=ranking_href),
                    html.A(_("Data (JSON)"), href=api) if api else None], className="small no-print mb-0"),
        ],
        id="podobne",
        className="profile-similar mt-4",
    )


__all__ = ["similar_list", "similar_section"]
