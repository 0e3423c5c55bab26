"""The report on the state of the unit (portal/report.py, portal/report_docx.py, portal/report_charts.py):
chapters from the catalogue, numbers recomputed from the release and the raw GUS file, the URL choice, and
the Word document opened with python-docx for Kraków, a rural gmina and a powiat."""

from __future__ import annotations

import csv
import io
import statistics
from pathlib import Path

import pytest
from docx import Document

from portal.explain import format_number, format_value
from portal.goals import Goal, Target
from portal.report import (
    FREE,
    GOALS,
    NO_OFFICIAL,
    NUMBERS,
    SOURCES,
    SYNTHETIC_LABEL,
    ReportChoice,
    build_report,
    change_judgement,
    chapters_for,
    choice_query,
    level_indicators,
    parse_choice,
    report_href,
    report_years,
)
from portal.report_charts import goal_chart, trend_chart
from portal.report_docx import STYLES, report_docx

KRAKOW, RURAL, POWIAT = "1261011", "1218082", "1218"  # Kraków, Tomice (gmina wiejska), powiat wadowicki
PNG = b"\x89PNG\r\n\x1a\n"


def _blocks(report: dict) -> dict[str, dict]:
    return {b["id"]: b for ch in report["chapters"] for b in ch["blocks"]}


def test_chapters_come_from_the_catalogue(store):
    chapters = chapters_for(store, KRAKOW)
    ids = [c["id"] for c in chapters]
    areas = [a.id for a in store.catalogue.areas if a.id != "kontekst"]
    assert ids[0] == NUMBERS and ids[-1] == SOURCES
    assert set(areas) <= set(ids) and GOALS in ids and set(FREE) <= set(ids)
    # Every indicator with values at the level sits in exactly one chapter: its area's (context: numbers).
    listed = [i for c in chapters for i in c["indicators"]]
    assert sorted(listed) == sorted(i.id for i in level_indicators(store, "gmina"))
    for c in chapters:
        for iid in c["indicators"]:
            area = store.catalogue.by_id[iid].area
            assert c["id"] == (NUMBERS if area == "kontekst" else area)


def test_kraków_numbers_match_the_release(store):
    report = build_report(store, KRAKOW)
    years = report_years(store, "gmina")
    assert report["year"] == years[-1] and report["title"] == "Raport o stanie miasta"
    blocks = _blocks(report)
    assert set(blocks) == {i.id for i in level_indicators(store, "gmina")}
    for iid, block in blocks.items():
        series = {p["year"]: p["value"] for p in store.series(iid, KRAKOW) if p["value"] is not None}
        if not series:
            assert block["value"] is None
            continue
        assert block["year"] == max(y for y in series if y <= report["year"])
        assert block["value"] == series[block["year"]]
        # Every number carries its source and the data version.
        assert block["facts"] and all(store.version in f["source"] for f in block["facts"])
        assert not block["synthetic"] and block["label"] is None
        point = store.point(iid, KRAKOW, block["year"])
        peer = [f for f in block["facts"] if f["label"].startswith("Mediana grupy")]
        if point["peer"] and point["peer"]["median"] is not None:
            assert peer and peer[0]["value"] == pytest.approx(point["peer"]["median"])


def test_similar_units_median_is_recomputed(store):
    report = build_report(store, KRAKOW)
    names = report["similar"]["units"]
    assert len(names) == 10
    block = _blocks(report)["ludnosc"]
    by_name = {store.units.at[t, "display_name"]: t for t in store.level_codes("gmina")}
    values = [{p["year"]: p["value"] for p in store.series("ludnosc", by_name[n])}.get(block["year"])
              for n in names]
    fact = next(f for f in block["facts"] if f["label"].startswith("Mediana 10"))
    assert fact["value"] == pytest.approx(statistics.median(v for v in values if v is not None))


