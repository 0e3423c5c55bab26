"""Plain-language sentences: numbers, Polish plurals and comparisons with peers, from threshold tables.

Everything here is a pure function of plain values (no store, no I/O), in the manner of Census Reporter's
``comparison_index_phrase``: a share is placed in a band by a small table, and the band picks a phrase.

Conventions:

* ``lang`` is ``"pl"`` or ``"en"``; anything else means Polish.
* ``level`` is ``"gmina"``, ``"powiat"``, ``"wojewodztwo"`` or ``"miasto"`` (a city with powiat rights,
  which the store keeps at the gmina level; see :func:`sentence_level`).
* Polish numbers group thousands with a no-break space (U+00A0, :data:`NBSP`) and use a decimal comma;
  negative numbers use the minus sign U+2212. English numbers use "," and ".".
* A *better share* is the share (0–1) of the other units in the peer group that this unit does better
  than; for neutral indicators it is the share with a lower value (see :func:`better_share`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MINUS = "\u2212"
MIN_PEERS = 5
"""Smallest peer group (the unit included) for which a comparison is stated."""

MISSING = {"pl": "brak danych", "en": "no data"}

HIGHER_BETTER, LOWER_BETTER, NEUTRAL = "higher_better", "lower_better", "neutral"


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "pl"


def _missing(value: object) -> bool:
    """None, NaN, ±inf, pandas NA – anything that is not a finite number (numpy scalars included)."""
    try:
        return value is None or not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


# --------------------------------------------------------------------------- plurals


def plural_pl(n: float, one: str, few: str, many: str, fraction: str | None = None) -> str:
    """The Polish form of a noun after the number ``n``: 1 gmina, 2–4 gminy, 5 gmin, 12 gmin, 22 gminy.

    Non-integers take the genitive singular (``fraction``; by default ``few``, right for most feminine
    nouns: "1,5 gminy", "2,5 osoby"). Negative numbers take the form of their absolute value.
    """
    if not float(n).is_integer():
        return few if fraction is None else fraction
    n = abs(int(n))
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


@dataclass(frozen=True)
class Noun:
    """A Polish noun's forms used in sentences, with its English singular and plural."""

    one: str
    few: str
    many: str  # also the genitive plural: "podobnych gmin"
    gen_sg: str  # after fractions: "1,5 gminy"
    en_one: str
    en_many: str
    loc_sg: str = ""  # "w gminie"
    loc_pl: str = ""  # "w 7 na 10 podobnych gminach"
    ins_pl: str = ""  # "z podobnymi gminami"
    this_gen: str = ""  # "dla tej gminy"
    gender: str = ""  # f/m/n: "wydawała/wydawał/wydawało"

    def count(self, n: float) -> str:
        return plural_pl(n, self.one, self.few, self.many, self.gen_sg)

    def count_en(self, n: float) -> str:
        return self.en_one if n == 1 else self.en_many


UNIT_NOUNS: dict[str, Noun] = {
    "gmina": Noun("gmina", "gminy", "gmin", "gminy", "gmina", "gminas",
                  "gminie", "gminach", "gminami", "tej gminy", "f"),
    "powiat": Noun("powiat", "powiaty", "powiatów", "powiatu", "county", "counties",
                   "powiecie", "powiatach", "powiatami", "tego powiatu", "m"),
    "wojewodztwo": Noun("województwo", "województwa", "województw", "województwa",
                        "voivodeship", "voivodeships",
                        "województwie", "województwach", "województwami", "tego województwa", "n"),
    "miasto": Noun("miasto", "miasta", "miast", "miasta", "city", "cities",
                   "mieście", "miastach", "miastami", "tego miasta", "n"),
}
"""Kinds of local-government unit, keyed by ``level``."""

