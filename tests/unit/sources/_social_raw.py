"""Shared by the exam, Rodzina 500+ and nursery source tests: the build context once per session, the official
values of catalogue indicators as the build computes them (``real_values`` over the sources' measures), and
plain ``csv`` readers of raw files, so that tests recompute values from the raw files, not from the code under
test."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pandas as pd

from portal.catalogue import Catalogue, load_catalogue
from portal.config import Settings
from portal.pipeline import register
from portal.pipeline.progress import BuildLog
from portal.pipeline.real import real_values
from portal.pipeline.sources import BuildContext, SourceOutput, read_all

SETTINGS = Settings.from_env()
RAW: Path = SETTINGS.raw_path


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_catalogue(SETTINGS.catalogue_path)


@lru_cache(maxsize=1)
def context() -> BuildContext:
    units = register.build_register(RAW, catalogue())
    return BuildContext(
        raw=RAW, units=units, changes=register.build_change_table(RAW), log=BuildLog(stream=None)
    )


@lru_cache(maxsize=8)
def sources(*names: str) -> SourceOutput:
    return read_all(context(), only=list(names))


@lru_cache(maxsize=8)
def built(ids: tuple[str, ...], names: tuple[str, ...]) -> pd.DataFrame:
    """The indicators ``ids`` as the build writes them (levels, years, flags, numerator and denominator),
    computed from the sources ``names``; indexed by (indicator, teryt, year)."""
    values, _ = real_values(catalogue().restricted_to(set(ids)), context(), sources(*names))
    return values.set_index(["indicator", "teryt", "year"]).sort_index()


@lru_cache(maxsize=1)
def _gminy() -> tuple[frozenset[str], dict[str, str]]:
    gminy = context().units.loc[context().units["level"] == "gmina", "teryt"]
    return frozenset(gminy), {c[:6]: c for c in gminy}


def today(code: str) -> str:
    """A gmina code of an earlier year → today's gmina (by the 6-digit prefix: the type digit may change)."""
    gminy, by_prefix = _gminy()
    return code if code in gminy else by_prefix[code[:6]]


def number(text: str) -> float | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".").removesuffix("zł")
    return None if text in ("", "-") else float(text)


def rows(path: Path, skip: int = 1) -> tuple[list[list[str]], list[list[str]]]:
    """(header rows, data rows) of a ';'-separated file read with the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        every = list(csv.reader(f, delimiter=";"))
    return every[:skip], every[skip:]


def p1336(year: int) -> dict[str, float]:
    """GUS P1336 population on 31 XII of ``year`` by 7-digit BDL code (powiat 'PPPP000', woj 'WW00000')."""
    header, data = rows(RAW / "bdl-population-exact-2015-2024" / "LUDN_1336_CTAB_20260608161213.csv")
    col = next(i for i, h in enumerate(header[0]) if f";{year};" in h)
    return {r[0].zfill(7): float(r[col]) for r in data if r[col].strip()}
