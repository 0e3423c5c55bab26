"""The unit profile page: sentences, peer comparisons, levels, changed and unknown codes, languages."""

from __future__ import annotations

import pytest

from layouts import profile
from layouts.not_found import NotFound


def texts(node) -> list[str]:
    """Every string in a component tree, depth first."""
    if node is None:
        return []
    if isinstance(node, str | int | float):
        return [str(node)]
    if isinstance(node, list | tuple):
        return [t for child in node for t in texts(child)]
    return texts(getattr(node, "children", None))


def text_of(node) -> str:
    return " ".join(texts(node))


def find(node, predicate) -> list:
    """Components in the tree for which predicate(component) is true."""
    found = []
    if isinstance(node, list | tuple):
        for child in node:
            found += find(child, predicate)
        return found
    if node is None or isinstance(node, str | int | float):
        return found
    if predicate(node):
        found.append(node)
    return found + find(getattr(node, "children", None), predicate)


def classes(node) -> str:
    return getattr(node, "className", None) or ""


@pytest.fixture(scope="module")
def wadowice(store):
    return profile.layout(teryt="1218093")


def test_wadowice_has_education_sentence_median_and_band(wadowice):
    text = text_of(wadowice)
    assert "Wadowice" in text
    assert "ósmoklasiści w gminie uzyskali z matematyki średnio" in text
    assert "mediana podobnych" in text
    bands = find(wadowice, lambda c: "band band-" in classes(c))
    assert bands
    assert any(t in text for t in ("wśród najlepszych 20%", "powyżej przeciętnej", "przeciętnie"))


def test_cards_have_dict_ids_and_sections_anchors(wadowice):
    card_ids = [c.id for c in find(wadowice, lambda c: isinstance(getattr(c, "id", None), dict))]
    assert {"type": "unit-card", "teryt": "1218093", "indicator": "egzamin-8-matematyka"} in card_ids
    anchors = {c.id for c in find(wadowice, lambda c: "profile-area" in classes(c))}
    assert {"edukacja", "kontekst"} <= anchors


def test_synthetic_cards_carry_badge(wadowice, store):
    cards = find(wadowice, lambda c: "profile-card" in classes(c))
    synthetic = [c for c in cards if "is-synthetic" in classes(c)]
    assert synthetic
    assert all(find(c, lambda x: "synthetic-badge" in classes(x)) for c in synthetic)


def test_links_to_budget_compare_downloads_and_explorer(wadowice):
    hrefs = [c.href for c in find(wadowice, lambda c: getattr(c, "href", None))]
    assert "/budzet/1218093" in hrefs
    assert "/porownaj?jst=1218093" in hrefs
    assert any(h.startswith("/pobierz/profil.csv?jst=1218093&rok=") for h in hrefs)
    assert any(h.startswith("/pobierz/profil.xlsx?jst=1218093") for h in hrefs)
    assert any(h.startswith("/obszar/edukacja?") and "jst=1218093" in h and "wskaznik=" in h for h in hrefs)
    assert "/jst/1218" in hrefs and "/jst/12" in hrefs


def test_strongest_and_weakest(store):
    unit = store.unit("1218093")
    strong, weak = profile.strengths(profile.build_cards(store, unit, None, "pl"))
    assert strong and weak
    assert not {c.indicator.id for c in strong} & {c.indicator.id for c in weak}
    assert all(c.indicator.area != "kontekst" and c.indicator.direction != "neutral" for c in strong + weak)


def test_chosen_year(store):
    unit = store.unit("1218093")
    cards = {c.indicator.id: c for c in profile.build_cards(store, unit, 2023, "pl")}
    assert cards["egzamin-8-matematyka"].year == 2023
    assert "W 2023 r." in cards["egzamin-8-matematyka"].sentence
    assert cards["ludnosc"].year == 2020  # the latest year with data up to the chosen one


def test_six_digit_code_renders_today_unit_with_note():
    text = text_of(profile.layout(teryt="121809"))
    assert "Wadowice" in text
    assert "Kod 121809 zmienił się na 1218093" in text


def test_unknown_code_raises_not_found():
    with pytest.raises(NotFound):
        profile.layout(teryt="0000000")
    with pytest.raises(NotFound):
        profile.layout(teryt="abc")


@pytest.mark.parametrize(("teryt", "expected"), [
    ("1218", "powiat wadowicki"),
    ("12", "województwo małopolskie"),
    ("1261011", "Kraków"),
    ("1261", "Kraków"),
])
def test_other_levels_render(teryt, expected):
    tree = profile.layout(teryt=teryt)
    text = text_of(tree)
    assert expected in text
    assert find(tree, lambda c: "profile-card" in classes(c))


def test_powiat_lists_gminy_and_wojewodztwo_lists_powiaty():
    assert "Gminy w powiecie (10)" in text_of(profile.layout(teryt="1218"))
    assert "Powiaty i miasta na prawach powiatu (22)" in text_of(profile.layout(teryt="12"))


def test_city_with_powiat_rights_reads_as_city():
    text = text_of(profile.layout(teryt="1261011"))
    assert "miasto na prawach powiatu" in text
    assert "w mieście" in text


def test_new_gmina_without_shape_has_note():
    text = text_of(profile.layout(teryt="1207132"))
    assert "Szczawa" in text
    assert "Nowa gmina, utworzona 1 stycznia 2025 r. z gminy Kamienica" in text


def test_english():
    text = text_of(profile.layout(teryt="1218093", lang="en"))
    assert "peer median" in text
    assert "eighth-graders in the gmina scored on average" in text
    assert "Strengths and weaknesses" in text


def test_validation_layout_without_arguments():
    assert profile.layout()


def test_callback_logic():
    from callbacks import profile as cb

    search, body, value = cb.sync("profile-year", "2023", "?lang=en", "/jst/1218093")
    assert search == "?rok=2023&lang=en"
    assert "In 2023" in text_of(body)
    search, body, value = cb.sync("profile-url", "2023", "", "/jst/1218093")
    assert value == profile.LATEST
    assert "W 2025 r." in text_of(body)


def test_sparkline_svg_breaks_at_gaps_and_marks_last_point():
    from portal.figures import sparkline_svg

    svg = sparkline_svg([2019, 2020, 2021, 2022], [1.0, None, 3.0, 4.0], peer_median=[2.0, 2.0, 2.0, 2.0])
    unit_path = svg.split('<path d="')[2].split('"')[0]
    assert unit_path.count("M") == 2  # a new stroke after the missing year
    assert "<circle" in svg and 'stroke-dasharray="2 3"' in svg
    assert profile.svg_data_uri(svg).startswith("data:image/svg+xml") and "#" not in profile.svg_data_uri(svg)
    assert sparkline_svg([2020], [None]).startswith("<svg")
