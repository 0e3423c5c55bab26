"""API labels and sources: attribution lists only the sources of the values returned, a synthetic value's
sentence says so itself, one licence statement (the release's)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True  # routes only (see tests/unit/test_api.py)
    return app.server.test_client()


def test_official_answers_credit_their_own_sources(client, store):
    body = client.get("/api/v1/values?indicator=egzamin-8-matematyka&units=1218093").get_json()
    assert body["meta"]["attribution"] == [store.catalogue.by_id["egzamin-8-matematyka"].source.attribution]
    assert body["meta"]["licence"] == store.meta["licence"]["data"]
    listing = client.get("/api/v1/indicators").get_json()
    assert not any("SMUP" in a or "syntetyczn" in a for a in listing["meta"]["attribution"])
    assert not any(i["synthetic"] for i in listing["items"])


def test_synthetic_answers_credit_no_official_source(client, demo_store):
    ind = next(i for i in demo_store.catalogue.indicators if demo_store.is_synthetic(i.id) and "gmina" in i.levels)
    body = client.get(f"/api/v1/values?indicator={ind.id}&units=1218093&demo=1").get_json()
    assert body["meta"]["attribution"] == [demo_store.meta["demo_source"]["attribution"]]
    assert all(v["synthetic"] for v in body["items"])
    # Without demo=1 the API has no such indicator: official values only.
    assert client.get(f"/api/v1/values?indicator={ind.id}&units=1218093").status_code == 404


def test_profile_sentences_of_synthetic_values_carry_the_mark(client, demo_store):
    body = client.get("/api/v1/profiles/1218093?demo=1").get_json()
    cards = [c for a in body["areas"] for c in a["indicators"]]
    synthetic = [c for c in cards if c["synthetic"]]
    assert synthetic and all(c["sentence"].endswith("[wartość syntetyczna, nie dane urzędowe]") for c in synthetic)
    assert all("syntetyczn" not in c["sentence"] for c in cards if not c["synthetic"])
    assert any("syntetyczne" in a for a in body["meta"]["attribution"])
    official = client.get("/api/v1/profiles/1218093").get_json()
    assert not any(c["synthetic"] for a in official["areas"] for c in a["indicators"])
    assert not any("syntetyczn" in a for a in official["meta"]["attribution"])
