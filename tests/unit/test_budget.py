"""Budget view: the official series first (default mode), honest levels, the demo's spending by division
(labelled), the comparison group, the URL state, figures; on the built release."""

from __future__ import annotations

import math

import pytest

from callbacks.budget import sync
from layouts import budget
from layouts.not_found import NotFound
from portal import budget as bud
from portal import budget_figures as bf
from portal import ids
from portal.explain import format_money
from tests.unit._tree import by_id, find, text, with_class

WADOWICE = "1218093"
KRAKOW = "1261011"
EDUCATION = "wydatki-oswiata-na-mieszkanca"
INVESTMENT = "wydatki-inwestycyjne-na-mieszkanca"


def _gaps(store, teryt, year, lang="pl", peers="grupa") -> dict[str, str]:
    return {k: t for k, t, _s in bud.gap_sentences(store, teryt, year, lang, peers)}


# ---------------------------------------------------------------------------------------------- official first
def test_default_mode_leads_with_official_series_and_shows_no_synthetic_value(store):
    tree = budget.layout(teryt=WADOWICE)
    view = by_id(tree, ids.BUDGET_VIEW)
    sections = find(view, lambda c: "budget-part" in (getattr(c, "className", "") or ""))
    assert "budget-official" in sections[0].className
    assert not find(tree, lambda c: "synthetic-badge" in (getattr(c, "className", "") or ""))
    for graph in find(tree, lambda c: isinstance(getattr(c, "figure", None), dict)):
        assert "SYNTETYCZNE" not in str(graph.figure)
    # Spending by division has no official values: one sentence, its sources, the demo link.
    absent = with_class(view, "no-official")
    assert len(absent) == 1
    assert "omup data fetch" in text(absent[0]) and "BDL" in text(absent[0])
    assert any("demo=1" in (getattr(c, "href", "") or "") for c in find(absent[0], lambda c: True))
    assert by_id(tree, ids.BUDGET_BARS) is None and budget.download_links(bud.resolve_state(store, WADOWICE, {})) == []


def test_official_rows_equal_the_store_and_the_shares_add_up(store):
    state = bud.resolve_state(store, WADOWICE, {})
    assert state.year == store.latest_year("dochody-wlasne-na-mieszkanca", "gmina")
    rows = {r["indicator"]: r for r in bud.official_table(store, WADOWICE, state.year)}
    assert list(rows)[0] == "dochody-wlasne-na-mieszkanca"
    for ind, r in rows.items():
        point = store.point(ind, WADOWICE, r["year"])
        assert r["value"] == point["value"] and r["median"] == point["peer"]["median"]
        assert not r["synthetic"]
    tax = rows["podatek-nieruchomosci-na-mieszkanca"]
    assert tax["year"] == 2019  # the tax series ends in 2019: the latest earlier year, said in the row
    total = store.point("dochody-wlasne-na-mieszkanca", WADOWICE, 2019)["value"]
    assert tax["share"] == pytest.approx(100 * tax["value"] / total)
    # The catalogue's own share of property tax in own revenue says the same.
    assert tax["share"] == pytest.approx(store.point("podatek-nieruchomosci-udzial", WADOWICE, 2019)["value"], abs=0.05)


def test_investment_gap_uses_the_population_of_that_year(store):
    year = store.latest_year(INVESTMENT, "gmina")
    row = next(r for r in bud.official_table(store, WADOWICE, year) if r["indicator"] == INVESTMENT)
    point = store.point(INVESTMENT, WADOWICE, year)
    assert row["population"] == point["denominator"]
    assert row["gap_zl"] == pytest.approx((point["peer"]["median"] - point["value"]) * point["denominator"])
    (sentence,) = bud.official_gap_sentences(store, WADOWICE, year)
    word = "mniej" if point["value"] > point["peer"]["median"] else "więcej"
    assert sentence == (f"Gdyby gmina wydawała na inwestycje tyle na mieszkańca, co mediana podobnych gmin, wydałaby o "
                        f"{format_money(abs(row['gap_zl']))} {word}. ({year})")


@pytest.mark.parametrize(("teryt", "only"), [("1218", "udzial-pit-powiatu-na-mieszkanca"),
                                             ("1261", "udzial-pit-powiatu-na-mieszkanca"),
                                             ("12", "udzial-pit-wojewodztwa-na-mieszkanca")])
