"""Plain-language sentences: values with their units, and comparisons with peers, from threshold tables.

Everything here is a pure function of plain values (no store, no I/O), in the manner of Census Reporter's
``comparison_index_phrase``: a share is placed in a band by a small table, and the band picks a phrase.
The words are gettext messages (``portal/locale/<lang>/LC_MESSAGES/messages.po``, see :mod:`portal.i18n`);
Babel (CLDR) supplies the plural rules and number formats; the word forms CLDR does not cover (the noun a
unit starts with, the case forms of gmina/powiat/…) are messages too, kept in :mod:`portal.words`.

Conventions: ``lang`` is ``"pl"`` or ``"en"`` (anything else means Polish); ``level`` is ``"gmina"``,
``"powiat"``, ``"wojewodztwo"`` or ``"miasto"`` (a city with powiat rights, kept at the gmina level; see
:func:`sentence_level`). Polish numbers group thousands with a no-break space (:data:`NBSP`) and use a
decimal comma; negative numbers use the minus sign U+2212. A *better share* is the share (0–1) of the other
units in the peer group that this unit does better than; for neutral indicators the share with a lower value.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from portal.i18n import LANGS, N_, lang_of, translator
from portal.words import (
    _ALIASES,
    _COUNT_KINDS,
    BASE_NOUNS,
    UNIT_NOUNS,
    NounForms,
    kind_words,
    pgettext,
    unit_noun,
)

NBSP = "\u00a0"
MINUS = "\u2212"
MIN_PEERS = 5
"""Smallest peer group (the unit included) for which a comparison is stated."""

HIGHER_BETTER, LOWER_BETTER, NEUTRAL = "higher_better", "lower_better", "neutral"

MISSING = {lang: translator(lang)(N_("no data")) for lang in LANGS}
"""'brak danych' / 'no data'."""


def _lang(lang: str | None) -> str:
    return lang_of(lang)


def _missing(value: object) -> bool:
    """None, NaN, ±inf, pandas NA – anything that is not a finite number (numpy scalars included)."""
    try:
        return value is None or not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


# --------------------------------------------------------------------------- numbers


def _round(value: float, decimals: int) -> Decimal:
    # Decimal from the shortest repr, so 0.125 → 0.13 as written, not as the binary float happens to be.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: float | None, decimals: int = 0, lang: str = "pl") -> str:
    """'12 345,6' (no-break space U+00A0, decimal comma) in Polish, '12,345.6' in English (CLDR, via Babel).

    Half up as the number is written; no negative zero. Missing values give "brak danych" / "no data".
    """
    lang = _lang(lang)
    if _missing(value):
        return MISSING[lang]
    d = _round(value, decimals)
    return translator(lang).number(float(abs(d) if d == 0 else d), decimals)


def plural_pl(n: float, one: str, few: str, many: str, fraction: str | None = None) -> str:
    """The Polish form of a noun after ``n`` by CLDR's categories (one, few, many; other for fractions).

    For words that are not in the catalogues ("1 kod", "2 kody", "5 kodów"); ``fraction`` (default ``few``)
    is the genitive singular used after fractions. Prefer a plural message in the ``.po`` files.
    """
    category = translator("pl").plural_category(float(n))
    return {"one": one, "few": few, "many": many}.get(category, few if fraction is None else fraction)


def format_value(value: float | None, unit_text: str, decimals: int = 1, lang: str = "pl") -> str:
    """A value with its unit: '412 zł na mieszkańca', '45,3%', '1 234 osoby', '6,2 mieszkania na 1000 …'.

    A unit that starts with a countable noun (:data:`UNIT_NOUNS`) gets the form the number asks for
    (1 / 2–4 / 5+ / a fraction); others are appended as they are. English: 'PLN 412 per resident', '45.3%'.
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
    noun = unit_noun(unit, lang)
    if noun is not None:
        _head, sep, rest = unit.partition(" ")
        unit = noun.after(float(_round(value, decimals)), decimals, lang) + sep + rest
    return f"{text} {unit}"


def _significant(x: Decimal, digits: int) -> Decimal:
    if x == 0:
        return x
    return x.quantize(Decimal(1).scaleb(x.adjusted() - digits + 1), rounding=ROUND_HALF_UP)


