"""Breaks in a unit's series from territorial changes (the TERYT change table): a reform is no trend.

The change table (``store.changes``) maps codes seen in the gmina lists of 2019 (boundaries), 2023, 2024 and
2026 to today's (2025) unit, keeping for each code the FIRST list year it was seen in (``year_from``); the
2025 list is today's register itself. From that we rebuild which code each list carries: a type change
(7th digit, e.g. 2→3 when a village becomes a town) breaks the series in the first list year carrying the new
code. Lists are missing for 2020–2022, so a change first seen in the 2023 list happened in 2020–2023: the
break is reported at 2023 with ``earliest`` 2020 and every year of that window is flagged in downloads.
A split (a gmina created from part of another, 1 January 2025) breaks both the new gmina and its parent
in 2025. Powiaty and województwa have no breaks from those: type changes and the 2025 splits stay inside them.
Boundary changes before 2019 (Wałbrzych 2013, Zielona Góra 2015, Ostrowice 2019) come from a small table of
their own (HISTORIC_BREAKS), gminy and powiaty.
"""

from __future__ import annotations

import functools
import itertools

LIST_YEARS = (2019, 2023, 2024, 2025, 2026)
REGISTER_YEAR = 2025  # the release's unit register (new_teryt codes)
GMINA_KIND = {"1": ("miejska", "urban"), "2": ("wiejska", "rural"), "3": ("miejsko-wiejska", "urban-rural")}


def _codes_by_list_year(changes, teryt: str) -> dict[int, str]:
    """Which code of today's gmina ``teryt`` each list year carries."""
    rows = changes[(changes["new_teryt"] == teryt) & ~changes["change"].isin(["split", "recode"])]
    first_seen = {teryt: REGISTER_YEAR}
    for row in rows.itertuples():
        y = int(row.year_from)
        first_seen[row.old_teryt] = min(first_seen.get(row.old_teryt, y), y)
    timeline = {}
    for year in LIST_YEARS:
        seen = [(y, code) for code, y in first_seen.items() if y <= year]
        if seen:
            timeline[year] = max(seen)[1]
    return timeline


def _type_reason(old: str, new: str, window: tuple[int, int]) -> dict[str, str]:
    a, b = old[6], new[6]
    ka, kb = GMINA_KIND.get(a, (a, a)), GMINA_KIND.get(b, (b, b))
    pl = f"zmiana typu gminy ({a}→{b}: {ka[0]} → {kb[0]})"
    en = f"change of gmina type ({a}→{b}: {ka[1]} → {kb[1]})"
    if window[0] < window[1]:
        pl += f", między {window[0]} a {window[1]} r."
        en += f", between {window[0]} and {window[1]}"
    return {"pl": pl, "en": en}


# Territorial changes before 2019 that the change table cannot show (its lists start in 2019), read off the
# 2010–2019 BDL exports: (year of the new state, pl, en) per today's unit.
_OSTROWICE = ("przyłączenie części zniesionej gminy Ostrowice", "part of the abolished gmina Ostrowice joined")
_ZG = ("połączenie z gminą wiejską Zielona Góra", "merged with the rural gmina Zielona Góra")
HISTORIC_BREAKS: dict[str, tuple[int, str, str]] = {
    "3203023": (2019, *_OSTROWICE),
    "3203063": (2019, *_OSTROWICE),
    "0862011": (2015, *_ZG),
    "0862": (2015, "miasto powiększone o gminę wiejską Zielona Góra", "the city enlarged by the rural gmina Zielona Góra"),
    "0809": (2015, "gmina wiejska Zielona Góra przyłączona do miasta na prawach powiatu",
             "the rural gmina Zielona Góra joined to the city with powiat rights"),
    "0221": (2013, "Wałbrzych wyłączony z powiatu jako miasto na prawach powiatu",
             "Wałbrzych left the powiat as a city with powiat rights"),
    "0265": (2013, "powiat utworzony (Wałbrzych znów miastem na prawach powiatu)",
             "powiat created (Wałbrzych again a city with powiat rights)"),
}


def series_breaks(store, teryt: str) -> list[dict]:
    """Breaks in the series of today's unit ``teryt`` (see `_series_breaks`); cached per store and unit."""
    return [dict(b) for b in _cached_breaks(store, teryt)]


@functools.lru_cache(maxsize=8192)
def _cached_breaks(store, teryt: str) -> tuple[dict, ...]:
    return tuple(_series_breaks(store, teryt))


