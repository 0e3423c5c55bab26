"""How to cite a view: a ready sentence and a BibTeX entry carrying the data version and the access date."""

from __future__ import annotations

import os
import re
from datetime import date

PUBLISHER = "OMUP – Otwarty Monitor Usług Publicznych"
PUBLISHER_EN = "OMUP – Open Public Services Monitor (Poland)"

_MONTHS_PL = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
              "października", "listopada", "grudnia")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def public_base_url() -> str:
    """The portal's public address for citations: OMUP_BASE_URL when it is set, else the address the request
    came to (a portal behind a proxy or on another port cites itself, not 127.0.0.1:8050)."""
    configured = os.environ.get("OMUP_BASE_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover
        has_request_context = None
    if has_request_context is not None and has_request_context():
        return request.host_url.rstrip("/")
    from portal.config import Settings

    return Settings.from_env().base_url.rstrip("/")


def _date_text(d: date, lang: str) -> str:
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.day} {_MONTHS_PL[d.month - 1]} {d.year}"


def citation_text(title: str, url: str, version: str, accessed: date, lang: str = "pl",
                  synthetic: bool = False) -> str:
    """'OMUP – Otwarty Monitor Usług Publicznych, „<title>”, wersja danych <v>, <url> (dostęp: 5 maja 2025).'"""
    if lang == "en":
        text = (f"{PUBLISHER_EN}, “{title}”, data version {version}, {url} "
                f"(accessed {_date_text(accessed, 'en')}).")
        return text + (" Includes synthetic values, not official statistics." if synthetic else "")
    text = f"{PUBLISHER}, „{title}”, wersja danych {version}, {url} (dostęp: {_date_text(accessed, 'pl')})."
    return text + (" Zawiera wartości syntetyczne, niebędące danymi urzędowymi." if synthetic else "")


_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(ch, ch) for ch in text)


def bibtex_key(title: str, version: str, accessed: date) -> str:
    from portal.pipeline.register import fold

    slug = re.sub(r"[^a-z0-9]+", "-", fold(title).lower()).strip("-")[:30].strip("-") or "widok"
    return f"omup-{slug}-{version[:8]}-{accessed.year}"


def citation_bibtex(title: str, url: str, version: str, accessed: date, lang: str = "pl",
                    synthetic: bool = False) -> str:
    """A @misc entry (biblatex fields urldate and version; plain BibTeX reads the note)."""
    note = (f"Wersja danych {version}; dostęp {accessed.isoformat()}" if lang != "en"
            else f"Data version {version}; accessed {accessed.isoformat()}")
    if synthetic:
        note += "; wartości syntetyczne" if lang != "en" else "; synthetic values"
    fields = [
        ("author", "{" + bibtex_escape(PUBLISHER if lang != "en" else PUBLISHER_EN) + "}"),
        ("title", bibtex_escape(title)),
        ("year", str(accessed.year)),
        ("version", bibtex_escape(version)),
        ("url", url),
        ("urldate", accessed.isoformat()),
        ("howpublished", r"\url{" + url + "}"),
        ("note", bibtex_escape(note)),
    ]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@misc{{{bibtex_key(title, version, accessed)},\n{body}\n}}"


def citation(title: str, url: str, version: str, accessed: date | None = None, lang: str = "pl",
             synthetic: bool = False) -> dict[str, str]:
    """Both forms: {"text": ..., "bibtex": ...}."""
    accessed = accessed or date.today()
    return {"text": citation_text(title, url, version, accessed, lang, synthetic),
            "bibtex": citation_bibtex(title, url, version, accessed, lang, synthetic)}