COUNT_NOUNS: dict[str, Noun] = {
    "osoba": Noun("osoba", "osoby", "osób", "osoby", "person", "people"),
    "mieszkaniec": Noun("mieszkaniec", "mieszkańcy", "mieszkańców", "mieszkańca", "resident", "residents"),
    "uczen": Noun("uczeń", "uczniowie", "uczniów", "ucznia", "pupil", "pupils"),
    "dziecko": Noun("dziecko", "dzieci", "dzieci", "dziecka", "child", "children"),
    "miejsce": Noun("miejsce", "miejsca", "miejsc", "miejsca", "place", "places"),
}
"""Nouns counted in indicator units ("1 234 osoby"); with :data:`UNIT_NOUNS` they make the plural table."""

_ALIASES = {"województwo": "wojewodztwo", "mnpp": "miasto", "miasto-na-prawach-powiatu": "miasto"}


def _unit_noun(level: str) -> Noun:
    key = _ALIASES.get(level, level)
    if key not in UNIT_NOUNS:
        raise ValueError(f"unknown level {level!r}; expected one of {sorted(UNIT_NOUNS)}")
    return UNIT_NOUNS[key]


def sentence_level(level: str, mnpp: bool = False) -> str:
    """The noun a unit is called by in sentences: a gmina with powiat rights is a "miasto"."""
    return "miasto" if mnpp and level == "gmina" else level


def count_phrase(n: float, kind: str, lang: str = "pl", decimals: int = 0) -> str:
    """A number with its noun in the right form: "5 gmin", "22 gminy", "1 county", "3 voivodeships"."""
    noun = UNIT_NOUNS.get(_ALIASES.get(kind, kind)) or COUNT_NOUNS[kind]
    lang = _lang(lang)
    text = format_number(n, decimals, lang)
    if lang == "en":
        return f"{text} {noun.count_en(n) if decimals == 0 else noun.en_many}"
    return f"{text} {noun.count(n) if decimals == 0 else noun.gen_sg}"


# --------------------------------------------------------------------------- numbers


def _round(value: float, decimals: int) -> Decimal:
    # Decimal from the shortest repr, so 0.125 → 0.13 as written, not as the binary float happens to be.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: float | None, decimals: int = 0, lang: str = "pl") -> str:
    """'12 345,6' (no-break space U+00A0, decimal comma) in Polish, '12,345.6' in English.

    Missing values (None, NaN) give "brak danych" / "no data".
    """
    lang = _lang(lang)
    if _missing(value):
        return MISSING[lang]
    d = _round(value, decimals)
    negative = d < 0
    text = f"{abs(d):,.{decimals}f}"  # "12,345.6"
    if lang == "pl":
        text = text.replace(",", NBSP).replace(".", ",")
    return (MINUS + text) if negative else text


_PL_COUNT_FORMS = {form: noun for noun in COUNT_NOUNS.values() for form in (noun.one, noun.few, noun.many)}
_EN_COUNT_FORMS = {form: noun for noun in COUNT_NOUNS.values() for form in (noun.en_one, noun.en_many)}


def _inflect_unit(number: float, decimals: int, unit: str, lang: str) -> str:
    """Put the unit's first word in the form the number asks for, when it is a countable noun we know."""
    head, sep, rest = unit.partition(" ")
    forms = _EN_COUNT_FORMS if lang == "en" else _PL_COUNT_FORMS
    noun = forms.get(head)
    if noun is None:
        return unit
    if lang == "en":
        word = noun.count_en(number if decimals == 0 else math.nan)
    else:
        # A number written with decimals takes the genitive singular ("2,0 osoby"), like a fraction.
        word = noun.count(number) if decimals == 0 else noun.gen_sg
    return word + sep + rest


def format_value(value: float | None, unit_text: str, decimals: int = 1, lang: str = "pl") -> str:
    """A value with its unit: '412 zł na mieszkańca', '45,3%', '1 234 osoby'; 'PLN 412 per resident', '45.3%'.

    Units that start with a countable noun from :data:`COUNT_NOUNS` ("osób", "uczniów na oddział",
    "people") are inflected for the number; other units are appended as they are.
    """
    lang = _lang(lang)
    if _missing(value):
        return MISSING[lang]
    text = format_number(value, decimals, lang)
    unit = (unit_text or "").strip()
    if not unit:
        return text
    if unit == "%":
        return text + "%"
    if lang == "en" and (unit == "PLN" or unit.startswith("PLN ")):
        return f"PLN {text}{unit[3:]}"
    rounded = float(_round(value, decimals))
    return f"{text} {_inflect_unit(rounded, decimals, unit, lang)}"


