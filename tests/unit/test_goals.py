"""Goals and targets (portal/goals.py): the goals file, the URL value, the path and the status rule."""

from __future__ import annotations

import base64
import io
import zlib

import pytest

from portal.goals import (
    MAX_GOALS,
    Goal,
    GoalsFileError,
    Target,
    add_target,
    decode,
    encode,
    evaluate,
    evaluate_target,
    goal_status,
    judge,
    known_indicator_ids,
    parse_csv,
    path_value,
    remove_goal,
    to_csv,
)

H = "cel,wskaznik,rok_bazowy,wartosc_docelowa,rok_docelowy\n"
NOT_JSON = base64.urlsafe_b64encode(zlib.compress(b"hello")).decode().rstrip("=")
KNOWN = {"ludnosc", "egzamin-8-matematyka", "przedszkola-3-5"}
FILE = """cel,wskaznik,rok_bazowy,wartosc_docelowa,rok_docelowy
"Lepsza szkoła, lepsze wyniki",egzamin-8-matematyka,2021,60,2030
"Lepsza szkoła, lepsze wyniki",przedszkola-3-5,2020,95.5,2030
Więcej mieszkańców,ludnosc,2015,810000,2030
"""


def test_file_reads_into_goals_grouped_by_text():
    goals = parse_csv(FILE, KNOWN)
    assert [g.text for g in goals] == ["Lepsza szkoła, lepsze wyniki", "Więcej mieszkańców"]
    assert goals[0].targets == (Target("egzamin-8-matematyka", 2021, 60.0, 2030),
                                Target("przedszkola-3-5", 2020, 95.5, 2030))
    assert goals[1].targets[0].target_value == 810000


def test_export_then_import_gives_the_same_goals():
    goals = parse_csv(FILE, KNOWN)
    assert parse_csv(to_csv(goals), KNOWN) == goals
    assert parse_csv(to_csv(goals).encode("utf-8"), KNOWN) == goals
    assert decode(encode(goals), KNOWN) == goals


def test_semicolons_decimal_commas_bom_comments_and_english_header():
    text = ("\ufeff# cele gminy\n\ntarget_year;target_value;baseline_year;indicator;goal\n"
            "2030;95,5;2020;przedszkola-3-5;Przedszkola\n")
    goals = parse_csv(text.encode("utf-8"), KNOWN)
    assert goals == (Goal("Przedszkola", (Target("przedszkola-3-5", 2020, 95.5, 2030),)),)


@pytest.mark.parametrize(
    "body,line,words",
    [
        ("cel,wskaznik,rok_bazowy\n", 1, "brak kolumn: wartosc_docelowa, rok_docelowy"),
        (H + "A,ludnosc,2015,dużo,2030\n", 2, "nie jest liczbą"),
        (H + "A,ludnosc,2015,1,2030\nB,nie-ma,2015,1,2030\n", 3,
         "nieznany wskaźnik „nie-ma”"),
        (H + "\n# x\nA,ludnosc,2030,1,2020\n", 4,
         "rok docelowy musi być późniejszy"),
        (H + "A,ludnosc,15,1,2030\n", 2, "nie jest rokiem"),
        (H + ",ludnosc,2015,1,2030\n", 2, "pusta treść celu"),
        (H + "A,ludnosc,2015\n", 2, "za mało pól"),
        (H + "A,ludnosc,2015,1,2030\nA,ludnosc,2016,2,2030\n", 3,
         "już przypisany"),
        (H + "\"A,ludnosc,2015,1,2030\n", 2, "błędny zapis CSV"),
    ],
)
def test_bad_files_name_the_line(body, line, words):
    with pytest.raises(GoalsFileError) as err:
        parse_csv(body, KNOWN)
    assert err.value.line == line
    assert words in err.value.message("pl")
    assert err.value.message("en").startswith(f"Line {line}: ")


def test_empty_binary_and_oversized_files():
    for body in ("", "\n# only a comment\n"):
        with pytest.raises(GoalsFileError, match="pusty"):
            parse_csv(body)
    with pytest.raises(GoalsFileError, match="UTF-8") as err:
        parse_csv(b"cel,wskaznik,rok_bazowy,wartosc_docelowa,rok_docelowy\nA\xff,ludnosc,2015,1,2030\n")
    assert err.value.line == 2
    with pytest.raises(GoalsFileError, match="za duży"):
        parse_csv(b"x" * 70_000)


