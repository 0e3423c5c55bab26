"""One indicator of the report on the state of the unit (portal/report.py): its facts against the peer group,
the similar units and Poland, its five-year trend, a generated sentence, what changed and why.

Rules, stated in the report's method:

* the year shown for an indicator is the report's year, or the latest earlier year with a value;
* the trend covers the five years ending in that year; the change compares its last value with the first
  value of the window; a change counts when it exceeds both half of the last shown digit and 1% of the first
  value; it is an improvement or a worsening by the indicator's direction, a rise or a fall for indicators
  without one;
* the last change of an official ratio indicator is split into numerator and denominator
  (portal/decompose.py).

Every fact carries its source and the data version; every fact of a synthetic indicator (demo edition only)
carries the synthetic label. Texts are gettext messages (portal/i18n.py).
"""

from __future__ import annotations

import math
from functools import lru_cache

from portal import goals as goals_mod
from portal.breaks import series_breaks
from portal.catalogue import Indicator
from portal.decompose import ratio_parts, unit_decomposition
from portal.explain import caveat, format_number, format_value, unit_sentence
from portal.i18n import LANGS, N_, lang_of, translator
from portal.report_choice import noun_of
from portal.similar import DEFAULT_VARIABLES, KNN_K, similar_units, stats_over

TREND_YEARS = 5
CHANGE_MIN_SHARE = 0.01
SYNTHETIC_TEXT = N_("SYNTHETIC DATA – not official statistics")
SYNTHETIC_LABEL = {lang: translator(lang)(SYNTHETIC_TEXT) for lang in LANGS}


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(float(v))


def _similar(store, teryt: str) -> dict:
    """The unit's 10 most similar units, on the default variables the edition can fill."""
    result = similar_units(store, teryt, k=KNN_K)
    if result["missing"]:
        usable = [v for v in DEFAULT_VARIABLES if v not in result["missing"]]
        if usable:
            result = similar_units(store, teryt, k=KNN_K, variables=usable)
    return result


class _ByKey:
    """Hashes a store by its cache key (version and edition), for memoising per release."""

    def __init__(self, store) -> None:
        self.store = store
        self.key = getattr(store, "cache_key", store.version)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByKey) and other.key == self.key


@lru_cache(maxsize=256)
def similar_cached(key: _ByKey, teryt: str) -> dict:
    return _similar(key.store, teryt)


def fmt(value: float | None, ind: Indicator, lang: str) -> str:
    if not _finite(value):
        return translator(lang)("no data")
    return format_value(value, ind.unit.get(lang), ind.decimals, lang)


def source_line(store, ind: Indicator, lang: str) -> str:
    _ = translator(lang)
    origin = ind.source.origin if not store.is_synthetic(ind.id) else _("OMUP generator (synthetic data)")
    return f"{origin} · " + _("data version {v}").format(v=store.version)


def change_judgement(first: float, last: float, direction: str, decimals: int) -> str:
    """improved | worsened | stable (directed indicators) or rose | fell | stable (neutral ones).

    A change counts when it exceeds both half of the last shown digit and 1% of |first|.
    """
    delta = last - first
    if abs(delta) <= max(0.5 * 10.0 ** -decimals, CHANGE_MIN_SHARE * abs(first)):
        return "stable"
    if direction == "higher_better":
        return "improved" if delta > 0 else "worsened"
    if direction == "lower_better":
        return "improved" if delta < 0 else "worsened"
    return "rose" if delta > 0 else "fell"


def _change_text(first_year: int, first: float, last_year: int, last: float, ind: Indicator, lang: str,
                 judgement: str) -> str:
    _ = translator(lang)
    v0, v1 = fmt(first, ind, lang), fmt(last, ind, lang)
    if judgement == "stable":
        return _("From {a} to {b} the value did not change markedly ({v0} → {v1}).").format(
            a=first_year, b=last_year, v0=v0, v1=v1)
    delta = last - first
    unit = ind.unit.get(lang)
    if unit == "%":
        diff = ("+" if delta > 0 else "−") + format_number(abs(delta), ind.decimals, lang) + " " + _("pp")
        rel = ""
    else:
        diff = ("+" if delta > 0 else "−") + format_value(abs(delta), unit, ind.decimals, lang)
        sign = "+" if delta > 0 else "−"
        rel = f", {sign}{format_number(abs(delta / first) * 100, 1, lang)}%" if first else ""
    verb = _("rose") if delta > 0 else _("fell")
    return _("From {a} to {b} the value {verb} ({a}: {v0}; {b}: {v1}; change {diff}{rel}).").format(
        a=first_year, b=last_year, verb=verb, v0=v0, v1=v1, diff=diff, rel=rel)