def _round_significant(x: Decimal, digits: int) -> Decimal:
    if x == 0:
        return x
    exponent = x.adjusted() - digits + 1
    return x.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


_MONEY_SCALES = (  # (from, divisor, pl, en)
    (Decimal(10) ** 9, Decimal(10) ** 9, "mld zł", "billion"),
    (Decimal(10) ** 6, Decimal(10) ** 6, "mln zł", "million"),
    (Decimal(10) ** 5, Decimal(10) ** 3, "tys. zł", "thousand"),
)


def format_money(zl: float | None, lang: str = "pl") -> str:
    """A readable amount of money (absolute value; the caller says 'more' or 'less').

    From 100 000 zł: two significant digits with tys./mln/mld ('850 tys. zł', '1,2 mln zł', '3,4 mld zł';
    'PLN 850 thousand', 'PLN 1.2 million'); below: three significant digits in full ('12 300 zł'),
    below 1 000 zł whole złoty ('850 zł').
    """
    lang = _lang(lang)
    if _missing(zl):
        return MISSING[lang]
    x = abs(Decimal(repr(float(zl))))
    if x < 1000:
        x = x.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    elif x < 100_000:
        x = _round_significant(x, 3)
    if x < 100_000:
        text = format_number(float(x), 0, lang)
        return f"PLN {text}" if lang == "en" else f"{text} zł"
    x = _round_significant(x, 2)
    for start, divisor, pl, en in _MONEY_SCALES:
        if x >= start:
            mantissa = x / divisor
            decimals = 0 if mantissa == mantissa.to_integral_value() else 1
            text = format_number(float(mantissa), decimals, lang)
            return f"PLN {text} {en}" if lang == "en" else f"{text} {pl}"
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- comparisons


def better_share(pct_peer: float | None, direction: str) -> float | None:
    """The share (0–1) of peers this unit does better than, from the direction-free ``pct_peer`` (0–100).

    For neutral indicators this is the share of peers with a lower value (no judgement implied).
    """
    if _missing(pct_peer):
        return None
    share = min(max(float(pct_peer) / 100.0, 0.0), 1.0)
    return 1.0 - share if direction == LOWER_BETTER else share


MEDIAN_BAND = 0.1
"""Shares within ±0.1 of one half are reported as 'about the median'."""


def _position(share: float) -> tuple[str, int]:
    """(band, n in 10) for a better share: the threshold table behind every comparison phrase.

    top/bottom – best or worst of the group; above/below – better (worse) than n in 10, rounded down;
    median – within :data:`MEDIAN_BAND` of the middle.
    """
    share = round(min(max(share, 0.0), 1.0), 9)  # 1 − 0.4 is 0.6000000000000001
    if share >= 1.0:
        return "top", 10
    if share <= 0.0:
        return "bottom", 10
    if abs(share - 0.5) <= MEDIAN_BAND + 1e-9:
        return "median", 5
    if share > 0.5:
        return "above", math.floor(share * 10 + 1e-9)
    return "below", math.floor((1.0 - share) * 10 + 1e-9)


