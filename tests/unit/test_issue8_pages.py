"""Issue 8 on the pages: funnel plots, 'within chance variation' labels, similar units, breaks, the pack."""

from __future__ import annotations

import pytest

from layouts import indicator as indicator_page
from layouts import profile
from portal.state import ViewState, resolve_state
from portal.uncertainty import indistinguishable
from tests.unit._tree import by_id, find, text
from tests.unit.test_debate_pack import bookmarks

# These tests exercise the page mechanics on the demo edition (official plus synthetic values).
pytestmark = pytest.mark.usefixtures("demo_mode")

RATE = "zlobki-miejsca-na-1000"
NOT_RATE = "egzamin-8-matematyka"
WADOWICE = "1218093"
SMALL = "2210011"  # Krynica Morska, ~1 300 residents
WITH_BREAK = "0614053"  # a rural gmina that became urban-rural (type change, 2025)
CHANCE = "w granicach przypadkowych wahań"


@pytest.fixture
def store(demo_store):
    """The demo edition's store: the pages under demo_mode read it, so the tests check against the same."""
    return demo_store


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True  # routes only (see tests/unit/test_api.py)
    return app.server.test_client()


def _funnel_graphs(tree) -> list:
    """dcc.Graphs whose figure has the funnel's limit lines."""
    def is_funnel(c) -> bool:
        fig = getattr(c, "figure", None)
        names = [t.get("name") for t in (fig or {}).get("data", [])] if isinstance(fig, dict) else []
        return "granice 95%" in names or "95% limits" in names

    return find(tree, is_funnel)


# ------------------------------------------------------------------------------------------ indicator page
def test_rate_indicator_page_has_the_funnel(store):
    assert store.catalogue.by_id[RATE].rate
    tree = indicator_page.layout(indicator=RATE)
    graphs = _funnel_graphs(tree)
    assert len(graphs) == 1
    fig = graphs[0].figure
    points = sum(len(t["x"]) for t in fig["data"] if t.get("mode") == "markers")
    assert points > 2000  # every gmina with data is a dot
    assert "Wykres lejkowy pokazuje" in text(tree)


def test_non_rate_indicator_page_has_no_funnel(store):
    assert not store.catalogue.by_id[NOT_RATE].rate
    assert _funnel_graphs(indicator_page.layout(indicator=NOT_RATE)) == []


def test_three_year_average_and_peer_reference_in_the_url(store):
    state = indicator_page.parse_state(RATE, {"srednia": "3", "grupa": "wiejska-do-5k"})
    assert state.window == 3 and state.group == "wiejska-do-5k"
    assert state.to_query()["srednia"] == "3" and state.to_query()["grupa"] == "wiejska-do-5k"
    view = indicator_page.funnel_view(state)
    assert "średnie z lat" in text(view)
    # Not a rate indicator, or an unknown group: both ignored.
    assert indicator_page.parse_state(NOT_RATE, {"srednia": "3"}).window is None
    assert indicator_page.parse_state(RATE, {"grupa": "nie-ma"}).group is None


def test_indicator_callback_switches_the_funnel_only():
    from callbacks import indicator as cb

    current = indicator_page.parse_state(RATE, {}).as_dict()
    state, write = cb.next_state("indicator-window", "", current, RATE, window=["3"])
    assert write and state.window == 3
    state, write = cb.next_state("indicator-group", "?srednia=3", state.as_dict(), RATE, group="PL")
    assert state.group is None and state.window == 3


# ---------------------------------------------------------------------------------------------- area explorer
def test_area_explorer_funnel_view_highlights_the_unit(store):
    from callbacks import area as cb

    state = resolve_state(store, "polityka-spoleczna", {"wskaznik": RATE, "jst": WADOWICE, "widok": "lejek"})
    assert state.view == "lejek"
    fig, note = cb.funnel_view(state)
    highlighted = [t for t in fig["data"] if t.get("customdata") == [WADOWICE]]
    assert len(highlighted) == 1 and "Wadowice" in highlighted[0]["text"][0]
    assert "Każda kropka" in note
    other = resolve_state(store, "edukacja", {"wskaznik": NOT_RATE, "jst": WADOWICE, "widok": "lejek"})
    fig, note = cb.funnel_view(other)
    assert fig["data"] == [] and "tylko dla wskaźników" in note


