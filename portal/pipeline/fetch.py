"""`omup data fetch`: what data/fetch.yaml names, from the official APIs (BDL, SMUP) → measures for the build.

Output, in ``settings.fetch_dir``:
  measures-bdl.parquet, measures-smup.parquet   measure rows (portal.pipeline.measures.MEASURE_COLUMNS):
                                                ``bdl:<variable>`` / ``smup:<indicator>``, codes as the API
                                                gave them for each year (the build re-keys them to today's
                                                units)
  FETCHED.json                                  what was fetched, when, each BDL variable's unit and names as
                                                BDL states them, SMUP's flags, counts and errors per indicator

What is asked and how long it takes (hosts, work, quotas, progress) is portal/pipeline/fetch_work.py.
The build (``portal/pipeline/real.fetched_values``) turns the measures into indicators with the plan's
numerators and denominators. Everything is fetched into memory first, then written to a temporary folder
next to ``fetch_dir`` that replaces it in one rename; when anything fails before that, ``fetch_dir`` is left
exactly as it was. Files of a source not fetched this time are carried over from the previous fetch.

Every successful answer is kept on disk (pyBDL's hishel cache, ``.<fetch_dir>-http-cache`` beside it) until
the fetch completes, so an interrupted fetch (Ctrl-C, lost network, a quota wait cut short) resumes where it
stopped when run again with the same arguments; the cache is removed once the new fetch is in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from portal.catalogue import Catalogue, load_catalogue
from portal.config import Settings
from portal.pipeline.bdl import (
    BdlError,
    BdlSource,
    bdl_results_to_measures,
    estimated_pages,
)
from portal.pipeline.fetch_plan import FetchPlan, PlanError, PlanIndicator, fillable, load_plan, plan_path
from portal.pipeline.fetch_work import (
    FetchError,
    Progress,
    Work,
    api_host,
    human_duration,
    plan_work,
    preflight,
    quota_seconds,
)
from portal.pipeline.measures import MEASURE_COLUMNS, empty_measures
from portal.pipeline.smup import SmupClient, SmupError, flag_map, smup_rows_to_measures, teryt_lookup

SOURCES = ("bdl", "smup")
FORMAT = 2  # of the fetch folder; the build ignores a folder of another format
YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")
FIRST_YEAR, LAST_YEAR = 1995, 2100


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


# -- BDL -----------------------------------------------------------------------------------------------------
def _variable_meta(info: dict[str, Any]) -> dict[str, Any]:
    keep = ("measureUnitName", "measureUnitId", "subjectId", "level", "n1", "n2", "n3", "n4", "n5", "years")
    return {k: info.get(k) for k in keep if info.get(k) is not None}


def _fetch_bdl(source: BdlSource, work: Work, progress: Progress) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Every variable of ``work``: its metadata (unit checked), then its data at each level, page by page."""
    frames: list[pd.DataFrame] = []
    report: dict[str, dict] = {}
    for variable, (unit, levels) in sorted(work.variables.items()):
        users = work.users.get(("bdl", variable), [])
        entry: dict[str, Any] = {"unit_declared": unit, "levels": sorted(levels), "indicators": users}
        report[str(variable)] = entry
        pending = sum(estimated_pages(lv) for lv in levels)
        progress.note(f"BDL {variable}")
        try:
            info = source.variable(variable)
            entry.update(_variable_meta(info))
            stated = info.get("measureUnitName")
            if stated != unit:
                raise BdlError(
                    f"BDL states variable {variable} in '{stated}', data/fetch.yaml declares '{unit}' "
                    f"(indicators {', '.join(users)}); not fetched"
                )
            rows = []
            for level in sorted(levels, key=lambda lv: ("gmina", "powiat", "wojewodztwo").index(lv)):
                estimate = estimated_pages(level)

                def on_total(pages: int, estimate: int = estimate) -> None:
                    progress.adjust(pages - estimate)

                results = source.fetch_variable(variable, level, work.years, on_total=on_total)
                pending -= estimate
                df = bdl_results_to_measures(results, variable, level, work.years)
                entry.setdefault("dropped_units", 0)
                entry["dropped_units"] += int(df.attrs.get("dropped_units", 0))
                entry.setdefault("combined_values", 0)
                entry["combined_values"] += int(df.attrs.get("combined_values", 0))
                rows.append(df)
        except BdlError as exc:
            if exc.connection or exc.status in (401, 403):
                raise FetchError(f"BDL, variable {variable}: {exc}; nothing was written") from exc
            progress.adjust(-pending)
            entry["error"] = str(exc)
            continue
        df = (
            pd.concat([r for r in rows if len(r)], ignore_index=True)
            if any(len(r) for r in rows)
            else (empty_measures())
        )
        frames.append(df)
        entry.update(
            rows=len(df),
            values=int(df["value"].notna().sum()),
            flags={k: int(v) for k, v in df["flag"].value_counts().sort_index().items()},
            years=sorted(int(y) for y in df["year"].unique()),
            error=None,
        )
    kept = [f for f in frames if len(f)]
    out = pd.concat(kept, ignore_index=True)[MEASURE_COLUMNS] if kept else empty_measures()
    return out, report


