"""GUS Bank Danych Lokalnych (BDL API v1) through pyBDL: data by variable → the values table.

Two layers: pure functions that turn recorded/received BDL payloads into values rows (tested offline on
pyBDL's own recorded responses), and a thin ``BdlSource`` that asks pyBDL for the payloads.

BDL unit ids have 12 digits: ``MRRWWSPPGGGK`` (macroregion, voivodeship ``WW`` at [2:4], region, subregion,
powiat ``PP`` at [7:9], gmina ``GGG`` at [9:12] whose last digit is the TERYT kind). Hence
    level 2 (województwo) → ``id[2:4]``           e.g. 011200000000 → 12
    level 5 (powiat)      → ``id[2:4] + id[7:9]`` e.g. 011212001000 → 1201, 071412865000 → 1465 (Warsaw)
    level 6 (gmina)       → ``id[2:4] + id[7:12]`` e.g. 011212001011 → 1201011
Level 6 also holds towns and rural areas inside urban-rural gminy (kinds 4/5) and Warsaw districts (8): those
are dropped, or they would double count. Warsaw itself is the level-6 unit 071412865011 (kind 1 → 1465011).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from portal.catalogue import Indicator, Level
from portal.config import Settings
from portal.pipeline import VALUE_COLUMNS

BDL_HOST = "bdl.stat.gov.pl"
BDL_LEVEL: dict[Level, int] = {"gmina": 6, "powiat": 5, "wojewodztwo": 2}
LEVEL_NAME: dict[int, Level] = {v: k for k, v in BDL_LEVEL.items()}
GMINA_KINDS = frozenset("123")
# BDL allows at most 100 rows a page.
PAGE_SIZE = 100
# Evidence levels too weak to put the id in front of the official API.
UNTRUSTED_EVIDENCE = frozenset({"guessed", "subject_only"})

# attrId → flag of the values table; meanings from /attributes (samples_raw_attributes.json).
# Anything not listed is an ordinary value (flag "ok"): 1 "wartość", 9 preliminary estimate, 11 methodological
# change, 20/21 low precision, 97 "łącznie dla powiatu i miasta na prawach powiatu".
# ". lub 0" / "-": no information, confidential, impossible to fill, not yet available
NO_DATA_ATTRS = frozenset({4, 14, 15, 50, 91})
ZERO_ATTRS = frozenset({0, 94, 98})  # a true, meaningful zero
PARTIAL_ATTRS = frozenset({3, 13})  # "agregat może być niekompletny"
# 7 and 17 ("wartość mniejsza niż przyjęty format prezentacji") keep the value BDL gives (≈ 0) with flag "ok":
# the phenomenon occurred but is below the precision shown, so it is neither missing nor a true zero.


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


def _flag_and_value(raw: Any, attr: int | None) -> tuple[float, str]:
    value = float(raw) if raw is not None else math.nan
    if attr in NO_DATA_ATTRS or math.isnan(value):
        return math.nan, "no_data"
    if attr in ZERO_ATTRS:
        return 0.0, "zero"
    if attr in PARTIAL_ATTRS:
        return value, "partial"
    # A measured zero with an ordinary attribute is still a true zero, as SMUP's flag 2 is.
    if value == 0 and attr not in {7, 17}:
        return 0.0, "zero"
    return value, "ok"


def empty_values() -> pd.DataFrame:
    """An empty values table with the shared column types."""
    return pd.DataFrame(
        {
            "indicator": pd.Series(dtype=object),
            "teryt": pd.Series(dtype=object),
            "year": pd.Series(dtype="int64"),
            "value": pd.Series(dtype="float64"),
            "flag": pd.Series(dtype=object),
            "synthetic": pd.Series(dtype=bool),
            "source": pd.Series(dtype=object),
        }
    )[VALUE_COLUMNS]


def concat_values(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate values tables, skipping empty ones (pandas warns about concatenating empty frames)."""
    kept = [f for f in frames if not f.empty]
    if not kept:
        return empty_values()
    return pd.concat(kept, ignore_index=True)[VALUE_COLUMNS]


