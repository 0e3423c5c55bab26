"""GUS Bank Danych Lokalnych (BDL API v1) through pyBDL: variables by level → measure rows for the build.

Two layers: pure functions that turn recorded/received BDL payloads into measure rows (tested offline on
pyBDL's own recorded responses), and ``BdlSource``, which asks pyBDL for the payloads page by page.

BDL unit ids have 12 digits: ``MRRWWSPPGGGK`` (macroregion, voivodeship ``WW`` at [2:4], region, subregion,
powiat ``PP`` at [7:9], gmina ``GGG`` at [9:12] whose last digit is the TERYT kind). Hence
    level 2 (województwo) → ``id[2:4]``           e.g. 011200000000 → 12
    level 5 (powiat)      → ``id[2:4] + id[7:9]`` e.g. 011212001000 → 1201, 071412865000 → 1465 (Warsaw)
    level 6 (gmina)       → ``id[2:4] + id[7:12]`` e.g. 011212001011 → 1201011
Level 6 also holds towns and rural areas inside urban-rural gminy (kinds 4/5) and Warsaw districts (8): those
are dropped, or they would double count. Warsaw itself is the level-6 unit 071412865011 (kind 1 → 1465011).
Unit ids are dated: a gmina whose type digit changed has one id up to the change and another after it, so a
row's code is the TERYT of *its* year; the build re-keys it to today's unit through the TERYT change table.

Every attribute BDL attaches to a value (``attrId``, the list of ``/attributes``) has a meaning in the release
(``ATTRIBUTE_FLAGS``); a value with an attribute not listed there is an error, never published.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pandas as pd

from portal.catalogue import Level
from portal.config import Settings
from portal.pipeline.measures import MEASURE_COLUMNS, empty_measures

BDL_URL = "https://bdl.stat.gov.pl/api/v1"
BDL_LEVEL: dict[Level, int] = {"gmina": 6, "powiat": 5, "wojewodztwo": 2}
LEVEL_NAME: dict[int, Level] = {v: k for k, v in BDL_LEVEL.items()}
GMINA_KINDS = frozenset("123")
# BDL allows at most 100 rows a page.
PAGE_SIZE = 100
# Units BDL answers per level for a range of years (level 6 includes towns, rural areas, Warsaw's districts
# and units of earlier divisions): the page estimate before the first page gives the real count.
UNITS_PER_LEVEL = {6: 4200, 5: 385, 2: 16}
DATASET = "bdl-api"
CACHE_TTL = 7 * 24 * 3600.0  # an abandoned fetch's answers are not reused after a week
MAX_WAIT_429 = 900.0  # BDL's shortest quota window is 15 minutes: never wait longer than that for one 429
RETRIES_429 = 4

# attrId → flag of the release, from BDL's /attributes (samples_raw_attributes.json); "drop" removes the row.
ATTRIBUTE_FLAGS: dict[int, str] = {
    0: "zero",  # "0"
    1: "ok",  # "wartość"
    3: "partial",  # k: "Agregat może być niekompletny"
    4: "no_data",  # x: "Brak informacji, konieczność zachowania tajemnicy statystycznej …"
    7: "estimated",  # a: "Wartość mniejsza niż przyjęty format prezentacji" (occurred, rounds to 0)
    9: "estimated",  # s: "Szacunki wstępne"
    11: "ok",  # M: "Zmiany metodologiczne" (a valid value; the series may break)
    13: "partial",  # K: methodological changes, aggregate may be incomplete
    14: "no_data",  # X: methodological changes, no information / confidential
    15: "no_data",  # "-": no information (change of presentation level, of the unit list …)
    17: "estimated",  # A: methodological changes, value below the presentation format
    20: "estimated",  # v: "Dane o niskiej precyzji"
    21: "estimated",  # v: "Dane o niskiej precyzji"
    50: "no_data",  # n: "Dana jeszcze niedostępna, będzie dostępna"
    91: "no_data",  # x: no information / confidential
    94: "zero",  # z: a meaningful zero (a balance of non-zero inputs)
    97: "drop",  # p: "Łącznie dla powiatu i miasta na prawach powiatu": not this unit's own value
    98: "zero",  # Z: methodological changes, meaningful zero
}
NO_DATA_ATTRS = frozenset(k for k, v in ATTRIBUTE_FLAGS.items() if v == "no_data")
ZERO_ATTRS = frozenset(k for k, v in ATTRIBUTE_FLAGS.items() if v == "zero")
PARTIAL_ATTRS = frozenset(k for k, v in ATTRIBUTE_FLAGS.items() if v == "partial")


class BdlError(RuntimeError):
    """BDL answered, but not with the data asked for (HTTP error status or an unexpected payload).

    ``connection`` is True when BDL could not be reached at all, ``status`` is the HTTP status if any.
    """

    def __init__(self, message: str, *, status: int | None = None, connection: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.connection = connection


def _level_number(level: int | str) -> int:
    if isinstance(level, str) and not level.isdigit():
        if level not in BDL_LEVEL:
            raise ValueError(f"unknown level {level!r}; expected one of {sorted(BDL_LEVEL)}")
        return BDL_LEVEL[level]  # type: ignore[index]
    number = int(level)
    if number not in LEVEL_NAME:
        raise ValueError(f"BDL level {number} is not used by OMUP (2 województwo, 5 powiat, 6 gmina)")
    return number


def bdl_unit_to_teryt(unit_id: str, level: int | str) -> str | None:
    """TERYT code of a BDL unit id at the given level, or None when the unit is not one OMUP keeps.

    None means: a unit of another level (e.g. POLSKA in an unfiltered answer), a town or rural part of an
    urban-rural gmina (kind 4/5) or a Warsaw district (kind 8).
    """
    number = _level_number(level)
    uid = str(unit_id)
    if len(uid) != 12 or not uid.isdigit() or uid[2:4] == "00":
        return None
    if number == 2:
        return uid[2:4] if uid[4:] == "00000000" else None
    if number == 5:
        return uid[2:4] + uid[7:9] if uid[7:9] != "00" and uid[9:] == "000" else None
    if uid[9:12] == "000" or uid[11] not in GMINA_KINDS:
        return None
    return uid[2:4] + uid[7:12]


def teryt_to_bdl_unit(teryt: str) -> str:
    """A 12-digit BDL-shaped unit id of a TERYT code (region digits 0), as ``bdl_unit_to_teryt`` reads it."""
    if len(teryt) == 2:
        return f"01{teryt}00000000"
    if len(teryt) == 4:
        return f"01{teryt[:2]}000{teryt[2:]}000"
    return f"01{teryt[:2]}000{teryt[2:]}"


def flag_of(raw: Any, attr: int | None, variable: int | str = "?") -> tuple[float, str]:
    """(value, flag) of one BDL value; BdlError for an attribute whose meaning the release does not know."""
    attr = 1 if attr is None else int(attr)
    flag = ATTRIBUTE_FLAGS.get(attr)
    if flag is None:
        raise BdlError(
            f"BDL variable {variable}: attribute {attr} has no meaning in OMUP (see ATTRIBUTE_FLAGS "
            "in portal/pipeline/bdl.py and BDL's /attributes); nothing of it is published"
        )
    value = float(raw) if raw is not None else math.nan
    if flag in ("no_data", "drop"):
        return math.nan, flag
    if flag == "zero":
        return 0.0, "zero"
    if math.isnan(value):
        return math.nan, "no_data"
    if flag == "ok" and value == 0:
        return 0.0, "zero"  # a measured zero with the ordinary attribute is a true zero
    return value, flag


def bdl_results_to_measures(
    results: Iterable[Mapping[str, Any]],
    variable_id: int | str,
    level: int | str,
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """BDL ``/data/by-variable`` results (``[{id, name, values: [{year, val, attrId}]}]``) → measure rows.

    Measure ``bdl:<variable>``, source ``bdl-api``, codes as BDL gave them for each year (re-keyed by the
    build). Units not at ``level`` (or parts of gminy, Warsaw districts) are dropped and counted in
    ``attrs["dropped_units"]``; values "together for the powiat and its city" (attribute 97) are dropped and
    counted in ``attrs["combined_values"]``; years outside ``years`` are skipped.
    """
    wanted = None if years is None else {int(y) for y in years}
    rows: list[tuple[str, int, float, str]] = []
    dropped = combined = 0
    for unit in results:
        teryt = bdl_unit_to_teryt(str(unit.get("id", "")), level)
        if teryt is None:
            dropped += 1
            continue
        for item in unit.get("values") or []:
            year = int(item["year"])
            if wanted is not None and year not in wanted:
                continue
            # The live API says "val"; the swagger document says "value".
            value, flag = flag_of(item.get("val", item.get("value")), item.get("attrId"), variable_id)
            if flag == "drop":
                combined += 1
                continue
            rows.append((teryt, year, value, flag))
    if not rows:
        df = empty_measures()
    else:
        df = pd.DataFrame(rows, columns=["teryt", "year", "value", "flag"])
        df = df.drop_duplicates(["teryt", "year"], keep="first")
        df.insert(0, "measure", f"bdl:{variable_id}")
        df["source"] = DATASET
        df = df.astype({"year": "int64", "value": "float64"})[MEASURE_COLUMNS]
        df = df.sort_values(["teryt", "year"], kind="stable").reset_index(drop=True)
    df.attrs["dropped_units"] = dropped
    df.attrs["combined_values"] = combined
    return df


def estimated_pages(level: int | str, units: int | None = None) -> int:
    n = UNITS_PER_LEVEL[_level_number(level)] if units is None else units
    return max(1, math.ceil(n / PAGE_SIZE))


# -- the client ---------------------------------------------------------------------------------------------
class RebaseTransport(httpx.BaseTransport):
    """Sends pyBDL's requests (built on the official address) to ``OMUP_BDL_URL``: a mirror, a recording."""

    def __init__(self, inner: httpx.BaseTransport, base_url: str, official: str = BDL_URL) -> None:
        self.inner = inner
        self.base = httpx.URL(base_url.rstrip("/") + "/")
        self.official = official.rstrip("/")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith(self.official):
            rest = url[len(self.official) :].lstrip("/")
            request.url = self.base.join(rest)
            request.headers["Host"] = request.url.netloc.decode()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def cached_transport(cache_file: Path | None, inner: httpx.BaseTransport) -> httpx.BaseTransport:
    """``inner`` behind pyBDL's disk cache (hishel, SQLite) that keeps successful answers only.

    pyBDL's own ``cache_backend="file"`` stores every answer, a 429 included, and would replay it on every
    retry and every resumed run; this is the same cache with that filter.
    """
    if cache_file is None:
        return inner
    from hishel import BaseFilter, FilterPolicy, SyncSqliteStorage
    from hishel.httpx import SyncCacheTransport

    class OkOnly(BaseFilter):  # store 200 answers only (never a 429, a 404 or a server error)
        def needs_body(self) -> bool:
            return False

        def apply(self, item: Any, body: bytes | None) -> bool:
            return item.status_code == 200

    cache_file.parent.mkdir(parents=True, exist_ok=True)
    storage = SyncSqliteStorage(database_path=str(cache_file), default_ttl=CACHE_TTL)
    return SyncCacheTransport(
        next_transport=inner, storage=storage, policy=FilterPolicy(response_filters=[OkOnly()])
    )


