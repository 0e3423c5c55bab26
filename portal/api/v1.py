"""The JSON API under /api/v1: units, indicators, values, rankings, profiles and releases over the release store.

Every response carries a ``meta`` object (data version, attribution); every value its ``flag`` and
``synthetic``. Bad input is a 400 naming the parameter, unknown ids a 404, never a 500. Responses are keyed
by the data version (ETag = hash of version and full URL), so a conditional request is answered before any
work is done. Every endpoint takes ``v=<data version>`` (portal/api/versions.py): the answer then comes from
that kept release, ``meta.data_version`` names it, and the ETag is keyed by it; a malformed v is a 400, a
version no longer kept a 404 listing the kept ones.

This module holds the blueprint, its request hooks and the endpoints; what answers are made of is in
portal/api/responses.py, how parameters are read in portal/api/params.py, and the JSON shapes of units,
indicators and profiles in portal/api/shapes.py.
"""

from __future__ import annotations

import math
import re
from typing import Any

import flask
import numpy as np

from portal.api.params import (
    arg,
    choice_param,
    indicator_param,
    int_param,
    lang_param,
    level_param,
    page_params,
    paginate,
    span,
    units_param,
    version_param,
    year_params,
)
from portal.api.responses import (
    CACHE_CONTROL,
    TERYT_CODE,
    ApiError,
    absent,
    cors,
    etag_for,
    invalid,
    json_response,
    meta,
    not_found,
    version_error,
)
from portal.api.shapes import (
    SYNTHETIC_MARK,  # noqa: F401 - re-exported (tests read the mark from here)
    indicator_detail,
    indicator_summary,
    integer,
    number,
    unit_facts,
    unit_profile,
    unit_summary,
)
from portal.api.versions import VersionError, app_settings, store_for
from portal.catalogue import LEVELS
from portal.store import LEVEL_OF_LEN, Store, get_store

blueprint = flask.Blueprint("api_v1", __name__)

MAX_QUERY = 100
KINDS = ("miejska", "wiejska", "miejsko-wiejska", "mnpp", "powiat", "wojewodztwo")


@blueprint.before_request
def conditional() -> flask.Response | None:
    """Answer If-None-Match from the version and URL alone: the body is a function of both."""
    req = flask.request
    if req.method == "OPTIONS":
        resp = flask.Response(status=204)
        resp.headers["Access-Control-Max-Age"] = "86400"
        return cors(resp)
    if req.method not in ("GET", "HEAD"):
        return None
    try:
        store = store_for(req.args.get("v"))
    except VersionError as exc:
        raise version_error(exc) from None
    flask.g.omup_store = store
    tag = etag_for(store.version, req.full_path)
    flask.g.omup_etag = tag
    if tag in req.if_none_match:
        resp = flask.Response(status=304)
        resp.set_etag(tag)
        resp.headers["Cache-Control"] = CACHE_CONTROL
        return cors(resp)
    return None


@blueprint.after_request
def cache_headers(resp: flask.Response) -> flask.Response:
    tag = flask.g.get("omup_etag")
    if tag and resp.status_code == 200:
        resp.set_etag(tag)
        resp.headers["Cache-Control"] = CACHE_CONTROL
    elif resp.status_code >= 400:
        resp.headers["Cache-Control"] = "no-store"
    return cors(resp)


@blueprint.after_app_request
def allow_header(resp: flask.Response) -> flask.Response:
    """A 405 from routing is answered by the app's handler: add the Allow header HTTP asks for."""
    if resp.status_code == 405 and flask.request.path.startswith("/api/") and "Allow" not in resp.headers:
        resp.headers["Allow"] = "GET, HEAD, OPTIONS"
    return resp


@blueprint.errorhandler(ApiError)
def api_error(exc: ApiError) -> flask.Response:
    return json_response(exc.body(), exc.status)


@blueprint.errorhandler(404)
def api_404(_exc: Exception) -> flask.Response:
    return json_response(not_found("Nie ma takiego zasobu API (not found).").body(), 404)


