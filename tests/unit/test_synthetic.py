"""The synthetic generator's model (portal/pipeline/synthetic.py): conditioned on official values, a sum never
mixes official and synthetic parts, new gminy, and the errors it raises. The whole demo table's identities are in
test_synthetic_identities.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portal.catalogue import Catalogue, load_catalogue
from portal.pipeline import synthetic, synthetic_model
from portal.release import current_release_path

YEARS = list(range(2015, 2025))
BUDGET = [
    "wydatki-na-mieszkanca", "wydatki-600-na-mieszkanca", "wydatki-700-na-mieszkanca", "wydatki-710-na-mieszkanca",
    "wydatki-oswiata-na-mieszkanca", "wydatki-pomoc-spoleczna-na-mieszkanca", "wydatki-900-na-mieszkanca",
    "wydatki-921-na-mieszkanca", "wydatki-926-na-mieszkanca", "wydatki-pozostale-na-mieszkanca",
    "dochody-na-mieszkanca", "dochody-wlasne-na-mieszkanca", "wydatki-majatkowe-na-mieszkanca",
    "wydatki-inwestycyjne-na-mieszkanca", "wydatki-majatkowe-pokrycie", "nadwyzka-operacyjna-na-mieszkanca",
]


@pytest.fixture(scope="module")
def catalogue(settings) -> Catalogue:
    return load_catalogue(settings.catalogue_path)


@pytest.fixture(scope="module")
def units(settings) -> pd.DataFrame:
    return pd.read_parquet(current_release_path(settings) / "units.parquet")


@pytest.fixture(scope="module")
def official(settings) -> pd.DataFrame:
    """The official edition's values: what the build gives the generator."""
    values = pd.read_parquet(current_release_path(settings) / "values.parquet")
    assert not values["synthetic"].any()
    return values


def _fake_official(units: pd.DataFrame, indicator: str, value: float) -> pd.DataFrame:
    """Official gmina values of an indicator, as if `omup data fetch` had brought them."""
    g = units.loc[units["level"] == "gmina", "teryt"]
    rows = pd.DataFrame([(indicator, t, y, value) for t in g for y in YEARS], columns=["indicator", "teryt", "year",
                                                                                      "value"])
    return rows.assign(flag="ok", synthetic=False, source="BDL", numerator=np.nan, denominator=np.nan)


def _gmina(values: pd.DataFrame, ind: str) -> pd.Series:
    x = values[(values["indicator"] == ind) & (values["teryt"].str.len() == 7)]
    return x.set_index(["teryt", "year"])["value"]


def test_reproducible_labelled_and_numerators_kept(catalogue, units, official):
    small = catalogue.restricted_to({"kanalizacja-odsetek", "biblioteki-czytelnicy-na-1000",
                                     "biblioteki-wypozyczenia-na-czytelnika"})
    a = synthetic.generate(small, units, YEARS, seed=3, official=official)
    b = synthetic.generate(small, units, YEARS, seed=3, official=official)
    pd.testing.assert_frame_equal(a, b)
    assert a["synthetic"].all() and (a["source"] == synthetic.SOURCE).all()
    has = a["value"].notna()
    assert a.loc[has, "numerator"].notna().all() and a.loc[has, "denominator"].notna().all()
    # Loans per reader are over readers (the readers indicator's numerator), not over residents.
    loans = a[(a["indicator"] == "biblioteki-wypozyczenia-na-czytelnika") & has].set_index(["teryt", "year"])
    readers = a[(a["indicator"] == "biblioteki-czytelnicy-na-1000") & has].set_index(["teryt", "year"])
    both = loans.index.intersection(readers.index)
    np.testing.assert_allclose(loans.loc[both, "denominator"], readers.loc[both, "numerator"], rtol=1e-12)


