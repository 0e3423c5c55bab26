"""One verdict per card (portal/verdict.py): its year, and never two statements that contradict each other."""

from __future__ import annotations

import csv
import math

import numpy as np
import orjson
import pytest

from portal import uncertainty as u
from portal.explain import MIN_PEERS
from portal.verdict import MIN_TAKERS, base_rule, card_verdict, shown_year, unit_verdicts

RAW = "/work/shared/data-raw"
KRAKOW, WADOWICE, KRYNICA, KONSKOWOLA = "1261011", "1218093", "2210011", "0614053"
SAMPLED = [KRAKOW, WADOWICE, KRYNICA, KONSKOWOLA, "0201011", "1218", "12"]
DEBT = "dlug-na-mieszkanca"  # lower is better (demo)
ENGLISH = "egzamin-8-angielski"
JUDGING = ("lepsz", "gorsz", "najlepsz", "najsłabsz", "better", "worse", "best", "weakest")


def _raw_dir():
    import os

    return os.environ.get("OMUP_RAW_DIR", RAW)


# ------------------------------------------------------------------------------------------------ the year
def test_shown_year_is_the_latest_with_a_value_up_to_the_year_asked():
    series = [{"year": 2021, "value": 1.0}, {"year": 2022, "value": None}, {"year": 2023, "value": 3.0},
              {"year": 2024, "value": None}]
    assert shown_year(series) == 2023  # not 2024, the last year of the indicator, without a value
    assert shown_year(series, 2022) == 2021  # "as of 2022"
    assert shown_year(series, 2030) == 2023
    assert shown_year([{"year": 2023, "value": None}, {"year": 2024, "value": None}], 2023) == 2023
    assert shown_year([{"year": 2023, "value": None}, {"year": 2024, "value": None}]) == 2024
    assert shown_year([]) is None


def test_card_year_is_the_latest_with_a_value(demo_store):
    for ind in ("przedszkola-3-6-odsetek", DEBT, ENGLISH):
        series = demo_store.series(ind, WADOWICE)
        latest = max(p["year"] for p in series if p["value"] is not None)
        v = card_verdict(demo_store, ind, WADOWICE)
        assert v.year == latest and v.value == demo_store.point(ind, WADOWICE, latest)["value"]
        earlier = card_verdict(demo_store, ind, WADOWICE, year=latest - 1)
        assert earlier.year == latest - 1


# --------------------------------------------------------------------------------------- bands, direction
def test_krakow_debt_is_better_not_above_average(demo_store):
    """Issue 13: Kraków's debt, below its peers' median, read 'powyżej przeciętnej'."""
    v = card_verdict(demo_store, DEBT, KRAKOW)
    median = v.point["peer"]["median"]
    assert v.value < median
    assert v.kind == "band" and v.band[0] in ("best", "better")
    assert v.badge[1] in ("lepiej niż przeciętnie", "wśród najlepszych 20%")
    assert "lepszy" in v.phrase or "najlepszy" in v.phrase
    en = card_verdict(demo_store, DEBT, KRAKOW, lang="en")
    assert en.badge[1] in ("better than average", "among the best 20%")


@pytest.mark.parametrize("teryt", SAMPLED)
def test_directed_bands_never_say_above_or_below(demo_store, teryt):
    for v in unit_verdicts(demo_store, teryt):
        ind = demo_store.indicator(v.indicator)
        if v.kind == "band" and ind.direction != "neutral":
            assert v.badge[1] not in ("powyżej przeciętnej", "poniżej przeciętnej"), v.indicator
            # The band agrees with the sentence: a better share over one half is never called worse.
            if v.share > 0.6:
                assert v.band[0] in ("best", "better") and "gorszy" not in v.sentence
            if v.share < 0.4:
                assert v.band[0] in ("worst", "worse") and "lepszy" not in v.sentence


