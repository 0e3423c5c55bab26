"""Debate pack: one A4 PDF for a councillor – a first page with the unit's story and the chosen indicators at a
glance, the budget table, then per chosen indicator the unit against its peers, the trend, the verdict
sentence, its real sources and the data version (fpdf2, charts drawn with PDF primitives, no kaleido).

Each indicator is one section, registered as a PDF bookmark ("1/3. <name>") so readers can jump to it and
tests can count sections without a PDF text extractor. Verdicts are portal/verdict.py's (as on the profile
and in the API); sources name real publishers and tables for official values only, and links are absolute.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal import budget as bud
from portal import profile as prof
from portal.breaks import series_breaks
from portal.catalogue import Indicator
from portal.explain import format_number, format_value
from portal.figures import direction_label
from portal.i18n import lang_of, translator
from portal.verdict import card_verdict

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
BLUE, RED, GREY, ORANGE, DARK = (34, 94, 168), (215, 48, 31), (120, 120, 120), (179, 88, 6), (33, 37, 41)
NOTICE_BG, NOTICE_FG = (255, 237, 204), (138, 28, 0)


def texts(lang: str) -> dict[str, str]:
    """The pack's fixed words in ``lang`` (gettext messages)."""
    _ = translator(lang)
    return {
        "title": _("Debate pack"), "prepared": _("Prepared"), "version": _("Data version"), "built": _("built"),
        "contents": _("The indicators in this pack"), "section": _("Section"),
        "synthetic_title": _("SYNTHETIC DATA – not official statistics"),
        "synthetic_list": _("The values of these indicators are synthetic (generated to demonstrate the portal): "),
        "synthetic_one": _("This indicator's values are synthetic: they are not official statistics."),
        "how": _("Comparisons are with a fixed group of similar units: {peer}. The median is the group's middle "
                 "value; the quartiles bound the middle 50% of units."),
        "value": _("Value"), "peer_median": _("peer median"), "quartiles": _("peer quartiles"),
        "national_median": _("median in Poland"), "no_data": _("no data"),
        "position": _("Against similar units ({year})"), "trend": _("Over time"),
        "unit_line": _("selected unit"), "median_line": _("peer median"), "break": _("break in the series"),
        "sources": _("Sources"), "definition": _("Definition and method"),
        "breaks": _("Breaks in the series"),
        "not_at_level": _("The indicator is not available for this level of units."),
        "story": _("What stands out"), "glance": _("The chosen indicators at a glance"),
        "c_indicator": _("Indicator"), "c_year": _("Year"), "c_value": _("Value"), "c_median": _("Peer median"),
        "c_verdict": _("Against peers"), "budget": _("Budget"), "budget_lead": _("The unit's own budget in official data, in PLN "
                                                                                 "per resident, next to similar units "
                                                                                 "({peer})."),
        "c_item": _("Budget item"), "c_share": _("Share of own revenue"), "c_diff": _("Difference from median"),
        "no_budget": _("This release holds no official values of this unit's own budget."),
        "demo_budget": _("Spending by budget division (demo, synthetic values)"),
        "synthetic_source": _("No source: synthetic values made by the OMUP generator for the demo. Official data "
                              "would come from: {ids} (omup data fetch)."),
        "online": _("Online"),
        "goals": _("Goals and targets"), "c_baseline": _("Baseline"), "c_target": _("Target"),
        "c_latest": _("Latest value"), "c_path": _("Path this year"), "c_needed": _("Change needed per year"),
        "c_status": _("Status"), "path_by_year": _("Path year by year (path / actual)"),
    }


class FontMissingError(RuntimeError):
    """The Unicode font for Polish letters is not installed."""


class _Pack(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}", align="C")


def _fonts(pdf: FPDF) -> None:
    for path in (FONT_REGULAR, FONT_BOLD):
        if not path.exists():
            raise FontMissingError(f"{path} not found: install the Debian package fonts-dejavu-core")
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))


def _fmt(value: float | None, ind: Indicator, lang: str, t: dict) -> str:
    if value is None or not math.isfinite(value):
        return t["no_data"]
    return format_value(value, ind.unit.get(lang), ind.decimals, lang)


