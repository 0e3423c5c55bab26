"""The budget view's figures as plain dicts (portal/figures.py builders fed from portal/budget.py): the official
series over the years, and the demo's spending by division, its trends and cost–outcome scatter. The comparison
group is named in legends and hover texts ('peers' or 'the 10 most similar')."""

from __future__ import annotations

import numpy as np

from portal import budget as bud
from portal.breaks import series_breaks
from portal.figures import cost_outcome_figure, peer_bars_figure, small_multiples_figure
from portal.i18n import N_, lang_of, translator
from portal.store import Store

BREAK_COLOUR = "#b35806"  # as the profile sparklines and trend embeds (portal/figures.py)
BREAK_LABEL = {"type": N_("type change"), "split": N_("split"), "recode": N_("new code"),
               "boundary": N_("boundary change")}
OUTCOME_DIRECTION = {"higher_better": N_("more = better"), "lower_better": N_("less = better"),
                     "neutral": N_("no judgement")}

KNN_LEGEND = {  # figure legend names of the peer statistics → names of the similar units (portal/figures.py)
    "pl": {"mediana podobnych (środkowe 50% podobnych)": "mediana {k} najbardziej podobnych (środkowe 50%)",
           "środkowe 50% podobnych": "środkowe 50% z {k} najbardziej podobnych",
           "mediana podobnych": "mediana {k} najbardziej podobnych"},
    "en": {"peer median (middle 50% of peers)": "median of the {k} most similar (middle 50%)",
           "middle 50% of peers": "middle 50% of the {k} most similar",
           "peer median": "median of the {k} most similar"},
}


def unit_name(store: Store, teryt: str) -> str:
    return str(store.units.at[teryt, "display_name"])


def name_the_group(fig: dict, comparison: bud.Comparison, lang: str) -> dict:
    """With the similar units as the group, the legend, hover and label texts say so instead of 'peers'."""
    if comparison.knn:
        pairs = [(a, b.format(k=len(comparison.knn))) for a, b in KNN_LEGEND[lang_of(lang)].items()]
        for item, key in [*((t, k) for t in fig["data"] for k in ("name", "hovertemplate")),
                          *((a, "text") for a in fig["layout"].get("annotations", []))]:
            if isinstance(item.get(key), str):
                for old, new in pairs:
                    item[key] = item[key].replace(old, new)
    return fig


def two_lines(title: str, width: int = 26) -> str:
    """A long panel title on two lines: in the third column at A4 print width it would run off the figure."""
    if len(title) <= width or " " not in title:
        return title
    cut = min((i for i, ch in enumerate(title) if ch == " "), key=lambda i: abs(i - len(title) / 2))
    return title[:cut] + "<br>" + title[cut + 1:]


def trend_breaks(store: Store, teryt: str, first: int, last: int) -> list[dict]:
    """The unit's series breaks (portal/breaks.py) that fall inside the years shown, first < year <= last."""
    try:
        breaks = series_breaks(store, teryt)
    except (ValueError, KeyError):
        return []
    return [b for b in breaks if first < b["year"] <= last]


def _panels(store: Store, teryt: str, comparison: bud.Comparison, items: list[tuple[str, str]]) -> list[dict]:
    panels = []
    for ind_id, title in items:
        series = [p for p in store.series(ind_id, teryt)]
        years = [p["year"] for p in series]
        stats = [comparison.stats(ind_id, y) or {} for y in years]
        panels.append({"title": two_lines(title), "years": years, "unit": [p["value"] for p in series],
                       "median": [g.get("median") for g in stats], "q1": [g.get("q1") for g in stats],
                       "q3": [g.get("q3") for g in stats], "synthetic": any(p["synthetic"] for p in series)})
    return panels


