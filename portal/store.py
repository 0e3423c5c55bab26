"""Read-only access to one release, loaded once per process; every lookup is a dict or array index.

Values are held as cubes per (indicator, level): units × years for value, flag, ranks and percentiles, so
the map, ranking and profile lookups never scan the long table. The cubes are read with pread from the
release's files (portal/cubes.py): a unit's series or one indicator-year is one read each, and the data
stay in the OS page cache instead of being mapped into every worker.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from portal.catalogue import Catalogue, Indicator
from portal.config import Settings
from portal.pipeline import FLAGS
from portal.pipeline.register import fold
from portal.release import NoReleaseError, read_metadata, release_path

LEVEL_OF_LEN = {2: "wojewodztwo", 4: "powiat", 7: "gmina"}


@dataclass(frozen=True)
class Slice:
    """One indicator, one year, one level: parallel arrays over the level's units (sorted by TERYT)."""

    indicator: Indicator
    year: int
    level: str
    codes: np.ndarray  # str
    value: np.ndarray  # float64, NaN where missing
    flag: np.ndarray  # object (flag names)
    synthetic: np.ndarray  # bool
    rank_pl: np.ndarray  # float (NaN where missing), 1 = best
    pct_pl: np.ndarray  # 0–100 share of units with a lower value
    rank_peer: np.ndarray
    n_peer: np.ndarray
    pct_peer: np.ndarray
    n_pl: int
    numerator: np.ndarray | None = None  # float64, NaN where unknown (value = multiplier × num / den)
    denominator: np.ndarray | None = None

    def frame(self, units: pd.DataFrame) -> pd.DataFrame:
        df = pd.DataFrame(
            {
                "teryt": self.codes,
                "value": self.value,
                "flag": self.flag,
                "synthetic": self.synthetic,
                "rank_pl": self.rank_pl,
                "pct_pl": self.pct_pl,
                "rank_peer": self.rank_peer,
                "n_peer": self.n_peer,
                "pct_peer": self.pct_peer,
            }
        )
        u = units.loc[self.codes, ["name", "display_name", "kind", "peer_group", "powiat", "wojewodztwo"]]
        return pd.concat([df.reset_index(drop=True), u.reset_index(drop=True)], axis=1)


class _Cube:
    """Where one (indicator, level) sits in the level's cubes: its row k and its years' columns."""

    __slots__ = ("k", "level", "years")

    def __init__(self, level: str, k: int, years: dict[int, int]) -> None:
        self.level, self.k, self.years = level, k, years