@blueprint.errorhandler(405)
def api_405(_exc: Exception) -> flask.Response:
    resp = json_response(ApiError(405, "method_not_allowed", "Tylko GET (only GET).").body(), 405)
    resp.headers["Allow"] = "GET, HEAD, OPTIONS"
    return resp


def _store() -> Store:
    """The release this request reads: v= when given (resolved before the request), else the current one."""
    store = flask.g.get("omup_store")
    return store if store is not None else get_store(app_settings())


# ------------------------------------------------------------------------------------------ endpoints
@blueprint.get("/api/v1/units")
def units() -> flask.Response:
    store = _store()
    q = arg("q")
    if q is not None and len(q) > MAX_QUERY:
        raise invalid("q", f"Zapytanie może mieć najwyżej {MAX_QUERY} znaków (q too long).")
    level = choice_param("level", LEVELS)
    kind = choice_param("kind", KINDS)
    parent = arg("parent")
    if parent is not None and not re.fullmatch(r"\d{2}|\d{4}", parent):
        raise invalid("parent", "'parent' to kod województwa (2 cyfry) lub powiatu (4 cyfry).")
    if parent is not None and parent not in store.units.index:
        raise absent("parent", f"Nie ma województwa ani powiatu o kodzie '{parent}' (unknown parent).")
    page, size = page_params()
    if q:
        codes = [h["teryt"] for h in store.search(q, limit=len(store.units), level=level)]
    else:
        df = store.units
        codes = df.index[df["level"] == level].tolist() if level else df.index.tolist()
    if kind or parent:
        units_df = store.units
        keep = []
        for c in codes:
            if kind and units_df.at[c, "kind"] != kind:
                continue
            if parent and not (c.startswith(parent) and c != parent):
                continue
            keep.append(c)
        codes = keep
    body = paginate(len(codes), page, size, lambda a, b: [unit_summary(store, c) for c in codes[a:b]])
    return json_response({"meta": meta(store), **body})


@blueprint.get("/api/v1/units/<code>")
def unit(code: str) -> flask.Response:
    store = _store()
    teryt, changed = store.resolve(code[:12])
    if teryt is None:
        raise not_found(f"Nieznany kod TERYT '{code[:12]}' (unknown unit).")
    if changed:
        qs = flask.request.query_string.decode()
        resp = flask.redirect(f"/api/v1/units/{teryt}" + (f"?{qs}" if qs else ""), code=301)
        return resp
    return json_response({"meta": meta(store), "unit": unit_facts(store, teryt)})


@blueprint.get("/api/v1/indicators")
def indicators() -> flask.Response:
    store = _store()
    area = choice_param("area", [a.id for a in store.catalogue.areas])
    dimension = choice_param("dimension", ("ilosc", "jakosc", "dostepnosc", "efektywnosc", "kontekst"))
    inds = [i for i in store.catalogue.indicators
            if (area is None or i.area == area) and (dimension is None or i.dimension == dimension)]
    areas = [{"id": a.id, "name": {"pl": a.name.pl, "en": a.name.en}, "headline": a.headline}
             for a in store.catalogue.areas]
    return json_response({"meta": meta(store, inds), "total": len(inds), "areas": areas,
                          "items": [indicator_summary(store, i) for i in inds]})


@blueprint.get("/api/v1/indicators/<indicator_id>")
def indicator(indicator_id: str) -> flask.Response:
    store = _store()
    ind = store.indicator(indicator_id[:80])
    if ind is None:
        raise not_found(f"Nieznany wskaźnik '{indicator_id[:80]}' (unknown indicator).")
    return json_response({"meta": meta(store, [ind]), "indicator": indicator_detail(store, ind)})


