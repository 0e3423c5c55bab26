"""Overdispersed funnel limits: by hand, by simulation, on the release (own denominators; demo stand-ins)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portal import uncertainty as u
from portal.explain import format_value, unit_sentence
from portal.figures import funnel_figure

SHARE = "przedszkola-3-6-odsetek"  # synthetic (demo): % of children aged 3–6, binomial, 2020 register counts
PER_1000 = "mieszkania-komunalne-na-1000"  # synthetic (demo): per 1000 residents, Poisson
FIRES = "pozary-na-1000"  # official: fires (KG PSP) per 1000 residents, each value with its own denominator
CRIME = "przestepstwa-na-1000"  # official: a rate published as it is, no denominator


# ------------------------------------------------------------------------------------------- by hand
def test_binomial_limits_by_hand():
    n = np.array([25.0, 100.0, 400.0])
    lower, upper = u.funnel_limits(0.2, n, 1.959964)
    # sd = sqrt(0.2 * 0.8 / n) = 0.08, 0.04, 0.02
    assert lower == pytest.approx([0.2 - 1.959964 * 0.08, 0.2 - 1.959964 * 0.04, 0.2 - 1.959964 * 0.02])
    assert upper == pytest.approx([0.2 + 1.959964 * 0.08, 0.2 + 1.959964 * 0.04, 0.2 + 1.959964 * 0.02])
    lo998, hi998 = u.funnel_limits(0.2, n, u.Z998)
    assert lo998 == pytest.approx([0.0, 0.2 - 3.090232 * 0.04, 0.2 - 3.090232 * 0.02])  # clipped at 0
    assert hi998[0] == pytest.approx(0.44721856)


def test_limits_widen_by_the_between_unit_variance():
    # τ² = 0.0009 (a between-unit sd of 3 points): at n = 100, sd = sqrt(0.0016 + 0.0009) = 0.05.
    lower, upper = u.funnel_limits(0.2, np.array([100.0, 1e9]), u.Z95, tau2=0.0009)
    assert lower[0] == pytest.approx(0.2 - 1.959964 * 0.05)
    assert upper[0] == pytest.approx(0.2 + 1.959964 * 0.05)
    # However large the unit, the limits never narrow below ±1.96·τ: administrative totals are not samples.
    assert upper[1] - lower[1] == pytest.approx(2 * 1.959964 * 0.03, rel=1e-4)
    lower, upper = u.funnel_limits(0.007, np.array([2000.0, 0.0]), u.Z95, "poisson", tau2=1e-6)
    assert upper[0] == pytest.approx(0.007 + 1.959964 * math.sqrt(0.007 / 2000 + 1e-6))
    assert np.isnan(lower[1]) and np.isnan(upper[1])  # no denominator, no limits
    with pytest.raises(ValueError, match="method"):
        u.funnel_limits(0.1, np.array([1.0]), u.Z95, method="normal")  # type: ignore[arg-type]


def test_overdispersion_by_hand():
    """DerSimonian–Laird on 10%-winsorised z-scores, written out step by step."""
    p = np.array([0.10, 0.12, 0.15, 0.18, 0.20, 0.22, 0.25, 0.28, 0.30, 0.40, 0.05, 0.21])
    n = np.array([100, 400, 250, 1000, 50, 800, 300, 120, 2000, 90, 600, 1500], dtype=float)
    p0 = float(np.sum(p * n) / np.sum(n))
    s = np.sqrt(p0 * (1 - p0) / n)
    z = sorted((p - p0) / s)
    lo, hi = np.quantile(z, [0.1, 0.9])
    zw = [min(max(v, lo), hi) for v in z]
    # E[W²] of a 10%-winsorised standard normal: (1 − 0.2) − 2qφ(q) + 0.2q², q = 1.28155
    q = 1.2815516
    c = 0.8 - 2 * q * math.exp(-q * q / 2) / math.sqrt(2 * math.pi) + 0.2 * q * q
    assert u.WINSOR_MEAN_SQUARE == pytest.approx(c) and c == pytest.approx(0.6787, abs=1e-4)
    phi = sum(v * v for v in zw) / len(zw) / c
    w = 1 / s**2
    expected = (len(zw) * phi - (len(zw) - 1)) / (w.sum() - (w**2).sum() / w.sum())
    assert u.overdispersion(p, n, p0, "binomial") == pytest.approx(expected)
    assert expected > 0
    # No spread beyond chance: τ² = 0.
    assert u.overdispersion(np.full(12, p0), n, p0, "binomial") == 0.0


@pytest.mark.parametrize(("tau", "method"), [(0.0, "binomial"), (0.04, "binomial"), (0.002, "poisson")])
def test_simulated_units_fall_outside_the_95_limits_about_5_percent_of_the_time(tau, method):
    rng = np.random.default_rng(20251)
    outside, estimates = [], []
    for _ in range(10):
        n = rng.integers(200, 30_000, 2400).astype(float)
        base = 0.3 if method == "binomial" else 0.01
        true = np.clip(rng.normal(base, tau, len(n)), 1e-6, 1)
        counts = rng.binomial(n.astype(int), true) if method == "binomial" else rng.poisson(n * true)
        p = counts / n
        p0 = float(np.sum(p * n) / np.sum(n))
        tau2 = u.overdispersion(p, n, p0, method)
        lower, upper = u.funnel_limits(p0, n, u.Z95, method, tau2)
        outside.append(np.mean((p < lower) | (p > upper)))
        estimates.append(tau2)
    assert 0.03 < np.mean(outside) < 0.08
    assert np.mean(estimates) == pytest.approx(tau**2, abs=0.3 * tau**2 + 2e-6)


def test_flags():
    lo95, hi95 = u.funnel_limits(0.2, np.array([100.0] * 5), u.Z95)
    lo998, hi998 = u.funnel_limits(0.2, np.array([100.0] * 5), u.Z998)
    values = np.array([0.2, 0.30, 0.10, 0.35, 0.05])
    assert u.classify(values, lo95, hi95, lo998, hi998).tolist() == [
        "within95", "above95", "below95", "above998", "below998"]
    assert u.classify(np.array([np.nan]), lo95[:1], hi95[:1], lo998[:1], hi998[:1]).tolist() == [""]


def test_method_and_model_text(demo_store):
    assert u.method_for(demo_store.indicator(SHARE)) == "binomial"
    assert u.method_for(demo_store.indicator(PER_1000)) == "poisson"
    assert u.denominator_column(demo_store.indicator(SHARE)) == "pop_3_6"
    assert u.denominator_column(demo_store.indicator("ludnosc")) is None
    assert "DerSimoniana–Lairda" in u.model_text("pl") and "τ²" in u.model_text("pl")
    assert "Spiegelhalter" in u.model_text("en")


# --------------------------------------------------------------------------------------- on the release
def test_demo_funnel_no_longer_puts_most_gminy_outside(demo_store):
    """Issue 13: binomial limits put 1,874 of 2,420 gminy outside the 95% limits for pre-school coverage."""
    store = demo_store
    year = store.latest_year(SHARE, "gmina")
    f = u.funnel(store, SHARE, year, "gmina")
    pts = f["points"]
    n, v = np.array([p["n"] for p in pts]), np.array([p["value"] for p in pts])
    plain_lo, plain_hi = u.funnel_limits(f["reference"] / 100, n, u.Z95)
    plain_outside = np.mean((v < plain_lo * 100 - 1e-6) | (v > plain_hi * 100 + 1e-6))
    outside = 1 - f["counts"]["within95"] / len(pts)
    assert plain_outside > 0.5 and outside < 0.10, (plain_outside, outside)
    # The demo's values carry their own numerators and denominators (issue 13), so the funnel uses the year's own.
    assert f["tau2"] > 0 and f["denominator_source"] == "values" and f["denominator_year"] == year
    assert f["reference"] == pytest.approx(float(np.sum(n * v) / np.sum(n)), rel=1e-4)
    assert sum(f["counts"].values()) == len(pts) > 2000
    assert f["skipped"] >= 2  # the gminy created in 2025 have no 2020 counts
    for p in pts[:50]:
        lo, hi = u.funnel_limits(f["reference"] / 100, np.array([p["n"]]), u.Z95, tau2=f["tau2"])
        assert p["lower95"] == pytest.approx(lo[0] * 100, abs=1e-3)
        assert p["upper95"] == pytest.approx(hi[0] * 100, abs=1e-3)
    assert "τ²" in f["model"]["pl"] and "τ²" in f["model"]["en"]
    peer = u.funnel(store, SHARE, year, "gmina", group="wiejska-do-5k")
    assert peer["scope"] == "peer" and len(peer["points"]) < len(pts)
    rolling = u.funnel(store, PER_1000, year, "gmina", window=3)
    assert rolling["method"] == "poisson" and rolling["window"] == 3
    with pytest.raises(ValueError):
        u.funnel(store, "ludnosc", year, "gmina")
    with pytest.raises(ValueError):
        u.funnel(store, SHARE, year, "gmina", group="nonsense")


def test_official_rates_use_each_values_own_denominator(store):
    year = store.latest_year(FIRES, "gmina")
    f = u.funnel(store, FIRES, year, "gmina")
    assert f["denominator_source"] == "values" and f["denominator_year"] == year
    sl = store.slice(FIRES, year, "gmina")
    own = dict(zip(sl.codes, sl.denominator, strict=True))
    for p in f["points"][:200]:
        assert p["n"] == pytest.approx(own[p["teryt"]])
        # value = 1000 × numerator / denominator, as the values table says
        point = store.point(FIRES, p["teryt"], year)
        assert point["value"] == pytest.approx(1000 * point["numerator"] / point["denominator"], rel=1e-9)
    assert 1 - f["counts"]["within95"] / len(f["points"]) < 0.2
    # A rate published without its denominator gets no limits (no synthetic stand-in for official values);
    # the crime rates are not marked as rates at all (offences come in clusters, see their note).
    crime_year = store.latest_year(CRIME, "powiat")
    with pytest.raises(ValueError, match="denominator"):
        u.funnel(store, CRIME, crime_year, "powiat")
    assert u.indistinguishable(store, CRIME, "1261", crime_year) is None


def test_unit_limits_match_the_peer_group_funnel(demo_store):
    store = demo_store
    year = store.latest_year(SHARE, "gmina")
    small = "2210011"  # Krynica Morska
    lim = u.unit_limits(store, SHARE, small, year)
    group = store.units.at[small, "peer_group"]
    f = u.funnel(store, SHARE, year, "gmina", group=group)
    mine = next(p for p in f["points"] if p["teryt"] == small)
    assert lim["reference"] == pytest.approx(f["reference"])
    assert lim["tau2"] == pytest.approx(f["tau2"])
    assert lim["lower95"] == pytest.approx(mine["lower95"], abs=1e-3)
    assert lim["flag"] == mine["flag"]
    assert u.indistinguishable(store, SHARE, small, year) == (lim["flag"] == "within95")
    city = u.unit_limits(store, SHARE, "1465011", year)
    assert city["upper95"] - city["lower95"] < lim["upper95"] - lim["lower95"]
    assert u.indistinguishable(store, "ludnosc", small, year) is None  # not a rate


def test_funnel_figure(demo_store):
    year = demo_store.latest_year(SHARE, "gmina")
    f = u.funnel(demo_store, SHARE, year, "gmina")
    fig = funnel_figure(points=f["points"], reference=f["reference"], limits_curve=f["curve"],
                        indicator=demo_store.indicator(SHARE), lang="pl", synthetic=True, selected="1218093")
    assert fig["layout"]["xaxis"]["type"] == "log"
    names = [t["name"] for t in fig["data"]]
    assert "granice 95%" in names and "granice 99,8%" in names


def test_indistinguishable_wording_never_judges(demo_store):
    store = demo_store
    ind = store.indicator(SHARE)
    year = store.latest_year(SHARE, "gmina")
    teryt = next(t for t in store.level_codes("gmina") if u.indistinguishable(store, SHARE, t, year))
    point = store.point(SHARE, teryt, year)
    for lang in ("pl", "en"):
        text = unit_sentence(ind.sentence.get(lang), year=year, level="gmina", lang=lang, point=point,
                             value_text=format_value(point["value"], ind.unit.get(lang), ind.decimals, lang),
                             direction=ind.direction, indistinguishable=True)
        for word in ("lepszy", "gorszy", "better", "worse", "najlepszy", "najsłabszy", "best", "weakest"):
            assert word not in text.lower()


def test_rolling_value(store, demo_store):
    teryt = "1218093"
    year = demo_store.latest_year(PER_1000, "gmina")
    series = {p["year"]: p for p in demo_store.series(PER_1000, teryt)}
    window = [series[y] for y in (year - 2, year - 1, year) if series.get(y, {}).get("value") is not None]
    assert all(p["denominator"] > 0 for p in window)  # the demo's values carry their own denominators
    expected = sum(p["value"] * p["denominator"] for p in window) / sum(p["denominator"] for p in window)
    assert u.rolling_value(demo_store, PER_1000, teryt, year) == pytest.approx(expected)
    assert expected != pytest.approx(np.mean([p["value"] for p in window]), rel=1e-9)  # weighted, not plain
    first = min(series)
    assert u.rolling_value(demo_store, PER_1000, teryt, first) is None  # only one year available
    # Official values: weighted by each year's own denominator, Σ numerator / Σ denominator.
    year = store.latest_year(FIRES, "gmina")
    points = [p for p in store.series(FIRES, teryt)
              if year - 3 < p["year"] <= year and p["value"] is not None]
    assert len(points) >= 2
    pooled = 1000 * sum(p["numerator"] for p in points) / sum(p["denominator"] for p in points)
    assert u.rolling_value(store, FIRES, teryt, year) == pytest.approx(pooled)