def _para(pdf: FPDF, text: str, size: float = 9.5, bold: bool = False, colour=DARK, h: float = 5) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, h, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _notice(pdf: FPDF, text: str) -> None:
    pdf.set_fill_color(*NOTICE_BG)
    pdf.set_draw_color(*NOTICE_FG)
    pdf.set_text_color(*NOTICE_FG)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(0, 5.5, text, border=1, fill=True, padding=1.5, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _position_chart(pdf: FPDF, point: dict | None, ind: Indicator, lang: str, t: dict) -> None:
    """Peer range as a whisker, quartiles as a box, the median as a tick, the unit as a red marker."""
    peer = (point or {}).get("peer") or {}
    value = (point or {}).get("value")
    stats = [peer.get(k) for k in ("min", "q1", "median", "q3", "max")]
    if any(s is None for s in stats):
        _para(pdf, t["no_data"], 9, colour=GREY)
        return
    lo, q1, med, q3, hi = stats
    vals = [lo, hi] + ([value] if value is not None else [])
    vmin, vmax = min(vals), max(vals)
    if vmax == vmin:
        vmin, vmax = vmin - 1, vmax + 1
    x0, width = pdf.l_margin + 4, pdf.epw - 8
    y = pdf.get_y() + 9

    def sx(v: float) -> float:
        return x0 + (v - vmin) / (vmax - vmin) * width

    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.4)
    pdf.line(sx(lo), y, sx(hi), y)
    pdf.line(sx(lo), y - 2, sx(lo), y + 2)
    pdf.line(sx(hi), y - 2, sx(hi), y + 2)
    pdf.set_fill_color(214, 226, 240)
    pdf.set_draw_color(*BLUE)
    pdf.rect(sx(q1), y - 3.5, max(sx(q3) - sx(q1), 0.3), 7, style="DF")
    pdf.set_line_width(0.9)
    pdf.line(sx(med), y - 3.5, sx(med), y + 3.5)
    pdf.set_line_width(0.2)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_text_color(*GREY)
    for v, anchor in ((lo, "L"), (hi, "R")):
        text = _fmt(v, ind, lang, t)
        w = pdf.get_string_width(text)
        pdf.text(sx(v) - (0 if anchor == "L" else w), y + 7.5, text)
    if value is not None:
        pdf.set_fill_color(*RED)
        xv = sx(value)
        pdf.polygon([(xv, y - 3.2), (xv + 2.6, y - 7.2), (xv - 2.6, y - 7.2)], style="F")
    pdf.set_y(y + 10)
    _para(pdf, f"{t['value']}: {_fmt(value, ind, lang, t)}  ·  {t['peer_median']}: {_fmt(med, ind, lang, t)}"
               f"  ·  {t['quartiles']}: {_fmt(q1, ind, lang, t)} – {_fmt(q3, ind, lang, t)}", 8.5)
    national = (point or {}).get("national") or {}
    if national.get("median") is not None:
        _para(pdf, f"{t['national_median']}: {_fmt(national['median'], ind, lang, t)}", 8.5, colour=GREY)


