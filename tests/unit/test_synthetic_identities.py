"""The demo edition's whole synthetic table keeps its accounting identities, for every unit and year (issue 13).

Reads the demo edition of the built release (``<release>/demo/values.parquet``): 1.9 million synthetic values next
to the official ones. Before the fix, investment spending (official) exceeded capital spending (its superset) in a
quarter of gmina-years, single-family permits exceeded all permits in 30 %, the median gmina spent 17 % more
than its revenue, no value was zero and cultural attendance rose through 2020–21.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portal.catalogue import Catalogue, load_catalogue
from portal.release import current_release_path

LEVELS = ("gmina", "powiat", "wojewodztwo")
NEW_GMINY = ("1207132", "2002162")


@pytest.fixture(scope="module")
def catalogue(settings) -> Catalogue:
    return load_catalogue(settings.catalogue_path)


@pytest.fixture(scope="module")
def demo(settings) -> pd.DataFrame:
    root = current_release_path(settings) / "demo"
    values = pd.read_parquet(root / "values.parquet")
    units = pd.read_parquet(root / "units.parquet").set_index("teryt")
    values["level"] = values["teryt"].map(units["level"])
    values["powiat"] = values["teryt"].map(units["powiat"])
    values["wojewodztwo"] = values["teryt"].map(units["wojewodztwo"])
    return values


@pytest.fixture(scope="module")
def synthetic(demo) -> pd.DataFrame:
    s = demo[demo["synthetic"]]
    assert len(s) > 1_000_000
    return s


def _wide(demo: pd.DataFrame, ids: list[str], level: str, column: str = "value") -> pd.DataFrame:
    x = demo[demo["indicator"].isin(ids) & (demo["level"] == level) & demo["value"].notna()]
    return x.pivot_table(index=["teryt", "year"], columns="indicator", values=column)


def _both(demo, a: str, b: str, level: str, column: str = "value") -> pd.DataFrame:
    x = _wide(demo, [a, b], level, column)
    if a not in x or b not in x:
        return pd.DataFrame(columns=[a, b])
    return x[[a, b]].dropna()


def _multiplier(catalogue: Catalogue, ind: str) -> float:
    return catalogue.by_id[ind].formula.multiplier or 1.0


# ------------------------------------------------------------------ every value from its own numerator and denominator
def test_every_synthetic_value_is_its_numerator_over_its_denominator(catalogue, synthetic):
    s = synthetic[synthetic["value"].notna()]
    counts = {i.id for i in catalogue.indicators if i.synthetic and i.synthetic.kind == "count"}
    ratio = s[~s["indicator"].isin(counts)]
    assert ratio["numerator"].notna().all() and ratio["denominator"].notna().all()
    assert (ratio["denominator"] > 0).all()
    mult = ratio["indicator"].map({i.id: i.formula.multiplier or 1.0 for i in catalogue.indicators})
    np.testing.assert_allclose(mult * ratio["numerator"] / ratio["denominator"], ratio["value"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("level", ["powiat", "wojewodztwo"])
def test_higher_levels_are_sums_of_numerators_over_sums_of_own_denominators(catalogue, synthetic, level):
    # Ratios whose denominator is not population (debt ÷ revenue, loans per reader, capital ÷ total spending)
    # were weighted by population; each is now Σ numerator ÷ Σ its own denominator over the unit's gminy.
    g = synthetic[(synthetic["level"] == "gmina") & synthetic["value"].notna()]
    sums = g.groupby(["indicator", level, "year"], as_index=False)[["numerator", "denominator"]].sum()
    up = synthetic[(synthetic["level"] == level) & synthetic["value"].notna()]
    up = up[["indicator", "teryt", "year", "numerator", "denominator"]].rename(columns={"teryt": level})
    both = up.merge(sums, on=["indicator", level, "year"], suffixes=("", "_gminy"))
    counts = {i.id for i in catalogue.indicators if i.synthetic and i.synthetic.kind == "count"}
    both = both[~both["indicator"].isin(counts)]
    assert len(both) > 50_000 if level == "powiat" else len(both) > 5_000
    np.testing.assert_allclose(both["numerator"], both["numerator_gminy"], rtol=1e-9)
    np.testing.assert_allclose(both["denominator"], both["denominator_gminy"], rtol=1e-9)
    for ind in ("dlug-do-dochodow", "biblioteki-wypozyczenia-na-czytelnika", "wydatki-majatkowe-udzial"):
        assert ind in set(both["indicator"]), ind


# ------------------------------------------------------------------ parts never exceed wholes
PARTS = [  # (part, whole): the cases first
    ("wydatki-inwestycyjne-na-mieszkanca", "wydatki-majatkowe-na-mieszkanca"),  # official part of a synthetic whole
    ("wydatki-majatkowe-na-mieszkanca", "wydatki-na-mieszkanca"),
    ("pozwolenia-jednorodzinne-na-1000", "pozwolenia-budowlane-na-1000"),
    ("dochody-wlasne-na-mieszkanca", "dochody-na-mieszkanca"),  # official part of a synthetic whole
    ("dlug-na-mieszkanca", "dochody-na-mieszkanca"),  # debt ≤ revenue (debt ratio ≤ 100 %)
]


def _declared_parts(catalogue: Catalogue) -> list[tuple[str, str]]:
    """Every (part, whole) the catalogue declares: kind part (share within 0–1), kind whole, a residual's parts."""
    pairs = []
    for ind in catalogue.indicators:
        syn = ind.synthetic
        if syn is None:
            continue
        if syn.kind == "part" and syn.of and (syn.share_bounds is None or syn.share_bounds[1] <= 1):
            pairs.append((ind.id, syn.of[0]))
        if syn.kind == "whole":
            pairs.append((syn.of[0], ind.id))
        if syn.kind in ("residual", "sum"):
            pairs += [(x, (syn.of[0] if syn.kind == "residual" else ind.id)) for x in
                      ([*syn.less, ind.id] if syn.kind == "residual" else syn.of)]
    return pairs


