"""The report on the state of the unit as an editable Word document (python-docx).

Renders :func:`portal.report.build_report`'s result. All formatting sits in named styles, so a gmina can
restyle the whole document in Word (Styles pane) without touching the text:

* Word's own ``Title``, ``Subtitle``, ``Heading 1``–``Heading 3`` (the navigation pane and a table of
  contents work on them) and ``Table Grid``;
* OMUP's styles, all named ``OMUP …``: :data:`STYLES` (body text, sources, the synthetic-data label, chapters
  to fill in, guidance, chart captions, notes).

Charts are PNG images (portal/report_charts.py) with their description as alternative text. Every table row
of numbers carries its source and the data version; every line about a synthetic value (demo edition only)
carries the synthetic-data label.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from portal.i18n import N_, translator
from portal.report_charts import goal_chart, trend_chart

STYLES = {
    "text": "OMUP Tekst",
    "source": "OMUP Źródło",
    "synthetic": "OMUP Dane syntetyczne",
    "todo": "OMUP Do uzupełnienia",
    "guidance": "OMUP Wskazówka",
    "caption": "OMUP Podpis wykresu",
    "note": "OMUP Uwaga",
    "lead": "OMUP Wprowadzenie",
    "table": "OMUP Tabela",
}

HEAD_IDS = {  # the document's fixed words as gettext messages (English; Polish in portal/locale/pl)
    "what": N_("Measure"),
    "value": N_("Value"),
    "year": N_("Year"),
    "source": N_("Source and data version"),
    "indicator": N_("Indicator"),
    "baseline": N_("Baseline"),
    "target": N_("Target"),
    "latest": N_("Latest value"),
    "path": N_("Path this year"),
    "needed": N_("Change needed per year"),
    "status": N_("Status"),
    "toc": N_("Contents"),
    "toc_hint": N_("Word fills in the contents: right-click and choose 'Update field' (or F9)."),
    "fill": N_("Write this chapter here."),
    "why": N_("Why did it change: "),
    "breaks": N_("Breaks in the series: "),
    "improved": N_("What improved: "),
    "worsened": N_("What worsened: "),
    "none": N_("no indicator changed markedly this way"),
    "footer": N_("data version"),
    "sources": N_("Data sources"),
    "datasets": N_("Datasets"),
    "method": N_("Method"),
    "rule": N_("Rule: "),
}


def _style(doc, name: str, base: str = "Normal", size: float | None = None, bold: bool = False,
           italic: bool = False, colour: tuple[int, int, int] | None = None, space_after: float | None = None,
           style_type=WD_STYLE_TYPE.PARAGRAPH):
    style = doc.styles.add_style(name, style_type)
    style.base_style = doc.styles[base]
    style.quick_style = True
    font = style.font
    if size:
        font.size = Pt(size)
    font.bold = bold or None
    font.italic = italic or None
    if colour:
        font.color.rgb = RGBColor(*colour)
    if space_after is not None and style_type == WD_STYLE_TYPE.PARAGRAPH:
        style.paragraph_format.space_after = Pt(space_after)
    return style


def _shade(style, fill: str) -> None:
    """Background shading of a paragraph style (a box that says 'fill me in')."""
    ppr = style.element.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    ppr.append(shd)


def _styles(doc, lang: str) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    lang_el = OxmlElement("w:lang")
    lang_el.set(qn("w:val"), "en-GB" if lang == "en" else "pl-PL")
    rpr.append(lang_el)
    _style(doc, STYLES["text"], space_after=6)
    _style(doc, STYLES["lead"], size=11, italic=True, colour=(73, 80, 87), space_after=8)
    _style(doc, STYLES["source"], size=8.5, colour=(108, 117, 125), space_after=8)
    _style(doc, STYLES["synthetic"], size=10, bold=True, colour=(138, 28, 0), space_after=4)
    _shade(doc.styles[STYLES["synthetic"]], "FFEDCC")
    todo = _style(doc, STYLES["todo"], size=11, bold=True, colour=(138, 28, 0), space_after=6)
    _shade(todo, "FFF3CD")
    guidance = _style(doc, STYLES["guidance"], base="List Bullet", size=10, italic=True, colour=(73, 80, 87))
    _shade(guidance, "FFF3CD")
    _style(doc, STYLES["caption"], size=8.5, italic=True, colour=(73, 80, 87), space_after=10)
    _style(doc, STYLES["note"], size=9.5, colour=(138, 28, 0), space_after=4)
    _style(doc, STYLES["table"], base="Normal", size=9, style_type=WD_STYLE_TYPE.CHARACTER)


def _para(doc, text: str, style: str = STYLES["text"]):
    return doc.add_paragraph(text, style=style)


def _labelled(text: str, label: str | None) -> str:
    return f"[{label}] {text}" if label else text


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text, style=STYLES["table"])
        run.bold = True
    # The header row repeats on every page the table spans.
    trpr = table.rows[0]._tr.get_or_add_trPr()
    head = OxmlElement("w:tblHeader")
    head.set(qn("w:val"), "true")
    trpr.append(head)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(str(text), style=STYLES["table"])
    doc.add_paragraph(style=STYLES["text"])
    return table


def _picture(doc, png: bytes, alt: str, width_cm: float = 16.0) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    inline = doc.paragraphs[-1].runs[-1]._r.xpath(".//wp:docPr")
    if inline:
        inline[0].set("descr", alt)
        inline[0].set("title", alt[:60])
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _toc(doc, h: dict) -> None:
    doc.add_heading(h["toc"], level=1)
    para = doc.add_paragraph(style=STYLES["text"])
    run = para.add_run()
    begin, instr, sep, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar"),
                              OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    sep.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(sep)
    hint = OxmlElement("w:t")
    hint.text = h["toc_hint"]
    run._r.append(hint)
    run._r.append(end)


def _block(doc, block: dict, lang: str, h: dict) -> None:
    label = block["label"]
    doc.add_heading(block["name"], level=2)
    if label:
        _para(doc, label, STYLES["synthetic"])
    if block["note"]:
        _para(doc, _labelled(block["note"], label), STYLES["note"])
    if block["facts"]:
        rows = [[f["label"], _labelled(f["text"], label if f["synthetic"] else None), str(f["year"]),
                 f["source"]] for f in block["facts"]]
        _table(doc, [h["what"], h["value"], h["year"], h["source"]], rows)
    if block["sentence"]:
        _para(doc, _labelled(block["sentence"], label))
    if block["caveat"] and not label:
        _para(doc, block["caveat"], STYLES["note"])
    trend = block["trend"]
    if trend and trend.get("chart"):
        doc.add_heading(trend["title"], level=3)
        _picture(doc, trend_chart(trend, lang, "png"), trend["alt"])
        _para(doc, _labelled(trend["alt"], label), STYLES["caption"])
    if block["change"]:
        _para(doc, _labelled(block["change"], label))
    if block["why"]:
        _para(doc, _labelled(h["why"] + block["why"], label))
    if block["breaks"]:
        _para(doc, h["breaks"] + "; ".join(block["breaks"]), STYLES["note"])
    _para(doc, _labelled(block["source"], label), STYLES["source"])


def _goals(doc, ch: dict, lang: str, h: dict) -> None:
    for goal in ch["goals"]:
        doc.add_heading(f"{goal['text']} – {goal['status_text']}", level=2)
        rows = []
        for t in goal["targets"]:
            rows.append([
                _labelled(t["name_text"], t["label"]),
                f"{t['baseline_text']} ({t['baseline_year']})",
                f"{t['target_text']} ({t['target_year']})",
                f"{t['value_text']} ({t['year']})" if t["year"] else t["value_text"],
                t["path_text"], t["needed_text"] or "–", t["status_text"], t["source"] or "–",
            ])
        _table(doc, [h["indicator"], h["baseline"], h["target"], h["latest"], h["path"], h["needed"],
                     h["status"], h["source"]], rows)
        for t in goal["targets"]:
            if t["trajectory"] and t["baseline"] is not None:
                alt = f"{t['name_text']}: {t['baseline_year']}–{t['target_year']}"
                _picture(doc, goal_chart(t, lang, "png"), alt, 14)
                _para(doc, _labelled(alt, t["label"]), STYLES["caption"])
    if ch.get("rule"):
        _para(doc, h["rule"] + ch["rule"], STYLES["source"])


def report_docx(report: dict) -> bytes:
    """The Word document of a report built by :func:`portal.report.build_report`."""
    lang = report["lang"]
    _ = translator(lang)
    h = {key: _(message) for key, message in HEAD_IDS.items()}
    doc = Document()
    _styles(doc, lang)
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    footer = section.footer.paragraphs[0]
    footer.text = f"OMUP · {report['name']} · {report['subtitle']} · {h['footer']} {report['version']}"
    footer.style = doc.styles[STYLES["source"]]
    props = doc.core_properties
    props.title = f"{report['title']}: {report['name']} {report['subtitle']}"
    props.author = "OMUP"
    props.language = "en" if lang == "en" else "pl"
    props.comments = f"data version {report['version']}"

    doc.add_paragraph(report["title"], style="Title")
    doc.add_paragraph(f"{report['name']} – {report['subtitle']}", style="Subtitle")
    _para(doc, report["context"], STYLES["lead"])
    src = report["chapters"][-1]
    for fact in src["facts"]:
        _para(doc, f"{fact['label']}: {fact['text']}")
    if report["synthetic"]:
        _para(doc, f"{report['synthetic_label']}: " + "; ".join(report["synthetic"]) + ".",
              STYLES["synthetic"])
    _toc(doc, h)

    for ch in report["chapters"]:
        title = ch["title"] if not ch["mark"] else f"{ch['title']} [{ch['mark']}]"
        doc.add_heading(title, level=1)
        if ch["lead"]:
            _para(doc, ch["lead"], STYLES["lead"])
        if ch["kind"] == "free":
            _para(doc, ch["mark"], STYLES["todo"])
            for g in ch["guidance"]:
                _para(doc, g, STYLES["guidance"])
            _para(doc, h["fill"])
            continue
        if ch["kind"] == "sources":
            _table(doc, [h["what"], h["value"]], [[f["label"], f["text"]] for f in ch["facts"]])
            if ch.get("sources"):
                doc.add_heading(h["sources"], level=2)
                for s in ch["sources"]:
                    _para(doc, s, "List Bullet")
            if ch.get("datasets"):
                doc.add_heading(h["datasets"], level=2)
                for d in ch["datasets"]:
                    name = d.get("name_en") if lang == "en" and d.get("name_en") else d.get("name", "")
                    bits = [d.get("publisher"), d.get("table"), name, d.get("years"), d.get("url")]
                    _para(doc, " · ".join(str(b) for b in bits if b), "List Bullet")
            doc.add_heading(h["method"], level=2)
            for m in ch.get("method", []):
                _para(doc, m)
            continue
        if ch["empty"]:
            _para(doc, ch["empty"], STYLES["note"])
        if ch["facts"]:
            _table(doc, [h["what"], h["value"]], [[f["label"], f["text"]] for f in ch["facts"]])
        if ch["summary"]:
            for key in ("improved", "worsened"):
                names = ch["summary"][key]
                _para(doc, h[key] + ("; ".join(names) if names else h["none"]) + ".")
        for block in ch["blocks"]:
            _block(doc, block, lang, h)
        if ch["kind"] == "goals":
            _goals(doc, ch, lang, h)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


__all__ = ["STYLES", "report_docx"]