# {n}: count out of 10; {loc}: locative plural, {gen}: genitive plural of the unit noun (English: plural).
_PHRASES: dict[str, dict[tuple[str, str], str]] = {
    "pl": {
        ("directed", "top"): "to najlepszy wynik spośród podobnych {gen}",
        ("directed", "above"): "to wynik lepszy niż w {n} na 10 podobnych {loc}",
        ("directed", "median"): "to mniej więcej tyle, co mediana podobnych {gen}",
        ("directed", "below"): "to wynik gorszy niż w {n} na 10 podobnych {loc}",
        ("directed", "bottom"): "to najsłabszy wynik spośród podobnych {gen}",
        ("neutral", "top"): "to najwięcej spośród podobnych {gen}",
        ("neutral", "above"): "to więcej niż w {n} na 10 podobnych {loc}",
        ("neutral", "median"): "to mniej więcej tyle, co mediana podobnych {gen}",
        ("neutral", "below"): "to mniej niż w {n} na 10 podobnych {loc}",
        ("neutral", "bottom"): "to najmniej spośród podobnych {gen}",
        ("chance", ""): "to wynik w granicach przypadkowych wahań wokół mediany podobnych {gen}",
    },
    "en": {
        ("directed", "top"): "the best result among similar {gen}",
        ("directed", "above"): "better than in {n} out of 10 similar {gen}",
        ("directed", "median"): "about the same as the median of similar {gen}",
        ("directed", "below"): "worse than in {n} out of 10 similar {gen}",
        ("directed", "bottom"): "the weakest result among similar {gen}",
        ("neutral", "top"): "the highest value among similar {gen}",
        ("neutral", "above"): "more than in {n} out of 10 similar {gen}",
        ("neutral", "median"): "about the same as the median of similar {gen}",
        ("neutral", "below"): "less than in {n} out of 10 similar {gen}",
        ("neutral", "bottom"): "the lowest value among similar {gen}",
        ("chance", ""): "within the range of chance variation around the median of similar {gen}",
    },
}


def comparison_phrase(
    share: float | None,
    direction: str,
    level: str = "gmina",
    lang: str = "pl",
    *,
    indistinguishable: bool | None = None,
) -> str | None:
    """The clause comparing a unit with its peers, from its better share (see :func:`better_share`).

    Higher/lower-better indicators are judged ('to wynik lepszy niż w 7 na 10 podobnych gminach'),
    neutral ones only compared ('to więcej niż w 7 na 10 podobnych gminach'). With ``indistinguishable``
    the clause never judges: the value is within chance variation around the peer median.
    Returns None when the share is missing.
    """
    lang = _lang(lang)
    if share is None or _missing(share):
        return None
    noun = _unit_noun(level)
    if lang == "pl":
        forms = {"gen": noun.many, "loc": noun.loc_pl}
    else:
        forms = {"gen": noun.en_many, "loc": noun.en_many}
    if indistinguishable:
        return _PHRASES[lang][("chance", "")].format(**forms)
    band, n = _position(share)
    kind = "neutral" if direction == NEUTRAL else "directed"
    return _PHRASES[lang][(kind, band)].format(n=n, **forms)


_BANDS = (  # (lowest share, directed key, pl, en, neutral key, pl, en)
    (0.8, "best", "wśród najlepszych 20%", "among the best 20%",
     "highest", "wśród najwyższych 20%", "among the highest 20%"),
    (0.6 + 1e-9, "better", "powyżej przeciętnej", "above average",
     "higher", "powyżej przeciętnej", "above average"),
    (0.4, "average", "przeciętnie", "average",
     "middle", "przeciętnie", "average"),
    (0.2 + 1e-9, "worse", "poniżej przeciętnej", "below average",
     "lower", "poniżej przeciętnej", "below average"),
    (0.0, "worst", "wśród najsłabszych 20%", "among the weakest 20%",
     "lowest", "wśród najniższych 20%", "among the lowest 20%"),
)


def percentile_band(share: float | None, direction: str = HIGHER_BETTER) -> tuple[str, str, str]:
    """One of five bands for a better share: (key, Polish label, English label).

    Directed keys: best, better, average, worse, worst; neutral keys (no judgement): highest, higher,
    middle, lower, lowest. Bands: [0.8, 1], (0.6, 0.8), [0.4, 0.6], (0.2, 0.4), [0, 0.2];
    a missing share gives ("no_data", "brak danych", "no data").
    """
    if share is None or _missing(share):
        return "no_data", MISSING["pl"], MISSING["en"]
    share = round(min(max(share, 0.0), 1.0), 9)
    for lowest, key, pl, en, n_key, n_pl, n_en in _BANDS:
        if share >= lowest:
            return (n_key, n_pl, n_en) if direction == NEUTRAL else (key, pl, en)
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- sentences


