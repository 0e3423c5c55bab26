"""Official values from the raw inputs: the catalogue's ``real`` indicators, computed from the sources' measures
(``portal/pipeline/sources``), election turnout (``elections.py``), and whatever `omup data fetch` brought
from the official APIs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from portal.catalogue import Catalogue
from portal.pipeline import RELEASE_VALUE_COLUMNS
from portal.pipeline.measures import MeasureInfo, ratio_values
from portal.pipeline.sources import BuildContext, SourceOutput, read_all


def real_values(catalogue: Catalogue, ctx: BuildContext, sources: SourceOutput | None = None
                ) -> tuple[pd.DataFrame, dict]:
    """Values of every indicator marked `real` in the catalogue, and a report (match rates, unmatched codes)."""
    from portal.pipeline import elections

    units = ctx.units
    wanted = [i for i in catalogue.indicators if i.real is not None]
    kinds = {i.real.kind for i in wanted}
    sources = sources if sources is not None else read_all(ctx)
    infos: dict[str, MeasureInfo] = {m.id: m for m in sources.infos}
    report: dict = {"sources": sources.report}
    frames: list[pd.DataFrame] = []
    for ind in wanted:
        if ind.real.kind == "ratio":
            frames.append(ratio_values(ind, sources.measures, units, infos))
    if "turnout" in kinds:
        turnout = elections.turnout_values(ctx.raw, units)
        frames.append(turnout[turnout["indicator"].isin([i.id for i in wanted])])
    frames = [f for f in frames if len(f)]
    out = (pd.concat(frames, ignore_index=True).reindex(columns=RELEASE_VALUE_COLUMNS) if frames
           else pd.DataFrame(columns=RELEASE_VALUE_COLUMNS))
    # Keep each indicator to the levels and years the catalogue declares.
    keep = np.zeros(len(out), bool)
    level_of = units.set_index("teryt")["level"]
    out_level = out["teryt"].map(level_of)
    for ind in wanted:
        m = (out["indicator"] == ind.id) & out_level.isin(ind.levels) & out["year"].isin(ind.year_list)
        keep |= m.to_numpy()
    out = out[keep].reset_index(drop=True)
    out = _no_values_before_existence(out, units)
    return out, report


def _no_values_before_existence(values: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """A gmina created on 1 January of year Y has no values of its own for earlier years (its territory's
    values belong to its parent's series then); rows re-based on today's borders are marked by their
    builders and kept."""
    from portal.pipeline.register import NEW_GMINY_2025

    too_early = values["teryt"].isin(list(NEW_GMINY_2025)) & (values["year"] < 2025)
    return values[~too_early].reset_index(drop=True)


def fetched_values(fetch_dir: Path, plan_file: Path, catalogue: Catalogue, ctx: BuildContext,
                   sources: SourceOutput):
    """What `omup data fetch` brought from the BDL and SMUP APIs, made into official indicators by
    data/fetch.yaml (``portal.pipeline.fetched``): a ``FetchedRelease``, or None when the fetch folder holds
    nothing of the current format. They replace the synthetic series of the same ids."""
    from portal.pipeline.fetched import fetched_release

    return fetched_release(fetch_dir, plan_file, catalogue, ctx, sources)
