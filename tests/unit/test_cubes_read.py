"""The store reads value cubes with pread (portal/cubes.py): the same numbers as the memory-mapped arrays and
the release's values table, and no cube file mapped into the process."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from portal import cubes
from portal.store import Store


@pytest.fixture(scope="module")
def fresh(store) -> Store:
    return Store(store.path)  # its own reader, whatever other tests did to the session's store


@pytest.fixture(scope="module")
def mapped(fresh) -> Store:
    """The same release read the old way: memory-mapped arrays."""
    s = Store.__new__(Store)
    s.__dict__.update(fresh.__dict__)
    arrays, index = cubes.read_cubes(fresh.path)
    s._reader = cubes.ArrayReader(arrays, index)
    return s


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_release_has_both_layouts_and_they_agree(fresh):
    assert isinstance(fresh._reader, cubes.CubeReader)
    folder = fresh.path / "cubes"
    for field in ("value", "flag", "n_peer"):
        unit_major = np.load(folder / f"gmina.{field}.npy", mmap_mode="r")
        by_year = np.load(folder / f"gmina.{field}.by_year.npy", mmap_mode="r")
        assert by_year.shape == (unit_major.shape[0], unit_major.shape[2], unit_major.shape[1])
        k = unit_major.shape[0] // 2
        assert np.array_equal(unit_major[k].T, by_year[k], equal_nan=field == "value")


def test_pread_lookups_equal_the_mapped_arrays(fresh, mapped):
    rng = random.Random(17)
    keys = sorted(fresh._cubes)
    for ind, level in rng.sample(keys, min(40, len(keys))):
        codes = fresh.level_codes(level)
        for teryt in rng.sample(list(codes), 3):
            assert fresh.series(ind, teryt) == mapped.series(ind, teryt)
            for year in fresh.years(ind, level)[-2:]:
                a, b = fresh.point(ind, teryt, year), mapped.point(ind, teryt, year)
                assert a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
        year = fresh.latest_year(ind, level)
        sa, sb = fresh.slice(ind, year, level), mapped.slice(ind, year, level)
        for field in ("value", "flag", "synthetic", "rank_pl", "pct_pl", "rank_peer", "n_peer", "pct_peer",
                      "numerator", "denominator"):
            x, y = getattr(sa, field), getattr(sb, field)
            assert x.dtype == y.dtype and len(x) == len(codes)
            if x.dtype.kind == "f":
                assert np.array_equal(x, y, equal_nan=True), (ind, level, field)
            else:
                assert np.array_equal(x, y), (ind, level, field)
        assert not sa.value.flags.writeable


def test_slices_equal_the_release_values_table(fresh):
    values = pd.read_parquet(fresh.path / "values.parquet")
    for ind, level in [("ludnosc", "gmina"), ("ludnosc", "powiat"), (sorted(fresh._cubes)[0])]:
        year = fresh.latest_year(ind, level)
        width = {"gmina": 7, "powiat": 4, "wojewodztwo": 2}[level]
        rows = values[(values["indicator"] == ind) & (values["year"] == year) & (values["teryt"].str.len() == width)]
        sl = fresh.slice(ind, year, level)
        got = dict(zip(sl.codes, sl.value, strict=True))
        assert len(rows) > 0
        for teryt, v in zip(rows["teryt"], rows["value"], strict=True):
            assert _same(float(got[teryt]), float(v)), (ind, level, teryt)


def test_no_cube_file_is_mapped_into_the_process(fresh):
    """In a process of its own (this module maps the files for its comparison): lookups map no cube file."""
    code = (
        "import sys; from pathlib import Path; from portal.store import Store\n"
        "s = Store(Path(sys.argv[1]))\n"
        "for ind, level in sorted(s._cubes)[:20]:\n"
        "    s.slice(ind, s.latest_year(ind, level), level); s.series(ind, str(s.level_codes(level)[0]))\n"
        "print(sum(1 for line in open('/proc/self/maps') if '/cubes/' in line))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(fresh.path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
