"""Search as people type it: a leading word names the level or the city; Enter opens the first result; the
404 page suggests the nearest names and codes."""

from __future__ import annotations

from layouts.not_found import suggestions
from layouts.start import search_results
from portal.search import first_result, nearest_units, parse_query, search_units
from tests.unit._tree import links


def _codes(store, q, limit=5):
    return [h["teryt"] for h in search_units(store, q, limit=limit)]


def test_leading_words_name_the_level(store):
    assert parse_query("gmina Kraków").level == "gmina"
    assert parse_query("powiat krakowski").level == "powiat"
    assert parse_query("woj. małopolskie").level == "wojewodztwo"
    assert parse_query("m. Kraków").kinds == ("miejska", "mnpp") and parse_query("m. Kraków").level is None
    assert parse_query("Kraków").level is None and parse_query("Kraków").text == "Kraków"


def test_gmina_powiat_and_city_find_what_they_say(store):
    # "gmina Kraków": the gmina, not the gminy of the powiat krakowski (whose display names say "pow. krakowski").
    assert _codes(store, "gmina Kraków") == ["1261011"]
    assert _codes(store, "powiat krakowski")[0] == "1206"
    assert all(len(c) == 4 for c in _codes(store, "powiat krakowski"))
    # "m. Kraków": the city – its gmina, then the city with powiat rights; no rural gmina.
    assert _codes(store, "m. Kraków") == ["1261011", "1261"]
    assert _codes(store, "miasto Olsztyn") == ["2862011", "2862"]  # not the rural-urban gmina Olsztyn (2404123)
    assert _codes(store, "powiat Kraków")[0] == "1261"
    assert _codes(store, "woj. małopolskie") == ["12"]
    # Without a leading word: all of them, the plain name first.
    assert _codes(store, "Kraków")[:2] == ["1261011", "1261"]


def test_enter_opens_the_first_result(store):
    assert first_result("powiat krakowski") == "/jst/1206"
    assert first_result("m. Kraków", "en") == "/jst/1261011?lang=en"
    assert first_result("zzzz-nothing") is None and first_result("  ") is None
    assert links(search_results("gmina Kraków"))[0] == "/jst/1261011"


def test_enter_callback_navigates(store):
    from callbacks.start import open_first

    assert open_first(1, "powiat krakowski", "") == ("/jst/1206", "")
    assert open_first(1, "m. Kraków", "?lang=en") == ("/jst/1261011", "?lang=en")


def test_not_found_suggests_the_nearest_names_and_codes(store):
    assert nearest_units(store, "/jst/wadowcie")[0] == "1218093"
    assert nearest_units(store, "1218099")[0] == "1218093"  # same powiat and gmina number, wrong type digit
    near = nearest_units(store, "12180")
    assert near and all(c.startswith("12180") for c in near)
    assert nearest_units(store, "Bolesławeic")[:3] == ["0201011", "0201022", "1018013"]
    hrefs = [h for _, h in suggestions("unit", "wadowcie", "pl")]
    assert hrefs[0] == "/jst/1218093"
    assert [h for _, h in suggestions("path", "/porownja", "pl")][0] == "/porownaj"
    assert [h for _, h in suggestions("indicator", "egzamin-8-matma", "pl")][0].startswith("/wskaznik/egzamin-8-")