@pytest.mark.parametrize("level", LEVELS)
def test_no_part_exceeds_its_whole_anywhere(catalogue, demo, level):
    pairs = list(dict.fromkeys(PARTS + _declared_parts(catalogue)))
    assert len(pairs) >= 20
    checked = 0
    for part, whole in pairs:
        x = _both(demo, part, whole, level)
        if not len(x):
            continue
        # Same denominators: compare value / multiplier (per resident, per 1000, % are the same amount).
        p = x[part] / _multiplier(catalogue, part)
        w = x[whole] / _multiplier(catalogue, whole)
        bad = x[p > w * (1 + 1e-9) + 1e-12]
        assert bad.empty, (part, whole, level, len(bad), bad.head(3).to_dict())
        checked += len(x)
    assert checked > {"gmina": 400_000, "powiat": 50_000, "wojewodztwo": 2_000}[level]


@pytest.mark.parametrize("level", LEVELS)
def test_land_uses_fit_in_the_area(demo, level):
    x = _wide(demo, ["uzytki-rolne-udzial", "grunty-zabudowane-udzial"], level).dropna()
    assert len(x) > 100 and (x.sum(axis=1) <= 100 + 1e-9).all()


@pytest.mark.parametrize("level", LEVELS)
def test_nursery_chain_places_children_nursery_share(demo, level):
    x = _wide(demo, ["zlobki-miejsca-na-1000", "zlobki-dzieci-na-1000", "zlobki-odsetek-dzieci"], level).dropna()
    assert len(x) > 100
    assert (x["zlobki-dzieci-na-1000"] <= x["zlobki-miejsca-na-1000"] * (1 + 1e-9)).all()
    # % of children in nurseries only ≤ children in nurseries and clubs per 1000 / 10.
    assert (x["zlobki-odsetek-dzieci"] * 10 <= x["zlobki-dzieci-na-1000"] * (1 + 1e-9)).all()


