"""Nurseries and children's clubs (żłobki, kluby dziecięce) per gmina from the national register of the
Ministry of Family (Rejestr Żłobków, dane.gov.pl, CC0): places, children enrolled and the basic monthly fee,
2024–2025.

The register names each institution's województwo, powiat and gmina (no TERYT code). Each institution is
placed in a 2025 gmina (``Gazetteer``):

* a city with powiat rights is its powiat's only gmina (districts and delegatury such as "Warszawa - Wola" or
  "Kraków-Podgórze" included);
* otherwise the gmina of that name (this year's or an earlier one, e.g. Słupsk → Redzikowo) within the powiat;
* when two gminy of the powiat bear the name (a town and the rural gmina around it, e.g. Bolesławiec), the
  locality decides: the gmina that holds a locality of that name and kind (miasto, wieś, …) in the TERYT SIMC
  register, if exactly one does;
* a gmina name not found in the powiat is looked up as a locality of the powiat (one gmina holding it).

Anything else is reported as ambiguous or unmatched, never guessed; the gminy an ambiguous institution could
belong to get the flag ``partial`` for that year. Suspended institutions (the register's flag) are left out.

Snapshots and years (``SNAPSHOTS``): 22 V 2024 → 2024, 17 IX 2025 → 2025. The snapshot of 1 I 2025 has no fee
and no suspension flag; it is matched for the report only. Per-resident values use the population on the
31 XII nearest to the snapshot that GUS has published (``population_nearest_31xii``): 31 XII 2023 for 2024,
31 XII 2024 for 2025 (the gminy created on 1 I 2025 and their parents: the register's estimate, flagged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, combine_years, rekey_gminy
from portal.pipeline.register import NEW_GMINY_2025, RawInputError, fold, read_gmina_list
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput

FOLDER = "nursery-register-2024-2025"
SNAPSHOTS = {2024: "22052024-RZ-instytucje.csv", 2025: "17092025-RZ-instytucje.csv"}
CHECK_SNAPSHOT = "01012025-RZ-instytucje.csv"
SNAPSHOT_DATES = {
    "22052024-RZ-instytucje.csv": "2024-05-22",
    "01012025-RZ-instytucje.csv": "2025-01-01",
    "17092025-RZ-instytucje.csv": "2025-09-17",
}
# population year (31 XII) used for each snapshot year
POPULATION_YEAR = {2024: 2023, 2025: 2024}
SIMC_FILE = "SIMC_Urzedowy_2023-01-01.csv"

REGISTER = Dataset(
    id="rejestr-zlobkow",
    publisher="MRPiPS",
    table="Rejestr Żłobków – lista instytucji",
    name="Rejestr żłobków i klubów dziecięcych (stan na 22 V 2024, 1 I 2025 i 17 IX 2025)",
    name_en="Register of nurseries and children's clubs (as of 22 May 2024, 1 Jan 2025 and 17 Sep 2025)",
    folder=FOLDER,
    files=(SNAPSHOTS[2024], CHECK_SNAPSHOT, SNAPSHOTS[2025]),
    years="2024–2025",
    levels=("gmina",),
    attribution="Źródło: Rejestr Żłobków (MRPiPS), dane.gov.pl",
    licence="CC0 1.0",
    url="https://dane.gov.pl/pl/dataset/2106",
    note="Institutions placed in gminy by the names of their województwo, powiat and gmina (no TERYT code in "
    "the register). 2024 = the snapshot of 22 V 2024, 2025 = of 17 IX 2025; the snapshot of 1 I 2025 "
    "(no fees, no suspension flag) is matched for the report only.",
)
SIMC = Dataset(
    id="teryt-simc-2023",
    publisher="GUS",
    table="TERYT SIMC",
    name="Rejestr miejscowości TERYT SIMC (stan na 1 I 2023)",
    name_en="TERYT SIMC register of localities (as of 1 Jan 2023)",
    folder="teryt-simc-2023",
    files=(SIMC_FILE,),
    years="2023",
    levels=("gmina",),
    attribution="Źródło: GUS, TERYT",
    licence="dane publiczne GUS",
    note="Used only to tell apart same-named gminy of a powiat by the institution's locality.",
)
DATASETS = [REGISTER, SIMC]

INFOS = [
    MeasureInfo(
        "nursery_places",
        "miejsc",
        True,
        ("gmina",),
        "places in nurseries and children's clubs that are not suspended, register snapshot",
    ),
    MeasureInfo(
        "nursery_institutions",
        "instytucji",
        True,
        ("gmina",),
        "nurseries and children's clubs that are not suspended",
    ),
    MeasureInfo(
        "nursery_enrolled",
        "dzieci",
        True,
        ("gmina",),
        "children enrolled, in institutions that report enrolment",
    ),
    MeasureInfo(
        "nursery_places_reporting",
        "miejsc",
        True,
        ("gmina",),
        "places of the institutions that report enrolment (the denominator of occupancy)",
    ),
    MeasureInfo(
        "nursery_fee_median",
        "zł miesięcznie",
        False,
        ("gmina", "powiat", "wojewodztwo"),
        "median of the basic monthly fee over the unit's institutions (not place-weighted)",
    ),
    MeasureInfo(
        "nursery_fee_institutions",
        "instytucji",
        True,
        ("gmina",),
        "institutions with a fee in the register (the base of the median)",
    ),
    MeasureInfo(
        "population_nearest_31xii",
        "osób",
        True,
        ("gmina", "powiat", "wojewodztwo"),
        "GUS P1336 population on 31 XII 2023 for 2024 and on 31 XII 2024 for 2025 (the published 31 XII "
        "nearest to the register snapshot); new 2025 gminy and their parents estimated",
    ),
]

# The register's locality kind (after the comma) → SIMC kinds of locality (RM).
LOCALITY_KINDS = {
    "miasto": ("96",),
    "wies": ("01",),
    "kolonia": ("02",),
    "przysiolek": ("03",),
    "osada lesna": ("05",),
    "osada": ("04",),
    "osiedle": ("06",),
    "czesc miejscowosci": ("00",),
    "czesc miasta": ("99",),
    "delegatura": ("98",),
    "dzielnica m. st. warszawy": ("95",),
}
_WHOLE = ("01", "02", "03", "04", "05", "06", "07", "95", "96", "98")  # localities, not parts of one
_PARTS = ("00", "99")


def norm(text: str) -> str:
    """Fold a name for comparison: 'Powiat  Golub - Dobrzyń' → 'powiat golub-dobrzyn'."""
    t = fold(str(text)).strip()
    t = re.sub(r"\s*-\s*", "-", t)
    return re.sub(r"\s+", " ", t)


def locality_candidates(text: str) -> list[tuple[str, str | None]]:
    """(name, kind) readings of the register's locality field, most specific first.

    'Banino, wieś' → [('banino', 'wies')]; the 2024 snapshot joins locality and address ('Piła ul. X 18',
    'Głogów ul. Narciarska 1,3'), read as the first four, three, two words and the first word."""
    text = str(text).strip()
    name, sep, rest = text.partition(",")
    if sep:
        rest_n = norm(rest)
        kind = next((k for k in sorted(LOCALITY_KINDS, key=len, reverse=True) if rest_n.startswith(k)), None)
        if kind is not None:
            return [(norm(name), kind)]
    words = text.split()
    return [(norm(" ".join(words[:k])), None) for k in range(min(4, len(words)), 0, -1)]


@dataclass
class Match:
    teryt: str | None
    how: str  # city | name | name+locality | locality | ambiguous | unmatched
    candidates: tuple[str, ...] = ()


class Gazetteer:
    """Today's gminy by (powiat, name) with earlier names, SIMC localities by (powiat, name, kind)."""

    def __init__(self, raw: Path, units: pd.DataFrame, changes: pd.DataFrame) -> None:
        gminy = units[units["level"] == "gmina"]
        powiaty = units[units["level"] == "powiat"]
        woj = units[units["level"] == "wojewodztwo"]
        self.woj = {
            norm(n.removeprefix("województwo ")): t for t, n in zip(woj["teryt"], woj["name"], strict=True)
        }
        self.powiat: dict[tuple[str, str], list[str]] = {}
        for t, n in zip(powiaty["teryt"], powiaty["name"], strict=True):
            self.powiat.setdefault((t[:2], norm(n).removeprefix("powiat ")), []).append(t)
        self.city = {p: g for p, g in zip(gminy["powiat"], gminy["teryt"], strict=True) if int(p[2:4]) >= 61}
        today = {t[:6]: t for t in gminy["teryt"]}
        self.by_name: dict[tuple[str, str], set[str]] = {}
        self.in_woj: dict[tuple[str, str], set[str]] = {}
        lists = [gminy[["teryt", "name"]]] + [
            read_gmina_list(raw, y)[["teryt", "name"]] for y in (2023, 2024, 2026)
        ]
        for df in lists:
            for t, n in zip(df["teryt"], df["name"], strict=True):
                if t[:6] in today:
                    self.by_name.setdefault((t[:4], norm(n)), set()).add(today[t[:6]])
                    self.in_woj.setdefault((t[:2], norm(n)), set()).add(today[t[:6]])
        simc = read_simc(raw / SIMC.folder / SIMC_FILE)
        self.localities: dict[tuple[str, str, str], set[str]] = {}
        for pre, name, rm in zip(simc["prefix"], simc["NAZWA"], simc["RM"], strict=True):
            if pre in today:
                self.localities.setdefault((pre[:4], norm(name), rm), set()).add(today[pre])

    def _holding(self, powiat: str, name: str, kind: str | None) -> set[str]:
        if kind is not None:
            return set().union(
                *(self.localities.get((powiat, name, rm), set()) for rm in LOCALITY_KINDS[kind])
            )
        whole = set().union(*(self.localities.get((powiat, name, rm), set()) for rm in _WHOLE))
        return whole or set().union(*(self.localities.get((powiat, name, rm), set()) for rm in _PARTS))

    def match(self, woj: str, powiat: str, gmina: str, locality: str) -> Match:
        w = self.woj.get(norm(woj))
        if w is None:
            return Match(None, "unmatched")
        powiaty = self.powiat.get((w, norm(powiat).removeprefix("powiat ")), [])
        name = norm(gmina)
        if len(powiaty) != 1:
            cands = self.in_woj.get((w, name), set())
            if len(cands) == 1:
                return Match(next(iter(cands)), "name")
            return Match(None, "ambiguous" if cands else "unmatched", tuple(sorted(cands)))
        p = powiaty[0]
        if p in self.city:
            return Match(self.city[p], "city")
        cands = self.by_name.get((p, name), set())
        if len(cands) == 1:
            return Match(next(iter(cands)), "name")
        readings = locality_candidates(locality)
        if cands:
            for loc, kind in readings:
                hit = self._holding(p, loc, kind) & cands
                if len(hit) == 1:
                    return Match(next(iter(hit)), "name+locality", tuple(sorted(cands)))
            return Match(None, "ambiguous", tuple(sorted(cands)))
        for loc, kind in readings:
            hit = self._holding(p, loc, kind)
            if len(hit) == 1:
                return Match(next(iter(hit)), "locality")
        return Match(None, "unmatched")


