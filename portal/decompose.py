"""'Why did it move?': a ratio indicator's year-on-year change split into what its numerator and its
denominator did, with the series breaks that can explain a jump.

Method (log-change decomposition). A ratio indicator is v = m · N / D (portal/pipeline/measures.py: the
multiplier m, the numerator measure N, the denominator measure D). Between two years

    Δln v = Δln N − Δln D

exactly, so the change of the value (in log points) is the numerator's part ``Δln N`` plus the denominator's
part ``−Δln D``; the two parts add up, whatever their signs. For reading, each part is also given as the
relative change the value would have had if only that part had moved: ``exp(part) − 1`` ("had only the
numerator changed, the value would have risen by 3.1%"). The parts are computed from the measures, the total
from the published values; their difference (``residual``) is rounding in the published values and is
reported, never hidden.

A change is undefined in logs when a value, numerator or denominator is missing, zero or negative (a count
that went from 0 to 3); the result then says so instead of inventing a split.

A *jump* is a change of at least :data:`JUMP_MIN_LOG` log points (≈10%) that is also at least
:data:`JUMP_FACTOR` times the median absolute year-on-year change of the series; series breaks
(portal/breaks.py) whose window overlaps the two years are named with every change, jump or not.

Numerators and denominators come from the release: each value's own numerator and denominator when
``store.series`` carries them, else the measure table (``measures.parquet``: measure, teryt, year, value,
flag, source) when the release holds one; otherwise the decomposition is unavailable and says why.
Everything below :func:`unit_decomposition` is a pure function of plain numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from portal.explain import format_number
from portal.i18n import LANGS, N_, lang_of, translator
from portal.words import pgettext

JUMP_MIN_LOG = 0.10
JUMP_FACTOR = 3.0
NO_CHANGE_LOG = 1e-9

METHOD_TEXT = N_(
    "Log-change decomposition: Δln(value) = Δln(numerator) − Δln(denominator). The numerator's and the "
    "denominator's parts add up exactly; 'had only the numerator changed' is exp(Δln numerator) − 1, 'only the "
    "denominator' is exp(−Δln denominator) − 1. The difference between the parts' sum and the change of the "
    "published value (rounding) is reported as the residual.")
METHOD = {lang: translator(lang)(METHOD_TEXT) for lang in LANGS}

UNAVAILABLE_TEXT = {
    "not_ratio": N_("Not a ratio indicator (numerator/denominator): nothing to decompose."),
    "no_measures": N_("This release does not hold the indicator's numerator and denominator."),
    "no_denominator": N_("The indicator is a total without a denominator: all of its change is the numerator's."),
    "mean": N_("The indicator is an average (its numerator sums what its denominator counts): what the average "
               "would have done had only the number counted changed means nothing, so its change is not split."),
}
UNAVAILABLE = {key: {lang: translator(lang)(text) for lang in LANGS} for key, text in UNAVAILABLE_TEXT.items()}


def _ok(x: object) -> bool:
    return x is not None and isinstance(x, (int, float, np.floating)) and math.isfinite(float(x))


def _log_change(a: float | None, b: float | None) -> float | None:
    if not (_ok(a) and _ok(b)) or a <= 0 or b <= 0:
        return None
    return math.log(float(b) / float(a))


def decompose_change(
    numerator: tuple[float | None, float | None],
    denominator: tuple[float | None, float | None] | None,
    value: tuple[float | None, float | None] | None = None,
    multiplier: float = 1.0,
) -> dict:
    """Split one change of v = m·N/D into the numerator's and the denominator's log parts.

    ``numerator`` and ``denominator`` are (before, after); ``denominator`` None for a total (D ≡ 1).
    ``value`` is the published (before, after); when None it is computed as m·N/D.
    Returns {status: "ok" | "undefined", total, numerator_part, denominator_part, residual,
    numerator_only, denominator_only, relative_change, driver: "numerator" | "denominator" | "both" | None,
    value: (before, after), reason: str | None} (log parts in log points; *_only and relative_change as
    fractions, 0.031 = +3.1%).
    """
    n0, n1 = numerator
    d0, d1 = denominator if denominator is not None else (1.0, 1.0)
    if value is None:
        value = (multiplier * n0 / d0 if _ok(n0) and _ok(d0) and d0 else None,
                 multiplier * n1 / d1 if _ok(n1) and _ok(d1) and d1 else None)
    v0, v1 = value
    out: dict = {"value": (v0, v1), "numerator": (n0, n1),
                 "denominator": None if denominator is None else (d0, d1),
                 "status": "undefined", "total": None, "numerator_part": None, "denominator_part": None,
                 "residual": None, "numerator_only": None, "denominator_only": None,
                 "relative_change": None, "driver": None, "reason": None}
    total = _log_change(v0, v1)
    num = _log_change(n0, n1)
    den = _log_change(d0, d1)
    if total is None or num is None or den is None:
        missing = [name for name, part in (("value", total), ("numerator", num), ("denominator", den))
                   if part is None]
        out["reason"] = "missing, zero or negative: " + ", ".join(missing)
        return out
    den_part = -den
    out.update({
        "status": "ok", "total": total, "numerator_part": num, "denominator_part": den_part,
        "residual": total - (num + den_part), "numerator_only": math.expm1(num),
        "denominator_only": math.expm1(den_part), "relative_change": math.expm1(total),
        "driver": _driver(num, den_part),
    })
    return out


def _driver(num: float, den_part: float) -> str | None:
    """Which part moved the value: the one holding at least two thirds of the parts' absolute size."""
    size = abs(num) + abs(den_part)
    if size <= NO_CHANGE_LOG:
        return None
    if abs(num) >= 2 / 3 * size:
        return "numerator"
    if abs(den_part) >= 2 / 3 * size:
        return "denominator"
    return "both"