def test_a_powiat_or_wojewodztwo_budget_shows_only_what_sources_hold(store, teryt, only):
    rows = bud.official_table(store, teryt, bud.resolve_state(store, teryt, {}).year)
    assert [r["indicator"] for r in rows] == [only]
    tree = budget.layout(teryt=teryt)
    body = text(by_id(tree, ids.BUDGET_VIEW))
    assert "nie są budżetem" in body and "Dochody własne gminy" not in body
    short = store.catalogue.by_id[only].short_name
    assert (short or store.catalogue.by_id[only].name).pl in body


def test_krakow_is_compared_with_cities_and_told_why_its_budget_is_larger(store):
    state = bud.resolve_state(store, KRAKOW, {})
    row = bud.official_table(store, KRAKOW, state.year)[0]
    point = store.point(row["indicator"], KRAKOW, row["year"])
    assert point["peer_group"] == "miasta-na-prawach-powiatu" and row["median"] == point["peer"]["median"]
    assert "miasto na prawach powiatu ma jeden budżet" in text(budget.layout(teryt=KRAKOW)).lower()


def test_official_small_multiples_have_one_panel_per_series_with_its_own_years(store):
    fig = bf.official_trends_figure(store, WADOWICE, 2024)
    titles = [a["text"] for a in fig["layout"]["annotations"] if a["text"].startswith("<b>")]
    assert len(titles) == len(bud.official_rows(store, "gmina"))
    own = next(t for t in fig["data"] if t.get("xaxis") == "x" and t["name"] == "Wadowice")
    assert own["x"][0] == 2010 and own["x"][-1] == 2024
    assert not any("SYNTETYCZNE" in str(a.get("text")) for a in fig["layout"]["annotations"])


def test_unknown_teryt_is_not_found():
    with pytest.raises(NotFound):
        budget.layout(teryt="9999999")


def test_layout_works_without_arguments():
    assert budget.layout()


# ---------------------------------------------------------------------------------------------- URL state
def test_state_from_url_and_defaults(store):
    state = bud.resolve_state(store, WADOWICE, {"rok": "2019", "obszar": "921", "lang": "en"})
    assert (state.year, state.section, state.lang) == (2019, "921", "en")
    assert state.search() == "?rok=2019&obszar=921&lang=en"
    bad = bud.resolve_state(store, WADOWICE, {"rok": "1900", "obszar": "pozostale"})
    assert bad.year == bud.year_list(store, WADOWICE)[0] and bad.section == bud.DEFAULT_SECTION


def test_the_state_parses_and_writes_podobne_knn(store):
    from portal.state import parse_search

    state = bud.resolve_state(store, WADOWICE, {"rok": "2021", "podobne": "knn", "lang": "en"})
    assert state.peers == "knn" and state.search() == "?rok=2021&podobne=knn&lang=en"
    assert bud.resolve_state(store, WADOWICE, parse_search(state.search())) == state
    for other in ({}, {"podobne": "1"}, {"podobne": "grupa"}, {"podobne": "xyz"}):
        plain = bud.resolve_state(store, WADOWICE, {"rok": "2021", **other})
        assert plain.peers == "grupa" and "podobne" not in plain.search()
    # The radio writes the URL; the URL alone does not.
    state, write = sync(ids.BUDGET_PEERS, "?rok=2020", "2020", "801-854", f"/budzet/{WADOWICE}", "knn")
    assert state.peers == "knn" and write and state.search() == "?rok=2020&podobne=knn"
    state, write = sync(ids.BUDGET_URL, "?rok=2020&podobne=knn", "2020", "801-854", f"/budzet/{WADOWICE}", "grupa")
    assert state.peers == "knn" and not write
    state, write = sync(ids.BUDGET_PEERS, "?rok=2020&podobne=knn", "2020", "801-854", f"/budzet/{WADOWICE}", "grupa")
    assert state.peers == "grupa" and write and state.search() == "?rok=2020"
    page = budget.layout(teryt=WADOWICE, rok="2020", podobne="knn")
    assert by_id(page, ids.BUDGET_PEERS).value == "knn"


def test_sync_writes_the_url_only_when_a_control_changed():
    state, write = sync(ids.BUDGET_URL, "?rok=2020", "2024", "801-854", f"/budzet/{WADOWICE}")
    assert state.year == 2020 and not write
    state, write = sync(ids.BUDGET_YEAR, "?rok=2020", "2018", "801-854", f"/budzet/{WADOWICE}")
    assert state.year == 2018 and write and state.search() == "?rok=2018"
    assert sync(ids.BUDGET_YEAR, "", "2018", "900", f"/jst/{WADOWICE}") == (None, False)


