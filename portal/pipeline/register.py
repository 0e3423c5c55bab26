"""Unit register for the release year (TERYT of 2025), latest population (P1336, 2024), peer groups and the TERYT
change table."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from portal.catalogue import Catalogue

RELEASE_TERYT_YEAR = 2025
GMINA_KIND = {"1": "miejska", "2": "wiejska", "3": "miejsko-wiejska"}
# Codes changed before the earliest list the change table reads (2019), for the same territory, found in the
# 2010–2019 BDL exports: Wałbrzych was a gmina of powiat wałbrzyski in 2003–2012 (0221091) and is a city with
# powiat rights again from 2013 (0265011). code → (today's code, first year of the new code).
RECODED_BEFORE_2019 = {"0221091": ("0265011", 2013)}
# Gminy created on 1 January 2025 (split from Kamienica and Supraśl); the 2019 boundaries and the 2020
# population export know only their parents.
NEW_GMINY_2025 = {"1207132": "1207052", "2002162": "2002093"}


class RawInputError(ValueError):
    """A raw input file is missing or does not have the shape the pipeline expects."""


def _read_csv(path: Path, required: list[str], **kwargs) -> pd.DataFrame:
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_csv(path, dtype=str, **kwargs)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise RawInputError(f"{path}: missing columns {missing} (found {list(df.columns)[:8]})")
    return df


def fold(text: str) -> str:
    """Lower-case and strip Polish diacritics, so that 'lodz' finds 'Łódź' and 'zory' finds 'Żory'."""
    text = text.lower().replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def read_gmina_list(raw: Path, year: int) -> pd.DataFrame:
    """One year's gmina list as (teryt, name, kind); 2026 comes from the GUGiK lists."""
    if year == 2026:
        df = _read_csv(raw / "teryt-gugik-2026" / "gminy.csv", ["TERYT", "Nazwa"])
        teryt = df["TERYT"].str.replace("_", "", regex=False)
        out = pd.DataFrame({"teryt": teryt, "name": df["Nazwa"]})
    else:
        path = raw / "teryt-rgugik" / f"commune_names_{year}.csv"
        df = _read_csv(path, ["name", "teryt7"])
        out = pd.DataFrame({"teryt": df["teryt7"], "name": df["name"]})
    bad = out[~out["teryt"].str.fullmatch(r"\d{7}", na=False)]
    if len(bad):
        row = bad.index[0]
        raise RawInputError(f"gmina list {year}: row {row + 2}: TERYT '{bad.iloc[0]['teryt']}' is not 7 digits")
    dup = out[out["teryt"].duplicated()]
    if len(dup):
        raise RawInputError(f"gmina list {year}: duplicate TERYT {dup['teryt'].iloc[0]} (row {dup.index[0] + 2})")
    out["kind"] = out["teryt"].str[6].map(GMINA_KIND)
    return out


def build_change_table(raw: Path) -> pd.DataFrame:
    """Old 7-digit codes (2019 boundaries, 2023, 2024, 2026 lists) → the 2025 unit they are today.

    Columns: old_teryt, new_teryt, year_from, year_to, change ('type' digit change, 'split' for a gmina created
    from another, 'same'). Codes join on the 6-digit prefix; a prefix unknown in 2025 has no row.
    """
    current = read_gmina_list(raw, RELEASE_TERYT_YEAR)
    by_prefix = dict(zip(current["teryt"].str[:6], current["teryt"], strict=True))
    rows = []
    lists = {y: read_gmina_list(raw, y) for y in (2023, 2024, 2026)}
    lists[2019] = _gmina_codes_2019(raw)
    for year, df in sorted(lists.items()):
        for code in df["teryt"]:
            new = by_prefix.get(code[:6])
            if new is None:
                continue
            change = "same" if new == code else "type"
            rows.append((code, new, year, RELEASE_TERYT_YEAR, change))
    for new, parent in NEW_GMINY_2025.items():
        rows.append((parent, new, 2024, RELEASE_TERYT_YEAR, "split"))
    for old_code, (new, year) in RECODED_BEFORE_2019.items():
        rows.append((old_code, new, year, RELEASE_TERYT_YEAR, "recode"))
    changes = pd.DataFrame(rows, columns=["old_teryt", "new_teryt", "year_from", "year_to", "change"])
    changes = changes.sort_values(["old_teryt", "year_from"]).drop_duplicates(["old_teryt", "new_teryt", "change"])
    return changes.reset_index(drop=True)


