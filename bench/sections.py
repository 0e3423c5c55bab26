"""Sections of bench/RESULTS.md that a script owns: replaced between its markers, appended when missing."""

from __future__ import annotations

from pathlib import Path

RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(md: str, start: str, end: str, path: Path = RESULTS_MD) -> None:
    """Put ``md`` (which begins with ``start`` and ends with ``end``) in place of the file's section between
    those markers, or at the end of the file when it has none; the rest of the file is left as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text:
        text = text[:text.index(start)] + md + text[text.index(end) + len(end) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + md
    path.write_text(text, encoding="utf-8")