def test_area_explorer_sentence_says_within_chance_variation(store):
    from callbacks import area as cb

    year = store.latest_year(RATE, "gmina")
    assert indistinguishable(store, RATE, SMALL, year) is True
    state = resolve_state(store, "polityka-spoleczna", {"wskaznik": RATE, "jst": SMALL, "rok": str(year)})
    heading = text(cb.heading_view(state))
    assert CHANCE in heading
    assert "przypadkowych wahań" in heading


def test_knn_peer_filter(store):
    from callbacks import area as cb

    base = {"wskaznik": NOT_RATE, "jst": WADOWICE, "widok": "ranking"}
    knn = resolve_state(store, "edukacja", {**base, "podobne": "knn"})
    assert knn.peers == "knn" and knn.to_query()["podobne"] == "knn"
    rows = cb.ranking_rows(knn)
    assert len(rows) == 11 and WADOWICE in {r["teryt"] for r in rows}
    # podobne=1 still means the fixed peer group.
    group = resolve_state(store, "edukacja", {**base, "podobne": "1"})
    assert group.peers == "grupa" and group.to_query()["podobne"] == "1"
    assert len(cb.ranking_rows(group)) > 11
    # The checklist: the option just switched on wins.
    assert cb.peer_mode(["1", "knn"], "grupa") == "knn"
    assert cb.peer_mode(["knn", "1"], "knn") == "grupa"
    assert cb.peer_mode([], "knn") is False
    assert cb.ranking_rows(ViewState(**{**group.as_dict(), "peers": True}))  # True reads as the peer group


# ---------------------------------------------------------------------------------------------- profile
def test_small_gmina_profile_shows_the_chance_label(demo_store):
    from portal import profile as prof

    unit = demo_store.unit(SMALL)
    cards = prof.build_cards(demo_store, unit, None, "pl")
    within = [c for c in cards if c.indicator.rate and c.year
              and indistinguishable(demo_store, c.indicator.id, SMALL, c.year) is True]
    assert within, "no rate indicator within chance variation for the small gmina"
    assert all(c.chance for c in within)
    tree = profile.layout(teryt=SMALL)
    for card in within:
        node = by_id(tree, {"type": "unit-card", "teryt": SMALL, "indicator": card.indicator.id})
        assert CHANCE in text(node)
        # The sentence never judges within the limits.
        assert "lepszy" not in card.sentence and "gorszy" not in card.sentence
    assert "within chance variation" in text(profile.layout(teryt=SMALL, lang="en"))


@pytest.mark.parametrize("teryt", [SMALL, WADOWICE, "0201011", "1465011"])
def test_card_chance_agrees_with_the_library(demo_store, teryt):
    from portal import profile as prof

    for card in prof.build_cards(demo_store, demo_store.unit(teryt), None, "pl"):
        if card.indicator.rate and card.year and card.point and card.point.get("value") is not None:
            expected = indistinguishable(demo_store, card.indicator.id, teryt, card.year)
            assert card.chance == expected, card.indicator.id


def test_profile_has_similar_units(store):
    tree = profile.layout(teryt=WADOWICE)
    section = find(tree, lambda c: getattr(c, "id", None) == "podobne")[0]
    body = text(section)
    assert "Podobne jednostki" in body and "Najbardziej podobne pod względem" in body
    assert len(find(section, lambda c: "similar-item" in (getattr(c, "className", "") or ""))) == 10
    # Switching variables through the URL.
    one = profile.layout(teryt=WADOWICE, zmienne="population")
    assert by_id(one, "profile-similar-vars").value == ["population"]
    from callbacks import profile as cb

    search, children = cb.similar_update(["population", "type"], "?rok=2024", f"/jst/{WADOWICE}")
    assert search == "?rok=2024&zmienne=population,type"
    assert "liczba mieszkańców" in text(children)


