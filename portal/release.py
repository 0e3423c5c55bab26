"""Where releases live on disk, how one is swapped in atomically, and what `omup data summary` reports.

Layout under ``Settings.release_dir``::

    current -> releases/<version>          symlink, replaced atomically (os.replace) by each good build
    releases/<version>/metadata.json       version, build time, sources, synthetic/real indicators, missing shapes
    releases/<version>/units.parquet       the 2,875 units of the 2025 division
    releases/<version>/teryt_changes.parquet
    releases/<version>/catalogue.json      the validated catalogue as built
    releases/<version>/values.parquet      indicator × unit × year (value, flag, synthetic, source)
    releases/<version>/unit_stats.parquet  ranks and percentiles per value
    releases/<version>/group_stats.parquet quartiles per (indicator, year, level, scope, group)
    releases/<version>/geo/<level>.<hash>.geojson(.gz, .br)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson

from portal.config import Settings


class NoReleaseError(RuntimeError):
    """No release has been built yet (run `omup data build`)."""


def releases_root(settings: Settings) -> Path:
    return settings.release_path / "releases"


def current_release_path(settings: Settings) -> Path:
    link = settings.release_path / "current"
    if not link.exists():
        raise NoReleaseError(f"no release in {settings.release_path}; run `omup data build`")
    return link.resolve()


def release_path(settings: Settings, version: str | None) -> Path:
    """A release by version (None: the current one). Unknown versions raise NoReleaseError."""
    if version is None:
        return current_release_path(settings)
    if not version.isalnum() or len(version) > 40:
        raise NoReleaseError(f"invalid release version '{version[:40]}'")
    path = releases_root(settings) / version
    if not (path / "metadata.json").exists():
        raise NoReleaseError(f"release {version} is not kept here")
    return path


def read_metadata(path: Path) -> dict:
    return orjson.loads((path / "metadata.json").read_bytes())


def list_releases(settings: Settings) -> list[dict]:
    """Kept releases, newest first: version, built_at, current."""
    root = releases_root(settings)
    if not root.exists():
        return []
    try:
        current = current_release_path(settings).name
    except NoReleaseError:
        current = None
    out = []
    for path in root.iterdir():
        if (path / "metadata.json").exists():
            meta = read_metadata(path)
            out.append({"version": meta["version"], "built_at": meta["built_at"], "current": path.name == current})
    return sorted(out, key=lambda r: r["built_at"], reverse=True)


def swap_in(settings: Settings, tmp_dir: Path, version: str) -> Path:
    """Move a complete build into releases/<version> and point `current` at it, atomically."""
    root = releases_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    final = root / version
    if final.exists():
        # Same content built before: keep the existing copy, drop the new one.
        shutil.rmtree(tmp_dir)
    else:
        os.replace(tmp_dir, final)
    link = settings.release_path / "current"
    tmp_link = settings.release_path / f".current-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("releases") / version, tmp_link)
    os.replace(tmp_link, link)
    _prune(settings, keep=int(settings.keep_releases), current=version)
    return final


def _prune(settings: Settings, keep: int, current: str) -> None:
    kept = list_releases(settings)
    for entry in kept[max(keep, 1):]:
        if entry["version"] != current:
            shutil.rmtree(releases_root(settings) / entry["version"], ignore_errors=True)


def summary(settings: Settings) -> dict:
    """What the current release holds: official indicators (area, levels, years, datasets) and what the demo adds."""
    path = current_release_path(settings)
    meta = read_metadata(path)
    catalogue = orjson.loads((path / "catalogue_all.json").read_bytes()) if (path / "catalogue_all.json").exists() \
        else orjson.loads((path / "catalogue.json").read_bytes())
    by_id = {i["id"]: i for i in catalogue["indicators"]}
    coverage = meta.get("official_coverage", {})
    real = []
    for ind_id in meta["real_indicators"]:
        ind = by_id.get(ind_id, {})
        levels = coverage.get(ind_id, {})
        real.append({
            "id": ind_id,
            "area": ind.get("area"),
            "name": (ind.get("name") or {}).get("pl"),
            "levels": {lvl: [c["from"], c["to"]] for lvl, c in levels.items()},
            "datasets": (ind.get("source") or {}).get("datasets", []),
        })
    per_area: dict[str, int] = {}
    for r in real:
        per_area[r["area"]] = per_area.get(r["area"], 0) + 1
    demo = meta.get("demo_indicators", meta.get("synthetic_indicators", []))
    return {
        "version": meta["version"],
        "built_at": meta["built_at"],
        "units": meta["units"],
        "indicator_count": meta["indicator_count"],
        "years": meta["years"],
        "real_indicator_count": len(real),
        "real_indicators_per_area": dict(sorted(per_area.items())),
        "real_indicators": real,
        "demo_indicator_count": len(demo),
        "demo_indicators": demo,
        "datasets": [{"id": d["id"], "publisher": d["publisher"], "table": d.get("table"), "years": d["years"],
                      "levels": d["levels"]} for d in meta.get("datasets", [])],
        "missing_shapes": meta["missing_shapes"],
        "peer_groups": sorted(meta["peer_groups"]),
        "build_seconds": meta.get("build_seconds"),
    }
