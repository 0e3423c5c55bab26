"""State Fire Service interventions per gmina, 2023 and 2024: all events, fires, local hazards and false
alarms (KG PSP statistics, as collected by a public repository).

``psp-interventions-2023-2024/fire_incidents.xlsx``: one sheet, 2,535 rows with TERYT, Województwo, Powiat,
Gmina and eight counts ("Ogółem zdarzeń rok 2023", "Pożary rok 2023", "Miejscowe zagrożenia …", "Alarmy
fałszywe …", the same for 2024); all events = fires + local hazards + false alarms in every row. The TERYT
column is the 6-digit code without the type digit and with the leading zero dropped (20101 = 020101).

Rows are matched to the gminy of 2023–2024 on the code AND the name, never on one of them alone:

* exact – the code is a gmina's (its 6-digit prefix) and the name is that gmina's (Bolesławiec 020101 is the
  town, 020102 the rural gmina);
* part – the code is no gmina's, but the name is exactly one gmina's in the code's powiat: the districts of
  Warsaw, Kraków, Łódź, Wrocław and Poznań (codes 02–19 after the city's own, each named after the city),
  summed into the city;
* 2025 parent – Szczawa and Grabówka were created on 1 January 2025 from Kamienica and Supraśl; rows naming
  or coded as either part are summed into the parent, which was one gmina in 2023–2024 (no guess: both
  candidates are the same unit then);
* ambiguous – the code is one gmina's and the name another's (e.g. code of the rural gmina Chełm, name Sawin):
  the row is reported and not given to either gmina; each candidate gmina's value is flagged ``partial`` in a
  year where the row is not zero. It still counts in the powiat when all its candidates lie in one powiat,
  and always in the województwo (the code's first two digits);
* unmatched – neither code nor name identifies a gmina of the powiat (gminy that no longer exist): reported,
  counted in the województwo only.

Powiat and województwo values are the sums of every row attributable to them (so they include ambiguous rows
whose candidates share the unit); a sum is ``ok`` when every gmina of the unit has a value and no ambiguous
non-zero row straddles its border, ``partial`` otherwise. Events are counted where they happened, by the
PSP's own classification: a local hazard (miejscowe zagrożenie) is any other event needing rescue (road
accidents, storms, floods, chemical spills, …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo
from portal.pipeline.register import NEW_GMINY_2025, RawInputError, fold
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput

FOLDER = "psp-interventions-2023-2024"
FILE = "fire_incidents.xlsx"
YEARS = (2023, 2024)

PSP = Dataset(
    id="kgpsp-interwencje-gminy", publisher="KG PSP", table=None,
    name="Zdarzenia, w których interweniowała Państwowa Straż Pożarna: ogółem, pożary, miejscowe zagrożenia, "
         "alarmy fałszywe (według gmin)",
    name_en="Events attended by the State Fire Service: all, fires, local hazards, false alarms (by gmina)",
    folder=FOLDER, files=(FILE,), years="2023–2024", levels=("gmina", "powiat", "wojewodztwo"),
    attribution="Źródło: KG PSP", licence="dane publiczne KG PSP (dane.gov.pl); ponowne wykorzystanie z "
                                          "podaniem źródła",
    url="https://dane.gov.pl",
    note="Collected from KG PSP statistics (dane.gov.pl) by github.com/grusgemini/NYPD_project (commit "
         "2cb5297). Rows matched to gminy on code and name; districts of five cities summed into the city; "
         "ambiguous rows reported, not assigned (see the build report).",
)
DATASETS = [PSP]

# measure → the column label before " rok <year>"
COLUMNS = {
    "psp_events": "Ogółem zdarzeń",
    "psp_fires": "Pożary",
    "psp_local_hazards": "Miejscowe zagrożenia",
    "psp_false_alarms": "Alarmy fałszywe",
}
INFOS = [MeasureInfo(m, "zdarzeń", True, ("gmina", "powiat", "wojewodztwo"), f"KG PSP: {label}")
         for m, label in COLUMNS.items()]


@dataclass
class Match:
    """How one row of the file was matched (``gmina`` is set for exact, part and 2025-parent matches)."""

    kind: str  # exact | part | parent2025 | ambiguous | unmatched
    gmina: str | None = None
    candidates: list[str] = field(default_factory=list)


class Matcher:
    """Gminy of the 2023–2024 division by 6-digit code and by (powiat, folded name), from today's register
    (the two 2025 gminy folded into their parents)."""

    def __init__(self, units: pd.DataFrame) -> None:
        gminy = units[units["level"] == "gmina"]
        self.then = {c: NEW_GMINY_2025.get(c, c) for c in gminy["teryt"]}
        self.by_prefix = {c[:6]: c for c in gminy["teryt"]}
        self.by_name: dict[tuple[str, str], set[str]] = {}
        self.by_woj_name: dict[tuple[str, str], set[str]] = {}
        for code, name in zip(gminy["teryt"], gminy["name"], strict=True):
            self.by_name.setdefault((code[:4], fold(name)), set()).add(code)
            self.by_woj_name.setdefault((code[:2], fold(name)), set()).add(code)

    def match(self, code6: str, name: str) -> Match:
        by_code = self.by_prefix.get(code6)
        by_name = self.by_name.get((code6[:4], fold(name)), set())
        found = None
        if by_code is not None and by_code in by_name:
            found = Match("exact", by_code)
        elif by_code is None and len(by_name) == 1:
            found = Match("part", next(iter(by_name)))
        if found is not None:
            then = self.then[found.gmina]
            return found if then == found.gmina else Match("parent2025", then, [found.gmina])
        elsewhere = self.by_woj_name.get((code6[:2], fold(name)), set())
        raw = ({by_code} if by_code else set()) | (by_name or elsewhere)
        then = {self.then[c] for c in raw}
        if len(then) == 1 and raw != then:
            return Match("parent2025", next(iter(then)), sorted(raw))
        if by_code is None and not by_name:
            # Neither the code nor the name is a gmina of the code's powiat (a gmina that no longer exists).
            return Match("unmatched", None, sorted(then))
        return Match("ambiguous", None, sorted(then))


def read_file(path: Path) -> pd.DataFrame:
    """The sheet as a frame: code6, woj, powiat, gmina and one column per (measure, year)."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_excel(path, dtype=str)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be read as XLSX: {exc}") from exc
    head = ["TERYT", "Województwo", "Powiat", "Gmina"]
    if list(df.columns[:4]) != head:
        raise RawInputError(f"{path}: expected the columns {head}, found {list(df.columns[:4])}")
    out = pd.DataFrame({"code6": df["TERYT"].str.strip().str.zfill(6), "woj": df["Województwo"].str.strip(),
                        "powiat": df["Powiat"].str.strip(), "gmina": df["Gmina"].str.strip()})
    bad = ~out["code6"].str.fullmatch(r"\d{6}").fillna(False).astype(bool)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise RawInputError(f"{path}: row {i + 2}: TERYT '{df['TERYT'].iloc[i]}' is not a 6-digit gmina code")
    for measure, label in COLUMNS.items():
        for year in YEARS:
            col = f"{label} rok {year}"
            if col not in df.columns:
                raise RawInputError(f"{path}: missing column '{col}'")
            v = pd.to_numeric(df[col].str.strip(), errors="coerce")
            bad = v.isna() | (v < 0) | (v % 1 != 0)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise RawInputError(f"{path}: row {i + 2}: '{col}' = '{df[col].iloc[i]}' is not a count")
            out[(measure, year)] = v.astype(float)
    for year in YEARS:
        parts = sum(out[(m, year)] for m in ("psp_fires", "psp_local_hazards", "psp_false_alarms"))
        bad = parts != out[("psp_events", year)]
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise RawInputError(f"{path}: row {i + 2}: all events {year} is not fires + local hazards + "
                                f"false alarms")
    return out


