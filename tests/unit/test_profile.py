"""The unit profile page: official values first, the story on the first screen, areas without official data,
verdicts, levels, changed and unknown codes, languages; the demo's synthetic cards keep their badge."""

from __future__ import annotations

import math
import re

import pytest

from layouts import profile
from layouts.not_found import NotFound
from portal import profile as prof
from tests.unit._tree import by_id, find, text

WADOWICE = "1218093"
RURAL = "1218062"  # Spytkowice, a rural gmina of powiat wadowicki


def text_of(node) -> str:
    return text(node)


def classes(node) -> str:
    return getattr(node, "className", None) or ""


@pytest.fixture(scope="module")
def wadowice(store):
    return profile.layout(teryt=WADOWICE)


# ---------------------------------------------------------------------------------------------- official first
def test_default_mode_shows_no_synthetic_value(wadowice, store):
    assert not store.demo
    cards = find(wadowice, lambda c: "profile-card" in classes(c))
    assert len(cards) > 20
    assert not [c for c in cards if "is-synthetic" in classes(c)]
    assert not find(wadowice, lambda c: "synthetic-badge" in classes(c))
    body = text(find(wadowice, lambda c: classes(c) == "profile")[0])
    demo_links = " ".join(text(n) for n in find(wadowice, lambda c: "no-official" in classes(c)))
    # Only the links to the demo speak of synthetic data.
    assert body.lower().count("syntetyczn") == demo_links.lower().count("syntetyczn") > 0
    for ind in prof.profile_indicators(store, "gmina"):
        assert not store.is_synthetic(ind.id)


def test_an_area_without_official_indicators_says_so_once_and_links_to_the_demo(wadowice, store):
    section = by_id(wadowice, "ochrona-srodowiska")
    assert section is not None
    notes = find(section, lambda c: "no-official" in classes(c))
    assert len(notes) == 1
    note = text(notes[0])
    assert "omup data fetch" in note and "BDL" in note
    assert [c.href for c in find(section, lambda c: getattr(c, "href", None))] == [f"/jst/{WADOWICE}?demo=1"]
    assert not find(section, lambda c: "profile-card" in classes(c))


def test_wadowice_has_education_sentence_median_and_band(wadowice):
    body = text(wadowice)
    assert "Wadowice" in body
    assert "ósmoklasiści w gminie uzyskali z matematyki średnio" in body
    assert "mediana podobnych" in body
    assert find(wadowice, lambda c: "band band-" in classes(c))


def test_cards_have_dict_ids_and_sections_anchors(wadowice):
    card_ids = [c.id for c in find(wadowice, lambda c: isinstance(getattr(c, "id", None), dict))]
    assert {"type": "unit-card", "teryt": WADOWICE, "indicator": "egzamin-8-matematyka"} in card_ids
    anchors = {c.id for c in find(wadowice, lambda c: "profile-area" in classes(c))}
    assert {"edukacja", "kontekst", "finanse-jst"} <= anchors


def test_links_to_budget_compare_downloads_and_explorer(wadowice):
    hrefs = [c.href for c in find(wadowice, lambda c: getattr(c, "href", None))]
    assert f"/budzet/{WADOWICE}" in hrefs
    assert f"/porownaj?jst={WADOWICE}" in hrefs
    assert any(h.startswith(f"/pobierz/profil.csv?jst={WADOWICE}&rok=") for h in hrefs)
    assert any(h.startswith(f"/pobierz/profil.xlsx?jst={WADOWICE}") for h in hrefs)
    assert any(h.startswith("/obszar/edukacja?") and f"jst={WADOWICE}" in h and "wskaznik=" in h for h in hrefs)
    assert "/jst/1218" in hrefs and "/jst/12" in hrefs


# ---------------------------------------------------------------------------------------------- first screen
@pytest.mark.parametrize("teryt", [WADOWICE, RURAL, "1261011", "1218", "12"])
def test_headline_strip_shows_four_to_six_official_values_as_the_store_holds_them(store, teryt):
    unit = store.unit(teryt)
    cards = prof.build_cards(store, unit, None, "pl")
    chosen = prof.headline_cards(store, unit, cards)
    assert 4 <= len(chosen) <= 6
    assert len({c.indicator.area for c in chosen}) == len(chosen)  # one per area
    for c in chosen:
        assert not c.synthetic and not store.is_synthetic(c.indicator.id)
        point = store.point(c.indicator.id, teryt, c.year)
        assert c.value == point["value"] and c.peer_median == point["peer"]["median"]
    strip = find(profile.layout(teryt=teryt), lambda n: classes(n) == "headline-strip list-unstyled")
    assert len(strip) == 1 and len(strip[0].children) == len(chosen)