# ---------------------------------------------------------------------------------- one statement per value
@pytest.mark.parametrize("teryt", SAMPLED)
@pytest.mark.parametrize("lang", ["pl", "en"])
def test_a_value_gets_one_statement(demo_store, teryt, lang):
    verdicts = unit_verdicts(demo_store, teryt, lang=lang)
    kinds = {v.kind for v in verdicts}
    assert "band" in kinds
    for v in verdicts:
        orjson.dumps(v.as_dict())  # plain data for the API
        if v.kind == "chance":
            assert v.band is None and v.badge[0] == "chance" and v.chance_text
            assert not any(w in v.sentence.lower() for w in JUDGING), v.sentence
            assert ("przypadkowych wahań" if lang == "pl" else "chance variation") in v.sentence
            assert v.chance["flag"] == "within95" and not v.comparable
        elif v.kind == "band":
            assert v.band is not None and v.phrase in v.sentence and v.chance_text is None
            assert v.base_text is None and v.comparable
            # A rate outside the limits keeps its band and says nothing about chance.
            assert "przypadkowych wahań" not in v.sentence and "chance variation" not in v.sentence
            if v.chance is not None:
                assert v.chance["flag"] != "within95"
        elif v.kind == "small_base":
            assert v.band is None and v.phrase is None and v.base < MIN_TAKERS
            assert v.base_text and not any(w in v.sentence.lower() for w in JUDGING)
        elif v.kind == "no_comparison":
            assert v.band is None and v.badge is None
            assert ("nie jest możliwe" if lang == "pl" else "not possible") in v.sentence
            assert (v.point.get("n_peer") or 0) < MIN_PEERS or v.point.get("pct_peer") is None
        else:
            assert v.kind == "no_data" and v.badge is None


@pytest.mark.parametrize("teryt", [KRYNICA, WADOWICE, KRAKOW])
def test_chance_verdicts_agree_with_the_limits(demo_store, teryt):
    for v in unit_verdicts(demo_store, teryt):
        ind = demo_store.indicator(v.indicator)
        if not ind.rate or v.value is None:
            continue
        within = u.indistinguishable(demo_store, v.indicator, teryt, v.year)
        if within is True and v.kind not in ("no_comparison", "small_base"):
            assert v.kind == "chance"
        if within is False:
            assert v.kind != "chance"


def test_official_rates_are_judged_on_their_own_denominators(store):
    fires = "pozary-na-1000"
    v = card_verdict(store, fires, KRAKOW)
    assert v.chance is not None and v.chance["n"] == pytest.approx(v.point["denominator"])
    # Each year's own residents, not one register count for every year.
    earlier = u.unit_limits(store, fires, KRAKOW, v.year - 1)
    assert earlier["n"] == pytest.approx(store.point(fires, KRAKOW, v.year - 1)["denominator"])
    assert earlier["n"] != v.chance["n"]
    assert (v.kind == "chance") == (v.chance["flag"] == "within95")
    crime = card_verdict(store, "przestepstwa-na-1000", "1261")  # published as a rate: no denominator
    assert crime.chance is None and crime.kind in ("band", "no_comparison")


