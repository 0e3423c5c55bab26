"""The gettext catalogues: complete in both languages, in step with the code, numbers and plurals by CLDR."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from portal.i18n import BABEL_LOCALE, LANGS, LOCALE_DIR, extract, message_ids, translator

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _po(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=BABEL_LOCALE[lang])


def _pot():
    with (LOCALE_DIR / "messages.pot").open("rb") as fh:
        return read_po(fh)


def test_template_is_extracted_from_the_current_code() -> None:
    missing = message_ids(extract()) - message_ids(_pot())
    assert not missing, f"messages in the code but not in messages.pot (run `python -m portal.i18n update`): {sorted(missing, key=str)[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang: str) -> None:
    po = _po(lang)
    have = {(m.context, m.id): m for m in po if m.id}
    missing = []
    for key in message_ids(_pot()):
        m = have.get(key)
        strings = [] if m is None else (list(m.string) if isinstance(m.string, tuple) else [m.string])
        if m is None or not strings or not all(s for s in strings) or m.fuzzy:
            missing.append(key)
    assert not missing, f"{lang}: {len(missing)} messages without a translation, e.g. {sorted(missing, key=str)[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang: str) -> None:
    for m in _po(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        want = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) <= want | {"{n}"}, (lang, m.id, s)


def test_polish_plural_header_has_three_forms() -> None:
    assert _po("pl").num_plurals == 3
    assert _po("en").num_plurals == 2


def test_numbers_follow_cldr() -> None:
    pl, en = translator("pl"), translator("en")
    assert pl.number(1234.5, 1) == "1\u00a0234,5"
    assert en.number(1234.5, 1) == "1,234.5"
    assert pl.number(-12.25, 1) == "\u221212,3"  # half up, minus sign
    assert pl.number(0.125, 2) == "0,13"
    assert pl.plural_category(1.4) == "other" and pl.plural_category(5) == "many" and pl.plural_category(22) == "few"


def test_shell_text_is_translated() -> None:
    assert translator("pl")("Compare") == "Porównaj"
    assert translator("en")("Compare") == "Compare"