def _multiples(store: Store, teryt: str, panels: list[dict], year: int | None, lang: str,
               comparison: bud.Comparison, columns: int) -> dict:
    """Small multiples with the chosen year in grey and the unit's territorial changes as orange dashes."""
    _ = translator(lang)
    synthetic = any(p.pop("synthetic") for p in panels)
    fig = small_multiples_figure(panels=panels, lang=lang, synthetic=synthetic, columns=columns, mark_year=year,
                                 unit_name=unit_name(store, teryt))
    layout = fig["layout"]
    for note in layout["annotations"]:  # two-line panel titles stay flush left
        if "<br>" in str(note.get("text", "")):
            note["align"] = "left"
    for shape in layout["shapes"]:
        shape["line"] = {"color": "#868e96", "width": 1.2}
    all_years = sorted({y for p in panels for y in p["years"]})
    breaks = trend_breaks(store, teryt, all_years[0], all_years[-1]) if all_years else []
    for k, p in enumerate(panels):
        suffix = "" if k == 0 else str(k + 1)
        for b in breaks:
            if not (p["years"] and p["years"][0] < b["year"] <= p["years"][-1]):
                continue
            x = b["year"] - 0.5  # between the last year before the change and the first after it
            layout["shapes"].append({
                "type": "line", "xref": f"x{suffix}", "yref": f"y{suffix} domain", "x0": x, "x1": x, "y0": 0,
                "y1": 1, "line": {"color": BREAK_COLOUR, "width": 1.5, "dash": "dash"}})
            layout["annotations"].append({
                "text": _(BREAK_LABEL[b["change"]]), "xref": f"x{suffix}", "yref": f"y{suffix} domain", "x": x,
                "y": 1, "xanchor": "right", "yanchor": "top", "showarrow": False,
                "font": {"size": 9, "color": BREAK_COLOUR}, "bgcolor": "rgba(255,255,255,0.8)",
                "hovertext": f"{b['year']}: {b['reason'][lang_of(lang)]}", "name": "series-break"})
    if breaks:  # a legend entry, so the dashed line reads without the note
        fig["data"].append({
            "type": "scatter", "x": [None], "y": [None], "mode": "lines", "xaxis": "x", "yaxis": "y",
            "line": {"color": BREAK_COLOUR, "width": 1.5, "dash": "dash"},
            "name": _("series break (territorial change)"), "hoverinfo": "skip", "showlegend": True})
    return name_the_group(fig, comparison, lang)


def official_trends_figure(store: Store, teryt: str, year: int | None, lang: str = "pl",
                           peers: str = "grupa") -> dict | None:
    """The official series over the years (each panel its own years), against the group's median and middle 50%."""
    lang = lang_of(lang)
    level = bud.level_of(store, teryt)
    rows = [r for r in bud.official_rows(store, level) if store.series(r.indicator, teryt)]
    if not rows:
        return None
    items = [(r.indicator, (store.catalogue.by_id[r.indicator].short_name
                            or store.catalogue.by_id[r.indicator].name).get(lang)) for r in rows]
    comparison = bud.comparison_of(store, teryt, peers)
    panels = [p for p in _panels(store, teryt, comparison, items) if any(v is not None for v in p["unit"])]
    if not panels:
        return None
    return _multiples(store, teryt, panels, year, lang, comparison, columns=min(3, len(panels)))


def trends_figure(store: Store, teryt: str, year: int | None = None, lang: str = "pl", peers: str = "grupa") -> dict:
    """Demo: nine panels (one per division), the unit's spending per resident against its group."""
    lang = lang_of(lang)
    _ = translator(lang)
    comparison = bud.comparison_of(store, teryt, peers)
    panels = _panels(store, teryt, comparison, [(s.indicator, _(s.name)) for s in bud.SECTIONS])
    return _multiples(store, teryt, panels, year, lang, comparison, columns=3)