def decompose_series(
    years: Sequence[int],
    numerators: Sequence[float | None],
    denominators: Sequence[float | None] | None,
    values: Sequence[float | None] | None = None,
    multiplier: float = 1.0,
    breaks: Sequence[dict] = (),
) -> list[dict]:
    """Every year-on-year change of a series (consecutive years present in ``years``), oldest first.

    Each item is :func:`decompose_change` plus year_from, year_to, jump (bool) and breaks (the series
    breaks whose window (earliest … year) overlaps (year_from, year_to]). Years need not be contiguous: a
    gap gives one change over the gap, named by its two years.
    """
    years = list(years)
    if len(numerators) != len(years) or (denominators is not None and len(denominators) != len(years)):
        raise ValueError("years, numerators and denominators must have the same length")
    out = []
    for k in range(1, len(years)):
        d = decompose_change(
            (numerators[k - 1], numerators[k]),
            None if denominators is None else (denominators[k - 1], denominators[k]),
            None if values is None else (values[k - 1], values[k]),
            multiplier,
        )
        y0, y1 = int(years[k - 1]), int(years[k])
        d["year_from"], d["year_to"] = y0, y1
        d["breaks"] = [b for b in breaks if int(b.get("earliest", b["year"])) <= y1 and int(b["year"]) > y0]
        out.append(d)
    typical = [abs(d["total"]) for d in out if d["status"] == "ok"]
    median = float(np.median(typical)) if typical else 0.0
    for d in out:
        d["jump"] = bool(d["status"] == "ok" and abs(d["total"]) >= max(JUMP_MIN_LOG, JUMP_FACTOR * median))
    return out


# --------------------------------------------------------------------------- sentences

# Polish verbs agree with the subject: the value (wartość, feminine) or the numerator / denominator (masculine).
MOVED = {
    ("f", "up"): pgettext("feminine", "rose by {pct}"),
    ("f", "down"): pgettext("feminine", "fell by {pct}"),
    ("f", "same"): pgettext("feminine", "did not change"),
    ("m", "up"): pgettext("masculine", "rose by {pct}"),
    ("m", "down"): pgettext("masculine", "fell by {pct}"),
    ("m", "same"): pgettext("masculine", "did not change"),
}
WOULD = {"up": N_("would have risen by {pct}"), "down": N_("would have fallen by {pct}"),
         "same": N_("would not have changed")}
DRIVER = {"numerator": N_("Mostly the numerator's change."), "denominator": N_("Mostly the denominator's change."),
          "both": N_("Both parts mattered.")}