def _fill(template: str, values: dict[str, str]) -> str:
    # Plain replacement, not str.format: a stray brace in a catalogue text must not break the page.
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def _notes(level: str, lang: str) -> dict[str, str]:
    noun = _unit_noun(level)
    if lang == "en":
        return {
            "small_group": f"A comparison with similar {noun.en_many} is not possible (too little data).",
            "small_unit": f"In small {noun.en_many} this value can change markedly from year to year.",
        }
    return {
        "small_group": f"Porównanie z podobnymi {noun.ins_pl} nie jest możliwe (za mało danych).",
        "small_unit": f"W małych {noun.loc_pl} ta wartość może się wyraźnie zmieniać z roku na rok.",
    }


def unit_sentence(
    template: str,
    *,
    year: int,
    value_text: str | None,
    level: str,
    lang: str = "pl",
    point: dict | None = None,
    direction: str = NEUTRAL,
    peer_group_name: str | None = None,
    small_sample_note: bool = False,
    indistinguishable: bool | None = None,
) -> str:
    """One unit's value as a sentence, with a comparison with its peers.

    ``template`` is the catalogue's sentence in ``lang`` (placeholders {rok}/{year}, {wartosc}/{value},
    {w_jst}/{in_unit}); ``value_text`` comes from :func:`format_value`; ``point`` is ``Store.point(...)``
    (uses value, pct_peer, n_peer). The comparison is left out, with a note saying so, when the peer group
    has fewer than :data:`MIN_PEERS` units or no percentile. ``small_sample_note`` adds a note that values
    of small units vary from year to year; ``indistinguishable`` replaces any judgement with 'within chance
    variation around the peer median'. A missing value gives 'W 2023 r. brak danych dla tej gminy.'
    """
    lang = _lang(lang)
    noun = _unit_noun(level)
    if value_text is None or (point is not None and _missing(point.get("value"))):
        if lang == "en":
            return f"No data for this {noun.en_one} in {year}."
        return f"W {year} r. brak danych dla {noun.this_gen}."
    in_unit = {"pl": f"w {noun.loc_sg}", "en": f"in the {noun.en_one}"}
    text = _fill(
        template.strip().rstrip("."),
        {"rok": str(year), "year": str(year), "wartosc": value_text, "value": value_text,
         "w_jst": in_unit["pl"], "in_unit": in_unit["en"]},
    )
    notes = _notes(level, lang)
    extra: list[str] = []
    if point is not None:
        share = better_share(point.get("pct_peer"), direction)
        n_peer = point.get("n_peer") or 0
        phrase = (
            comparison_phrase(share, direction, level, lang, indistinguishable=indistinguishable)
            if n_peer >= MIN_PEERS
            else None
        )
        if phrase is None:
            extra.append(notes["small_group"])
        else:
            text += " – " + phrase + (f" ({peer_group_name})" if peer_group_name else "")
    if small_sample_note:
        extra.append(notes["small_unit"])
    return " ".join([text + ".", *extra])


_CAVEATS = {
    "pl": {
        "synthetic": "Uwaga: wartość syntetyczna (nie są to dane urzędowe).",
        "estimated": "Wartość szacunkowa.",
        "partial": "Dane niepełne (nie wszystkie gminy {of}).",
        "partial_gmina": "Dane niepełne.",
    },
    "en": {
        "synthetic": "Note: synthetic value (not official data).",
        "estimated": "Estimated value.",
        "partial": "Incomplete data (not all gminas of the {of}).",
        "partial_gmina": "Incomplete data.",
    },
}