def test_population_sentence_recomputed_from_the_series(store):
    unit = store.unit(RURAL)
    cards = prof.build_cards(store, unit, None, "pl")
    series = [p for p in store.series("ludnosc", RURAL) if p["value"] is not None]
    first, last = series[0], series[-1]
    pct = 100 * (last["value"] - first["value"]) / first["value"]
    sentence = prof.population_sentence(store, unit, cards, "pl")
    assert sentence.startswith(f"Od {first['year']} do {last['year']} r. liczba mieszkańców")
    if abs(pct) >= 0.5:
        assert f"{abs(pct):.1f}".replace(".", ",") in sentence


def test_story_names_the_best_and_weakest_official_result(store):
    unit = store.unit(WADOWICE)
    cards = prof.build_cards(store, unit, None, "pl")
    strong, weak = prof.strengths(cards, k=1)
    sentence = prof.standout_sentence(store, unit, cards, "pl")
    if strong:
        assert (strong[0].indicator.short_name or strong[0].indicator.name).pl in sentence
    if weak:
        assert (weak[0].indicator.short_name or weak[0].indicator.name).pl in sentence


def test_locator_map_for_units_with_a_shape(store):
    from portal.locator import locator_svg

    svg = locator_svg(store, RURAL)
    assert svg.startswith("<svg") and svg.count("<path") == 1 + 19 + 3  # the gmina + Małopolska's 22 powiaty
    assert locator_svg(store, "1207132") is None  # Szczawa: created 2025, no shape yet
    imgs = find(profile.layout(teryt=RURAL), lambda c: classes(c) == "locator-map")
    assert len(imgs) == 1 and imgs[0].src.startswith("data:image/svg+xml")


def test_similar_units_and_pack_follow_the_contents_list(wadowice):
    toc = find(wadowice, lambda c: "profile-toc" in classes(c))[0]
    order = [a.href.lstrip("#") for a in find(toc, lambda c: getattr(c, "href", "").startswith("#"))]
    page_ids = [c.id for c in find(wadowice, lambda c: isinstance(getattr(c, "id", None), str) and c.id in order)]
    assert page_ids == order


def test_areas_open_by_default_and_as_the_url_says(store):
    tree = profile.layout(teryt=WADOWICE)
    foldable = find(tree, lambda c: "profile-area" in classes(c) and getattr(c, "open", None) is not None)
    assert foldable and all(d.open for d in foldable)
    tree = profile.layout(teryt=WADOWICE, otwarte="edukacja,nie-ma")
    opened = {d.id for d in find(tree, lambda c: "profile-area" in classes(c) and getattr(c, "open", False))}
    assert "edukacja" in opened and "finanse-jst" not in opened and "ochrona-srodowiska" not in opened


# ---------------------------------------------------------------------------------------------- cards
def test_strongest_and_weakest(store):
    unit = store.unit(WADOWICE)
    strong, weak = prof.strengths(prof.build_cards(store, unit, None, "pl"))
    assert strong or weak
    assert not {c.indicator.id for c in strong} & {c.indicator.id for c in weak}
    assert all(c.indicator.area != "kontekst" and c.indicator.direction != "neutral" for c in strong + weak)
    assert all(c.verdict == "band" for c in strong + weak)


def test_chosen_year(store):
    unit = store.unit(WADOWICE)
    cards = {c.indicator.id: c for c in prof.build_cards(store, unit, 2023, "pl")}
    assert cards["egzamin-8-matematyka"].year == 2023
    assert "W 2023 r." in cards["egzamin-8-matematyka"].sentence
    assert cards["ludnosc"].year == 2023
    # Nursery places start in 2024: an earlier year shows no value rather than a later one.
    assert cards["zlobki-miejsca-na-1000-mieszkancow"].year == 2023  # the year asked for, said as no data
    assert cards["zlobki-miejsca-na-1000-mieszkancow"].value is None


def test_six_digit_code_renders_today_unit_with_note():
    body = text(profile.layout(teryt="121809"))
    assert "Wadowice" in body
    assert "Kod 121809 zmienił się na 1218093" in body


def test_unknown_code_raises_not_found():
    with pytest.raises(NotFound):
        profile.layout(teryt="0000000")
    with pytest.raises(NotFound):
        profile.layout(teryt="abc")


