"""`omup data fetch`: catalogue indicators from the official APIs (BDL, SMUP) → Parquet for the next build.

Output, in ``settings.fetch_dir``:
  values-bdl.parquet, values-smup.parquet   values tables (portal.pipeline.VALUE_COLUMNS), synthetic=False
  FETCHED.json                              what was fetched, when, row counts and errors per indicator

Everything is fetched into memory first, then written to a temporary folder next to ``fetch_dir`` that
replaces it in one rename; when anything fails before that, ``fetch_dir`` is left exactly as it was.
Files of a source not fetched this time are carried over from the previous fetch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from portal.catalogue import Catalogue, Indicator, load_catalogue
from portal.config import Settings
from portal.pipeline import VALUE_COLUMNS
from portal.pipeline.bdl import BDL_HOST, BdlError, BdlSource, concat_values, wants_bdl
from portal.pipeline.smup import (
    SMUP_HOST,
    SmupClient,
    SmupError,
    merge_smup_values,
    smup_rows_to_values,
    teryt_lookup,
)

SOURCES = ("bdl", "smup")
# Host and port each source's preflight connects to; tests point them at a closed local port.
PREFLIGHT_HOSTS: dict[str, tuple[str, int]] = {"bdl": (BDL_HOST, 443), "smup": (SMUP_HOST, 443)}
PREFLIGHT_TIMEOUT = 3.0
YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")
FIRST_YEAR, LAST_YEAR = 1995, 2100


class FetchError(RuntimeError):
    """The fetch could not be done; the message says why, and nothing was written."""


def parse_years(years: str | Iterable[int]) -> list[int]:
    """``"2015-2024"`` or ``"2020"`` (or a list of years) → sorted years; FetchError on anything else."""
    if isinstance(years, str):
        match = YEAR_RANGE.match(years)
        if not match:
            raise FetchError(f"years must look like 2015-2024 or 2020, not {years!r}")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        out = list(range(first, last + 1))
    else:
        try:
            out = sorted({int(y) for y in years})
        except (TypeError, ValueError) as exc:
            raise FetchError(f"years must be whole numbers, not {years!r}") from exc
    if not out:
        raise FetchError(f"years {years!r}: the range is empty (first year after the last?)")
    if out[0] < FIRST_YEAR or out[-1] > LAST_YEAR:
        raise FetchError(f"years {years!r}: outside {FIRST_YEAR}-{LAST_YEAR}")
    return out


def parse_sources(sources: str | Iterable[str]) -> list[str]:
    """``"all"``, ``"bdl"``, ``"smup"`` or a list of them → the sources to fetch."""
    names = [sources] if isinstance(sources, str) else list(sources)
    if "all" in names:
        return list(SOURCES)
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        raise FetchError(f"unknown source(s) {unknown or names}; expected 'all' or some of {list(SOURCES)}")
    return [s for s in SOURCES if s in names]


def _preflight_target(host: str, port: int) -> tuple[str, int]:
    """Where a TCP connection shows the host is reachable: the HTTPS proxy if one applies (httpx uses it)."""
    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(host):
        return host, port
    parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return parsed.hostname or host, parsed.port or (443 if parsed.scheme == "https" else 80)


def preflight(source: str, timeout: float = PREFLIGHT_TIMEOUT) -> None:
    """Fail fast when the source's API host cannot be reached at all (no network, DNS, firewall).

    The check runs in a daemon thread so that a hanging DNS lookup, which the socket timeout does not
    cover, cannot hold the command longer than ``timeout``.
    """
    host, port = PREFLIGHT_HOSTS[source]
    target = _preflight_target(host, port)
    outcome: list[OSError | None] = []

    def connect() -> None:
        try:
            with socket.create_connection(target, timeout=timeout):
                outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=connect, name=f"preflight-{source}", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    via = "" if target == (host, port) else f" through the proxy {target[0]}:{target[1]}"
    if not outcome:
        reason = f"no answer within {timeout:g} s"
    elif outcome[0] is not None:
        reason = f"{type(outcome[0]).__name__}: {outcome[0]}"
    else:
        return
    raise FetchError(f"cannot reach {host}:{port}{via} ({reason}): no network? nothing was written")


def bdl_indicators(catalogue: Catalogue) -> list[Indicator]:
    """Catalogue indicators with a trustworthy BDL variable id."""
    return [i for i in catalogue.indicators if wants_bdl(i)]


def smup_ids(indicator: Indicator) -> list[int]:
    """SMUP indicator ids behind one catalogue indicator (gmina + mnpp, or the one for all levels)."""
    smup = indicator.source.smup
    if smup is None:
        return []
    return [i for i in (smup.gmina, smup.mnpp, smup.all) if i is not None]


def smup_indicators(catalogue: Catalogue) -> list[Indicator]:
    """Catalogue indicators with SMUP ids."""
    return [i for i in catalogue.indicators if smup_ids(i)]


def _summary(df: pd.DataFrame) -> dict[str, Any]:
    return {
        "rows": len(df),
        "values": int(df["value"].notna().sum()),
        "flags": {k: int(v) for k, v in df["flag"].value_counts().sort_index().items()},
        "units": int(df["teryt"].nunique()),
        "years": sorted(int(y) for y in df["year"].unique()),
    }


def _fetch_bdl(source: BdlSource, indicators: list[Indicator], years: list[int]) -> tuple[pd.DataFrame, dict]:
    frames, report = [], {}
    for ind in indicators:
        entry: dict[str, Any] = {"variable": ind.source.bdl_variable, "levels": list(ind.levels)}
        try:
            df = source.fetch_indicator(ind, years)
        except BdlError as exc:
            if exc.connection or exc.status in (401, 403):
                raise FetchError(f"BDL, indicator {ind.id}: {exc}; nothing was written") from exc
            entry["error"] = str(exc)
        else:
            frames.append(df)
            entry.update(_summary(df), dropped_units=int(df.attrs.get("dropped_units", 0)), error=None)
        report[ind.id] = entry
    return concat_values(frames), report


def _fetch_smup(
    client: SmupClient, indicators: list[Indicator], years: list[int]
) -> tuple[pd.DataFrame, dict]:
    try:
        lookup = teryt_lookup(client.teryt_dictionary())
    except SmupError as exc:
        raise FetchError(f"SMUP teryt-dictionary: {exc}; nothing was written") from exc
    if not lookup:
        raise FetchError("SMUP teryt-dictionary came back empty; nothing was written")
    frames, report = [], {}
    for ind in indicators:
        ids = smup_ids(ind)
        entry: dict[str, Any] = {"smup_ids": ids, "levels": list(ind.levels), "no_data_years": {}}
        parts, unmapped = [], 0
        try:
            for smup_id in ids:
                missing = []
                for year in years:
                    rows = client.indicator_date_data(smup_id, year)
                    if not rows:
                        missing.append(year)
                        continue
                    df = smup_rows_to_values(rows, lookup, smup_id, ind.id, levels=ind.levels)
                    unmapped += df.attrs.get("unmapped_rows", 0)
                    parts.append(df)
                if missing:
                    entry["no_data_years"][str(smup_id)] = missing
        except SmupError as exc:
            if exc.connection or exc.status in (401, 403, 429):
                raise FetchError(f"SMUP, indicator {ind.id}: {exc}; nothing was written") from exc
            entry["error"] = str(exc)
        else:
            df = merge_smup_values(parts)
            frames.append(df)
            entry.update(_summary(df), unmapped_rows=unmapped, error=None)
        report[ind.id] = entry
    return concat_values(frames), report


def _write_atomically(
    fetch_dir: Path, files: dict[str, pd.DataFrame], manifest: dict, carry: list[str]
) -> None:
    """Write into ``.<name>.tmp-<pid>`` next to ``fetch_dir`` and swap it in with renames."""
    parent = fetch_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{fetch_dir.name}.tmp-{os.getpid()}"
    old = parent / f".{fetch_dir.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        for name, df in files.items():
            df[VALUE_COLUMNS].to_parquet(tmp / name, index=False)
        for name in carry:
            shutil.copy2(fetch_dir / name, tmp / name)
        (tmp / "FETCHED.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
        if fetch_dir.exists():
            fetch_dir.rename(old)
        tmp.rename(fetch_dir)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not fetch_dir.exists():
            old.rename(fetch_dir)
        if isinstance(exc, OSError):
            raise FetchError(f"cannot write {fetch_dir}: {exc}; the previous fetch is untouched") from exc
        raise
    shutil.rmtree(old, ignore_errors=True)


def _previous(fetch_dir: Path) -> dict:
    try:
        return json.loads((fetch_dir / "FETCHED.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def fetch_official(
    settings: Settings,
    sources: str | Iterable[str] = "all",
    years: str | Iterable[int] = "2015-2024",
    catalogue: Catalogue | None = None,
    *,
    bdl: BdlSource | None = None,
    smup: SmupClient | None = None,
) -> dict:
    """Fetch every catalogue indicator with official ids from BDL and/or SMUP, for ``years``.

    Returns the FETCHED.json manifest (plus ``path``). Raises FetchError (and writes nothing) on bad
    arguments, an unreadable catalogue, a missing SMUP key, an unreachable host, a lost connection, a
    refused key, or when every indicator of a source failed. Errors of single indicators (e.g. an unknown
    variable id) are recorded in the manifest instead. ``bdl`` and ``smup`` replace the network clients
    (tests); the preflight check applies only to clients built here.
    """
    year_list = parse_years(years)
    source_list = parse_sources(sources)
    if catalogue is None:
        try:
            catalogue = load_catalogue(settings.catalogue_path)
        except ValueError as exc:
            raise FetchError(str(exc)) from exc
    try:
        timeout = float(settings.fetch_timeout)
    except ValueError as exc:
        raise FetchError(
            f"OMUP_FETCH_TIMEOUT must be a number of seconds, not {settings.fetch_timeout!r}"
        ) from exc

    todo = {
        "bdl": bdl_indicators(catalogue) if "bdl" in source_list else [],
        "smup": smup_indicators(catalogue) if "smup" in source_list else [],
    }
    if todo["smup"] and smup is None and not settings.smup_api_key:
        raise FetchError(
            "SMUP needs an API key: set OMUP_SMUP_API_KEY (free, from api.stat.gov.pl → SMUP), "
            "or fetch BDL only with --source bdl; nothing was written"
        )
    for name in source_list:
        if todo[name] and {"bdl": bdl, "smup": smup}[name] is None:
            preflight(name)

    started = time.monotonic()
    files: dict[str, pd.DataFrame] = {}
    reports: dict[str, dict] = {}
    for name in source_list:
        if not todo[name]:
            files[f"values-{name}.parquet"] = concat_values([])
            reports[name] = {"indicators": {}, "note": "no catalogue indicator has ids for this source"}
            continue
        if name == "bdl":
            client = bdl if bdl is not None else BdlSource(settings)
            try:
                df, per_indicator = _fetch_bdl(client, todo[name], year_list)
            finally:
                if bdl is None:
                    client.close()
        else:
            try:
                client = smup if smup is not None else SmupClient(settings.smup_api_key, timeout=timeout)
            except SmupError as exc:
                raise FetchError(str(exc)) from exc
            try:
                df, per_indicator = _fetch_smup(client, todo[name], year_list)
            finally:
                if smup is None:
                    client.close()
        failed = [k for k, v in per_indicator.items() if v.get("error")]
        if len(failed) == len(per_indicator):
            first = per_indicator[failed[0]]["error"]
            raise FetchError(f"{name.upper()}: every indicator failed (first: {first}); nothing was written")
        files[f"values-{name}.parquet"] = df
        reports[name] = {"indicators": per_indicator, "rows": len(df), "failed": failed}

    fetch_dir = Path(settings.fetch_dir)
    previous = _previous(fetch_dir)
    carry = []
    for name in SOURCES:
        if name not in source_list and (fetch_dir / f"values-{name}.parquet").exists():
            carry.append(f"values-{name}.parquet")
            reports[name] = {**previous.get("sources", {}).get(name, {}), "carried_over": True}

    manifest = {
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "years": year_list,
        "sources_fetched": source_list,
        "files": sorted([*files, *carry]),
        "sources": reports,
        "errors": {
            f"{name}:{ind}": entry["error"]
            for name, rep in reports.items()
            for ind, entry in rep.get("indicators", {}).items()
            if entry.get("error")
        },
    }
    _write_atomically(fetch_dir, files, manifest, carry)
    return {**manifest, "path": str(fetch_dir)}
