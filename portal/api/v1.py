"""The JSON API under /api/v1: units, indicators, values, rankings, profiles and releases over the release store.

Every response carries a ``meta`` object (data version, attribution); every value its ``flag`` and
``synthetic``. Bad input is a 400 naming the parameter, unknown ids a 404, never a 500. Responses are keyed
by the data version (ETag = hash of version and full URL), so a conditional request is answered before any
work is done. Every endpoint takes ``v=<data version>`` (portal/api/versions.py): the answer then comes from
that kept release, ``meta.data_version`` names it, and the ETag is keyed by it; a malformed v is a 400, a
version no longer kept a 404 listing the kept ones.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from typing import Any

import flask
import numpy as np
import orjson

from portal.api.versions import VersionError, app_settings, store_for
from portal.catalogue import LEVELS, Indicator
from portal.i18n import lang_of
from portal.store import LEVEL_OF_LEN, Store, get_store

blueprint = flask.Blueprint("api_v1", __name__)

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 500
MAX_UNITS = 100
MAX_QUERY = 100
MAX_PAGE = 100_000
KINDS = ("miejska", "wiejska", "miejsko-wiejska", "mnpp", "powiat", "wojewodztwo")
CACHE_CONTROL = "public, max-age=300"
SYNTHETIC_MARK = {"pl": " [wartość syntetyczna, nie dane urzędowe]", "en": " [synthetic value, not official statistics]"}
LICENCE = "Dane: CC BY 4.0 z podaniem źródła; wartości syntetyczne nie są danymi urzędowymi."


# ------------------------------------------------------------------------------------------ plumbing
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


def _cors(resp: flask.Response) -> flask.Response:
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
    resp.headers["Access-Control-Expose-Headers"] = "ETag"
    return resp


@blueprint.before_request
def conditional() -> flask.Response | None:
    """Answer If-None-Match from the version and URL alone: the body is a function of both."""
    req = flask.request
    if req.method == "OPTIONS":
        resp = flask.Response(status=204)
        resp.headers["Access-Control-Max-Age"] = "86400"
        return _cors(resp)
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
        return _cors(resp)
    return None


@blueprint.after_request
def cache_headers(resp: flask.Response) -> flask.Response:
    tag = flask.g.get("omup_etag")
    if tag and resp.status_code == 200:
        resp.set_etag(tag)
        resp.headers["Cache-Control"] = CACHE_CONTROL
    elif resp.status_code >= 400:
        resp.headers["Cache-Control"] = "no-store"
    return _cors(resp)


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


# ------------------------------------------------------------------------------------------ parameters
def _arg(name: str) -> str | None:
    value = flask.request.args.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def int_param(name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = _arg(name)
    if raw is None:
        return default
    if len(raw) > 12 or not re.fullmatch(r"[+-]?\d+", raw):
        raise invalid(name, f"'{name}' musi być liczbą całkowitą ({lo}–{hi}); {name} must be an integer.")
    value = int(raw)
    if not lo <= value <= hi:
        raise invalid(name, f"'{name}' musi być w zakresie {lo}–{hi}; {name} must be between {lo} and {hi}.")
    return value


def choice_param(name: str, options: tuple[str, ...] | list[str], default: str | None = None) -> str | None:
    raw = _arg(name)
    if raw is None:
        return default
    if raw not in options:
        shown = ", ".join(list(options)[:20])
        raise invalid(name, f"Nieznana wartość '{name}'; dozwolone: {shown}. Unknown value for {name}.")
    return raw


def page_params() -> tuple[int, int]:
    page = int_param("page", 1, 1, MAX_PAGE)
    size = int_param("page_size", PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX)
    return page, size  # type: ignore[return-value]


def paginate(total: int, page: int, size: int, rows: Callable[[int, int], list[dict]]) -> dict:
    start = (page - 1) * size
    stop = min(start + size, total)
    items = rows(start, stop) if start < total else []
    return {"page": page, "page_size": size, "total": total, "pages": max(1, math.ceil(total / size)),
            "items": items}


def indicator_param(store: Store, name: str = "indicator", required: bool = True) -> Indicator | None:
    raw = _arg(name)
    if raw is None:
        if required:
            raise invalid(name, f"Brak parametru '{name}' (identyfikator wskaźnika); '{name}' is required.")
        return None
    ind = store.indicator(raw[:80])
    if ind is None:
        raise ApiError(404, "not_found", f"Nieznany wskaźnik '{raw[:80]}' (unknown indicator).", name)
    return ind


def level_param(ind: Indicator | None, default: str | None) -> str | None:
    level = choice_param("level", LEVELS, None)
    if level is None:
        if ind is not None and default not in ind.levels:
            return ind.levels[0]
        return default
    if ind is not None and level not in ind.levels:
        raise absent("level", f"Wskaźnik {ind.id} nie ma poziomu '{level}' (ma: {', '.join(ind.levels)}).")
    return level


def year_params(store: Store, ind: Indicator, level: str) -> list[int]:
    years = store.years(ind.id, level)
    year = int_param("year", None, 1900, 2100)
    first = int_param("from", None, 1900, 2100)
    last = int_param("to", None, 1900, 2100)
    if year is not None:
        if year not in years:  # a well-formed year without data: nothing there (404), not a bad request
            raise absent("year", f"Brak roku {year} dla {ind.id} ({level}); lata: {_span(years)}.")
        return [year]
    if first is not None and last is not None and first > last:
        raise absent("from", "'from' jest późniejsze niż 'to': brak lat w tym zakresie (no years from > to).")
    lo = first if first is not None else -math.inf
    hi = last if last is not None else math.inf
    return [y for y in years if lo <= y <= hi]


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if years else "brak"


def units_param(store: Store, name: str = "units") -> list[str] | None:
    raw = _arg(name)
    if raw is None:
        return None
    chunks = [c.strip() for c in raw.split(",")]
    codes = [c for c in chunks if c]
    if not codes:
        return None
    if len(chunks) > MAX_UNITS:
        raise invalid(name, f"Najwyżej {MAX_UNITS} jednostek naraz (at most {MAX_UNITS} units).")
    out = []
    for code in codes:
        if not TERYT_CODE.fullmatch(code):
            raise invalid(name, f"'{code[:12]}' to nie kod TERYT (2, 4, 6 lub 7 cyfr; not a TERYT code).")
        teryt, _ = store.resolve(code)
        if teryt is None:
            raise absent(name, f"Nieznany kod TERYT '{code}' (unknown unit).")
        out.append(teryt)
    return list(dict.fromkeys(out))


def lang_param() -> str:
    return choice_param("lang", ("pl", "en"), "pl") or "pl"


# ------------------------------------------------------------------------------------------ shaping
def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _int(v: Any) -> int | None:
    f = _num(v)
    return None if f is None else int(f)


def unit_summary(store: Store, teryt: str) -> dict:
    u = store.units.loc[teryt]
    return {"teryt": teryt, "name": u["name"], "display_name": u["display_name"], "level": u["level"],
            "kind": u["kind"], "powiat": u["powiat"] if u["level"] == "gmina" else None,
            "wojewodztwo": u["wojewodztwo"] if u["level"] != "wojewodztwo" else None,
            "population": _int(u["population"]), "peer_group": u["peer_group"]}


def peer_group_info(store: Store, teryt: str) -> dict:
    group = store.units.at[teryt, "peer_group"]
    names = store.meta.get("peer_groups", {}).get(group, {})
    return {"id": group, "name": {"pl": names.get("pl", group), "en": names.get("en", group)},
            "size": len(store.peers(teryt))}


def unit_facts(store: Store, teryt: str) -> dict:
    u = store.units.loc[teryt]
    parents = []
    if u["level"] == "gmina":
        parents.append(u["powiat"])
    if u["level"] != "wojewodztwo":
        parents.append(u["wojewodztwo"])
    return {
        **unit_summary(store, teryt),
        "mnpp": bool(u["mnpp"]),
        "context": {"pl": store.context_line(teryt, "pl"), "en": store.context_line(teryt, "en")},
        "area_km2": _num(u["area_km2"]),
        "density": _num(u["density"]),
        "has_shape": bool(u["has_shape"]),
        "peer_group": peer_group_info(store, teryt),
        "parents": [{"teryt": p, "name": store.units.at[p, "name"], "level": store.units.at[p, "level"]}
                    for p in parents if p in store.units.index],
        "links": {"profile": f"/jst/{teryt}", "budget": f"/budzet/{teryt}", "api_profile": f"/api/v1/profiles/{teryt}"},
    }


def indicator_summary(store: Store, ind: Indicator) -> dict:
    return {
        "id": ind.id, "area": ind.area, "dimension": ind.dimension,
        "name": {"pl": ind.name.pl, "en": ind.name.en},
        "unit": {"pl": ind.unit.pl, "en": ind.unit.en},
        "direction": ind.direction, "levels": list(ind.levels),
        "years": {lvl: store.years(ind.id, lvl) for lvl in ind.levels},
        "decimals": ind.decimals, "synthetic": store.is_synthetic(ind.id),
        "budget_section": ind.budget_section,
        "attribution": ind.source.attribution if not store.is_synthetic(ind.id) else "OMUP – dane syntetyczne",
    }


def indicator_detail(store: Store, ind: Indicator) -> dict:
    f = ind.formula
    return {
        **indicator_summary(store, ind),
        "description": {"pl": ind.description.pl, "en": ind.description.en},
        "formula": {"numerator": {"pl": f.numerator.pl, "en": f.numerator.en},
                    "denominator": {"pl": f.denominator.pl, "en": f.denominator.en} if f.denominator else None,
                    "multiplier": f.multiplier},
        "source": {"attribution": ind.source.attribution, "bdl_variable": ind.source.bdl_variable,
                   "bdl_subject": ind.source.bdl_subject, "evidence": ind.source.evidence, "note": ind.source.note},
        "sentence": {"pl": ind.sentence.pl, "en": ind.sentence.en},
        "rate": ind.rate,
        "links": {"page": f"/wskaznik/{ind.id}", "values": f"/api/v1/values?indicator={ind.id}"},
    }


def _store() -> Store:
    """The release this request reads: v= when given (resolved before the request), else the current one."""
    store = flask.g.get("omup_store")
    return store if store is not None else get_store(app_settings())


# ------------------------------------------------------------------------------------------ endpoints
@blueprint.get("/api/v1/units")
def units() -> flask.Response:
    store = _store()
    q = _arg("q")
    if q is not None and len(q) > MAX_QUERY:
        raise invalid("q", f"Zapytanie może mieć najwyżej {MAX_QUERY} znaków (q too long).")
    level = choice_param("level", LEVELS)
    kind = choice_param("kind", KINDS)
    parent = _arg("parent")
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
        if _arg("level") is not None:
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
                        "value": _num(sl.value[k]), "flag": str(sl.flag[k]), "synthetic": bool(sl.synthetic[k])})
        return out

    body = paginate(n * len(years), page, size, rows_of)
    return json_response({"meta": meta(store, [ind]), "indicator": indicator_summary(store, ind), **body})


@blueprint.get("/api/v1/rankings")
def rankings() -> flask.Response:
    store = _store()
    ind = indicator_param(store)
    assert ind is not None
    unit_code = _arg("unit")
    group = _arg("peer_group")
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
        raise absent("year", f"Brak roku {year} dla {ind.id} ({level}); lata: {_span(years)}.")
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
            out.append({"rank": _int(rank_key[i]), "rank_pl": _int(sl.rank_pl[i]), "rank_peer": _int(sl.rank_peer[i]),
                        "n_peer": int(sl.n_peer[i]), "teryt": code, "name": names.at[code],
                        "peer_group": str(peer[i]), "value": _num(sl.value[i]), "flag": str(sl.flag[i]),
                        "synthetic": bool(sl.synthetic[i]), "pct_pl": _num(sl.pct_pl[i]),
                        "pct_peer": _num(sl.pct_peer[i])})
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


def unit_profile(store: Store, teryt: str, lang: str = "pl", year: int | None = None) -> dict:
    """Everything the profile page shows, as data: facts, per-area indicators with sentences, strongest/weakest.

    The cards are the page's own (portal/profile.py, each a portal/verdict.py verdict): the same year, verdict
    and sentence as /jst/<teryt> for the same ``year`` (None: each indicator's latest year with a value).
    """
    from portal import profile as prof
    from portal.explain import MISSING

    unit = store.unit(teryt)
    cards = prof.build_cards(store, unit, year, lang)
    by_area: dict[str, list[dict]] = {}
    for card in cards:
        v, ind, p = card.judgement, card.indicator, card.point
        if p is None or v.year is None:
            continue
        label = v.badge[1] if v.badge else (MISSING[lang_of(lang)] if v.kind == "no_data" else "")
        by_area.setdefault(ind.area, []).append({
            "indicator": ind.id, "name": ind.name.get(lang), "unit": ind.unit.get(lang), "direction": ind.direction,
            "dimension": ind.dimension, "year": v.year, "value": v.value, "value_text": v.value_text,
            "flag": p["flag"], "synthetic": card.synthetic,
            "peer_median": (p["peer"] or {}).get("median"), "national_median": (p["national"] or {}).get("median"),
            "rank_peer": p["rank_peer"] if v.comparable else None, "n_peer": p["n_peer"], "pct_peer": p["pct_peer"],
            "verdict": v.kind, "band": {"key": v.badge[0] if v.badge else v.kind, "label": label},
            # A synthetic value's sentence says so itself (quoted alone, it must not pass for an official fact).
            "sentence": v.sentence + (SYNTHETIC_MARK[lang_of(lang)] if card.synthetic else ""),
            "chance_text": v.chance_text, "base_text": v.base_text, "caveat": v.caveat,
        })
    areas = [{"id": a.id, "name": a.name.get(lang), "indicators": by_area[a.id]}
             for a in store.catalogue.areas if a.id in by_area]
    strong, weak = prof.strengths(cards, k=3)

    def brief(card) -> dict:
        v = card.judgement
        return {"indicator": card.indicator.id, "name": card.indicator.name.get(lang), "year": v.year,
                "value": v.value, "value_text": v.value_text, "synthetic": card.synthetic,
                "flag": card.point["flag"], "better_share": v.share}

    return {"unit": unit_facts(store, teryt), "lang": lang, "areas": areas,
            "strongest": [brief(c) for c in strong], "weakest": [brief(c) for c in weak]}


def version_param(name: str, default: str) -> str:
    """A release version in `name` (the changelog's from/to): 400 when malformed, 404 when not kept."""
    from portal.api.versions import parse_version

    try:
        return parse_version(_arg(name)) or default
    except VersionError as exc:
        err = version_error(exc)
        err.parameter = name
        raise err from None


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
