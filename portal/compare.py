"""What the compare page computes: the year each row shows and, per indicator of an area, a cell per unit
(value, short text, peer median, whether it is the best of those compared) and the national medians."""

from __future__ import annotations

import math

from portal.explain import format_number, format_value
from portal.figures import direction_label
from portal.state import compare_levels
from portal.store import LEVEL_OF_LEN, Store


def row_year(store: Store, indicator_id: str, levels: list[str], year: int | None) -> int | None:
    """The year a row shows: the chosen one if every level compared has it, else the latest common ≤ it."""
    ind = store.catalogue.by_id[indicator_id]
    own = [lvl for lvl in levels if lvl in ind.levels]
    if not own:
        return None
    common = set(store.years(indicator_id, own[0]))
    for lvl in own[1:]:
        common &= set(store.years(indicator_id, lvl))
    if not common:
        return None
    if year is None:
        return max(common)
    earlier = [y for y in common if y <= year]
    return max(earlier) if earlier else min(common)


def short_value(value: float | None, unit_text: str, decimals: int, lang: str) -> str:
    """A table cell's number: the unit is in the row's header, except a percent sign."""
    text = format_number(value, decimals, lang)
    return text + "%" if unit_text == "%" and value is not None else text


def _missing_cell(teryt: str) -> dict:
    return {"teryt": teryt, "value": None, "text": "–", "short": "–", "applicable": False, "synthetic": False,
            "peer_median": None, "peer_text": None, "best": False}


def table_rows(store: Store, units: list[str] | tuple[str, ...], area: str, year: int | None,
               lang: str = "pl") -> list[dict]:
    """One row per indicator of the area: its year and a cell per unit (value, text, peer median, best)."""
    levels = compare_levels(units)
    rows = []
    for ind in store.catalogue.in_area(area):
        y = row_year(store, ind.id, levels, year)
        unit_text = ind.unit.get(lang)
        cells = []
        for teryt in units:
            if LEVEL_OF_LEN[len(teryt)] not in ind.levels or y is None:
                cells.append(_missing_cell(teryt))
                continue
            point = store.point(ind.id, teryt, y) or {}
            value = point.get("value")
            peer_median = (point.get("peer") or {}).get("median")
            cells.append({
                "teryt": teryt, "value": value, "applicable": True,
                "text": format_value(value, unit_text, ind.decimals, lang),
                "short": short_value(value, unit_text, ind.decimals, lang),
                "synthetic": bool(point.get("synthetic")) or store.is_synthetic(ind.id),
                "peer_median": peer_median,
                "peer_text": short_value(peer_median, unit_text, ind.decimals, lang) if peer_median is not None else None,
                "best": False,
            })
        present = [c for c in cells if c["value"] is not None and math.isfinite(c["value"])]
        if ind.direction != "neutral" and len(present) >= 2:
            pick = max if ind.direction == "higher_better" else min
            best_value = pick(c["value"] for c in present)
            if sum(1 for c in present if c["value"] == best_value) == 1:
                for c in present:
                    c["best"] = c["value"] == best_value
        medians = {}
        for lvl in levels:
            national = store.group(ind.id, y, lvl, "national", "PL") if (y and lvl in ind.levels) else None
            medians[lvl] = (short_value(national["median"], unit_text, ind.decimals, lang)
                            if national and national.get("median") is not None else None)
        rows.append({"indicator": ind.id, "name": ind.name.get(lang), "unit": unit_text, "year": y,
                     "direction": direction_label(ind, lang), "synthetic": store.is_synthetic(ind.id),
                     "cells": cells, "medians": medians})
    return rows


__all__ = ["row_year", "short_value", "table_rows"]