# ---------------------------------------------------------------------------------------------- small bases
def _raw_takers(teryt6: str, year: int, subject: str = "język angielski") -> int:
    """Takers of a gmina's schools with a published mean, from CKE's school table (as the source counts)."""
    with open(f"{_raw_dir()}/cke-e8-official-teryt/E8_{year}_SAS.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    top, cur = [], None
    for cell in rows[0]:
        cur = cell or cur
        top.append(cur)
    code = next(i for i, h in enumerate(rows[1]) if h.startswith("Kod teryt"))
    takers, mean = [i for i, h in enumerate(top) if (h or "").lower() == subject][:2]
    total = 0
    for r in rows[2:]:
        if r[code].strip().zfill(7)[:6] == teryt6 and r[mean].strip() and r[takers].strip():
            total += int(float(r[takers].replace(",", ".")))
    return total


def test_konskowola_english_is_not_ranked_on_a_small_base(store):
    """Issue 13: 'wśród najlepszych 20 %' rested on one school of 30 pupils."""
    assert base_rule(store.indicator(ENGLISH)).min_n == MIN_TAKERS
    for point in store.series(ENGLISH, KONSKOWOLA):
        if point["value"] is None or point["year"] == 2025:
            continue
        assert point["denominator"] == _raw_takers(KONSKOWOLA[:6], point["year"])
    small_years = [p["year"] for p in store.series(ENGLISH, KONSKOWOLA)
                   if p["denominator"] is not None and 0 < p["denominator"] < MIN_TAKERS]
    assert small_years, "Końskowola has years with fewer than 50 English takers"
    for year in small_years:
        v = card_verdict(store, ENGLISH, KONSKOWOLA, year=year)
        takers = int(v.point["denominator"])
        assert v.kind == "small_base" and v.band is None and not v.comparable
        assert f"na podstawie wyników {takers} uczniów" in v.sentence
        assert v.badge == ("small_base", f"na podstawie {takers} uczniów")
        assert "najlepszych" not in v.sentence and "20%" not in v.sentence
        en = card_verdict(store, ENGLISH, KONSKOWOLA, year=year, lang="en")
        assert f"based on the results of {takers} pupils" in en.sentence
    # A big city's exam mean is banded as before.
    assert card_verdict(store, ENGLISH, KRAKOW).kind == "band"


def test_one_taker_reads_in_the_singular():
    from portal.explain import base_phrase

    assert base_phrase(1) == "1 ucznia" and base_phrase(2) == "2 uczniów" and base_phrase(22) == "22 uczniów"
    assert base_phrase(1, lang="en") == "1 pupil" and base_phrase(30, lang="en") == "30 pupils"


def test_the_small_base_rule_is_what_the_raw_exam_files_say():
    """MIN_TAKERS' docstring: pupil sd 17–26 points, gminy's true means 6–8 points apart; reliability."""
    with open(f"{_raw_dir()}/cke-e8-official-teryt/E8_2024_SAS.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    top, cur = [], None
    for cell in rows[0]:
        cur = cell or cur
        top.append(cur)
    code = next(i for i, h in enumerate(rows[1]) if h.startswith("Kod teryt"))

    def num(s: str) -> float:
        try:
            return float(s.replace(",", "."))
        except ValueError:
            return math.nan

    for subject, (sd_lo, sd_hi) in (("język angielski", (24, 28)), ("matematyka", (23, 27)),
                                    ("język polski", (15, 19))):
        n_i, m_i, sd_i = (next(i for i, h in enumerate(top) if h == subject) + k for k in range(3))
        n = np.array([num(r[n_i]) for r in rows[2:]])
        m = np.array([num(r[m_i]) for r in rows[2:]])
        sd = np.array([num(r[sd_i]) for r in rows[2:]])
        gm = np.array([r[code].strip().zfill(7)[:6] for r in rows[2:]])
        ok = np.isfinite(n) & np.isfinite(m) & np.isfinite(sd) & (n > 1)
        n, m, sd, gm = n[ok], m[ok], sd[ok], gm[ok]
        within = math.sqrt(float(np.sum((n - 1) * sd**2) / (n.sum() - len(n))))
        assert sd_lo < within < sd_hi, (subject, within)
        gminy = {}
        for g, nn, mm in zip(gm, n, m, strict=True):
            a, b = gminy.get(g, (0.0, 0.0))
            gminy[g] = (a + nn, b + nn * mm)
        big = np.array([(b / a, a) for a, b in gminy.values() if a >= 100])
        between = float(np.var(big[:, 0]) - np.mean(within**2 / big[:, 1]))
        assert 5 < math.sqrt(between) < 9, subject
        reliability = between / (between + within**2 / MIN_TAKERS)
        assert 0.7 < reliability < 0.9, (subject, reliability)
        assert between / (between + within**2 / 20) < 0.72  # at 20 takers, bands would mostly rank chance