_MONEY_SCALES = (  # (from, divisor, message)
    (Decimal(10) ** 9, Decimal(10) ** 9, N_("PLN {amount} billion")),
    (Decimal(10) ** 6, Decimal(10) ** 6, N_("PLN {amount} million")),
    (Decimal(10) ** 5, Decimal(10) ** 3, N_("PLN {amount} thousand")),
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
    _ = translator(lang)
    x = abs(Decimal(repr(float(zl))))
    x = x.quantize(Decimal(1), rounding=ROUND_HALF_UP) if x < 1000 else x
    x = _significant(x, 3) if x < 100_000 else _significant(x, 2)
    if x < 100_000:
        return _(N_("PLN {amount}")).format(amount=format_number(float(x), 0, lang))
    _start, divisor, message = next(s for s in _MONEY_SCALES if x >= s[0])
    mantissa = x / divisor
    decimals = 0 if mantissa == mantissa.to_integral_value() else 1
    return _(message).format(amount=format_number(float(mantissa), decimals, lang))


# --------------------------------------------------------------------------- kinds of unit


def sentence_level(level: str, mnpp: bool = False) -> str:
    """The noun a unit is called by in sentences: a gmina with powiat rights is a "miasto"."""
    return "miasto" if mnpp and level == "gmina" else level


def count_phrase(n: float, kind: str, lang: str = "pl", decimals: int = 0) -> str:
    """A number with its noun in the right form: "5 gmin", "22 gminy", "1,5 powiatu", "1 county", "5 osób".

    ``kind`` is a level (gmina, powiat, wojewodztwo, miasto) or osoba, mieszkaniec, uczen, dziecko, miejsce.
    """
    lang = _lang(lang)
    _ = translator(lang)
    text = format_number(n, decimals, lang)
    if kind in _COUNT_KINDS:
        singular = _COUNT_KINDS[kind]
        noun = next(NounForms(s, p, ()) for _c, s, p in UNIT_NOUNS if s == singular)
        return f"{text} {noun.after(float(_round(n, decimals)), decimals, lang)}"
    context, singular, plural = kind_words(kind, lang).count
    count = float(_round(n, decimals))
    if decimals > 0 or not count.is_integer():
        return _.pgettext(context + "|decimal", plural).format(n=text)
    return _.npgettext(context, singular, plural, abs(int(count))).format(n=text)


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


# {n}: count out of 10; {units}: genitive plural, {in_units}: locative plural of the kind of unit.
_PHRASES = {
    ("directed", "top"): N_("the best result among similar {units}"),
    ("directed", "above"): N_("better than in {n} out of 10 similar {in_units}"),
    ("directed", "median"): N_("about the same as the median of similar {units}"),
    ("directed", "below"): N_("worse than in {n} out of 10 similar {in_units}"),
    ("directed", "bottom"): N_("the weakest result among similar {units}"),
    ("neutral", "top"): N_("the highest value among similar {units}"),
    ("neutral", "above"): N_("more than in {n} out of 10 similar {in_units}"),
    ("neutral", "median"): N_("about the same as the median of similar {units}"),
    ("neutral", "below"): N_("less than in {n} out of 10 similar {in_units}"),
    ("neutral", "bottom"): N_("the lowest value among similar {units}"),
    ("chance", ""): N_("within chance variation around the average of similar {units}"),
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
    the clause never judges: the value is within the limits of chance variation around the peers' average
    (portal/uncertainty.py). Returns None when the share is missing.
    """
    lang = _lang(lang)
    if share is None or _missing(share):
        return None
    words = kind_words(level, lang)
    _ = translator(lang)
    forms = {"units": words.similar, "in_units": words.in_similar}
    if indistinguishable:
        return _(_PHRASES[("chance", "")]).format(**forms)
    band, n = _position(share)
    message = _PHRASES[("neutral" if direction == NEUTRAL else "directed", band)]
    return _(message).format(n=n, **forms)


_BANDS = (  # (lowest share, directed key, neutral key)
    (0.8, "best", "highest"),
    (0.6 + 1e-9, "better", "higher"),
    (0.4, "average", "middle"),
    (0.2 + 1e-9, "worse", "lower"),
    (0.0, "worst", "lowest"),
)
BAND_LABELS = {  # said in the indicator's direction: better/worse when judged, higher/lower when neutral
    "best": pgettext("band", "among the best 20%"),
    "better": pgettext("band", "better than average"),
    "average": pgettext("band", "about average"),
    "worse": pgettext("band", "worse than average"),
    "worst": pgettext("band", "among the weakest 20%"),
    "highest": pgettext("band", "among the highest 20%"),
    "higher": pgettext("band", "higher than average"),
    "middle": pgettext("band", "about average"),
    "lower": pgettext("band", "lower than average"),
    "lowest": pgettext("band", "among the lowest 20%"),
}


def band_label(key: str, lang: str = "pl") -> str:
    """The label of a band key of :func:`percentile_band` ('no_data' gives 'brak danych')."""
    lang = _lang(lang)
    return translator(lang).pgettext(*BAND_LABELS[key]) if key in BAND_LABELS else MISSING[lang]


def percentile_band(share: float | None, direction: str = HIGHER_BETTER) -> tuple[str, str, str]:
    """One of five bands for a better share: (key, Polish label, English label).

    Directed keys (said as better/worse, whichever way the indicator points): best, better, average, worse,
    worst; neutral keys (higher/lower, no judgement): highest, higher, middle, lower, lowest. Bands:
    [0.8, 1], (0.6, 0.8), [0.4, 0.6], (0.2, 0.4), [0, 0.2]; a missing share gives ("no_data", …).
    """
    if share is None or _missing(share):
        return "no_data", MISSING["pl"], MISSING["en"]
    share = round(min(max(share, 0.0), 1.0), 9)
    key = next(n_key if direction == NEUTRAL else d_key for lowest, d_key, n_key in _BANDS if share >= lowest)
    return key, band_label(key, "pl"), band_label(key, "en")


# --------------------------------------------------------------------------- verdicts and sentences

VERDICTS = ("no_data", "small_base", "no_comparison", "chance", "band")


def verdict_kind(
    point: dict | None, *, chance: bool | None = None, small_base: str | None = None
) -> str:
    """The one statement a value gets about its peers (one of :data:`VERDICTS`), first that applies:

    no_data – no value; small_base – the value rests on too few cases (``small_base`` says how many, see
    portal/verdict.py): the base is said and nothing is ranked; no_comparison – fewer than :data:`MIN_PEERS`
    peers or no percentile; chance – chance variation applies and the value is within its limits
    (``chance`` True): neither a band nor a ranking; band – a band and a comparison phrase.
    Never both a band and a chance statement: a value outside the limits gets its band alone.
    """
    if point is None or _missing(point.get("value")):
        return "no_data"
    if small_base:
        return "small_base"
    if (point.get("n_peer") or 0) < MIN_PEERS or _missing(point.get("pct_peer")):
        return "no_comparison"
    return "chance" if chance else "band"


def base_phrase(n: float, noun: str = "pupils", lang: str = "pl") -> str:
    """'30 uczniów', '1 ucznia' (genitive, as after 'na podstawie'); '30 pupils' in English."""
    context, singular, plural = BASE_NOUNS[noun]
    return translator(_lang(lang)).npgettext(context, singular, plural, int(n)).format(
        n=format_number(n, 0, lang))


def base_clause(base: str, level: str = "gmina", lang: str = "pl") -> str:
    """'na podstawie wyników 30 uczniów; to za mało, by porównywać z podobnymi gminami'."""
    words = kind_words(level, _lang(lang))
    message = N_("based on {base}: too few to compare with similar {with_units}")
    return translator(_lang(lang))(message).format(base=base, with_units=words.with_similar)


def _fill(template: str, values: dict[str, str]) -> str:
    # Plain replacement, not str.format: a stray brace in a catalogue text must not break the page.
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


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
    small_base: str | None = None,
) -> str:
    """One unit's value as a sentence, with the one statement about its peers that :func:`verdict_kind` picks.

    ``template`` is the catalogue's sentence in ``lang`` (placeholders {rok}/{year}, {wartosc}/{value},
    {w_jst}/{in_unit}); ``value_text`` comes from :func:`format_value`; ``point`` is ``Store.point(...)``
    (uses value, pct_peer, n_peer); without it no comparison is made. ``indistinguishable`` (the value is
    within the chance limits, portal/uncertainty.py) replaces any judgement; ``small_base`` ('30 uczniów',
    :func:`base_phrase`) says the base instead of comparing. A peer group under :data:`MIN_PEERS` gets a
    note instead. ``small_sample_note`` adds that values of small units vary from year to year.
    A missing value gives 'W 2023 r. brak danych dla tej gminy.'
    """
    lang = _lang(lang)
    _ = translator(lang)
    words = kind_words(level, lang)
    if value_text is None or (point is not None and _missing(point.get("value"))):
        return _(N_("No data for {this_unit} in {year}.")).format(this_unit=words.this_unit, year=year)
    text = _fill(
        template.strip().rstrip("."),
        {"rok": str(year), "year": str(year), "wartosc": value_text, "value": value_text,
         "w_jst": words.in_unit, "in_unit": words.in_unit},
    )
    extra: list[str] = []
    if point is not None:
        kind = verdict_kind(point, chance=indistinguishable, small_base=small_base)
        if kind == "small_base":
            text += " – " + base_clause(small_base, level, lang)
        elif kind == "no_comparison":
            note = N_("A comparison with similar {with_units} is not possible (too little data).")
            extra.append(_(note).format(with_units=words.with_similar))
        else:
            share = better_share(point.get("pct_peer"), direction)
            phrase = comparison_phrase(share, direction, level, lang, indistinguishable=kind == "chance")
            text += " – " + phrase + (f" ({peer_group_name})" if peer_group_name else "")
    if small_sample_note:
        extra.append(_(N_("In small {in_units} this value can change markedly from year to year.")).format(
            in_units=words.in_similar))
    return " ".join([text + ".", *extra])


_CAVEATS = {
    "synthetic": N_("Note: synthetic value (not official data)."),
    "estimated": N_("Estimated value."),
    "partial": N_("Incomplete data (not all gminas of the {of})."),
    "partial_gmina": N_("Incomplete data."),
}


def caveat(synthetic: bool, flag: str | None, lang: str = "pl", level: str = "powiat") -> str | None:
    """A warning to show beside a value, or None: synthetic values first, then estimated or partial ones.

    ``level`` words the partial note: 'nie wszystkie gminy powiatu' (default) or '… województwa'.
    """
    _ = translator(_lang(lang))
    if synthetic:
        return _(_CAVEATS["synthetic"])
    if flag == "estimated":
        return _(_CAVEATS["estimated"])
    if flag == "partial":
        key = _ALIASES.get(level, level)
        if key not in ("powiat", "wojewodztwo"):
            return _(_CAVEATS["partial_gmina"])
        return _(_CAVEATS["partial"]).format(of=kind_words(key, lang).of_unit)
    return None


def strongest_weakest(points: list[dict], k: int = 3) -> tuple[list[dict], list[dict]]:
    """The unit's k strongest and k weakest indicators against its peers.

    ``points`` are dicts with at least indicator, direction, pct_peer and n_peer. Neutral indicators,
    missing percentiles, peer groups under :data:`MIN_PEERS` and points marked ``comparable: False`` (a
    verdict of chance or a small base, portal/verdict.py) are skipped. Strongest are those better than the
    peer median (share > 0.5), best first; weakest those worse (share < 0.5), worst first; so the two lists
    never overlap and may be short or empty. Each returned dict is a copy with ``better_share``.
    """
    scored = []
    for p in points:
        if p.get("direction") not in (HIGHER_BETTER, LOWER_BETTER) or (p.get("n_peer") or 0) < MIN_PEERS:
            continue
        if p.get("comparable") is False:
            continue
        share = better_share(p.get("pct_peer"), p["direction"])
        if share is not None:
            scored.append({**p, "better_share": share})
    strongest = sorted((p for p in scored if p["better_share"] > 0.5),
                       key=lambda p: (-p["better_share"], str(p.get("indicator"))))
    weakest = sorted((p for p in scored if p["better_share"] < 0.5),
                     key=lambda p: (p["better_share"], str(p.get("indicator"))))
    return strongest[:k], weakest[:k]


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
    _ = translator(lang)
    words = kind_words(level, lang)
    spending = abs(unit_per_capita * population)
    gap = (peer_median_per_capita - unit_per_capita) * population  # > 0: it would spend more
    if abs(gap) < max(GAP_MIN_SHARE * spending, GAP_MIN_ZL):
        return words.gap_same.format(area=area_phrase)
    more = _.pgettext("gap sentence", "more") if gap > 0 else _.pgettext("gap sentence", "less")
    return words.gap.format(area=area_phrase, amount=format_money(gap, lang), more=more)
