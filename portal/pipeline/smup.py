"""GUS SMUP API (System Monitorowania Usług Publicznych): a thin httpx client and the mapping to values rows.

What we know of the API comes from public notes (../shared/data-raw/smup-api/SMUP_API.md); nothing here was
checked against the live service. The points that shape this module:

* ``X-ClientId`` header with a SMUP key (not the BDL one); without it SMUP gives no data.
* Collections are paged with ``page`` (1-based) and ``page-size`` (≤ 5000); the envelope is
  ``{"data": [...], "page-count": N}``; ``areas-list`` is a bare array.
* ``indicator-date-data?id=…&id-daty=RRRR1231`` answers **HTTP 404 when the indicator has no data that year**.
* A data row's ``id-teryt`` is SMUP's internal unit id: it is mapped through ``teryt-dictionary``
  (woj + pow + gmn + rodz), never used as a TERYT code.
* Flags (``id-flaga``): 1 value, 2 phenomenon did not occur (true zero), 5 no information / confidential;
  one of 3/4/6 is "value below the presentation format" (which one was never recorded publicly). The fetch
  asks ``flag-dictionary`` for the names and maps them (``flag_map``); every flag has a meaning in the release
  or the row is an error, and a flag without a value is never a 0.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from portal.catalogue import Level
from portal.pipeline.measures import MEASURE_COLUMNS, empty_measures

SMUP_BASE_URL = "https://api.smup.gov.pl/api/1.0.0/"
SMUP_HOST = "api.smup.gov.pl"
MAX_PAGE_SIZE = 5000
# Safety net against a server that keeps announcing more pages.
MAX_PAGES = 200

GMINA_KINDS = frozenset("123")
DATASET = "smup-api"
FLAG_VALUE = 1
FLAG_ZERO = 2
FLAG_NO_DATA = 5
# One of 3/4/6 is "wartość mniejsza niż format" (occurred, rounds to 0 at the precision shown); the others
# were never recorded publicly. Without SMUP's flag dictionary all three are read as approximate values: the
# value as given with flag "estimated", and no value → "no_data" (never 0).
FLAGS_BELOW_FORMAT = frozenset({3, 4, 6})
DEFAULT_FLAGS: dict[int, str] = {
    FLAG_VALUE: "ok",
    FLAG_ZERO: "zero",
    FLAG_NO_DATA: "no_data",
    **dict.fromkeys(FLAGS_BELOW_FORMAT, "estimated"),
}
# Words of flag-dictionary names → the release's flag (checked in this order).
FLAG_WORDS = (
    ("nie wystąpiło", "zero"),
    ("brak informacji", "no_data"),
    ("tajemnic", "no_data"),
    ("niedostępn", "no_data"),
    ("mniejsza niż", "estimated"),
    ("szacun", "estimated"),
    ("niekompletn", "partial"),
    ("wystąpiło", "ok"),
)


class SmupError(RuntimeError):
    """SMUP could not be reached or did not answer as expected.

    ``status`` is the HTTP status when there was one; ``connection`` is True when no answer came at all.
    """

    def __init__(self, message: str, *, status: int | None = None, connection: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.connection = connection


def id_daty(year: int) -> int:
    """SMUP's period id of a year: 31 December, ``RRRR1231``."""
    return int(year) * 10000 + 1231


