"""Value cubes: the values table with its ranks as arrays per level, written by the build as .npy files in
two layouts: indicator × unit × year (a unit's series is contiguous: profiles) and indicator × year × unit
(``*.by_year.npy``: one indicator-year over all units is contiguous: maps, rankings, peer fits).

The store reads them with ``os.pread`` (:class:`CubeReader`): the data stay in the OS page cache, shared by
every process and never mapped into a worker. Memory-mapping them counted whole 2 MB page-cache folios in each
worker's PSS as soon as one value of the folio was read (a first profile mapped ≈ 70 MB of cube files, ≈ 26 MB
of PSS per worker). Releases built before the by-year files are memory-mapped as before (:func:`read_cubes`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import orjson

from portal.pipeline import FLAGS

if TYPE_CHECKING:
    import pandas as pd

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
        np.save(folder / f"{level}.{field}.by_year.npy", np.ascontiguousarray(arr.transpose(0, 2, 1)),
                allow_pickle=False)
    (folder / "index.json").write_bytes(orjson.dumps(index))


class _File:
    """One C-ordered .npy file of shape (indicators, a, b), read with pread (no mapping, no file position)."""

    __slots__ = ("dtype", "fd", "offset", "shape")

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(f)
            self.offset = f.tell()
        if fortran or len(shape) != 3:
            raise ValueError(f"{path}: expected a C-ordered 3-d array, got {shape}")
        self.shape, self.dtype = shape, np.dtype(dtype)
        # Opened once before the workers fork: pread takes an explicit offset, so processes and threads
        # share the descriptor safely.
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def run(self, k: int, a: int) -> np.ndarray:
        """Element [k, a, :] (a contiguous run of shape[2] values)."""
        n = self.shape[2]
        size = self.dtype.itemsize
        start = self.offset + ((k * self.shape[1] + a) * n) * size
        data = os.pread(self.fd, n * size, start)
        return np.frombuffer(data, dtype=self.dtype, count=n)

    def cell(self, k: int, a: int, b: int) -> object:
        size = self.dtype.itemsize
        start = self.offset + ((k * self.shape[1] + a) * self.shape[2] + b) * size
        return np.frombuffer(os.pread(self.fd, size, start), dtype=self.dtype, count=1)[0]


class CubeReader:
    """The cubes of one release folder, read on demand: a unit's series, one cell, one indicator-year."""

    def __init__(self, path: Path, index: dict) -> None:
        folder = path / "cubes"
        self.units: dict[tuple[str, str], _File] = {}
        self.years: dict[tuple[str, str], _File] = {}
        for level in index:
            for field in FIELDS:
                unit_major = folder / f"{level}.{field}.npy"
                if unit_major.exists():
                    self.units[(level, field)] = _File(unit_major)
                    self.years[(level, field)] = _File(folder / f"{level}.{field}.by_year.npy")
        self.n_units = {level: len(idx["codes"]) for level, idx in index.items()}
        self.n_years = {level: len(idx["years"]) for level, idx in index.items()}

    def has(self, level: str, field: str) -> bool:
        return (level, field) in self.units

    def series(self, level: str, field: str, k: int, i: int) -> np.ndarray:
        """All years of unit i (NaN for a field the release lacks)."""
        f = self.units.get((level, field))
        return f.run(k, i) if f is not None else np.full(self.n_years[level], np.nan)

    def column(self, level: str, field: str, k: int, j: int) -> np.ndarray:
        """Year j of every unit of the level, in TERYT order (read-only)."""
        f = self.years.get((level, field))
        return f.run(k, j) if f is not None else np.full(self.n_units[level], np.nan)

    def cell(self, level: str, field: str, k: int, i: int, j: int) -> object:
        f = self.units.get((level, field))
        return f.cell(k, i, j) if f is not None else np.nan


class ArrayReader:
    """The same reads over in-memory or memory-mapped arrays (older releases, or cubes built in memory)."""

    def __init__(self, arrays: dict, index: dict) -> None:
        self.arrays = arrays
        self.n_units = {level: len(idx["codes"]) for level, idx in index.items()}
        self.n_years = {level: len(idx["years"]) for level, idx in index.items()}

    def has(self, level: str, field: str) -> bool:
        return (level, field) in self.arrays

    def series(self, level: str, field: str, k: int, i: int) -> np.ndarray:
        arr = self.arrays.get((level, field))
        return arr[k, i, :] if arr is not None else np.full(self.n_years[level], np.nan)

    def column(self, level: str, field: str, k: int, j: int) -> np.ndarray:
        arr = self.arrays.get((level, field))
        return arr[k, :, j] if arr is not None else np.full(self.n_units[level], np.nan)

    def cell(self, level: str, field: str, k: int, i: int, j: int) -> object:
        arr = self.arrays.get((level, field))
        return arr[k, i, j] if arr is not None else np.nan


def open_cubes(path: Path) -> tuple[CubeReader | ArrayReader, dict]:
    """A reader over a release folder's cubes and their index: pread when the by-year files exist."""
    index = orjson.loads((path / "cubes" / "index.json").read_bytes())
    if has_by_year(path):
        return CubeReader(path, index), index
    arrays, index = read_cubes(path)
    return ArrayReader(arrays, index), index


def has_by_year(path: Path) -> bool:
    """Whether a release folder holds the by-year cube files (built with this module's layout)."""
    return (path / "cubes" / "gmina.value.by_year.npy").exists()


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