def test_a_sum_never_adds_an_official_part(catalogue, units, official):
    # If `omup data fetch` brings division 600 officially, total spending stays the sum of the synthetic series:
    # the official values neither enter the sum nor change the other divisions.
    cat = catalogue.restricted_to(set(BUDGET))
    plain = synthetic.generate(cat, units, YEARS, seed=11, official=official)
    fetched = pd.concat([official, _fake_official(units, "wydatki-600-na-mieszkanca", 1.0)], ignore_index=True)
    mixed = synthetic.generate(cat, units, YEARS, seed=11, official=fetched)
    assert "wydatki-600-na-mieszkanca" not in set(mixed["indicator"])
    for ind in ("wydatki-na-mieszkanca", "wydatki-oswiata-na-mieszkanca", "wydatki-majatkowe-udzial"):
        if ind in set(plain["indicator"]):
            pd.testing.assert_series_equal(_gmina(plain, ind), _gmina(mixed, ind))
    total = _gmina(mixed, "wydatki-na-mieszkanca")
    others = sum(_gmina(mixed, i) for i in BUDGET[2:10])
    assert ((total - others).dropna() > 10).mean() > 0.99  # the latent 600, never the official 1 zł


def test_a_synthetic_part_stays_below_an_official_whole(catalogue, units, official):
    cat = catalogue.restricted_to({"pozwolenia-budowlane-na-1000", "pozwolenia-jednorodzinne-na-1000"})
    fetched = pd.concat([official, _fake_official(units, "pozwolenia-budowlane-na-1000", 2.0)], ignore_index=True)
    out = synthetic.generate(cat, units, YEARS, seed=5, official=fetched)
    assert set(out["indicator"]) == {"pozwolenia-jednorodzinne-na-1000"}
    single = _gmina(out, "pozwolenia-jednorodzinne-na-1000").dropna()
    assert len(single) > 20_000 and (single <= 2.0 + 1e-9).all() and single.median() > 1.0


def test_capital_spending_contains_the_official_investment_spending(catalogue, units, official):
    cat = catalogue.restricted_to({"wydatki-majatkowe-na-mieszkanca", "wydatki-inwestycyjne-na-mieszkanca"})
    out = synthetic.generate(cat, units, YEARS, seed=2, official=official)
    capital = _gmina(out, "wydatki-majatkowe-na-mieszkanca")
    investment = _gmina(official, "wydatki-inwestycyjne-na-mieszkanca").reindex(capital.index)
    both = capital.notna() & investment.notna()
    assert both.sum() > 24_000
    ratio = investment[both] / capital[both]
    assert (ratio <= 1).all() and 0.85 < ratio.median() < 0.99


def test_new_gminy_and_their_parents(catalogue, units, official):
    small = catalogue.restricted_to({"kanalizacja-odsetek"})
    out = synthetic.generate(small, units, YEARS, seed=1, official=official)
    assert out[out["teryt"].isin(["1207132", "2002162"])].empty  # no synthetic year is 2025 or later
    den = synthetic_model.denominators(units, YEARS, official)
    g = units[units["level"] == "gmina"].reset_index(drop=True)
    parent = g.index[g["teryt"] == "2002093"][0]
    child = g.index[g["teryt"] == "2002162"][0]
    # Supraśl counts the whole territory before 2025 (GUS's 18,542 on 31 XII 2024), Grabówka nothing.
    assert den["population"][parent, YEARS.index(2024)] == pytest.approx(18_542)
    assert np.isnan(den["population"][child]).all()


def test_a_sum_of_official_and_synthetic_parts_is_refused(catalogue, units, official):
    raw = catalogue.model_dump()
    for ind in raw["indicators"]:
        if ind["id"] == "wydatki-na-mieszkanca":
            ind["synthetic"]["of"].append("dochody-wlasne-na-mieszkanca")
    bad = Catalogue.model_validate(raw)
    with pytest.raises(ValueError, match="official and synthetic parts"):
        synthetic.generate(bad.restricted_to(set(BUDGET)), units, YEARS, official=official)


def test_missing_official_inputs_are_named(catalogue, units, official):
    cat = catalogue.restricted_to({"udzial-cit-na-mieszkanca", "dochody-wlasne-na-mieszkanca"})
    without = official[official["indicator"] != "dochody-wlasne-na-mieszkanca"]
    with pytest.raises(ValueError, match="dochody-wlasne-na-mieszkanca"):
        synthetic.generate(cat, units, YEARS, official=without)