class Store:
    """One release in memory. Build with ``Store.load(settings)``; never mutated afterwards."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta = read_metadata(path)
        self.version: str = self.meta["version"]
        # "official" (official values only, served by default) or "demo" (official plus synthetic values).
        self.edition: str = self.meta.get("edition", "official")
        self.demo: bool = self.edition == "demo"
        # Caches key on this, never on the version alone: both editions of a release share its version.
        self.cache_key: str = self.version + (":demo" if self.demo else "")
        self.catalogue = Catalogue.model_validate(orjson.loads((path / "catalogue.json").read_bytes()))
        root = path.parent if self.demo else path
        full = root / "catalogue_all.json"
        # Every indicator of the catalogue, also those the edition has no values for (to say what would fill them).
        self.full_catalogue = (Catalogue.model_validate(orjson.loads(full.read_bytes())) if full.exists()
                               else self.catalogue)
        units = pd.read_parquet(path / "units.parquet")
        self.units = units.set_index("teryt", drop=False)
        self.changes = pd.read_parquet(path / "teryt_changes.parquet")
        self._codes = {lvl: np.sort(units.loc[units["level"] == lvl, "teryt"].to_numpy(str)) for lvl in LEVEL_OF_LEN.values()}
        self._pos = {lvl: {c: i for i, c in enumerate(codes)} for lvl, codes in self._codes.items()}
        self._load_values(path)
        self._load_groups(path)
        self._old_to_new = dict(zip(self.changes["old_teryt"], self.changes["new_teryt"], strict=False))
        # Split parents map to themselves (the parent still exists).
        for row in self.changes[self.changes["change"] == "split"].itertuples():
            self._old_to_new[row.old_teryt] = row.old_teryt
        self._prefix = {c[:6]: c for c in self._codes["gmina"]}
        self._peer_of = dict(zip(units["teryt"], units["peer_group"], strict=True))
        self._search = [
            (fold(r.name), fold(r.display_name), r.teryt, r.level) for r in units.itertuples()
        ]

    # ------------------------------------------------------------------ loading
    def _load_values(self, path: Path) -> None:
        """Open the value cubes written by the build (read with pread; see portal/cubes.py), or build them in
        memory for a release without them."""
        from portal import cubes

        if (path / "cubes" / "index.json").exists():
            self._reader, index = cubes.open_cubes(path)
        else:
            values = pd.read_parquet(path / "values.parquet")
            ustats = pd.read_parquet(path / "unit_stats.parquet")
            arrays, index = cubes.build_cubes(values, ustats, self.units.reset_index(drop=True))
            self._reader = cubes.ArrayReader(arrays, index)
        self._cubes: dict[tuple[str, str], _Cube] = {}
        self._years: dict[tuple[str, str], list[int]] = {}
        for level, idx in index.items():
            if list(idx["codes"]) != self._codes[level].tolist():
                raise ValueError(f"{path}: cube codes for {level} do not match the unit register")
            col = {y: j for j, y in enumerate(idx["years"])}
            for k, ind in enumerate(idx["indicators"]):
                present = [int(y) for y in idx["present"][ind]]
                self._cubes[(ind, level)] = _Cube(level, k, {y: col[y] for y in present})
                self._years[(ind, level)] = present
        self._flag_names = np.array((*FLAGS, "no_data"), dtype=object)  # index -1 → no_data
        self._synthetic_ids = frozenset(self.meta.get("synthetic_indicators", []))

    def _load_groups(self, path: Path) -> None:
        g = pd.read_parquet(path / "group_stats.parquet")
        cols = ["n", "min", "q1", "median", "q3", "max", "mean"]
        arr = g[cols].to_numpy(float)
        keys = zip(g["indicator"], g["year"].astype(int), g["level"], g["scope"], g["group"], strict=True)
        self._group_rows = {k: i for i, k in enumerate(keys)}
        self._group_arr = arr
        self._group_cols = cols

    @classmethod
    def load(cls, settings: Settings, version: str | None = None) -> Store:
        return cls(release_path(settings, version))

    # ------------------------------------------------------------------ units
    def unit(self, teryt: str) -> dict | None:
        if teryt not in self.units.index:
            return None
        row = self.units.loc[teryt]
        out = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.to_dict().items()}
        out["peer_group_name"] = self.meta["peer_groups"].get(out["peer_group"], {})
        out["has_shape"] = bool(out["has_shape"])
        out["mnpp"] = bool(out["mnpp"])
        return out

    def level_codes(self, level: str) -> np.ndarray:
        return self._codes[level]

    def resolve(self, code: str) -> tuple[str | None, bool]:
        """Today's TERYT for a code as typed: exact, an old 7-digit code, or a 6-digit gmina prefix.

        Returns (teryt or None, changed) where changed says the code was not today's exact code.
        """
        code = (code or "").strip().replace("_", "")
        if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{7}", code):
            return None, False
        if code in self.units.index:
            return code, False
        if len(code) == 7 and code in self._old_to_new:
            return self._old_to_new[code], True
        if len(code) in (6, 7) and code[:6] in self._prefix:
            return self._prefix[code[:6]], True
        return None, False

    def search(self, query: str, limit: int = 10, level: str | None = None) -> list[dict]:
        """Units whose name starts with (then contains) the query, ignoring case and Polish diacritics."""
        q = fold(query or "").strip()
        if not q:
            return []
        if q.isdigit():
            hits = [(0, len(t), t) for _, _, t, lvl in self._search if t.startswith(q) and (level in (None, lvl))]
        else:
            hits = []
            for name, disp, t, lvl in self._search:
                if level is not None and lvl != level:
                    continue
                if name == q:
                    score = 0
                elif name.startswith(q):
                    score = 1
                elif f" {q}" in f" {name}" or q in disp:
                    score = 2
                else:
                    continue
                hits.append((score, {"gmina": 0, "powiat": 1, "wojewodztwo": 2}[lvl], t))
        hits.sort(key=lambda h: (h[0], h[1], -(self.units.at[h[2], "population"] or 0)))
        out = []
        for _, _, t in hits[:limit]:
            row = self.units.loc[t]
            out.append({"teryt": t, "name": row["name"], "display_name": row["display_name"], "level": row["level"],
                        "kind": row["kind"], "powiat": row["powiat"], "wojewodztwo": row["wojewodztwo"]})
        return out

    def context_line(self, teryt: str, lang: str = "pl") -> str:
        """'gmina miejsko-wiejska, pow. wadowicki, woj. małopolskie' – tells same-named units apart."""
        u = self.units.loc[teryt]
        kinds = {
            "pl": {"miejska": "gmina miejska", "wiejska": "gmina wiejska", "miejsko-wiejska": "gmina miejsko-wiejska",
                   "mnpp": "miasto na prawach powiatu", "powiat": "powiat", "wojewodztwo": "województwo"},
            "en": {"miejska": "urban gmina", "wiejska": "rural gmina", "miejsko-wiejska": "urban-rural gmina",
                   "mnpp": "city with county rights", "powiat": "county", "wojewodztwo": "voivodeship"},
        }[lang if lang == "en" else "pl"]
        if u["mnpp"] or u["kind"] == "mnpp":
            # A city with powiat rights is both a gmina and a powiat of the same name: say which one.
            level_word = {"pl": {"gmina": "gmina", "powiat": "powiat"},
                          "en": {"gmina": "gmina", "powiat": "county"}}[lang if lang == "en" else "pl"]
            parts = [f"{level_word.get(u['level'], u['level'])} – {kinds['mnpp']}"]
        else:
            parts = [kinds[u["kind"]]]
        if u["level"] == "gmina" and not u["mnpp"]:
            parts.append("pow. " + self.units.at[u["powiat"], "name"].replace("powiat ", ""))
        if u["level"] != "wojewodztwo":
            parts.append("woj. " + self.units.at[u["wojewodztwo"], "name"].replace("województwo ", ""))
        return ", ".join(parts)

    # ------------------------------------------------------------------ indicators and values
    def indicator(self, indicator_id: str) -> Indicator | None:
        return self.catalogue.by_id.get(indicator_id)

    def is_synthetic(self, indicator_id: str) -> bool:
        return indicator_id in self._synthetic_ids

    @cached_property
    def synthetic_ids(self) -> frozenset[str]:
        return self._synthetic_ids

    def years(self, indicator_id: str, level: str) -> list[int]:
        return self._years.get((indicator_id, level), [])

    def latest_year(self, indicator_id: str, level: str) -> int | None:
        years = self.years(indicator_id, level)
        return years[-1] if years else None

    def slice(self, indicator_id: str, year: int, level: str) -> Slice | None:
        cube = self._cubes.get((indicator_id, level))
        if cube is None or year not in cube.years:
            return None
        j = cube.years[year]
        g = self._group_rows.get((indicator_id, year, level, "national", "PL"))
        n_pl = int(self._group_arr[g, 0]) if g is not None else 0
        col = functools.partial(self._reader.column, level, k=cube.k, j=j)
        return Slice(
            indicator=self.catalogue.by_id[indicator_id],
            year=year,
            level=level,
            codes=self._codes[level],
            value=col("value"),
            flag=self._flag_names[col("flag")],
            synthetic=col("synthetic"),
            rank_pl=col("rank_pl"),
            pct_pl=col("pct_pl"),
            rank_peer=col("rank_peer"),
            n_peer=col("n_peer"),
            pct_peer=col("pct_peer"),
            n_pl=n_pl,
            numerator=col("numerator"),
            denominator=col("denominator"),
        )

    def series(self, indicator_id: str, teryt: str) -> list[dict]:
        """The unit's value for every year of the indicator: [{year, value, flag, synthetic}]."""
        level = LEVEL_OF_LEN.get(len(teryt))
        cube = self._cubes.get((indicator_id, level))
        if cube is None or teryt not in self._pos[level]:
            return []
        i = self._pos[level][teryt]
        row = functools.partial(self._reader.series, level, k=cube.k, i=i)
        value, flag, synthetic, num, den = (row(f) for f in ("value", "flag", "synthetic", "numerator", "denominator"))
        return [
            {"year": y, "value": _num(value[j]), "flag": str(self._flag_names[flag[j]]),
             "synthetic": bool(synthetic[j]), "numerator": _num(num[j]), "denominator": _num(den[j])}
            for y, j in cube.years.items()
        ]

    def point(self, indicator_id: str, teryt: str, year: int) -> dict | None:
        """One unit's value with its position in Poland and among peers."""
        level = LEVEL_OF_LEN.get(len(teryt))
        cube = self._cubes.get((indicator_id, level))
        if cube is None or year not in cube.years or teryt not in self._pos[level]:
            return None
        i, j = self._pos[level][teryt], cube.years[year]
        cell = functools.partial(self._reader.cell, level, k=cube.k, i=i, j=j)
        peer = self._peer_of[teryt]
        return {
            "indicator": indicator_id,
            "teryt": teryt,
            "year": year,
            "value": _num(cell("value")),
            "flag": str(self._flag_names[cell("flag")]),
            "synthetic": bool(cell("synthetic")),
            "rank_pl": _int(cell("rank_pl")),
            "pct_pl": _num(cell("pct_pl")),
            "rank_peer": _int(cell("rank_peer")),
            "n_peer": int(cell("n_peer")),
            "pct_peer": _num(cell("pct_peer")),
            "numerator": _num(cell("numerator")),
            "denominator": _num(cell("denominator")),
            "peer_group": peer,
            "peer": self.group(indicator_id, year, level, "peer", peer),
            "national": self.group(indicator_id, year, level, "national", "PL"),
            "wojewodztwo": self.group(indicator_id, year, level, "wojewodztwo", teryt[:2]) if level != "wojewodztwo" else None,
        }

    def group(self, indicator_id: str, year: int, level: str, scope: str, group: str) -> dict | None:
        i = self._group_rows.get((indicator_id, year, level, scope, group))
        if i is None:
            return None
        row = self._group_arr[i]
        out = {c: _num(v) for c, v in zip(self._group_cols, row, strict=True)}
        out["n"] = int(row[0])
        return out

    def peers(self, teryt: str) -> np.ndarray:
        """Codes of the unit's peer group at its level (itself included)."""
        u = self.units.loc[teryt]
        return self._peer_members[(u["level"], u["peer_group"])]

    @cached_property
    def _peer_members(self) -> dict[tuple[str, str], np.ndarray]:
        return {k: np.sort(g["teryt"].to_numpy(str)) for k, g in self.units.groupby(["level", "peer_group"])}

    def peer_group_name(self, group: str, lang: str = "pl") -> str:
        names = self.meta["peer_groups"].get(group)
        return names.get(lang if lang == "en" else "pl", group) if names else group

    def geometry_file(self, level: str) -> str | None:
        layer = self.meta.get("geometry", {}).get(level)
        return layer["path"] if layer else None


