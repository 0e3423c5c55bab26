"""/api/v1/units/<teryt>/similar: the k nearest units on standardised context variables (portal/similar.py).

A small blueprint of its own, next to the main API (portal/api/v1.py): the same error shape
({"error": {"code", "parameter", "message"}}) and a ``meta`` with the data version and attribution.
"""

from __future__ import annotations

import flask
import orjson

from portal.similar import parse_variables, similar_units
from portal.store import get_store

blueprint = flask.Blueprint("api_similar", __name__)

K_DEFAULT = 10
K_MAX = 50


def _json(obj: object, status: int = 200) -> flask.Response:
    resp = flask.Response(orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY), status=status,
                          mimetype="application/json")
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Cache-Control"] = "public, max-age=300" if status == 200 else "no-store"
    return resp


def _error(status: int, code: str, message: str, parameter: str | None = None) -> flask.Response:
    err = {"code": code, "message": message} | ({"parameter": parameter} if parameter else {})
    return _json({"error": err}, status)


def parse_k(raw: str | None) -> int:
    """k from the query string: an integer 1–50 (default 10); ValueError otherwise."""
    if raw in (None, ""):
        return K_DEFAULT
    try:
        k = int(raw)
    except ValueError:
        raise ValueError(f"k musi być liczbą całkowitą 1–{K_MAX} (k must be an integer 1–{K_MAX})") from None
    if not 1 <= k <= K_MAX:
        raise ValueError(f"k musi być w zakresie 1–{K_MAX} (k must be between 1 and {K_MAX})")
    return k


def similar_payload(store, teryt: str, k: int, variables: tuple[str, ...]) -> dict:
    """The JSON body: the unit, its k nearest units with distances and per-variable contributions, meta."""
    result = similar_units(store, teryt, k=k, variables=variables)
    return {
        "meta": {
            "data_version": store.version,
            "attribution": sorted(set(store.meta.get("attribution", {}).values())),
            "method": "Euclidean distance on z-scores of the variables over the level's units; "
                      "contributions are each variable's share of the squared distance.",
        },
        "unit": {"teryt": result["teryt"], "name": result["name"], "level": result["level"],
                 "values": result["values"]},
        "k": result["k"],
        "variables": result["variables"],
        "synthetic": result["synthetic"],
        "notice": result["notice"],
        "missing": result["missing"],
        "units": result["units"],
    }


@blueprint.get("/api/v1/units/<code>/similar")
def similar(code: str) -> flask.Response:
    store = get_store()
    args = flask.request.args
    try:
        k = parse_k(args.get("k"))
    except ValueError as exc:
        return _error(400, "invalid_parameter", str(exc), "k")
    try:
        variables = parse_variables(args.get("vars") or None)
    except ValueError as exc:
        return _error(400, "invalid_parameter", str(exc), "vars")
    teryt, _ = store.resolve(code[:12])
    if teryt is None:
        return _error(404, "not_found", f"Nie ma jednostki {code[:12]!r} (unknown unit)")
    return _json(similar_payload(store, str(teryt), k, variables))