# ---------------------------------------------------------------------------------------------- comparison (knn)
def _knn(store, teryt=WADOWICE):
    from portal.profile import similar_variables
    from portal.similar import similar_units

    level = store.units.at[teryt, "level"]
    return [u["teryt"] for u in similar_units(store, teryt, k=10, variables=similar_variables(store, level))["units"]]


def _by_hand(store, indicator, codes, year):
    """Quartiles over the units' values read one by one with store.point, as pandas (the pipeline) computes them."""
    import pandas as pd

    values = pd.Series([store.point(indicator, c, year)["value"] for c in codes], dtype=float).dropna()
    q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
    return {"n": len(values), "q1": q1, "median": median, "q3": q3}


def test_official_knn_statistics_equal_the_quartiles_computed_by_hand(store):
    codes = _knn(store)
    assert len(codes) == 10 and WADOWICE not in codes
    comparison = bud.comparison_of(store, WADOWICE, "knn")
    assert comparison.knn == tuple(codes) and not comparison.synthetic
    for row in bud.official_table(store, WADOWICE, 2024, peers="knn"):
        hand = _by_hand(store, row["indicator"], codes, row["year"])
        assert (row["q1"], row["median"], row["q3"]) == pytest.approx((hand["q1"], hand["median"], hand["q3"]))
    fig = bf.official_trends_figure(store, WADOWICE, 2024, peers="knn")
    median = next(t for t in fig["data"] if t.get("xaxis") == "x" and t["name"].startswith("mediana"))
    assert median["name"] == "mediana 10 najbardziej podobnych"
    for y, m in zip(median["x"], median["y"], strict=True):
        assert m == pytest.approx(_by_hand(store, "dochody-wlasne-na-mieszkanca", codes, y)["median"])


def test_the_similar_units_are_listed_with_links(store):
    state = bud.resolve_state(store, WADOWICE, {"podobne": "knn"})
    block = str(budget.similar_block(store, state))
    for code in _knn(store):
        assert f"/jst/{code}" in block
    assert "synthetic-badge" not in block  # own revenue is official now
    assert budget.similar_block(store, bud.resolve_state(store, WADOWICE, {})) == []
    assert "10 najbardziej podobnych jednostek" in budget.lead_text(store, state)


# ---------------------------------------------------------------------------------------------- demo
@pytest.mark.parametrize("teryt", [WADOWICE, KRAKOW])
def test_demo_section_rows_cover_nine_divisions_and_add_up_to_the_total(demo_store, teryt):
    year = bud.resolve_state(demo_store, teryt, {}).year
    rows = bud.section_rows(demo_store, teryt, year)
    assert [r["key"] for r in rows] == [s.key for s in bud.SECTIONS] + ["razem"]
    assert sum(r["value"] for r in rows[:-1]) == pytest.approx(rows[-1]["value"], rel=1e-6)
    population = demo_store.units.at[teryt, "population"]
    for r in rows:
        assert r["q1"] <= r["median"] <= r["q3"]
        assert r["gap_zl"] == pytest.approx((r["median"] - r["value"]) * population)
        assert r["synthetic"]


def test_demo_gap_bullets_carry_the_synthetic_mark(demo_mode, demo_store):
    state = bud.resolve_state(demo_store, WADOWICE, {})
    gaps = budget.gaps_block(demo_store, state)
    bullets = find(gaps[0], lambda c: getattr(c, "__class__", None).__name__ == "Li")
    assert len(bullets) == 9
    for li in bullets:
        assert with_class(li, "synthetic-badge"), text(li)
    assert with_class(gaps[1], "synthetic-badge")


def test_demo_gap_sentences_round_to_a_readable_amount_with_polish_grammar(demo_store):
    sentences = _gaps(demo_store, WADOWICE, 2024)
    row = {r["key"]: r for r in bud.section_rows(demo_store, WADOWICE, 2024)}["801-854"]
    gap = abs(row["value"] - row["median"]) * demo_store.units.at[WADOWICE, "population"]
    word = "mniej" if row["value"] > row["median"] else "więcej"
    assert sentences["801-854"] == ("Gdyby gmina wydawała na oświatę tyle na mieszkańca, co mediana podobnych gmin, "
                                    f"wydałaby o {format_money(gap)} {word}.")
    assert _gaps(demo_store, KRAKOW, 2024)["600"].startswith("Gdyby miasto wydawało na transport i drogi")
    english = _gaps(demo_store, WADOWICE, 2024, "en")
    assert english["801-854"].endswith(f"{format_money(gap, 'en')} {'less' if word == 'mniej' else 'more'}.")
    knn = _gaps(demo_store, WADOWICE, 2024, peers="knn")
    assert all("10 najbardziej podobnych jednostek" in t for t in knn.values())


