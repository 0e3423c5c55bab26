"""What `omup data fetch` brought → official indicators of the release, by the rule of the raw-file sources.

The fetch folder holds measure rows as the APIs gave them (``bdl:<variable>``, ``smup:<indicator>``, codes of
each row's own year). Here they are

1. checked: every BDL variable's unit as BDL stated it must be the unit data/fetch.yaml declares (else the
   build fails naming indicator, variable and units);
2. re-keyed to today's units through the TERYT change table (codes with no unit today are reported);
3. made into the plan's measures: numerators and denominators added up from their variables, ``population``
   from BDL's series of every year (census-revised from 2020) with the raw files' P1336 filling unit-years BDL
   lacks and checked against it, ``area`` from the raw files, SMUP's gmina and city indicators as one;
4. turned into values with ``measures.ratio_values`` (``multiplier × Σ numerator / Σ denominator``, higher
   levels as the source publishes them or summed from gminy where the plan allows);
5. compared with the other source where the plan names two (differences beyond the tolerance are reported);
6. published in place of the indicator's synthetic series, at the levels and years the values cover: the
   catalogue entry of the release becomes ``real: {kind: api}`` and leaves the demo's synthetic list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from portal.catalogue import Catalogue, Indicator, Real
from portal.pipeline import RELEASE_VALUE_COLUMNS
from portal.pipeline.fetch_plan import BdlEntry, BdlPart, FetchPlan, PlanIndicator, fillable, load_plan
from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, combine_years, ratio_values, rekey_gminy
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput

FORMAT = 2  # portal.pipeline.fetch.FORMAT (not imported: the build needs no network client)
GUS_LICENCE = "dane publiczne GUS; ponowne wykorzystanie z podaniem źródła"
ATTRIBUTION = {
    "bdl": "Źródło: GUS, Bank Danych Lokalnych",
    "smup": "Źródło: GUS/MSWiA, System Monitorowania Usług Publicznych",
}
DATASET_IDS = {"bdl": "bdl-api", "smup": "smup-api"}
LEVEL_OF_LEN = {7: "gmina", 4: "powiat", 2: "wojewodztwo"}
EXAMPLES = 5


@dataclass
class FetchedRelease:
    """The fetched indicators' values, the release catalogue with their entries made official, the API
    datasets for the metadata, and a report (re-keying, cross-checks, what was left out and why)."""

    values: pd.DataFrame
    catalogue: Catalogue
    ids: list[str]
    datasets: list[Dataset] = field(default_factory=list)
    report: dict = field(default_factory=dict)


class FetchedDataError(ValueError):
    """Fetched data the build refuses (a unit other than the plan's, a code clash after re-keying)."""


def read_fetch_dir(fetch_dir: Path) -> tuple[dict, pd.DataFrame] | None:
    """(manifest, measure rows) of a fetch folder of this format, or None when there is nothing to read."""
    try:
        manifest = json.loads((fetch_dir / "FETCHED.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT:
        return None
    frames = [
        pd.read_parquet(fetch_dir / name)
        for name in manifest.get("files", [])
        if name.startswith("measures-") and (fetch_dir / name).exists()
    ]
    frames = [f[MEASURE_COLUMNS] for f in frames if len(f)]
    if not frames:
        return None
    df = pd.concat(frames, ignore_index=True)
    return manifest, df.astype({"year": "int64", "value": "float64"})


# -- 1. units ----------------------------------------------------------------------------------------------
def check_units(plan: FetchPlan, entries: list[PlanIndicator], manifest: dict, data: pd.DataFrame) -> None:
    """Every fetched BDL variable in the unit the plan declares; FetchedDataError naming indicator, variable
    and both units otherwise."""
    stated = manifest.get("sources", {}).get("bdl", {}).get("variables", {})
    present = {int(m.split(":", 1)[1]) for m in data["measure"].unique() if m.startswith("bdl:")}
    users: dict[int, list[tuple[str, BdlPart]]] = {
        plan.population.bdl.variable: [("population", plan.population.bdl)]
    }
    for entry in entries:
        if entry.bdl is not None:
            for part in entry.bdl.parts():
                users.setdefault(part.variable, []).append((entry.id, part))
    problems = []
    for variable in sorted(present):
        unit = stated.get(str(variable), {}).get("measureUnitName")
        for who, part in users.get(variable, []):
            if unit != part.unit:
                problems.append(
                    f"indicator {who}: BDL variable {variable} was fetched in "
                    f"{unit!r} but data/fetch.yaml declares {part.unit!r}"
                )
    if problems:
        raise FetchedDataError(
            "fetched values in another unit than the plan's (fix data/fetch.yaml or fetch "
            "again): " + "; ".join(problems)
        )


# -- 2. codes -----------------------------------------------------------------------------------------------
def rekey(data: pd.DataFrame, ctx: BuildContext) -> tuple[pd.DataFrame, dict]:
    """Every row on today's unit: gmina codes of any year through the change table (then one row per unit and
    year), powiat and województwo codes kept when they exist today; the rest reported, not kept."""
    lens = data["teryt"].str.len()
    gminy = data[lens == 7]
    rk = rekey_gminy(gminy, ctx.units, ctx.changes)
    # rekey_gminy keeps the rows of matched codes in order: old and new codes line up.
    old = gminy.loc[~gminy["teryt"].isin(set(rk.unmatched)), "teryt"].to_numpy()
    new = rk.frame["teryt"].to_numpy()
    moved = sorted({f"{a}→{b}" for a, b in zip(old, new, strict=True) if a != b})
    try:
        combined = combine_years(rk.frame)
    except ValueError as exc:
        raise FetchedDataError(f"fetched values: {exc}") from exc
    known = set(ctx.units["teryt"])
    higher = data[lens != 7]
    lost_higher = higher[~higher["teryt"].isin(known)]
    out = pd.concat([combined, higher[higher["teryt"].isin(known)]], ignore_index=True)
    report = {
        "codes_moved_to_todays_unit": moved,
        "rows_moved": int((old != new).sum()),
        "codes_without_a_unit_today": sorted(set(rk.unmatched) | set(lost_higher["teryt"])),
        "rows_not_kept": int(len(gminy) - len(rk.frame)) + len(lost_higher),
    }
    return out[MEASURE_COLUMNS].astype({"year": "int64", "value": "float64"}), report


# -- 3. measures --------------------------------------------------------------------------------------------
def _sum_parts(data: pd.DataFrame, parts: list[BdlPart], measure: str) -> pd.DataFrame:
    """One measure as the sum of BDL variables per unit and year; a part exists only from its ``since`` year;
    a required part missing makes the sum missing; a partial or estimated part marks the sum so."""
    ids = [f"bdl:{p.variable}" for p in parts]
    rows = data[data["measure"].isin(ids)]
    if len(parts) == 1:
        return rows.assign(measure=measure)[MEASURE_COLUMNS]
    if rows.empty:
        return rows.assign(measure=measure)[MEASURE_COLUMNS]
    wide = rows.pivot_table(
        index=["teryt", "year"], columns="measure", values="value", aggfunc="first", dropna=False
    )
    flags = rows.pivot_table(index=["teryt", "year"], columns="measure", values="flag", aggfunc="first")
    wide = wide.reindex(columns=ids)
    flags = flags.reindex(index=wide.index, columns=ids)
    years = wide.index.get_level_values("year").to_numpy()
    total = np.zeros(len(wide))
    missing = np.zeros(len(wide), bool)
    for part, col in zip(parts, ids, strict=True):
        required = years >= part.since if part.since is not None else np.ones(len(wide), bool)
        vals = wide[col].to_numpy(float)
        missing |= required & np.isnan(vals)
        total += np.where(required & ~np.isnan(vals), vals, 0.0)
    f = flags.to_numpy(object)
    partial = (f == "partial").any(axis=1)
    estimated = (f == "estimated").any(axis=1)
    value = np.where(missing, np.nan, total)
    flag = np.where(
        np.isnan(value),
        "no_data",
        np.where(partial, "partial", np.where(estimated, "estimated", np.where(value == 0, "zero", "ok"))),
    )
    return pd.DataFrame(
        {
            "measure": measure,
            "teryt": wide.index.get_level_values("teryt"),
            "year": years,
            "value": value,
            "flag": flag,
            "source": "bdl-api",
        }
    )[MEASURE_COLUMNS]


def _tolerance_report(published: pd.DataFrame, other: pd.DataFrame, tolerance, label: str) -> dict:
    """Where both have a value: how many differ beyond the tolerance, the largest difference, examples."""
    both = published.merge(other, on=["teryt", "year"], suffixes=("", "_other"))
    both = both[both["value"].notna() & both["value_other"].notna()]
    if both.empty:
        return {
            "compared": 0,
            "beyond_tolerance": 0,
            "tolerance": tolerance.model_dump(exclude_none=True),
            "against": label,
        }
    beyond = both[[tolerance.exceeded(a, b) for a, b in zip(both["value"], both["value_other"], strict=True)]]
    diff = (both["value"] - both["value_other"]).abs()
    worst = beyond.assign(diff=(beyond["value"] - beyond["value_other"]).abs()).nlargest(EXAMPLES, "diff")
    return {
        "against": label,
        "tolerance": tolerance.model_dump(exclude_none=True),
        "compared": len(both),
        "beyond_tolerance": len(beyond),
        "largest_difference": float(diff.max()),
        "examples": [
            {
                "teryt": r.teryt,
                "year": int(r.year),
                "published": float(r.value),
                "other": float(r.value_other),
            }
            for r in worst.itertuples()
        ],
    }


def population_measure(
    plan: FetchPlan, data: pd.DataFrame, sources: SourceOutput
) -> tuple[pd.DataFrame, dict]:
    """``fetch:population``: BDL's population of every year it publishes, the raw files' filling unit-years
    BDL lacks, and the comparison of the two where both exist."""
    pop = plan.population
    fetched = data[(data["measure"] == f"bdl:{pop.bdl.variable}") & data["value"].notna()]
    raw = sources.measures[(sources.measures["measure"] == pop.raw) & sources.measures["value"].notna()]
    fill = raw.merge(fetched[["teryt", "year"]], on=["teryt", "year"], how="left", indicator=True)
    fill = fill[fill["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([fetched, fill], ignore_index=True).assign(measure="fetch:population")
    check = _tolerance_report(fetched, raw, pop.tolerance, f"raw measure '{pop.raw}'")
    check.update(from_bdl=len(fetched), from_raw_files=len(fill))
    return out[MEASURE_COLUMNS], check


def _names(entry: PlanIndicator, source: str) -> tuple[str, str | None]:
    if source == "smup":
        return f"fetch:{entry.id}:smup", None
    bdl = entry.bdl
    assert bdl is not None
    num = f"fetch:{entry.id}:bdl-num"
    if bdl.denominator is None:
        return num, None
    if bdl.denominator in ("population", "area"):
        return num, f"fetch:{bdl.denominator}"
    return num, f"fetch:{entry.id}:bdl-den"


def entry_measures(
    entry: PlanIndicator, source: str, data: pd.DataFrame
) -> tuple[pd.DataFrame, list[MeasureInfo]]:
    """The numerator (and own denominator) measures of one plan entry from one source."""
    num, den = _names(entry, source)
    if source == "smup":
        smup = entry.smup
        assert smup is not None
        rows = data[data["measure"].isin([f"smup:{i}" for i in smup.ids])]
        rows = rows.assign(_missing=rows["value"].isna()).sort_values(
            ["teryt", "year", "_missing"], kind="stable"
        )
        rows = rows.drop_duplicates(["teryt", "year"]).drop(columns="_missing").assign(measure=num)
        return rows[MEASURE_COLUMNS], [MeasureInfo(num, smup.unit, False, tuple(smup.levels))]
    bdl: BdlEntry = entry.bdl  # type: ignore[assignment]
    frames = [_sum_parts(data, bdl.numerator, num)]
    infos = [MeasureInfo(num, bdl.numerator[0].unit, not bdl.published, tuple(bdl.levels))]
    if isinstance(bdl.denominator, list):
        assert den is not None
        frames.append(_sum_parts(data, bdl.denominator, den))
        infos.append(MeasureInfo(den, bdl.denominator[0].unit, True, tuple(bdl.levels)))
    return pd.concat(frames, ignore_index=True), infos


def _compute(
    entry: PlanIndicator,
    source: str,
    ind: Indicator,
    measures: pd.DataFrame,
    ctx: BuildContext,
    infos: dict[str, MeasureInfo],
    years: list[int],
) -> pd.DataFrame:
    num, den = _names(entry, source)
    part = getattr(entry, source)
    multiplier = part.multiplier if source == "bdl" else 1.0
    sum_up = part.sum_up if source == "bdl" else False
    probe = ind.model_copy(
        update={
            "real": Real(kind="ratio", numerator=num, denominator=den, multiplier=multiplier, sum_up=sum_up),
            "synthetic": None,
            "levels": list(part.levels),
            "years": (min(years), max(years)),
            "only_years": None,
        }
    )
    out = ratio_values(probe, measures, ctx.units, infos)
    return out[out["teryt"].isin(set(ctx.units["teryt"]))].reset_index(drop=True)


# -- 6. the release ----------------------------------------------------------------------------------------
def _coverage(values: pd.DataFrame) -> tuple[list[str], list[int], dict]:
    """The levels with values and the years every kept level has; what else was there is reported."""
    present = values[values["value"].notna()]
    level = present["teryt"].str.len().map(LEVEL_OF_LEN)
    per_level = {lv: set(present.loc[level == lv, "year"]) for lv in ("gmina", "powiat", "wojewodztwo")}
    per_level = {lv: ys for lv, ys in per_level.items() if ys}
    if not per_level:
        return [], [], {}
    common = set.intersection(*per_level.values())
    if not common:  # no year shared by every level: keep the level with the most values
        best = max(per_level, key=lambda lv: int((level == lv).sum()))
        per_level, common = {best: per_level[best]}, per_level[best]
    dropped = {lv: sorted(ys - common) for lv, ys in per_level.items() if ys - common}
    return list(per_level), sorted(common), dropped


def _release_entry(
    ind: Indicator, entry: PlanIndicator, levels: list[str], years: list[int], datasets: list[str]
) -> Indicator:
    source = entry.primary
    num, den = _names(entry, source)
    part = getattr(entry, source)
    attribution = ATTRIBUTION[source] + ("; obliczenia własne" if den is not None else "")
    data = ind.model_dump(mode="json")
    data.update(
        levels=levels,
        years=[years[0], years[-1]],
        only_years=years if len(years) != years[-1] - years[0] + 1 else None,
        synthetic=None,
        real={
            "kind": "api",
            "numerator": num,
            "denominator": den,
            "multiplier": part.multiplier if source == "bdl" else 1.0,
            "sum_up": part.sum_up if source == "bdl" else False,
        },
    )
    data["source"] = {**data["source"], "attribution": attribution, "datasets": datasets}
    return Indicator.model_validate(data)


def _api_datasets(manifest: dict, used: dict[str, set[str]], plan: FetchPlan) -> list[Dataset]:
    years = manifest.get("years") or []
    span = f"{years[0]}–{years[-1]}" if years else ""
    out = []
    if used.get("bdl"):
        variables = sorted(int(v) for v in manifest.get("sources", {}).get("bdl", {}).get("variables", {}))
        out.append(
            Dataset(
                id="bdl-api",
                publisher="GUS",
                table=None,
                folder="OMUP_FETCH_DIR",
                files=("measures-bdl.parquet",),
                name="Bank Danych Lokalnych, API v1: zmienne wskazane w data/fetch.yaml",
                name_en="Local Data Bank, API v1: the variables listed in data/fetch.yaml",
                years=span,
                levels=tuple(sorted(used["bdl"])),
                attribution=ATTRIBUTION["bdl"],
                licence=GUS_LICENCE,
                url=manifest.get("bdl_url"),
                note=f"Pobrane {manifest.get('fetched_at', '')} (omup data fetch); zmienne: "
                + ", ".join(str(v) for v in variables),
            )
        )
    if used.get("smup"):
        ids = sorted(int(v) for v in manifest.get("sources", {}).get("smup", {}).get("ids", {}))
        out.append(
            Dataset(
                id="smup-api",
                publisher="GUS",
                table=None,
                folder="OMUP_FETCH_DIR",
                files=("measures-smup.parquet",),
                name="System Monitorowania Usług Publicznych, API 1.0.0: wskaźniki z data/fetch.yaml",
                name_en="Public Services Monitoring System, API 1.0.0: the indicators in data/fetch.yaml",
                years=span,
                levels=tuple(sorted(used["smup"])),
                attribution=ATTRIBUTION["smup"],
                licence="dane publiczne GUS/MSWiA; ponowne wykorzystanie z podaniem źródła",
                url=manifest.get("smup_url"),
                note=f"Pobrane {manifest.get('fetched_at', '')} (omup data fetch); wskaźniki SMUP: "
                + ", ".join(str(v) for v in ids),
            )
        )
    return out


def fetched_release(
    fetch_dir: Path, plan_file: Path, catalogue: Catalogue, ctx: BuildContext, sources: SourceOutput
) -> FetchedRelease | None:
    """The fetched indicators for the release, or None when the fetch folder holds nothing of this format."""
    from portal.pipeline.real import _no_values_before_existence

    found = read_fetch_dir(fetch_dir)
    if found is None:
        if (fetch_dir / "FETCHED.json").exists():
            ctx.log.step(f"{fetch_dir} holds a fetch of an older format or without values: not used (run "
                         "`omup data fetch` again)")
        return None
    manifest, data = found
    if not plan_file.exists():
        raise FetchedDataError(
            f"{fetch_dir} holds fetched values but there is no {plan_file} to build them with"
        )
    plan = load_plan(plan_file, catalogue)
    entries, skipped = fillable(plan, catalogue)
    check_units(plan, entries, manifest, data)
    data, rekey_report = rekey(data, ctx)
    report: dict = {
        "fetched_at": manifest.get("fetched_at"),
        "rekeying": rekey_report,
        "skipped": dict(skipped),
        "indicators": {},
    }

    pop, pop_check = population_measure(plan, data, sources)
    report["population"] = pop_check
    raw_area = sources.measures[sources.measures["measure"] == plan.area.raw].assign(measure="fetch:area")
    frames = [pop, raw_area[MEASURE_COLUMNS]]
    infos = {
        "fetch:population": MeasureInfo("fetch:population", "osoba", True, tuple(plan.population.levels)),
        "fetch:area": MeasureInfo("fetch:area", "km2", True, ("gmina", "powiat", "wojewodztwo")),
    }
    for entry in entries:
        for source in entry.sources:
            rows, more = entry_measures(entry, source, data)
            frames.append(rows)
            infos.update({m.id: m for m in more})
    measures = pd.concat([f for f in frames if len(f)], ignore_index=True)
    years = sorted(int(y) for y in data["year"].unique())

    values_out, new_entries, used = [], {}, {"bdl": set(), "smup": set()}
    for entry in entries:
        ind = catalogue.by_id[entry.id]
        rep: dict = {"source": entry.primary}
        report["indicators"][entry.id] = rep
        if not years:
            rep["published"] = False
            continue
        primary = _no_values_before_existence(
            _compute(entry, entry.primary, ind, measures, ctx, infos, years), ctx.units
        )
        if not primary["value"].notna().any():
            rep.update(published=False, why="no fetched value")
            continue
        if entry.check is not None:
            other = _compute(entry, entry.check, ind, measures, ctx, infos, years)
            assert entry.tolerance is not None
            rep["cross_check"] = _tolerance_report(primary, other, entry.tolerance, entry.check)
        if ind.unit.pl.strip() == "%" and ((primary["value"] > 100) | (primary["value"] < 0)).any():
            n = int(((primary["value"] > 100) | (primary["value"] < 0)).sum())
            rep.update(
                published=False,
                why=f"{n} values outside 0–100 %, which the release's share rule refuses "
                "for official % indicators; the demo series stays",
            )
            continue
        levels, kept_years, dropped = _coverage(primary)
        level = primary["teryt"].str.len().map(LEVEL_OF_LEN)
        primary = primary[level.isin(levels) & primary["year"].isin(kept_years)].reset_index(drop=True)
        datasets = sorted({s for src in primary["source"].dropna() for s in str(src).split(";")})
        new_entries[entry.id] = _release_entry(ind, entry, levels, kept_years, datasets)
        used[entry.primary].update(levels)
        values_out.append(primary)
        rep.update(
            published=True,
            levels=levels,
            years=kept_years,
            values=int(primary["value"].notna().sum()),
            flags={k: int(v) for k, v in primary["flag"].value_counts().sort_index().items()},
        )
        if dropped:
            rep["years_left_out_at_some_level"] = dropped

    if not values_out:
        return FetchedRelease(
            values=pd.DataFrame(columns=RELEASE_VALUE_COLUMNS), catalogue=catalogue, ids=[], report=report
        )
    values = pd.concat(values_out, ignore_index=True)[RELEASE_VALUE_COLUMNS]
    release_catalogue = Catalogue(
        version=catalogue.version,
        areas=catalogue.areas,
        size_classes=catalogue.size_classes,
        indicators=[new_entries.get(i.id, i) for i in catalogue.indicators],
    )
    return FetchedRelease(
        values=values,
        catalogue=release_catalogue,
        ids=sorted(new_entries),
        datasets=_api_datasets(manifest, used, plan),
        report=report,
    )