def _gmina_codes_2019(raw: Path) -> pd.DataFrame:
    import json

    path = raw / "boundaries-jusuff-2019" / "poland.municipalities.json"
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except FileNotFoundError as exc:
        raise RawInputError(f"{path}: missing raw input file") from exc
    except (ValueError, KeyError) as exc:
        raise RawInputError(f"{path}: not valid GeoJSON ({exc})") from exc
    return pd.DataFrame({"teryt": [f["properties"]["terc"] for f in features]})


def read_population_2020(raw: Path) -> pd.DataFrame:
    """Population by age group, 31 XII 2020 (BDL P2137), per 2020 gmina code (kinds 1–3 only)."""
    path = raw / "bdl-exports-2020" / "LUDN_2137_CTAB_20210625164329.csv"
    df = _read_csv(path, ["Kod", "Nazwa", "ogółem", "0-4", "5-9", "10-14", "65-69", "70 i więcej"], sep=";")
    df = df[df["Kod"].str.fullmatch(r"\d{6}[123]", na=False)].copy()
    cols = [c for c in df.columns if c not in ("Kod", "Nazwa") and not c.startswith("Unnamed")]
    for c in cols:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    if df["ogółem"].isna().any():
        row = df[df["ogółem"].isna()].index[0]
        raise RawInputError(f"{path}: row {row + 2}: population 'ogółem' is not a number")
    if len(df) < 2400:
        raise RawInputError(f"{path}: only {len(df)} gmina rows (expected 2477); file truncated?")
    out = pd.DataFrame({"teryt2020": df["Kod"].to_numpy(), "population": df["ogółem"].to_numpy(float)})
    a04, a59, a1014 = (df[c].to_numpy(float) for c in ("0-4", "5-9", "10-14"))
    out["pop_0_2"] = a04 * 3 / 5
    out["pop_3_6"] = a04 * 2 / 5 + a59 * 2 / 5
    out["pop_7_14"] = a59 * 3 / 5 + a1014
    out["pop_0_14"] = a04 + a59 + a1014
    out["pop_65_plus"] = df["65-69"].to_numpy(float) + df["70 i więcej"].to_numpy(float)
    out["pop_15_64"] = out["population"] - out["pop_0_14"] - out["pop_65_plus"]
    return out


def gmina_areas_km2(raw: Path) -> pd.Series:
    """Area of each 2019 gmina in km² (equal-area projection), indexed by the 6-digit prefix."""
    import geopandas as gpd

    path = raw / "boundaries-jusuff-2019" / "poland.municipalities.json"
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be read as GeoJSON ({exc})") from exc
    area = gdf.to_crs(2180).geometry.area / 1e6
    return pd.Series(area.to_numpy(), index=gdf["terc"].str[:6].to_numpy())


POPULATION_YEAR = 2024
SPLIT_RULE = (
    "Szczawa i Grabówka istnieją od 1 I 2025 r.; GUS nie podał jeszcze ich ludności. Do ustalenia grupy "
    "porównawczej ludność gminy macierzystej z 31 XII 2024 r. (GUS, P1336) podzielono w proporcji liczby "
    "wyborców z I tury wyborów prezydenckich 2025 r. (PKW); to szacunek, nie dana urzędowa."
)