# -- SMUP ----------------------------------------------------------------------------------------------------
def _fetch_smup(client: SmupClient, work: Work, progress: Progress) -> tuple[pd.DataFrame, dict[str, Any]]:
    progress.note("SMUP teryt-dictionary")
    try:
        lookup = teryt_lookup(client.teryt_dictionary())
    except SmupError as exc:
        raise FetchError(f"SMUP teryt-dictionary: {exc}; nothing was written") from exc
    if not lookup:
        raise FetchError("SMUP teryt-dictionary came back empty; nothing was written")
    try:
        dictionary = client.flag_dictionary()
    except SmupError as exc:
        if exc.connection or exc.status in (401, 403, 429):
            raise FetchError(f"SMUP flag-dictionary: {exc}; nothing was written") from exc
        dictionary = []
    flags = flag_map(dictionary)
    frames, report = [], {}
    for smup_id, levels in sorted(work.smup_ids.items()):
        users = work.users.get(("smup", smup_id), [])
        entry: dict[str, Any] = {"levels": sorted(levels), "indicators": users, "no_data_years": []}
        report[str(smup_id)] = entry
        progress.note(f"SMUP {smup_id}")
        parts, unmapped = [], 0
        try:
            for year in work.years:
                rows = client.indicator_date_data(smup_id, year)
                if not rows:
                    entry["no_data_years"].append(year)
                    continue
                df = smup_rows_to_measures(rows, lookup, smup_id, levels=levels, flags=flags)
                unmapped += df.attrs.get("unmapped_rows", 0)
                parts.append(df)
        except SmupError as exc:
            if exc.connection or exc.status in (401, 403, 429):
                raise FetchError(f"SMUP, indicator {smup_id}: {exc}; nothing was written") from exc
            entry["error"] = str(exc)
            continue
        if not parts:
            entry["error"] = (
                f"SMUP has no data for indicator {smup_id} in any year asked ({work.years[0]}–"
                f"{work.years[-1]}: HTTP 404 each time): a wrong id?"
            )
            continue
        df = (
            pd.concat([p for p in parts if len(p)], ignore_index=True)
            if any(len(p) for p in parts)
            else (empty_measures())
        )
        frames.append(df)
        entry.update(
            rows=len(df),
            values=int(df["value"].notna().sum()),
            unmapped_rows=unmapped,
            flags={k: int(v) for k, v in df["flag"].value_counts().sort_index().items()},
            error=None,
        )
    kept = [f for f in frames if len(f)]
    out = pd.concat(kept, ignore_index=True)[MEASURE_COLUMNS] if kept else empty_measures()
    return out, {
        "ids": report,
        "flags": {str(k): v for k, v in sorted(flags.items())},
        "flag_dictionary": dictionary,
    }


