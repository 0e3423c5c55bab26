"""portal.fastjson: Dash's responses serialised by orjson must be the very JSON plotly's serialiser writes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from dash import dcc, html
from plotly.io.json import to_json_plotly

from portal.fastjson import to_json


@pytest.mark.parametrize("path_kwargs", [
    ("profile", {"teryt": "1218093"}),
    ("profile", {"teryt": "1261011", "lang": "en"}),
    ("compare", {"jst": "1218093,1218033"}),
    ("indicator", {"indicator_id": "egzamin-8-matematyka"}),
    ("budget", {"teryt": "1218093"}),
])
def test_page_trees_serialise_exactly_as_plotly_does(store, path_kwargs):
    import importlib

    module, kwargs = path_kwargs
    tree = importlib.import_module(f"layouts.{module}").layout(**kwargs)
    assert to_json(tree) == to_json_plotly(tree)


def test_values_escaping_and_wildcards():
    value = {
        "np": [np.float64(1.5), np.int64(3), np.array([1.0, np.nan]), np.bool_(True)],
        "nan": float("nan"),
        "text": "</script><b>\u2028",
        "when": dt.date(2025, 1, 2),
        "component": html.Div([dcc.Link("x", href="/a")], id="d", **{"data-x": "1", "aria-label": "l"}),
        3: "int key",
    }
    assert to_json(value) == to_json_plotly(value)
    assert "</" not in to_json(value)


def test_unserialisable_values_raise():
    with pytest.raises(TypeError):
        to_json({"x": object()})


def test_the_app_uses_it(settings):
    import dash._callback
    import dash._utils

    from portal.app import create_app

    create_app(settings)
    assert dash._utils.to_json is to_json and dash._callback.to_json is to_json
