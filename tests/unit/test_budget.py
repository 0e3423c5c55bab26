"""Budget view: section rows, gap sentences, figures and the URL sync, on the built release."""

from __future__ import annotations

import io
import math

import pytest

from callbacks.budget import sync
from layouts import budget
from layouts.not_found import NotFound
from portal import ids

# These tests exercise the page mechanics on the demo edition (official plus synthetic values).
pytestmark = pytest.mark.usefixtures("demo_mode")


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


# ------------------------------------------------------------------------------- comparison with similar units (knn)
WADOWICE = "1218093"
EDUCATION = "wydatki-oswiata-na-mieszkanca"


def _knn(store, teryt=WADOWICE):
    from portal.similar import similar_units

    return [u["teryt"] for u in similar_units(store, teryt, k=10)["units"]]


def _by_hand(store, indicator, codes, year):
    """Quartiles over the units' values read one by one with store.point, as pandas (the pipeline) computes them."""
    import pandas as pd

    values = pd.Series([store.point(indicator, c, year)["value"] for c in codes], dtype=float).dropna()
    q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
    return {"n": len(values), "q1": q1, "median": median, "q3": q3}


def test_knn_statistics_equal_the_quartiles_computed_by_hand_over_the_ten_units(store):
    codes = _knn(store)
    assert len(codes) == 10 and WADOWICE not in codes
    comparison = budget.comparison_of(WADOWICE, "knn")
    assert comparison.mode == "knn" and comparison.knn == tuple(codes)
    year = budget.resolve_state(WADOWICE, {}).year
    differs = 0
    for row in budget.section_rows(WADOWICE, year, peers="knn"):
        hand = _by_hand(store, row["indicator"], codes, year)
        assert row["n_peer"] == hand["n"] >= 9  # a unit without a value that year is left out, not counted
        assert (row["q1"], row["median"], row["q3"]) == pytest.approx((hand["q1"], hand["median"], hand["q3"]))
        peer = store.point(row["indicator"], WADOWICE, year)["peer"]
        differs += row["median"] != pytest.approx(peer["median"])
        assert row["gap_zl"] == pytest.approx((hand["median"] - row["value"]) * store.units.at[WADOWICE, "population"])
    assert differs >= 5  # the ten units are not the 123-unit peer group

    # The small multiples use the same statistics, year by year (education panel: the fourth).
    fig = budget.trends_figure(WADOWICE, year, peers="knn")
    median = next(t for t in fig["data"] if t.get("xaxis") == "x4" and t["name"].startswith("mediana"))
    for y, m in zip(median["x"], median["y"], strict=True):
        assert m == pytest.approx(_by_hand(store, EDUCATION, codes, y)["median"])
    assert median["name"] == "mediana 10 najbardziej podobnych"

    # Own revenue too, and the scatter shows exactly the ten units (the unit as the red diamond).
    for row in budget.revenue_rows(WADOWICE, year, peers="knn"):
        assert row["median"] == pytest.approx(_by_hand(store, row["indicator"], codes, year)["median"])
    scatter, caption = budget.scatter_view(WADOWICE, year, "801-854", peers="knn")
    assert sorted(scatter["data"][0]["text"]) == sorted(store.units.loc[codes, "display_name"])
    assert scatter["data"][0]["name"] == "10 najbardziej podobnych jednostek"
    assert caption[0].startswith("Każdy punkt to jedna z 10 najbardziej podobnych jednostek:")


def test_the_state_parses_and_writes_podobne_knn():
    from portal.state import PEER_MODES

    assert budget.PEER_MODES == PEER_MODES  # the same words as the explorer's ViewState
    state = budget.resolve_state(WADOWICE, {"rok": "2021", "podobne": "knn", "lang": "en"})
    assert state.peers == "knn"
    assert state.search() == "?rok=2021&podobne=knn&lang=en"
    assert budget.resolve_state(WADOWICE, budget.parse_search(state.search())) == state
    for other in ({}, {"podobne": "1"}, {"podobne": "grupa"}, {"podobne": "xyz"}):
        plain = budget.resolve_state(WADOWICE, {"rok": "2021", **other})
        assert plain.peers == "grupa" and "podobne" not in plain.search()
    # The radio writes the URL; the URL alone does not.
    state, write = sync(ids.BUDGET_PEERS, "?rok=2020", "2020", "801-854", f"/budzet/{WADOWICE}", "knn")
    assert state.peers == "knn" and write and state.search() == "?rok=2020&podobne=knn"
    state, write = sync(ids.BUDGET_URL, "?rok=2020&podobne=knn", "2020", "801-854", f"/budzet/{WADOWICE}", "grupa")
    assert state.peers == "knn" and not write
    state, write = sync(ids.BUDGET_PEERS, "?rok=2020&podobne=knn", "2020", "801-854", f"/budzet/{WADOWICE}", "grupa")
    assert state.peers == "grupa" and write and state.search() == "?rok=2020"
    page = str(budget.layout(teryt=WADOWICE, rok="2020", podobne="knn"))
    assert ids.BUDGET_PEERS in page and "Porównuj z" in page and "10 najbardziej podobnymi jednostkami" in page