def _indicator_errors(
    work: Work, entries: list[PlanIndicator], source: str, ids: dict[str, dict]
) -> dict[str, str | None]:
    """Per indicator of ``source``: the first error of a variable/indicator it needs, or None."""
    out: dict[str, str | None] = {}
    for entry in entries:
        part = getattr(entry, source)
        if part is None:
            continue
        needed = [p.variable for p in part.parts()] if source == "bdl" else part.ids
        errors = [ids.get(str(n), {}).get("error") for n in needed]
        out[entry.id] = next((e for e in errors if e), None)
    return out


# -- writing -------------------------------------------------------------------------------------------------
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
            df[MEASURE_COLUMNS].to_parquet(tmp / name, index=False)
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


def cache_dir(settings: Settings) -> Path:
    """Where answers wait for a resumed fetch: beside the fetch folder, removed once a fetch completes."""
    fetch_dir = Path(settings.fetch_dir)
    return fetch_dir.parent / f".{fetch_dir.name}-http-cache"


def fetch_official(
    settings: Settings,
    sources: str | Iterable[str] = "all",
    years: str | Iterable[int] = "2015-2024",
    catalogue: Catalogue | None = None,
    *,
    plan: FetchPlan | None = None,
    bdl: BdlSource | None = None,
    smup: SmupClient | None = None,
    progress: bool = True,
) -> dict:
    """Fetch what data/fetch.yaml names from BDL and/or SMUP, for ``years``.

    Returns the FETCHED.json manifest (plus ``path``). Raises FetchError (and writes nothing) on bad
    arguments, an unreadable catalogue or plan, a missing SMUP key, an unreachable host, a lost connection, a
    refused key, or when every indicator of a source failed. Errors of single indicators (an unknown id, a
    unit BDL states differently, a flag without a meaning) are recorded in the manifest instead. ``bdl`` and
    ``smup`` replace the network clients (tests); the preflight check applies only to clients built here.
    """
    year_list = parse_years(years)
    source_list = parse_sources(sources)
    try:
        if catalogue is None:
            catalogue = load_catalogue(settings.catalogue_path)
        if plan is None:
            plan = load_plan(plan_path(settings.catalogue_path), catalogue)
    except (ValueError, PlanError) as exc:
        raise FetchError(str(exc)) from exc
    try:
        timeout = float(settings.fetch_timeout)
    except ValueError as exc:
        raise FetchError(
            f"OMUP_FETCH_TIMEOUT must be a number of seconds, not {settings.fetch_timeout!r}"
        ) from exc

    entries, skipped = fillable(plan, catalogue)
    work = plan_work(plan, entries, year_list, source_list)
    todo = {"bdl": bool(work.variables), "smup": bool(work.smup_ids)}
    if todo["smup"] and smup is None and not settings.smup_api_key:
        raise FetchError(
            "SMUP needs an API key: set OMUP_SMUP_API_KEY (free, from api.stat.gov.pl → SMUP), "
            "or fetch BDL only with --source bdl; nothing was written"
        )
    for name in source_list:
        if todo[name] and {"bdl": bdl, "smup": smup}[name] is None:
            preflight(*api_host(settings, name))

    registered = bool(settings.bdl_api_key)
    n_bdl, n_smup = work.bdl_requests(), work.smup_requests()
    if progress and (n_bdl or n_smup):
        least = quota_seconds(n_bdl, registered)
        print(
            f"omup data fetch: about {n_bdl:,} requests to BDL ({len(work.variables)} variables, years "
            f"{year_list[0]}–{year_list[-1]}), {n_smup:,} to SMUP; at BDL's published limits "
            f"{'with your key' if registered else 'without a key'} at least {human_duration(least)}"
            f"{'' if registered else f' (with a key: {human_duration(quota_seconds(n_bdl, True))})'}. "
            f"Answers are kept in {cache_dir(settings)}: an interrupted fetch resumes when run again.",
            file=sys.stderr,
            flush=True,
        )
    bar = Progress(n_bdl + n_smup, enabled=progress)
    cache_file = cache_dir(settings) / "answers.sqlite"

    started = time.monotonic()
    files: dict[str, pd.DataFrame] = {}
    reports: dict[str, dict] = {}
    try:
        for name in source_list:
            if not todo[name]:
                files[f"measures-{name}.parquet"] = empty_measures()
                reports[name] = {"indicators": {}, "note": "data/fetch.yaml names nothing to fetch from it"}
                continue
            if name == "bdl":
                client = bdl if bdl is not None else BdlSource(settings, cache_file=cache_file)
                client.on_request = bar.tick
                try:
                    df, ids = _fetch_bdl(client, work, bar)
                finally:
                    if bdl is None:
                        client.close()
                extra = {
                    "variables": ids,
                    "requests": client.requests,
                    "waited_for_429_s": round(client.waited, 1),
                }
            else:
                try:
                    sclient = (
                        smup
                        if smup is not None
                        else SmupClient(
                            settings.smup_api_key,
                            timeout=timeout,
                            base_url=settings.smup_url,
                            cache_file=cache_file,
                        )
                    )
                except SmupError as exc:
                    raise FetchError(str(exc)) from exc
                sclient.on_request = bar.tick
                try:
                    df, smup_report = _fetch_smup(sclient, work, bar)
                finally:
                    if smup is None:
                        sclient.close()
                ids = smup_report["ids"]
                extra = {**smup_report, "requests": sclient.requests}
            per_indicator = _indicator_errors(work, entries, name, ids)
            failed = sorted(k for k, v in per_indicator.items() if v)
            if per_indicator and len(failed) == len(per_indicator):
                raise FetchError(
                    f"{name.upper()}: every indicator failed (first: {per_indicator[failed[0]]}); "
                    "nothing was written"
                )
            files[f"measures-{name}.parquet"] = df
            reports[name] = {
                "indicators": {k: {"error": v} for k, v in per_indicator.items()},
                "rows": len(df),
                "failed": failed,
                **extra,
            }
    except KeyboardInterrupt:
        bar.close()
        print(f"\nomup data fetch: interrupted after {bar.bar.n:,} requests; nothing was written. "
              f"The answers so far are kept in {cache_dir(settings)}: run the same command again to go on.",
              file=sys.stderr, flush=True)
        raise
    finally:
        bar.close()

    fetch_dir = Path(settings.fetch_dir)
    previous = _previous(fetch_dir)
    carry = []
    if previous.get("format") == FORMAT:
        for name in SOURCES:
            if name not in source_list and (fetch_dir / f"measures-{name}.parquet").exists():
                carry.append(f"measures-{name}.parquet")
                reports[name] = {**previous.get("sources", {}).get(name, {}), "carried_over": True}

    plan_file = plan_path(settings.catalogue_path)
    manifest = {
        "format": FORMAT,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "years": year_list,
        "sources_fetched": source_list,
        "bdl_url": settings.bdl_url,
        "smup_url": settings.smup_url,
        "plan": {
            "path": str(plan_file),
            "sha256": hashlib.sha256(plan_file.read_bytes()).hexdigest() if plan_file.exists() else None,
        },
        "files": sorted([*files, *carry]),
        "skipped": skipped,
        "sources": reports,
        "errors": {
            f"{name}:{ind}": entry["error"]
            for name, rep in reports.items()
            for ind, entry in rep.get("indicators", {}).items()
            if entry.get("error")
        },
    }
    _write_atomically(fetch_dir, files, manifest, carry)
    shutil.rmtree(cache_dir(settings), ignore_errors=True)
    return {**manifest, "path": str(fetch_dir)}

