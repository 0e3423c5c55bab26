"""'Why did it move?' (portal/decompose.py): the log-change decomposition on hand-made series, sentences,
breaks, and one real ratio recomputed from the raw GUS export."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from portal.decompose import (
    decompose_change,
    decompose_series,
    explain,
    ratio_parts,
    unit_decomposition,
)


def test_parts_add_up_to_the_change_of_the_value():
    # v = 100 · N / D: N 50 → 60 (+20%), D 1000 → 1100 (+10%); v 5.0 → 5.4545… (+9.09%).
    d = decompose_change((50, 60), (1000, 1100), multiplier=100)
    assert d["status"] == "ok"
    assert d["numerator_part"] == pytest.approx(math.log(1.2))
    assert d["denominator_part"] == pytest.approx(-math.log(1.1))
    assert d["total"] == pytest.approx(math.log(6 / 5.5))
    assert d["numerator_part"] + d["denominator_part"] == pytest.approx(d["total"])
    assert d["residual"] == pytest.approx(0, abs=1e-12)
    assert d["numerator_only"] == pytest.approx(0.2)
    assert d["denominator_only"] == pytest.approx(1 / 1.1 - 1)
    assert d["relative_change"] == pytest.approx(60 / 1100 / (50 / 1000) - 1)
    assert d["driver"] == "both"


def test_a_falling_denominator_alone_raises_a_per_resident_value():
    # The same spending, 5% fewer residents: all of the rise is the denominator's.
    d = decompose_change((2_000_000, 2_000_000), (10_000, 9_500))
    assert d["numerator_part"] == 0
    assert d["denominator_part"] == pytest.approx(-math.log(0.95))
    assert d["driver"] == "denominator"
    assert d["relative_change"] == pytest.approx(10_000 / 9_500 - 1)


def test_published_values_are_used_and_rounding_shows_as_residual():
    d = decompose_change((50, 60), (1000, 1100), value=(5.0, 5.5), multiplier=100)
    assert d["total"] == pytest.approx(math.log(1.1))
    assert d["residual"] == pytest.approx(math.log(1.1) - math.log(6 / 5.5))


@pytest.mark.parametrize("num,den", [((0, 3), (100, 100)), ((5, None), (100, 100)), ((5, 6), (100, 0))])
def test_undefined_changes_are_said_not_invented(num, den):
    d = decompose_change(num, den)
    assert d["status"] == "undefined"
    assert d["numerator_part"] is None and d["reason"]


def test_a_total_without_denominator_is_all_numerator():
    d = decompose_change((1000, 1100), None)
    assert d["denominator_part"] == 0
    assert d["driver"] == "numerator"
    assert d["total"] == pytest.approx(math.log(1.1))


def test_series_names_the_break_that_explains_a_jump():
    years = [2018, 2019, 2020, 2021, 2022]
    num = [100, 102, 104, 150, 152]  # a jump in 2021
    den = [1000, 1000, 1000, 1000, 1000]
    breaks = [{"year": 2023, "earliest": 2021, "change": "type",
               "reason": {"pl": "zmiana typu gminy", "en": "change of gmina type"}}]
    out = decompose_series(years, num, den, breaks=breaks)
    assert [(d["year_from"], d["year_to"]) for d in out] == [(2018, 2019), (2019, 2020), (2020, 2021),
                                                            (2021, 2022)]
    assert [d["jump"] for d in out] == [False, False, True, False]
    # The break's window 2021–2023 overlaps (2020, 2021] and (2021, 2022], not the earlier changes.
    assert [bool(d["breaks"]) for d in out] == [False, False, True, True]
    text = explain(out[2], "pl", "wydatki", "ludność")
    assert "przerwa w szeregu: zmiana typu gminy" in text and "Skok może wynikać" in text
    assert "Licznik – wydatki – wzrósł o 44,2%" in text
    assert "Mianownik – ludność – nie zmienił się" in text
    assert "głównie ze zmiany licznika" in text


def test_series_lengths_must_agree():
    with pytest.raises(ValueError):
        decompose_series([2019, 2020], [1, 2], [1])


def test_english_sentence():
    d = decompose_series([2019, 2020], [50, 50], [1000, 900])[0]
    text = explain(d, "en", "spending", "residents")
    assert text.startswith("Between 2019 and 2020 the value rose by 11.1%.")
    assert "The denominator – residents – fell by 10.0%" in text
    assert "Mostly the denominator's change." in text


def test_only_official_ratio_indicators_have_parts(store):
    ratios = [i for i in store.catalogue.indicators if ratio_parts(i)]
    assert ratios, "the official edition has ratio indicators"
    for ind in store.catalogue.indicators:
        parts = ratio_parts(ind)
        if parts is not None:
            assert parts[0] == ind.real.numerator and parts[1] == ind.real.denominator


def test_unit_decomposition_without_measures_says_why(store):
    ind = next(i for i in store.catalogue.indicators if ratio_parts(i) and ratio_parts(i)[1])
    teryt = "1261011"
    out = unit_decomposition(store, ind.id, teryt, measures=lambda m, t: {})
    assert out["available"] is False and out["reason"]["pl"]
    with pytest.raises(ValueError):
        unit_decomposition(store, "no-such-indicator", teryt)


AGE_FILE = Path("bdl-population-age-2010-2019") / "ludnosc.csv"


def _raw_age_groups(raw: Path, teryt: str) -> dict[str, dict[int, float]]:
    """Kraków's population by economic age group, read straight from the GUS export."""
    with open(raw / AGE_FILE, encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, row = rows[0], next(r for r in rows if r and r[0] == teryt)
    out: dict[str, dict[int, float]] = {}
    for col, cell in zip(header[2:], row[2:], strict=False):
        parts = col.split(";")
        if len(parts) < 3 or not cell.strip():
            continue
        out.setdefault(parts[0], {})[int(parts[2])] = float(cell)
    return out


def test_real_ratio_recomputed_from_the_raw_export(store, settings):
    """udzial-przedprodukcyjny = 100 · pre-working / population: the parts, computed from the raw GUS file,
    add up to the change of the release's published value (to its rounding)."""
    ind = store.indicator("udzial-przedprodukcyjny")
    if ind is None or ratio_parts(ind) is None:
        pytest.skip("the edition has no udzial-przedprodukcyjny ratio")
    groups = _raw_age_groups(Path(settings.raw_path), "1261011")
    pre = groups["w wieku przedprodukcyjnym"]
    total = {y: pre[y] + groups["w wieku produkcyjnym"][y] + groups["w wieku poprodukcyjnym"][y] for y in pre}
    measures = {"pop_pre_working": pre, "population": total}
    out = unit_decomposition(store, ind.id, "1261011", measures=lambda m, t: measures.get(m, {}))
    assert out["available"]
    by_years = {(d["year_from"], d["year_to"]): d for d in out["changes"]}
    d = by_years[(2018, 2019)]
    published = {p["year"]: p["value"] for p in store.series(ind.id, "1261011")}
    assert d["total"] == pytest.approx(math.log(published[2019] / published[2018]))
    assert d["numerator_part"] == pytest.approx(math.log(pre[2019] / pre[2018]))
    assert d["denominator_part"] == pytest.approx(-math.log(total[2019] / total[2018]))
    # Published values carry the catalogue's decimals: the residual is rounding only.
    assert abs(d["residual"]) < 10 ** -ind.decimals / published[2019]
    assert d["sentence"].count("Licznik – ") == 1


def test_decomposition_api(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True
    client = app.server.test_client()
    r = client.get("/api/v1/units/1261011/decomposition/udzial-przedprodukcyjny")
    body = r.get_json()
    r.close()
    assert r.status_code == 200 and body["meta"]["data_version"]
    assert body["method"]["pl"].startswith("Rozkład zmiany logarytmicznej")
    assert body["available"] is False or body["changes"]
    for url in ("/api/v1/units/9999999/decomposition/ludnosc", "/api/v1/units/1261011/decomposition/nie-ma"):
        r = client.get(url)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
        r.close()


class _WithParts:
    """A store whose series carry each value's numerator and denominator (as the release's cubes will)."""

    def __init__(self, store, indicator: str, teryt: str, parts: dict[int, tuple[float, float]]) -> None:
        self._s, self.catalogue, self.units = store, store.catalogue, store.units
        self.indicator, self.teryt, self.parts = indicator, teryt, parts
        self.changes, self.meta = store.changes, store.meta

    def is_synthetic(self, indicator_id: str) -> bool:
        return False

    def series(self, indicator_id: str, teryt: str) -> list[dict]:
        ind = self.catalogue.by_id[indicator_id]
        m = ind.real.multiplier
        return [{"year": y, "value": m * n / d, "flag": "ok", "synthetic": False, "numerator": n,
                 "denominator": d} for y, (n, d) in sorted(self.parts.items())]


def test_parts_are_read_from_the_series_when_the_release_keeps_them(store):
    ind = next(i for i in store.catalogue.indicators if ratio_parts(i) and ratio_parts(i)[1])
    parts = {2019: (100.0, 1000.0), 2020: (110.0, 1000.0), 2021: (110.0, 1100.0)}
    out = unit_decomposition(_WithParts(store, ind.id, "1261011", parts), ind.id, "1261011")
    assert out["available"] and [(d["year_from"], d["driver"]) for d in out["changes"]] == [
        (2019, "numerator"), (2020, "denominator")]
    assert out["changes"][0]["numerator_part"] == pytest.approx(math.log(1.1))
    assert out["changes"][1]["denominator_part"] == pytest.approx(-math.log(1.1))
