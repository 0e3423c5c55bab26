"""The geometry build on the real boundaries: counts, codes, budget, hashing, rounding, topology, errors."""

from __future__ import annotations

import gzip
import hashlib
import random
import re
from pathlib import Path

import brotli
import numpy as np
import orjson
import pytest
import shapely
from shapely.geometry import shape

from portal.config import Settings
from portal.pipeline.geometry import BOUNDARIES_DIR, SOURCE_FILES, bounds, build_geometry
from portal.pipeline.register import RawInputError, read_gmina_list

RAW = Settings.from_env().raw_path
GMINA_BR_BUDGET = 250_000


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("release")
    return out, build_geometry(RAW, out)


def _layer(built, level: str) -> tuple[bytes, dict]:
    out, result = built
    data = (out / result["layers"][level]["path"]).read_bytes()
    return data, orjson.loads(data)


def _geoms(doc: dict) -> dict[str, shapely.Geometry]:
    return {f["id"]: shape(f["geometry"]) for f in doc["features"]}


def test_feature_counts_and_2025_codes(built):
    _, result = built
    layers = result["layers"]
    assert {k: v["features"] for k, v in layers.items()} == {"gmina": 2477, "powiat": 380, "wojewodztwo": 16}
    _, doc = _layer(built, "gmina")
    codes = [f["id"] for f in doc["features"]]
    assert len(set(codes)) == 2477
    codes_2025 = set(read_gmina_list(RAW, 2025)["teryt"])
    assert set(codes) <= codes_2025
    assert set(codes) == codes_2025 - {"1207132", "2002162"}
    # A 2019 code whose type digit changed since (village -> town) appears under its 2025 code only.
    assert set(result["centroids"]) == set(codes)
    for level, digits in (("powiat", 4), ("wojewodztwo", 2)):
        _, upper = _layer(built, level)
        assert {f["id"] for f in upper["features"]} == {c[:digits] for c in codes}


def test_missing_shapes_are_the_new_2025_gminy(built):
    _, result = built
    missing = result["missing_shapes"]
    assert [m["teryt"] for m in missing] == ["1207132", "2002162"]
    assert [m["name"] for m in missing] == ["Szczawa", "Grabówka"]
    assert "Kamienica" in missing[0]["reason"]
    assert "Supraśl" in missing[1]["reason"]


def test_gmina_layer_within_budget(built):
    _, result = built
    assert result["layers"]["gmina"]["br_bytes"] <= GMINA_BR_BUDGET
    assert result["tolerance"] > 0


def test_files_are_content_hashed_and_siblings_match(built):
    out, result = built
    for level, info in result["layers"].items():
        assert re.fullmatch(rf"geo/{level}\.[0-9a-f]{{12}}\.geojson", info["path"])
        data = (out / info["path"]).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        assert info["path"] == f"geo/{level}.{digest[:12]}.geojson"
        assert info["sha256"] == digest
        gz = (out / (info["path"] + ".gz")).read_bytes()
        br = (out / (info["path"] + ".br")).read_bytes()
        assert gzip.decompress(gz) == data
        assert brotli.decompress(br) == data
        assert (info["bytes"], info["gzip_bytes"], info["br_bytes"]) == (len(data), len(gz), len(br))


def test_compact_json_rounded_coordinates_and_minimal_properties(built):
    for level in ("gmina", "powiat", "wojewodztwo"):
        data, doc = _layer(built, level)
        assert b", " not in data and b": " not in data
        # Names and codes hold no decimal numbers, so every match is a coordinate.
        assert re.search(rb"\d\.\d{5,}", data) is None
        for f in doc["features"]:
            assert set(f["properties"]) == {"id", "name"}
            assert f["id"] == f["properties"]["id"]
            assert f["properties"]["name"]
            g = shape(f["geometry"])
            assert g.geom_type in ("Polygon", "MultiPolygon")
            assert g.is_valid and not g.is_empty, f["id"]
    _, doc = _layer(built, "gmina")
    names = {f["id"]: f["properties"]["name"] for f in doc["features"]}
    assert names["1465011"] == "Warszawa"
    _, woj = _layer(built, "wojewodztwo")
    assert {f["id"]: f["properties"]["name"] for f in woj["features"]}["02"] == "dolnośląskie"


def _holes(geom: shapely.Geometry) -> int:
    return sum(len(part.interiors) for part in shapely.get_parts(geom))


def test_topology_kept_no_gaps_no_overlaps(built):
    _, doc = _layer(built, "gmina")
    geoms = np.array(list(_geoms(doc).values()), dtype=object)
    # Shared edges are vertex-for-vertex the same in both neighbours, which is what a coverage is.
    assert shapely.coverage_is_valid(geoms)
    union = shapely.coverage_union_all(geoms)
    total = shapely.area(geoms).sum()
    assert union.area == pytest.approx(total, rel=0.005)
    source = RAW / BOUNDARIES_DIR / SOURCE_FILES["gmina"]
    source_geoms = [shape(f["geometry"]) for f in orjson.loads(source.read_bytes())["features"]]
    source_union = shapely.coverage_union_all(source_geoms)
    # No slivers opened between neighbours: the union has as many holes as the source's.
    assert _holes(union) == _holes(source_union)
    assert union.area == pytest.approx(source_union.area, rel=0.01)