def test_gap_sentences_and_texts_name_the_chosen_group(store):
    from portal.explain import format_money

    codes = _knn(store)
    year = 2024
    population = store.units.at[WADOWICE, "population"]
    value = store.point(EDUCATION, WADOWICE, year)["value"]
    knn_median = _by_hand(store, EDUCATION, codes, year)["median"]
    word = "mniej" if value > knn_median else "więcej"
    knn = dict(budget.gap_sentences(WADOWICE, year, peers="knn"))
    assert knn["801-854"] == (
        "Gdyby gmina wydawała na oświatę tyle na mieszkańca, co mediana 10 najbardziej podobnych jednostek, "
        f"wydałaby o {format_money(abs(value - knn_median) * population)} {word}."
    )
    assert all("10 najbardziej podobnych jednostek" in t for t in knn.values())
    group = dict(budget.gap_sentences(WADOWICE, year))
    assert all("najbardziej" not in t and "podobnych gmin" in t for t in group.values())
    assert knn != group
    english = dict(budget.gap_sentences(WADOWICE, year, "en", peers="knn"))
    assert all("the median of the 10 most similar units" in t for t in english.values())

    knn_state = budget.resolve_state(WADOWICE, {"rok": str(year), "podobne": "knn"})
    group_state = budget.resolve_state(WADOWICE, {"rok": str(year)})
    assert "na tle 10 najbardziej podobnych jednostek" in budget.lead_text(knn_state)
    assert "gminy miejsko-wiejskie, 20–50 tys. mieszkańców" in budget.lead_text(group_state)
    assert "mediana 10 najbardziej podobnych:" in str(budget.summary_line(knn_state))
    assert "na tle 10 najbardziej podobnych jednostek" in str(budget.spending_table(WADOWICE, year, peers="knn"))
    revenue = budget.revenue_figure(WADOWICE, year, peers="knn")
    assert revenue["data"][0]["y"][1] == "Mediana 10 najbardziej podobnych"


def test_the_similar_units_are_listed_with_links_and_the_synthetic_choice_labelled(store):
    state = budget.resolve_state(WADOWICE, {"podobne": "knn"})
    block = str(budget.similar_block(state))
    for code in _knn(store):
        assert f"/jst/{code}" in block
    assert "Andrychów" in block and "synthetic-badge" in block and "syntetyczne" in block
    assert budget.similar_block(budget.resolve_state(WADOWICE, {})) == []


def test_a_unit_without_context_data_falls_back_to_its_peer_group(store):
    from portal.similar import similar_units

    teryt = "0201062"
    assert similar_units(store, teryt, k=10)["missing"] == ["own_revenue"]
    comparison = budget.comparison_of(teryt, "knn")
    assert comparison.mode == "grupa" and comparison.missing == ("own_revenue",)
    state = budget.resolve_state(teryt, {"podobne": "knn"})
    assert state.peers == "knn"  # the choice stays in the URL; the note says why it is not used
    assert "Brak danych o cechach: dochody własne na mieszkańca" in str(budget.similar_block(state))
    year = budget.year_list(teryt)[1]
    for knn_row, row in zip(budget.section_rows(teryt, year, peers="knn"), budget.section_rows(teryt, year), strict=True):
        assert knn_row["median"] == row["median"]
    assert "podobnych jednostek (gminy" in budget.lead_text(state)


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True  # files only: leave Dash's page callbacks to the page apps
    return app.server.test_client()


def _csv(body: bytes):
    import pandas as pd

    lines = body.decode("utf-8-sig").splitlines()
    return lines[:5], pd.read_csv(io.StringIO("\n".join(lines)), sep=";", decimal=",", skiprows=6)