def _trend_chart(pdf: FPDF, years: list[int], values: list, medians: list, breaks: list[int],
                 ind: Indicator, lang: str, t: dict) -> None:
    """The unit's series (blue) and the peer median (dashed grey) over the years, breaks as orange dashes."""
    finite = [v for v in values + medians if v is not None and math.isfinite(v)]
    if len(years) < 2 or not finite:
        _para(pdf, t["no_data"], 9, colour=GREY)
        return
    vmin, vmax = min(finite), max(finite)
    pad = (vmax - vmin) * 0.1 or abs(vmax) * 0.1 or 1.0
    vmin, vmax = vmin - pad, vmax + pad
    x0, width, height = pdf.l_margin + 26, pdf.epw - 30, 42
    top = pdf.get_y() + 2
    bottom = top + height

    def sx(year: int) -> float:
        return x0 + (year - years[0]) / (years[-1] - years[0]) * width

    def sy(v: float) -> float:
        return bottom - (v - vmin) / (vmax - vmin) * height

    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    pdf.line(x0, bottom, x0 + width, bottom)
    pdf.line(x0, top, x0, bottom)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(*GREY)
    for v in (vmin + pad, vmax - pad):
        text = _fmt(v, ind, lang, t)
        pdf.text(x0 - 2 - pdf.get_string_width(text), sy(v) + 1, text)
        pdf.line(x0 - 1, sy(v), x0, sy(v))
    for year in years:
        label = str(year)
        pdf.text(sx(year) - pdf.get_string_width(label) / 2, bottom + 4, label)
    pdf.set_draw_color(*ORANGE)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=1.2, gap=1.0)
        for b in breaks:
            if years[0] < b <= years[-1]:
                # Between the last year of the old state and the first of the new one.
                xb = sx(b) - width / (years[-1] - years[0]) / 2
                pdf.line(xb, top, xb, bottom)
    for series, colour, dashed, lw in ((medians, GREY, True, 0.5), (values, BLUE, False, 0.8)):
        pdf.set_draw_color(*colour)
        pdf.set_line_width(lw)
        with pdf.local_context():
            if dashed:
                pdf.set_dash_pattern(dash=1.0, gap=0.8)
            prev = None
            for year, v in zip(years, series, strict=True):
                if v is None or not math.isfinite(v):
                    prev = None
                    continue
                if prev is not None:
                    pdf.line(sx(prev[0]), sy(prev[1]), sx(year), sy(v))
                prev = (year, v)
        if not dashed:
            pdf.set_fill_color(*colour)
            for year, v in zip(years, series, strict=True):
                if v is not None and math.isfinite(v):
                    pdf.ellipse(sx(year) - 0.7, sy(v) - 0.7, 1.4, 1.4, style="F")
    pdf.set_line_width(0.2)
    pdf.set_y(bottom + 6)
    legend = f"— {t['unit_line']}    - - {t['median_line']}"
    if breaks:
        legend += f"    ¦ {t['break']}"
    _para(pdf, legend, 7.5, colour=GREY)


def base_url() -> str:
    """The portal's address for links in the PDF (OMUP_BASE_URL, else the address of the request)."""
    from portal.api.citation import public_base_url

    return public_base_url()


def _sources(store, ind: Indicator, lang: str, t: dict) -> str:
    """The real publishers and tables of an official indicator; for a synthetic one, that it has no source."""
    if store.is_synthetic(ind.id):
        src = ind.source
        ids = [f"BDL {v}" for v in [src.bdl_variable] if v] + [f"SMUP {getattr(src.smup, k)}" for k in
                                                              ("gmina", "mnpp", "all") if src.smup and getattr(src.smup, k)]
        return t["synthetic_source"].format(ids=", ".join(ids) or "GUS BDL / SMUP")
    datasets = {d["id"]: d for d in store.meta.get("datasets", [])}
    parts = []
    for key in ind.source.datasets:
        d = datasets.get(key)
        if d is None:
            continue
        name = d.get("name_en") if lang == "en" and d.get("name_en") else d.get("name", "")
        table = f" {d['table']}" if d.get("table") else ""
        parts.append(f"{d.get('publisher', '')}{table}: {name} ({d.get('years', '')})".strip())
    return "; ".join(dict.fromkeys(parts)) or ind.source.origin


