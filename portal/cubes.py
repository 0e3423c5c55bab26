"""Value cubes: the values table with its ranks as arrays indicator × unit × year per level, written by the
build as .npy files and memory-mapped by the store. Lookups are array indexing; the pages live in the OS page
cache and are shared by every worker process (no per-process copy, no pandas at request time)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from portal.pipeline import FLAGS

FIELDS = {
    "value": np.float64,
    "flag": np.int8,  # index into FLAGS; -1 = no row
    "synthetic": np.bool_,
    "rank_pl": np.float32,
    "pct_pl": np.float32,
    "rank_peer": np.float32,
    "n_peer": np.int32,
    "pct_peer": np.float32,
    "numerator": np.float64,
    "denominator": np.float64,
}
FILL = {"value": np.nan, "flag": -1, "synthetic": False, "rank_pl": np.nan, "pct_pl": np.nan, "rank_peer": np.nan,
        "n_peer": 0, "pct_peer": np.nan,
        "numerator": np.nan, "denominator": np.nan}
LEVELS = ("gmina", "powiat", "wojewodztwo")


def build_cubes(values: pd.DataFrame, ustats: pd.DataFrame, units: pd.DataFrame) -> tuple[dict, dict]:
    """Arrays per (level, field) and an index {level: {indicators, codes, years, present}}."""
    df = values.merge(ustats.drop(columns=["peer_group"], errors="ignore"), on=["indicator", "teryt", "year"],
                      how="left", validate="one_to_one")
    years = sorted(int(y) for y in df["year"].unique())
    ycol = {y: j for j, y in enumerate(years)}
    flag_code = {f: i for i, f in enumerate(FLAGS)}
    arrays: dict[tuple[str, str], np.ndarray] = {}
    index: dict[str, dict] = {}
    for level in LEVELS:
        codes = np.sort(units.loc[units["level"] == level, "teryt"].to_numpy(str))
        pos = {c: i for i, c in enumerate(codes)}
        part = df[df["level"] == level]
        indicators = sorted(part["indicator"].unique())
        ipos = {ind: k for k, ind in enumerate(indicators)}
        shape = (len(indicators), len(codes), len(years))
        for field, dtype in FIELDS.items():
            arrays[(level, field)] = np.full(shape, FILL[field], dtype=dtype)
        k = part["indicator"].map(ipos).to_numpy(int)
        i = part["teryt"].map(pos).to_numpy(int)
        j = part["year"].map(ycol).to_numpy(int)
        arrays[(level, "value")][k, i, j] = part["value"].to_numpy(float)
        arrays[(level, "flag")][k, i, j] = part["flag"].map(flag_code).to_numpy(np.int8)
        arrays[(level, "synthetic")][k, i, j] = part["synthetic"].to_numpy(bool)
        for field in ("rank_pl", "pct_pl", "rank_peer", "pct_peer"):
            arrays[(level, field)][k, i, j] = part[field].astype("float64").to_numpy(float)
        arrays[(level, "n_peer")][k, i, j] = part["n_peer"].fillna(0).astype(int).to_numpy()
        for field in ("numerator", "denominator"):
            if field in part:
                arrays[(level, field)][k, i, j] = part[field].astype("float64").to_numpy(float)
        present = part.groupby("indicator")["year"].agg(lambda s: sorted(int(y) for y in set(s))).to_dict()
        index[level] = {"indicators": indicators, "codes": codes.tolist(), "years": years, "present": present}
    return arrays, index


def write_cubes(out: Path, values: pd.DataFrame, ustats: pd.DataFrame, units: pd.DataFrame) -> None:
    arrays, index = build_cubes(values, ustats, units)
    folder = out / "cubes"
    folder.mkdir(parents=True, exist_ok=True)
    for (level, field), arr in arrays.items():
        np.save(folder / f"{level}.{field}.npy", arr, allow_pickle=False)
    (folder / "index.json").write_bytes(orjson.dumps(index))


def read_cubes(path: Path) -> tuple[dict, dict]:
    """Memory-mapped arrays of a release (read-only)."""
    folder = path / "cubes"
    index = orjson.loads((folder / "index.json").read_bytes())
    arrays = {
        (level, field): np.load(folder / f"{level}.{field}.npy", mmap_mode="r", allow_pickle=False)
        for level in index
        for field in FIELDS
        if (folder / f"{level}.{field}.npy").exists() or field not in ("numerator", "denominator")
    }
    return arrays, index
