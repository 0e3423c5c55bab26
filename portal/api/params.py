"""The query parameters of /api/v1, read and checked: a malformed value is a 400 naming the parameter, a
well-formed one naming what the data does not have (a year, a unit, a level) a 404 (portal/api/responses.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import flask

from portal.api.responses import TERYT_CODE, ApiError, absent, invalid, version_error
from portal.api.versions import VersionError
from portal.catalogue import LEVELS, Indicator
from portal.store import Store

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 500
MAX_UNITS = 100
MAX_PAGE = 100_000


def arg(name: str) -> str | None:
    value = flask.request.args.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def int_param(name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = arg(name)
    if raw is None:
        return default
    if len(raw) > 12 or not re.fullmatch(r"[+-]?\d+", raw):
        raise invalid(name, f"'{name}' musi być liczbą całkowitą ({lo}–{hi}); {name} must be an integer.")
    value = int(raw)
    if not lo <= value <= hi:
        raise invalid(name, f"'{name}' musi być w zakresie {lo}–{hi}; {name} must be between {lo} and {hi}.")
    return value


def choice_param(name: str, options: tuple[str, ...] | list[str], default: str | None = None) -> str | None:
    raw = arg(name)
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
    raw = arg(name)
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
            raise absent("year", f"Brak roku {year} dla {ind.id} ({level}); lata: {span(years)}.")
        return [year]
    if first is not None and last is not None and first > last:
        raise absent("from", "'from' jest późniejsze niż 'to': brak lat w tym zakresie (no years from > to).")
    lo = first if first is not None else -math.inf
    hi = last if last is not None else math.inf
    return [y for y in years if lo <= y <= hi]


def span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if years else "brak"


def units_param(store: Store, name: str = "units") -> list[str] | None:
    raw = arg(name)
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


def version_param(name: str, default: str) -> str:
    """A release version in `name` (the changelog's from/to): 400 when malformed, 404 when not kept."""
    from portal.api.versions import parse_version

    try:
        return parse_version(arg(name)) or default
    except VersionError as exc:
        err = version_error(exc)
        err.parameter = name
        raise err from None
