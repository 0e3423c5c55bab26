"""Budget view: section rows, gap sentences, figures and the URL sync, on the built release."""

from __future__ import annotations

import math

import pytest

from callbacks.budget import sync
from layouts import budget
from layouts.not_found import NotFound
from portal import ids


@pytest.fixture(autouse=True)
def _release(store):
    return store


def test_catalogue_holds_every_indicator_the_page_needs(store):
    for ind_id in budget.INDICATOR_IDS:
        assert ind_id in store.catalogue.by_id, ind_id
    sections = {s.code for s in budget.SECTIONS}
    catalogue_sections = {i.budget_section for i in store.catalogue.indicators if i.budget_section}
    assert sections == catalogue_sections
    for s in budget.SECTIONS:
        assert store.catalogue.by_id[s.indicator].budget_section == s.code


@pytest.mark.parametrize("teryt", ["1218093", "1261011"])
def test_section_rows_cover_nine_sections_and_add_up_to_the_total(store, teryt):
    year = budget.resolve_state(teryt, {}).year
    rows = budget.section_rows(teryt, year)
    assert [r["key"] for r in rows] == [s.key for s in budget.SECTIONS] + ["razem"]
    parts = sum(r["value"] for r in rows[:-1])
    assert parts == pytest.approx(rows[-1]["value"], rel=1e-6)
    population = store.units.at[teryt, "population"]
    for r in rows:
        assert r["q1"] <= r["median"] <= r["q3"]
        assert r["gap_zl"] == pytest.approx((r["median"] - r["value"]) * population)
        assert r["synthetic"]


def test_krakow_is_compared_with_cities_with_county_rights(store):
    state = budget.resolve_state("1261011", {})
    point = store.point("wydatki-oswiata-na-mieszkanca", "1261011", state.year)
    row = next(r for r in budget.section_rows("1261011", state.year) if r["key"] == "801-854")
    assert point["peer_group"] == "miasta-na-prawach-powiatu"
    assert row["median"] == point["peer"]["median"]


@pytest.mark.parametrize("teryt", ["1218093", "1261011", "1218", "12"])
def test_gap_sentences_say_less_when_the_unit_spends_more_than_the_median(teryt):
    year = budget.resolve_state(teryt, {}).year
    rows = {r["key"]: r for r in budget.section_rows(teryt, year)}
    sentences = dict(budget.gap_sentences(teryt, year))
    assert set(sentences) == set(rows)
    checked = 0
    for key, text in sentences.items():
        r = rows[key]
        if text.startswith("Gdyby"):
            checked += 1
            word = "mniej" if r["value"] > r["median"] else "więcej"
            assert text.endswith(f" {word}."), text
            assert (
                (" mln zł " in text)
                or (" tys. zł " in text)
                or (" mld zł " in text)
                or text.count(" zł ") == 1
            )
        else:
            assert "tyle, co mediana" in text
    assert checked >= 5


def test_gap_sentences_round_to_a_readable_amount_with_polish_grammar():
    from portal.explain import format_money
    from portal.store import get_store

    sentences = dict(budget.gap_sentences("1218093", 2024))
    # The amount is the gap per resident times the residents, rounded readably (synthetic values: recompute).
    row = {r["key"]: r for r in budget.section_rows("1218093", 2024)}["801-854"]
    gap = abs(row["value"] - row["median"]) * get_store().units.at["1218093", "population"]
    word = "mniej" if row["value"] > row["median"] else "więcej"
    assert sentences["801-854"] == (
        "Gdyby gmina wydawała na oświatę tyle na mieszkańca, co mediana podobnych gmin, "
        f"wydałaby o {format_money(gap)} {word}."
    )
    assert format_money(gap).endswith(("mln zł", "tys. zł"))
    assert any(" tys. zł " in t for t in sentences.values())
    city = dict(budget.gap_sentences("1261011", 2024))
    assert city["600"].startswith("Gdyby miasto wydawało na transport i drogi")
    powiat = dict(budget.gap_sentences("1218", 2024))
    assert all(t.startswith(("Gdyby powiat wydawał", "Powiat wydaje")) for t in powiat.values())
    english = dict(budget.gap_sentences("1218093", 2024, "en"))
    assert english["801-854"].endswith(f"it would spend {format_money(gap, 'en')} {'less' if word == 'mniej' else 'more'}.")