def caveat(synthetic: bool, flag: str | None, lang: str = "pl", level: str = "powiat") -> str | None:
    """A warning to show beside a value, or None: synthetic values first, then estimated or partial ones.

    ``level`` words the partial note: 'nie wszystkie gminy powiatu' (default) or '… województwa'.
    """
    lang = _lang(lang)
    texts = _CAVEATS[lang]
    if synthetic:
        return texts["synthetic"]
    if flag == "estimated":
        return texts["estimated"]
    if flag == "partial":
        key = _ALIASES.get(level, level)
        if key not in ("powiat", "wojewodztwo"):
            return texts["partial_gmina"]
        noun = UNIT_NOUNS[key]
        return texts["partial"].format(of=noun.en_one if lang == "en" else noun.gen_sg)
    return None


def strongest_weakest(points: list[dict], k: int = 3) -> tuple[list[dict], list[dict]]:
    """The unit's k strongest and k weakest indicators against its peers.

    ``points`` are dicts with at least indicator, direction, pct_peer and n_peer. Neutral indicators,
    missing percentiles and peer groups under :data:`MIN_PEERS` are skipped. Strongest are those better
    than the peer median (share > 0.5), best first; weakest those worse (share < 0.5), worst first; so the
    two lists never overlap and may be short or empty. Each returned dict is a copy with ``better_share``.
    """
    scored = []
    for p in points:
        if p.get("direction") not in (HIGHER_BETTER, LOWER_BETTER) or (p.get("n_peer") or 0) < MIN_PEERS:
            continue
        share = better_share(p.get("pct_peer"), p["direction"])
        if share is not None:
            scored.append({**p, "better_share": share})
    strongest = sorted((p for p in scored if p["better_share"] > 0.5),
                       key=lambda p: (-p["better_share"], str(p.get("indicator"))))
    weakest = sorted((p for p in scored if p["better_share"] < 0.5),
                     key=lambda p: (p["better_share"], str(p.get("indicator"))))
    return strongest[:k], weakest[:k]


_VERBS = {  # gender → (past, conditional) of wydawać/wydać; "wydaje" in the present
    "f": ("wydawała", "wydałaby"),
    "m": ("wydawał", "wydałby"),
    "n": ("wydawało", "wydałoby"),
}

GAP_MIN_SHARE = 0.01
GAP_MIN_ZL = 1000.0


def gap_sentence(
    area_phrase: str,
    unit_per_capita: float | None,
    peer_median_per_capita: float | None,
    population: float | None,
    level: str = "gmina",
    lang: str = "pl",
) -> str | None:
    """What spending at the peer median would mean in money, for the budget view.

    ``area_phrase`` is what the money is spent on, with its preposition, in ``lang``: 'na kulturę' /
    'on culture'. 'Gdyby gmina wydawała na kulturę tyle na mieszkańca, co mediana podobnych gmin,
    wydałaby o 1,2 mln zł mniej.' A gap under 1% of the unit's spending or under 1 000 zł reads as the
    same as the median. Returns None when an input is missing.
    """
    lang = _lang(lang)
    if any(_missing(v) for v in (unit_per_capita, peer_median_per_capita, population)):
        return None
    noun = _unit_noun(level)
    spending = abs(unit_per_capita * population)
    gap = (peer_median_per_capita - unit_per_capita) * population  # > 0: it would spend more
    same = abs(gap) < max(GAP_MIN_SHARE * spending, GAP_MIN_ZL)
    if lang == "en":
        subject = f"the {noun.en_one}"
        if same:
            return (f"{subject.capitalize()} spends about as much per resident {area_phrase} "
                    f"as the median of similar {noun.en_many}.")
        more = "more" if gap > 0 else "less"
        return (f"If {subject} spent as much per resident {area_phrase} as the median of similar "
                f"{noun.en_many}, it would spend {format_money(gap, 'en')} {more}.")
    subject = noun.one
    if same:
        return (f"{subject.capitalize()} wydaje {area_phrase} na mieszkańca tyle, "
                f"co mediana podobnych {noun.many}.")
    past, conditional = _VERBS[noun.gender]
    more = "więcej" if gap > 0 else "mniej"
    return (f"Gdyby {subject} {past} {area_phrase} tyle na mieszkańca, co mediana podobnych {noun.many}, "
            f"{conditional} o {format_money(gap, 'pl')} {more}.")
