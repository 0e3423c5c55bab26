"""Placeholder page (budget); replaced by its full implementation."""

from __future__ import annotations

from dash import html

from layouts.components.shell import page


def layout(lang: str = "pl", **params: str) -> list:
    return page("en" if lang == "en" else "pl", "/", params, html.H1("budget"))
