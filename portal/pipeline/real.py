"""Real values from the raw inputs: population and age shares 2020, area, density, turnout, exam results,
and whatever `omup data fetch` brought from the official APIs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from portal.catalogue import Catalogue, Indicator
from portal.pipeline import VALUE_COLUMNS
from portal.pipeline.register import NEW_GMINY_2025

BDL_SOURCE = "GUS BDL P2137 (2020)"


def _frame(ind: Indicator, units: pd.DataFrame, values: np.ndarray, year: int, source: str) -> pd.DataFrame:
    df = pd.DataFrame(
        {"indicator": ind.id, "teryt": units["teryt"].to_numpy(), "year": year, "value": values.astype(float)}
    )
    df["flag"] = np.where(np.isnan(df["value"]), "no_data", "ok")
    # Parents of the 2025 gminy hold their children's 2020 territory and residents: mark them as estimates.
    parents = set(NEW_GMINY_2025.values())
    df.loc[df["teryt"].isin(parents) & (df["flag"] == "ok"), "flag"] = "estimated"
    df["synthetic"] = False
    df["source"] = source
    return df


def _register_values(ind: Indicator, units: pd.DataFrame) -> pd.DataFrame:
    """Indicators read straight off the register (population, shares, area, density)."""
    kind = ind.real.kind
    u = units[units["level"].isin(ind.levels)]
    if kind == "population":
        v = u["population"].to_numpy(float)
    elif kind == "population_share":
        key = ind.real.key or "pop_65_plus"
        v = 100.0 * u[key].to_numpy(float) / u["population"].to_numpy(float)
    elif kind == "area":
        v = u["area_km2"].to_numpy(float)
    elif kind == "density":
        v = u["density"].to_numpy(float)
    else:  # pragma: no cover - guarded by the caller
        raise ValueError(kind)
    source = BDL_SOURCE if kind != "area" else "PRG 2019 (GUGiK), granice uproszczone"
    frames = [_frame(ind, u, v, year, source) for year in ind.year_list]
    return pd.concat(frames, ignore_index=True)


def real_values(
    catalogue: Catalogue, units: pd.DataFrame, raw: Path, fetch_dir: Path | None = None
) -> tuple[pd.DataFrame, dict]:
    """Values of every indicator marked `real` in the catalogue, and a report (e.g. exam match rates)."""
    from portal.pipeline import elections, exams

    frames: list[pd.DataFrame] = []
    report: dict = {}
    wanted = [i for i in catalogue.indicators if i.real is not None]
    kinds = {i.real.kind for i in wanted}
    for ind in wanted:
        if ind.real.kind in {"population", "population_share", "area", "density"}:
            frames.append(_register_values(ind, units))
    if "turnout" in kinds:
        turnout = elections.turnout_values(raw, units)
        frames.append(turnout[turnout["indicator"].isin([i.id for i in wanted])])
    if "exam" in kinds:
        exam_df, match_report = exams.exam_values(raw, units)
        frames.append(exam_df[exam_df["indicator"].isin([i.id for i in wanted])])
        report["exam_matching"] = match_report
    out = pd.concat(frames, ignore_index=True)[VALUE_COLUMNS] if frames else pd.DataFrame(columns=VALUE_COLUMNS)
    # Keep each indicator to the levels and years the catalogue declares.
    keep = np.zeros(len(out), bool)
    level_of = units.set_index("teryt")["level"]
    out_level = out["teryt"].map(level_of)
    for ind in wanted:
        m = (out["indicator"] == ind.id) & out_level.isin(ind.levels) & out["year"].between(*ind.years)
        keep |= m.to_numpy()
    return out[keep].reset_index(drop=True), report


def fetched_values(fetch_dir: Path) -> pd.DataFrame | None:
    """Values `omup data fetch` wrote from the BDL and SMUP APIs, if any (they replace synthetic series)."""
    files = sorted(fetch_dir.glob("values-*.parquet")) if fetch_dir.exists() else []
    if not files:
        return None
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return df[VALUE_COLUMNS]
