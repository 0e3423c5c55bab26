"""Plain-language sentences: plurals, numbers, money, comparison phrases, unit and gap sentences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portal.explain import (
    MINUS,
    NBSP,
    better_share,
    caveat,
    comparison_phrase,
    count_phrase,
    format_money,
    format_number,
    format_value,
    gap_sentence,
    percentile_band,
    plural_pl,
    sentence_level,
    strongest_weakest,
    unit_sentence,
)

# ----------------------------------------------------------------------------- plurals

PLURALS = {
    0: ("gmin", "powiatów", "województw"),
    1: ("gmina", "powiat", "województwo"),
    2: ("gminy", "powiaty", "województwa"),
    4: ("gminy", "powiaty", "województwa"),
    5: ("gmin", "powiatów", "województw"),
    11: ("gmin", "powiatów", "województw"),
    12: ("gmin", "powiatów", "województw"),
    14: ("gmin", "powiatów", "województw"),
    21: ("gmin", "powiatów", "województw"),
    22: ("gminy", "powiaty", "województwa"),
    25: ("gmin", "powiatów", "województw"),
    101: ("gmin", "powiatów", "województw"),
    102: ("gminy", "powiaty", "województwa"),
    112: ("gmin", "powiatów", "województw"),
}


@pytest.mark.parametrize("n", sorted(PLURALS))
def test_plural_pl(n: int) -> None:
    expected = PLURALS[n]
    assert plural_pl(n, "gmina", "gminy", "gmin") == expected[0]
    assert plural_pl(n, "powiat", "powiaty", "powiatów") == expected[1]
    assert plural_pl(n, "województwo", "województwa", "województw") == expected[2]
    for noun, form in zip(("gmina", "powiat", "wojewodztwo"), expected, strict=True):
        assert count_phrase(n, noun) == f"{n} {form}"


def test_plural_pl_fractions_and_negatives() -> None:
    assert plural_pl(1.5, "gmina", "gminy", "gmin") == "gminy"
    assert plural_pl(2.0, "gmina", "gminy", "gmin") == "gminy"  # an integral float counts as an integer
    assert plural_pl(1.5, "powiat", "powiaty", "powiatów", fraction="powiatu") == "powiatu"
    assert plural_pl(-3, "osoba", "osoby", "osób") == "osoby"


def test_count_phrase() -> None:
    assert count_phrase(22, "gmina") == "22 gminy"
    assert count_phrase(1, "miasto") == "1 miasto"
    assert count_phrase(5, "osoba") == "5 osób"
    assert count_phrase(2, "mieszkaniec") == "2 mieszkańcy"
    assert count_phrase(1234, "mieszkaniec") == f"1{NBSP}234 mieszkańcy"
    assert count_phrase(1.5, "powiat", decimals=1) == "1,5 powiatu"
    assert count_phrase(1, "powiat", "en") == "1 county"
    assert count_phrase(16, "wojewodztwo", "en") == "16 voivodeships"


# ----------------------------------------------------------------------------- numbers


def test_format_number() -> None:
    assert format_number(12345.6, 1, "pl") == "12\u00a0345,6"  # no-break space U+00A0, decimal comma
    assert format_number(12345.6, 1, "en") == "12,345.6"
    assert format_number(1234567, 0, "pl") == f"1{NBSP}234{NBSP}567"
    assert format_number(999, 0) == "999"
    assert format_number(0.125, 2) == "0,13"  # half up, as written
    assert format_number(2.5, 0, "en") == "3"
    assert format_number(-1234.5, 1) == f"{MINUS}1{NBSP}234,5"
    assert format_number(-0.04, 1) == "0,0"  # no negative zero
    assert format_number(7, 1, "xx") == "7,0"  # unknown language → Polish
    assert format_number(None, 1) == "brak danych"
    assert format_number(math.nan, 1, "en") == "no data"
    assert format_number(np.float32("nan"), 1) == "brak danych"
    assert format_number(np.float32(2.5), 1) == "2,5"
    assert format_number(np.int64(1234), 0, "en") == "1,234"


def test_format_value() -> None:
    assert format_value(412.4, "zł na mieszkańca", 0, "pl") == "412 zł na mieszkańca"
    assert format_value(412.4, "PLN per resident", 0, "en") == "PLN 412 per resident"
    assert format_value(45.34, "%", 1, "pl") == "45,3%"
    assert format_value(45.34, "%", 1, "en") == "45.3%"
    assert format_value(1, "osób", 0) == "1 osoba"
    assert format_value(2, "osób", 0) == "2 osoby"
    assert format_value(5, "osób", 0) == "5 osób"
    assert format_value(1234, "osób", 0) == f"1{NBSP}234 osoby"
    assert format_value(1212, "osób", 0) == f"1{NBSP}212 osób"
    assert format_value(23.45, "uczniów na oddział", 1) == "23,5 ucznia na oddział"
    assert format_value(1, "people", 0, "en") == "1 person"
    assert format_value(38112, "people", 0, "en") == "38,112 people"
    assert format_value(123.4, "osób/km²", 0) == "123 osób/km²"  # a compound unit is left as it is
    assert format_value(81.2, "na 1000 dzieci w wieku 7–14 lat", 1) == "81,2 na 1000 dzieci w wieku 7–14 lat"
    assert format_value(None, "%", 1, "pl") == "brak danych"
    assert format_value(math.nan, "%", 1, "en") == "no data"


@pytest.mark.parametrize(
    ("zl", "pl", "en"),
    [
        (1_234_567, "1,2 mln zł", "PLN 1.2 million"),
        (-1_234_567, "1,2 mln zł", "PLN 1.2 million"),  # the caller says more or less
        (849_600, "850 tys. zł", "PLN 850 thousand"),
        (3_400_000_000, "3,4 mld zł", "PLN 3.4 billion"),
        (3_449_999_999, "3,4 mld zł", "PLN 3.4 billion"),
        (12_345_678, "12 mln zł", "PLN 12 million"),
        (1_000_000, "1 mln zł", "PLN 1 million"),
        (999_600, "1 mln zł", "PLN 1 million"),  # rounding may move the amount up a scale
        (123_456, "120 tys. zł", "PLN 120 thousand"),
        (99_960, "100 tys. zł", "PLN 100 thousand"),
        (12_345, f"12{NBSP}300 zł", "PLN 12,300"),
        (4_567, f"4{NBSP}570 zł", "PLN 4,570"),
        (850.4, "850 zł", "PLN 850"),
        (0, "0 zł", "PLN 0"),
    ],
)
def test_format_money(zl: float, pl: str, en: str) -> None:
    assert format_money(zl, "pl") == pl
    assert format_money(zl, "en") == en


# ----------------------------------------------------------------------------- comparisons


def test_better_share() -> None:
    assert better_share(72.0, "higher_better") == pytest.approx(0.72)
    assert better_share(72.0, "lower_better") == pytest.approx(0.28)
    assert better_share(72.0, "neutral") == pytest.approx(0.72)
    assert better_share(None, "higher_better") is None
    assert better_share(math.nan, "lower_better") is None


SHARES = (0.0, 0.05, 0.35, 0.5, 0.72, 0.95, 1.0)

DIRECTED_PL = {
    0.0: "to najsłabszy wynik spośród podobnych gmin",
    0.05: "to wynik gorszy niż w 9 na 10 podobnych gminach",
    0.35: "to wynik gorszy niż w 6 na 10 podobnych gminach",
    0.5: "to mniej więcej tyle, co mediana podobnych gmin",
    0.72: "to wynik lepszy niż w 7 na 10 podobnych gminach",
    0.95: "to wynik lepszy niż w 9 na 10 podobnych gminach",
    1.0: "to najlepszy wynik spośród podobnych gmin",
}
NEUTRAL_PL = {
    0.0: "to najmniej spośród podobnych gmin",
    0.05: "to mniej niż w 9 na 10 podobnych gminach",
    0.35: "to mniej niż w 6 na 10 podobnych gminach",
    0.5: "to mniej więcej tyle, co mediana podobnych gmin",
    0.72: "to więcej niż w 7 na 10 podobnych gminach",
    0.95: "to więcej niż w 9 na 10 podobnych gminach",
    1.0: "to najwięcej spośród podobnych gmin",
}
DIRECTED_EN = {
    0.0: "the weakest result among similar gminas",
    0.05: "worse than in 9 out of 10 similar gminas",
    0.35: "worse than in 6 out of 10 similar gminas",
    0.5: "about the same as the median of similar gminas",
    0.72: "better than in 7 out of 10 similar gminas",
    0.95: "better than in 9 out of 10 similar gminas",
    1.0: "the best result among similar gminas",
}
NEUTRAL_EN = {
    0.0: "the lowest value among similar gminas",
    0.05: "less than in 9 out of 10 similar gminas",
    0.35: "less than in 6 out of 10 similar gminas",
    0.5: "about the same as the median of similar gminas",
    0.72: "more than in 7 out of 10 similar gminas",
    0.95: "more than in 9 out of 10 similar gminas",
    1.0: "the highest value among similar gminas",
}


@pytest.mark.parametrize("share", SHARES)
def test_comparison_phrases_each_direction(share: float) -> None:
    # The same better share reached from each direction: pct_peer is the share of peers with a lower value.
    up = better_share(share * 100, "higher_better")
    down = better_share((1 - share) * 100, "lower_better")
    flat = better_share(share * 100, "neutral")
    for lang, directed, neutral in (("pl", DIRECTED_PL, NEUTRAL_PL), ("en", DIRECTED_EN, NEUTRAL_EN)):
        assert comparison_phrase(up, "higher_better", "gmina", lang) == directed[share]
        assert comparison_phrase(down, "lower_better", "gmina", lang) == directed[share]
        assert comparison_phrase(flat, "neutral", "gmina", lang) == neutral[share]


def test_lower_better_turns_high_values_into_weak_results() -> None:
    share = better_share(95.0, "lower_better")  # 95% of peers have a lower value
    assert comparison_phrase(share, "lower_better") == "to wynik gorszy niż w 9 na 10 podobnych gminach"


def test_comparison_phrase_band_edges() -> None:
    assert comparison_phrase(0.6, "higher_better") == "to mniej więcej tyle, co mediana podobnych gmin"
    assert comparison_phrase(1 - 0.4, "higher_better") == "to mniej więcej tyle, co mediana podobnych gmin"
    assert comparison_phrase(0.4, "higher_better") == "to mniej więcej tyle, co mediana podobnych gmin"
    assert comparison_phrase(0.61, "higher_better") == "to wynik lepszy niż w 6 na 10 podobnych gminach"
    assert comparison_phrase(0.7, "higher_better") == "to wynik lepszy niż w 7 na 10 podobnych gminach"
    assert comparison_phrase(0.39, "neutral") == "to mniej niż w 6 na 10 podobnych gminach"
    assert comparison_phrase(0.999, "higher_better") == "to wynik lepszy niż w 9 na 10 podobnych gminach"
    assert comparison_phrase(None, "higher_better") is None


def test_comparison_phrase_cases_by_level() -> None:
    cases = [
        (0.72, "neutral", "powiat", "pl", "to więcej niż w 7 na 10 podobnych powiatach"),
        (0.72, "neutral", "wojewodztwo", "pl", "to więcej niż w 7 na 10 podobnych województwach"),
        (0.72, "neutral", "miasto", "pl", "to więcej niż w 7 na 10 podobnych miastach"),
        (1.0, "higher_better", "powiat", "pl", "to najlepszy wynik spośród podobnych powiatów"),
        (0.0, "lower_better", "miasto", "pl", "to najsłabszy wynik spośród podobnych miast"),
        (0.5, "neutral", "wojewodztwo", "pl", "to mniej więcej tyle, co mediana podobnych województw"),
        (0.72, "higher_better", "powiat", "en", "better than in 7 out of 10 similar counties"),
        (0.2, "neutral", "miasto", "en", "less than in 8 out of 10 similar cities"),
        (1.0, "neutral", "wojewodztwo", "en", "the highest value among similar voivodeships"),
    ]
    for share, direction, level, lang, expected in cases:
        assert comparison_phrase(share, direction, level, lang) == expected
    with pytest.raises(ValueError, match="unknown level"):
        comparison_phrase(0.5, "neutral", "sołectwo")


@pytest.mark.parametrize("share", SHARES)
@pytest.mark.parametrize("direction", ["higher_better", "lower_better", "neutral"])
@pytest.mark.parametrize("lang", ["pl", "en"])
def test_indistinguishable_never_judges(share: float, direction: str, lang: str) -> None:
    text = comparison_phrase(share, direction, "gmina", lang, indistinguishable=True)
    for word in ("lepsz", "gorsz", "najlepsz", "najsłabsz", "better", "worse", "best", "weakest"):
        assert word not in text
    expected = {
        # The funnel's reference is the peers' pooled (weighted) average, not their median.
        "pl": "to wynik w granicach przypadkowych wahań wokół średniej podobnych gmin",
        "en": "within chance variation around the average of similar gminas",
    }
    assert text == expected[lang]


@pytest.mark.parametrize(
    ("share", "direction", "key", "pl", "en"),
    [
        (1.0, "higher_better", "best", "wśród najlepszych 20%", "among the best 20%"),
        (0.8, "higher_better", "best", "wśród najlepszych 20%", "among the best 20%"),
        # Kraków's debt: lower is better, a low debt is a good result, said as "better", never "above".
        (0.72, "lower_better", "better", "lepiej niż przeciętnie", "better than average"),
        (0.72, "higher_better", "better", "lepiej niż przeciętnie", "better than average"),
        (0.6, "higher_better", "average", "przeciętnie", "about average"),
        (0.5, "higher_better", "average", "przeciętnie", "about average"),
        (0.4, "higher_better", "average", "przeciętnie", "about average"),
        (0.35, "higher_better", "worse", "gorzej niż przeciętnie", "worse than average"),
        (0.35, "lower_better", "worse", "gorzej niż przeciętnie", "worse than average"),
        (0.2, "higher_better", "worst", "wśród najsłabszych 20%", "among the weakest 20%"),
        (0.0, "lower_better", "worst", "wśród najsłabszych 20%", "among the weakest 20%"),
        (0.95, "neutral", "highest", "wśród najwyższych 20%", "among the highest 20%"),
        (0.7, "neutral", "higher", "powyżej przeciętnej", "higher than average"),
        (0.5, "neutral", "middle", "przeciętnie", "about average"),
        (0.3, "neutral", "lower", "poniżej przeciętnej", "lower than average"),
        (0.05, "neutral", "lowest", "wśród najniższych 20%", "among the lowest 20%"),
        (None, "neutral", "no_data", "brak danych", "no data"),
    ],
)
def test_percentile_band(share: float | None, direction: str, key: str, pl: str, en: str) -> None:
    assert percentile_band(share, direction) == (key, pl, en)


# ----------------------------------------------------------------------------- unit sentences

CULTURE = "W {rok} r. {w_jst} na jednego mieszkańca wydano {wartosc} na kulturę"
CULTURE_EN = "In {year}, {value} per resident was spent on culture {in_unit}"
RURAL = "gminy wiejskie, 5–10 tys. mieszkańców"


def _point(pct_peer: float | None = 72.0, n_peer: int = 40, value: float | None = 412.0) -> dict:
    return {"value": value, "flag": "ok", "synthetic": False, "pct_peer": pct_peer, "n_peer": n_peer,
            "rank_peer": 12, "peer_group": "wiejska-5-10k"}


def test_unit_sentence_example() -> None:
    text = unit_sentence(
        CULTURE, year=2023, value_text="412 zł", level="gmina", lang="pl", point=_point(),
        direction="neutral", peer_group_name=RURAL,
    )
    assert text == (
        "W 2023 r. w gminie na jednego mieszkańca wydano 412 zł na kulturę – to więcej niż "
        "w 7 na 10 podobnych gminach (gminy wiejskie, 5–10 tys. mieszkańców)."
    )


def test_unit_sentence_english_and_directed() -> None:
    text = unit_sentence(
        CULTURE_EN, year=2023, value_text="PLN 412", level="gmina", lang="en", point=_point(),
        direction="higher_better", peer_group_name="rural gminas, 5,000–10,000 residents",
    )
    assert text == (
        "In 2023, PLN 412 per resident was spent on culture in the gmina – better than in 7 out of 10 "
        "similar gminas (rural gminas, 5,000–10,000 residents)."
    )
    text = unit_sentence(
        CULTURE, year=2023, value_text="412 zł", level="gmina", point=_point(),
        direction="lower_better", peer_group_name=RURAL,
    )
    assert "to wynik gorszy niż w 7 na 10 podobnych gminach (gminy wiejskie" in text


@pytest.mark.parametrize(
    ("level", "pl", "en"),
    [
        ("gmina", "w gminie", "in the gmina"),
        ("powiat", "w powiecie", "in the county"),
        ("wojewodztwo", "w województwie", "in the voivodeship"),
        ("miasto", "w mieście", "in the city"),
    ],
)
def test_unit_sentence_places(level: str, pl: str, en: str) -> None:
    text = unit_sentence("W {rok} r. {w_jst} było {wartosc}.", year=2020, value_text="5", level=level)
    assert text == f"W 2020 r. {pl} było 5."
    text = unit_sentence("In {year}, {in_unit} there were {value}", year=2020, value_text="5", level=level,
                         lang="en")
    assert text == f"In 2020, {en} there were 5."


def test_sentence_level_for_cities_with_powiat_rights() -> None:
    assert sentence_level("gmina", mnpp=True) == "miasto"
    assert sentence_level("gmina") == "gmina"
    assert sentence_level("powiat", mnpp=True) == "powiat"


@pytest.mark.parametrize(
    ("level", "pl", "en"),
    [
        ("gmina", "W 2023 r. brak danych dla tej gminy.", "No data for this gmina in 2023."),
        ("powiat", "W 2023 r. brak danych dla tego powiatu.", "No data for this county in 2023."),
        ("wojewodztwo", "W 2023 r. brak danych dla tego województwa.",
         "No data for this voivodeship in 2023."),
        ("miasto", "W 2023 r. brak danych dla tego miasta.", "No data for this city in 2023."),
    ],
)
def test_unit_sentence_missing_value(level: str, pl: str, en: str) -> None:
    point = _point(value=None, pct_peer=None)
    assert unit_sentence(CULTURE, year=2023, value_text="brak danych", level=level, point=point) == pl
    assert unit_sentence(CULTURE_EN, year=2023, value_text=None, level=level, lang="en") == en


def test_unit_sentence_small_peer_group() -> None:
    text = unit_sentence(CULTURE, year=2023, value_text="412 zł", level="gmina", point=_point(n_peer=3),
                         direction="higher_better", peer_group_name=RURAL)
    assert text == (
        "W 2023 r. w gminie na jednego mieszkańca wydano 412 zł na kulturę. "
        "Porównanie z podobnymi gminami nie jest możliwe (za mało danych)."
    )
    text = unit_sentence(CULTURE_EN, year=2023, value_text="PLN 412", level="powiat", lang="en",
                         point=_point(pct_peer=None), direction="higher_better")
    assert text.endswith(
        "in the county. A comparison with similar counties is not possible (too little data)."
    )


def test_unit_sentence_without_point_has_no_comparison() -> None:
    text = unit_sentence(CULTURE, year=2023, value_text="412 zł", level="gmina")
    assert text == "W 2023 r. w gminie na jednego mieszkańca wydano 412 zł na kulturę."


def test_unit_sentence_small_sample_note() -> None:
    text = unit_sentence(CULTURE, year=2023, value_text="412 zł", level="gmina", point=_point(),
                         direction="neutral", peer_group_name=RURAL, small_sample_note=True)
    assert text.endswith("(gminy wiejskie, 5–10 tys. mieszkańców). "
                         "W małych gminach ta wartość może się wyraźnie zmieniać z roku na rok.")


@pytest.mark.parametrize("pct", [0.0, 5.0, 50.0, 95.0, 100.0])
@pytest.mark.parametrize("direction", ["higher_better", "lower_better"])
def test_unit_sentence_indistinguishable(pct: float, direction: str) -> None:
    for lang, template in (("pl", CULTURE), ("en", CULTURE_EN)):
        text = unit_sentence(template, year=2023, value_text="412", level="gmina", lang=lang,
                             point=_point(pct_peer=pct), direction=direction, peer_group_name=RURAL,
                             indistinguishable=True)
        for word in ("lepszy", "gorszy", "najlepszy", "najsłabszy", "better", "worse", "best", "weakest"):
            assert word not in text
        assert ("przypadkowych wahań" in text) if lang == "pl" else ("chance variation" in text)


# ----------------------------------------------------------------------------- caveats and profiles


def test_caveat() -> None:
    assert caveat(True, "ok", "pl") == "Uwaga: wartość syntetyczna (nie są to dane urzędowe)."
    assert caveat(True, "estimated", "en") == "Note: synthetic value (not official data)."
    assert caveat(False, "estimated", "pl") == "Wartość szacunkowa."
    assert caveat(False, "estimated", "en") == "Estimated value."
    assert caveat(False, "partial", "pl") == "Dane niepełne (nie wszystkie gminy powiatu)."
    assert caveat(False, "partial", "en") == "Incomplete data (not all gminas of the county)."
    assert caveat(False, "partial", "pl", level="wojewodztwo") == (
        "Dane niepełne (nie wszystkie gminy województwa)."
    )
    assert caveat(False, "partial", "pl", level="gmina") == "Dane niepełne."
    assert caveat(False, "ok", "pl") is None
    assert caveat(False, "zero", "en") is None
    assert caveat(False, None, "pl") is None


def test_strongest_weakest() -> None:
    points = [
        {"indicator": "a", "direction": "higher_better", "pct_peer": 90.0, "n_peer": 30},
        {"indicator": "b", "direction": "lower_better", "pct_peer": 5.0, "n_peer": 30},  # share 0.95
        {"indicator": "c", "direction": "higher_better", "pct_peer": 60.0, "n_peer": 30},
        {"indicator": "d", "direction": "higher_better", "pct_peer": 99.0, "n_peer": 3},  # too few peers
        {"indicator": "e", "direction": "neutral", "pct_peer": 100.0, "n_peer": 30},  # no judgement
        {"indicator": "f", "direction": "lower_better", "pct_peer": 80.0, "n_peer": 30},  # share 0.2
        {"indicator": "g", "direction": "higher_better", "pct_peer": None, "n_peer": 30},
        {"indicator": "h", "direction": "higher_better", "pct_peer": 10.0, "n_peer": 30},
        {"indicator": "i", "direction": "higher_better", "pct_peer": 45.0, "n_peer": 30},
        {"indicator": "j", "direction": "higher_better", "pct_peer": 50.0, "n_peer": 30},  # at the median
    ]
    strongest, weakest = strongest_weakest(points, k=2)
    assert [p["indicator"] for p in strongest] == ["b", "a"]
    assert [p["indicator"] for p in weakest] == ["h", "f"]
    assert strongest[0]["better_share"] == pytest.approx(0.95)
    assert "better_share" not in points[1]  # inputs are not changed
    strongest, weakest = strongest_weakest(points)
    assert [p["indicator"] for p in strongest] == ["b", "a", "c"]
    assert [p["indicator"] for p in weakest] == ["h", "f", "i"]
    assert strongest_weakest([]) == ([], [])


# ----------------------------------------------------------------------------- gap sentences


def test_gap_sentence_gmina_less_and_more() -> None:
    # 140 vs 120 zł per resident × 61 728 residents ≈ 1 234 560 zł above the median.
    assert gap_sentence("na kulturę", 140.0, 120.0, 61_728, "gmina", "pl") == (
        "Gdyby gmina wydawała na kulturę tyle na mieszkańca, co mediana podobnych gmin, "
        "wydałaby o 1,2 mln zł mniej."
    )
    assert gap_sentence("na kulturę", 120.0, 140.0, 61_728, "gmina", "pl") == (
        "Gdyby gmina wydawała na kulturę tyle na mieszkańca, co mediana podobnych gmin, "
        "wydałaby o 1,2 mln zł więcej."
    )
    assert gap_sentence("on culture", 140.0, 120.0, 61_728, "gmina", "en") == (
        "If the gmina spent as much per resident on culture as the median of similar gminas, "
        "it would spend PLN 1.2 million less."
    )
    assert gap_sentence("on culture", 120.0, 140.0, 61_728, "gmina", "en").endswith("PLN 1.2 million more.")


def test_gap_sentence_grammar_by_level() -> None:
    # 20 zł × 42 480 residents = 849 600 zł.
    assert gap_sentence("na drogi", 100.0, 120.0, 42_480, "powiat") == (
        "Gdyby powiat wydawał na drogi tyle na mieszkańca, co mediana podobnych powiatów, "
        "wydałby o 850 tys. zł więcej."
    )
    assert gap_sentence("na kulturę", 25.0, 23.0, 1_700_000, "wojewodztwo") == (
        "Gdyby województwo wydawało na kulturę tyle na mieszkańca, co mediana podobnych województw, "
        "wydałoby o 3,4 mln zł mniej."
    )
    assert gap_sentence("na kulturę", 200.0, 150.0, 68_000_000, "miasto") == (
        "Gdyby miasto wydawało na kulturę tyle na mieszkańca, co mediana podobnych miast, "
        "wydałoby o 3,4 mld zł mniej."
    )
    assert gap_sentence("on roads", 100.0, 120.0, 42_480, "powiat", "en") == (
        "If the county spent as much per resident on roads as the median of similar counties, "
        "it would spend PLN 850 thousand more."
    )


def test_gap_sentence_small_gaps_read_as_the_median() -> None:
    same_pl = "Gmina wydaje na kulturę na mieszkańca tyle, co mediana podobnych gmin."
    # Under 1% of spending: 100.5 vs 100 zł × 50 000 = 25 000 zł, but spending is 5 mln zł.
    assert gap_sentence("na kulturę", 100.0, 100.5, 50_000, "gmina") == same_pl
    # Under 1 000 zł even if above 1%: 1 zł × 900 residents.
    assert gap_sentence("na kulturę", 10.0, 11.0, 900, "gmina") == same_pl
    assert gap_sentence("na kulturę", 10.0, 10.0, 900, "powiat") == (
        "Powiat wydaje na kulturę na mieszkańca tyle, co mediana podobnych powiatów."
    )
    assert gap_sentence("on culture", 100.0, 100.5, 50_000, "wojewodztwo", "en") == (
        "The voivodeship spends about as much per resident on culture as the median of similar voivodeships."
    )
    # Just over both thresholds: 2 zł × 1 000 residents = 2 000 zł on 100 000 zł of spending.
    text = gap_sentence("na kulturę", 100.0, 102.0, 1_000, "gmina")
    assert text.endswith(f"wydałaby o 2{NBSP}000 zł więcej.")


def test_gap_sentence_missing_inputs() -> None:
    assert gap_sentence("na kulturę", None, 100.0, 5_000, "gmina") is None
    assert gap_sentence("na kulturę", 100.0, math.nan, 5_000, "gmina") is None
    assert gap_sentence("na kulturę", 100.0, 100.0, None, "gmina") is None
