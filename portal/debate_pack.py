"""Debate pack: one A4 PDF for a councillor – per chosen indicator the unit against its peers, the trend,
the generated sentence, sources and the data version (fpdf2, charts drawn with PDF primitives, no kaleido).

Each indicator is one section, registered as a PDF bookmark ("1/3. <name>") so readers can jump to it and
tests can count sections without a PDF text extractor.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.breaks import series_breaks
from portal.catalogue import Indicator
from portal.explain import caveat, format_value, unit_sentence
from portal.figures import direction_label
from portal.uncertainty import unit_limits

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
BLUE, RED, GREY, ORANGE, DARK = (34, 94, 168), (215, 48, 31), (120, 120, 120), (179, 88, 6), (33, 37, 41)
NOTICE_BG, NOTICE_FG = (255, 237, 204), (138, 28, 0)

TEXT = {
    "pl": {
        "title": "Pakiet na debatę", "prepared": "Przygotowano", "version": "Wersja danych",
        "built": "zbudowana", "contents": "Wskaźniki w pakiecie", "section": "Sekcja",
        "synthetic_title": "DANE SYNTETYCZNE – nie są to dane urzędowe",
        "synthetic_list": "Wartości tych wskaźników są syntetyczne (wygenerowane do prezentacji portalu): ",
        "synthetic_one": "Wartości tego wskaźnika są syntetyczne: nie są to dane urzędowe.",
        "how": "Porównania dotyczą stałej grupy podobnych jednostek: {peer}. Mediana to wartość środkowa "
               "grupy, kwartyle wyznaczają środkowe 50% jednostek.",
        "value": "Wartość", "peer_median": "mediana podobnych", "quartiles": "kwartyle podobnych",
        "national_median": "mediana w Polsce", "range": "zakres w grupie", "no_data": "brak danych",
        "position": "Na tle podobnych jednostek ({year})", "trend": "Zmiany w czasie",
        "unit_line": "wybrana jednostka", "median_line": "mediana podobnych", "break": "przerwa w szeregu",
        "sources": "Źródła", "ids": "Identyfikatory", "evidence": "podstawa", "definition": "Definicja",
        "within": "Różnica względem podobnych mieści się w granicach przypadkowych wahań (95%) – "
                  "przy tej liczbie mieszkańców nie świadczy o lepszym ani gorszym wyniku.",
        "outside": "Różnica względem podobnych wykracza poza granice przypadkowych wahań (95%).",
        "breaks": "Przerwy w szeregu", "page": "strona", "not_at_level": "Wskaźnik nie jest dostępny "
        "dla tego poziomu jednostek.",
    },
    "en": {
        "title": "Debate pack", "prepared": "Prepared", "version": "Data version", "built": "built",
        "contents": "Indicators in this pack", "section": "Section",
        "synthetic_title": "SYNTHETIC DATA – not official statistics",
        "synthetic_list": "The values of these indicators are synthetic (generated to demonstrate the "
                          "portal): ",
        "synthetic_one": "This indicator's values are synthetic: they are not official statistics.",
        "how": "Comparisons are with a fixed group of similar units: {peer}. The median is the group's "
               "middle value; the quartiles bound the middle 50% of units.",
        "value": "Value", "peer_median": "peer median", "quartiles": "peer quartiles",
        "national_median": "median in Poland", "range": "range in the group", "no_data": "no data",
        "position": "Against similar units ({year})", "trend": "Over time",
        "unit_line": "selected unit", "median_line": "peer median", "break": "break in the series",
        "sources": "Sources", "ids": "Identifiers", "evidence": "evidence", "definition": "Definition",
        "within": "The difference from similar units is within chance variation (95%): at this population "
                  "it does not show a better or worse result.",
        "outside": "The difference from similar units is beyond chance variation (95%).",
        "breaks": "Breaks in the series", "page": "page", "not_at_level": "The indicator is not available "
        "for this level of units.",
    },
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


def _sources(ind: Indicator, lang: str, t: dict) -> str:
    src = ind.source
    ids = []
    if src.bdl_variable:
        ids.append(f"BDL {'zmienna' if lang != 'en' else 'variable'} {src.bdl_variable}")
    if src.bdl_subject:
        ids.append(f"BDL {'temat' if lang != 'en' else 'subject'} {src.bdl_subject}")
    if src.smup:
        for key in ("gmina", "mnpp", "all"):
            if getattr(src.smup, key):
                ids.append(f"SMUP {key} {getattr(src.smup, key)}")
    ids_text = ", ".join(ids) if ids else "—"
    return f"{src.attribution}. {t['ids']}: {ids_text} ({t['evidence']}: {src.evidence}). " \
           f"{t['definition']}: /wskaznik/{ind.id}"


def _section(
    pdf: _Pack, store, teryt: str, ind: Indicator, index: int, total: int, lang: str, t: dict
) -> None:
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
    synthetic = store.is_synthetic(ind.id)
    if synthetic:
        _notice(pdf, f"{t['synthetic_title']}. {t['synthetic_one']}")
    year = store.latest_year(ind.id, level)
    if year is None:
        _para(pdf, t["not_at_level"])
    else:
        point = store.point(ind.id, teryt, year)
        _para(pdf, t["position"].format(year=year), 11, bold=True, h=6)
        _position_chart(pdf, point, ind, lang, t)
        pdf.ln(2)
        series = store.series(ind.id, teryt)
        years = [p["year"] for p in series]
        medians = []
        for y in years:
            g = store.group(ind.id, y, level, "peer", unit["peer_group"])
            medians.append(g["median"] if g else None)
        breaks = series_breaks(store, teryt)
        _para(pdf, t["trend"], 11, bold=True, h=6)
        values = [p["value"] for p in series]
        _trend_chart(pdf, years, values, medians, [b["year"] for b in breaks], ind, lang, t)
        pdf.ln(2)
        limits = unit_limits(store, ind.id, teryt, year)
        within = None if limits is None else limits["flag"] == "within95"
        value = point["value"] if point else None
        value_text = _fmt(value, ind, lang, t) if value is not None else None
        noun = "miasto" if (level == "gmina" and bool(unit["mnpp"])) else level
        sentence = unit_sentence(ind.sentence.get(lang), year=year, value_text=value_text, level=noun,
                                 lang=lang, point=point, direction=ind.direction,
                                 peer_group_name=store.peer_group_name(unit["peer_group"], lang),
                                 indistinguishable=within)
        _para(pdf, sentence, 10.5, h=5.5)
        if within:  # one verdict per value: a value outside the limits is said by its band alone
            _para(pdf, t["within"], 8.5, colour=GREY)
        flag = point["flag"] if point else "no_data"
        note = caveat(bool(point and point["synthetic"]), flag, lang, level=level)
        if note:
            _para(pdf, note, 8.5, colour=NOTICE_FG)
        shown = [b for b in breaks if years and years[0] < b["year"] <= years[-1]]
        if shown:
            pdf.ln(1)
            listed = "; ".join(f"{b['year']}: {b['reason'][lang]}" for b in shown)
            _para(pdf, f"{t['breaks']}: {listed}", 8.5)
    pdf.ln(2)
    _para(pdf, t["sources"], 9.5, bold=True)
    _para(pdf, _sources(ind, lang, t), 8.5)
    _para(pdf, f"{t['version']}: {store.version}", 8.5, colour=GREY)


def debate_pack_pdf(store, teryt: str, indicator_ids: list[str], lang: str = "pl", *,
                    compress: bool = True, today: dt.date | None = None) -> bytes:
    """One A4 PDF: a title page, then one section per indicator (in the order given, duplicates dropped).

    ValueError for an unknown unit, an unknown indicator id or an empty choice; FontMissingError when
    DejaVuSans is not installed. ``compress=False`` leaves the page streams readable (tests, debugging).
    """
    lang = "en" if lang == "en" else "pl"
    t = TEXT[lang]
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

    pdf.add_page()
    pdf.ln(30)
    _para(pdf, t["title"], 24, bold=True, h=11)
    _para(pdf, unit["display_name"], 18, bold=True, h=9)
    _para(pdf, store.context_line(teryt, lang), 11, colour=GREY, h=6)
    pdf.ln(6)
    day = (today or dt.date.today()).isoformat()
    built = str(store.meta.get("built_at", ""))[:10]
    _para(pdf, f"{t['prepared']}: {day}", 10)
    _para(pdf, f"{t['version']}: {store.version} ({t['built']} {built})", 10)
    pdf.ln(4)
    synthetic = [i for i in indicators if store.is_synthetic(i.id)]
    if synthetic:
        _notice(pdf, f"{t['synthetic_title']}. {t['synthetic_list']}"
                     + "; ".join(i.name.get(lang) for i in synthetic) + ".")
    _para(pdf, t["contents"], 12, bold=True, h=7)
    for k, ind in enumerate(indicators, 1):
        mark = " *" if store.is_synthetic(ind.id) else ""
        _para(pdf, f"{k}. {ind.name.get(lang)}{mark}", 10)
    pdf.ln(4)
    _para(pdf, t["how"].format(peer=store.peer_group_name(unit["peer_group"], lang)), 9, colour=GREY)

    for k, ind in enumerate(indicators, 1):
        _section(pdf, store, teryt, ind, k, len(indicators), lang, t)
    return bytes(pdf.output())


__all__ = ["FontMissingError", "debate_pack_pdf"]