def _series_breaks(store, teryt: str) -> list[dict]:
    """Breaks in the series of today's unit ``teryt``, oldest first.

    Each: {year (first year of the new state), earliest (first possible year when lists are missing),
    change ('type' | 'split'), old_teryt, new_teryt (in time order; for a split: parent, new gmina),
    reason: {pl, en}, note: {pl, en} | None}.
    ValueError for an unknown unit.
    """
    if teryt not in store.units.index:
        raise ValueError(f"unknown unit {teryt!r}")
    out = []
    if teryt in HISTORIC_BREAKS:
        year, pl, en = HISTORIC_BREAKS[teryt]
        out.append({"year": year, "earliest": year, "change": "boundary", "old_teryt": teryt, "new_teryt": teryt,
                    "reason": {"pl": pl, "en": en}, "note": None})
    if store.units.at[teryt, "level"] != "gmina":
        return out
    changes = store.changes
    timeline = _codes_by_list_year(changes, teryt)
    years = sorted(timeline)
    for prev, year in itertools.pairwise(years):
        if timeline[prev] != timeline[year]:
            old, new = timeline[prev], timeline[year]
            out.append({"year": year, "earliest": prev + 1, "change": "type", "old_teryt": old,
                        "new_teryt": new, "reason": _type_reason(old, new, (prev + 1, year)), "note": None})
    involved = (changes["old_teryt"] == teryt) | (changes["new_teryt"] == teryt)
    for row in changes[(changes["change"] == "recode") & (changes["new_teryt"] == teryt)].itertuples():
        # A new code for the same territory: a city regaining powiat rights (Wałbrzych, 2013), whose budget
        # from then on includes the powiat's tasks.
        out.append({"year": int(row.year_from), "earliest": int(row.year_from), "change": "recode",
                    "old_teryt": row.old_teryt, "new_teryt": teryt,
                    "reason": {"pl": f"nowy kod TERYT ({row.old_teryt} → {teryt}): miasto na prawach powiatu od "
                                     f"{int(row.year_from)} r., jego budżet obejmuje odtąd zadania powiatu",
                               "en": f"new TERYT code ({row.old_teryt} → {teryt}): a city with powiat rights from "
                                     f"{int(row.year_from)}, its budget covers the powiat's tasks from then on"},
                    "note": None})
    splits = changes[(changes["change"] == "split") & involved]
    missing = {m["teryt"]: m for m in store.meta.get("missing_shapes", [])}
    for row in splits.itertuples():
        year = min(y for y in LIST_YEARS if y > int(row.year_from))
        parent, child = row.old_teryt, row.new_teryt
        pname, cname = store.units.at[parent, "name"], store.units.at[child, "name"]
        note = None
        if child in missing:
            note = {"pl": f"Na mapie z granicami z 2019 r. gmina {cname} leży w granicach gminy {pname}; "
                          f"dane do 2024 r. obejmują jej obszar w gminie {pname}.",
                    "en": f"On the 2019 boundary map gmina {cname} lies within gmina {pname}; "
                          f"data up to 2024 include its territory in gmina {pname}."}
        out.append({"year": year, "earliest": year, "change": "split", "old_teryt": parent,
                    "new_teryt": child, "reason": {"pl": f"utworzenie gminy {cname} z części gminy {pname}",
                               "en": f"gmina {cname} created from part of gmina {pname}"},
                    "note": note})
    return sorted(out, key=lambda b: (b["year"], b["change"]))


def break_years(store, teryt: str) -> list[int]:
    """The years to mark on a trend chart or sparkline (first year of each new state)."""
    return sorted({b["year"] for b in series_breaks(store, teryt)})


@functools.lru_cache(maxsize=16)
def units_with_breaks(store) -> frozenset[str]:
    """Every unit whose series can have a break (codes in the change table other than unchanged ones)."""
    changes = store.changes
    moved = changes[changes["change"] != "same"]
    return (frozenset(moved["new_teryt"]) | frozenset(moved.loc[moved["change"] == "split", "old_teryt"])
            | frozenset(HISTORIC_BREAKS))


def break_flags(store, indicator_id: str, teryt: str, lang: str = "pl") -> dict[int, str]:
    """{year: reason} for the years of the indicator's series at a break, for downloads.

    A break known only within a window (lists missing for 2020–2022) flags every year of the window.
    ValueError for an unknown indicator or unit.
    """
    if store.catalogue.by_id.get(indicator_id) is None:
        raise ValueError(f"unknown indicator {indicator_id!r}")
    level = store.units.at[teryt, "level"] if teryt in store.units.index else None
    breaks = series_breaks(store, teryt)
    years = set(store.years(indicator_id, level)) if level else set()
    key = "en" if lang == "en" else "pl"
    flags: dict[int, str] = {}
    for b in breaks:
        for year in range(b["earliest"], b["year"] + 1):
            if year in years:
                flags[year] = "; ".join(filter(None, [flags.get(year), b["reason"][key]]))
    return dict(sorted(flags.items()))


__all__ = ["LIST_YEARS", "break_flags", "break_years", "series_breaks", "units_with_breaks"]