def _shown_year(series: dict[int, float], year: int) -> int | None:
    years = [y for y in series if y <= year]
    return max(years) if years else None


def indicator_block(store, teryt: str, ind: Indicator, year: int, lang: str, similar_codes: list[str],
                    measures=None, breaks: list[dict] | None = None) -> dict:
    """One indicator of the report (see the module docstring): facts, trend, sentence, change, why, source.

    facts: [{label, text, year, source, synthetic}] – one row per number, each with its source and version.
    trend: {years, values, peer_median, similar_median, breaks, alt} over the five-year window.
    """
    lang = lang_of(lang)
    _ = translator(lang)
    unit = store.units.loc[teryt]
    level = str(unit["level"])
    synthetic = bool(store.is_synthetic(ind.id))
    src = source_line(store, ind, lang)
    block: dict = {"id": ind.id, "name": ind.name.get(lang), "unit": ind.unit.get(lang),
                   "direction": ind.direction, "synthetic": synthetic,
                   "label": SYNTHETIC_LABEL[lang] if synthetic else None, "source": src,
                   "datasets": list(ind.source.datasets), "year": None, "value": None, "facts": [],
                   "sentence": None, "caveat": None, "trend": None, "change": None, "judgement": None,
                   "why": None, "breaks": [], "note": None, "ratio": ratio_parts(ind) is not None}
    series = {p["year"]: p["value"] for p in store.series(ind.id, teryt) if _finite(p["value"])}
    shown = _shown_year(series, year)
    if shown is None:
        block["note"] = _("No data up to {year}.").format(year=year)
        return block
    point = store.point(ind.id, teryt, shown) or {}
    value = series[shown]
    block.update({"year": shown, "value": value})
    if shown < year:
        block["note"] = _("latest data: {year}").format(year=shown)

    def fact(label: str, v: object, text: str | None = None, fy: int = shown) -> None:
        block["facts"].append({"label": label, "value": v if _finite(v) else None,
                               "text": text if text is not None else fmt(v, ind, lang), "year": fy,
                               "source": src, "synthetic": synthetic})

    fact(_("Value"), value)
    peer = point.get("peer") or {}
    if _finite(peer.get("median")):
        fact(_("Peer-group median") + f" (n = {peer.get('n')})", peer["median"])
    if point.get("rank_peer") and point.get("n_peer"):
        fact(_("Rank in the peer group"), None, _("{r} of {n}").format(r=point["rank_peer"], n=point["n_peer"]))
    sim = stats_over(store, ind.id, shown, level, similar_codes) if similar_codes else None
    if sim is not None:
        fact(_("Median of the 10 most similar units") + f" (n = {sim['n']})", sim["median"])
    national = point.get("national") or {}
    if _finite(national.get("median")):
        fact(_("Median in Poland"), national["median"])

    from portal.uncertainty import unit_limits

    try:
        limits = unit_limits(store, ind.id, teryt, shown)
    except (KeyError, ValueError):
        limits = None
    within = None if limits is None else limits.get("flag") == "within95"
    block["sentence"] = unit_sentence(
        ind.sentence.get(lang), year=shown, value_text=fmt(value, ind, lang), level=noun_of(store, teryt),
        lang=lang, point=point or None, direction=ind.direction,
        peer_group_name=store.peer_group_name(str(unit["peer_group"]), lang), indistinguishable=within)
    block["caveat"] = caveat(synthetic, point.get("flag"), lang, level=level)

    first_year = shown - TREND_YEARS + 1
    window = [y for y in store.years(ind.id, level) if first_year <= y <= shown]
    peer_med, sim_med = [], []
    for y in window:
        g = store.group(ind.id, y, level, "peer", str(unit["peer_group"]))
        peer_med.append(g["median"] if g else None)
        s = stats_over(store, ind.id, y, level, similar_codes) if similar_codes else None
        sim_med.append(s["median"] if s else None)
    all_breaks = breaks if breaks is not None else series_breaks(store, teryt)
    in_window = [b for b in all_breaks if window and b["year"] > window[0] and b["earliest"] <= shown]
    block["breaks"] = [f"{b['year']}: {b['reason'][lang]}" for b in in_window]
    block["trend"] = {"years": window, "values": [series.get(y) for y in window], "peer_median": peer_med,
                      "similar_median": sim_med, "breaks": sorted({b["year"] for b in in_window}),
                      "title": _("Changes {a}–{b}").format(a=window[0] if window else shown, b=shown),
                      "alt": _("Chart: {name}, {a}–{b}. Solid line – this unit, dashed – peer-group median, "
                               "dotted – median of the 10 similar units.").format(
                          name=ind.name.get(lang), a=window[0] if window else shown, b=shown),
                      "unit": ind.unit.get(lang), "decimals": ind.decimals, "synthetic": synthetic,
                      # A chart only where there is a line to draw: two or more of the unit's values.
                      "chart": sum(y in series for y in window) >= 2}
    have = [y for y in window if y in series]
    if len(have) >= 2 and not ind.comparable_over_time:
        block["change"] = _("Results of different years are not comparable (every year's exam differs): a change is "
                            "neither an improvement nor a worsening; compare the position among similar units.")
    elif len(have) >= 2:
        judgement = change_judgement(series[have[0]], value, ind.direction, ind.decimals)
        block["judgement"] = judgement
        block["change"] = _change_text(have[0], series[have[0]], shown, value, ind, lang, judgement)
        # The same years in Poland: a change everybody saw (a harder exam, a national trend) reads
        # differently.
        g0 = store.group(ind.id, have[0], level, "national", "PL")
        g1 = store.group(ind.id, shown, level, "national", "PL")
        if g0 and g1 and _finite(g0["median"]) and _finite(g1["median"]):
            block["change"] += " " + _("For comparison, the median in Poland: {a}: {v0}; {b}: {v1}.").format(
                a=have[0], b=shown, v0=fmt(g0["median"], ind, lang), v1=fmt(g1["median"], ind, lang))
    else:
        block["change"] = _("Too few years with data to describe changes.")
    if block["ratio"] and not synthetic:
        dec = unit_decomposition(store, ind.id, teryt, lang, measures=measures, breaks=all_breaks)
        last = next((d for d in dec["changes"] if d["year_to"] == shown), None)
        if dec["available"] and last is not None:
            block["why"] = last["sentence"]
    return block



