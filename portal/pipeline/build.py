"""Orchestrates the data build: raw inputs → a validated release, written aside and swapped in atomically."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd

from portal.catalogue import Catalogue, load_catalogue
from portal.config import Settings
from portal.pipeline import RELEASE_VALUE_COLUMNS, register, stats, synthetic, validate
from portal.pipeline.progress import BuildLog
from portal.pipeline.real import fetched_values, real_values
from portal.release import swap_in

YEARS = list(range(2015, 2025))  # years of the synthetic demo series
ATTRIBUTION = {
    "GUS": "Źródło: GUS, Bank Danych Lokalnych",
    "SMUP": "Źródło: GUS/MSWiA, System Monitorowania Usług Publicznych",
    "PKW": "Źródło: PKW (Państwowa Komisja Wyborcza)",
    "CKE": "Źródło: CKE, wyniki egzaminu ósmoklasisty",
    "GUGiK": "Granice: PRG (GUGiK), uproszczone (jusuff/PolandGeoJson, Unlicense); kody TERYT: GUS/GUGiK",
}


class BuildError(RuntimeError):
    """The build failed; the message says which input or rule, and the last release stays in place."""


def build_release(settings: Settings, seed: int | None = None, log: BuildLog | None = None) -> dict:
    """Build a release from the raw inputs and swap it in; `log` receives one line per step (stderr by default)."""
    log = log or BuildLog()
    started = time.perf_counter()
    settings.release_path.mkdir(parents=True, exist_ok=True)
    _clean_stale_tmp(settings.release_path)
    tmp = Path(tempfile.mkdtemp(prefix="tmp-build-", dir=settings.release_path))
    try:
        version = _build_into(tmp, settings, seed if seed is not None else synthetic.DEFAULT_SEED, started, log)
        final = swap_in(settings, tmp, version)
        log.step(f"swapped in release {version} as current ({final})")
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, BuildError):
            raise
        if isinstance(exc, (register.RawInputError, validate.ValidationError, ValueError, OSError)):
            raise BuildError(str(exc)) from exc
        raise
    return {"version": version, "path": str(final), "seconds": time.perf_counter() - started}


def _clean_stale_tmp(root: Path) -> None:
    """Remove folders of builds killed before they could clean up (older than an hour)."""
    for path in root.glob("tmp-build-*"):
        if time.time() - path.stat().st_mtime > 3600:
            shutil.rmtree(path, ignore_errors=True)


def _build_into(out: Path, settings: Settings, seed: int, started: float, log: BuildLog) -> str:
    from portal.pipeline import geometry
    from portal.pipeline.sources import BuildContext, read_all

    raw = settings.raw_path
    if not raw.is_dir():
        raise BuildError(f"raw input folder {raw} does not exist (set OMUP_RAW_DIR)")
    log.step(f"reading raw inputs from {raw}")
    catalogue = load_catalogue(settings.catalogue_path)
    log.step(f"catalogue: {len(catalogue.indicators)} indicators ({settings.catalogue_path})")
    units = register.build_register(raw, catalogue)
    validate.validate_units(units)
    counts = units["level"].value_counts()
    log.step(
        "unit register 2025 validated: "
        + ", ".join(f"{int(counts.get(lvl, 0)):,} {lvl}" for lvl in ("gmina", "powiat", "wojewodztwo"))
    )
    changes = register.build_change_table(raw)
    log.step(f"TERYT change table: {len(changes):,} code changes")

    log.step("geometry: re-keying and simplifying boundaries of three levels (the slowest step) …")
    geo = geometry.build_geometry(raw, out)
    log.step(
        "geometry written: "
        + ", ".join(f"{lvl} {info.get('features', '?')} shapes" for lvl, info in geo.get("layers", {}).items())
    )

    ctx = BuildContext(raw=raw, units=units, changes=changes, log=log)
    sources = read_all(ctx)
    real, report = real_values(catalogue, ctx, sources)
    log.step(f"official values: {len(real):,} values of {real['indicator'].nunique()} indicators")
    from portal.pipeline.fetch_plan import plan_path

    fetched = fetched_values(Path(settings.fetch_dir), plan_path(settings.catalogue_path), catalogue, ctx, sources)
    # The demo's synthetic values are conditioned on the official ones (a synthetic part stays below an official
    # whole); an indicator the release has official values of is not generated.
    official = real if fetched is None else pd.concat([real, fetched.values], ignore_index=True)
    synth = synthetic.generate(catalogue, units, YEARS, seed=seed, official=official)
    log.step(f"demo (synthetic) values: {len(synth):,} values of {synth['indicator'].nunique()} indicators "
             f"(seed {seed})")
    values = pd.concat([real, synth], ignore_index=True)
    fetched_ids: list[str] = []
    if fetched is not None:
        # Official values computed from what the APIs brought (data/fetch.yaml) replace the synthetic series of
        # the indicators they cover, whole; their catalogue entries become official at the levels and years
        # the values cover.
        fetched_ids = fetched.ids
        values = pd.concat([values[~values["indicator"].isin(fetched_ids)], fetched.values], ignore_index=True)
        catalogue = fetched.catalogue
        sources.datasets.extend(fetched.datasets)
        report.setdefault("sources", {})["fetched"] = fetched.report
        left = {k: v.get("why", "") for k, v in fetched.report["indicators"].items() if not v.get("published")}
        log.step(f"fetched from the official APIs: {len(fetched.values):,} values of {len(fetched_ids)} indicators"
                 + (f"; not published: {left}" if left else ""))
    values = values.reindex(columns=RELEASE_VALUE_COLUMNS).astype(
        {"year": "int64", "value": "float64", "synthetic": "bool", "numerator": "float64", "denominator": "float64"})
    values = values.sort_values(["indicator", "year", "teryt"]).reset_index(drop=True)
    validate.validate_values(values, units, catalogue)
    log.step(f"values table validated: {len(values):,} rows")

    log.step("statistics: ranks, percentiles and peer medians …")
    ustats = stats.unit_stats(values, units, catalogue)
    gstats = stats.group_stats(values, units)
    log.step(f"statistics: {len(ustats):,} unit rows, {len(gstats):,} group rows")

    units.to_parquet(out / "units.parquet", index=False)
    changes.to_parquet(out / "teryt_changes.parquet", index=False)
    (out / "catalogue_all.json").write_bytes(orjson.dumps(catalogue.model_dump(mode="json")))

    # Two editions of one release: official values only (served by default) and the demo, which adds the
    # synthetic values (served only when asked for, labelled everywhere). Ranks and group statistics are per
    # indicator, so both editions share them.
    synthetic_ids = set(values.loc[values["synthetic"], "indicator"])
    official_ids = set(values.loc[~values["synthetic"], "indicator"]) - synthetic_ids
    editions = {
        "official": (out, catalogue.restricted_to(official_ids)),
        "demo": (out / "demo", catalogue),
    }
    for edition, (folder, cat) in editions.items():
        folder.mkdir(parents=True, exist_ok=True)
        keep = values["indicator"].isin({i.id for i in cat.indicators})
        ev, eu = values[keep].reset_index(drop=True), ustats[keep.to_numpy()].reset_index(drop=True)
        eg = gstats[gstats["indicator"].isin({i.id for i in cat.indicators})].reset_index(drop=True)
        if edition == "demo":
            units.to_parquet(folder / "units.parquet", index=False)
            changes.to_parquet(folder / "teryt_changes.parquet", index=False)
        ev.to_parquet(folder / "values.parquet", index=False)
        eu.to_parquet(folder / "unit_stats.parquet", index=False)
        eg.to_parquet(folder / "group_stats.parquet", index=False)
        from portal.cubes import write_cubes

        write_cubes(folder, ev, eu, units)
        (folder / "catalogue.json").write_bytes(orjson.dumps(cat.model_dump(mode="json")))
        log.step(f"edition {edition}: {len(cat.indicators)} indicators, {len(ev):,} values written")

    version = _content_version(out)
    meta = _metadata(catalogue, units, values, geo, report, version, fetched_ids, seed, sources.datasets)
    meta["build_seconds"] = round(time.perf_counter() - started, 1)
    official_meta = {**meta, "edition": "official", "synthetic_indicators": [],
                     "demo_indicators": meta["synthetic_indicators"]}
    demo_meta = {**meta, "edition": "demo"}
    for folder, m in ((out, official_meta), (out / "demo", demo_meta)):
        (folder / "metadata.json").write_bytes(orjson.dumps(m, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    # Full-release downloads (CSV.gz, Parquet) of each edition, from its tables: written once the version is known,
    # as their header block names it; derived files, so not part of the version (_content_version skips them).
    from portal.pipeline.downloads import write_release_downloads

    for (folder, cat), m in zip(editions.values(), (official_meta, demo_meta), strict=True):
        edition_values = values[values["indicator"].isin({i.id for i in cat.indicators})]
        write_release_downloads(folder, edition_values, units, cat, m)
    return version


RELEASE_FORMAT = 4  # bump when the release layout changes (2: memory-mapped value cubes; 3: official and demo editions;
# 4: cubes also by year, read with pread)


def _content_version(out: Path) -> str:
    digest = hashlib.sha256(f"format:{RELEASE_FORMAT}".encode())
    for path in sorted(out.rglob("*")):
        derived = {"cubes", "downloads"} & set(path.relative_to(out).parts)  # made from the tables, not content
        if path.is_file() and path.suffix in {".parquet", ".json", ".geojson"} and not derived:
            digest.update(path.relative_to(out).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def _metadata(
    catalogue: Catalogue,
    units: pd.DataFrame,
    values: pd.DataFrame,
    geo: dict,
    report: dict,
    version: str,
    fetched_ids: list[str],
    seed: int,
    datasets: list,
) -> dict:
    synthetic_ids = sorted(set(values.loc[values["synthetic"], "indicator"]))
    real_ids = sorted(set(values.loc[~values["synthetic"], "indicator"]) - set(synthetic_ids))
    per_area: dict[str, int] = {}
    official_per_area: dict[str, int] = {}
    for ind in catalogue.indicators:
        per_area[ind.area] = per_area.get(ind.area, 0) + 1
        if ind.id in real_ids:
            official_per_area[ind.area] = official_per_area.get(ind.area, 0) + 1
    present_years = sorted(int(y) for y in values["year"].unique())
    official_years = sorted(int(y) for y in values.loc[~values["synthetic"] & values["value"].notna(), "year"].unique())
    exam = report.get("exam_matching") or {}
    level_of = units.set_index("teryt")["level"]
    real_rows = values[~values["synthetic"] & values["value"].notna()]
    coverage = (real_rows.assign(level=real_rows["teryt"].map(level_of))
                .groupby(["indicator", "level"])["year"].agg(["min", "max", "nunique"]))
    official_coverage = {
        ind: {lvl: {"from": int(r["min"]), "to": int(r["max"]), "years": int(r["nunique"])}
              for (i2, lvl), r in coverage.iterrows() if i2 == ind}
        for ind in real_ids
    }
    dataset_dicts = [d.as_dict() for d in datasets]
    return {
        "version": version,
        "format": RELEASE_FORMAT,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "units": {lvl: int(n) for lvl, n in units["level"].value_counts().items()},
        "indicator_count": len(catalogue.indicators),
        "indicators_per_area": per_area,
        "official_indicators_per_area": official_per_area,
        "years": {"from": present_years[0], "to": present_years[-1], "all": present_years,
                  "official_from": official_years[0] if official_years else None,
                  "official_to": official_years[-1] if official_years else None},
        "synthetic_indicators": synthetic_ids,
        "real_indicators": real_ids,
        "official_coverage": official_coverage,
        "fetched_from_api": fetched_ids,
        "synthetic_seed": seed,
        "missing_shapes": geo.get("missing_shapes", []),
        "geometry": geo.get("layers", {}),
        "geometry_tolerance": geo.get("tolerance"),
        "centroids": geo.get("centroids", {}),
        "peer_groups": register.peer_group_names(catalogue),
        "size_classes": [c.model_dump() for c in catalogue.size_classes],
        "population_year": register.POPULATION_YEAR,
        "new_gminy_population_rule": register.SPLIT_RULE,
        "exam_matching": exam,
        "exam_match_rate": exam.get("summary") if isinstance(exam, dict) else None,
        "build_report": report.get("sources", {}),
        "attribution": ATTRIBUTION,
        "datasets": dataset_dicts,
        "sources": [
            *({"id": d["id"], "name": d["name"], "attribution": d["attribution"]} for d in dataset_dicts),
            {"id": "pkw", "name": "PKW: frekwencja w wyborach 2019–2025 po gminach", "attribution": ATTRIBUTION["PKW"]},
            {"id": "prg", "name": "Granice administracyjne 2019 (PRG), przekodowane na TERYT 2025", "attribution": ATTRIBUTION["GUGiK"]},
        ],
        "demo_source": {"id": "synthetic", "name": "Wartości syntetyczne (generator OMUP, stałe ziarno) – NIE są "
                        "danymi urzędowymi; tylko w trybie demonstracyjnym", "attribution": "OMUP – dane syntetyczne"},
        "licence": LICENCE,
    }


LICENCE = {
    "code": "MIT",
    "data": "Dane urzędowe na warunkach ich źródeł, z podaniem źródła (GUS, MF, PKW, CKE, KG PSP, GUGiK); "
            "zestawienie OMUP: CC BY 4.0. Wartości syntetyczne trybu demonstracyjnego: CC0.",
    "data_en": "Official data on their sources' terms, with attribution (GUS, MF, PKW, CKE, KG PSP, GUGiK); the "
               "OMUP compilation: CC BY 4.0. Synthetic values of the demo mode: CC0.",
}