class _RetryAfter:
    """httpx response hook remembering the last 429's Retry-After (pyBDL's error does not carry headers)."""

    def __init__(self) -> None:
        self.seconds: float | None = None

    def __call__(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            self.seconds = retry_after_seconds(response.headers.get("Retry-After"))


def retry_after_seconds(header: str | None) -> float | None:
    """Seconds of a Retry-After header (a number or an HTTP date), or None."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def make_bdl_client(
    settings: Settings,
    *,
    cache_file: Path | None = None,
    quota_cache_file: str | Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Any:
    """A pyBDL client for ``settings.bdl_url``, answers cached in ``cache_file`` (resume), quotas per key.

    pyBDL keeps a client-side record of BDL's published quotas (anonymous: 5/s, 100/15 min, 1,000/12 h,
    10,000/7 days; with a key 10/s, 500/15 min, 5,000/12 h, 50,000/7 days) and waits when they run out; the
    record lives in pyBDL's user cache folder (or ``quota_cache_file``), so consecutive runs respect it.
    A 429 is not retried by pyBDL (it ignores Retry-After); ``BdlSource`` waits as the header says.
    """
    from pybdl import BDLConfig
    from pybdl.api import DataAPI, VariablesAPI

    options: dict[str, Any] = {}
    if quota_cache_file is not None:
        options.update(quota_cache_file=str(quota_cache_file), use_global_cache=False)
    else:
        options.update(use_global_cache=True)
    config = BDLConfig(
        api_key=settings.bdl_api_key or None,
        language="pl",
        cache_backend=None,
        quota_cache_enabled=True,
        page_size=PAGE_SIZE,
        request_retries=2,
        retry_status_codes=(500, 502, 503, 504),
        http_429_max_retries=0,
        **options,
    )
    # Only the two endpoints the fetch uses (pyBDL's BDL() opens twenty HTTP clients).
    client = BdlClient(config, data=DataAPI(config), variables=VariablesAPI(config))
    timeout = httpx.Timeout(float(settings.fetch_timeout))
    base = settings.bdl_url.rstrip("/")
    inner = transport if transport is not None else httpx.HTTPTransport()
    if base != BDL_URL:
        inner = RebaseTransport(inner, base)
    shared = cached_transport(cache_file, inner)
    for api in (client.api.data, client.api.variables):
        session = httpx.Client(
            transport=_Shared(shared),
            headers=dict(api.session.headers),
            timeout=timeout,
            event_hooks={"response": [client.retry_after]},
        )
        api.session.close()
        api.session = session
    client.closers.append(shared.close)
    return client


class _Shared(httpx.BaseTransport):
    """One transport (one connection pool, one cache) behind several clients; closed by its owner."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        pass