def _retry_after_seconds(response: httpx.Response) -> float | None:
    header = response.headers.get("Retry-After")
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class SmupClient:
    """Thin client for the SMUP API; every method returns the plain JSON rows.

    429 and 5xx answers are retried at most ``max_retries`` times, waiting ``Retry-After`` seconds when SMUP
    says so (else 1, 2, 4 … s), never longer than ``max_wait`` seconds a time. Requests are at least
    ``min_interval`` apart (SMUP publishes no limits; one note claims BDL's, 10 a second with a key).
    Successful answers are kept in ``cache_file`` (SQLite, the BDL client's cache) so that an interrupted
    fetch resumes. ``transport`` and ``sleep`` exist for tests.
    """

    def __init__(
        self,
        api_key: str,
        *,
        timeout: float = 10.0,
        base_url: str = SMUP_BASE_URL,
        page_size: int = MAX_PAGE_SIZE,
        max_retries: int = 4,
        max_wait: float = 60.0,
        lang: str = "pl",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        cache_file: Path | None = None,
        min_interval: float = 0.1,
        on_request: Callable[[], None] | None = None,
    ) -> None:
        if not api_key:
            raise SmupError("SMUP needs an API key (X-ClientId); set OMUP_SMUP_API_KEY")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        self.page_size = page_size
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.lang = lang
        self._sleep = sleep
        self.host = httpx.URL(base_url).host
        self.min_interval = min_interval
        self._last = -math.inf
        self.on_request = on_request or (lambda: None)
        self.requests = 0
        from portal.pipeline.bdl import cached_transport

        inner = transport if transport is not None else httpx.HTTPTransport()
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"X-ClientId": api_key, "Accept": "application/json"},
            timeout=timeout,
            transport=cached_transport(cache_file, inner),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SmupClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP -------------------------------------------------------------------------------------------
    def _get(self, resource: str, params: Mapping[str, Any]) -> Any:
        """One GET with bounded retries; returns the decoded JSON, or None on HTTP 404."""
        query = {"lang": self.lang, **params}
        for attempt in range(self.max_retries + 1):
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            try:
                response = self._http.get(resource, params=query)
            except httpx.TransportError as exc:
                raise SmupError(f"cannot reach {self.host} ({resource}): {exc}", connection=True) from exc
            finally:
                self._last = time.monotonic()
                self.requests += 1
                self.on_request()
            status = response.status_code
            if status == 404:
                return None
            if (status == 429 or status >= 500) and attempt < self.max_retries:
                wait = _retry_after_seconds(response) if status == 429 else None
                if wait is None:
                    wait = 2.0**attempt
                self._sleep(min(wait, self.max_wait))
                continue
            if status == 429:
                raise SmupError(
                    f"SMUP rate limit: {resource} still refused (HTTP 429) after {self.max_retries} retries",
                    status=status,
                )
            if status in (401, 403):
                raise SmupError(
                    f"SMUP refused the key (HTTP {status}) for {resource}; check OMUP_SMUP_API_KEY",
                    status=status,
                )
            if status >= 400:
                raise SmupError(
                    f"SMUP {resource} {dict(params)}: HTTP {status}: {response.text[:300]}", status=status
                )
            try:
                return response.json()
            except ValueError as exc:
                raise SmupError(f"SMUP {resource}: the answer is not JSON: {response.text[:200]!r}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _paged(self, resource: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """All rows of a paged collection; [] when SMUP answers 404 (no data)."""
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self._get(resource, {**(params or {}), "page": page, "page-size": self.page_size})
            if body is None:
                if page == 1:
                    return []
                raise SmupError(f"SMUP {resource}: page {page} disappeared (HTTP 404) during paging")
            if isinstance(body, list):  # a bare array is the whole collection
                return rows + body
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise SmupError(f"SMUP {resource}: expected {{'data': [...]}}, got {str(body)[:200]}")
            rows.extend(body["data"])
            page_count = int(body.get("page-count") or 1)
            if page >= page_count or not body["data"]:
                return rows
            if page >= MAX_PAGES:
                raise SmupError(f"SMUP {resource}: more than {MAX_PAGES} pages; refusing to go on")
            page += 1

    # -- endpoints ----------------------------------------------------------------------------------------
    def areas_list(self) -> list[dict[str, Any]]:
        """``[{"id-ou", "nazwa-obszaru"}]`` – the 10 areas."""
        body = self._get("areas-list", {})
        if body is None:
            return []
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            return body["data"]
        if not isinstance(body, list):
            raise SmupError(f"SMUP areas-list: expected a list, got {str(body)[:200]}")
        return body

    def indicator_list(self) -> list[dict[str, Any]]:
        """``[{"id", "nazwa-wskaznika", …}]`` – every indicator."""
        return self._paged("indicator-list")

    def teryt_dictionary(self) -> list[dict[str, Any]]:
        """``[{"id-teryt", "woj", "pow", "gmn", "rodz", "nazwa", "nazwa-dod"}]`` – SMUP's unit ids."""
        return self._paged("teryt-dictionary")

    def flag_dictionary(self) -> list[dict[str, Any]]:
        """The six flags with their names; [] when SMUP does not answer it."""
        body = self._get("flag-dictionary", {})
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            return body["data"]
        return body if isinstance(body, list) else []

    def indicator_date_data(self, indicator_id: int, year: int) -> list[dict[str, Any]]:
        """``[{"id", "id-daty", "id-teryt", "id-flaga", "wartosc", "precyzja"}]``; [] = no data."""
        return self._paged("indicator-date-data", {"id": int(indicator_id), "id-daty": id_daty(year)})


# -- mapping ------------------------------------------------------------------------------------------------
def _code(row: Mapping[str, Any], key: str, width: int) -> str | None:
    raw = row.get(key)
    if raw is None:
        return None
    text = str(raw).strip()
    if not text or not text.isdigit() or int(text) == 0:
        return None
    return text.zfill(width)


def dictionary_row_to_teryt(row: Mapping[str, Any]) -> tuple[str, Level] | None:
    """(TERYT, level) of one teryt-dictionary row, or None for units OMUP does not keep.

    gmina rows (rodz 1/2/3) → woj+pow+gmn+rodz (7 digits); powiat rows (no gmn) → woj+pow; województwo rows
    (woj only) → woj. Town and rural parts of urban-rural gminy (rodz 4/5) and Warsaw districts and
    delegations (8/9) → None.
    """
    woj, pow_, gmn = _code(row, "woj", 2), _code(row, "pow", 2), _code(row, "gmn", 2)
    rodz = str(row.get("rodz") or "").strip()
    if woj is None:
        return None
    if pow_ is None:
        return (woj, "wojewodztwo") if gmn is None and not rodz else None
    if gmn is None:
        return (woj + pow_, "powiat") if not rodz else None
    if rodz in GMINA_KINDS:
        return woj + pow_ + gmn + rodz, "gmina"
    return None


def teryt_lookup(dictionary: Iterable[Mapping[str, Any]]) -> dict[int, tuple[str, Level]]:
    """teryt-dictionary rows → {id-teryt: (TERYT, level)} for the units OMUP keeps."""
    out: dict[int, tuple[str, Level]] = {}
    for row in dictionary:
        mapped = dictionary_row_to_teryt(row)
        if mapped is not None and row.get("id-teryt") is not None:
            out[int(row["id-teryt"])] = mapped
    return out


def flag_map(dictionary: Iterable[Mapping[str, Any]] | None) -> dict[int, str]:
    """SMUP flag id → the release's flag, by flag-dictionary's names where they say it, else DEFAULT_FLAGS.

    A row is read leniently (its field names were never recorded publicly): the first whole-number field is
    the id, the text fields together are the name.
    """
    out = dict(DEFAULT_FLAGS)
    for row in dictionary or []:
        ident = next((v for k, v in row.items() if isinstance(v, int) and not isinstance(v, bool)), None)
        name = " ".join(str(v) for v in row.values() if isinstance(v, str)).lower()
        if ident is None or not name:
            continue
        for word, flag in FLAG_WORDS:
            if word in name:
                out[int(ident)] = flag
                break
    return out


def _row_value(row: Mapping[str, Any], flags: Mapping[int, str], indicator_id: int) -> tuple[float, str]:
    raw_flag = row.get("id-flaga")
    code = int(raw_flag) if raw_flag is not None else FLAG_VALUE
    flag = flags.get(code)
    if flag is None:
        raise SmupError(
            f"SMUP indicator {indicator_id}: flag {code} has no meaning in OMUP (flag-dictionary and "
            "DEFAULT_FLAGS in portal/pipeline/smup.py); nothing of it is published"
        )
    raw = row.get("wartosc")
    value = float(raw) if raw is not None else math.nan
    precision = row.get("precyzja")
    if not math.isnan(value) and precision is not None:
        value = round(value, int(precision))
    if flag == "no_data":
        return math.nan, "no_data"
    if flag == "zero":
        return 0.0, "zero"
    # Any other flag without a value is missing whatever the flag says: never a 0.
    if math.isnan(value):
        return math.nan, "no_data"
    if flag == "ok" and value == 0:
        return 0.0, "zero"
    return value, flag


def smup_rows_to_measures(
    rows: Iterable[Mapping[str, Any]],
    dictionary: Mapping[int, tuple[str, Level] | str] | Iterable[Mapping[str, Any]],
    indicator_id: int,
    levels: Iterable[Level] | None = None,
    flags: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """indicator-date-data rows → measure rows ``smup:<indicator_id>`` (source ``smup-api``).

    ``dictionary`` is either the raw teryt-dictionary rows or the lookup built by ``teryt_lookup``.
    Rows whose ``id-teryt`` is unknown or a unit OMUP does not keep, and rows outside ``levels`` when given,
    are dropped; their count is in ``df.attrs["unmapped_rows"]``.
    """
    lookup = dictionary if isinstance(dictionary, Mapping) else teryt_lookup(dictionary)
    flags = DEFAULT_FLAGS if flags is None else flags
    wanted = None if levels is None else set(levels)
    out: list[tuple[str, int, float, str]] = []
    unmapped = 0
    for row in rows:
        unit = lookup.get(int(row["id-teryt"])) if row.get("id-teryt") is not None else None
        if isinstance(unit, str):
            unit = (unit, None)
        if unit is None or (wanted is not None and unit[1] not in wanted):
            unmapped += 1
            continue
        value, flag = _row_value(row, flags, indicator_id)
        out.append((unit[0], int(row["id-daty"]) // 10000, value, flag))
    if not out:
        df = empty_measures()
    else:
        df = pd.DataFrame(out, columns=["teryt", "year", "value", "flag"])
        df = df.drop_duplicates(["teryt", "year"], keep="first")
        df.insert(0, "measure", f"smup:{indicator_id}")
        df["source"] = DATASET
        df = df.astype({"year": "int64", "value": "float64"})[MEASURE_COLUMNS]
        df = df.sort_values(["teryt", "year"], kind="stable").reset_index(drop=True)
    df.attrs["unmapped_rows"] = unmapped
    return df


def merge_unit_kinds(frames: Iterable[pd.DataFrame], measure: str) -> pd.DataFrame:
    """One measure from several SMUP indicators (gminy + cities with powiat rights).

    The SMUP gmina indicator leaves out the 66 cities the mnpp one covers, so normally nothing overlaps;
    if a unit-year comes twice, the first frame with a value wins over a no-data row.
    """
    kept = [f for f in frames if len(f)]
    if not kept:
        return empty_measures()
    df = pd.concat(kept, ignore_index=True)
    df = df.assign(_missing=df["value"].isna()).reset_index(drop=True)
    df = df.sort_values(["teryt", "year", "_missing"], kind="stable")
    df = df.drop_duplicates(["teryt", "year"], keep="first").drop(columns="_missing")
    df["measure"] = measure
    return df.sort_values(["teryt", "year"], kind="stable").reset_index(drop=True)[MEASURE_COLUMNS]
