"""Map geometry of the three levels: 2019 shapes under 2025 TERYT codes, coverage-simplified, hashed."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import numpy as np
import orjson
import shapely
from shapely.geometry import mapping, shape

from portal.pipeline.register import NEW_GMINY_2025, RELEASE_TERYT_YEAR, RawInputError, read_gmina_list

BOUNDARIES_DIR = "boundaries-jusuff-2019"
SOURCE_FILES = {
    "gmina": "poland.municipalities.json",
    "powiat": "poland.counties.json",
    "wojewodztwo": "poland.voivodeships.json",
}
CODE_DIGITS = {"gmina": 7, "powiat": 4, "wojewodztwo": 2}
# GEOS coverage simplification is Visvalingam–Whyatt: the tolerance is roughly the square root of the area of
# the triangles removed, not a Douglas–Peucker distance. The source was already thinned by mapshaper, so at
# 0.005 only ~30 of 69,647 vertices go (245 KB brotli, 2% under the 250 KB budget). 0.008 gives 239 KB and
# moves the area of 99% of gminy by under 2.5% (the worst, ~15%, are 4–6-vertex towns such as Puck that the
# source already drew coarsely); 0.01 gives 212 KB but moves 1% of gminy by over 7%.
DEFAULT_TOLERANCE = 0.008
DECIMALS = 4
GRID = 10.0**-DECIMALS
# The counties and voivodeships files are dissolved from the gmina layer upstream; more than this relative
# difference between a county's area and the sum of its gminy means the files do not nest (another year?).
NESTING_TOLERANCE = 0.01


def build_geometry(raw: Path, out_dir: Path, tolerance: float = DEFAULT_TOLERANCE) -> dict:
    """Write out_dir/geo/<level>.<sha256[:12]>.geojson (+ .gz, .br) for gmina, powiat and województwo.

    Gmina shapes of 2019 are re-keyed to the 2025 codes on the 6-digit prefix and simplified as one coverage,
    so neighbours keep sharing their borders; powiaty and województwa are dissolved from that simplified
    coverage, so the three levels nest exactly. Returns
    {"layers": {level: {"path", "features", "bytes", "gzip_bytes", "br_bytes", "sha256", "bbox"}},
     "missing_shapes": [{"teryt", "name", "reason"}], "centroids": {gmina teryt: [lon, lat]}, "tolerance"},
    with paths relative to out_dir.
    """
    raw, out_dir = Path(raw), Path(out_dir)
    folder = raw / BOUNDARIES_DIR
    sources = {level: _read_layer(folder / name, CODE_DIGITS[level]) for level, name in SOURCE_FILES.items()}

    gminy = read_gmina_list(raw, RELEASE_TERYT_YEAR)
    codes, names, missing = _rekey_gminy(sources["gmina"], gminy, folder / SOURCE_FILES["gmina"])
    source_geoms = np.array([f["geometry"] for f in sources["gmina"]], dtype=object)
    if not shapely.coverage_is_valid(source_geoms):
        raise RawInputError(
            f"{folder / SOURCE_FILES['gmina']}: gmina polygons do not form a coverage (overlaps or unmatched "
            "shared edges), so they cannot be simplified together"
        )
    _check_nesting(sources, folder)
    simplified = shapely.coverage_simplify(source_geoms, tolerance)
    on_grid = _snap_round_coverage(simplified, codes, folder / SOURCE_FILES["gmina"])

    layers: dict[str, tuple[list[str], list[str], np.ndarray]] = {"gmina": (codes, names, on_grid)}
    for level in ("powiat", "wojewodztwo"):
        digits = CODE_DIGITS[level]
        upper_names = {f["code"]: f["name"] for f in sources[level]}
        if level == "wojewodztwo":
            upper_names = {k: v.lower() for k, v in upper_names.items()}
        groups: dict[str, list[int]] = {}
        for i, code in enumerate(codes):
            groups.setdefault(code[:digits], []).append(i)
        keys = sorted(groups)
        # Dissolving the final gmina coverage adds no vertex: upper levels stay on the grid and nest exactly.
        dissolved = np.array([shapely.coverage_union_all(on_grid[groups[k]]) for k in keys], dtype=object)
        layers[level] = (keys, [upper_names[k] for k in keys], dissolved)

    out = {"layers": {}, "missing_shapes": missing, "centroids": {}, "tolerance": tolerance}
    (out_dir / "geo").mkdir(parents=True, exist_ok=True)
    for level, (level_codes, level_names, geoms) in layers.items():
        # Grid coordinates printed with 4 decimals (GEOS leaves float noise such as 20.068100000000001);
        # RFC 7946 winding: exteriors counter-clockwise.
        final = shapely.orient_polygons(shapely.transform(geoms, lambda xy: np.round(xy, DECIMALS)))
        order = np.argsort(level_codes, kind="stable")
        features = [
            {
                "type": "Feature",
                "id": level_codes[i],
                "properties": {"id": level_codes[i], "name": level_names[i]},
                "geometry": mapping(final[i]),
            }
            for i in order
        ]
        payload = orjson.dumps({"type": "FeatureCollection", "features": features})
        out["layers"][level] = _write_layer(out_dir, level, payload, len(features), final)
        if level == "gmina":
            centroids = shapely.get_coordinates(shapely.centroid(final)).round(3)
            out["centroids"] = {
                level_codes[i]: [float(centroids[i, 0]), float(centroids[i, 1])] for i in order
            }
    return out


def bounds(layer_path: Path) -> list[float]:
    """[minlon, minlat, maxlon, maxlat] of a written layer (.geojson, .geojson.gz or .geojson.br)."""
    data = Path(layer_path).read_bytes()
    if str(layer_path).endswith(".gz"):
        data = gzip.decompress(data)
    elif str(layer_path).endswith(".br"):
        data = brotli.decompress(data)
    geoms = [shape(f["geometry"]) for f in orjson.loads(data)["features"]]
    return [round(float(v), DECIMALS) for v in shapely.total_bounds(geoms)]


def _read_layer(path: Path, digits: int) -> list[dict]:
    """One boundary file as [{code, name, geometry}], or RawInputError naming the file and the feature."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise RawInputError(f"{path}: not valid JSON (truncated or corrupt file?): {exc}") from exc
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise RawInputError(f"{path}: not a GeoJSON FeatureCollection with a 'features' list")
    if not doc["features"]:
        raise RawInputError(f"{path}: the FeatureCollection has no features")
    pattern = re.compile(rf"\d{{{digits}}}")
    seen: dict[str, int] = {}
    out = []
    for n, feature in enumerate(doc["features"]):
        where = f"{path}: feature {n}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or "terc" not in props:
            raise RawInputError(f"{where}: no 'terc' property")
        code = props["terc"]
        if not isinstance(code, str) or not pattern.fullmatch(code):
            raise RawInputError(f"{where}: 'terc' {code!r} is not a {digits}-digit TERYT code")
        if code in seen:
            raise RawInputError(f"{where}: duplicate 'terc' {code} (also feature {seen[code]})")
        seen[code] = n
        name = props.get("name")
        if not isinstance(name, str) or not name.strip():
            raise RawInputError(f"{where} ({code}): no 'name' property")
        raw_geom = feature.get("geometry")
        if not raw_geom:
            raise RawInputError(f"{where} ({code}): empty geometry")
        try:
            geom = shape(raw_geom)
        except Exception as exc:
            raise RawInputError(f"{where} ({code}): geometry cannot be read ({exc})") from exc
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise RawInputError(f"{where} ({code}): geometry is a {geom.geom_type}, not a (Multi)Polygon")
        if geom.is_empty or geom.area == 0:
            raise RawInputError(f"{where} ({code}): empty geometry")
        if not geom.is_valid:
            raise RawInputError(f"{where} ({code}): invalid geometry ({shapely.is_valid_reason(geom)})")
        out.append({"code": code, "name": name.strip(), "geometry": geom})
    return out