def bdl_results_to_values(
    results: Iterable[Mapping[str, Any]],
    indicator_id: str,
    variable_id: int | str,
    level: int | str,
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """BDL ``/data/by-variable`` results (``[{id, name, values: [{year, val, attrId}]}]``) → values rows.

    Units that are not at ``level`` (or are parts of gminy / Warsaw districts) are dropped, so are years
    outside ``years`` when given. Values with a "no data" attribute become NaN with flag ``no_data``.
    The number of dropped units is in ``df.attrs["dropped_units"]``.
    """
    wanted = None if years is None else {int(y) for y in years}
    source = f"BDL:{variable_id}"
    rows: list[tuple[str, int, float, str]] = []
    dropped = 0
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
            raw = item.get("val", item.get("value"))
            value, flag = _flag_and_value(raw, item.get("attrId"))
            rows.append((teryt, year, value, flag))
    if not rows:
        df = empty_values()
    else:
        df = pd.DataFrame(rows, columns=["teryt", "year", "value", "flag"])
        df = df.drop_duplicates(["teryt", "year"], keep="first")
        df.insert(0, "indicator", indicator_id)
        df["synthetic"] = False
        df["source"] = source
        df = df.astype({"year": "int64", "value": "float64"})[VALUE_COLUMNS]
        df = df.sort_values(["teryt", "year"], kind="stable").reset_index(drop=True)
    df.attrs["dropped_units"] = dropped
    return df


def bdl_indicator_levels(indicator: Indicator) -> list[int]:
    """BDL levels to ask for one catalogue indicator."""
    return [BDL_LEVEL[level] for level in indicator.levels]


def wants_bdl(indicator: Indicator) -> bool:
    """True when the indicator has a BDL variable id trustworthy enough to fetch."""
    src = indicator.source
    return src.bdl_variable is not None and src.evidence not in UNTRUSTED_EVIDENCE


def make_bdl_client(settings: Settings, *, quota_cache_file: str | Path | None = None) -> Any:
    """A pyBDL client configured from the settings (no HTTP cache: a fetch wants fresh data).

    pyBDL keeps a client-side record of the BDL quotas (anonymous: 5/s, 100/15 min, 1 000/12 h) and waits
    when they run out; the record lives in pyBDL's user cache folder so that consecutive runs respect it.
    """
    import httpx
    from pybdl import BDL, BDLConfig

    config = BDLConfig(
        api_key=settings.bdl_api_key or None,
        language="pl",
        cache_backend=None,
        quota_cache_enabled=True,
        quota_cache_file=str(quota_cache_file) if quota_cache_file is not None else None,
        use_global_cache=quota_cache_file is None,
        page_size=PAGE_SIZE,
        request_retries=2,
        http_429_max_retries=4,
        http_429_max_delay=120.0,
    )
    client = BDL(config)
    timeout = float(settings.fetch_timeout)
    for api in vars(client.api).values():
        api.session.timeout = httpx.Timeout(timeout)
    return client


class BdlSource:
    """Fetches catalogue indicators from BDL through pyBDL (network).

    ``client`` is a ``pybdl.BDL``; tests pass one whose HTTP session replays recorded payloads.
    """

    name = "bdl"
    host = BDL_HOST

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self._owns_client = client is None
        self.client = client if client is not None else make_bdl_client(settings)

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> BdlSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch_variable(
        self, variable_id: int, level: int | str, years: Sequence[int]
    ) -> list[dict[str, Any]]:
        """Raw ``results`` of ``/data/by-variable/{id}?unit-level=…&year=…`` over all pages."""
        from pybdl.api.exceptions import BDLError, BDLHTTPError

        number = _level_number(level)
        try:
            results = self.client.api.data.get_data_by_variable(
                str(variable_id), years=list(years), unit_level=number, page_size=PAGE_SIZE
            )
        except BDLHTTPError as exc:
            if exc.status_code == 404:
                return []  # BDL has nothing for this variable at this level and these years
            if exc.status_code is None:
                raise BdlError(f"cannot reach {BDL_HOST}: {exc}", connection=True) from exc
            raise BdlError(
                f"BDL variable {variable_id}, level {number}: HTTP {exc.status_code}: {exc.response_body}",
                status=exc.status_code,
            ) from exc
        except BDLError as exc:
            raise BdlError(f"BDL variable {variable_id}, level {number}: {exc}") from exc
        if not isinstance(results, list):
            raise BdlError(f"BDL variable {variable_id}, level {number}: unexpected payload {type(results)}")
        return results

    def fetch_indicator(self, indicator: Indicator, years: Sequence[int]) -> pd.DataFrame:
        """Values of one catalogue indicator at each of its levels, for ``years``."""
        variable = indicator.source.bdl_variable
        if variable is None:
            raise ValueError(f"{indicator.id}: no BDL variable in the catalogue")
        frames = []
        dropped = 0
        for number in bdl_indicator_levels(indicator):
            results = self.fetch_variable(variable, number, years)
            df = bdl_results_to_values(results, indicator.id, variable, number, years)
            dropped += df.attrs.get("dropped_units", 0)
            frames.append(df)
        out = concat_values(frames)
        out.attrs["dropped_units"] = dropped
        return out