# ------------------------------------------------------------------ sums, residuals and quotients
@pytest.mark.parametrize("level", LEVELS)
def test_sums_add_their_parts_at_every_level(catalogue, demo, level):
    for total in (i for i in catalogue.indicators if i.synthetic and i.synthetic.kind == "sum"):
        x = _wide(demo, [*total.synthetic.of, total.id], level).dropna()
        assert len(x) > (20_000 if level == "gmina" else 100), total.id
        np.testing.assert_allclose(x[total.synthetic.of].sum(axis=1), x[total.id], rtol=1e-9)


def test_own_revenue_is_the_sum_of_its_five_parts(demo):
    # Property tax (official 2010–2019), PIT share (official 2019–2020), CIT share, local fees, other (synthetic).
    parts = ["podatek-nieruchomosci-na-mieszkanca", "udzial-pit-na-mieszkanca", "udzial-cit-na-mieszkanca",
             "oplaty-lokalne-na-mieszkanca", "dochody-wlasne-pozostale-na-mieszkanca"]
    x = _wide(demo, [*parts, "dochody-wlasne-na-mieszkanca"], "gmina").dropna()
    assert len(x) > 2_400  # every gmina in 2019, the year both official parts exist
    np.testing.assert_allclose(x[parts].sum(axis=1), x["dochody-wlasne-na-mieszkanca"], rtol=1e-9)
    synthetic_parts = parts[2:]
    x = _wide(demo, [*synthetic_parts, "dochody-wlasne-na-mieszkanca"], "gmina").dropna()
    assert len(x) > 20_000
    assert (x[synthetic_parts].sum(axis=1) <= x["dochody-wlasne-na-mieszkanca"] * (1 + 1e-9)).all()


@pytest.mark.parametrize("level", LEVELS)
def test_quotients_are_their_numerators_over_their_denominators(catalogue, demo, level):
    # Capital share of spending = capital ÷ total spending; debt ratio = debt ÷ revenue; debt per resident.
    x = _wide(demo, ["wydatki-majatkowe-udzial", "wydatki-majatkowe-na-mieszkanca", "wydatki-na-mieszkanca"],
              level).dropna()
    assert len(x) > 100
    np.testing.assert_allclose(100 * x["wydatki-majatkowe-na-mieszkanca"] / x["wydatki-na-mieszkanca"],
                               x["wydatki-majatkowe-udzial"], rtol=1e-9)
    x = _wide(demo, ["dlug-do-dochodow", "dlug-na-mieszkanca", "dochody-na-mieszkanca"], level).dropna()
    assert len(x) > 100
    np.testing.assert_allclose(x["dlug-do-dochodow"] / 100 * x["dochody-na-mieszkanca"], x["dlug-na-mieszkanca"],
                               rtol=1e-9, atol=1e-9)


def test_ratios_over_another_indicators_numerator_use_it(catalogue, synthetic):
    """denominator_of / numerator_of: the value's denominator (numerator) is that indicator's numerator, less
    what it names, plus its own numerator for a share of a two-part whole (complement)."""
    g = synthetic[(synthetic["level"] == "gmina") & synthetic["value"].notna()]
    num = g.pivot_table(index=["teryt", "year"], columns="indicator", values="numerator")
    den = g.pivot_table(index=["teryt", "year"], columns="indicator", values="denominator")
    checked = 0
    for ind in catalogue.indicators:
        syn = ind.synthetic
        if syn is None or ind.id not in num or "gmina" not in ind.levels:
            continue
        if syn.denominator_of and syn.denominator_of in num:
            expected = num[syn.denominator_of] - sum((num[x] for x in syn.denominator_less), 0)
            if syn.complement:
                expected = expected + num[ind.id]
            both = den[ind.id].notna() & expected.notna()
            np.testing.assert_allclose(den.loc[both, ind.id], expected[both], rtol=1e-9, err_msg=ind.id)
            checked += 1
        if syn.numerator_of and syn.numerator_of in num:
            both = num[ind.id].notna() & num[syn.numerator_of].notna()
            np.testing.assert_allclose(num.loc[both, ind.id], num.loc[both, syn.numerator_of], rtol=1e-9,
                                       err_msg=ind.id)
            checked += 1
    assert checked >= 10


