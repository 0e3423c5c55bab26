"""Real data first: in default mode no page of the start/area/indicator/compare/about family, no embed, oEmbed
answer or the /api page shows a synthetic value; in demo mode every synthetic value carries its label.

The test walks every area, every indicator of the full catalogue (those without official values included) and
the embeds of each."""

from __future__ import annotations

from urllib.parse import quote

import orjson
import pytest

from layouts import routes
from tests.unit._tree import text, walk

SYNTHETIC_WORDS = ("DANE SYNTETYCZNE", "SYNTHETIC DATA", "synthetic-badge", "dane syntetyczne, nie urzędowe")
# /o-danych#syntetyczne describes the demo and links into it (every link with demo=1): no value is shown there.
DESCRIBES_THE_DEMO = "syntetyczne"


def _without_demo_description(node):
    if isinstance(node, (list, tuple)):
        return [_without_demo_description(n) for n in node if getattr(n, "id", None) != DESCRIBES_THE_DEMO]
    children = getattr(node, "children", None)
    if children is not None and not isinstance(children, (str, int, float)):
        node.children = _without_demo_description(children if isinstance(children, (list, tuple)) else [children])
    return node


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True  # routes only (see tests/unit/test_api.py)
    return app.server.test_client()


def _synthetic_marks(tree) -> list[str]:
    """Every place a rendered page shows or carries a synthetic value: badges, labels, chart annotations,
    synthetic flags in stored figures or rows."""
    found = []
    for node in walk(tree):
        cls = getattr(node, "className", None) or ""
        if any(c in cls.split() for c in ("synthetic-badge", "origin-synthetic", "synthetic-banner")):
            found.append(cls)
        for prop in ("figure", "data"):
            value = getattr(node, prop, None)
            if isinstance(value, (dict, list)):
                blob = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()
                if "SYNTETYCZNE" in blob or "SYNTHETIC DATA" in blob or '"synthetic":true' in blob:
                    found.append(f"{type(node).__name__}.{prop}")
    main = [n for n in walk(tree) if type(n).__name__ == "Main"]
    body = text(main)
    found += [w for w in SYNTHETIC_WORDS if w in body]
    return found


def _paths(store) -> list[str]:
    cat = store.full_catalogue
    paths = ["/", "/o-danych", "/deklaracja-dostepnosci", "/nie-ma-takiej", "/porownaj",
             "/porownaj?jst=1218093,1261011,1218"]
    paths += [f"/obszar/{a.id}" for a in cat.areas]
    paths += [f"/porownaj?jst=1218093,1218033&obszar={a.id}" for a in cat.areas]
    paths += [f"/wskaznik/{i.id}" for i in cat.indicators]
    return paths


def test_default_pages_show_no_synthetic_value(store):
    assert not store.demo and not store.synthetic_ids
    bad = {}
    for path in _paths(store):
        p, _, q = path.partition("?")
        marks = _synthetic_marks(_without_demo_description(routes.render(p, q)))
        if marks:
            bad[path] = marks[:3]
    assert not bad, bad


def test_default_area_views_show_no_synthetic_value(store):
    """The area explorer's callbacks (map, ranking, distribution, heading) for every official indicator."""
    from callbacks import area as cb
    from portal.state import resolve_state

    for ind in store.catalogue.indicators:
        for level in ind.levels:
            state = resolve_state(store, ind.area, {"wskaznik": ind.id, "poziom": {"gmina": "gminy", "powiat": "powiaty",
                                                                                    "wojewodztwo": "wojewodztwa"}[level]})
            fig = cb.map_view(state)
            assert "SYNTETYCZNE" not in orjson.dumps(fig, option=orjson.OPT_SERIALIZE_NUMPY).decode(), ind.id
            assert not any(r["synthetic"] for r in cb.ranking_rows(state)), ind.id
            assert "syntetyczn" not in text(cb.heading_view(state)), ind.id


def test_default_embeds_and_oembed_show_no_synthetic_value(client, store):
    for ind in store.full_catalogue.indicators:
        for kind in ("mapa", "ranking"):
            html = client.get(f"/embed/{kind}?wskaznik={ind.id}").data.decode("utf-8")
            assert not any(w in html for w in ("syntetyczn", "SYNTETYCZNE", "SYNTHETIC")), (kind, ind.id)
        r = client.get("/oembed?url=" + quote(f"http://127.0.0.1:8050/wskaznik/{ind.id}", safe=""))
        assert r.status_code in (200, 404) and "syntetyczn" not in r.data.decode("utf-8"), ind.id
    for jst in ("1218093", "1218093,1261011", "0201011,0201022,1018013", "1218", "12"):
        html = client.get(f"/embed/trend?jst={jst}").data.decode("utf-8")
        assert "syntetyczn" not in html and "SYNTETYCZNE" not in html, jst
    assert "syntetyczne)" not in client.get("/api").data.decode("utf-8")


def test_demo_labels_every_synthetic_value(client, demo_store, demo_mode):
    """Demo mode: every synthetic indicator's page and embeds carry the label."""
    for ind in demo_store.catalogue.indicators:
        if not demo_store.is_synthetic(ind.id):
            continue
        tree = routes.render(f"/wskaznik/{ind.id}", "")
        assert "DANE SYNTETYCZNE" in text(tree), ind.id
        html = client.get(f"/embed/ranking?wskaznik={ind.id}&demo=1").data.decode("utf-8")
        assert "wartości syntetyczne" in html and "(dane syntetyczne, nie urzędowe)" in html, ind.id
