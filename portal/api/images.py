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


TITLE_PX, SUBTITLE_PX = 19, 13
# Average advance of a character of the sans-serif fonts used, as a share of the font size (bold, Polish text;
# measured generously so a line never runs past the image's edge).
CHAR_EM = 0.6


def wrap_title(text: str, width: int, font_px: int, margin: int = 32) -> list[str]:
    """The text broken into lines that fit ``width`` pixels at ``font_px`` (words kept whole where they fit)."""
    per_line = max(10, int((width - margin) / (font_px * CHAR_EM)))
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > per_line:  # a word longer than a line (never in practice): cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines or [""]


def export_figure(figure: dict, *, title: str, subtitle: str, source: str, kind: str = "mapa") -> dict:
    """A copy of ``figure`` with the title and subtitle on top and the source line at the bottom. Long titles
    wrap onto as many lines as they need, and the top margin grows with them: the image never clips a title."""
    fig = copy.deepcopy(figure)
    layout = fig.setdefault("layout", {})
    width, height = EXPORT_SIZE.get(kind, (1000, 700))
    title_lines = wrap_title(title, width, TITLE_PX)
    sub_lines = wrap_title(subtitle, width, SUBTITLE_PX)
    margin = dict(layout.get("margin") or {})
    top = int(margin.get("t", 10))
    head = 32 + len(title_lines) * round(TITLE_PX * 1.3) + len(sub_lines) * round(SUBTITLE_PX * 1.4) + 28
    margin.update({"t": top + head, "b": int(margin.get("b", 10)) + 46, "l": max(int(margin.get("l", 0)), 16),
                   "r": max(int(margin.get("r", 0)), 16)})
    text = ("<b>" + "<br>".join(title_lines) + "</b><br>"
            + "<br>".join(f"<span style='font-size:{SUBTITLE_PX}px;color:#555'>{s}</span>" for s in sub_lines))
    layout.update({
        "width": width, "height": height, "margin": margin, "paper_bgcolor": "white",
        "title": {"text": text, "x": 0.01, "xanchor": "left",
                  # plotly.js lifts a title of several lines by about one line above its anchor: anchored 30 px
                  # down, the first line starts ~12 px from the top edge.
                  "y": 1 - 30 / height, "yanchor": "top",
                  "yref": "container", "font": {"size": TITLE_PX}},
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