def test_small_multiples_have_nine_panels():
    fig = budget.trends_figure("1218093", 2024)
    layout = fig["layout"]
    x_axes = [k for k in layout if k.startswith("xaxis")]
    y_axes = [k for k in layout if k.startswith("yaxis")]
    assert len(x_axes) == len(y_axes) == 9
    assert {t["xaxis"] for t in fig["data"]} == {"x", *(f"x{k}" for k in range(2, 10))}
    for axis in x_axes:  # domains inside the figure, no overlap in a row
        lo, hi = layout[axis]["domain"]
        assert 0 <= lo < hi <= 1
    assert any("SYNTETYCZNE" in a["text"] for a in layout["annotations"])


def test_scatter_marks_the_unit_among_its_peers(store):
    fig, caption = budget.scatter_view("1218093", 2024, "801-854")
    unit = [t for t in fig["data"] if t["name"] == "Wadowice"]
    assert len(unit) == 1 and unit[0]["marker"]["symbol"] == "diamond"
    peers = fig["data"][0]
    assert 5 < len(peers["x"]) <= len(store.peers("1218093"))
    assert len(fig["layout"]["shapes"]) == 2 and all(
        s["line"]["dash"] == "dash" for s in fig["layout"]["shapes"]
    )
    assert "Związek nie oznacza przyczyny" in caption[0]
    assert any("SYNTETYCZNE" in a["text"] for a in fig["layout"]["annotations"])


def test_scatter_falls_back_to_the_latest_common_year():
    # Exam results start in 2021: for 2018 the chart shows the latest year both indicators have.
    used, fell_back = budget.scatter_years("1218093", budget.SECTION_BY_KEY["801-854"], 2018)
    assert fell_back and used >= 2021
    fig, caption = budget.scatter_view("1218093", 2018, "801-854")
    assert fig["data"] and caption[0].startswith("Brak obu wartości w 2018")


@pytest.mark.parametrize("teryt", ["1218093", "1261011", "1218", "12"])
def test_revenue_structure_sums_to_the_total(teryt):
    year = budget.resolve_state(teryt, {}).year
    rows = budget.revenue_rows(teryt, year)
    *parts, total = rows
    assert total["indicator"] == budget.REVENUE_TOTAL
    assert sum(p["value"] for p in parts) == pytest.approx(total["value"], abs=1.0)
    assert sum(p["share"] for p in parts) == pytest.approx(100.0, abs=0.1)
    fig = budget.revenue_figure(teryt, year)
    assert len(fig["data"]) == 5 and fig["layout"]["barmode"] == "stack"


@pytest.mark.parametrize(("teryt", "name"), [("1218", "powiat wadowicki"), ("12", "województwo małopolskie")])
def test_a_powiat_and_a_wojewodztwo_render(teryt, name):
    page = budget.layout(teryt=teryt)
    text = str(page)
    assert name in text and ids.BUDGET_BARS in text and "synthetic-banner" in text
    view = budget.budget_view(budget.resolve_state(teryt, {}))
    assert len(view["bars"]["data"][0]["x"]) == 9
    assert all(v is not None and math.isfinite(v) for v in view["bars"]["data"][0]["x"])


def test_unknown_teryt_is_not_found():
    with pytest.raises(NotFound):
        budget.layout(teryt="9999999")


def test_layout_works_without_arguments():
    assert budget.layout()


def test_state_from_url_and_defaults():
    state = budget.resolve_state("1218093", {"rok": "2019", "obszar": "921", "lang": "en"})
    assert (state.year, state.section, state.lang) == (2019, "921", "en")
    assert state.search() == "?rok=2019&obszar=921&lang=en"
    bad = budget.resolve_state("1218093", {"rok": "1900", "obszar": "pozostale"})
    assert bad.year == budget.year_list("1218093")[0] and bad.section == budget.DEFAULT_SECTION


def test_sync_writes_the_url_only_when_a_control_changed():
    state, write = sync(ids.BUDGET_URL, "?rok=2020", "2024", "801-854", "/budzet/1218093")
    assert state.year == 2020 and not write
    state, write = sync(ids.BUDGET_YEAR, "?rok=2020", "2018", "801-854", "/budzet/1218093")
    assert state.year == 2018 and write and state.search() == "?rok=2018"
    state, write = sync(ids.BUDGET_SECTION, "?rok=2018", "2018", "900", "/budzet/1218093")
    assert state.section == "900" and write
    assert sync(ids.BUDGET_YEAR, "", "2018", "900", "/jst/1218093") == (None, False)


def test_download_links_use_the_shared_path():
    state = budget.resolve_state("1218093", {"rok": "2022"})
    hrefs = [c.href for c in budget.download_links(state) if getattr(c, "href", None)]
    assert hrefs == ["/pobierz/budzet.csv?jst=1218093&rok=2022", "/pobierz/budzet.xlsx?jst=1218093&rok=2022"]