class BdlClient:
    """The part of ``pybdl.BDL`` the fetch uses: ``api.data`` and ``api.variables`` (pyBDL API clients)."""

    def __init__(self, config: Any, *, data: Any, variables: Any) -> None:
        from types import SimpleNamespace

        self.config = config
        self.api = SimpleNamespace(data=data, variables=variables)
        self.retry_after = _RetryAfter()
        self.closers: list[Callable[[], None]] = []

    def close(self) -> None:
        for api in (self.api.data, self.api.variables):
            api.close()
        for close in self.closers:
            close()


class BdlSource:
    """Fetches BDL variables through pyBDL, one page a request, waiting out 429s as BDL asks.

    ``client`` is a ``pybdl.BDL`` (``make_bdl_client``); ``on_request`` is called after every request (the
    progress bar); ``sleep`` exists for tests.
    """

    name = "bdl"

    def __init__(
        self,
        settings: Settings,
        client: Any | None = None,
        *,
        cache_file: Path | None = None,
        on_request: Callable[[], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._owns_client = client is None
        self.client = client if client is not None else make_bdl_client(settings, cache_file=cache_file)
        self.host = urlsplit(settings.bdl_url).hostname or ""
        self.on_request = on_request or (lambda: None)
        self.sleep = sleep
        self.requests = 0
        self.waited = 0.0

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> BdlSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, api: Any, endpoint: str, params: dict[str, Any] | None, what: str) -> dict[str, Any]:
        from pybdl.api.exceptions import BDLError, BDLHTTPError

        hook = getattr(self.client, "retry_after", None)
        for attempt in range(RETRIES_429 + 1):
            try:
                body = api.fetch_single_result(endpoint, params=params)
            except BDLHTTPError as exc:
                self.requests += 1
                self.on_request()
                if exc.status_code is None:
                    raise BdlError(f"cannot reach {self.host}: {exc}", connection=True) from exc
                if exc.status_code == 429 and attempt < RETRIES_429:
                    wait = (
                        hook.seconds
                        if hook is not None and hook.seconds is not None
                        else 2.0 ** (attempt + 1)
                    )
                    wait = min(wait, MAX_WAIT_429)
                    self.waited += wait
                    self.sleep(wait)
                    continue
                if exc.status_code == 404:
                    raise BdlError(
                        f"{what}: BDL answers 404 (no such variable: a wrong id?)", status=404
                    ) from exc
                raise BdlError(
                    f"{what}: HTTP {exc.status_code}: {exc.response_body}", status=exc.status_code
                ) from exc
            except BDLError as exc:
                self.requests += 1
                self.on_request()
                raise BdlError(f"{what}: {exc}") from exc
            self.requests += 1
            self.on_request()
            if not isinstance(body, dict):
                raise BdlError(f"{what}: unexpected payload {type(body).__name__}")
            return body
        raise AssertionError("unreachable")  # pragma: no cover

    def variable(self, variable_id: int) -> dict[str, Any]:
        """``/variables/{id}``: measureUnitName, n1…n5, subjectId, level, years."""
        return self._get(
            self.client.api.variables,
            f"variables/{int(variable_id)}",
            {"lang": "pl"},
            f"BDL variable {variable_id}",
        )

    def fetch_variable(
        self,
        variable_id: int,
        level: int | str,
        years: Sequence[int],
        on_total: Callable[[int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Raw ``results`` of ``/data/by-variable/{id}?unit-level=…&year=…`` over all pages.

        ``on_total(pages)`` learns the number of pages from the first page's ``totalRecords``.
        """
        number = _level_number(level)
        endpoint = f"data/by-variable/{int(variable_id)}"
        what = f"BDL variable {variable_id}, level {number}"
        results: list[dict[str, Any]] = []
        page, pages = 0, 1
        while page < pages:
            params = {
                "unit-level": number,
                "year": [int(y) for y in years],
                "page": page,
                "page-size": PAGE_SIZE,
                "lang": "pl",
                "format": "json",
            }
            body = self._get(self.client.api.data, endpoint, params, what)
            chunk = body.get("results")
            if chunk is None:
                chunk = []
            if not isinstance(chunk, list):
                raise BdlError(f"{what}: 'results' is not a list")
            results.extend(chunk)
            if page == 0:
                total = body.get("totalRecords")
                size = int(body.get("pageSize") or PAGE_SIZE)  # what BDL used, which may be less than asked
                pages = max(1, math.ceil(int(total) / size)) if total is not None else 1
                if total is None and len(chunk) == PAGE_SIZE:
                    pages = 2  # no count given: page on while pages are full
                if on_total is not None:
                    on_total(pages)
            elif body.get("totalRecords") is None and len(chunk) == PAGE_SIZE:
                pages = page + 2
            page += 1
        return results
