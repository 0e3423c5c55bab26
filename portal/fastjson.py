"""Faster JSON for Dash responses: orjson straight over the component tree.

Dash serialises every callback response and layout with plotly's ``to_json_plotly``. Its orjson path first
tries ``orjson.dumps`` and, as soon as the value holds a Dash component (which orjson cannot encode), walks
the whole tree again in Python (``clean_to_json_compatible``): for a unit profile (~1,500 components) that
walk is more than half of the page's server time. Here orjson calls back only for the components themselves
(``to_plotly_json``) and hands anything else it cannot encode to plotly's cleaner, so the output is the same
JSON, with plotly's escaping of ``<``, ``>``, ``/`` and U+2028/2029 (the config is embedded in a <script>).
"""

from __future__ import annotations

import orjson
from dash.development.base_component import Component

_BASE_TO_JSON = Component.to_plotly_json

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_SWAP = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _component_json(obj) -> dict:
    """``Component.to_plotly_json`` without its per-key generator (same keys, same order)."""
    d = obj.__dict__
    props = {p: d[p] for p in obj._prop_names if p in d}
    wild = tuple(obj._valid_wildcard_attributes)
    if wild:
        for k in d:
            if k.startswith(wild):
                props[k] = d[k]
    return {"props": props, "type": obj._type, "namespace": obj._namespace}


def _default(obj):
    if type(obj).to_plotly_json is _BASE_TO_JSON:
        return _component_json(obj)
    to_plotly_json = getattr(obj, "to_plotly_json", None)
    if to_plotly_json is not None:
        return to_plotly_json()
    from plotly.io._json import clean_to_json_compatible

    cleaned = clean_to_json_compatible(obj, numpy_allowed=True, datetime_allowed=True, modules={})
    if cleaned is obj:
        raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")
    return cleaned


def to_json(value) -> str:
    """Drop-in for ``dash._utils.to_json`` (same output as plotly's ``to_json_plotly``)."""
    out = orjson.dumps(value, default=_default, option=_OPTIONS).decode("utf8")
    for unsafe, safe in _SWAP:
        if unsafe in out:
            out = out.replace(unsafe, safe)
    return out


def install() -> None:
    """Point Dash's modules at ``to_json`` (each imported the name; idempotent)."""
    import dash._callback
    import dash._utils
    import dash._validate
    import dash.dash

    for module in (dash._utils, dash._callback, dash._validate, dash.dash):
        module.to_json = to_json
