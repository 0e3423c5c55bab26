"""What changed between two kept releases: per indicator (years, revised values, coverage, synthetic status)
and for the whole release.

Values are compared through the two stores' value cubes (`store.slice`, arrays over the units of a level),
never by scanning the long table. A value counts as revised when |new − old| exceeds half a unit of the
indicator's last shown decimal place (0.5 · 10^-decimals): a change nobody could see on the page is not
reported. Results are memoised per (settings, indicator, old, new); release versions are immutable, so
the key never goes stale.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from portal.config import Settings
from portal.release import list_releases
from portal.store import Store, demo_requested, get_store

TOP_REVISIONS = 5


def tolerance(decimals: int) -> float:
    """The smallest difference that shows at the indicator's displayed precision."""
    return 0.5 * 10.0 ** -max(int(decimals), 0)


def default_pair(settings: Settings) -> tuple[str, str]:
    """(previous kept version, current version); both the current one when only one release is kept."""
    current = get_store(settings).version
    older = [r["version"] for r in list_releases(settings) if r["version"] != current]
    return (older[0] if older else current), current


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _status(store: Store, indicator_id: str) -> str | None:
    if store.indicator(indicator_id) is None:
        return None
    return "synthetic" if store.is_synthetic(indicator_id) else "real"


def _compare(old: Store, new: Store, indicator_id: str) -> dict:
    ind = new.indicator(indicator_id) or old.indicator(indicator_id)
    assert ind is not None
    tol = tolerance(ind.decimals)
    years_added: set[int] = set()
    years_removed: set[int] = set()
    revised = 0
    coverage_old = coverage_new = 0
    gained = lost = 0
    top: list[tuple[float, dict]] = []
    for level in ind.levels:
        y_old, y_new = set(old.years(indicator_id, level)), set(new.years(indicator_id, level))
        years_added |= y_new - y_old
        years_removed |= y_old - y_new
        for year in sorted(y_old | y_new):
            s_old = old.slice(indicator_id, year, level) if year in y_old else None
            s_new = new.slice(indicator_id, year, level) if year in y_new else None
            if s_old is not None:
                coverage_old += int(np.isfinite(s_old.value).sum())
            if s_new is not None:
                coverage_new += int(np.isfinite(s_new.value).sum())
            if s_old is None or s_new is None:
                continue
            # The unit register can differ between releases: compare the units both hold.
            if len(s_old.codes) == len(s_new.codes) and np.array_equal(s_old.codes, s_new.codes):
                a, b, codes = s_old.value, s_new.value, s_new.codes
            else:
                codes, i_old, i_new = np.intersect1d(s_old.codes, s_new.codes, return_indices=True)
                a, b = s_old.value[i_old], s_new.value[i_new]
            fa, fb = np.isfinite(a), np.isfinite(b)
            both = fa & fb
            delta = np.where(both, np.abs(b - a), 0.0)
            changed = np.flatnonzero(delta > tol)
            revised += len(changed)
            gained += int((fb & ~fa).sum())
            lost += int((fa & ~fb).sum())
            if len(changed):
                for k in changed[np.argsort(-delta[changed], kind="stable")[:TOP_REVISIONS]]:
                    top.append((float(delta[k]), {"teryt": str(codes[k]), "level": level, "year": year,
                                                  "old": _num(a[k]), "new": _num(b[k]),
                                                  "delta": float(b[k] - a[k])}))
    top.sort(key=lambda t: (-t[0], t[1]["teryt"], t[1]["year"]))
    largest = []
    for _, row in top[:TOP_REVISIONS]:
        unit = new.unit(row["teryt"]) or old.unit(row["teryt"]) or {}
        largest.append({**row, "name": unit.get("name", row["teryt"]),
                        "unit": {"pl": ind.unit.pl, "en": ind.unit.en}})
    return {
        "years_added": sorted(years_added), "years_removed": sorted(years_removed),
        "revised": revised, "tolerance": tol, "largest_revisions": largest,
        "coverage": {"old": coverage_old, "new": coverage_new, "change": coverage_new - coverage_old,
                     "values_added": gained, "values_removed": lost},
    }


