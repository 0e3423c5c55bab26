"""What a release holds, counted from its metadata: official indicators by level and years, what the demo
adds, the datasets with their exact sources, the licence, peer groups and TERYT changes.

The banner of every page and `/o-danych` say these numbers; nothing here is typed by hand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from portal.catalogue import LEVELS
from portal.store import Store


@dataclass(frozen=True)
class OfficialFacts:
    """The official part of a release and what the demo edition adds to it."""

    indicators: int  # official indicators (with at least one official value)
    by_level: dict[str, int]  # official indicators with values at each level
    year_from: int | None
    year_to: int | None
    areas_with_official: int  # service areas (not 'kontekst') with at least one official indicator
    areas_total: int
    service_indicators: int  # official indicators in the service areas (not context)
    demo_adds: int  # indicators the demo fills with synthetic values
    datasets: int
    publishers: tuple[str, ...] = field(default=())


def official_facts(store: Store) -> OfficialFacts:
    """Counted from the release metadata (the same numbers in either edition of one release)."""
    meta = store.meta
    coverage: dict[str, dict] = meta.get("official_coverage") or {}
    real = list(meta.get("real_indicators") or coverage)
    by_level = {lvl: sum(1 for i in real if lvl in coverage.get(i, {})) for lvl in LEVELS}
    spans = [(c["from"], c["to"]) for i in real for c in coverage.get(i, {}).values()]
    per_area = meta.get("official_indicators_per_area") or {}
    areas = [a for a in store.full_catalogue.areas if a.id != "kontekst"]
    demo = meta.get("demo_indicators")
    if demo is None:
        demo = meta.get("synthetic_indicators") or []
    datasets = meta.get("datasets") or []
    return OfficialFacts(
        indicators=len(real),
        by_level=by_level,
        year_from=min((a for a, _ in spans), default=None),
        year_to=max((b for _, b in spans), default=None),
        areas_with_official=sum(1 for a in areas if per_area.get(a.id)),
        areas_total=len(areas),
        service_indicators=sum(n for a, n in per_area.items() if a != "kontekst"),
        demo_adds=len(demo),
        datasets=len(datasets),
        publishers=tuple(dict.fromkeys(d["publisher"] for d in datasets if d.get("publisher"))),
    )


def datasets(store: Store) -> list[dict]:
    """Every raw dataset of the release: publisher, name (pl/en), table, files, years, levels, licence, url."""
    return list(store.meta.get("datasets") or [])


def indicators_of_dataset(store: Store) -> dict[str, list[str]]:
    """Dataset id → the official indicators computed from it (catalogue order)."""
    out: dict[str, list[str]] = {}
    real = set(store.meta.get("real_indicators") or [])
    for ind in store.full_catalogue.indicators:
        if ind.id not in real:
            continue
        for ds in ind.source.datasets:
            out.setdefault(ds, []).append(ind.id)
    return out


def licence(store: Store, lang: str) -> dict[str, str]:
    """{code, data}: the release's one licence statement, in the page's language."""
    lic = store.meta.get("licence")
    if isinstance(lic, dict):
        data = lic.get("data_en" if lang == "en" else "data") or lic.get("data") or ""
        return {"code": str(lic.get("code", "MIT")), "data": str(data)}
    return {"code": "MIT", "data": str(lic or "")}


def official_span(store: Store, indicator_id: str) -> dict[str, tuple[int, int]]:
    """Level → (first, last) official year of one indicator."""
    cov = (store.meta.get("official_coverage") or {}).get(indicator_id) or {}
    return {lvl: (c["from"], c["to"]) for lvl, c in cov.items()}


def peer_group_counts(store: Store) -> list[dict]:
    """Peer groups in the metadata's order with the number of units in each (from the unit register)."""
    counts = store.units["peer_group"].value_counts().to_dict()
    return [{"id": g, "name": names, "n": int(counts.get(g, 0))} for g, names in store.meta["peer_groups"].items()]


def change_counts(store: Store) -> dict[str, int]:
    """Number of codes in the TERYT change table by kind of change."""
    return dict(Counter(store.changes["change"].tolist()))


def indicator_lists(store: Store, lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(synthetic, official) indicators of the edition as (name, id), in catalogue order."""
    synthetic, real = [], []
    for ind in store.catalogue.indicators:
        (synthetic if store.is_synthetic(ind.id) else real).append((ind.name.get(lang), ind.id))
    return synthetic, real


def demo_indicator_names(store: Store, lang: str) -> list[tuple[str, str]]:
    """(name, id) of the indicators only the demo fills (synthetic values), from the full catalogue."""
    meta = store.meta
    demo = meta.get("demo_indicators")
    if demo is None:
        demo = meta.get("synthetic_indicators") or []
    by_id = store.full_catalogue.by_id
    return [(by_id[i].name.get(lang), i) for i in demo if i in by_id]


__all__ = ["OfficialFacts", "change_counts", "datasets", "demo_indicator_names", "indicator_lists",
           "indicators_of_dataset", "licence", "official_facts", "official_span", "peer_group_counts"]
