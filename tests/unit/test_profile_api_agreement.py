"""Issue 13: the profile page and the API's profile give the same year, verdict and sentence for every card."""

from __future__ import annotations

import pytest

from layouts import profile
from portal.api.v1 import SYNTHETIC_MARK
from tests.unit._tree import by_id, find, text

UNITS = ["1261011", "2461011", "1218062", "1218"]  # Kraków, Bielsko-Biała, Spytkowice (rural), powiat wadowicki


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True  # routes only (see tests/unit/test_api.py)
    return app.server.test_client()


def _labels(node) -> list[str]:
    return [text(n) for n in find(node, lambda c: "band" in (getattr(c, "className", "") or "").split())]


@pytest.mark.parametrize("teryt", UNITS)
@pytest.mark.parametrize(("lang", "year"), [("pl", None), ("en", None), ("pl", 2023)])
def test_every_card_says_on_the_page_what_the_api_says(client, teryt, lang, year):
    query = f"?lang={lang}" + (f"&year={year}" if year else "")
    body = client.get(f"/api/v1/profiles/{teryt}{query}").get_json()
    page = profile.layout(teryt=teryt, lang=lang, rok=str(year) if year else None)
    checked = 0
    for area in body["areas"]:
        for item in area["indicators"]:
            card = by_id(page, {"type": "unit-card", "teryt": teryt, "indicator": item["indicator"]})
            assert card is not None, item["indicator"]
            shown = text(card)
            assert f"({item['year']})" in shown, (item["indicator"], item["year"], shown[:200])
            # The API's sentence of a synthetic value carries the mark itself; the page says it under the card.
            assert item["sentence"].removesuffix(SYNTHETIC_MARK[lang]) in shown, item["indicator"]
            labels = _labels(card)
            if item["verdict"] in ("band", "chance", "small_base"):
                assert any(item["band"]["label"] in label for label in labels), (item["indicator"], labels)
            else:
                assert labels == [], (item["indicator"], labels)
            checked += 1
    assert checked >= 10


def test_bielsko_biala_pre_school_no_longer_disagrees(client, demo_mode):
    # The card the reviewers found: the page and the API now take the year and verdict from one function.
    body = client.get("/api/v1/profiles/2461011?demo=1").get_json()
    items = {i["indicator"]: i for a in body["areas"] for i in a["indicators"]}
    item = items["przedszkola-3-6-odsetek"]
    page = profile.layout(teryt="2461011")
    card = by_id(page, {"type": "unit-card", "teryt": "2461011", "indicator": "przedszkola-3-6-odsetek"})
    sentence = item["sentence"].removesuffix(SYNTHETIC_MARK["pl"])
    assert sentence != item["sentence"]  # synthetic: marked in the API
    assert f"({item['year']})" in text(card) and sentence in text(card) and "syntetyczna" in text(card)