def _section(pdf: _Pack, store, teryt: str, ind: Indicator, index: int, total: int, lang: str, t: dict) -> None:
    unit = store.units.loc[teryt]
    level = unit["level"]
    name = ind.name.get(lang)
    pdf.add_page()
    pdf.start_section(f"{index}/{total}. {name}")
    _para(pdf, f"{t['section']} {index}/{total}", 8, colour=GREY)
    _para(pdf, name, 15, bold=True, h=7)
    area = store.catalogue.area_by_id.get(ind.area)
    meta = [area.name.get(lang) if area else ind.area, ind.unit.get(lang), direction_label(ind, lang)]
    _para(pdf, " · ".join(meta), 8.5, colour=GREY)
    pdf.ln(1)
    if store.is_synthetic(ind.id):
        _notice(pdf, f"{t['synthetic_title']}. {t['synthetic_one']}")
    if not store.years(ind.id, level):
        _para(pdf, t["not_at_level"])
    else:
        verdict = card_verdict(store, ind.id, teryt, None, lang)
        _para(pdf, t["position"].format(year=verdict.year), 11, bold=True, h=6)
        _position_chart(pdf, verdict.point, ind, lang, t)
        pdf.ln(2)
        series = store.series(ind.id, teryt)
        years = [p["year"] for p in series]
        medians = []
        for y in years:
            g = store.group(ind.id, y, level, "peer", unit["peer_group"])
            medians.append(g["median"] if g else None)
        breaks = prof.unit_breaks(store, teryt)
        _para(pdf, t["trend"], 11, bold=True, h=6)
        _trend_chart(pdf, years, [p["value"] for p in series], medians, [b["year"] for b in breaks], ind, lang, t)
        pdf.ln(2)
        # One statement about the peers: the verdict's sentence, and its chance or small-base note.
        _para(pdf, verdict.sentence, 10.5, h=5.5)
        for note in (verdict.chance_text, verdict.base_text):
            if note:
                _para(pdf, note, 8.5, colour=GREY)
        if verdict.caveat:
            _para(pdf, verdict.caveat, 8.5, colour=NOTICE_FG)
        shown = [b for b in breaks if years and years[0] < b["year"] <= years[-1]]
        if shown:
            pdf.ln(1)
            _para(pdf, f"{t['breaks']}: " + "; ".join(f"{b['year']}: {b['reason'][lang]}" for b in shown), 8.5)
    pdf.ln(2)
    _para(pdf, t["sources"], 9.5, bold=True)
    _para(pdf, _sources(store, ind, lang, t), 8.5)
    _link(pdf, f"{t['definition']}: ", f"{base_url()}/wskaznik/{ind.id}" + ("?lang=en" if lang == "en" else ""))
    _para(pdf, f"{t['version']}: {store.version}", 8.5, colour=GREY)


def _link(pdf: FPDF, label: str, url: str) -> None:
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(*DARK)
    pdf.write(4.5, label)
    pdf.set_text_color(*BLUE)
    pdf.write(4.5, url, link=url)
    pdf.ln(5)


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: tuple[int, ...], size: float = 8) -> None:
    pdf.set_font("DejaVu", "", size)
    pdf.set_text_color(*DARK)
    pdf.set_draw_color(200, 200, 200)
    align = ("LEFT",) + ("RIGHT",) * (len(header) - 1)
    with pdf.table(col_widths=widths, text_align=align, line_height=4.2, first_row_as_headings=True,
                   headings_style=_headings(), padding=0.8) as table:
        for r in [header, *rows]:
            row = table.row()
            for cell in r:
                row.cell(cell)
    pdf.ln(3)


def _headings():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(236, 240, 246))


def _front_page(pdf: _Pack, store, teryt: str, indicators: list[Indicator], lang: str, t: dict,
                today: dt.date | None = None) -> None:
    """Page 1: the title, what stands out, the chosen indicators at a glance (value, median, verdict)."""
    unit = store.unit(teryt)
    pdf.add_page()
    _para(pdf, t["title"], 22, bold=True, h=10)
    _para(pdf, unit["display_name"], 16, bold=True, h=8)
    _para(pdf, store.context_line(teryt, lang), 10, colour=GREY, h=5.5)
    day = (today or dt.date.today()).isoformat()
    built = str(store.meta.get("built_at", ""))[:10]
    _para(pdf, f"{t['prepared']}: {day} · {t['version']}: {store.version} ({t['built']} {built})", 8.5, colour=GREY)
    _link(pdf, f"{t['online']}: ", f"{base_url()}/jst/{teryt}" + ("?lang=en" if lang == "en" else ""))
    pdf.ln(2)
    synthetic = [i for i in indicators if store.is_synthetic(i.id)]
    if synthetic:
        _notice(pdf, f"{t['synthetic_title']}. {t['synthetic_list']}" + "; ".join(i.name.get(lang) for i in synthetic)
                + ".")
    cards = prof.build_cards(store, unit, None, lang)
    story = prof.story(store, unit, cards, lang)
    if story:
        _para(pdf, t["story"], 12, bold=True, h=7)
        for sentence in story:
            _para(pdf, sentence, 10, h=5.2)
        pdf.ln(3)
    _para(pdf, t["glance"], 12, bold=True, h=7)
    rows = []
    for k, ind in enumerate(indicators, 1):
        v = card_verdict(store, ind.id, teryt, None, lang)
        median = ((v.point or {}).get("peer") or {}).get("median")
        rows.append([f"{k}. {ind.name.get(lang)}" + (" *" if store.is_synthetic(ind.id) else ""),
                     str(v.year or "–"), v.value_text or t["no_data"], _fmt(median, ind, lang, t),
                     v.badge[1] if v.badge else "–"])
    _table(pdf, [t["c_indicator"], t["c_year"], t["c_value"], t["c_median"], t["c_verdict"]], rows,
           (70, 12, 32, 32, 28))
    _para(pdf, t["how"].format(peer=store.peer_group_name(unit["peer_group"], lang)), 8.5, colour=GREY)