def test_downloads_carry_the_chosen_group(client, store):
    from openpyxl import load_workbook

    year = 2024
    codes = _knn(store)
    knn_state = budget.resolve_state(WADOWICE, {"rok": str(year), "podobne": "knn"})
    hrefs = [c.href for c in budget.download_links(knn_state) if getattr(c, "href", None)]
    assert hrefs == [f"/pobierz/budzet.csv?jst={WADOWICE}&rok={year}&podobne=knn",
                     f"/pobierz/budzet.xlsx?jst={WADOWICE}&rok={year}&podobne=knn"]
    assert [h for _, h in budget.downloads_of(knn_state)] == hrefs

    r = client.get(hrefs[0])
    assert r.status_code == 200
    header, knn = _csv(r.data)
    assert "10 najbardziej podobnych jednostek" in header[0] and "Andrychów" in header[0]
    assert "syntetyczne dochody własne" in header[0]
    row = knn.set_index("wskaznik_id").loc[EDUCATION]
    assert row["mediana_podobnych"] == pytest.approx(_by_hand(store, EDUCATION, codes, year)["median"], abs=0.01)
    assert row["liczba_w_grupie"] == 10
    assert set(knn["grupa_porownawcza"]) == {"10 najbardziej podobnych jednostek (podobne JST)"}
    assert set(knn["syntetyczne"]) == {"tak"}

    header, group = _csv(client.get(f"/pobierz/budzet.csv?jst={WADOWICE}&rok={year}").data)
    peer = store.point(EDUCATION, WADOWICE, year)["peer"]
    row = group.set_index("wskaznik_id").loc[EDUCATION]
    assert row["mediana_podobnych"] == pytest.approx(peer["median"], abs=0.01)
    assert row["liczba_w_grupie"] == peer["n"]
    assert set(group["grupa_porownawcza"]) == {"gminy miejsko-wiejskie, 20–50 tys. mieszkańców"}
    assert "Andrychów" not in header[0]

    wb = load_workbook(io.BytesIO(client.get(hrefs[1]).data))
    info = {row[0]: row[1] for row in wb["informacje"].iter_rows(values_only=True) if row and row[0]}
    assert "10 najbardziej podobnych jednostek" in info["Tabela"]
    header, fallback = _csv(client.get("/pobierz/budzet.csv?jst=0201062&podobne=knn").data)
    assert "brak danych o cechach" in header[0] and "gminy wiejskie" in set(fallback["grupa_porownawcza"]).pop()


# ------------------------------------------------------------------------------------------------ series breaks
BREAK_UNIT = "1211033"  # Czarny Dunajec: gmina type 2→3 (wiejska → miejsko-wiejska) between 2020 and 2023


def _break_lines(fig):
    return [s for s in fig["layout"]["shapes"] if s["line"].get("dash") == "dash"]


def test_small_multiples_mark_a_series_break(store):
    from portal.breaks import series_breaks

    (brk,) = series_breaks(store, BREAK_UNIT)
    assert brk["change"] == "type" and brk["year"] == 2023
    fig = budget.trends_figure(BREAK_UNIT, 2024)
    lines = _break_lines(fig)
    assert len(lines) == 9  # one per panel
    assert {(s["xref"], s["x0"]) for s in lines} == {(f"x{k or ''}", 2022.5) for k in [0, *range(2, 10)]}
    assert all(s["line"]["color"] == budget.BREAK_COLOUR for s in lines)
    labels = [a for a in fig["layout"]["annotations"] if a.get("hovertext")]
    assert len(labels) == 9 and all(a["text"] == "zmiana typu" for a in labels)
    assert "2→3: wiejska → miejsko-wiejska" in labels[0]["hovertext"]
    assert any(t["name"] == "przerwa w serii (zmiana terytorialna)" for t in fig["data"])
    note = budget.break_note(BREAK_UNIT)
    assert note is not None and "między 2020 a 2023 r." in note.children and "Pomarańczowa" in note.children
    assert "break-note" in str(budget.layout(teryt=BREAK_UNIT))
    english = budget.break_note(BREAK_UNIT, "en").children
    assert english.startswith("Series break – change of gmina type")


@pytest.mark.parametrize("teryt", [WADOWICE, "0614053"])  # no change; Końskowola changes in 2025, after the years shown
def test_no_break_marker_without_a_break_in_the_years_shown(teryt):
    fig = budget.trends_figure(teryt, 2024)
    assert _break_lines(fig) == []
    assert not any(a.get("hovertext") for a in fig["layout"]["annotations"])
    assert not any("przerwa" in t["name"] for t in fig["data"])
    assert budget.break_note(teryt) is None
    assert "break-note" not in str(budget.layout(teryt=teryt))
    # The chosen year is still marked, in grey (orange dashes mean a break).
    assert [s["line"]["color"] for s in fig["layout"]["shapes"]] == ["#868e96"] * 9


def test_share_panels_follow_the_view():
    # Changing year or comparison group re-renders every chart's share panel: its link is the new view.
    from dash import dcc

    from tests.unit._tree import walk

    state = budget.resolve_state("1218093", {"rok": "2019", "podobne": "knn"})
    view = budget.budget_view(state)
    for chart in budget.SHARE_CHARTS:
        stores = [n for n in walk(view[f"share:{chart}"]) if isinstance(n, dcc.Store)]
        link = stores[0].data["link"]["current"]
        assert link.startswith("/budzet/1218093?") and "rok=2019" in link and "podobne=knn" in link
