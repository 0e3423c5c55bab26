"""Downloads flag series breaks (territorial changes), so nobody reads a reform as a trend."""

from __future__ import annotations

import csv
import io

import pytest

from portal.breaks import break_flags, units_with_breaks


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    return create_app(settings).server.test_client()


def _rows(body: bytes) -> list[dict]:
    text = body.decode("utf-8-sig")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("teryt;"))
    return list(csv.DictReader(io.StringIO("\n".join(lines[start:])), delimiter=";"))


def test_values_csv_flags_the_years_at_a_break(client, store):
    indicator = "dochody-wlasne-na-mieszkanca"  # official, gminy 2010–2024
    flagged = {(t, y): r for t in sorted(units_with_breaks(store)) if len(t) == 7
               for y, r in break_flags(store, indicator, t).items()}
    assert flagged, "the change table should put some type changes inside 2015–2024"
    (teryt, year), reason = next(iter(flagged.items()))
    r = client.get(f"/pobierz/wartosci.csv?wskaznik={indicator}&poziom=gminy&rok={year}")
    assert r.status_code == 200
    rows = {row["teryt"]: row for row in _rows(r.data)}
    assert rows[teryt]["przerwa_w_serii"] == reason
    assert "typu gminy" in reason
    assert rows["1218093"]["przerwa_w_serii"] == ""  # Wadowice: no territorial change


def test_trend_embed_marks_the_break(client, store):
    from portal.breaks import break_years

    teryt, year = next((t, y) for t in sorted(units_with_breaks(store)) if len(t) == 7
                       for y in break_years(store, t) if 2015 < y <= 2024)
    r = client.get(f"/embed/trend?wskaznik=kanalizacja-odsetek&jst={teryt}")
    assert r.status_code == 200
    # The break is drawn as a dashed vertical line just before the first year of the new state.
    assert f'"x0":{year - 0.5}'.encode() in r.data.replace(b" ", b"")
