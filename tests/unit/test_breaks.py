"""Series breaks from the TERYT change table: type changes, the 2025 splits, unchanged gminy."""

from __future__ import annotations

import pytest

from portal.breaks import break_flags, break_years, series_breaks
from portal.store import get_store


@pytest.fixture(scope="module")
def store():
    return get_store()


def test_type_change_seen_first_in_the_2025_register(store):
    # 0614052 is in the 2019–2024 lists; 0614053 is first seen in today's (2025) register.
    rows = store.changes[store.changes["new_teryt"] == "0614053"]
    pairs = set(zip(rows["old_teryt"], rows["change"], strict=True))
    assert pairs == {("0614052", "type"), ("0614053", "same")}
    (b,) = series_breaks(store, "0614053")
    assert (b["year"], b["earliest"], b["change"]) == (2025, 2025, "type")
    assert (b["old_teryt"], b["new_teryt"]) == ("0614052", "0614053")
    assert b["reason"]["pl"].startswith("zmiana typu gminy (2→3")
    assert b["reason"]["en"].startswith("change of gmina type (2→3")
    assert break_years(store, "0614053") == [2025]


def test_type_change_between_lists_is_a_window(store):
    # 0218032 in the 2019 boundaries, 0218033 from the 2023 list on: the change happened in 2020–2023.
    (b,) = series_breaks(store, "0218033")
    assert (b["year"], b["earliest"]) == (2023, 2020)
    assert "między 2020 a 2023" in b["reason"]["pl"]
    ind = "ludnosc"
    assert set(range(2020, 2024)) <= set(store.years(ind, "gmina"))  # an official series across the window
    assert list(break_flags(store, ind, "0218033")) == [2020, 2021, 2022, 2023]


def test_type_change_in_2024_and_in_2026(store):
    (b,) = series_breaks(store, "0408023")  # first seen in the 2024 list, the 2023 list still had …2
    assert (b["year"], b["earliest"]) == (2024, 2024)
    assert break_flags(store, "ludnosc", "0408023", lang="en") == {2024: b["reason"]["en"]}
    (b,) = series_breaks(store, "0601052")  # today …2, the 2026 list carries …3
    assert (b["year"], b["old_teryt"], b["new_teryt"]) == (2026, "0601052", "0601053")


@pytest.mark.parametrize("teryt", ["1207052", "1207132"])
def test_split_kamienica_szczawa(store, teryt):
    (b,) = series_breaks(store, teryt)
    assert (b["year"], b["change"], b["old_teryt"], b["new_teryt"]) == (2025, "split", "1207052", "1207132")
    assert b["reason"]["pl"] == "utworzenie gminy Szczawa z części gminy Kamienica"
    assert b["note"] is not None  # Szczawa has no shape of its own in the 2019 boundaries
    flags = break_flags(store, "egzamin-8-matematyka", teryt)
    assert 2025 in store.years("egzamin-8-matematyka", "gmina")
    assert flags == {2025: b["reason"]["pl"]}


def test_every_type_change_in_the_table_gives_a_break(store):
    changed = store.changes.loc[store.changes["change"] == "type", "new_teryt"].unique()
    assert len(changed) > 50
    for teryt in changed:
        breaks = series_breaks(store, teryt)
        assert [b["change"] for b in breaks] == ["type"], teryt


def test_unchanged_units_have_no_breaks(store):
    assert series_breaks(store, "1218093") == []  # Wadowice
    assert break_flags(store, "ludnosc", "1218093") == {}
    assert series_breaks(store, "1207") == []  # powiat nowosądecki: the split stays inside it
    assert series_breaks(store, "12") == []
    with pytest.raises(ValueError):
        series_breaks(store, "9999999")
    with pytest.raises(ValueError):
        break_flags(store, "no-such-indicator", "1218093")


def test_boundary_changes_before_2019_break_gminy_and_powiaty(store):
    # Wałbrzych regained powiat rights in 2013 (new code, same territory); Zielona Góra city absorbed the rural
    # gmina in 2015, changing two powiaty; Ostrowice was divided in 2019.
    assert [b["year"] for b in series_breaks(store, "0265011")] == [2013]
    assert series_breaks(store, "0265011")[0]["change"] == "recode"
    assert [b["year"] for b in series_breaks(store, "0862011")] == [2015]
    assert [b["year"] for b in series_breaks(store, "0809")] == [2015]
    assert [b["year"] for b in series_breaks(store, "0221")] == [2013]
    assert [b["year"] for b in series_breaks(store, "3203063")] == [2019]
    # The recoded city keeps its 2010–2012 population (code 0221091 then).
    years = {p["year"]: p["value"] for p in store.series("ludnosc", "0265011")}
    assert years[2010] == 18468 + 78827 + 23851  # pre-working + working + post-working age, 2010 BDL export
