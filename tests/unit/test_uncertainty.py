"""Funnel limits against hand-computed values, flags, 'indistinguishable' on the real release, its wording."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portal import uncertainty as u
from portal.explain import format_value, unit_sentence
from portal.figures import funnel_figure
from portal.store import get_store

SHARE = "przedszkola-3-6-odsetek"  # % of children aged 3–6: binomial
PER_1000 = "mieszkania-komunalne-na-1000"  # per 1000 residents: Poisson


@pytest.fixture(scope="module")
def store():
    return get_store()


def test_binomial_limits_by_hand():
    n = np.array([25.0, 100.0, 400.0])
    lower, upper = u.funnel_limits(0.2, n, 1.959964)
    # sd = sqrt(0.2 * 0.8 / n) = 0.08, 0.04, 0.02
    assert lower == pytest.approx([0.2 - 1.959964 * 0.08, 0.2 - 1.959964 * 0.04, 0.2 - 1.959964 * 0.02])
    assert upper == pytest.approx([0.2 + 1.959964 * 0.08, 0.2 + 1.959964 * 0.04, 0.2 + 1.959964 * 0.02])
    assert lower[1] == pytest.approx(0.1216, abs=5e-5) and upper[1] == pytest.approx(0.2784, abs=5e-5)
    lo998, hi998 = u.funnel_limits(0.2, n, u.Z998)
    # 0.2 − 3.090232·0.08 < 0: clipped to 0
    assert lo998 == pytest.approx([0.0, 0.2 - 3.090232 * 0.04, 0.2 - 3.090232 * 0.02])
    assert hi998[0] == pytest.approx(0.44721856)


def test_binomial_limits_are_clipped_to_0_1():
    lower, upper = u.funnel_limits(0.05, np.array([10.0]), u.Z998)  # 0.05 ± 3.09·0.0689 goes below 0
    assert lower[0] == 0.0 and upper[0] == pytest.approx(0.05 + 3.090232 * math.sqrt(0.0475 / 10))
    lower, upper = u.funnel_limits(0.97, np.array([20.0]), u.Z95)
    assert upper[0] == 1.0


def test_poisson_limits_by_hand():
    # 7 dwellings per 1000 residents → p0 = 0.007 per person; n = 2000: sd = sqrt(0.007 / 2000) = 0.0018708
    lower, upper = u.funnel_limits(0.007, np.array([2000.0, 0.0]), u.Z95, method="poisson")
    assert lower[0] == pytest.approx(0.007 - 1.959964 * 0.00187083, rel=1e-5)
    assert upper[0] == pytest.approx(0.007 + 1.959964 * 0.00187083, rel=1e-5)
    assert np.isnan(lower[1]) and np.isnan(upper[1])  # no denominator, no limits
    with pytest.raises(ValueError, match="method"):
        u.funnel_limits(0.1, np.array([1.0]), u.Z95, method="normal")  # type: ignore[arg-type]


def test_flags():
    lo95, hi95 = u.funnel_limits(0.2, np.array([100.0] * 5), u.Z95)
    lo998, hi998 = u.funnel_limits(0.2, np.array([100.0] * 5), u.Z998)
    # limits at n=100: 95% [0.1216, 0.2784], 99.8% [0.0764, 0.3236]
    values = np.array([0.2, 0.30, 0.10, 0.35, 0.05])
    assert u.classify(values, lo95, hi95, lo998, hi998).tolist() == [
        "within95", "above95", "below95", "above998", "below998"]
    assert u.classify(np.array([np.nan]), lo95[:1], hi95[:1], lo998[:1], hi998[:1]).tolist() == [""]


def test_method_by_multiplier(store):
    assert u.method_for(store.indicator(SHARE)) == "binomial"
    assert u.method_for(store.indicator(PER_1000)) == "poisson"
    assert u.denominator_column(store.indicator(SHARE)) == "pop_3_6"
    assert u.denominator_column(store.indicator("ludnosc")) is None


def test_funnel_on_the_release(store):
    year = store.latest_year(SHARE, "gmina")
    f = u.funnel(store, SHARE, year, "gmina")
    pts = f["points"]
    assert f["method"] == "binomial" and f["denominator"] == "pop_3_6" and f["denominator_year"] == 2020
    n, v = np.array([p["n"] for p in pts]), np.array([p["value"] for p in pts])
    assert f["reference"] == pytest.approx(float(np.sum(n * v) / np.sum(n)), rel=1e-4)
    assert sum(f["counts"].values()) == len(pts) > 2000
    assert f["skipped"] >= 2  # the gminy created in 2025 have no 2020 counts
    small = min(pts, key=lambda p: p["n"])
    big = max(pts, key=lambda p: p["n"])
    assert small["upper95"] - small["lower95"] > big["upper95"] - big["lower95"]
    for p in pts[:50]:
        lo, hi = u.funnel_limits(f["reference"] / 100, np.array([p["n"]]), u.Z95)
        assert p["lower95"] == pytest.approx(lo[0] * 100, abs=1e-3)
        assert p["upper95"] == pytest.approx(hi[0] * 100, abs=1e-3)
    peer = u.funnel(store, SHARE, year, "gmina", group="wiejska-do-5k")
    assert peer["scope"] == "peer" and len(peer["points"]) < len(pts)
    rolling = u.funnel(store, PER_1000, year, "gmina", window=3)
    assert rolling["method"] == "poisson" and rolling["window"] == 3
    with pytest.raises(ValueError):
        u.funnel(store, "ludnosc", year, "gmina")
    with pytest.raises(ValueError):
        u.funnel(store, SHARE, year, "gmina", group="nonsense")


def test_funnel_figure(store):
    year = store.latest_year(SHARE, "gmina")
    f = u.funnel(store, SHARE, year, "gmina")
    fig = funnel_figure(points=f["points"], reference=f["reference"], limits_curve=f["curve"],
                        indicator=store.indicator(SHARE), lang="pl", synthetic=True, selected="1218093")
    assert fig["layout"]["xaxis"]["type"] == "log"
    names = [t["name"] for t in fig["data"]]
    assert "granice 95%" in names and "granice 99,8%" in names
    assert fig["data"][-1]["customdata"] == ["1218093"]
    assert fig["layout"]["annotations"][0]["text"].startswith("DANE SYNTETYCZNE")
    n_points = sum(len(t["x"]) for t in fig["data"] if t["type"] in ("scatter", "scattergl")
                   and t.get("mode") == "markers")
    assert n_points == len(f["points"])


def _small_gmina(store, indicator_id: str) -> str:
    year = store.latest_year(indicator_id, "gmina")
    units = store.units
    small = units[(units["level"] == "gmina") & (units["population"] < 3000)].sort_values("population")
    for teryt in small.index:
        if u.indistinguishable(store, indicator_id, teryt, year):
            return teryt
    raise AssertionError("no small gmina indistinguishable from its peers")


def test_indistinguishable_small_gmina_vs_big_city(store):
    year = store.latest_year(SHARE, "gmina")
    small = store.units[(store.units["level"] == "gmina") & (store.units["population"] < 3000)].index[0]
    result = u.indistinguishable(store, SHARE, small, year)
    assert isinstance(result, bool)
    lim = u.unit_limits(store, SHARE, small, year)
    assert result == (lim["lower95"] <= lim["value"] <= lim["upper95"])
    # The reference is the pooled rate of the peer group.
    members = store.peers(small)
    sl = store.slice(SHARE, year, "gmina")
    pos = np.searchsorted(sl.codes, members)
    n = store.units.loc[members, "pop_3_6"].to_numpy(float)
    v = sl.value[pos]
    ok = np.isfinite(v) & np.isfinite(n)
    assert lim["reference"] == pytest.approx(float(np.sum(v[ok] * n[ok]) / np.sum(n[ok])))
    # A big city's limits are far narrower than a small gmina's.
    city = u.unit_limits(store, SHARE, "1465011", year)
    assert city["upper95"] - city["lower95"] < (lim["upper95"] - lim["lower95"]) / 10
    assert u.indistinguishable(store, "ludnosc", small, year) is None  # not a rate
    assert u.indistinguishable(store, SHARE, "1207132", year) is None  # created 2025: no 2020 count


def test_indistinguishable_wording_never_judges(store):
    ind = store.indicator(SHARE)
    year = store.latest_year(SHARE, "gmina")
    teryt = _small_gmina(store, SHARE)
    point = store.point(SHARE, teryt, year)
    group = store.peer_group_name(store.units.at[teryt, "peer_group"], "pl")
    for lang in ("pl", "en"):
        text = unit_sentence(ind.sentence.get(lang), year=year, level="gmina", lang=lang, point=point,
                             value_text=format_value(point["value"], ind.unit.get(lang), ind.decimals, lang),
                             direction=ind.direction, peer_group_name=group, indistinguishable=True)
        for word in ("lepszy", "gorszy", "better", "worse", "najlepszy", "najsłabszy", "best", "weakest"):
            assert word not in text.lower()
    assert "przypadkowych wahań" in unit_sentence(
        ind.sentence.pl, year=year, level="gmina", lang="pl", point=point, value_text="1 %",
        direction=ind.direction, peer_group_name=group, indistinguishable=True)


def test_rolling_value(store):
    teryt = "1218093"
    year = store.latest_year(PER_1000, "gmina")
    series = {p["year"]: p["value"] for p in store.series(PER_1000, teryt)}
    expected = np.mean([series[y] for y in (year - 2, year - 1, year) if series.get(y) is not None])
    assert u.rolling_value(store, PER_1000, teryt, year) == pytest.approx(expected)
    first = min(series)
    assert u.rolling_value(store, PER_1000, teryt, first) is None  # only one year available
    assert u.rolling_value(store, PER_1000, teryt, first + 1) == pytest.approx(
        (series[first] + series[first + 1]) / 2)