def test_breaks_note_on_the_profile(demo_store):
    from portal import profile as prof

    assert "zmienił się typ gminy" in text(profile.layout(teryt=WITH_BREAK))
    assert "porównując lata" not in text(profile.layout(teryt=WADOWICE))
    card = next(c for c in prof.build_cards(demo_store, demo_store.unit(WITH_BREAK), None, "pl") if c.breaks)
    svg = profile.sparkline_svg(card.years, card.values, breaks=card.breaks)
    assert 'class="break"' in svg


def test_pack_link_follows_the_checklist():
    from callbacks import profile as cb

    tree = profile.layout(teryt=WADOWICE)
    link = by_id(tree, "profile-pack-link")
    assert link.href.startswith("/pobierz/pakiet.pdf?jst=1218093&wskazniki=egzamin-8-matematyka,")
    href = cb.pack_link(["a-b", RATE], "?lang=en", f"/jst/{WADOWICE}")
    assert href == f"/pobierz/pakiet.pdf?jst={WADOWICE}&wskazniki=a-b,{RATE}&lang=en&demo=1"


def test_budget_has_the_pack_link():
    from layouts import budget

    tree = budget.layout(teryt=WADOWICE)
    assert by_id(tree, "budget-pack-link").href.startswith("/pobierz/pakiet.pdf?jst=1218093")


# ---------------------------------------------------------------------------------------------- routes
def test_similar_api(client):
    r = client.get(f"/api/v1/units/{WADOWICE}/similar?k=5")
    assert r.status_code == 200
    body = r.get_json()
    assert len(body["units"]) == 5
    distances = [u["distance"] for u in body["units"]]
    assert distances == sorted(distances)
    assert set(body["units"][0]["contributions"]) == {v["id"] for v in body["variables"]}
    assert body["meta"]["data_version"] and body["meta"]["attribution"]
    r = client.get(f"/api/v1/units/{WADOWICE}/similar?k=3&vars=population,density")
    assert [v["id"] for v in r.get_json()["variables"]] == ["population", "density"]


@pytest.mark.parametrize(
    ("query", "parameter"), [("k=0", "k"), ("k=51", "k"), ("k=x", "k"), ("vars=foo", "vars")]
)
def test_similar_api_errors_name_the_parameter(client, query, parameter):
    r = client.get(f"/api/v1/units/{WADOWICE}/similar?{query}")
    assert r.status_code == 400
    assert r.get_json()["error"]["parameter"] == parameter


def test_similar_api_unknown_unit(client):
    assert client.get("/api/v1/units/9999999/similar").status_code == 404


def test_debate_pack_route(client):
    chosen = [RATE, NOT_RATE, "kanalizacja-odsetek"]
    r = client.get(f"/pobierz/pakiet.pdf?jst={SMALL}&wskazniki={','.join(chosen)}&lang=pl&demo=1")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"%PDF")
    assert len(bookmarks(r.data)) == len(chosen)


@pytest.mark.parametrize(("query", "parameter"), [
    ("wskazniki=ludnosc", "jst"),
    ("jst=1218093", "wskazniki"),
    ("jst=1218093&wskazniki=nie-ma", "wskazniki"),
    ("jst=12x&wskazniki=ludnosc", "jst"),
    ("jst=1218093&wskazniki=ludnosc&lang=de", "lang"),
])
def test_debate_pack_route_errors(client, query, parameter):
    r = client.get(f"/pobierz/pakiet.pdf?{query}")
    assert r.status_code == 400
    assert f"„{parameter}”" in r.get_data(as_text=True)


def test_debate_pack_route_unknown_unit(client):
    assert client.get("/pobierz/pakiet.pdf?jst=9999999&wskazniki=ludnosc").status_code == 404


def test_funnel_caption_names_the_denominators_year_and_the_model(store):
    # Issue 13: the caption said "(2020, log scale)" whatever year the funnel's denominators were of.
    t = text(indicator_page.layout(indicator=RATE))
    year = store.latest_year(RATE, "gmina")
    assert f"mianownik wartości jednostki z {year} r." in t and "2020, skala" not in t
    assert "τ²" in t and "DerSimoniana–Lairda" in t  # the model of the limits, in words