def test_neighbours_share_borders(built):
    _, doc = _layer(built, "gmina")
    geoms = _geoms(doc)
    codes = list(geoms)
    tree = shapely.STRtree([geoms[c] for c in codes])
    rng = random.Random(2025)
    for code in rng.sample(codes, 50):
        g = geoms[code]
        neighbours = [codes[j] for j in tree.query(g, predicate="touches")]
        assert neighbours, code
        shared = max(g.boundary.intersection(geoms[n].boundary).length for n in neighbours)
        assert shared > 0, code
        for n in neighbours:
            assert g.intersection(geoms[n]).area < 1e-9, (code, n)


def test_levels_nest(built):
    gminy = _geoms(_layer(built, "gmina")[1])
    powiaty = _geoms(_layer(built, "powiat")[1])
    wojewodztwa = _geoms(_layer(built, "wojewodztwo")[1])
    checks = [(powiaty, c) for c in ("0201", "1207", "1465", "2002", "3064")] + [
        (wojewodztwa, c) for c in wojewodztwa
    ]
    for upper, code in checks:
        dissolved = shapely.coverage_union_all([g for c, g in gminy.items() if c.startswith(code)])
        assert dissolved.symmetric_difference(upper[code]).area < 1e-6 * upper[code].area, code


def test_bbox_and_centroids(built):
    out, result = built
    for info in result["layers"].values():
        minx, miny, maxx, maxy = info["bbox"]
        assert 14.0 < minx < 14.2 and 48.9 < miny < 49.1 and 24.0 < maxx < 24.2 and 54.8 < maxy < 54.9
        assert bounds(out / info["path"]) == info["bbox"]
    lon, lat = result["centroids"]["1465011"]
    assert (lon, lat) == (round(lon, 3), round(lat, 3))
    assert 20.9 < lon < 21.1 and 52.1 < lat < 52.35


# ---- bad input -------------------------------------------------------------------------------------------


def _raw_copy(tmp_path: Path, replace: dict[str, bytes] | None = None, drop: str | None = None) -> Path:
    """A raw folder of symlinks to the real inputs, with some boundary files replaced or removed."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for child in RAW.iterdir():
        if child.name != BOUNDARIES_DIR:
            (raw / child.name).symlink_to(child)
    folder = raw / BOUNDARIES_DIR
    folder.mkdir()
    for name in SOURCE_FILES.values():
        if name == drop:
            continue
        if replace and name in replace:
            (folder / name).write_bytes(replace[name])
        else:
            (folder / name).symlink_to(RAW / BOUNDARIES_DIR / name)
    return raw


def _edited_gminy(edit) -> bytes:
    doc = orjson.loads((RAW / BOUNDARIES_DIR / SOURCE_FILES["gmina"]).read_bytes())
    edit(doc["features"])
    return orjson.dumps(doc)


@pytest.mark.parametrize("name", list(SOURCE_FILES.values()))
def test_truncated_geojson_raises(tmp_path, name):
    data = (RAW / BOUNDARIES_DIR / name).read_bytes()
    raw = _raw_copy(tmp_path, replace={name: data[: len(data) // 2]})
    with pytest.raises(RawInputError, match=re.escape(name)):
        build_geometry(raw, tmp_path / "out")


def test_missing_file_raises(tmp_path):
    raw = _raw_copy(tmp_path, drop=SOURCE_FILES["powiat"])
    with pytest.raises(RawInputError, match=r"poland\.counties\.json: missing"):
        build_geometry(raw, tmp_path / "out")


def test_feature_without_terc_raises(tmp_path):
    def edit(features):
        del features[10]["properties"]["terc"]

    raw = _raw_copy(tmp_path, replace={SOURCE_FILES["gmina"]: _edited_gminy(edit)})
    with pytest.raises(RawInputError, match=r"poland\.municipalities\.json: feature 10: no 'terc'"):
        build_geometry(raw, tmp_path / "out")


def test_duplicate_code_raises(tmp_path):
    def edit(features):
        features[5]["properties"]["terc"] = features[4]["properties"]["terc"]

    raw = _raw_copy(tmp_path, replace={SOURCE_FILES["gmina"]: _edited_gminy(edit)})
    with pytest.raises(RawInputError, match=r"municipalities\.json: feature 5: duplicate 'terc'"):
        build_geometry(raw, tmp_path / "out")


@pytest.mark.parametrize("geometry", [None, {"type": "Polygon", "coordinates": []}])
def test_empty_geometry_raises(tmp_path, geometry):
    def edit(features):
        features[7]["geometry"] = geometry

    raw = _raw_copy(tmp_path, replace={SOURCE_FILES["gmina"]: _edited_gminy(edit)})
    with pytest.raises(RawInputError, match=r"municipalities\.json: feature 7 \(\d{7}\): empty geometry"):
        build_geometry(raw, tmp_path / "out")