def goal_rows(store, teryt: str, goals, year: int, lang: str) -> list[dict]:
    """The goals evaluated up to ``year`` (portal/goals.py), every number written out in the language, with its
    source and, for a synthetic indicator (demo only), the synthetic label: the report's and the debate pack's
    goals table."""
    lang = lang_of(lang)
    _ = translator(lang)
    out = []
    for goal in goals_mod.evaluate(store, teryt, goals, upto_year=year):
        targets = []
        for t in goal["targets"]:
            ind = store.catalogue.by_id.get(t["indicator"])
            unit_text = t["unit"][lang]
            dec = t["decimals"]

            def written(v, unit_text=unit_text, dec=dec):
                return format_value(v, unit_text, dec, lang) if _finite(v) else _("no data")

            targets.append({**t, "name_text": t["name"][lang],
                            "status_text": goals_mod.STATUS_TEXT[t["status"]][lang],
                            "baseline_text": written(t["baseline"]), "target_text": written(t["target"]),
                            "value_text": written(t["value"]), "path_text": written(t["path_value"]),
                            "needed_text": (("+" if t["needed_per_year"] >= 0 else "−")
                                            + written(abs(t["needed_per_year"])))
                            if _finite(t["needed_per_year"]) else None,
                            "source": source_line(store, ind, lang) if ind else None,
                            "label": SYNTHETIC_LABEL[lang] if t["synthetic"] else None})
        out.append({"text": goal["text"], "status": goal["status"],
                    "status_text": goals_mod.STATUS_TEXT[goal["status"]][lang], "targets": targets})
    return out


__all__ = ["CHANGE_MIN_SHARE", "SYNTHETIC_LABEL", "TREND_YEARS", "change_judgement", "fmt", "goal_rows",
           "indicator_block", "similar_cached", "source_line"]