def test_goal_limit():
    rows = "".join(f"Cel {k},ludnosc,2015,1,2030\n" for k in range(MAX_GOALS + 1))
    with pytest.raises(GoalsFileError) as err:
        parse_csv("cel,wskaznik,rok_bazowy,wartosc_docelowa,rok_docelowy\n" + rows)
    assert err.value.line == MAX_GOALS + 2


@pytest.mark.parametrize("value", ["x", "!!!", encode([Goal("A", (Target("ludnosc", 2015, 1, 2030),))])[:-3],
                                   NOT_JSON, "A" * 4000])
def test_damaged_url_values_are_rejected(value):
    with pytest.raises(GoalsFileError, match="uszkodzony"):
        decode(value)


def test_url_value_with_an_unknown_indicator_is_rejected():
    value = encode([Goal("A", (Target("nie-ma", 2015, 1, 2030),))])
    assert decode(value)[0].targets[0].indicator == "nie-ma"
    with pytest.raises(GoalsFileError):
        decode(value, KNOWN)


def test_add_and_remove():
    goals = add_target((), "  Więcej  dzieci ", Target("przedszkola-3-5", 2020, 95, 2030))
    goals = add_target(goals, "Więcej dzieci", Target("ludnosc", 2020, 1, 2030))
    goals = add_target(goals, "Inny", Target("ludnosc", 2020, 1, 2030))
    assert [(g.text, len(g.targets)) for g in goals] == [("Więcej dzieci", 2), ("Inny", 1)]
    # The same indicator again replaces its target.
    goals = add_target(goals, "Więcej dzieci", Target("ludnosc", 2021, 5, 2031))
    assert goals[0].targets[-1] == Target("ludnosc", 2021, 5, 2031) and len(goals[0].targets) == 2
    assert [g.text for g in remove_goal(goals, 0)] == ["Inny"]
    with pytest.raises(GoalsFileError):
        add_target(goals, "", Target("ludnosc", 2020, 1, 2030))


def test_path_and_rule():
    assert path_value(50, 60, 2020, 2030, 2025) == 55
    # Rising target 50 → 60 over 2020–2030; in 2025 the path is at 55.
    assert judge(50, 60, 2020, 2030, 2025, 55.0) == "on_track"
    assert judge(50, 60, 2020, 2030, 2025, 54.96, decimals=1) == "on_track"  # within half of the last digit
    assert judge(50, 60, 2020, 2030, 2025, 54.9, decimals=1) == "off_track"
    assert judge(50, 60, 2020, 2030, 2025, 61) == "achieved"
    assert judge(50, 60, 2020, 2030, 2030, 59) == "missed"
    # Falling target (e.g. arrears down): on track when at or below the path.
    assert judge(10, 4, 2020, 2026, 2023, 7.0) == "on_track"
    assert judge(10, 4, 2020, 2026, 2023, 7.2) == "off_track"
    # Keep the level: judged by the indicator's direction.
    assert judge(50, 50, 2020, 2030, 2024, 51, "higher_better") == "achieved"
    assert judge(50, 50, 2020, 2030, 2024, 49, "higher_better") == "off_track"
    assert goal_status(["on_track", "achieved", "too_early"]) == "on_track"
    assert goal_status(["on_track", "off_track"]) == "off_track"
    assert goal_status(["too_early", "no_data"]) == "too_early"
    assert goal_status(["no_data"]) == "no_data"


def test_evaluate_on_the_release(store):
    """Kraków's population 2015 → target: the baseline is the release's value, the status follows the rule."""
    series = {p["year"]: p["value"] for p in store.series("ludnosc", "1261011") if p["value"] is not None}
    base, last_year = series[2015], max(series)
    target = Target("ludnosc", 2015, base * 1.2, 2035)
    out = evaluate_target(store, "1261011", target)
    assert out["baseline"] == base and out["year"] == last_year and out["value"] == series[last_year]
    expected_path = base + (base * 1.2 - base) * (last_year - 2015) / 20
    assert out["path_value"] == pytest.approx(expected_path)
    assert out["status"] == ("on_track" if series[last_year] >= expected_path - 0.5 else "off_track")
    assert out["needed_per_year"] == pytest.approx((base * 1.2 - series[last_year]) / (2035 - last_year))
    assert [p["year"] for p in out["trajectory"]][:2] == [2015, 2016]
    # Judged up to a year: the latest value at or before it.
    capped = evaluate_target(store, "1261011", target, upto_year=2019)
    assert capped["year"] == 2019
    early = evaluate_target(store, "1261011", Target("ludnosc", last_year, 1, 2040))
    assert early["status"] == "too_early"
    nodata = evaluate_target(store, "1261011", Target("ludnosc", 2001, 1, 2040))
    assert nodata["status"] == "no_data"
    goals = evaluate(store, "1261011", [Goal("A", (target, Target("ludnosc", 2001, 1, 2040)))])
    assert goals[0]["status"] == out["status"]