# ------------------------------------------------------------------ budgets that roughly balance
def test_budgets_roughly_balance(demo):
    x = _wide(demo, ["dochody-na-mieszkanca", "wydatki-na-mieszkanca"], "gmina").dropna()
    assert len(x) > 24_000
    balance = (x["dochody-na-mieszkanca"] - x["wydatki-na-mieszkanca"]) / x["dochody-na-mieszkanca"]
    # Before: the median gmina spent 1,056 zł per resident (17 %) more than its revenue.
    assert -0.05 < balance.median() < 0.03
    by_year = balance.groupby(level="year").median()
    assert by_year.between(-0.12, 0.05).all(), by_year.to_dict()
    # Large deficits come with large (official) investment only: few beyond 40 % of revenue.
    assert (balance < -0.4).mean() < 0.02
    assert (balance > 0.3).mean() < 0.005
    # Total spending of a typical gmina in 2024 (GUS verified 9,265 zł for one gmina; the demo's own scale).
    assert 8_000 < x.xs(2024, level="year")["wydatki-na-mieszkanca"].median() < 11_000


def test_operating_surplus_follows_from_the_budget(demo):
    # spending = revenue − capital revenue − operating surplus + capital spending, in złoty (numerators).
    ids = ["dochody-na-mieszkanca", "wydatki-na-mieszkanca", "wydatki-majatkowe-na-mieszkanca",
           "wydatki-majatkowe-pokrycie", "nadwyzka-operacyjna-na-mieszkanca"]
    n = _wide(demo, ids, "gmina", "numerator").dropna()
    assert len(n) > 20_000
    expected = (n["dochody-na-mieszkanca"] - n["wydatki-majatkowe-pokrycie"] - n["nadwyzka-operacyjna-na-mieszkanca"]
                + n["wydatki-majatkowe-na-mieszkanca"])
    np.testing.assert_allclose(n["wydatki-na-mieszkanca"], expected, rtol=1e-9)
    # The operating surplus is negative in some gmina-years, as in reality.
    assert (n["nadwyzka-operacyjna-na-mieszkanca"] < 0).mean() > 0.02


# ------------------------------------------------------------------ true zeros and shocks
def test_true_zeros_where_they_occur(catalogue, synthetic):
    g = synthetic[(synthetic["level"] == "gmina") & synthetic["value"].notna()]
    zero = g[g["value"] == 0]
    # Before: not one of 1.9 million values was zero.
    assert len(zero) > 50_000
    assert (zero["flag"] == "zero").all() and (g.loc[g["value"] != 0, "flag"] != "zero").all()
    share = g.assign(z=g["value"] == 0).groupby("indicator")["z"].mean()
    for ind in catalogue.indicators:
        syn = ind.synthetic
        if syn is not None and syn.zeros > 0 and "gmina" in ind.levels:
            mean_years = np.mean([y - 2020 for y in ind.year_list])
            expected = min(max(syn.zeros + syn.zeros_trend * mean_years, 0), 0.95)
            assert share[ind.id] == pytest.approx(expected, abs=0.05), ind.id
    # Debt-free gminy have a zero debt ratio and zero debt per resident, together.
    x = _wide(g, ["dlug-do-dochodow", "dlug-na-mieszkanca"], "gmina").dropna()
    assert ((x["dlug-do-dochodow"] == 0) == (x["dlug-na-mieszkanca"] == 0)).all()