def _rekey_gminy(features: list[dict], gminy, path: Path) -> tuple[list[str], list[str], list[dict]]:
    """2025 codes and names of the 2019 shapes (joined on WOJ+POW+GMI) and the 2025 gminy left without one."""
    by_prefix = dict(
        zip(gminy["teryt"].str[:6], zip(gminy["teryt"], gminy["name"], strict=True), strict=True)
    )
    if len(by_prefix) != len(gminy):
        raise RawInputError(f"gmina list {RELEASE_TERYT_YEAR}: two gminy share a 6-digit TERYT prefix")
    codes, names = [], []
    for f in features:
        match = by_prefix.get(f["code"][:6])
        if match is None:
            raise RawInputError(
                f"{path}: gmina {f['code']} ({f['name']}) has no gmina in the {RELEASE_TERYT_YEAR} list"
            )
        codes.append(match[0])
        names.append(match[1])
    shaped = set(codes)
    all_names = dict(zip(gminy["teryt"], gminy["name"], strict=True))
    missing = []
    for code, name in zip(gminy["teryt"], gminy["name"], strict=True):
        if code in shaped:
            continue
        parent = NEW_GMINY_2025.get(code)
        if parent is not None:
            reason = (
                f"created on 1 January {RELEASE_TERYT_YEAR} from gmina {all_names.get(parent, parent)} "
                f"({parent}); the 2019 boundaries still draw it inside its parent"
            )
        else:
            reason = f"no shape with this WOJ+POW+GMI prefix in the 2019 boundaries ({path.name})"
        missing.append({"teryt": code, "name": name, "reason": reason})
    return codes, names, sorted(missing, key=lambda m: m["teryt"])


