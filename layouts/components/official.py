"""What a page says where this release has no official indicator: which official source would fill it, how
(`omup data fetch`), and a link to the demo that shows what it will look like."""

from __future__ import annotations

from dash import html

from layouts.components.shell import with_lang
from portal.catalogue import Area, Indicator
from portal.i18n import translator
from portal.store import get_store


def fill_sources(indicators: list[Indicator], lang: str) -> str:
    """'zmienne BDL GUS (…) i wskaźniki SMUP (…)' for the indicators a fetch would bring."""
    _ = translator(lang)
    bdl = sorted({str(i.source.bdl_variable) for i in indicators if i.source.bdl_variable})
    smup = sorted({str(v) for i in indicators if i.source.smup for v in (i.source.smup.gmina, i.source.smup.mnpp,
                                                                          i.source.smup.all) if v})
    parts = []
    if bdl:
        parts.append(_("GUS BDL variables ({ids})").format(ids=", ".join(bdl[:6]) + (" …" if len(bdl) > 6 else "")))
    if smup:
        parts.append(_("SMUP indicators ({ids})").format(ids=", ".join(smup[:6]) + (" …" if len(smup) > 6 else "")))
    return (" " + _("and") + " ").join(parts) or _("data from GUS BDL and SMUP")


def missing_indicators(area_id: str) -> list[Indicator]:
    """The catalogue's indicators of an area that this edition has no values for."""
    store = get_store()
    return [i for i in store.full_catalogue.in_area(area_id) if i.id not in store.catalogue.by_id]


def area_without_official(area: Area, lang: str, path: str | None = None) -> html.Div:
    """One sentence: no official indicator here yet, what would fill it, and the demo link."""
    _ = translator(lang)
    sources = fill_sources(missing_indicators(area.id), lang)
    text = _("This release has no official indicators of “{area}” yet: {sources} will fill it, fetched with omup data "
             "fetch wherever the internet is reachable.").format(area=area.name.get(lang), sources=sources)
    return html.Div(
        [html.P(text, className="mb-1"),
         html.A(_("See what it will look like (demo mode, synthetic data)"),
                href=with_lang(path or f"/obszar/{area.id}", lang, demo="1"))],
        className="no-official alert alert-secondary", role="note",
    )


def has_official(area_id: str) -> bool:
    return any(i.area == area_id for i in get_store().catalogue.indicators)


__all__ = ["area_without_official", "fill_sources", "has_official", "missing_indicators"]