def _rows(values: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Measure rows from wide frames indexed by unit with (measure, year) columns."""
    frames = []
    for (measure, year) in values.columns:
        frames.append(pd.DataFrame({"measure": measure, "teryt": values.index.to_numpy(), "year": year,
                                    "value": values[(measure, year)].to_numpy(float),
                                    "flag": flags[year].to_numpy(), "source": PSP.id}))
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    return out[MEASURE_COLUMNS]


def read(ctx: BuildContext) -> SourceOutput:
    path = ctx.raw / FOLDER / FILE
    df = read_file(path)
    units = ctx.units
    woj_names = {t: fold(n.removeprefix("województwo ")) for t, n in
                 units.loc[units["level"] == "wojewodztwo", ["teryt", "name"]].itertuples(index=False)}
    wrong_woj = df[[woj_names.get(c[:2]) != fold(w) for c, w in zip(df["code6"], df["woj"], strict=True)]]
    if len(wrong_woj):
        i = wrong_woj.index[0]
        raise RawInputError(f"{path}: row {i + 2}: code {df.loc[i, 'code6']} is not in województwo "
                            f"'{df.loc[i, 'woj']}'")

    matcher = Matcher(units)
    matches = [matcher.match(c, n) for c, n in zip(df["code6"], df["gmina"], strict=True)]
    df["kind"] = [m.kind for m in matches]
    df["gmina_then"] = [m.gmina for m in matches]
    cols = [(m, y) for m in COLUMNS for y in YEARS]
    nonzero = {y: df[[(m, y) for m in COLUMNS]].sum(axis=1) > 0 for y in YEARS}

    # The gminy of 2023–2024 (today's, without the two created in 2025) and their parents.
    gminy = units[(units["level"] == "gmina") & ~units["teryt"].isin(list(NEW_GMINY_2025))]
    parent = gminy.set_index("teryt")[["powiat", "wojewodztwo"]]

    g_values = df[df["gmina_then"].notna()].groupby("gmina_then")[cols].sum().reindex(parent.index)
    g_flags = pd.DataFrame({y: np.where(g_values[("psp_events", y)].isna(), "no_data", "ok") for y in YEARS},
                           index=g_values.index)
    # Powiat and województwo of each row: from its gmina, or from all of its candidates when they agree.
    powiat_of, ambiguous = [], []
    for i, m in enumerate(matches):
        cands = [m.gmina] if m.gmina else m.candidates if m.kind == "ambiguous" else []
        pows = {parent.loc[c, "powiat"] for c in cands if c in parent.index}
        powiat_of.append(next(iter(pows)) if len(pows) == 1 else None)
        if m.kind == "ambiguous":
            ambiguous.append(i)
            for y in YEARS:
                if nonzero[y].iloc[i]:
                    g_flags.loc[[c for c in m.candidates if c in g_flags.index], y] = "partial"
    df["powiat_then"] = powiat_of
    df["woj_then"] = df["code6"].str[:2]

    frames = [_rows(g_values, g_flags)]
    for key, members in (("powiat_then", parent["powiat"]), ("woj_then", parent["wojewodztwo"])):
        sums = df[df[key].notna()].groupby(key)[cols].sum()
        missing_gmina = g_values[("psp_events", YEARS[0])].isna().groupby(members).any()
        flags = pd.DataFrame(index=sums.index)
        for y in YEARS:
            # Units holding a candidate of a non-zero row that could not be given to one of them.
            straddling = {parent.loc[c, "powiat"] for i in ambiguous
                          if nonzero[y].iloc[i] and df.loc[i, key] is None
                          for c in matches[i].candidates if c in parent.index}
            incomplete = [bool(missing_gmina.get(u, True)) or u in straddling for u in sums.index]
            flags[y] = np.where(incomplete, "partial", "ok")
        frames.append(_rows(sums, flags))

    measures = pd.concat(frames, ignore_index=True)[MEASURE_COLUMNS]
    kinds = df["kind"].value_counts().to_dict()

    def described(rows: pd.DataFrame) -> list[str]:
        return [f"{r.code6} {r.gmina} (pow. {r.powiat}): {int(r[('psp_events', 2023)])}/"
                f"{int(r[('psp_events', 2024)])} events 2023/2024"
                + (f"; candidates {matches[i].candidates}" if matches[i].candidates else "")
                for i, r in rows.iterrows()]

    report = {
        "rows": len(df),
        "rows_by_match": {k: int(v) for k, v in kinds.items()},
        "row_match_rate": round(float(df["gmina_then"].notna().mean()), 4),
        "gminy_2023_2024": len(parent),
        "gminy_with_a_value": int(g_values[("psp_events", YEARS[0])].notna().sum()),
        "gminy_flagged_partial": {y: sorted(g_flags.index[g_flags[y] == "partial"]) for y in YEARS},
        "ambiguous_rows": described(df.loc[ambiguous]),
        "ambiguous_non_zero_rows": described(df.loc[[i for i in ambiguous
                                                      if nonzero[2023].iloc[i] or nonzero[2024].iloc[i]]]),
        "unmatched_rows": described(df[df["kind"] == "unmatched"]),
        "part_rows": described(df[df["kind"] == "part"]),
        "parent2025_rows": described(df[df["kind"] == "parent2025"]),
    }
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