def _check_nesting(sources: dict[str, list[dict]], folder: Path) -> None:
    """The upper levels must be the gmina layer dissolved: same codes and areas (within NESTING_TOLERANCE)."""
    gmina_areas = shapely.area([f["geometry"] for f in sources["gmina"]])
    for level in ("powiat", "wojewodztwo"):
        path = folder / SOURCE_FILES[level]
        digits = CODE_DIGITS[level]
        summed: dict[str, float] = {}
        for f, area in zip(sources["gmina"], gmina_areas, strict=True):
            summed[f["code"][:digits]] = summed.get(f["code"][:digits], 0.0) + float(area)
        codes = {f["code"] for f in sources[level]}
        if codes != set(summed):
            extra, lacking = sorted(codes - set(summed)), sorted(set(summed) - codes)
            raise RawInputError(
                f"{path}: codes do not match the gmina layer "
                f"(without gminy: {extra[:5]}, absent: {lacking[:5]})"
            )
        for f in sources[level]:
            expected = summed[f["code"]]
            if abs(f["geometry"].area - expected) > NESTING_TOLERANCE * expected:
                raise RawInputError(
                    f"{path}: {f['code']} ({f['name']}) does not match the union of its gminy "
                    f"(area {f['geometry'].area:.5f} vs {expected:.5f} deg²); the files do not nest"
                )


def _snap_round_coverage(geoms: np.ndarray, codes: list[str], path: Path) -> np.ndarray:
    """The coverage with every vertex on the 4-decimal grid, still a valid coverage.

    Rounding each polygon on its own keeps shared borders identical, but where two vertices of a border lie
    closer than the grid it can make a polygon cross itself (1016042 Czerniewice does), and fixing that one
    polygon would part it from its neighbours. Instead the linework of the whole layer is snap-rounded and
    noded at once, cut into faces, and each face given back to the gmina it overlaps most; a face that
    overlaps none (outside the country, or a real hole) is left out.
    """
    lines = shapely.union_all(shapely.boundary(geoms), grid_size=GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    face_idx, geom_idx = shapely.STRtree(geoms).query(faces, predicate="intersects")
    overlap = shapely.area(shapely.intersection(faces[face_idx], geoms[geom_idx]))
    owner = np.full(len(faces), -1)
    best = np.zeros(len(faces))
    for f, g, a in zip(face_idx, geom_idx, overlap, strict=True):
        if a > best[f]:
            owner[f], best[f] = g, a
    out = np.empty(len(geoms), dtype=object)
    for i in range(len(geoms)):
        mine = faces[owner == i]
        merged = shapely.coverage_union_all(mine) if len(mine) else None
        if merged is None or merged.is_empty or not merged.is_valid:
            raise RawInputError(
                f"{path}: gmina {codes[i]} has no valid polygon left on the {DECIMALS}-decimal grid"
            )
        out[i] = merged
    return out


def _write_layer(out_dir: Path, level: str, payload: bytes, n_features: int, geoms: np.ndarray) -> dict:
    digest = hashlib.sha256(payload).hexdigest()
    rel = f"geo/{level}.{digest[:12]}.geojson"
    gz = gzip.compress(payload, compresslevel=9, mtime=0)
    br = brotli.compress(payload, quality=11)
    for suffix, data in (("", payload), (".gz", gz), (".br", br)):
        _write_atomic(out_dir / (rel + suffix), data)
    return {
        "path": rel,
        "features": n_features,
        "bytes": len(payload),
        "gzip_bytes": len(gz),
        "br_bytes": len(br),
        "sha256": digest,
        "bbox": [round(float(v), DECIMALS) for v in shapely.total_bounds(geoms)],
    }


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