def _pct(x: float, lang: str) -> str:
    return format_number(abs(x) * 100, 1, lang) + "%"


def _way(x: float) -> str:
    return "same" if abs(x) < 0.0005 else ("up" if x > 0 else "down")


def _moved(x: float, gender: str, lang: str) -> str:
    context, message = MOVED[(gender, _way(x))]
    return translator(lang).pgettext(context, message).format(pct=_pct(x, lang))


def _would(x: float, lang: str) -> str:
    return translator(lang)(WOULD[_way(x)]).format(pct=_pct(x, lang))


def explain(d: dict, lang: str = "pl", numerator_name: str | None = None,
            denominator_name: str | None = None) -> str:
    """One change as sentences: how the value moved, what the numerator and the denominator did, breaks.

    ``d`` is an item of :func:`decompose_series`; the names are the catalogue formula's texts. Texts are gettext
    messages (portal/i18n.py).
    """
    lang = lang_of(lang)
    _ = translator(lang)
    lead = _("Between {a} and {b}").format(a=d["year_from"], b=d["year_to"])
    if d["status"] != "ok":
        text = _("{lead} the change cannot be split (a value, numerator or denominator is missing or "
                 "zero).").format(lead=lead)
    else:
        # "Licznik – liczba uczniów – wzrósł": names may hold parentheses of their own.
        num = f" – {numerator_name} –" if numerator_name else ""
        den = f" – {denominator_name} –" if denominator_name else ""
        parts = [_("{lead} the value {moved}.").format(lead=lead, moved=_moved(d["relative_change"], "f", lang)),
                 _("The numerator{name} {moved}.").format(name=num, moved=_moved(d["numerator_only"], "m", lang))]
        if d["denominator"] is not None:
            den_change = math.expm1(-d["denominator_part"])
            parts.append(_("The denominator{name} {moved}; had only the denominator changed, the value "
                           "{would}.").format(name=den, moved=_moved(den_change, "m", lang),
                                             would=_would(d["denominator_only"], lang)))
            if d["driver"] in DRIVER:
                parts.append(_(DRIVER[d["driver"]]))
        text = " ".join(parts)
    if d.get("breaks"):
        reasons = "; ".join(b["reason"][lang] for b in d["breaks"])
        text += " " + _("A break in the series falls in this period: {reasons}.").format(reasons=reasons)
        if d.get("jump"):
            text += " " + _("The jump may come from this change rather than from the service.")
    return text


# --------------------------------------------------------------------------- the release

def ratio_parts(indicator) -> tuple[str, str | None, float] | None:
    """(numerator measure, denominator measure or None, multiplier) of an official ratio indicator."""
    real = getattr(indicator, "real", None)
    if real is None or real.kind != "ratio" or not real.numerator:
        return None
    return real.numerator, real.denominator, float(real.multiplier)


@functools.lru_cache(maxsize=4)
def _measure_table(path: str, mtime: float) -> dict:
    import pandas as pd

    df = pd.read_parquet(path, columns=["measure", "teryt", "year", "value"])
    df = df.sort_values(["measure", "teryt", "year"], kind="stable").reset_index(drop=True)
    return {"idx": df.groupby(["measure", "teryt"], sort=False).indices,
            "year": df["year"].to_numpy(int), "value": df["value"].to_numpy(float)}


MeasureLookup = Callable[[str, str], dict[int, float]]


def release_measures(store) -> MeasureLookup | None:
    """The release's measure table as a lookup (measure, teryt) → {year: value}; None when it has none.

    Uses ``store.measure_series`` when the store offers it, else reads ``measures.parquet`` beside the
    release's values once per process (the demo edition shares the official edition's measures).
    """
    method = getattr(store, "measure_series", None)
    if callable(method):
        def from_store(measure: str, teryt: str) -> dict[int, float]:
            return {int(p["year"]): p["value"] for p in method(measure, teryt) if _ok(p.get("value"))}
        return from_store
    candidates = [Path(store.path) / "measures.parquet"]
    if getattr(store, "demo", False):
        candidates.append(Path(store.path).parent / "measures.parquet")
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        return None
    table = _measure_table(str(path), path.stat().st_mtime)

    def lookup(measure: str, teryt: str) -> dict[int, float]:
        rows = table["idx"].get((measure, teryt))
        if rows is None:
            return {}
        return {int(y): float(v) for y, v in zip(table["year"][rows], table["value"][rows], strict=True)
                if math.isfinite(v)}

    return lookup