def read_simc(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc
    missing = [c for c in ("WOJ", "POW", "GMI", "RODZ_GMI", "RM", "NAZWA") if c not in df.columns]
    if missing:
        raise RawInputError(f"{path}: missing columns {missing}")
    df["prefix"] = df["WOJ"] + df["POW"] + df["GMI"]
    bad = ~df["prefix"].str.fullmatch(r"\d{6}")
    if bad.any():
        raise RawInputError(
            f"{path}: row {int(np.flatnonzero(bad.to_numpy())[0]) + 2}: WOJ/POW/GMI is not a code"
        )
    return df


def read_snapshot(path: Path) -> pd.DataFrame:
    """One snapshot as columns woj, powiat, gmina, locality, kind, places, enrolled (NaN: not reported), fee
    (NaN: none; absent in the 1 I 2025 snapshot) and suspended (False where the snapshot has no flag)."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc

    def col(prefix: str, required: bool = True) -> str | None:
        found = next((c for c in df.columns if c.startswith(prefix)), None)
        if found is None and required:
            raise RawInputError(f"{path}: no column starting with '{prefix}'")
        return found

    def fail(mask: pd.Series, what: str, values: pd.Series) -> None:
        if mask.any():
            i = int(np.flatnonzero(mask.to_numpy())[0])
            raise RawInputError(f"{path}: row {i + 2}: {what} '{values.iloc[i]}'")

    if "Lokalizacja instytucji" in df.columns:
        parts = df["Lokalizacja instytucji"].str.split(" > ", n=3, expand=True).reindex(columns=range(4))
        fail(
            parts[3].isna(), "location is not 'WOJ > Powiat > Gmina > locality'", df["Lokalizacja instytucji"]
        )
        out = pd.DataFrame({"woj": parts[0], "powiat": parts[1], "gmina": parts[2], "locality": parts[3]})
    else:
        out = pd.DataFrame(
            {
                "woj": df[col("Województwo")],
                "powiat": df[col("Powiat")],
                "gmina": df[col("Gmina")],
                "locality": df[col("Miejscowość")],
            }
        )
    out["kind"] = df[col("Typ instytucji")].str.strip()
    fail(~out["kind"].isin(["Żłobek", "Klub dziecięcy"]), "unknown type of institution", out["kind"])

    def number(name: str, what: str) -> pd.Series:
        text = df[name].str.strip().str.removesuffix("zł").str.strip().str.replace(",", ".", regex=False)
        value = pd.to_numeric(text.where(text.ne("")), errors="coerce")
        fail(value.isna() & text.ne(""), f"{what} is not a number", df[name])
        fail(value < 0, f"{what} is negative", df[name])
        return value.astype(float)

    out["places"] = number(col("Liczba miejsc"), "places")
    fail(out["places"].isna(), "places are missing", df[col("Liczba miejsc")])
    out["enrolled"] = number(col("Liczba dzieci zapisanych"), "children enrolled")
    fee = col("Podstawowa opłata", required=False) or col("Opłata miesięczna", required=False)
    out["fee"] = number(fee, "fee") if fee else np.nan
    susp = col("Czy podmiot prowadzący zawiesił", required=False)
    if susp:
        flag = df[susp].str.strip()
        fail(~flag.isin(["TAK", "NIE"]), "suspension flag is not TAK/NIE", flag)
        out["suspended"] = flag.eq("TAK")
    else:
        out["suspended"] = False
    return out


def match_snapshot(gaz: Gazetteer, snap: pd.DataFrame) -> pd.DataFrame:
    matches = [
        gaz.match(*row)
        for row in zip(snap["woj"], snap["powiat"], snap["gmina"], snap["locality"], strict=True)
    ]
    out = snap.copy()
    out["teryt"] = [m.teryt for m in matches]
    out["how"] = [m.how for m in matches]
    out["candidates"] = [m.candidates for m in matches]
    return out


def match_report(matched: pd.DataFrame) -> dict:
    ok = matched["teryt"].notna()
    places = matched["places"].sum()
    problems = matched[~ok]
    return {
        "institutions": len(matched),
        "matched": int(ok.sum()),
        "by_method": {k: int(v) for k, v in matched["how"].value_counts().items()},
        "match_rate_institutions": round(float(ok.mean()), 5),
        "match_rate_places": round(float(matched.loc[ok, "places"].sum() / places), 5) if places else None,
        "not_matched": [
            {
                "wojewodztwo": r.woj,
                "powiat": r.powiat,
                "gmina": r.gmina,
                "locality": r.locality,
                "status": r.how,
                "candidates": list(r.candidates),
            }
            for r in problems.itertuples()
        ],
    }


def _rows(measure: str, values: pd.Series, year: int, flags: pd.Series | None, source: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": measure,
            "teryt": values.index.to_numpy(),
            "year": year,
            "value": values.to_numpy(float),
            "flag": "ok" if flags is None else flags.reindex(values.index).fillna("ok").to_numpy(),
            "source": source,
        }
    )


def snapshot_measures(matched: pd.DataFrame, year: int, gminy: pd.Series) -> pd.DataFrame:
    """The year's measures per gmina (every gmina of ``gminy``: zero where the register has no institution)
    and the fee medians of powiaty and województwa, over the matched institutions that are not suspended."""
    active = matched[~matched["suspended"] & matched["teryt"].notna()].copy()
    # Gminy an unmatched institution could be in: their counts may be short of it.
    doubtful = {t for c in matched.loc[matched["teryt"].isna(), "candidates"] for t in c}
    flags = pd.Series("partial", index=sorted(doubtful & set(gminy)), dtype=object)
    by = active.groupby("teryt")
    reporting = active[active["enrolled"].notna()].groupby("teryt")
    zero = pd.Series(0.0, index=gminy.to_numpy())
    src = REGISTER.id
    frames = [
        _rows("nursery_places", by["places"].sum().reindex(zero.index, fill_value=0.0), year, flags, src),
        _rows(
            "nursery_institutions",
            by.size().astype(float).reindex(zero.index, fill_value=0.0),
            year,
            flags,
            src,
        ),
        _rows(
            "nursery_enrolled",
            reporting["enrolled"].sum().reindex(zero.index, fill_value=0.0),
            year,
            flags,
            src,
        ),
        _rows(
            "nursery_places_reporting",
            reporting["places"].sum().reindex(zero.index, fill_value=0.0),
            year,
            flags,
            src,
        ),
    ]
    fees = active[active["fee"].notna()]
    if len(fees):
        frames.append(
            _rows(
                "nursery_fee_institutions",
                fees.groupby("teryt").size().astype(float).reindex(zero.index, fill_value=0.0),
                year,
                flags,
                src,
            )
        )
        for n in (7, 4, 2):
            med = fees.groupby(fees["teryt"].str[:n])["fee"].median()
            frames.append(_rows("nursery_fee_median", med, year, flags if n == 7 else None, src))
    return pd.concat(frames, ignore_index=True)


def population_measure(ctx: BuildContext) -> pd.DataFrame:
    """``population_nearest_31xii``: P1336 of 31 XII 2023 labelled 2024 and of 31 XII 2024 labelled 2025."""
    from portal.pipeline.sources.population import P1336, read_exact

    exact = read_exact(ctx.raw)
    old = exact[exact["year"] == POPULATION_YEAR[2024]].copy()
    g = old["teryt"].str.len() == 7
    rk = rekey_gminy(old[g], ctx.units, ctx.changes)
    y2024 = pd.concat([combine_years(rk.frame), old[~g]], ignore_index=True).assign(year=2024)
    units = ctx.units
    y2025 = pd.DataFrame(
        {
            "measure": "population",
            "teryt": units["teryt"],
            "year": 2025,
            "value": units["population"].astype(float),
            "flag": np.where(units["population_estimated"].fillna(False).astype(bool), "estimated", "ok"),
            "source": P1336.id,
        }
    )
    out = pd.concat([y2024, y2025], ignore_index=True)
    out["measure"] = "population_nearest_31xii"
    return out[MEASURE_COLUMNS]


def read(ctx: BuildContext) -> SourceOutput:
    gaz = Gazetteer(ctx.raw, ctx.units, ctx.changes)
    folder = ctx.raw / FOLDER
    all_gminy = ctx.units.loc[ctx.units["level"] == "gmina", "teryt"]
    frames = [population_measure(ctx)]
    report: dict = {"snapshots": {}, "years": {str(y): SNAPSHOT_DATES[f] for y, f in SNAPSHOTS.items()}}
    for year, name in SNAPSHOTS.items():
        matched = match_snapshot(gaz, read_snapshot(folder / name))
        report["snapshots"][SNAPSHOT_DATES[name]] = {
            **match_report(matched),
            "suspended": int(matched["suspended"].sum()),
            "suspended_places": float(matched.loc[matched["suspended"], "places"].sum()),
        }
        gminy = all_gminy if year >= 2025 else all_gminy[~all_gminy.isin(list(NEW_GMINY_2025))]
        frames.append(snapshot_measures(matched, year, gminy))
    check = match_snapshot(gaz, read_snapshot(folder / CHECK_SNAPSHOT))
    report["snapshots"][SNAPSHOT_DATES[CHECK_SNAPSHOT]] = match_report(check)
    measures = pd.concat(frames, ignore_index=True)[MEASURE_COLUMNS]
    measures["year"] = measures["year"].astype("int64")
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
