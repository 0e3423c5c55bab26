"""Unit nouns after numbers: each countable noun a catalogue unit starts with, after 1, 2, 5, 12, 22, 1,4.

The expected forms are written out here by hand (not derived from the .po file they test). A decimal number
takes the genitive singular in Polish ("1,4 imprezy", CLDR's category 'other'), the plural in English.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.catalogue import load_catalogue
from portal.explain import count_phrase, format_value, plural_pl
from portal.i18n import translator
from portal.words import NOT_NOUNS, UNIT_NOUNS, unit_head, unit_noun

ROOT = Path(__file__).resolve().parents[2]
COUNTS = (1, 2, 5, 12, 22)
FRACTION = 1.4

# head as the catalogue writes it → forms after 1, 2, 5, 12, 22 and 1,4
PL = {
    "budynków": ("budynek", "budynki", "budynków", "budynków", "budynki", "budynku"),
    "czytelników": ("czytelnik", "czytelnicy", "czytelników", "czytelników", "czytelnicy", "czytelnika"),
    "decyzji": ("decyzja", "decyzje", "decyzji", "decyzji", "decyzje", "decyzji"),
    "dzieci": ("dziecko", "dzieci", "dzieci", "dzieci", "dzieci", "dziecka"),
    "gospodarstw": ("gospodarstwo", "gospodarstwa", "gospodarstw", "gospodarstw", "gospodarstwa",
                    "gospodarstwa"),
    "imprez": ("impreza", "imprezy", "imprez", "imprez", "imprezy", "imprezy"),
    "miejsc": ("miejsce", "miejsca", "miejsc", "miejsc", "miejsca", "miejsca"),
    "mieszkań": ("mieszkanie", "mieszkania", "mieszkań", "mieszkań", "mieszkania", "mieszkania"),
    "mieszkańców": ("mieszkaniec", "mieszkańcy", "mieszkańców", "mieszkańców", "mieszkańcy", "mieszkańca"),
    "osób": ("osoba", "osoby", "osób", "osób", "osoby", "osoby"),
    "planów": ("plan", "plany", "planów", "planów", "plany", "planu"),
    "rodzin": ("rodzina", "rodziny", "rodzin", "rodzin", "rodziny", "rodziny"),
    "uczestników": ("uczestnik", "uczestnicy", "uczestników", "uczestników", "uczestnicy", "uczestnika"),
    "uczniów": ("uczeń", "uczniowie", "uczniów", "uczniów", "uczniowie", "ucznia"),
    "łóżek": ("łóżko", "łóżka", "łóżek", "łóżek", "łóżka", "łóżka"),
    "przychodni": ("przychodnia", "przychodnie", "przychodni", "przychodni", "przychodnie", "przychodni"),
    "podmiotów": ("podmiot", "podmioty", "podmiotów", "podmiotów", "podmioty", "podmiotu"),
    "szkół": ("szkoła", "szkoły", "szkół", "szkół", "szkoły", "szkoły"),
    "przestępstw": ("przestępstwo", "przestępstwa", "przestępstw", "przestępstw", "przestępstwa",
                    "przestępstwa"),
    "pożarów": ("pożar", "pożary", "pożarów", "pożarów", "pożary", "pożaru"),
    "interwencji": ("interwencja", "interwencje", "interwencji", "interwencji", "interwencje", "interwencji"),
    "małżeństw": ("małżeństwo", "małżeństwa", "małżeństw", "małżeństw", "małżeństwa",
                  "małżeństwa"),
    "rozwodów": ("rozwód", "rozwody", "rozwodów", "rozwodów", "rozwody", "rozwodu"),
    "świadczeniobiorców": ("świadczeniobiorca", "świadczeniobiorcy", "świadczeniobiorców",
                           "świadczeniobiorców", "świadczeniobiorcy", "świadczeniobiorcy"),
    "woluminów": ("wolumin", "woluminy", "woluminów", "woluminów", "woluminy", "woluminu"),
}
EN = {  # head → (after 1, after any other number or a fraction)
    "attendees": ("attendee", "attendees"), "beds": ("bed", "beds"), "buildings": ("building", "buildings"),
    "children": ("child", "children"), "clinics": ("clinic", "clinics"), "crimes": ("crime", "crimes"),
    "decisions": ("decision", "decisions"), "divorces": ("divorce", "divorces"),
    "dwellings": ("dwelling", "dwellings"), "entities": ("entity", "entities"), "events": ("event", "events"),
    "families": ("family", "families"), "fires": ("fire", "fires"), "households": ("household", "households"),
    "interventions": ("intervention", "interventions"), "marriages": ("marriage", "marriages"),
    "people": ("person", "people"), "places": ("place", "places"), "plans": ("plan", "plans"),
    "pupils": ("pupil", "pupils"), "readers": ("reader", "readers"), "residents": ("resident", "residents"),
    "schools": ("school", "schools"), "volumes": ("volume", "volumes"),
    "beneficiaries": ("beneficiary", "beneficiaries"),
}


def _catalogue_units() -> list[tuple[str, str, str]]:
    """(indicator id, language, unit) of every catalogue indicator, as the yaml files say today."""
    catalogue = load_catalogue(ROOT / "data" / "catalogue.yaml")
    return [(i.id, lang, i.unit.get(lang)) for i in catalogue.indicators for lang in ("pl", "en")]


CATALOGUE_UNITS = _catalogue_units()
NOUN_UNITS = sorted({(lang, unit) for _id, lang, unit in CATALOGUE_UNITS
                     if unit_head(unit) not in NOT_NOUNS})


def test_every_catalogue_unit_starts_with_a_known_noun_or_a_listed_symbol() -> None:
    """A new unit that starts with a countable noun needs the noun in portal/words.py and the .po file."""
    unknown = sorted({(lang, unit_head(unit), ind) for ind, lang, unit in CATALOGUE_UNITS
                      if unit_head(unit) not in NOT_NOUNS and unit_noun(unit, lang) is None})
    assert not unknown, (
        "unit heads that are neither a noun of portal/words.py UNIT_NOUNS (Polish forms in the .po file) "
        f"nor listed in NOT_NOUNS: {unknown}"
    )


def test_the_catalogue_has_unit_nouns_to_test() -> None:
    heads = {unit_head(u) for lang, u in NOUN_UNITS if lang == "pl"}
    # The six nouns of issue 13 are in today's catalogue.
    assert {"imprez", "mieszkań", "budynków", "rodzin", "gospodarstw", "planów"} <= heads


@pytest.mark.parametrize(("lang", "unit"), NOUN_UNITS)
def test_catalogue_unit_noun_after_numbers(lang: str, unit: str) -> None:
    head, _, rest = unit.partition(" ")
    tail = f" {rest}" if rest else ""
    table = PL if lang == "pl" else {h: (one, many, many, many, many, many) for h, (one, many) in EN.items()}
    assert head in table, f"{lang} unit {unit!r}: write its expected forms into this test"
    expected = table[head]
    _ = translator(lang)
    for n, form in zip(COUNTS, expected, strict=False):
        assert format_value(n, unit, 0, lang) == f"{n} {form}{tail}", (unit, n)
    fraction = f"{_.number(FRACTION, 1)} {expected[5]}{tail}"
    assert format_value(FRACTION, unit, 1, lang) == fraction
    # A whole number written with a decimal ("2,0") is a fraction to CLDR: the genitive singular too.
    assert format_value(2, unit, 1, lang) == f"{_.number(2, 1)} {expected[5]}{tail}"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [  # issue 13: forms after decimal numbers
        (1.4, "imprez na 1000 mieszkańców", "1,4 imprezy na 1000 mieszkańców"),
        (6.2, "mieszkań na 1000 mieszkańców", "6,2 mieszkania na 1000 mieszkańców"),
        (2.8, "budynków na 1000 mieszkańców", "2,8 budynku na 1000 mieszkańców"),
        (12.3, "rodzin na 1000 mieszkańców", "12,3 rodziny na 1000 mieszkańców"),
        (4.8, "gospodarstw na 1000 mieszkańców", "4,8 gospodarstwa na 1000 mieszkańców"),
        (23.9, "planów na 100 km²", "23,9 planu na 100 km²"),
    ],
)
def test_issue_13_decimal_forms(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit, 1, "pl") == text


def test_every_noun_of_the_table_has_four_polish_forms_and_is_tested() -> None:
    pl = translator("pl")
    for context, singular, plural in UNIT_NOUNS:
        forms = [pl.npgettext(context, singular, plural, n) for n in (1, 2, 5)]
        forms.append(pl.pgettext(context + "|decimal", plural))
        assert forms[2] in PL, f"{plural}: add its expected Polish forms to this test"
        assert forms == [PL[forms[2]][i] for i in (0, 1, 2, 5)], (singular, forms)
        assert plural in EN


def test_symbols_and_abbreviations_stay_as_they_are() -> None:
    assert format_value(2.5, "km na 100 km²", 1) == "2,5 km na 100 km²"
    assert format_value(5, "DPS", 0) == "5 DPS"
    assert format_value(1.4, "wol. na 1000 mieszkańców", 1) == "1,4 wol. na 1000 mieszkańców"
    assert format_value(123.4, "osób/km²", 0) == "123 osób/km²"
    assert format_value(12.5, "kg na mieszkańca", 1) == "12,5 kg na mieszkańca"
    assert format_value(3.5, "per 1,000 residents", 1, "en") == "3.5 per 1,000 residents"


def test_kinds_of_unit_counted() -> None:
    for n, gminy, powiaty in ((1, "gmina", "powiat"), (2, "gminy", "powiaty"), (5, "gmin", "powiatów"),
                              (12, "gmin", "powiatów"), (22, "gminy", "powiaty"), (112, "gmin", "powiatów")):
        assert count_phrase(n, "gmina") == f"{n} {gminy}"
        assert count_phrase(n, "powiat") == f"{n} {powiaty}"
    assert count_phrase(1.5, "gmina", decimals=1) == "1,5 gminy"
    assert count_phrase(2.5, "uczen", decimals=1) == "2,5 ucznia"
    assert count_phrase(22, "uczen") == "22 uczniowie"
    assert count_phrase(1.5, "wojewodztwo", "en", decimals=1) == "1.5 voivodeships"


def test_plural_pl_follows_cldr() -> None:
    words = ("kod", "kody", "kodów")
    assert [plural_pl(n, *words) for n in (0, 1, 2, 5, 12, 22, 102, 112)] == [
        "kodów", "kod", "kody", "kodów", "kodów", "kody", "kody", "kodów"]
    assert plural_pl(1.5, *words, fraction="kodu") == "kodu"
