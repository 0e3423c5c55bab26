"""Word forms CLDR does not cover, as gettext messages: unit nouns and the case forms of kinds of unit.

* **Unit nouns** – the countable noun a catalogue unit starts with ("mieszkań na 1000 mieszkańców") takes the
  form its number asks for: "1 mieszkanie", "2 mieszkania", "5 mieszkań", "6,2 mieszkania". Each noun is a
  plural message with the context ``unit noun`` in the ``.po`` files (three Polish forms), plus its form after
  a fraction (context ``unit noun|decimal``: the genitive singular, CLDR's ``other``). A unit's noun is found
  from its head word (:func:`unit_noun`), whichever of its forms the catalogue writes. Heads that are symbols,
  abbreviations, acronyms or prepositions are listed in :data:`NOT_NOUNS`; tests/unit/test_plurals.py
  fails when a catalogue unit starts with a word in neither list, so a new noun is added here (English
  forms) and translated in ``portal/locale/pl/LC_MESSAGES/messages.po``.
* **Kinds of unit** – gmina, powiat, województwo, miasto in the cases sentences need: "podobnych
  *gmin*" (genitive), "w 7 na 10 podobnych *gminach*" (locative), "z podobnymi *gminami*" (instrumental),
  "w *gminie*", "dla *tej gminy*"; each a message whose context names the case, so a translator can
  correct it in the ``.po`` file. The gap sentences of the budget view are whole messages per kind (the
  verb agrees in gender).

Module-level tables are marked with :func:`pgettext` / :func:`npgettext` below (extracted like
:func:`portal.i18n.N_`) and translated where they are used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from portal.i18n import lang_of, translator


def pgettext(context: str, message: str) -> tuple[str, str]:
    """Mark a message with a context for extraction (like :func:`portal.i18n.N_`); translated where used."""
    return context, message


def npgettext(context: str, singular: str, plural: str) -> tuple[str, str, str]:
    """Mark a plural message with a context for extraction; translated where used (Translator.npgettext)."""
    return context, singular, plural


UNIT_NOUN = "unit noun"
UNIT_NOUNS = (
    npgettext("unit noun", "attendee", "attendees"),
    npgettext("unit noun", "building", "buildings"),
    npgettext("unit noun", "child", "children"),
    npgettext("unit noun", "decision", "decisions"),
    npgettext("unit noun", "dwelling", "dwellings"),
    npgettext("unit noun", "event", "events"),
    npgettext("unit noun", "family", "families"),
    npgettext("unit noun", "household", "households"),
    npgettext("unit noun", "person", "people"),
    npgettext("unit noun", "place", "places"),
    npgettext("unit noun", "plan", "plans"),
    npgettext("unit noun", "pupil", "pupils"),
    npgettext("unit noun", "reader", "readers"),
    npgettext("unit noun", "resident", "residents"),
    npgettext("unit noun", "volume", "volumes"),
    npgettext("unit noun", "bed", "beds"),
    npgettext("unit noun", "clinic", "clinics"),
    npgettext("unit noun", "entity", "entities"),
    npgettext("unit noun", "school", "schools"),
    npgettext("unit noun", "crime", "crimes"),
    npgettext("unit noun", "fire", "fires"),
    npgettext("unit noun", "intervention", "interventions"),
    npgettext("unit noun", "marriage", "marriages"),
    npgettext("unit noun", "divorce", "divorces"),
    npgettext("unit noun", "beneficiary", "beneficiaries"),
)
"""Countable nouns a unit may start with, by their English forms; the Polish forms are in the .po file."""

NOT_NOUNS = frozenset({
    "%", "zł", "PLN", "kg", "km", "km²", "m²", "ha", "t", "na", "per", "wol.", "DPS", "pkt", "osób/km²",
    "people/km²",
})
"""Unit heads that stay as they are after any number: symbols, abbreviations, acronyms, prepositions."""

_COUNT_KINDS = {"osoba": "person", "mieszkaniec": "resident", "uczen": "pupil", "dziecko": "child",
                "miejsce": "place"}


@dataclass(frozen=True)
class NounForms:
    """A countable noun in one language: its plural message and the forms it takes."""

    singular: str  # English msgid
    plural: str
    forms: tuple[str, ...]  # after 1, 2, 5 and a fraction: mieszkanie, mieszkania, mieszkań, mieszkania

    def after(self, n: float, decimals: int, lang: str) -> str:
        """The form after ``n`` written with ``decimals`` places ('2,0' takes the fraction form, per CLDR)."""
        _ = translator(lang)
        if decimals > 0 or not float(n).is_integer():
            return _.pgettext(UNIT_NOUN + "|decimal", self.plural)
        return _.npgettext(UNIT_NOUN, self.singular, self.plural, abs(int(n)))


@functools.cache
def _noun_index(lang: str) -> dict[str, NounForms]:
    _ = translator(lang)
    index: dict[str, NounForms] = {}
    for _context, singular, plural in UNIT_NOUNS:
        forms = (*(_.npgettext(UNIT_NOUN, singular, plural, n) for n in (1, 2, 5)),
                 _.pgettext(UNIT_NOUN + "|decimal", plural))
        noun = NounForms(singular, plural, forms)
        for form in forms:
            index.setdefault(form, noun)
    return index


def unit_head(unit_text: str) -> str:
    """The first word of a unit ('mieszkań' of 'mieszkań na 1000 mieszkańców')."""
    return (unit_text or "").strip().partition(" ")[0]


def unit_noun(unit_text: str, lang: str = "pl") -> NounForms | None:
    """The countable noun a unit starts with, or None (a symbol, an abbreviation or an unknown word)."""
    return _noun_index(lang_of(lang)).get(unit_head(unit_text))


@dataclass(frozen=True)
class KindWords:
    """The words a kind of unit (gmina, powiat, …) takes in sentences, in one language (from the .po file)."""

    count: tuple[str, str, str]  # the plural message "{n} gmina"
    similar: str  # genitive plural: "podobnych gmin"
    in_similar: str  # locative plural: "w 7 na 10 podobnych gminach"
    with_similar: str  # instrumental plural: "z podobnymi gminami"
    in_unit: str  # "w gminie" / "in the gmina"
    this_unit: str  # "tej gminy" / "this gmina"
    of_unit: str  # genitive singular: "(nie wszystkie gminy) powiatu" / "(of the) county"
    gap_same: str  # "Gmina wydaje {area} na mieszkańca tyle, co mediana podobnych gmin."
    gap: str  # "Gdyby gmina wydawała {area} tyle na mieszkańca, co …, wydałaby o {amount} {more}."


_KINDS = {  # the messages; translated by kind_words
    "gmina": (
        npgettext("unit kind", "{n} gmina", "{n} gminas"),
        pgettext("unit kind, genitive plural: podobnych …", "gminas"),
        pgettext("unit kind, locative plural: w 7 na 10 podobnych …", "gminas"),
        pgettext("unit kind, instrumental plural: z podobnymi …", "gminas"),
        pgettext("unit kind, locative singular", "in the gmina"),
        pgettext("unit kind, genitive singular", "this gmina"),
        pgettext("unit kind, genitive singular: nie wszystkie gminy …", "gmina"),
        pgettext("gap sentence",
                 "The gmina spends about as much per resident {area} as the median of similar gminas."),
        pgettext("gap sentence", "If the gmina spent as much per resident {area} as the median of similar "
                                 "gminas, it would spend {amount} {more}."),
    ),
    "powiat": (
        npgettext("unit kind", "{n} county", "{n} counties"),
        pgettext("unit kind, genitive plural: podobnych …", "counties"),
        pgettext("unit kind, locative plural: w 7 na 10 podobnych …", "counties"),
        pgettext("unit kind, instrumental plural: z podobnymi …", "counties"),
        pgettext("unit kind, locative singular", "in the county"),
        pgettext("unit kind, genitive singular", "this county"),
        pgettext("unit kind, genitive singular: nie wszystkie gminy …", "county"),
        pgettext("gap sentence", "The county spends about as much per resident {area} as the median of "
                                 "similar counties."),
        pgettext("gap sentence", "If the county spent as much per resident {area} as the median of similar "
                                 "counties, it would spend {amount} {more}."),
    ),
    "wojewodztwo": (
        npgettext("unit kind", "{n} voivodeship", "{n} voivodeships"),
        pgettext("unit kind, genitive plural: podobnych …", "voivodeships"),
        pgettext("unit kind, locative plural: w 7 na 10 podobnych …", "voivodeships"),
        pgettext("unit kind, instrumental plural: z podobnymi …", "voivodeships"),
        pgettext("unit kind, locative singular", "in the voivodeship"),
        pgettext("unit kind, genitive singular", "this voivodeship"),
        pgettext("unit kind, genitive singular: nie wszystkie gminy …", "voivodeship"),
        pgettext("gap sentence", "The voivodeship spends about as much per resident {area} as the median "
                                 "of similar voivodeships."),
        pgettext("gap sentence", "If the voivodeship spent as much per resident {area} as the median of "
                                 "similar voivodeships, it would spend {amount} {more}."),
    ),
    "miasto": (
        npgettext("unit kind", "{n} city", "{n} cities"),
        pgettext("unit kind, genitive plural: podobnych …", "cities"),
        pgettext("unit kind, locative plural: w 7 na 10 podobnych …", "cities"),
        pgettext("unit kind, instrumental plural: z podobnymi …", "cities"),
        pgettext("unit kind, locative singular", "in the city"),
        pgettext("unit kind, genitive singular", "this city"),
        pgettext("unit kind, genitive singular: nie wszystkie gminy …", "city"),
        pgettext("gap sentence", "The city spends about as much per resident {area} as the median of similar "
                                 "cities."),
        pgettext("gap sentence", "If the city spent as much per resident {area} as the median of similar "
                                 "cities, it would spend {amount} {more}."),
    ),
}
_ALIASES = {"województwo": "wojewodztwo", "mnpp": "miasto", "miasto-na-prawach-powiatu": "miasto"}


@functools.cache
def kind_words(level: str, lang: str = "pl") -> KindWords:
    """The words of a kind of unit in ``lang``; ValueError for an unknown level."""
    key = _ALIASES.get(level, level)
    if key not in _KINDS:
        raise ValueError(f"unknown level {level!r}; expected one of {sorted(_KINDS)}")
    _ = translator(lang_of(lang))
    count, *cases = _KINDS[key]
    return KindWords(count, *(_.pgettext(context, message) for context, message in cases))


BASE_NOUNS = {
    "pupils": npgettext("small base, genitive: na podstawie …", "{n} pupil", "{n} pupils"),
}
"""What a small base counts (portal/verdict.py's rules name one), as it reads after 'na podstawie'."""
