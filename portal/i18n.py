"""Words in two languages: gettext catalogues for the UI text, Babel (CLDR) for plurals and number formats.

Code marks a message in English (the source language of the code) and translators edit
``portal/locale/<lang>/LC_MESSAGES/messages.po`` with standard tools; nothing else needs to be read::

    from portal.i18n import translator

    _ = translator("pl")
    _("Compare")                                   # 'Porównaj'
    _.ngettext("{n} unit", "{n} units", 5).format(n=5)   # '5 jednostek' (three Polish forms in the .po file)
    _.number(1234.5, 1)                            # '1 234,5' (no-break space, decimal comma)

Module-level tables mark their texts with :func:`N_` (extracted, translated when used). ``messages.pot`` is
extracted from the code (``python -m portal.i18n extract``); ``python -m portal.i18n update`` merges it into
both ``.po`` files. The ``.po`` files are compiled in memory when a process first needs them (no compiled
``.mo`` files in the repository). ``tests/unit/test_i18n.py`` fails when a message is missing in either
language or the template is stale.

Polish decimals: gettext's Polish plural formula covers integers only; CLDR gives non-integers the category
``other`` ("1,4 miejsca", the genitive singular). :meth:`Translator.ngettext` picks the form with Babel's
``Locale.plural_form`` and keeps the decimal form as its own message with the context ``decimal``.
"""

from __future__ import annotations

import decimal
import functools
import io
import math
from collections.abc import Iterable
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGS = ("pl", "en")
BABEL_LOCALE = {"pl": "pl_PL", "en": "en_GB"}
DOMAIN = "messages"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
SOURCE_DIRS = ("portal", "layouts", "callbacks")


def lang_of(lang: str | None) -> str:
    """'en' or 'pl' (anything else is Polish, the portal's first language)."""
    return "en" if lang == "en" else "pl"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for extraction without translating it (module-level tables)."""
    return message


@functools.cache
def _translations(lang: str) -> Translations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=BABEL_LOCALE[lang])
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


class Translator:
    """The UI text, plural forms and number formats of one language. Call it like gettext's ``_``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang_of(lang)
        self.locale = Locale.parse(BABEL_LOCALE[self.lang])
        self._t = _translations(self.lang)

    def __call__(self, message: str) -> str:
        return self._t.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        """A message whose translation depends on a context (the same English word, two Polish ones)."""
        return self._t.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, count: float) -> str:
        """The form for ``count``: gettext's plural forms for whole numbers, CLDR's 'other' for fractions."""
        if _is_whole(count):
            return self._t.ngettext(singular, plural, abs(int(count)))
        # A fraction: Polish CLDR category 'other' (genitive singular), English 'other' (plural).
        return self._t.pgettext("decimal", plural)

    def npgettext(self, context: str, singular: str, plural: str, count: float) -> str:
        if _is_whole(count):
            return self._t.npgettext(context, singular, plural, abs(int(count)))
        decimal_context = context + "|decimal"
        return self._t.pgettext(decimal_context, plural)

    def plural_category(self, count: float) -> str:
        """CLDR's category of a number: 'one', 'few', 'many' or 'other' (Polish fractions are 'other')."""
        return self.locale.plural_form(abs(count))

    def number(self, value: float, decimals: int = 0) -> str:
        """'12 345,6' in Polish (no-break space, decimal comma), '12,345.6' in English; minus sign U+2212."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        # Half up from the shortest decimal repr, as the value is written (0.125 → 0,13), not half-even on binary.
        with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
            text = format_decimal(decimal.Decimal(repr(float(value))), format=pattern, locale=self.locale,
                                  decimal_quantization=True)
        return text.replace("-", "\u2212")


def _is_whole(count: float) -> bool:
    return math.isfinite(count) and float(count).is_integer()


@functools.cache
def translator(lang: str | None) -> Translator:
    """The translator of a language ('pl' unless 'en'); one per process."""
    return Translator(lang_of(lang))


# ----------------------------------------------------------------------------------- catalogue maintenance


def extract(root: Path | None = None) -> object:
    """The message catalogue extracted from the code (the content of ``messages.pot``)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    root = root or LOCALE_DIR.parents[1]
    catalog = Catalog(project="OMUP", msgid_bugs_address="", charset="utf-8")
    for folder in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            root / folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("i18n:",),
            strip_comment_tags=True,
        ):
            if f"{folder}/{filename}" == "portal/i18n.py":
                continue
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
            if isinstance(message, tuple) and len(message) == 2:
                # The form after a fraction (CLDR 'other'), looked up by Translator.ngettext with this context.
                decimal = "decimal" if context is None else f"{context}|decimal"
                catalog.add(message[1], None, [(f"{folder}/{filename}", lineno)], context=decimal,
                            auto_comments=["the form after a fraction, e.g. 1,4"])
    return catalog


def message_ids(catalog: Iterable) -> set[tuple[str | None, object]]:
    return {(m.context, m.id) for m in catalog if m.id}


def _write_pot(catalog, path: Path) -> None:
    from babel.messages.pofile import write_po

    with path.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=110, no_location=True)


def main(argv: list[str] | None = None) -> int:
    """`python -m portal.i18n extract` (write messages.pot) or `update` (extract, then merge into each .po)."""
    import sys

    from babel.messages.pofile import write_po

    args = argv if argv is not None else sys.argv[1:]
    command = args[0] if args else "update"
    catalog = extract()
    _write_pot(catalog, LOCALE_DIR / f"{DOMAIN}.pot")
    if command == "extract":
        return 0
    for lang in LANGS:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po.open("rb") as fh:
            existing = read_po(fh, locale=BABEL_LOCALE[lang])
        existing.update(catalog, no_fuzzy_matching=True)
        existing.obsolete.clear()
        with po.open("wb") as fh:
            write_po(fh, existing, sort_output=True, width=110, no_location=True, include_previous=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