def test_cultural_attendance_falls_in_2020_21_as_its_note_says(synthetic):
    g = synthetic[(synthetic["level"] == "gmina")]
    med = g[g["indicator"] == "imprezy-uczestnicy-na-1000"].groupby("year")["value"].median()
    assert med[2020] < 0.6 * med[2019] and med[2021] < 0.8 * med[2019]
    assert med[2022] > med[2021] > med[2020]
    events = g[g["indicator"] == "imprezy-kulturalne-na-1000"].groupby("year")["value"].median()
    assert events[2020] < 0.75 * events[2019]
    social = g[g["indicator"] == "wydatki-pomoc-spoleczna-na-mieszkanca"].groupby("year")["value"].median()
    assert social[2023] < 0.7 * social[2021]  # child benefit moved to ZUS in 2022


# ------------------------------------------------------------------ the typical value pages show
def test_the_stated_typical_value_is_the_demos_typical_2020_value(catalogue, demo, settings):
    # Indicator pages say the generator "takes a typical value of {median} for a mid-sized rural gmina in 2020".
    # For values made from other indicators (parts, wholes, ratios over another indicator's numerator) the
    # generator derives its shares from `median`; check the demo's mid-sized rural gminy (5–10 thousand
    # residents, kind wiejska) in 2020, the shocks of 2020 taken out. Indicators with true zeros are left out.
    units = pd.read_parquet(current_release_path(settings) / "demo" / "units.parquet").set_index("teryt")
    rural_mid = units.index[(units["level"] == "gmina") & (units["kind"] == "wiejska") & ~units["mnpp"]
                            & units["population"].between(5_000, 9_999)]
    x = demo[(demo["year"] == 2020) & demo["teryt"].isin(rural_mid) & demo["synthetic"] & (demo["value"] != 0)]
    medians = x.groupby("indicator")["value"].median()
    checked = 0
    for ind in catalogue.indicators:
        syn = ind.synthetic
        if syn is None or syn.median is None or syn.zeros > 0 or ind.id not in medians:
            continue
        if syn.kind not in ("part", "whole") and not (syn.denominator_of or syn.numerator_of):
            continue
        shock = syn.shocks.get(2020, 1.0)
        if syn.kind == "part" and syn.of and catalogue.by_id[syn.of[0]].synthetic is not None:
            shock *= catalogue.by_id[syn.of[0]].synthetic.shocks.get(2020, 1.0)
        assert 0.75 < medians[ind.id] / shock / syn.median < 1.3, (ind.id, medians[ind.id], syn.median)
        checked += 1
    assert checked >= 20


# ------------------------------------------------------------------ units created in 2025
def test_gminy_created_in_2025_have_no_synthetic_values_before_2025(synthetic):
    assert synthetic[synthetic["teryt"].isin(NEW_GMINY) & (synthetic["year"] < 2025)].empty


def test_per_resident_denominators_are_the_official_population_of_the_year(catalogue, demo):
    # No 30 % split: a synthetic per-resident value is over GUS's population of that year (P1336), the parents
    # of Szczawa and Grabówka counting their whole territory before 2025.
    pop = demo[(demo["indicator"] == "ludnosc") & (demo["level"] == "gmina")].set_index(["teryt", "year"])["value"]
    ids = [i.id for i in catalogue.indicators if i.synthetic and i.synthetic.kind == "ratio"
           and i.synthetic.denominator == "population" and not i.synthetic.denominator_of
           and not i.synthetic.numerator_of and "gmina" in i.levels]
    rows = demo[demo["indicator"].isin(ids) & (demo["level"] == "gmina") & demo["value"].notna()]
    den = rows.set_index(["teryt", "year"])["denominator"]
    official = pop.reindex(den.index)
    assert official.notna().mean() > 0.99
    both = official.notna()
    np.testing.assert_allclose(den[both], official[both], rtol=1e-9)
    for parent in ("1207052", "2002093"):
        assert (rows["teryt"] == parent).any()
