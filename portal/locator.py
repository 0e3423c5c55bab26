"""A small locator map of a unit in its województwo (Poland for a województwo), as a static SVG.

The profile's first screen shows where the unit lies without loading plotly.js or the map geometry in the
browser: the release's hashed geometry files are read once per process and level into SVG path strings
(projected, rounded to about 100 m), and each locator is a few of those strings in a viewBox.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import orjson

LAT0 = 52.0  # equirectangular projection at Poland's middle latitude: x = lon·cos(52°), y = −lat
KX = math.cos(math.radians(LAT0))


def _ring(ring: list) -> tuple[str, list[float]]:
    pts = [(round(lon * KX, 3), round(-lat, 3)) for lon, lat in ring]
    d = "M" + "L".join(f"{x:g} {y:g}" for x, y in pts) + "Z"
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return d, [min(xs), min(ys), max(xs), max(ys)]


def _merge(a: list[float] | None, b: list[float]) -> list[float]:
    return b if a is None else [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


@lru_cache(maxsize=6)
def shapes(path: str) -> dict[str, tuple[str, tuple[float, float, float, float]]]:
    """{feature id (TERYT): (SVG path data, bbox)} of one geometry file (outer and inner rings)."""
    data = orjson.loads(Path(path).read_bytes())
    out = {}
    for feature in data["features"]:
        geom = feature.get("geometry") or {}
        polygons = geom.get("coordinates") or []
        if geom.get("type") == "Polygon":
            polygons = [polygons]
        parts, box = [], None
        for polygon in polygons:
            for ring in polygon:
                d, b = _ring(ring)
                parts.append(d)
                box = _merge(box, b)
        if parts and box:
            out[str(feature.get("id") or feature["properties"].get("id"))] = ("".join(parts), tuple(box))
    return out


def _layer(store, level: str) -> dict:
    rel = store.geometry_file(level)
    if rel is None:
        return {}
    root = store.path.parent if store.demo and not (store.path / rel).exists() else store.path
    file = root / rel
    return shapes(str(file)) if file.exists() else {}


def locator_svg(store, teryt: str, title: str = "") -> str | None:
    """The unit (filled) among the powiaty of its województwo, or a województwo among the 16; None without a
    shape (a gmina created after the boundaries were drawn)."""
    level = store.units.at[teryt, "level"]
    own = _layer(store, level).get(teryt)
    if own is None:
        return None
    if level == "wojewodztwo":
        context = _layer(store, "wojewodztwo")
    else:
        context = {c: s for c, s in _layer(store, "powiat").items() if c[:2] == teryt[:2]}
    if not context:
        return None
    box = None
    for _d, b in context.values():
        box = _merge(box, list(b))
    x0, y0, x1, y1 = box
    pad = 0.02 * max(x1 - x0, y1 - y0)
    vb = f"{x0 - pad:g} {y0 - pad:g} {x1 - x0 + 2 * pad:g} {y1 - y0 + 2 * pad:g}"
    stroke = 0.004 * max(x1 - x0, y1 - y0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{vb}" role="img">']
    if title:
        out.append(f"<title>{_escape(title)}</title>")
    out.append(f'<g fill="#e9ecef" stroke="#adb5bd" stroke-width="{stroke:.4f}" stroke-linejoin="round">')
    out += [f'<path d="{d}"/>' for d, _b in context.values()]
    out.append("</g>")
    out.append(f'<path d="{own[0]}" fill="#d7301f" stroke="#7f0000" stroke-width="{1.5 * stroke:.4f}" '
               'fill-rule="evenodd"/>')
    out.append("</svg>")
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["locator_svg", "shapes"]
