"""Atom feeds (RFC 4287) to follow the data: every data release with what changed (portal/changelog.py), and
what changed for one unit between releases; plus the ``<link rel="alternate">`` tags pages carry in their
HTML head so feed readers find them.

Entries are built from the kept releases (portal/release.py ``list_releases``), newest first; each one is
compared with the kept release before it. A release that can no longer be read by this code (an older data
format) is listed without a comparison. Everything returned is plain data or a string; the Flask routes are in
portal/api/feeds.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from portal.changelog import release_changelog, tolerance
from portal.config import Settings
from portal.explain import format_value
from portal.release import list_releases

ATOM_NS = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50
MAX_LINES = 30
RELEASES_PATH = "/feeds/wydania.atom"
UNIT_PATH = "/feeds/jst/{teryt}.atom"
UNIT_PAGE = re.compile(r"^/(?:jst|raport|cele|budzet)/(\d{2}|\d{4}|\d{7})/?$")

T = {
    "pl": {
        "releases": "OMUP – nowe wydania danych",
        "unit": "OMUP – zmiany w danych: {name}",
        "release": "Wydanie danych {v} ({d})",
        "unit_entry": "{name}: zmiany w wydaniu {v} ({d})",
        "first": "Najstarsze przechowywane wydanie: brak wcześniejszego do porównania.",
        "unreadable": "Wydanie {v} zapisano w starszym formacie: bez porównania.",
        "added": "Nowe wskaźniki: {x}.",
        "removed": "Usunięte wskaźniki: {x}.",
        "revised": "Poprawione wartości: {n} (we wskaźnikach: {x}).",
        "years": "Zmienione lata: {x}.",
        "status": "Zmiana statusu (urzędowe ↔ syntetyczne): {x}.",
        "nothing": "Bez zmian w wartościach.",
        "u_added": "{ind}: nowy wskaźnik ({years}).",
        "u_years": "{ind}: nowe lata {years} (ostatnia wartość {value}).",
        "u_revised": "{ind}, {year}: {old} → {new}.",
        "u_nothing": "Bez zmian dla tej jednostki.",
        "more": "… i {n} innych zmian.",
        "demo": " [wydanie demonstracyjne: z danymi syntetycznymi]",
    },
    "en": {
        "releases": "OMUP – new data releases",
        "unit": "OMUP – data changes: {name}",
        "release": "Data release {v} ({d})",
        "unit_entry": "{name}: changes in release {v} ({d})",
        "first": "Oldest kept release: nothing earlier to compare with.",
        "unreadable": "Release {v} is in an older format: not compared.",
        "added": "New indicators: {x}.",
        "removed": "Removed indicators: {x}.",
        "revised": "Revised values: {n} (in: {x}).",
        "years": "Years changed: {x}.",
        "status": "Status changed (official ↔ synthetic): {x}.",
        "nothing": "No changes in values.",
        "u_added": "{ind}: new indicator ({years}).",
        "u_years": "{ind}: new years {years} (latest value {value}).",
        "u_revised": "{ind}, {year}: {old} → {new}.",
        "u_nothing": "No changes for this unit.",
        "more": "… and {n} more changes.",
        "demo": " [demo edition: with synthetic data]",
    },
}


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "pl"


def rfc3339(stamp: str) -> str:
    """A build time as Atom wants it (RFC 3339 with a zone); naive times are taken as UTC."""
    try:
        when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _store(settings: Settings, version: str, demo: bool):
    from portal.store import get_store

    try:
        return get_store(settings, version, demo)
    except Exception:
        return None


def _names(store, ids: list[str], lang: str, limit: int = 8) -> str:
    names = []
    for i in ids[:limit]:
        ind = store.catalogue.by_id.get(i) if store else None
        names.append(ind.name.get(lang) if ind else i)
    return ", ".join(names) + (" …" if len(ids) > limit else "")


def release_entries(settings: Settings, lang: str = "pl", demo: bool = False) -> list[dict]:
    """One entry per kept release, newest first: {id, version, title, updated, lines, current}."""
    lang = _lang(lang)
    tx = T[lang]
    kept = list_releases(settings)[:MAX_ENTRIES]
    out = []
    for k, rel in enumerate(kept):
        version = rel["version"]
        day = str(rel["built_at"])[:10]
        lines: list[str] = []
        older = kept[k + 1]["version"] if k + 1 < len(kept) else None
        new = _store(settings, version, demo)
        old = _store(settings, older, demo) if older else None
        if new is None:
            lines.append(tx["unreadable"].format(v=version))
        elif older is None:
            lines.append(tx["first"])
        elif old is None:
            lines.append(tx["unreadable"].format(v=older))
        else:
            ch = release_changelog(settings, older, version)
            if ch["indicators_added"]:
                lines.append(tx["added"].format(x=_names(new, ch["indicators_added"], lang)))
            if ch["indicators_removed"]:
                lines.append(tx["removed"].format(x=_names(old, ch["indicators_removed"], lang)))
            if ch["values_revised"]:
                lines.append(
                    tx["revised"].format(
                        n=ch["values_revised"],
                        x=_names(new, [r["indicator"] for r in ch["indicators_revised"]], lang),
                    )
                )
            if ch["indicators_with_year_changes"]:
                lines.append(
                    tx["years"].format(
                        x=_names(new, [r["indicator"] for r in ch["indicators_with_year_changes"]], lang)
                    )
                )
            if ch["status_changed"]:
                lines.append(
                    tx["status"].format(x=_names(new, [r["indicator"] for r in ch["status_changed"]], lang))
                )
            if not lines:
                lines.append(tx["nothing"])
        out.append(
            {
                "id": f"urn:omup:release:{version}",
                "version": version,
                "current": bool(rel["current"]),
                "title": tx["release"].format(v=version, d=day) + (tx["demo"] if demo else ""),
                "updated": rfc3339(rel["built_at"]),
                "lines": lines,
            }
        )
    return out


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def unit_changes(old, new, teryt: str, lang: str = "pl") -> list[str]:
    """What changed for one unit from release ``old`` to ``new``: new indicators, new years, revised values
    (a value counts as revised beyond half a unit of its last shown decimal, as in portal/changelog.py)."""
    lang = _lang(lang)
    tx = T[lang]
    level = new.units.at[teryt, "level"] if teryt in new.units.index else None
    if level is None:
        return []
    lines: list[str] = []
    for ind in new.catalogue.indicators:
        if level not in ind.levels:
            continue
        s_new = {p["year"]: p["value"] for p in new.series(ind.id, teryt) if _finite(p["value"])}
        if not s_new:
            continue
        name = ind.name.get(lang)
        unit = ind.unit.get(lang)
        if old.catalogue.by_id.get(ind.id) is None or teryt not in old.units.index:
            lines.append(tx["u_added"].format(ind=name, years=f"{min(s_new)}–{max(s_new)}"))
            continue
        s_old = {p["year"]: p["value"] for p in old.series(ind.id, teryt) if _finite(p["value"])}
        added = sorted(set(s_new) - set(s_old))
        if added:
            latest = max(s_new)
            lines.append(
                tx["u_years"].format(
                    ind=name,
                    years=", ".join(map(str, added)),
                    value=format_value(s_new[latest], unit, ind.decimals, lang),
                )
            )
        tol = tolerance(ind.decimals)
        for year in sorted(set(s_new) & set(s_old)):
            if abs(s_new[year] - s_old[year]) > tol:
                lines.append(
                    tx["u_revised"].format(
                        ind=name,
                        year=year,
                        old=format_value(s_old[year], unit, ind.decimals, lang),
                        new=format_value(s_new[year], unit, ind.decimals, lang),
                    )
                )
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], tx["more"].format(n=len(lines) - MAX_LINES)]
    return lines


@lru_cache(maxsize=512)
def _unit_changes_cached(
    settings: Settings, old_v: str, new_v: str, demo: bool, teryt: str, lang: str
) -> tuple[str, ...]:
    old, new = _store(settings, old_v, demo), _store(settings, new_v, demo)
    if old is None or new is None:
        return (T[lang]["unreadable"].format(v=old_v if old is None else new_v),)
    return tuple(unit_changes(old, new, teryt, lang) or [T[lang]["u_nothing"]])


def unit_entries(
    settings: Settings, teryt: str, name: str, lang: str = "pl", demo: bool = False
) -> list[dict]:
    """One entry per kept release for one unit, newest first, each with what changed for it."""
    lang = _lang(lang)
    tx = T[lang]
    kept = list_releases(settings)[:MAX_ENTRIES]
    out = []
    for k, rel in enumerate(kept):
        version = rel["version"]
        older = kept[k + 1]["version"] if k + 1 < len(kept) else None
        lines = (
            [tx["first"]]
            if older is None
            else list(_unit_changes_cached(settings, older, version, demo, teryt, lang))
        )
        out.append(
            {
                "id": f"urn:omup:jst:{teryt}:release:{version}",
                "version": version,
                "title": tx["unit_entry"].format(name=name, v=version, d=str(rel["built_at"])[:10])
                + (tx["demo"] if demo else ""),
                "updated": rfc3339(rel["built_at"]),
                "lines": lines,
            }
        )
    return out


def atom(
    feed_id: str, title: str, self_url: str, page_url: str, entries: list[dict], entry_url, lang: str = "pl"
) -> str:
    """An Atom 1.0 document. ``entry_url(entry)`` gives each entry's alternate link (absolute)."""
    updated = max((e["updated"] for e in entries), default=rfc3339("1970-01-01T00:00:00+00:00"))
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang={quoteattr(_lang(lang))}>',
        f"<id>{escape(feed_id)}</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{updated}</updated>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(page_url)}/>',
        "<author><name>OMUP – Otwarty Monitor Usług Publicznych</name></author>",
        "<generator>OMUP</generator>",
    ]
    for e in entries:
        text = "\n".join(e["lines"])
        html = "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in e["lines"]) + "</ul>"
        parts += [
            "<entry>",
            f"<id>{escape(e['id'])}</id>",
            f"<title>{escape(e['title'])}</title>",
            f"<updated>{e['updated']}</updated>",
            f'<link rel="alternate" type="text/html" href={quoteattr(entry_url(e))}/>',
            f'<summary type="text">{escape(text)}</summary>',
            f'<content type="html">{escape(html)}</content>',
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def alternate_links(path: str, store=None) -> list[tuple[str, str]]:
    """(title, href) of the feeds a page offers: every page the releases feed, a unit's pages its own."""
    links = [("OMUP – nowe wydania danych", RELEASES_PATH)]
    m = UNIT_PAGE.match(path or "")
    if m:
        teryt = m.group(1)
        name = teryt
        if store is not None and teryt in store.units.index:
            name = str(store.units.at[teryt, "display_name"])
        links.append((f"OMUP – zmiany w danych: {name}", UNIT_PATH.format(teryt=teryt)))
    return links


def link_tags(path: str, store=None) -> str:
    return "".join(
        f'<link rel="alternate" type="application/atom+xml" title={quoteattr(title)} href={quoteattr(href)}>'
        for title, href in alternate_links(path, store)
    )


def add_links_to_index(index: str) -> str:
    """Dash's index hook: put the feeds' link tags into the page's HTML head (read by feed readers)."""
    try:
        import flask

        path = flask.request.path if flask.has_request_context() else "/"
        from portal.store import get_store

        store = get_store()
    except Exception:
        path, store = "/", None
    return index.replace("</head>", link_tags(path, store) + "\n</head>", 1)


__all__ = [
    "RELEASES_PATH",
    "UNIT_PATH",
    "add_links_to_index",
    "alternate_links",
    "atom",
    "link_tags",
    "release_entries",
    "rfc3339",
    "unit_changes",
    "unit_entries",
]
