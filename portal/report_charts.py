"""Static charts of the report (matplotlib, Agg, no display): one builder for the Word document (PNG) and the
HTML page (SVG), so the page and the download show the same chart.

Inputs are the plain dicts of portal/report.py (a block's ``trend``) and portal/goals.py (an evaluated
target); outputs are bytes. Figures are built with the object API (no pyplot global state), so concurrent
requests do not share a figure.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import orjson
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from portal.explain import format_number

BLUE, GREY, ORANGE, RED, GREEN = "#225ea8", "#6c757d", "#b35806", "#d7301f", "#1a9850"
LABELS = {
    "pl": {"unit": "ta jednostka", "peer": "mediana grupy porównawczej", "similar": "mediana 10 podobnych",
           "break": "przerwa w szeregu", "synthetic": "DANE SYNTETYCZNE", "path": "ścieżka do celu",
           "actual": "wartość", "target": "cel"},
    "en": {"unit": "this unit", "peer": "peer-group median", "similar": "median of 10 similar units",
           "break": "break in the series", "synthetic": "SYNTHETIC DATA", "path": "path to the target",
           "actual": "value", "target": "target"},
}
WIDTH_IN, HEIGHT_IN, DPI = 6.3, 2.5, 130


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def _figure() -> tuple[Figure, object]:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    ax = fig.add_subplot(1, 1, 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _axis_format(ax, decimals: int, lang: str) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_number(v, decimals, lang)))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _line(ax, xs, ys, **style) -> None:
    pts = [(x, y) for x, y in zip(xs, ys, strict=True) if _finite(y)]
    if pts:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], **style)


def _finish(fig: Figure, ax, fmt: str, synthetic: bool, lang: str) -> bytes:
    if synthetic:
        ax.text(0.5, 0.5, LABELS[lang]["synthetic"], transform=ax.transAxes, ha="center", va="center",
                fontsize=20, color=RED, alpha=0.18, rotation=12)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    # A fixed layout (room for the y labels on the left, the legend on the right): tight_layout would draw
    # the figure once more just to measure it.
    fig.subplots_adjust(left=0.14, right=0.70, top=0.95, bottom=0.12)
    buf = io.BytesIO()
    if fmt == "png":
        # Fast deflate: the default level costs a fifth of the chart's time for a few per cent of size.
        fig.savefig(buf, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 2})
    else:
        fig.savefig(buf, format=fmt, metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def trend_chart(trend: dict, lang: str = "pl", fmt: str = "png") -> bytes:
    """The five-year trend of a report block: the unit, the peer-group median, the similar units' median,
    series breaks as dashed verticals between the last year of the old state and the first of the new."""
    key = orjson.dumps(trend, option=orjson.OPT_SORT_KEYS)
    return _trend_cached(key, "en" if lang == "en" else "pl", fmt)


@lru_cache(maxsize=512)
def _trend_cached(key: bytes, lang: str, fmt: str) -> bytes:
    trend = orjson.loads(key)
    lab = LABELS[lang]
    years = trend["years"]
    fig, ax = _figure()
    _line(ax, years, trend.get("peer_median") or [None] * len(years), color=GREY, linestyle="--",
          linewidth=1.2, label=lab["peer"])
    _line(ax, years, trend.get("similar_median") or [None] * len(years), color=ORANGE, linestyle=":",
          linewidth=1.5, label=lab["similar"])
    _line(ax, years, trend["values"], color=BLUE, linewidth=2, marker="o", markersize=3.5, label=lab["unit"])
    for k, b in enumerate(trend.get("breaks") or []):
        ax.axvline(b - 0.5, color=RED, linestyle=(0, (3, 2)), linewidth=1,
                   label=lab["break"] if k == 0 else None)
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    _axis_format(ax, int(trend.get("decimals", 1)), lang)
    ax.set_ylabel(trend.get("unit") or "", fontsize=8)
    return _finish(fig, ax, fmt, bool(trend.get("synthetic")), lang)


def goal_chart(target: dict, lang: str = "pl", fmt: str = "png") -> bytes:
    """An evaluated target (portal/goals.evaluate_target): the straight path from baseline to target
    (dashed), the values (solid) and the target (a star at the target year)."""
    return _goal_cached(orjson.dumps({k: target.get(k) for k in ("trajectory", "target", "target_year",
                                                                   "decimals", "synthetic", "unit")},
                                     option=orjson.OPT_SORT_KEYS),
                        "en" if lang == "en" else "pl", fmt)


@lru_cache(maxsize=256)
def _goal_cached(key: bytes, lang: str, fmt: str) -> bytes:
    target = orjson.loads(key)
    lab = LABELS[lang]
    traj = target["trajectory"]
    years = [p["year"] for p in traj]
    fig, ax = _figure()
    _line(ax, years, [p["path"] for p in traj], color=GREY, linestyle="--", linewidth=1.2, label=lab["path"])
    _line(ax, years, [p["actual"] for p in traj], color=BLUE, linewidth=2, marker="o", markersize=3.5,
          label=lab["actual"])
    if _finite(target.get("target")):
        ax.plot([target["target_year"]], [target["target"]], marker="*", markersize=10, color=GREEN,
                linestyle="none", label=lab["target"])
    unit = target.get("unit") or {}
    _axis_format(ax, int(target.get("decimals") or 1), lang)
    ax.set_ylabel(unit.get(lang, "") if isinstance(unit, dict) else str(unit), fontsize=8)
    return _finish(fig, ax, fmt, bool(target.get("synthetic")), lang)


__all__ = ["goal_chart", "trend_chart"]
