"""PNG and SVG export of a chart with its title, unit, year and source drawn into the image.

Choice: the image is made in the reader's browser by plotly.js (``Plotly.downloadImage``) from an *export
figure*: the same figure the page or embed shows (one builder in portal/figures.py), with the title,
subtitle and source line added as layout text. Server-side export (kaleido) would need a Chrome per worker
and, for maps, the geometry fetched from this server inside the renderer; the browser already has both.
The embed pages carry the export figure and PNG/SVG buttons; the share dialog links to them with
``obraz=png|svg``, which downloads the image as soon as the chart is drawn.
"""

from __future__ import annotations

import copy

EXPORT_SIZE = {"mapa": (1000, 900), "ranking": (1000, 700), "trend": (1000, 620)}
FORMATS = ("png", "svg")


def export_figure(figure: dict, *, title: str, subtitle: str, source: str, kind: str = "mapa") -> dict:
    """A copy of ``figure`` with the title and subtitle on top and the source line at the bottom."""
    fig = copy.deepcopy(figure)
    layout = fig.setdefault("layout", {})
    width, height = EXPORT_SIZE.get(kind, (1000, 700))
    margin = dict(layout.get("margin") or {})
    top = int(margin.get("t", 10))
    margin.update({"t": top + 78, "b": int(margin.get("b", 10)) + 46, "l": max(int(margin.get("l", 0)), 16),
                   "r": max(int(margin.get("r", 0)), 16)})
    layout.update({
        "width": width, "height": height, "margin": margin, "paper_bgcolor": "white",
        "title": {"text": f"<b>{title}</b><br><span style='font-size:13px;color:#555'>{subtitle}</span>",
                  "x": 0.01, "xanchor": "left", "y": 0.985, "yanchor": "top", "font": {"size": 19}},
    })
    annotations = []
    for a in layout.get("annotations") or []:
        a = dict(a)
        if a.get("yref") == "paper" and a.get("y") == 1.0 and a.get("yanchor") == "bottom":
            a["y"] = 1.0  # the synthetic label stays right above the plot area, under the title
        annotations.append(a)
    annotations.append({
        "text": source, "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
        "yshift": -(int(margin["b"]) - 14), "showarrow": False, "font": {"size": 11, "color": "#444"},
        "align": "left",
    })
    layout["annotations"] = annotations
    if "legend" in layout:
        layout["legend"] = {**layout["legend"], "y": -0.12}
    return fig