@blueprint.get("/api/v1/values")
def values() -> flask.Response:
    store = _store()
    ind = indicator_param(store)
    assert ind is not None
    codes = units_param(store)
    page, size = page_params()
    if codes is not None:
        if arg("level") is not None:
            choice_param("level", LEVELS)
        rows: list[dict] = []
        first = int_param("from", None, 1900, 2100)
        last = int_param("to", None, 1900, 2100)
        year = int_param("year", None, 1900, 2100)
        if first is not None and last is not None and first > last:
            raise absent("from", "'from' jest późniejsze niż 'to': brak lat w tym zakresie (no years from > to).")
        for teryt in codes:
            name = store.units.at[teryt, "name"]
            for p in store.series(ind.id, teryt):
                y = p["year"]
                if (year is not None and y != year) or (first is not None and y < first) or (
                        last is not None and y > last):
                    continue
                rows.append({"teryt": teryt, "name": name, "level": LEVEL_OF_LEN[len(teryt)], **p})
        body = paginate(len(rows), page, size, lambda a, b: rows[a:b])
        return json_response({"meta": meta(store, [ind]), "indicator": indicator_summary(store, ind), **body})
    level = level_param(ind, "gmina")
    assert level is not None
    years = year_params(store, ind, level)
    codes_arr = store.level_codes(level)
    n = len(codes_arr)
    names = store.units["name"]

    def rows_of(a: int, b: int) -> list[dict]:
        out = []
        cache: dict[int, Any] = {}
        for i in range(a, b):
            y = years[i // n]
            sl = cache.get(y) or cache.setdefault(y, store.slice(ind.id, y, level))
            k = i % n
            out.append({"teryt": str(sl.codes[k]), "name": names.at[str(sl.codes[k])], "level": level, "year": y,
                        "value": number(sl.value[k]), "flag": str(sl.flag[k]), "synthetic": bool(sl.synthetic[k])})
        return out

    body = paginate(n * len(years), page, size, rows_of)
    return json_response({"meta": meta(store, [ind]), "indicator": indicator_summary(store, ind), **body})


@blueprint.get("/api/v1/rankings")
def rankings() -> flask.Response:
    store = _store()
    ind = indicator_param(store)
    assert ind is not None
    unit_code = arg("unit")
    group = arg("peer_group")
    selected = None
    if unit_code is not None:
        if not TERYT_CODE.fullmatch(unit_code):
            raise invalid("unit", f"'{unit_code[:12]}' to nie kod TERYT (2, 4, 6 lub 7 cyfr; not a TERYT code).")
        selected, _ = store.resolve(unit_code)
        if selected is None:
            raise absent("unit", f"Nieznany kod TERYT '{unit_code}' (unknown unit).")
        group = store.units.at[selected, "peer_group"]
    unit_level = LEVEL_OF_LEN[len(selected)] if selected else None
    level = level_param(ind, unit_level or "gmina")
    assert level is not None
    if unit_level and level != unit_level:
        raise absent("level", "Poziom musi być poziomem wybranej jednostki (level must match the unit's).")
    if unit_level and unit_level not in ind.levels:
        raise absent("unit", f"Wskaźnik {ind.id} nie ma poziomu '{unit_level}'.")
    if group is not None and group not in store.meta.get("peer_groups", {}):
        raise invalid("peer_group", f"Nieznana grupa porównawcza '{group[:60]}' (unknown peer group).")
    years = store.years(ind.id, level)
    year = int_param("year", years[-1] if years else None, 1900, 2100)
    sl = store.slice(ind.id, year, level) if year is not None else None
    if sl is None:
        raise absent("year", f"Brak roku {year} dla {ind.id} ({level}); lata: {span(years)}.")
    page, size = page_params()
    peer = store.units.loc[sl.codes, "peer_group"].to_numpy()
    idx = np.arange(len(sl.codes))
    if group is not None:
        idx = idx[peer == group]
    rank_key = sl.rank_peer if group is not None else sl.rank_pl
    order = sorted(idx.tolist(), key=lambda i: (not math.isfinite(rank_key[i]), rank_key[i]
                                                 if math.isfinite(rank_key[i]) else 0, sl.codes[i]))
    names = store.units["name"]

    def rows_of(a: int, b: int) -> list[dict]:
        out = []
        for i in order[a:b]:
            code = str(sl.codes[i])
            out.append({"rank": integer(rank_key[i]), "rank_pl": integer(sl.rank_pl[i]), "rank_peer": integer(sl.rank_peer[i]),
                        "n_peer": int(sl.n_peer[i]), "teryt": code, "name": names.at[code],
                        "peer_group": str(peer[i]), "value": number(sl.value[i]), "flag": str(sl.flag[i]),
                        "synthetic": bool(sl.synthetic[i]), "pct_pl": number(sl.pct_pl[i]),
                        "pct_peer": number(sl.pct_peer[i])})
        return out

    body = paginate(len(order), page, size, rows_of)
    scope = store.group(ind.id, year, level, "peer", group) if group else store.group(ind.id, year, level, "national", "PL")
    return json_response({"meta": meta(store, [ind]), "indicator": indicator_summary(store, ind), "year": year, "level": level,
                          "peer_group": group, "unit": selected, "summary": scope, **body})


@blueprint.get("/api/v1/profiles/<code>")
def profile(code: str) -> flask.Response:
    store = _store()
    lang = lang_param()
    year = int_param("year", None, 1900, 2100)
    teryt, changed = store.resolve(code[:12])
    if teryt is None:
        raise not_found(f"Nieznany kod TERYT '{code[:12]}' (unknown unit).")
    if changed:
        qs = flask.request.query_string.decode()
        return flask.redirect(f"/api/v1/profiles/{teryt}" + (f"?{qs}" if qs else ""), code=301)
    body = unit_profile(store, teryt, lang, year)
    shown = [store.catalogue.by_id[i["indicator"]] for a in body["areas"] for i in a["indicators"]]
    return json_response({"meta": meta(store, shown), **body})


@blueprint.get("/api/v1/indicators/<indicator_id>/changelog")
def indicator_changelog(indicator_id: str) -> flask.Response:
    """What changed in one indicator between two kept releases (default: the previous kept one → current)."""
    from portal.changelog import default_pair
    from portal.changelog import indicator_changelog as changelog

    store = _store()
    settings = app_settings()
    d_old, d_new = default_pair(settings)
    old, new = version_param("from", d_old), version_param("to", d_new)
    known = (get_store(settings, v).indicator(indicator_id[:80]) for v in (old, new))
    if store.indicator(indicator_id[:80]) is None and not any(i is not None for i in known):
        raise not_found(f"Nieznany wskaźnik '{indicator_id[:80]}' (unknown indicator).")
    body = changelog(settings, indicator_id[:80], old, new)
    note = None if old != new else "Przechowywana jest tylko jedna wersja danych (only one release kept)."
    return json_response({"meta": meta(store), "changelog": body, "note": note})


@blueprint.get("/api/v1/releases")
def releases() -> flask.Response:
    from portal.release import list_releases

    store = _store()
    settings = flask.current_app.config["OMUP_SETTINGS"]
    items = [{"version": r["version"], "built_at": str(r["built_at"]), "current": bool(r["current"])}
             for r in list_releases(settings)]
    return json_response({"meta": meta(store), "total": len(items), "items": items})


@blueprint.get("/api/v1/openapi.json")
def openapi() -> flask.Response:
    from portal.api.openapi import spec

    store = _store()
    return json_response(spec(store.version, [a.id for a in store.catalogue.areas],
                              sorted(store.meta.get("peer_groups", {}))))


@blueprint.get("/api/v1/")
@blueprint.get("/api/v1")
def index() -> flask.Response:
    store = _store()
    return json_response({"meta": meta(store), "endpoints": [
        "/api/v1/units", "/api/v1/units/{teryt}", "/api/v1/indicators", "/api/v1/indicators/{id}",
        "/api/v1/indicators/{id}/changelog", "/api/v1/values",
        "/api/v1/rankings", "/api/v1/profiles/{teryt}", "/api/v1/releases", "/api/v1/openapi.json"],
        "docs": "/api"})


@blueprint.route("/api/v1/<path:_rest>", methods=["GET", "OPTIONS"])
def unknown(_rest: str) -> flask.Response:
    raise not_found("Nie ma takiego zasobu API (not found). Zobacz /api.")


@blueprint.get("/api")
@blueprint.get("/api/")
def docs() -> flask.Response:
    from portal.api.openapi import docs_html

    store = _store()
    resp = flask.Response(docs_html(store, flask.request.host_url, app_settings().rate_limit), mimetype="text/html")
    return resp