def _budget_page(pdf: _Pack, store, teryt: str, lang: str, t: dict) -> None:
    """The budget table of the budget view (official series; in the demo also spending by division): on page 1
    when it fits below the indicators, else on a page of its own."""
    if pdf.page_break_trigger - pdf.get_y() < 115:
        pdf.add_page()
    else:
        pdf.ln(4)
    pdf.start_section(t["budget"])
    _para(pdf, t["budget"], 12, bold=True, h=7)
    peer = store.peer_group_name(str(store.units.at[teryt, "peer_group"]), lang)
    rows = bud.official_table(store, teryt, 9999, lang)
    if not rows:
        _para(pdf, t["no_budget"], 9.5)
    else:
        _para(pdf, t["budget_lead"].format(peer=peer), 9, colour=GREY)
        num = lambda v, d=0: format_number(v, d, lang) if v is not None else "–"  # noqa: E731
        body = [[r["name"], str(r["year"] or "–"), num(r["value"]), num(r["median"]),
                 "–" if r["diff_pct"] is None else ("+" if r["diff_pct"] > 0 else "") + num(r["diff_pct"]) + "%",
                 "–" if r["share"] is None else num(r["share"], 1) + "%"] for r in rows]
        _table(pdf, [t["c_item"], t["c_year"], t["c_value"], t["c_median"], t["c_diff"], t["c_share"]], body,
               (66, 12, 22, 22, 26, 26))
        for sentence in bud.official_gap_sentences(store, teryt, 9999, lang):
            _para(pdf, sentence, 9.5)
        srcs = {d for r in rows for d in store.catalogue.by_id[r["indicator"]].source.datasets}
        datasets = [d for d in store.meta.get("datasets", []) if d["id"] in srcs]
        line = "; ".join(dict.fromkeys(f"{d['publisher']} {d.get('table') or ''} ({d.get('years', '')})".replace(
            "  ", " ") for d in datasets))
        _para(pdf, f"{t['sources']}: {line}", 8, colour=GREY)
    level = str(store.units.at[teryt, "level"])
    if bud.has_demo_spending(store, level):
        year = store.latest_year(bud.TOTAL, level)
        pdf.ln(3)
        _para(pdf, f"{t['demo_budget']} – {year}", 11, bold=True, h=6)
        _notice(pdf, f"{t['synthetic_title']}.")
        body = [[r["name"], format_number(r["value"], 0, lang) if r["value"] is not None else "–",
                 format_number(r["median"], 0, lang) if r["median"] is not None else "–",
                 "–" if r["diff_pct"] is None else format_number(r["diff_pct"], 0, lang) + "%"]
                for r in bud.section_rows(store, teryt, year, lang)]
        _table(pdf, [t["c_item"], t["c_value"], t["c_median"], t["c_diff"]], body, (80, 30, 30, 34))


