"""Shared by the finance and census source tests: the build context once per session, the sources' output
once per set of modules, and an independent reader of the raw GUS BDL wide CSVs (plain ``csv``, not the
pipeline's code), so that tests recompute values from the raw files rather than from the code under test."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from portal.catalogue import Catalogue, load_catalogue
from portal.config import Settings
from portal.pipeline import register
from portal.pipeline.measures import ratio_values
from portal.pipeline.progress import BuildLog
from portal.pipeline.sources import BuildContext, SourceOutput, read_all

SETTINGS = Settings.from_env()
RAW: Path = SETTINGS.raw_path
P1336 = RAW / "bdl-population-exact-2015-2024" / "LUDN_1336_CTAB_20260608161213.csv"
AGE_GROUPS = RAW / "bdl-population-age-2010-2019" / "ludnosc.csv"
AGE_GROUP_NAMES = ("w wieku przedprodukcyjnym", "w wieku produkcyjnym", "w wieku poprodukcyjnym")


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_catalogue(SETTINGS.catalogue_path)


@lru_cache(maxsize=1)
def context() -> BuildContext:
    units = register.build_register(RAW, catalogue())
    changes = register.build_change_table(RAW)
    return BuildContext(raw=RAW, units=units, changes=changes, log=BuildLog(stream=None))


@lru_cache(maxsize=8)
def sources(*names: str) -> SourceOutput:
    return read_all(context(), only=list(names))


def indicator_values(indicator_id: str, *names: str) -> pd.DataFrame:
    """The indicator's values as the build computes them from the sources ``names``."""
    out = sources(*names)
    return ratio_values(catalogue().by_id[indicator_id], out.measures, context().units,
                        {i.id: i for i in out.infos})


def number(text: str) -> float | None:
    text = text.strip().replace(" ", "").replace(",", ".")
    return None if text in ("", "-") else float(text)


def wide(path: Path, encoding: str = "utf-8") -> dict[tuple[str, str, int], float | None]:
    """A BDL wide export as {(7-digit code, item, year): value}; item is the header's second field
    ('razem', 'dochody podatkowe - podatek rolny', …) or the whole header when it has no ';'."""
    out: dict[tuple[str, str, int], float | None] = {}
    with path.open(encoding=encoding, newline="") as f:
        rows = csv.reader(f, delimiter=";")
        header = next(rows)
        for row in rows:
            code = row[0].strip().zfill(7)
            for name, cell in zip(header[2:], row[2:], strict=False):
                year = re.search(r"(?<!\d)(20\d\d)(?!\d)", name)
                if year is None:
                    continue
                parts = name.split(";")
                item = parts[1] if len(parts) > 2 else name
                out[(code, item, int(year.group(1)))] = number(cell)
    return out


@lru_cache(maxsize=1)
def population() -> dict[tuple[str, int], float]:
    """Population on 31 Dec by (code, year): P1336 for 2015–2024 (every level, codes of the 2026 division),
    the sum of the three economic age groups for gminy in 2010–2014 (codes of that year)."""
    out: dict[tuple[str, int], float] = {}
    for (code, _, year), v in wide(P1336).items():
        if v is not None:
            out[(code, year)] = v
    groups: dict[tuple[str, int], list[float]] = {}
    with AGE_GROUPS.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter=";")
        header = next(rows)
        wanted = {i: int(h.split(";")[2]) for i, h in enumerate(header)
                  if h.split(";")[0] in AGE_GROUP_NAMES and h.split(";")[1] == "ogółem"}
        for row in rows:
            code = row[0].strip().zfill(7)
            for i, year in wanted.items():
                v = number(row[i])
                if year < 2015 and v is not None:
                    groups.setdefault((code, year), []).append(v)
    for key, parts in groups.items():
        assert len(parts) == 3, key
        out[key] = sum(parts)
    return out


def release_code(code7: str) -> str:
    """A BDL 7-digit code as the release writes it: województwo 2 digits, powiat 4, gmina 7."""
    if code7[2:] == "00000":
        return code7[:2]
    if code7[4:] == "000":
        return code7[:4]
    return code7
