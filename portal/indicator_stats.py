"""What the indicator page computes: coverage per level, the top and bottom units by the indicator's direction,
bar labels that tell same-named units apart, and the exact official sources of an indicator."""

from __future__ import annotations

import numpy as np

from portal.catalogue import Indicator
from portal.store import Store


def coverage(store: Store, indicator_id: str) -> list[dict]:
    """Per level: the latest year, units with a value in it, all units, their share (0–1), years with data."""
    ind = store.catalogue.by_id[indicator_id]
    out = []
    for level in ind.levels:
        years = store.years(indicator_id, level)
        total = len(store.level_codes(level))
        if not years:
            out.append({"level": level, "year": None, "n": 0, "total": total, "share": 0.0, "years": []})
            continue
        sl = store.slice(indicator_id, years[-1], level)
        n = int(np.isfinite(sl.value).sum()) if sl is not None else 0
        out.append({"level": level, "year": years[-1], "n": n, "total": total, "share": n / total if total else 0.0,
                    "years": years})
    return out


def top_bottom(store: Store, indicator_id: str, year: int, level: str, k: int = 10) -> tuple[list[dict], list[dict]]:
    """The k best and k weakest units by the indicator's direction (neutral: highest and lowest values).

    Both lists start at their extreme: the top list with the best (highest) unit, the bottom list with the
    weakest (lowest) one. Ties are broken by name. Names are display names (same-named units told apart).
    """
    sl = store.slice(indicator_id, year, level)
    if sl is None:
        return [], []
    finite = np.isfinite(sl.value)
    codes = sl.codes[finite].tolist()
    names = store.units.loc[codes, "display_name"].astype(str).tolist()
    items = [{"teryt": c, "name": n, "value": v, "synthetic": bool(s)}
             for c, n, v, s in zip(codes, names, sl.value[finite].tolist(), sl.synthetic[finite].tolist(), strict=True)]
    high_first = sorted(items, key=lambda d: (-d["value"], d["name"]))
    low_first = sorted(items, key=lambda d: (d["value"], d["name"]))
    if sl.indicator.direction == "lower_better":
        return low_first[:k], high_first[:k]
    return high_first[:k], low_first[:k]


def bar_labels(items: list[dict], width: int = 60) -> list[str]:
    """Bar labels: display names (which tell same-named units apart), cut to `width` characters; equal labels
    would merge into one bar, so repeats get invisible suffixes."""
    labels = [d["name"] if len(d["name"]) <= width else d["name"][: width - 1].rstrip() + "…" for d in items]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label + "\u200b" * (seen[label] - 1))
    return out


def year_span(ind: Indicator) -> str:
    """The catalogue's years of an indicator: '2015–2024', or a list for indicators with only some years."""
    years = ind.year_list
    if ind.only_years:
        return ", ".join(str(y) for y in years)
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def official_sources(store: Store, ind: Indicator) -> list[dict]:
    """The release's datasets an official indicator is computed from (publisher, name, table, files, years)."""
    if store.is_synthetic(ind.id):
        return []
    by_id = {d["id"]: d for d in store.meta.get("datasets") or []}
    return [by_id[d] for d in ind.source.datasets if d in by_id]


__all__ = ["bar_labels", "coverage", "official_sources", "top_bottom", "year_span"]