def unit_decomposition(store, indicator_id: str, teryt: str, lang: str = "pl",
                       measures: MeasureLookup | None = None, *, breaks: list[dict] | None = None,
                       year_to: int | None = None) -> dict:
    """Every year-on-year change of one unit's indicator, decomposed, with sentences and breaks.

    ``breaks`` are the unit's series breaks when the caller has them (else read here); ``year_to`` keeps only
    the change ending in that year (a card's year: jumps are still judged against the whole series).

    Returns {indicator, teryt, available (bool), reason ({pl, en} when not available), method ({pl, en}),
    numerator: {measure, name}, denominator: {measure, name} | None, multiplier, synthetic,
    changes: [decompose_series items + sentence]}. ``measures`` defaults to :func:`release_measures`.
    ValueError for an unknown indicator or unit.
    """
    from portal.breaks import series_breaks

    ind = store.catalogue.by_id.get(indicator_id)
    if ind is None:
        raise ValueError(f"unknown indicator {indicator_id!r}")
    if teryt not in store.units.index:
        raise ValueError(f"unknown unit {teryt!r}")
    lang = "en" if lang == "en" else "pl"
    out: dict = {"indicator": indicator_id, "teryt": teryt, "available": False, "reason": None,
                 "method": METHOD, "numerator": None, "denominator": None, "multiplier": None,
                 "synthetic": bool(store.is_synthetic(indicator_id)), "changes": []}
    parts = ratio_parts(ind)
    if parts is None or out["synthetic"]:
        out["reason"] = UNAVAILABLE["not_ratio"] if parts is None else UNAVAILABLE["no_measures"]
        return out
    if ind.real.mean:
        out["reason"] = UNAVAILABLE["mean"]
        return out
    num_id, den_id, mult = parts
    out["numerator"] = {"measure": num_id, "name": ind.formula.numerator.get(lang)}
    out["denominator"] = ({"measure": den_id, "name": ind.formula.denominator.get(lang)}
                          if den_id and ind.formula.denominator else
                          ({"measure": den_id, "name": None} if den_id else None))
    out["multiplier"] = mult
    series = [p for p in store.series(indicator_id, teryt) if _ok(p["value"])]
    if measures is not None:
        lookup = measures
    elif any(_ok(p.get("numerator")) for p in series):
        # The release keeps each value's numerator and denominator beside it (store.series).
        nums_in = {p["year"]: p.get("numerator") for p in series}
        dens_in = {p["year"]: p.get("denominator") for p in series}

        def lookup(measure: str, _teryt: str) -> dict[int, float]:
            got = nums_in if measure == num_id else dens_in
            return {y: v for y, v in got.items() if _ok(v)}
    else:
        lookup = release_measures(store)
    if lookup is None:
        out["reason"] = UNAVAILABLE["no_measures"]
        return out
    nums, dens = lookup(num_id, teryt), (lookup(den_id, teryt) if den_id else None)
    if not nums:
        out["reason"] = UNAVAILABLE["no_measures"]
        return out
    years = [p["year"] for p in series]
    changes = decompose_series(
        years, [nums.get(y) for y in years], None if dens is None else [dens.get(y) for y in years],
        [p["value"] for p in series], mult, series_breaks(store, teryt) if breaks is None else breaks,
    )
    if year_to is not None:
        changes = [d for d in changes if d["year_to"] == year_to]
    names = (out["numerator"]["name"], (out["denominator"] or {}).get("name"))
    for d in changes:
        d["sentence"] = explain(d, lang, *names)
    out["available"] = True
    if den_id is None:
        out["reason"] = UNAVAILABLE["no_denominator"]
    out["changes"] = changes
    return out


__all__ = ["JUMP_FACTOR", "JUMP_MIN_LOG", "METHOD", "decompose_change", "decompose_series", "explain",
           "ratio_parts", "release_measures", "unit_decomposition"]