def test_known_ids_cover_the_whole_catalogue(store):
    ids = known_indicator_ids(store)
    assert {i.id for i in store.catalogue.indicators} <= ids


# --------------------------------------------------------------------------- HTTP and the page


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True
    return app.server.test_client()


def _view(store, goals) -> str:
    from layouts.goals import goal_list

    return repr([c.to_plotly_json() for c in goal_list(store, "1261011", goals, "pl")])


def test_export_then_import_gives_the_same_view(client, store):
    goals = (Goal("Więcej mieszkańców; i lepiej", (Target("ludnosc", 2019, 820_000.5, 2030),
                                                  Target("egzamin-8-matematyka", 2021, 60, 2028))),
             Goal("Drugi", (Target("ludnosc", 2015, 1, 2040),)))
    r = client.get(f"/pobierz/cele.csv?cele={encode(goals)}&jst=1261011")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert 'filename="cele-1261011.csv"' in r.headers["Content-Disposition"]
    exported = r.data
    r.close()
    r = client.post("/api/v1/cele?jst=1261011", data=exported, content_type="text/csv")
    body = r.get_json()
    r.close()
    assert r.status_code == 200
    again = decode(body["cele"])
    assert again == goals
    assert _view(store, again) == _view(store, goals)
    assert body["links"]["page"].startswith("/cele/1261011?cele=")
    assert body["links"]["report"].startswith("/raport/1261011?cele=")
    # A multipart upload (form field "plik") reads the same.
    r = client.post("/api/v1/cele", data={"plik": (io.BytesIO(exported), "cele.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and decode(r.get_json()["cele"]) == goals
    r.close()


@pytest.mark.parametrize("body,line", [
    (H + "A,ludnosc,2015,1,2030\nB,nie-ma,2015,1,2030\n", 3),
    (b"\x00\xff\xfe binary", 1),
    (b"", None),
    ("cel;wskaznik\n", 1),
])
def test_bad_files_are_a_400_naming_the_line(client, body, line):
    r = client.post("/api/v1/cele", data=body, content_type="text/csv")
    err = r.get_json()["error"]
    r.close()
    assert r.status_code == 400 and err["code"] == "invalid_goals_file" and err["line"] == line
    if line:
        assert err["message"].startswith(f"Wiersz {line}: ")
        assert err["message_en"].startswith(f"Line {line}: ")


def test_too_large_and_damaged_values(client):
    r = client.post("/api/v1/cele", data=b"x" * 70_000, content_type="text/csv")
    assert r.status_code == 413
    r.close()
    r = client.get("/pobierz/cele.csv?cele=!!!")
    assert r.status_code == 400 and "cele" in r.get_data(as_text=True)
    r.close()


def test_goals_page_and_its_callback(client, store):
    from callbacks.goals import update
    from portal import ids

    r = client.get("/cele/1261011")
    assert r.status_code == 200
    r.close()
    search, _listing, message, export, report = update(ids.GOALS_ADD, "Więcej mieszkańców", "ludnosc", 2019,
                                                       "900000", 2030, None, "", "/cele/1261011")
    value = search.split("cele=", 1)[1]
    assert decode(value) == (Goal("Więcej mieszkańców", (Target("ludnosc", 2019, 900_000.0, 2030),)),)
    assert message == "" and value in export and report.startswith("/raport/1261011?cele=")
    # A bad add and a bad file leave the goals and say what is wrong, naming the line.
    out = update(ids.GOALS_ADD, "", "ludnosc", 2019, "x", 2030, None, search, "/cele/1261011")
    assert "podaj rok bazowy" in out[2]
    bad = "data:text/csv;base64," + base64.b64encode((H + "A,ludnosc,2015,dużo,2030\n").encode()).decode()
    out = update(ids.GOALS_UPLOAD, None, None, None, None, None, bad, search, "/cele/1261011")
    assert out[2].startswith("Wiersz 2: ")
    text = H + "Lepsze wyniki,egzamin-8-matematyka,2021,60,2030\nLepsze wyniki,ludnosc,2019,1,2030\n"
    good = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
    out = update(ids.GOALS_UPLOAD, None, None, None, None, None, good, search, "/cele/1261011")
    assert out[2] == "" and decode(out[0].split("cele=", 1)[1]) == parse_csv(text)
