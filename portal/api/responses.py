"""What every /api/v1 answer is made of: the JSON error (a 400 naming the parameter, a 404, never a 500), the JSON
body and the ``meta`` object (data version, attribution, licence), the ETag and the CORS headers.

Shared by the endpoints (portal/api/v1.py), the parameter readers (portal/api/params.py) and the shapes of
units, indicators and profiles (portal/api/shapes.py).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import flask
import orjson

from portal.api.versions import VersionError, app_settings
from portal.catalogue import Indicator
from portal.store import Store, get_store

CACHE_CONTROL = "public, max-age=300"
LICENCE = "Dane: CC BY 4.0 z podaniem źródła; wartości syntetyczne nie są danymi urzędowymi."


class ApiError(Exception):
    """An error answered as JSON: {"error": {"code", "parameter", "message"}}."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None,
                 extra: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter
        self.extra = extra or {}

    def body(self) -> dict:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.parameter is not None:
            err["parameter"] = self.parameter
        err.update(self.extra)
        return {"error": err}


def version_error(exc: VersionError) -> ApiError:
    """A `v` that cannot be served: 400 (malformed) or 404 naming the kept versions."""
    code = "invalid_parameter" if exc.status == 400 else "version_not_kept"
    return ApiError(exc.status, code, exc.message, "v", {"kept_versions": exc.kept})


def invalid(parameter: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", message, parameter)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def absent(parameter: str, message: str) -> ApiError:
    """A well-formed parameter naming something the data does not have (a year, a unit, a level): 404."""
    return ApiError(404, "not_found", message, parameter)


TERYT_CODE = re.compile(r"\d{2}|\d{4}|\d{6,7}")  # a code as typed: today's, an old one, or a 6-digit prefix


def json_response(obj: Any, status: int = 200) -> flask.Response:
    data = orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    return flask.Response(data, status=status, mimetype="application/json")


def attribution(store: Store, indicators: list[Indicator] | None = None) -> list[str]:
    """The sources of the values returned: each indicator's own (synthetic values: the demo generator, never an
    official source); without indicators (units, releases), the sources this release was built from."""
    if indicators is not None:
        demo = (store.meta.get("demo_source") or {}).get("attribution", "OMUP – dane syntetyczne")
        return sorted({demo if store.is_synthetic(i.id) else i.source.attribution for i in indicators})
    return sorted({s["attribution"] for s in store.meta.get("sources", []) if s.get("attribution")})


def licence_text(store: Store) -> str:
    """The release's one licence statement (the same on /o-danych and in downloads' header)."""
    lic = store.meta.get("licence")
    return lic.get("data", LICENCE) if isinstance(lic, dict) else LICENCE


def meta(store: Store, indicators: list[Indicator] | None = None) -> dict:
    """What every response carries: the data version used (v= or current), its build time, the attribution of
    the values returned and the licence."""
    current = get_store(app_settings()).version
    return {
        "data_version": store.version,
        "current_version": current,
        "built_at": str(store.meta.get("built_at", "")),
        "attribution": attribution(store, indicators),
        "licence": licence_text(store),
        "synthetic_note": "Wartości z synthetic=true są syntetyczne (generator OMUP), nie są danymi urzędowymi.",
    }


def etag_for(version: str, url: str) -> str:
    return hashlib.sha1(f"{version}|{url}".encode()).hexdigest()[:20]


def cors(resp: flask.Response) -> flask.Response:
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
    resp.headers["Access-Control-Expose-Headers"] = "ETag"
    return resp