def test_population_recomputed_from_the_raw_gus_file(store, settings):
    """Kraków's population in the report is the P1336 count of the GUS export, five years of it in the
    trend."""
    folder = Path(settings.raw_path) / "bdl-population-exact-2015-2024"
    path = next(folder.glob("LUDN_1336_CTAB_*.csv"))
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, row = rows[0], next(r for r in rows if r and r[0] == KRAKOW)
    raw = {int(h.split(";")[4]): float(c) for h, c in zip(header[2:], row[2:], strict=False) if c.strip()}
    block = _blocks(build_report(store, KRAKOW))["ludnosc"]
    assert block["value"] == raw[block["year"]]
    trend = block["trend"]
    assert trend["years"] == list(range(block["year"] - 4, block["year"] + 1))
    assert trend["values"] == [raw[y] for y in trend["years"]]
    judgement = change_judgement(raw[trend["years"][0]], raw[block["year"]], "neutral", 0)
    assert block["judgement"] == judgement
    y0, y1 = trend["years"][0], block["year"]

    def national(year: int) -> float:  # the median over every gmina with a value, recomputed
        values = store.slice("ludnosc", year, "gmina").value
        return float(statistics.median(v for v in values if v == v))

    if judgement != "stable":
        d = raw[y1] - raw[y0]
        sign = "+" if d > 0 else "−"
        verb = "wzrosła" if d > 0 else "spadła"
        assert block["change"] == (
            f"W latach {y0}–{y1} wartość {verb} ({y0}: {format_value(raw[y0], 'osób', 0)};"
            f" {y1}: {format_value(raw[y1], 'osób', 0)}; zmiana {sign}{format_value(abs(d), 'osób', 0)}, "
            f"{sign}{format_number(abs(d) / raw[y0] * 100, 1)}%). Dla porównania mediana w Polsce: {y0}: "
            f"{format_value(national(y0), 'osób', 0)}; {y1}: {format_value(national(y1), 'osób', 0)}.")


def test_change_rule():
    assert change_judgement(100, 100.9, "higher_better", 1) == "stable"   # under 1% of the first value
    assert change_judgement(100, 101.5, "higher_better", 1) == "improved"
    assert change_judgement(100, 98, "lower_better", 1) == "improved"
    assert change_judgement(100, 98, "higher_better", 1) == "worsened"
    assert change_judgement(0.0, 0.04, "neutral", 1) == "stable"         # under half of the last digit
    assert change_judgement(10, 12, "neutral", 1) == "rose"


def test_exam_scores_are_never_judged_between_years(store):
    # Every year's exam differs: a lower mean is not a worsening (catalogue: comparable_over_time: false).
    report = build_report(store, KRAKOW)
    blocks = [b for ch in report["chapters"] for b in ch.get("blocks", []) if b["id"].startswith("egzamin-8")]
    assert blocks
    for b in blocks:
        assert b["judgement"] is None and "nie są porównywalne" in b["change"]
    for ch in report["chapters"]:
        summary = ch.get("summary") or {}
        assert not any("egzamin" in n.lower() for n in summary.get("improved", []) + summary.get("worsened", []))


def test_areas_without_official_indicators_say_so(store):
    report = build_report(store, RURAL)
    for ch in report["chapters"]:
        if ch["kind"] == "area" and store.catalogue.area_by_id[ch["id"]].headline is None:
            assert ch["empty"] == NO_OFFICIAL["pl"] and not ch["blocks"]


def test_choice_round_trips_through_the_url(store):
    chapters = [NUMBERS, "edukacja", GOALS, "uchwaly"]
    inds = [i for c in chapters_for(store, POWIAT) for i in c["indicators"]][:2]
    goals = (Goal("Więcej mieszkańców", (Target("ludnosc", 2019, 160000, 2030),)),)
    choice = ReportChoice(year=report_years(store, "powiat")[-2], chapters=(*chapters, SOURCES),
                          indicators=tuple(inds), goals=goals)
    query = choice_query(store, POWIAT, choice)
    again = parse_choice(store, POWIAT, query)
    assert again.year == choice.year and again.chapters == choice.chapters and again.goals == goals
    assert set(again.indicators) == set(inds)
    assert report_href(store, POWIAT, choice, docx=True).startswith(f"/raport/{POWIAT}.docx?rok=")


@pytest.mark.parametrize("params", [{"rok": "abc"}, {"rok": "1900"}, {"rozdzialy": "nie-ma,,"},
                                    {"wskazniki": "x" * 300}, {"cele": "!!!"}, {"bez": ","}])
def test_bad_url_values_fall_back(store, params):
    choice = parse_choice(store, KRAKOW, params)
    report = build_report(store, KRAKOW, choice)
    assert report["chapters"][-1]["id"] == SOURCES
    if "cele" in params:
        assert "uszkodzony" in choice.goals_error
        assert next(c for c in report["chapters"] if c["id"] == GOALS)["empty"] == choice.goals_error