@pytest.mark.parametrize(("teryt", "expected"), [
    ("1218", "powiat wadowicki"), ("12", "województwo małopolskie"), ("1261011", "Kraków"), ("1261", "Kraków"),
])
def test_other_levels_render(teryt, expected):
    tree = profile.layout(teryt=teryt)
    assert expected in text(tree)
    assert find(tree, lambda c: "profile-card" in classes(c))


def test_powiat_lists_gminy_and_wojewodztwo_lists_powiaty():
    assert "Gminy w powiecie (10)" in text(profile.layout(teryt="1218"))
    assert "Powiaty i miasta na prawach powiatu (22)" in text(profile.layout(teryt="12"))


def test_city_with_powiat_rights_reads_as_city():
    body = text(profile.layout(teryt="1261011"))
    assert "miasto na prawach powiatu" in body
    assert "w mieście" in body


def test_new_gmina_without_shape_has_note():
    body = text(profile.layout(teryt="1207132"))
    assert "Szczawa" in body
    assert "Nowa gmina, utworzona 1 stycznia 2025 r. z gminy Kamienica" in body


def test_english():
    body = text(profile.layout(teryt=WADOWICE, lang="en"))
    assert "peer median" in body
    assert "eighth-graders in the gmina scored on average" in body
    assert "Strengths and weaknesses" in body and "Similar units" in body


def test_validation_layout_without_arguments():
    assert profile.layout()


def test_powiat_similar_units_use_the_variables_the_level_has(store):
    assert "own_revenue" not in prof.similar_variables(store, "powiat")
    tree = profile.layout(teryt="1218")
    assert len(find(by_id(tree, "podobne"), lambda c: "similar-item" in classes(c))) == 10


def test_callback_logic():
    from callbacks import profile as cb

    search, body, areas, value = cb.sync("profile-year", "2023", "?lang=en", f"/jst/{WADOWICE}")
    assert search == "?rok=2023&lang=en"
    assert "In 2023" in text(areas)
    search, body, areas, value = cb.sync("profile-url", "2023", "?otwarte=edukacja", f"/jst/{WADOWICE}")
    assert value == prof.LATEST
    assert re.search(r"W 2025 r\. ósmoklasiści", text(areas))
    # The open areas survive a change of year.
    search, *_ = cb.sync("profile-year", "2022", "?otwarte=edukacja", f"/jst/{WADOWICE}")
    assert search == "?rok=2022&otwarte=edukacja"


def test_sparkline_svg_breaks_at_gaps_and_marks_last_point():
    from portal.figures import sparkline_svg

    svg = sparkline_svg([2019, 2020, 2021, 2022], [1.0, None, 3.0, 4.0], peer_median=[2.0, 2.0, 2.0, 2.0])
    unit_path = svg.split('<path d="')[2].split('"')[0]
    assert unit_path.count("M") == 2  # a new stroke after the missing year
    assert "<circle" in svg and 'stroke-dasharray="2 3"' in svg
    assert profile.svg_data_uri(svg).startswith("data:image/svg+xml") and "#" not in profile.svg_data_uri(svg)
    assert sparkline_svg([2020], [None]).startswith("<svg")


# ---------------------------------------------------------------------------------------------- demo
def test_demo_cards_carry_the_synthetic_badge(demo_mode, demo_store):
    tree = profile.layout(teryt=WADOWICE)
    cards = find(tree, lambda c: "profile-card" in classes(c))
    synthetic = [c for c in cards if "is-synthetic" in classes(c)]
    assert synthetic and len(cards) > len(synthetic)
    assert all(find(c, lambda x: "synthetic-badge" in classes(x)) for c in synthetic)
    # The first screen stays official in the demo.
    strip = find(tree, lambda n: classes(n) == "headline-strip list-unstyled")[0]
    assert not find(strip, lambda x: "synthetic" in classes(x))
    assert by_id(tree, "profile-pack-link").href.endswith("&demo=1")


def test_demo_strengths_may_use_synthetic_values_and_say_so(demo_mode, demo_store):
    unit = demo_store.unit(WADOWICE)
    strong, weak = prof.strengths(prof.build_cards(demo_store, unit, None, "pl"))
    if any(c.synthetic for c in strong + weak):
        assert "syntetyczna" in text(by_id(profile.layout(teryt=WADOWICE), "mocne-slabe"))


def test_values_are_finite_or_missing(store):
    for c in prof.build_cards(store, store.unit(RURAL), None, "pl"):
        assert c.value is None or math.isfinite(c.value)