def spending_figure(store: Store, teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> dict:
    lang = lang_of(lang)
    _ = translator(lang)
    rows = [r for r in bud.section_rows(store, teryt, year, lang, peers) if r["key"] != "razem"]
    fig = peer_bars_figure(labels=[r["name"] for r in rows], values=[r["value"] for r in rows],
                           q1=[r["q1"] for r in rows], median=[r["median"] for r in rows],
                           q3=[r["q3"] for r in rows], unit_name=unit_name(store, teryt),
                           x_title=_("PLN per resident") + f" ({year})", lang=lang,
                           synthetic=any(r["synthetic"] for r in rows))
    fig = name_the_group(fig, bud.comparison_of(store, teryt, peers), lang)
    # A legend entry does not wrap: on a phone "median (middle 50%)" would run off the figure.
    fig["data"][1]["name"] = fig["data"][1]["name"].replace(" (", "<br>(", 1)
    return fig


def scatter_years(store: Store, teryt: str, section: bud.Section, year: int) -> tuple[int | None, bool]:
    """The year for the cost–outcome chart: the chosen one if both indicators have it, else the latest common."""
    level = bud.level_of(store, teryt)
    common = sorted(set(store.years(section.indicator, level)) & set(store.years(section.outcome or "", level)))
    if not common:
        return None, False
    return (year, False) if year in common else (common[-1], True)


def scatter_view(store: Store, teryt: str, year: int, section_key: str, lang: str = "pl",
                 peers: str = "grupa") -> dict:
    """Demo: the cost–outcome scatter of the unit's group for one division: {figure, caption, fell_back, outcome}."""
    lang = lang_of(lang)
    _ = translator(lang)
    comparison = bud.comparison_of(store, teryt, peers)
    section = bud.SECTION_BY_KEY.get(section_key) or bud.SECTION_BY_KEY[bud.DEFAULT_SECTION]
    level = bud.level_of(store, teryt)
    used, fell_back = scatter_years(store, teryt, section, year)
    if used is None:
        return {"figure": {"data": [], "layout": {"height": 120, "xaxis": {"visible": False},
                                                  "yaxis": {"visible": False}}},
                "caption": _("No data for this chart."), "fell_back": False, "outcome": None, "year": None}
    xs, ys = store.slice(section.indicator, used, level), store.slice(section.outcome, used, level)
    mask = np.isin(xs.codes, comparison.members()) & np.isfinite(xs.value) & np.isfinite(ys.value)
    pos = int(np.searchsorted(xs.codes, teryt))
    unit_x = float(xs.value[pos]) if np.isfinite(xs.value[pos]) else None
    unit_y = float(ys.value[pos]) if np.isfinite(ys.value[pos]) else None
    y_ind = ys.indicator
    fig = cost_outcome_figure(
        x=xs.value[mask].tolist(), y=ys.value[mask].tolist(),
        names=store.units.loc[xs.codes[mask], "display_name"].tolist(), unit_x=unit_x, unit_y=unit_y,
        unit_name=unit_name(store, teryt),
        x_median=float(np.median(xs.value[mask])) if mask.any() else None,
        y_median=float(np.median(ys.value[mask])) if mask.any() else None,
        x_title=f"{_(section.name)}: {xs.indicator.unit.get(lang)} ({used})",
        y_title=f"{y_ind.short_name.get(lang) if y_ind.short_name else y_ind.name.get(lang)}<br>"
                f"({y_ind.unit.get(lang)}; {_(OUTCOME_DIRECTION[y_ind.direction])})",
        lang=lang,
        synthetic=bool(xs.synthetic[mask].any() or ys.synthetic[mask].any() or xs.synthetic[pos] or ys.synthetic[pos]),
        peer_name=comparison.text("legend", lang),
    )
    outcome = y_ind.name.get(lang)
    caption = _("Each dot is one of {dots}{n}: across, spending per resident {section} ({xyear}); up, {outcome} "
                "({yyear}). Red diamond: {name}. Dashed lines: their medians – they split the chart into four "
                "quadrants (e.g. top right: spends more and does better). Correlation is not causation: outcomes "
                "depend on more than spending, and spending may rise exactly where things are worse.").format(
        dots=comparison.text("dots", lang),
        # "(n)" counts the dots; for the similar units only when some lack a value (the name says 10)
        n="" if comparison.knn and int(mask.sum()) == len(comparison.knn) else f" ({int(mask.sum())})",
        section=_(section.phrase), xyear=used, yyear=used, name=unit_name(store, teryt),
        outcome=outcome[:1].lower() + outcome[1:] if lang == "pl" and outcome[1:2].islower() else outcome)
    if fell_back:
        caption = _("Both values are not available for {year} – showing the latest common year.").format(
            year=year) + " " + caption
    return {"figure": name_the_group(fig, comparison, lang), "caption": caption, "fell_back": fell_back,
            "outcome": y_ind, "year": used}


__all__ = ["official_trends_figure", "scatter_view", "spending_figure", "trends_figure"]