def test_goals_chapter_judges_against_the_report_year(store):
    goals = (Goal("Więcej mieszkańców", (Target("ludnosc", 2019, 900_000, 2030),)),)
    report = build_report(store, KRAKOW, ReportChoice(goals=goals))
    ch = next(c for c in report["chapters"] if c["id"] == GOALS)
    target = ch["goals"][0]["targets"][0]
    assert target["baseline"] == {p["year"]: p["value"] for p in store.series("ludnosc", KRAKOW)}[2019]
    assert target["status"] in ("on_track", "off_track") and ch["rule"]


def test_demo_edition_labels_every_synthetic_line():
    from portal.store import get_store

    demo = get_store(demo=True)
    if not demo.synthetic_ids:
        pytest.skip("this release has no demo edition")
    report = build_report(demo, KRAKOW)
    synthetic = [b for b in _blocks(report).values() if b["synthetic"]]
    assert synthetic and report["synthetic"]
    for b in synthetic:
        assert b["label"] == SYNTHETIC_LABEL["pl"] and all(f["synthetic"] for f in b["facts"])
        assert "OMUP" in b["source"] and demo.version in b["source"]
    # A chapter of synthetic indicators only, and one mixing them with official ones (if the edition has one).
    by_chapter = {c["id"]: c["blocks"] for c in report["chapters"] if c["blocks"]}
    only = next(cid for cid, bl in by_chapter.items() if all(b["synthetic"] for b in bl))
    doc = Document(io.BytesIO(report_docx(build_report(demo, KRAKOW,
                                                        ReportChoice(chapters=(only, SOURCES))))))
    lines = [p.text for p in doc.paragraphs]
    cells = [row.cells[1].text for t in doc.tables for row in t.rows[1:] if len(row.cells) == 4]
    assert cells and all(c.startswith(f"[{SYNTHETIC_LABEL['pl']}]") for c in cells)
    sentences = [t for t in lines if t.startswith("W 20") or t.startswith("W latach")]
    assert not sentences  # every sentence about a synthetic value starts with the label instead
    assert any(t.startswith(f"[{SYNTHETIC_LABEL['pl']}] W ") for t in lines)
    for cid, blocks in by_chapter.items():
        if any(b["synthetic"] for b in blocks) and not all(b["synthetic"] for b in blocks):
            choice = ReportChoice(chapters=(cid, SOURCES))
            doc = Document(io.BytesIO(report_docx(build_report(demo, KRAKOW, choice))))
            cells = [row.cells[1].text for t in doc.tables for row in t.rows[1:] if len(row.cells) == 4]
            labelled = sum(c.startswith(f"[{SYNTHETIC_LABEL['pl']}]") for c in cells)
            assert labelled == sum(len(b["facts"]) for b in blocks if b["synthetic"])
            assert len(cells) - labelled == sum(len(b["facts"]) for b in blocks if not b["synthetic"])
            break


def test_charts_are_images(store):
    block = _blocks(build_report(store, KRAKOW))["ludnosc"]
    png = trend_chart(block["trend"], "pl", "png")
    svg = trend_chart(block["trend"], "pl", "svg")
    assert png.startswith(PNG) and len(png) > 5000
    assert b"<svg" in svg[:400]
    target = {"trajectory": [{"year": 2019, "path": 1.0, "actual": 1.0},
                             {"year": 2020, "path": 2.0, "actual": 1.5}],
              "target": 3.0, "target_year": 2021, "decimals": 1, "synthetic": False,
              "unit": {"pl": "%", "en": "%"}}
    assert goal_chart(target).startswith(PNG)


def _docx(store, teryt: str, choice: ReportChoice) -> Document:
    return Document(io.BytesIO(report_docx(build_report(store, teryt, choice))))