def _num(v: float) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _int(v: float) -> int | None:
    return None if v is None or not np.isfinite(v) else int(v)


_lock = threading.Lock()
_loaded: dict[tuple[str, str], Store] = {}
_settings_cache: list[Settings] = []


def demo_requested() -> bool:
    """Whether the current request asked for the demo edition (`demo=1`, see portal/web.py)."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover
        return False
    return bool(has_request_context() and g.get("omup_demo"))


def pinned_version() -> str | None:
    """The data version a request is pinned to (`v=` in a shared link), if any; see portal/web.py."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover
        return None
    if has_request_context():
        return g.get("omup_version")
    return None


def current_version(settings: Settings | None = None) -> str:
    """The version `current` points at, whatever the request is pinned to."""
    settings = settings or _default_settings()
    return os.readlink(settings.release_path / "current").rsplit("/", 1)[-1]


def _default_settings() -> Settings:
    """The serving app's settings inside a request, else the environment's (read once)."""
    from flask import current_app, has_app_context

    if has_app_context():
        app_settings = current_app.config.get("OMUP_SETTINGS")
        if app_settings is not None:
            return app_settings
    if not _settings_cache:
        _settings_cache.append(Settings.from_env())
    return _settings_cache[0]


def get_store(settings: Settings | None = None, version: str | None = None, demo: bool | None = None) -> Store:
    """The store for a release (current by default) and edition, loaded once per process, version and edition.

    The official edition (official values only) unless the request asked for the demo (or ``demo=True``).
    A new `current` release (a build swapped in while serving) is picked up on the next call after its
    symlink changes; older stores stay loaded for pinned links (at most `keep_releases`).
    """
    settings = settings or _default_settings()
    if demo is None:
        demo = demo_requested()
    edition = "demo" if demo else "official"
    if version is None:
        version = pinned_version()
    if version is None:
        # One readlink per call (not a full path resolve): a new `current` is picked up on the next request.
        try:
            name = os.readlink(settings.release_path / "current").rsplit("/", 1)[-1]
        except OSError as exc:
            raise NoReleaseError(f"no release in {settings.release_path}; run `omup data build`") from exc
        key = (str(settings.release_path), name, edition)
        store = _loaded.get(key)
        if store is not None:
            return store
    path = release_path(settings, version)
    key = (str(settings.release_path), path.name, edition)
    store = _loaded.get(key)
    if store is None:
        with _lock:
            store = _loaded.get(key)
            if store is None:
                edition_path = path / "demo" if demo and (path / "demo" / "metadata.json").exists() else path
                store = Store(edition_path)
                _loaded[key] = store
                # Forget releases that are no longer kept (two editions each).
                keep = 2 * (int(settings.keep_releases) + 1)
                for old in list(_loaded)[:-keep]:
                    _loaded.pop(old, None)
    return store


__all__ = ["NoReleaseError", "Slice", "Store", "demo_requested", "get_store"]