def _goals_page(pdf: _Pack, store, teryt: str, goals: tuple, lang: str, t: dict) -> None:
    """The goals passed in the link (portal/goals.py): per goal its status and per target the baseline, the
    target, the latest value against the straight path to the target, what is needed per year, the path year by
    year, sources; the rule last. The same rows as the report's goals chapter (portal/report_blocks.py)."""
    from portal import goals as goals_mod
    from portal.report_blocks import goal_rows

    pdf.add_page()
    pdf.start_section(t["goals"])
    _para(pdf, t["goals"], 12, bold=True, h=7)
    for k, goal in enumerate(goal_rows(store, teryt, goals, None, lang), 1):
        _para(pdf, f"{k}. {goal['text']} – {goal['status_text']}", 10.5, bold=True, h=6)
        if any(tg["label"] for tg in goal["targets"]):
            _notice(pdf, f"{t['synthetic_title']}.")
        body = [[(f"[{tg['label']}] " if tg["label"] else "") + tg["name_text"],
                 f"{tg['baseline_text']} ({tg['baseline_year']})", f"{tg['target_text']} ({tg['target_year']})",
                 f"{tg['value_text']} ({tg['year']})" if tg["year"] else "–", tg["path_text"],
                 tg["needed_text"] or "–", tg["status_text"]] for tg in goal["targets"]]
        _table(pdf, [t["c_indicator"], t["c_baseline"], t["c_target"], t["c_latest"], t["c_path"], t["c_needed"],
                     t["c_status"]], body, (42, 22, 22, 22, 22, 22, 22), size=7.5)
        for tg in goal["targets"]:
            def written(v, tg=tg):
                return format_value(v, tg["unit"][lang], tg["decimals"], lang) if v is not None else "–"

            steps = "; ".join(f"{p['year']}: {written(p['path'])} / {written(p['actual'])}" for p in tg["trajectory"]
                              if p["path"] is not None or p["actual"] is not None)
            _para(pdf, f"{tg['name_text']} – {t['path_by_year']}: {steps}.", 8, colour=GREY, h=4.2)
            if tg["source"]:
                _para(pdf, f"{t['sources']}: {tg['source']}", 8, colour=GREY, h=4.2)
        pdf.ln(2)
    _para(pdf, goals_mod.RULE[lang], 8, colour=GREY, h=4.2)


def debate_pack_pdf(store, teryt: str, indicator_ids: list[str], lang: str = "pl", *,
                    compress: bool = True, today: dt.date | None = None, goals: tuple = ()) -> bytes:
    """One A4 PDF: page 1 (story and the indicators at a glance), the budget page, the goals when given
    (portal/goals.py Goal tuples), then one section per indicator (in the order given, duplicates dropped).

    ValueError for an unknown unit, an unknown indicator id or an empty choice; FontMissingError when
    DejaVuSans is not installed. ``compress=False`` leaves the page streams readable (tests, debugging).
    """
    lang = lang_of(lang)
    t = texts(lang)
    if teryt not in store.units.index:
        raise ValueError(f"unknown unit {teryt!r}")
    ids = list(dict.fromkeys(indicator_ids or []))
    if not ids:
        raise ValueError("choose at least one indicator")
    unknown = [i for i in ids if i not in store.catalogue.by_id]
    if unknown:
        raise ValueError(f"unknown indicator {unknown[0]!r}")
    indicators = [store.catalogue.by_id[i] for i in ids]
    unit = store.units.loc[teryt]
    pdf = _Pack(format="A4")
    _fonts(pdf)
    pdf.set_compression(compress)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.footer_text = f"OMUP · {unit['display_name']} · {t['version'].lower()} {store.version}"
    pdf.set_title(f"{t['title']}: {unit['display_name']}")
    pdf.set_creator("OMUP")
    pdf.set_lang(lang)
    _front_page(pdf, store, teryt, indicators, lang, t, today)
    _budget_page(pdf, store, teryt, lang, t)
    if goals:
        _goals_page(pdf, store, teryt, tuple(goals), lang, t)
    for k, ind in enumerate(indicators, 1):
        _section(pdf, store, teryt, ind, k, len(indicators), lang, t)
    return bytes(pdf.output())


__all__ = ["FontMissingError", "debate_pack_pdf"]