@pytest.mark.parametrize("teryt", [KRAKOW, RURAL, POWIAT])
def test_docx_opens_with_chosen_chapters_charts_and_sources(store, teryt):
    level = store.units.at[teryt, "level"]
    all_ch = chapters_for(store, teryt)
    with_data = [c["id"] for c in all_ch if c["indicators"]]
    chosen = (NUMBERS, *[c for c in with_data if c != NUMBERS][:1], "uchwaly", GOALS, SOURCES)
    goals = (Goal("Więcej mieszkańców", (Target("ludnosc", 2019, 1e6, 2030),)),)
    doc = _docx(store, teryt, ReportChoice(chapters=chosen, goals=goals))
    headings1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    titles = {c["id"]: c["title"] for c in all_ch}
    for cid in chosen:
        assert any(h.startswith(titles[cid]) for h in headings1), cid
    left_out = [c["id"] for c in all_ch if c["id"] not in chosen]
    assert left_out and not any(h.startswith(titles[c]) for c in left_out for h in headings1 if titles[c])
    # The data-free chapter is a marked heading with guidance in OMUP's own styles.
    assert any(h.endswith("[DO UZUPEŁNIENIA]") for h in headings1)
    used = {p.style.name for p in doc.paragraphs}
    assert {STYLES["todo"], STYLES["guidance"], STYLES["source"], STYLES["text"]} <= used
    # Real charts: PNG images of the trends (one per indicator with two or more values) and of the goal.
    images = [r.target_part.blob for r in doc.part.rels.values() if "image" in r.reltype]
    report = build_report(store, teryt, ReportChoice(chapters=chosen, goals=goals))
    charts = sum(1 for b in _blocks(report).values() if b["trend"] and b["trend"]["chart"])
    assert charts >= 1 and len(images) == charts + 1
    assert all(img.startswith(PNG) for img in images)
    # Sources with the data version on every row of numbers; the sources chapter names GUS.
    rows = [row for t in doc.tables for row in t.rows[1:] if len(row.cells) == 4]
    assert rows and all(store.version in row.cells[3].text for row in rows)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "GUS" in text and store.version in text
    assert level in ("gmina", "powiat")


# --------------------------------------------------------------------------- HTTP, page and callback


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True
    return app.server.test_client()


def test_docx_route(client, store):
    r = client.get(f"/raport/{POWIAT}.docx?rozdzialy={NUMBERS},uchwaly")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    year = report_years(store, "powiat")[-1]
    assert f'filename="raport-{POWIAT}-{year}.docx"' in r.headers["Content-Disposition"]
    doc = Document(io.BytesIO(r.data))
    r.close()
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[1:] == ["Jednostka w liczbach", "Realizacja uchwał rady powiatu [DO UZUPEŁNIENIA]",
                            "Źródła i metoda"]
    for url, status in (("/raport/9999999.docx", 404), (f"/raport/{KRAKOW}.docx?rok=abc&cele=!!", 200),
                        (f"/raport/{KRAKOW}/wykres/ludnosc.svg", 200),
                        (f"/raport/{KRAKOW}/wykres/nie-ma.svg", 404)):
        r = client.get(url)
        assert r.status_code == status, url
        r.close()


def test_report_page_and_its_callback(client, store):
    from callbacks.report import update
    from layouts import routes
    from portal import ids, routing

    r = client.get(f"/raport/{KRAKOW}")
    assert r.status_code == 200
    r.close()
    assert routing.title_of(f"/raport/{KRAKOW}") == "Raport: Kraków – OMUP"
    page = routes.render(f"/raport/{KRAKOW}", "?rozdzialy=w-liczbach,edukacja")
    text = repr(page)
    assert "Raport o stanie miasta" in text
    assert "id='rozdzial-w-liczbach'" in text and "id='rozdzial-uchwaly'" not in text
    # Unticking a chapter writes the choice to the URL and rebuilds the body and the DOCX link.
    chapters = [c["id"] for c in chapters_for(store, KRAKOW) if c["id"] not in ("uchwaly", "programy")]
    specs = [ids.report_indicators(c["id"]) for c in chapters_for(store, KRAKOW) if c["indicators"]]
    values = [[i for c in chapters_for(store, KRAKOW) if c["id"] == s["chapter"] for i in c["indicators"]]
              for s in specs]
    left_out, values[0] = values[0][0], values[0][1:]  # leave out the first context indicator
    search, body, href, *_ = update("indicators", "2024", chapters, values, specs, "", f"/raport/{KRAKOW}")
    choice = parse_choice(store, KRAKOW, dict(p.split("=", 1) for p in search.lstrip("?").split("&")))
    assert choice.year == 2024 and "uchwaly" not in choice.chapters
    assert choice.indicators is not None and left_out not in choice.indicators
    assert set(values[0]) <= set(choice.indicators)
    assert href.startswith(f"/raport/{KRAKOW}.docx?rok=2024")
    assert "id='rozdzial-uchwaly'" not in repr(body) and "id='rozdzial-edukacja'" in repr(body)