def test_demo_small_multiples_have_nine_panels(demo_store):
    fig = bf.trends_figure(demo_store, WADOWICE, 2024)
    layout = fig["layout"]
    assert len([k for k in layout if k.startswith("xaxis")]) == 9
    assert any("SYNTETYCZNE" in a["text"] for a in layout["annotations"])


def test_demo_scatter_marks_the_unit_and_falls_back_to_a_common_year(demo_store):
    view = bf.scatter_view(demo_store, WADOWICE, 2024, "801-854")
    unit = [t for t in view["figure"]["data"] if t["name"] == "Wadowice"]
    assert len(unit) == 1 and unit[0]["marker"]["symbol"] == "diamond"
    assert "Związek nie oznacza przyczyny" in view["caption"]
    # The y title is the short name: a long one was clipped at the top of the chart.
    assert view["figure"]["layout"]["yaxis"]["title"]["text"].startswith("Egzamin 8 – matematyka<br>")
    old = bf.scatter_view(demo_store, WADOWICE, 2018, "801-854")
    assert old["fell_back"] and old["year"] >= 2021 and old["caption"].startswith("Brak obu wartości w 2018")


@pytest.mark.parametrize("teryt", ["1218", "12"])
def test_demo_powiat_and_wojewodztwo_render_divisions(demo_mode, demo_store, teryt):
    tree = budget.layout(teryt=teryt)
    bars = by_id(tree, ids.BUDGET_BARS)
    assert bars is not None and len(bars.figure["data"][0]["x"]) == 9
    assert all(v is not None and math.isfinite(v) for v in bars.figure["data"][0]["x"])
    assert with_class(tree, "synthetic-banner")


def test_demo_downloads_and_pack_carry_the_demo(demo_mode, demo_store):
    state = bud.resolve_state(demo_store, WADOWICE, {"rok": "2022", "podobne": "knn"})
    hrefs = [c.href for c in budget.download_links(state) if getattr(c, "href", None)]
    assert hrefs == [f"/pobierz/budzet.csv?jst={WADOWICE}&rok=2022&podobne=knn",
                     f"/pobierz/budzet.xlsx?jst={WADOWICE}&rok=2022&podobne=knn"]
    assert by_id(budget.layout(teryt=WADOWICE), ids.BUDGET_PACK_LINK).href.endswith("&demo=1")


BREAK_UNIT = "1211033"  # Czarny Dunajec: gmina type 2→3 (wiejska → miejsko-wiejska) between 2020 and 2023


def test_small_multiples_mark_a_series_break(demo_mode, demo_store):
    fig = bf.trends_figure(demo_store, BREAK_UNIT, 2024)
    lines = [s for s in fig["layout"]["shapes"] if s["line"].get("dash") == "dash"]
    assert len(lines) == 9 and {s["x0"] for s in lines} == {2022.5}
    labels = [a for a in fig["layout"]["annotations"] if a.get("hovertext")]
    assert len(labels) == 9 and all(a["text"] == "zmiana typu" for a in labels)
    assert any(t["name"] == "przerwa w serii (zmiana terytorialna)" for t in fig["data"])
    assert "między 2020 a 2023 r." in text(with_class(budget.layout(teryt=BREAK_UNIT), "break-note"))
    official = bf.official_trends_figure(demo_store, BREAK_UNIT, 2024)
    assert [a for a in official["layout"]["annotations"] if a.get("hovertext")]


def test_share_panels_follow_the_view(store):
    from dash import dcc

    from tests.unit._tree import walk

    state = bud.resolve_state(store, WADOWICE, {"rok": "2019", "podobne": "knn"})
    view = budget.budget_view(state)
    stores = [n for n in walk(view["view"]) if isinstance(n, dcc.Store) and isinstance(n.data, dict) and "link" in n.data]
    assert stores
    for s in stores:
        link = s.data["link"]["current"]
        assert link.startswith(f"/budzet/{WADOWICE}?") and "rok=2019" in link and "podobne=knn" in link