def latest_population(raw: Path, gminy: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """Population on 31 XII 2024 (GUS P1336) by today's code for every level, and estimates for the gminy
    created in 2025 and their parents: the parent's count split by the 2025 electorate (PKW), see SPLIT_RULE."""
    from portal.pipeline.elections import electorate_2025
    from portal.pipeline.sources.population import read_exact

    exact = read_exact(raw)
    exact = exact[(exact["year"] == POPULATION_YEAR) & exact["value"].notna()]
    today = set(gminy["teryt"])
    by_prefix = {c[:6]: c for c in gminy["teryt"]}
    latest: dict[str, float] = {}
    for code, value in zip(exact["teryt"], exact["value"], strict=True):
        if len(code) == 7 and code not in today:
            code = by_prefix.get(code[:6], code)
        latest[code] = float(value)
    electorate = electorate_2025(raw, gminy.assign(mnpp=gminy["teryt"].str[2:4].astype(int) >= 61))
    estimates: dict[str, float] = {}
    for child, parent in NEW_GMINY_2025.items():
        e_child, e_parent = electorate.get(child[:6]), electorate.get(parent[:6])
        if not e_child or not e_parent or parent not in latest:
            raise RawInputError(f"cannot split {parent} for the new gmina {child}: electorate or population missing")
        whole = latest[parent]
        estimates[child] = whole * e_child / (e_child + e_parent)
        estimates[parent] = whole * e_parent / (e_child + e_parent)
    return latest, estimates


def size_class(population: float, catalogue: Catalogue) -> str | None:
    if not np.isfinite(population):
        return None
    for cls in catalogue.size_classes:
        if population >= cls.lower and (cls.upper is None or population < cls.upper):
            return cls.id
    return None


def build_register(raw: Path, catalogue: Catalogue) -> pd.DataFrame:
    """The 2,875 units of the 2025 division with facts, parents, display names and peer groups."""
    gminy = read_gmina_list(raw, RELEASE_TERYT_YEAR)
    pow_df = _read_csv(raw / "teryt-gugik-2026" / "powiaty.csv", ["TERYT", "Nazwa"])
    woj_df = _read_csv(raw / "teryt-rgugik" / "voivodeship_names.csv", ["NAME_PL", "TERC"])
    powiat_names = dict(zip(pow_df["TERYT"], pow_df["Nazwa"], strict=True))
    woj_names = dict(zip(woj_df["TERC"], woj_df["NAME_PL"], strict=True))

    pop = read_population_2020(raw).assign(prefix=lambda d: d["teryt2020"].str[:6]).set_index("prefix")
    areas = gmina_areas_km2(raw)
    latest, estimates = latest_population(raw, gminy)

    g = gminy.copy()
    g["level"] = "gmina"
    g["powiat"] = g["teryt"].str[:4]
    g["wojewodztwo"] = g["teryt"].str[:2]
    g["mnpp"] = g["teryt"].str[2:4].astype(int) >= 61
    unknown_pow = sorted(set(g["powiat"]) - set(powiat_names))
    if unknown_pow:
        raise RawInputError(f"gmina list {RELEASE_TERYT_YEAR}: powiat codes not in the powiat list: {unknown_pow[:5]}")
    prefix = g["teryt"].str[:6]
    g["area_km2"] = prefix.map(areas).astype(float)
    # Age groups of 2020 (pre-revision P2137 export): inputs of the synthetic demo generator only.
    for col in ["pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus"]:
        g[col] = prefix.map(pop[col]).astype(float)
    # Population of the latest year (P1336, 31 XII 2024) sets size classes and peer groups.
    g["population"] = g["teryt"].map(latest).astype(float)
    g["population_estimated"] = g["teryt"].isin(list(estimates))
    g.loc[g["population_estimated"], "population"] = g.loc[g["population_estimated"], "teryt"].map(estimates)
    # The new 2025 gminy have no 2019 shape: their area stays with the parent's shape.
    g.loc[g["teryt"].isin(list(NEW_GMINY_2025)), "area_km2"] = np.nan
    for child, parent in NEW_GMINY_2025.items():
        # The demo generator's 2020 age groups: the parent's, split in the same proportion as the population.
        share = estimates[child] / (estimates[child] + estimates[parent])
        for col in ["pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus"]:
            whole = g.loc[g["teryt"] == parent, col].iloc[0]
            g.loc[g["teryt"] == child, col] = whole * share
            g.loc[g["teryt"] == parent, col] = whole * (1 - share)
    g["has_shape"] = g["area_km2"].notna()

    # Display names tell same-named units apart: "Bolesławiec (gmina miejska, pow. bolesławiecki)".
    pow_short = {k: v.replace("powiat ", "") for k, v in powiat_names.items()}
    dup = g["name"].duplicated(keep=False)
    g["display_name"] = g["name"]
    g.loc[dup, "display_name"] = (
        g.loc[dup, "name"] + " (gm. " + g.loc[dup, "kind"] + ", pow. " + g.loc[dup, "powiat"].map(pow_short) + ")"
    )
    still = g["display_name"].duplicated(keep=False)
    g.loc[still, "display_name"] = g.loc[still, "display_name"] + " [" + g.loc[still, "teryt"] + "]"

    p = pd.DataFrame({"teryt": list(powiat_names), "name": list(powiat_names.values())})
    p["level"] = "powiat"
    p["mnpp"] = p["teryt"].str[2:4].astype(int) >= 61
    p["kind"] = np.where(p["mnpp"], "mnpp", "powiat")
    p["name"] = p["name"].where(~p["mnpp"], p["name"].str.replace("powiat ", "", regex=False))
    p["powiat"] = None
    p["wojewodztwo"] = p["teryt"].str[:2]
    p["display_name"] = np.where(p["mnpp"], p["name"] + " (miasto na prawach powiatu)", p["name"])
    # Same-named powiaty (e.g. powiat świdnicki in dolnośląskie and lubelskie) are told apart by województwo.
    pdup = p["display_name"].duplicated(keep=False)
    p.loc[pdup, "display_name"] = p.loc[pdup, "display_name"] + " (woj. " + p.loc[pdup, "wojewodztwo"].map(woj_names) + ")"

    w = pd.DataFrame({"teryt": list(woj_names), "name": ["województwo " + n for n in woj_names.values()]})
    w["level"] = "wojewodztwo"
    w["kind"] = "wojewodztwo"
    w["mnpp"] = False
    w["powiat"] = None
    w["wojewodztwo"] = None
    w["display_name"] = w["name"]

    sums = ["area_km2", "population", "pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus"]
    for upper, key in ((p, "powiat"), (w, "wojewodztwo")):
        agg = g.groupby(key)[sums].sum(min_count=1)
        for col in sums:
            upper[col] = upper["teryt"].map(agg[col]).astype(float)
        # Powiaty and województwa take P1336's own 2024 count (equal to the sum of their gminy).
        upper["population"] = upper["teryt"].map(latest).astype(float).fillna(upper["population"])
        upper["population_estimated"] = False
        upper["has_shape"] = True

    units = pd.concat([g, p, w], ignore_index=True)
    units["density"] = units["population"] / units["area_km2"]
    units["peer_group"] = [_peer_group(r, catalogue) for r in units.itertuples()]
    units["search_key"] = (units["name"] + " " + units["teryt"]).map(fold)
    units["powiat"] = units["powiat"].astype(object).where(units["powiat"].notna(), None)
    order = ["gmina", "powiat", "wojewodztwo"]
    units["level_order"] = units["level"].map(order.index)
    units = units.sort_values(["level_order", "teryt"]).drop(columns="level_order").reset_index(drop=True)
    return units


def _peer_group(row, catalogue: Catalogue) -> str:
    """KOSTRA-style comparison groups: gminy by kind × size class; cities with powiat rights on their own."""
    if row.level == "wojewodztwo":
        return "wojewodztwa"
    if row.level == "powiat":
        return "miasta-na-prawach-powiatu" if row.mnpp else "powiaty-ziemskie"
    if row.mnpp:
        return "miasta-na-prawach-powiatu"
    cls = size_class(row.population, catalogue)
    return f"{row.kind}-{cls}"


def peer_group_names(catalogue: Catalogue) -> dict[str, dict[str, str]]:
    """Readable names of every peer group id, in Polish and English (plural, as in sentences)."""
    kinds = {
        "miejska": ("gminy miejskie", "urban gminas"),
        "wiejska": ("gminy wiejskie", "rural gminas"),
        "miejsko-wiejska": ("gminy miejsko-wiejskie", "urban-rural gminas"),
    }
    names = {
        "wojewodztwa": {"pl": "województwa", "en": "voivodeships"},
        "powiaty-ziemskie": {"pl": "powiaty ziemskie", "en": "rural counties (powiaty ziemskie)"},
        "miasta-na-prawach-powiatu": {"pl": "miasta na prawach powiatu", "en": "cities with county rights"},
    }
    for kind, (pl, en) in kinds.items():
        for cls in catalogue.size_classes:
            names[f"{kind}-{cls.id}"] = {"pl": f"{pl}, {cls.name.pl}", "en": f"{en}, {cls.name.en}"}
    return names
