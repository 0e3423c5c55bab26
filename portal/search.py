"""Finding units as people type them: "gmina Kraków", "powiat krakowski", "m. Kraków", "woj. małopolskie",
names, TERYT codes; and the nearest names and codes to a mistyped address (the 404 page's suggestions).

A leading word says the level (or the city); the rest is searched among the units of that kind only, with
the store's own name search (case and Polish diacritics ignored).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from portal.pipeline.register import fold
from portal.store import Store

# Folded leading words → (level, kinds). kinds=None: any kind of the level.
PREFIXES: list[tuple[str, str | None, tuple[str, ...] | None]] = [
    ("gmina miejsko-wiejska", "gmina", ("miejsko-wiejska",)),
    ("gmina miejska", "gmina", ("miejska",)),
    ("gmina wiejska", "gmina", ("wiejska",)),
    ("gm. miejsko-wiejska", "gmina", ("miejsko-wiejska",)),
    ("gm. miejska", "gmina", ("miejska",)),
    ("gm. wiejska", "gmina", ("wiejska",)),
    ("gmina", "gmina", None),
    ("gm.", "gmina", None),
    ("gm", "gmina", None),
    ("m. st.", None, ("miejska", "mnpp")),
    ("m.st.", None, ("miejska", "mnpp")),
    ("miasto", None, ("miejska", "mnpp")),
    ("m.", None, ("miejska", "mnpp")),
    ("city of", None, ("miejska", "mnpp")),
    ("city", None, ("miejska", "mnpp")),
    ("powiat", "powiat", None),
    ("pow.", "powiat", None),
    ("county", "powiat", None),
    ("wojewodztwo", "wojewodztwo", None),
    ("woj.", "wojewodztwo", None),
    ("voivodeship", "wojewodztwo", None),
]


@dataclass(frozen=True)
class Query:
    text: str  # what is left to match against names
    level: str | None = None
    kinds: tuple[str, ...] | None = None


def parse_query(raw: str) -> Query:
    """The level or city a leading word names, and the rest of the text."""
    text = " ".join((raw or "").split())[:80]
    folded = fold(text).lower()
    for word, level, kinds in PREFIXES:
        if folded.startswith(word + " ") or (word.endswith(".") and folded.startswith(word) and len(folded) > len(word)):
            rest = text[len(word):].strip()
            if rest:
                return Query(rest, level, kinds)
    return Query(text)


def search_units(store: Store, raw: str, limit: int = 8) -> list[dict]:
    """Units for a typed query, best first: the store's search within the level or kind the query names.

    "gmina Kraków" → the gmina Kraków; "powiat krakowski" → the powiat (and "powiat Kraków" → the city with powiat
    rights first); "m. Kraków" → the city (its gmina, then the city with powiat rights), never the gminy of the
    powiat krakowski."""
    q = parse_query(raw)
    if not q.text:
        return []
    if q.level is None and q.kinds is None:
        return store.search(q.text, limit=limit)
    levels = [q.level] if q.level else ["gmina", "powiat"]
    hits: list[dict] = []
    for level in levels:
        for h in store.search(q.text, limit=200, level=level):
            if q.kinds is not None and h["kind"] not in q.kinds:
                continue
            if fold(q.text).lower() not in fold(h["name"]).lower():
                continue  # matched only through its display name ("pow. krakowski"): not what was named
            if q.kinds is not None and q.level is None and fold(h["name"]).lower() != fold(q.text).lower() and \
                    not fold(h["name"]).lower().startswith(fold(q.text).lower()):
                continue  # "m. Kraków" names the city itself, not the gminy of a powiat with that word
            hits.append(h)
    exact = fold(q.text).lower()
    hits.sort(key=lambda h: (0 if fold(h["name"]).lower() in (exact, f"powiat {exact}", f"wojewodztwo {exact}")
                             else 1, {"gmina": 0, "powiat": 1, "wojewodztwo": 2}[h["level"]]))
    return hits[:limit]


def first_result(query: str | None, lang: str = "pl") -> str | None:
    """The address of the first result for the start page's search box (Enter opens it)."""
    from portal.state import with_lang
    from portal.store import get_store

    if not query or not query.strip():
        return None
    hits = search_units(get_store(), query[:80], limit=1)
    return with_lang(f"/jst/{hits[0]['teryt']}", lang) if hits else None


def nearest_units(store: Store, typed: str, limit: int = 6) -> list[str]:
    """TERYT codes of the units nearest to what was typed in an address: codes sharing the longest prefix
    (then the closest number), names closest in spelling (difflib on folded names), or the name search."""
    typed = (typed or "").strip()[:200]
    # An address: the last part names the unit ("/jst/wadowcie" → "wadowcie").
    typed = next((part for part in reversed(re.split(r"[/?&=]+", typed)) if part.strip()), "")[:80]
    out: list[str] = []
    digits = re.sub(r"\D", "", typed)
    if digits and len(digits) >= 2:
        codes = [str(c) for c in store.units.index]
        for n in range(min(len(digits), 7), 1, -1):
            pool = [c for c in codes if c.startswith(digits[:n]) and len(c) == min(len(digits), 7)] or \
                   [c for c in codes if c.startswith(digits[:n])]
            if pool:
                target = int(digits[:7].ljust(len(pool[0]), "0")[: len(pool[0])])
                pool.sort(key=lambda c: (abs(int(c) - target), c))
                out.extend(pool[:limit])
                break
    words = re.sub(r"[\d/_+-]+", " ", typed).strip()
    if len(words) >= 2:
        out.extend(h["teryt"] for h in search_units(store, words, limit=limit))
        if len(out) < limit:
            names = _folded_names(store)
            close = difflib.get_close_matches(fold(words).lower(), list(names), n=limit, cutoff=0.6)
            for name in close:
                out.extend(names[name])
    seen: list[str] = []
    for code in out:
        if code not in seen:
            seen.append(code)
    return seen[:limit]


def _folded_names(store: Store) -> dict[str, list[str]]:
    cache = getattr(store, "_omup_folded_names", None)
    if cache is None:
        cache = {}
        for teryt, name in zip(store.units.index, store.units["name"], strict=True):
            cache.setdefault(fold(str(name)).lower(), []).append(str(teryt))
        object.__setattr__(store, "_omup_folded_names", cache)
    return cache


__all__ = ["Query", "first_result", "nearest_units", "parse_query", "search_units"]