@lru_cache(maxsize=512)
def _indicator_changelog(settings: Settings, indicator_id: str, old_version: str, new_version: str,
                         demo: bool = False) -> dict:
    old, new = get_store(settings, old_version, demo), get_store(settings, new_version, demo)
    s_old, s_new = _status(old, indicator_id), _status(new, indicator_id)
    out: dict = {"indicator": indicator_id, "from": old.version, "to": new.version,
                 "status": {"old": s_old, "new": s_new, "changed": s_old != s_new}}
    ind = new.indicator(indicator_id) or old.indicator(indicator_id)
    if ind is None:
        raise KeyError(indicator_id)
    out["name"] = {"pl": ind.name.pl, "en": ind.name.en}
    if s_old is None or s_new is None:
        out["change"] = "added" if s_old is None else "removed"
        out.update({"years_added": [], "years_removed": [], "revised": 0,
                    "tolerance": tolerance(ind.decimals), "largest_revisions": [],
                    "coverage": {"old": 0, "new": 0, "change": 0, "values_added": 0, "values_removed": 0}})
        return out
    out["change"] = "compared"
    out.update(_compare(old, new, indicator_id))
    return out


def indicator_changelog(settings: Settings, indicator_id: str, old_version: str | None = None,
                        new_version: str | None = None) -> dict:
    """Changes of one indicator from old_version to new_version (defaults: previous kept → current).

    Returns {indicator, name, from, to, change ("compared" | "added" | "removed"), status {old, new, changed}
    (synthetic ↔ real), years_added, years_removed, revised (values with |Δ| > tolerance), tolerance,
    largest_revisions (top 5: teryt, name, level, year, old, new, delta, unit), coverage {old, new, change,
    values_added, values_removed}}. KeyError when neither release has the indicator; NoReleaseError for a
    version that is not kept. The returned dict is shared by the cache: do not mutate it.
    """
    d_old, d_new = default_pair(settings)
    return _indicator_changelog(settings, indicator_id, old_version or d_old, new_version or d_new,
                                demo_requested())


@lru_cache(maxsize=64)
def _release_changelog(settings: Settings, old_version: str, new_version: str, demo: bool = False) -> dict:
    old, new = get_store(settings, old_version, demo), get_store(settings, new_version, demo)
    ids_old = {i.id for i in old.catalogue.indicators}
    ids_new = {i.id for i in new.catalogue.indicators}
    revised, years_added, status_changed = [], [], []
    total_revised = 0
    for ind in new.catalogue.indicators:
        if ind.id not in ids_old:
            continue
        ch = _indicator_changelog(settings, ind.id, old.version, new.version, new.demo)
        summary = {"indicator": ind.id, "name": ch["name"], "revised": ch["revised"],
                   "years_added": ch["years_added"], "years_removed": ch["years_removed"],
                   "coverage_change": ch["coverage"]["change"], "status": ch["status"]}
        total_revised += ch["revised"]
        if ch["revised"]:
            revised.append(summary)
        if ch["years_added"] or ch["years_removed"]:
            years_added.append(summary)
        if ch["status"]["changed"]:
            status_changed.append(summary)
    revised.sort(key=lambda r: (-r["revised"], r["indicator"]))
    return {
        "from": old.version, "to": new.version,
        "from_built_at": str(old.meta.get("built_at", "")), "to_built_at": str(new.meta.get("built_at", "")),
        "indicators_added": sorted(ids_new - ids_old), "indicators_removed": sorted(ids_old - ids_new),
        "indicators_compared": len(ids_old & ids_new),
        "indicators_revised": revised, "values_revised": total_revised,
        "indicators_with_year_changes": years_added, "status_changed": status_changed,
    }


def release_changelog(settings: Settings, old_version: str | None = None,
                      new_version: str | None = None) -> dict:
    """All indicators between two releases (defaults: previous kept → current): indicators added/removed,
    indicators with revised values (most revisions first), with years added/removed, with synthetic ↔ real
    status changes, and the total of revised values."""
    d_old, d_new = default_pair(settings)
    return _release_changelog(settings, old_version or d_old, new_version or d_new, demo_requested())


__all__ = ["default_pair", "indicator_changelog", "release_changelog", "tolerance"]
