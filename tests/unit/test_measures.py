"""Official indicators from measures: Σ numerator / Σ denominator at every level, flags, re-keying of old codes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from portal.catalogue import Indicator
from portal.pipeline.measures import MeasureInfo, combine_years, ratio_values, rekey_gminy, sum_up

# A tiny register: one województwo (99), two powiaty (9901 with two gminy, 9902 with one).
UNITS = pd.DataFrame({
    "teryt": ["9901011", "9901022", "9902013", "9901", "9902", "99"],
    "level": ["gmina", "gmina", "gmina", "powiat", "powiat", "wojewodztwo"],
    "powiat": ["9901", "9901", "9902", None, None, None],
    "wojewodztwo": ["99", "99", "99", "99", "99", None],
})
CHANGES = pd.DataFrame({"old_teryt": ["9902012"], "new_teryt": ["9902013"], "year_from": [2019],
                        "year_to": [2025], "change": ["type"]})
INFOS = {
    "tax": MeasureInfo("tax", "zł", True, ("gmina",)),
    "population": MeasureInfo("population", "osób", True, ("gmina", "powiat", "wojewodztwo")),
    "rate_published": MeasureInfo("rate_published", "%", False, ("gmina", "powiat")),
}


def _indicator(numerator: str, denominator: str | None, levels: list[str], sum_up_: bool, mult: float = 1.0):
    return Indicator.model_validate({
        "id": "test-ind", "area": "finanse-jst", "dimension": "efektywnosc",
        "name": {"pl": "t", "en": "t"}, "description": {"pl": "t", "en": "t"},
        "unit": {"pl": "zł na mieszkańca", "en": "PLN per resident"}, "direction": "neutral",
        "formula": {"numerator": {"pl": "t", "en": "t"}},
        "source": {"evidence": "data_in_hand", "attribution": "Źródło: test"},
        "levels": levels, "years": [2020, 2021], "sentence": {"pl": "{rok} {wartosc} {w_jst}", "en": "x"},
        "real": {"kind": "ratio", "numerator": numerator, "denominator": denominator, "multiplier": mult,
                 "sum_up": sum_up_},
    })


def _rows(measure: str, values: dict[tuple[str, int], float], flag: str = "ok") -> pd.DataFrame:
    return pd.DataFrame([{"measure": measure, "teryt": t, "year": y, "value": v, "flag": flag, "source": "src"}
                         for (t, y), v in values.items()])


POP = _rows("population", {("9901011", 2020): 1000, ("9901022", 2020): 9000, ("9902013", 2020): 500,
                           ("9901", 2020): 10000, ("9902", 2020): 500, ("99", 2020): 10500})
TAX = _rows("tax", {("9901011", 2020): 500_000, ("9901022", 2020): 900_000, ("9902013", 2020): 100_000})


def _value(df: pd.DataFrame, teryt: str, year: int = 2020) -> float:
    return float(df.loc[(df["teryt"] == teryt) & (df["year"] == year), "value"].iloc[0])


def test_higher_levels_are_ratios_of_sums_never_means_of_ratios() -> None:
    ind = _indicator("tax", "population", ["gmina", "powiat", "wojewodztwo"], True)
    out = ratio_values(ind, pd.concat([POP, TAX]), UNITS, INFOS)
    assert _value(out, "9901011") == 500 and _value(out, "9901022") == 100
    # Σ tax / Σ population = 1,400,000 / 10,000 = 140; the unweighted mean of the gminy would be 300.
    assert _value(out, "9901") == 140
    assert _value(out, "99") == pytest.approx(1_500_000 / 10_500)
    row = out[(out["teryt"] == "9901") & (out["year"] == 2020)].iloc[0]
    assert row["numerator"] == 1_400_000 and row["denominator"] == 10_000
    assert set(out["flag"]) == {"ok"}


def test_gmina_budget_values_stay_at_the_gmina_level_unless_declared() -> None:
    ind = _indicator("tax", "population", ["gmina"], False)
    out = ratio_values(ind, pd.concat([POP, TAX]), UNITS, INFOS)
    assert set(out["teryt"].str.len()) == {7}


def test_a_sum_with_a_gmina_missing_is_partial() -> None:
    tax = TAX[TAX["teryt"] != "9901022"]
    ind = _indicator("tax", "population", ["gmina", "powiat"], True)
    out = ratio_values(ind, pd.concat([POP, tax]), UNITS, INFOS)
    row = out[out["teryt"] == "9901"].iloc[0]
    assert row["flag"] == "partial"


def test_an_estimated_denominator_makes_an_estimate_not_a_partial_value() -> None:
    pop = POP.copy()
    pop.loc[pop["teryt"] == "9902013", "flag"] = "estimated"
    ind = _indicator("tax", "population", ["gmina"], False)
    out = ratio_values(ind, pd.concat([pop, TAX]), UNITS, INFOS)
    assert out.set_index("teryt").at["9902013", "flag"] == "estimated"


def test_published_rates_are_taken_as_published_and_zero_is_a_true_zero() -> None:
    rate = _rows("rate_published", {("9901011", 2020): 0.0, ("9901", 2020): 12.5})
    ind = _indicator("rate_published", None, ["gmina", "powiat"], False)
    out = ratio_values(ind, rate, UNITS, INFOS).set_index("teryt")
    assert out.at["9901011", "flag"] == "zero" and out.at["9901", "value"] == 12.5
    assert math.isnan(out.at["9901", "denominator"])


def test_missing_denominator_gives_no_data() -> None:
    ind = _indicator("tax", "population", ["gmina"], False)
    out = ratio_values(ind, pd.concat([POP[POP["teryt"] != "9901022"], TAX]), UNITS, INFOS).set_index("teryt")
    assert out.at["9901022", "flag"] == "no_data" and np.isnan(out.at["9901022", "value"])


def test_old_codes_are_rekeyed_and_their_years_combined() -> None:
    old = _rows("tax", {("9902012", 2020): 7.0, ("9902013", 2021): 8.0, ("9999999", 2020): 1.0})
    rk = rekey_gminy(old, UNITS, CHANGES)
    assert rk.unmatched == ["9999999"]
    combined = combine_years(rk.frame)
    assert sorted(zip(combined["teryt"], combined["year"], strict=True)) == [("9902013", 2020), ("9902013", 2021)]
    clash = pd.concat([old, _rows("tax", {("9902013", 2020): 9.0})])
    with pytest.raises(ValueError, match="two different values"):
        combine_years(rekey_gminy(clash, UNITS, CHANGES).frame)


def test_sum_up_counts_gminy_that_existed() -> None:
    out = sum_up(TAX, UNITS, "wojewodztwo")
    assert out.iloc[0]["value"] == 1_500_000 and out.iloc[0]["flag"] == "ok"
