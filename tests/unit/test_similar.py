"""Similar units: the nearest-neighbour ranking on a hand-made fixture, and on the real release."""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from portal.similar import OWN_REVENUE, parse_variables, similar_units
from portal.store import get_store


class FakeStore:
    """The few store attributes similar_units reads: units, version, level codes and one indicator slice."""

    def __init__(self, units: pd.DataFrame, revenue: dict[str, float], version: str) -> None:
        self.units = units.set_index("teryt", drop=False)
        self.version = version
        self.cache_key = version
        self._revenue = revenue

    def level_codes(self, level: str) -> np.ndarray:
        return np.sort(self.units.loc[self.units["level"] == level, "teryt"].to_numpy(str))

    def latest_year(self, indicator_id: str, level: str) -> int | None:
        return 2024 if indicator_id == OWN_REVENUE else None

    def slice(self, indicator_id: str, year: int, level: str):
        codes = self.level_codes(level)
        return SimpleNamespace(codes=codes, value=np.array([self._revenue.get(c, np.nan) for c in codes]))

    def is_synthetic(self, indicator_id: str) -> bool:
        return True


# x = log(population / 1000) and y = log(density) are both a permutation of 0..7 over the eight complete
# gminy, so both standardise with the same mean and sd and the ranking is the one of plain (x, y) distances.
# From T = (3, 4): d² = U3 (2,3): 2, U6 (5,5): 5, U2 (1,6): 8, U5 (4,7): 10, U7 (6,1): 18, U8 (7,2): 20,
# U1 (0,0): 25.
XY = {"0000011": (0, 0), "0000021": (1, 6), "0000031": (2, 3), "0000041": (3, 4), "0000051": (4, 7),
      "0000061": (5, 5), "0000071": (6, 1), "0000081": (7, 2)}
TARGET = "0000041"
BY_HAND = ["0000031", "0000061", "0000021", "0000051", "0000071", "0000081", "0000011"]
D2 = {"0000031": 2, "0000061": 5, "0000021": 8, "0000051": 10, "0000071": 18, "0000081": 20, "0000011": 25}
SD = math.sqrt(5.25)  # population sd of 0..7


def fake_store(version: str = "fake-1", kind_of_u3: str = "miejska") -> FakeStore:
    def row(code: str, level: str, kind: str, x: float, density: float) -> dict:
        # 10% aged 65+ everywhere: the share is constant and adds nothing to any distance.
        population = 1000 * math.exp(x)
        return {"teryt": code, "level": level, "name": f"G{code[-2]}", "display_name": f"G{code[-2]}",
                "kind": kind, "mnpp": False, "population": population, "density": density,
                "pop_65_plus": 0.1 * population}

    kinds = {c: kind_of_u3 if c == "0000031" else "miejska" for c in XY}
    rows = [row(c, "gmina", kinds[c], x, math.exp(y)) for c, (x, y) in XY.items()]
    # A gmina without density (skipped, and not moving the scale) and a powiat (another level).
    rows.append(row("0000091", "gmina", "miejska", 3, np.nan))
    rows.append(row("0001", "powiat", "powiat", 3, math.exp(4)))
    return FakeStore(pd.DataFrame(rows), {c: 2000.0 for c in [*XY, "0000091"]}, version)


def test_ranking_by_hand():
    r = similar_units(fake_store(), TARGET, k=10, variables=["population", "density"])
    assert [u["teryt"] for u in r["units"]] == BY_HAND  # G9 (no density) and the powiat are left out
    for unit in r["units"]:
        assert unit["distance"] == pytest.approx(math.sqrt(D2[unit["teryt"]]) / SD, abs=1e-4)
    shares = {u["teryt"]: u["contributions"] for u in r["units"]}
    assert shares["0000031"] == {"population": 0.5, "density": 0.5}
    assert shares["0000061"] == {"population": 0.8, "density": 0.2}  # (5−3)² = 4 of 5
    assert shares["0000051"] == {"population": 0.1, "density": 0.9}
    assert r["synthetic"] is False and r["notice"] is None


def test_k_limits_the_list():
    r = similar_units(fake_store(), TARGET, k=3, variables="population,density")
    assert [u["teryt"] for u in r["units"]] == BY_HAND[:3]


def test_type_weighs_like_one_variable():
    # U3 of another kind adds 2 to its squared z-distance: 2/5.25 + 2 = 2.38 puts it after U5 (10/5.25 = 1.9)
    # and before U7 (18/5.25 = 3.4).
    store = fake_store("fake-2", kind_of_u3="wiejska")
    r = similar_units(store, TARGET, variables=["population", "density", "type"])
    expected = ["0000061", "0000021", "0000051", "0000031", "0000071", "0000081", "0000011"]
    assert [u["teryt"] for u in r["units"]] == expected
    u3 = next(u for u in r["units"] if u["teryt"] == "0000031")
    assert u3["contributions"]["type"] == pytest.approx(2 / (2 + 2 / 5.25), abs=1e-3)


def test_own_revenue_is_labelled_synthetic_and_constant_columns_are_harmless():
    r = similar_units(fake_store("fake-3"), TARGET)  # own revenue equal everywhere: sd 0 → adds nothing
    assert [u["teryt"] for u in r["units"]] == BY_HAND
    assert r["synthetic"] is True and "syntetyczn" in r["notice"]["pl"]
    assert [v["id"] for v in r["variables"] if v["synthetic"]] == ["own_revenue"]


def test_bad_input():
    with pytest.raises(ValueError, match="'populacja'"):
        similar_units(fake_store(), TARGET, variables=["population", "populacja"])
    with pytest.raises(ValueError, match="unknown unit"):
        similar_units(fake_store(), "9999999")
    with pytest.raises(ValueError):
        parse_variables("")
    missing = similar_units(fake_store(), "0000091")
    assert missing["units"] == [] and missing["missing"] == ["density"]


def test_wadowice_on_the_release():
    store = get_store()
    r = similar_units(store, "1218093")
    units = r["units"]
    assert len(units) == 10
    assert all(store.units.at[u["teryt"], "level"] == "gmina" for u in units)
    assert "1218093" not in [u["teryt"] for u in units]
    distances = [u["distance"] for u in units]
    assert distances == sorted(distances)
    for u in units:
        assert sum(u["contributions"].values()) == pytest.approx(1.0, abs=1e-3)
    names = {v["id"] for v in r["variables"]}
    assert names == {"population", "density", "type", "share_65_plus", "own_revenue"}
    assert r["synthetic"] == store.is_synthetic(OWN_REVENUE)
    start = time.perf_counter()
    for _ in range(20):
        similar_units(store, "1218093", k=10, variables=("population", "density", "type"))
    assert (time.perf_counter() - start) / 20 < 0.05  # generous for CI; ~1 ms when warm
