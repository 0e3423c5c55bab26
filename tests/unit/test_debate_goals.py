"""Goals in the debate pack (issue 16): a pack link that carries goals (``cele=``) gets a goals page – target
against actual, the path, on / off track – with the same rows as the report; the goals page links to it; a
damaged ``cele`` is a 400 naming it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from layouts.goals import goal_list
from portal import goals as goals_mod
from portal.debate_pack import debate_pack_pdf
from portal.report_blocks import goal_rows
from tests.unit._tree import find
from tests.unit.test_debate_pack import outline, page_texts

KRAKOW = "1261011"


@pytest.fixture(scope="module")
def goals(store):
    ind = next(i for i in store.catalogue.indicators
               if "gmina" in i.levels and len(store.years(i.id, "gmina")) >= 4 and not store.is_synthetic(i.id)
               and i.direction == "higher_better")
    years = store.years(ind.id, "gmina")
    series = {p["year"]: p["value"] for p in store.series(ind.id, KRAKOW)}
    base, latest = series[years[-4]], series[years[-1]]
    # One goal already reached (its target is today's value) and one far away (double the baseline).
    return (goals_mod.Goal("Utrzymać poziom", (goals_mod.Target(ind.id, years[-4], latest, years[-1] + 3),)),
            goals_mod.Goal("Podwoić", (goals_mod.Target(ind.id, years[-4], base * 2, years[-1] + 3),)))


def test_the_pack_has_a_goals_section_only_when_goals_are_given(store, goals):
    ids = [goals[0].targets[0].indicator]
    plain = debate_pack_pdf(store, KRAKOW, ids, "pl", compress=False)
    with_goals = debate_pack_pdf(store, KRAKOW, ids, "pl", compress=False, goals=goals)
    assert "Cele i wartości docelowe" not in outline(plain)
    assert "Cele i wartości docelowe" in outline(with_goals)
    assert outline(with_goals).index("Cele i wartości docelowe") < outline(with_goals).index(
        "1/1. " + store.indicator(ids[0]).name.pl)
    assert len(page_texts(with_goals)) == len(page_texts(plain)) + 1  # one page more
    en = debate_pack_pdf(store, KRAKOW, ids, "en", compress=False, goals=goals)
    assert "Goals and targets" in outline(en)


def test_the_goals_rows_are_the_reports(store, goals):
    rows = goal_rows(store, KRAKOW, goals, None, "pl")
    assert rows[0]["status"] == "achieved"
    assert rows[1]["status"] in ("off_track", "missed")
    target = rows[1]["targets"][0]
    # Recomputed: the path runs straight from the baseline to the target.
    t = goals[1].targets[0]
    year = target["year"]
    expected = t.target_value / 2 + (t.target_value / 2) * (year - t.baseline_year) / (t.target_year - t.baseline_year)
    assert target["path_value"] == pytest.approx(expected)
    assert target["status_text"] == "poza ścieżką"


def test_the_api_reads_cele_and_names_it_when_damaged(store, goals):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True
    client = app.server.test_client()
    cele = goals_mod.encode(goals)
    r = client.get("/pobierz/pakiet.pdf", query_string={"jst": KRAKOW, "cele": cele})
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r.close()
    r = client.get("/pobierz/pakiet.pdf", query_string={"jst": KRAKOW, "cele": "zepsute!!"})
    assert r.status_code == 400 and "„cele”" in r.get_data(as_text=True)
    r.close()


def test_the_goals_page_links_to_the_pack_with_its_goals(store, goals):
    children = goal_list(store, KRAKOW, goals, "pl")
    links = find(children, lambda c: "goals-pack" in (getattr(c, "className", "") or ""))
    assert len(links) == 1
    query = parse_qs(urlparse(links[0].href).query)
    assert query["jst"] == [KRAKOW]
    assert goals_mod.decode(query["cele"][0], goals_mod.known_indicator_ids(store)) == goals
    assert query["wskazniki"] == [goals[0].targets[0].indicator]
    assert links[0].children == "Pakiet na debatę z tymi celami (PDF)"
