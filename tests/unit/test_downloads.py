"""Downloads: CSV with BOM, header block and synthetic column; XLSX with both sheets; formula injection."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from portal.api.table_files import HEADER_LINES, Table, write_csv, write_xlsx
from portal.pipeline.downloads import neutralise


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    # Only the JSON, file and embed routes are used here: skip Dash's first-request setup, which would take the
    # page callbacks (declared globally) for this app and leave none for a later app that serves pages.
    app._got_first_request["setup_server"] = True
    return app.server.test_client()


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_ranking_csv_has_bom_header_block_and_columns(client):
    r = client.get("/pobierz/ranking.csv?wskaznik=egzamin-8-matematyka&poziom=gminy&rok=2024")
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = _rows(r.data.decode("utf-8"))
    head = [row[0] for row in rows[:HEADER_LINES]]
    assert head[1].startswith("Źródło: ") and "CKE" in head[1]
    assert head[2].startswith("Wersja danych: ") and len(head[2]) > len("Wersja danych: ")
    assert head[3] == f"Pobrano: {date.today().isoformat()}"
    assert head[4].startswith("Uwaga: ")
    assert rows[HEADER_LINES] == []
    columns = rows[HEADER_LINES + 1]
    assert columns[:4] == ["miejsce", "miejsce_wsrod_podobnych", "liczba_podobnych", "teryt"]
    assert columns[-1] == "syntetyczne"
    data = rows[HEADER_LINES + 2:]
    assert len(data) > 2000 and {row[-1] for row in data} <= {"tak", "nie"}


def test_synthetic_indicator_says_so(client):
    r = client.get("/pobierz/wartosci.csv?wskaznik=kanalizacja-odsetek&poziom=powiaty&demo=1")  # the demo edition
    rows = _rows(r.data.decode("utf-8"))
    assert "syntetyczne" in rows[4][0] and "nie są danymi urzędowymi" in rows[4][0]
    assert rows[HEADER_LINES + 2][-1] == "tak"


def test_formula_injection_is_neutralised_but_numbers_stay_numbers():
    table = Table("t", "=HYPERLINK(\"x\")", ["teryt", "jednostka", "wartosc", "syntetyczne"],
                  [["0201011", "=cmd|' /C calc'!A0", -12.5, True], ["0201022", "+Gmina", 3.0, False],
                   ["0201033", "@SUM(1)", None, False], ["0201044", "\tTab", 1.25, False],
                   ["0201055", "-minus", -1.0, False]],
                  synthetic=True, sources=["Źródło: test"], version="v1")
    rows = _rows(write_csv(table))
    assert rows[0][0].startswith("Tabela: ")  # the whole line is text starting with "T": safe
    data = rows[HEADER_LINES + 2:]
    assert [r[1] for r in data] == ["'=cmd|' /C calc'!A0", "'+Gmina", "'@SUM(1)", "'\tTab", "'-minus"]
    assert [r[2] for r in data] == ["-12,5", "3", "", "1,25", "-1"]
    assert neutralise("\rx") == "'\rx" and neutralise("Gmina") == "Gmina"


def test_unit_named_with_equals_through_the_route(client, monkeypatch):
    from portal.store import get_store

    store = get_store()
    teryt = "1218093"
    units = store.units.copy()
    units.loc[teryt, "display_name"] = "=2+5"
    monkeypatch.setattr(store, "units", units)
    r = client.get(f"/pobierz/ranking.csv?wskaznik=egzamin-8-matematyka&poziom=gminy&jst={teryt}&podobne=1")
    row = next(r for r in _rows(r.data.decode("utf-8")) if len(r) > 3 and r[3] == teryt)
    assert row[4] == "'=2+5"


def test_xlsx_has_both_sheets(client):
    from openpyxl import load_workbook

    r = client.get("/pobierz/profil.xlsx?jst=1218093")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data), read_only=True)
    assert wb.sheetnames == ["dane", "informacje"]
    header = next(wb["dane"].iter_rows(values_only=True))
    assert header[-1] == "syntetyczne"
    info = {row[0]: row[1] for row in wb["informacje"].iter_rows(values_only=True) if row and row[0]}
    assert info["Wersja danych"] and info["Pobrano"] == date.today().isoformat() and "Uwaga" in info


def test_xlsx_writer_neutralises_text_cells():
    from openpyxl import load_workbook

    table = Table("t", "t", ["jednostka", "wartosc"], [["=1+1", -3.5]], synthetic=False, version="v")
    wb = load_workbook(io.BytesIO(write_xlsx(table)))
    assert [c.value for c in wb["dane"][2]] == ["'=1+1", -3.5]


@pytest.mark.parametrize("url", [
    "/pobierz/porownanie.csv?jst=1218093,1218013&obszar=edukacja",
    "/pobierz/porownanie.xlsx?jst=1218093",
    "/pobierz/profil.csv?jst=1218093&rok=2023",
    "/pobierz/wartosci.xlsx?wskaznik=ludnosc&poziom=wojewodztwa",
    "/pobierz/wartosci.csv?wskaznik=egzamin-8-matematyka&poziom=gminy&od=2023&do=2024",
    "/pobierz/budzet.csv?jst=1218093&rok=2023",
    "/pobierz/ranking.xlsx?wskaznik=egzamin-8-matematyka",
])
def test_every_table_downloads(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("url", "parameter"), [
    ("/pobierz/ranking.csv", "wskaznik"),
    ("/pobierz/ranking.csv?wskaznik=nie-ma", "wskaznik"),
    ("/pobierz/ranking.csv?wskaznik=ludnosc&rok=abc", "rok"),
    ("/pobierz/ranking.csv?wskaznik=ludnosc&rok=1999", "rok"),
    ("/pobierz/ranking.csv?wskaznik=ludnosc&poziom=xx", "poziom"),
    ("/pobierz/profil.csv?jst=99", "jst"),
    ("/pobierz/porownanie.csv?jst=" + ",".join(["1218093"] * 101), "jst"),
])
def test_bad_parameters_are_400(client, url, parameter):
    r = client.get(url)
    assert r.status_code == 400 and f"„{parameter}”" in r.data.decode("utf-8")


def test_whole_release_is_a_file_built_with_the_release(client):
    # Built once by `omup data build` (portal/pipeline/downloads.py), sent as a file: Content-Length, no stream.
    r = client.get("/pobierz/wydanie.csv", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip" and int(r.headers["Content-Length"]) > 0
    import gzip

    first = gzip.GzipFile(fileobj=io.BytesIO(r.get_data())).read(2000).decode("utf-8")
    assert first.startswith("\ufeff") and "Wersja danych" in first
    r.close()
