"""'Why did it move?' on the profile card and in the API's profile: the change ending in the card's year, split
into what the numerator and the denominator did (portal/decompose.py), with the series breaks that fall in it.

Only official ratio indicators with a numerator and a denominator in the release get a change: a synthetic
indicator (demo edition) has no measures of its own, so it gets none rather than an invented split, and a
total without a denominator has nothing to split. :func:`card_change` is the data (the API's ``change``
field); :func:`change_line` the card's one line, through gettext.
"""

from __future__ import annotations

import functools
import math

from portal.breaks import series_breaks
from portal.decompose import ratio_parts, unit_decomposition
from portal.explain import format_value
from portal.i18n import lang_of, translator


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(float(v))


def short_name(name: str | None) -> str | None:
    """A formula part's name without its explanation: 'ludność ogółem (stan 31 XII …)' → 'ludność ogółem'."""
    if not name:
        return None
    for cut in (" (", ": ", "; ", ", ", " on 31 "):
        name = name.split(cut)[0]
    return name.strip() or None


class _ByKey:
    """Hashes a store by its cache key (version and edition), so memoised changes follow the release."""

    def __init__(self, store) -> None:
        self.store = store
        self.key = getattr(store, "cache_key", None) or (store.version, id(store))

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByKey) and other.key == self.key


def card_change(store, indicator_id: str, teryt: str, year: int | None, lang: str = "pl") -> dict | None:
    """:func:`change_of` memoised per release, unit, indicator, year and language (the profile's hot path); the
    dict is shared between callers: read it, never change it."""
    ind = store.catalogue.by_id.get(indicator_id)
    parts = ratio_parts(ind) if ind is not None else None
    if year is None or parts is None or parts[1] is None:
        return None  # not a ratio with a denominator: nothing to split, nothing to remember
    return _cached(_ByKey(store), indicator_id, teryt, int(year), lang_of(lang))


@functools.lru_cache(maxsize=4096)  # ~22 ratio cards a profile: the last ~180 profiles viewed, a few MB
def _cached(key: _ByKey, indicator_id: str, teryt: str, year: int, lang: str) -> dict | None:
    try:
        breaks = series_breaks(key.store, teryt)
    except (KeyError, ValueError):
        breaks = []
    return change_of(key.store, indicator_id, teryt, year, lang, breaks)


def change_of(store, indicator_id: str, teryt: str, year: int | None, lang: str = "pl",
              breaks: list[dict] | None = None) -> dict | None:
    """The change of one unit's ratio indicator ending in ``year``, decomposed; None when there is none.

    None for an indicator that is not an official ratio with a denominator, a synthetic one, a year without an
    earlier year, a release without the measures, or a change that cannot be split (a zero or missing part).
    Returns {year_from, year_to, value_from, value_to, relative_change, numerator: {measure, name, from, to,
    relative_change}, denominator: {…}, numerator_part, denominator_part, residual, driver, jump,
    breaks: [{year, reason}], sentence} (log parts in log points, relative changes as fractions).
    """
    ind = store.catalogue.by_id.get(indicator_id)
    parts = ratio_parts(ind) if ind is not None else None
    if year is None or parts is None or parts[1] is None or store.is_synthetic(indicator_id):
        return None
    lang = lang_of(lang)
    dec = unit_decomposition(store, indicator_id, teryt, lang, breaks=breaks, year_to=year)
    if not dec["available"] or not dec["changes"] or dec["denominator"] is None:
        return None
    d = dec["changes"][-1]
    if d["status"] != "ok":
        return None
    (n0, n1), (d0, d1), (v0, v1) = d["numerator"], d["denominator"], d["value"]
    return {
        "year_from": d["year_from"], "year_to": d["year_to"], "value_from": v0, "value_to": v1,
        "relative_change": d["relative_change"],
        "numerator": {"measure": dec["numerator"]["measure"], "name": dec["numerator"]["name"], "from": n0,
                      "to": n1, "relative_change": n1 / n0 - 1},
        "denominator": {"measure": dec["denominator"]["measure"], "name": dec["denominator"]["name"],
                        "from": d0, "to": d1, "relative_change": d1 / d0 - 1},
        "numerator_part": d["numerator_part"], "denominator_part": d["denominator_part"],
        "residual": d["residual"], "driver": d["driver"], "jump": d["jump"],
        "breaks": [{"year": int(b["year"]), "reason": b["reason"][lang]} for b in d["breaks"]],
        "sentence": d["sentence"],
    }


def _signed_pct(x: float, lang: str) -> str:
    _ = translator(lang)
    text = _.number(abs(x) * 100, 1)
    if not any(ch in "123456789" for ch in text):
        return text + "%"
    return ("+" if x > 0 else "\u2212") + text + "%"


def change_line(change: dict, unit: str | None, decimals: int, lang: str = "pl") -> str:
    """The card's line: 'Zmiana 2023–2024: +0,42 (+11,3%); licznik +11,7%, mianownik (ludność ogółem) +0,4%.'

    ``unit`` and ``decimals`` are the indicator's (the value's change is written in its unit; a share in %
    changes by percentage points). A break in the period is named, and said to may explain a jump.
    """
    lang = lang_of(lang)
    _ = translator(lang)
    delta = change["value_to"] - change["value_from"]
    shown_zero = not any(ch in "123456789" for ch in translator(lang).number(abs(delta), decimals))
    sign = "" if shown_zero else ("+" if delta > 0 else "\u2212")
    if unit == "%":
        diff = sign + _("{value} pp").format(value=_.number(abs(delta), decimals))
    else:
        diff = sign + format_value(abs(delta), unit, decimals, lang)
    driver = {"numerator": _("mostly the numerator"), "denominator": _("mostly the denominator"),
              "both": _("both parts")}.get(change["driver"] or "")
    den_name = short_name(change["denominator"]["name"])
    den = (_("denominator ({name}) {change}").format(name=den_name, change=_signed_pct(
        change["denominator"]["relative_change"], lang)) if den_name else
        _("denominator {change}").format(change=_signed_pct(change["denominator"]["relative_change"], lang)))
    text = _("Change {a}–{b}: {diff} ({rel}); numerator {num}, {den}").format(
        a=change["year_from"], b=change["year_to"], diff=diff, rel=_signed_pct(change["relative_change"], lang),
        num=_signed_pct(change["numerator"]["relative_change"], lang), den=den)
    text += f" – {driver}." if driver else "."
    for b in change["breaks"]:
        text += " " + _("Series break ({year}): {reason}.").format(year=b["year"], reason=b["reason"])
    if change["breaks"] and change["jump"]:
        text += " " + _("The jump may come from this change rather than from the service.")
    return text


__all__ = ["card_change", "change_line", "change_of", "short_name"]
