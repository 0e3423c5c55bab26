"""What changed between data releases, as components: the kept releases and a release summary (for
/o-danych) and one indicator's changes (`changelog_block`, for the indicator page). Numbers come from
portal/changelog.py."""

from __future__ import annotations

from dash import html

from portal.api.versions import app_settings
from portal.changelog import default_pair, indicator_changelog, release_changelog
from portal.explain import format_number
from portal.i18n import translator
from portal.release import list_releases
from portal.store import get_store


def _texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'heading': _('Changes between data versions'), 'kept': _('Kept data versions (embeds and links with v= show the numbers of the chosen version):'), 'current': _('current'), 'built': _('built'), 'only_one': _('Only one data version is kept – nothing to compare with.'), 'summary': _('From version {old} to {new}: {n} indicators with revised values ({values} values), {years} with years added or removed, {status} with a status change (synthetic ↔ real); new indicators: {added}; removed: {removed}.'), 'none': _('none'), 'top': _('Most revised:'), 'values': _('values'), 'tolerance': _('A revision is a change larger than half a unit of the last decimal place shown.'), 'api': _('Details for each indicator: /api/v1/indicators/<id>/changelog.'), 'ind_heading': _("Changes in this indicator's data"), 'ind_summary': _('From version {old} to {new}: {n} values revised; years added: {added}; years removed: {removed}; number of values: {cov_old} → {cov_new}.'), 'ind_status': _('Status changed: {old} → {new}.'), 'synthetic': _('synthetic'), 'real': _('real'), 'largest': _('Largest revisions'), 'col_unit': _('Unit'), 'col_year': _('Year'), 'col_old': _('Was'), 'col_new': _('Now'), 'ind_added': _('The indicator is new in version {new}.'), 'ind_removed': _('The indicator is not in version {new}.')}


def _tx(lang: str) -> dict:
    return _texts(lang)


def _list(items: list, tx: dict) -> str:
    return ", ".join(str(i) for i in items) if items else tx["none"]


def releases_list(lang: str = "pl") -> html.Ul:
    tx = _tx(lang)
    items = []
    for r in list_releases(app_settings()):
        built = str(r["built_at"])[:16].replace("T", " ")
        label = [html.Code(r["version"]), f" – {tx['built']} {built}"]
        if r["current"]:
            label.append(html.Span(f" ({tx['current']})", className="fw-semibold"))
        items.append(html.Li(label))
    return html.Ul(items, className="small release-list")


def release_summary(lang: str = "pl") -> list:
    """The summary of changes between the two most recent kept releases (or the only-one note)."""
    from layouts.components.shell import VALIDATING

    tx = _tx(lang)
    if VALIDATING.get():
        return []  # no callback ids here; comparing releases at start-up would load every kept one
    settings = app_settings()
    old, new = default_pair(settings)
    if old == new:
        return [html.P(tx["only_one"])]
    ch = release_changelog(settings, old, new)
    n = lambda x: format_number(x, 0, lang)  # noqa: E731 - a local shorthand
    out: list = [html.P(tx["summary"].format(
        old=old, new=new, n=n(len(ch["indicators_revised"])), values=n(ch["values_revised"]),
        years=n(len(ch["indicators_with_year_changes"])), status=n(len(ch["status_changed"])),
        added=_list(ch["indicators_added"], tx), removed=_list(ch["indicators_removed"], tx)))]
    top = ch["indicators_revised"][:5]
    if top:
        key = "en" if lang == "en" else "pl"
        out.append(html.P(tx["top"], className="mb-1"))
        rows = [html.Li([html.A(r["name"][key], href=f"/wskaznik/{r['indicator']}"),
                         f" – {n(r['revised'])} {tx['values']}"]) for r in top]
        out.append(html.Ul(rows, className="small"))
    out.append(html.P([tx["tolerance"], " ", tx["api"]], className="small text-muted"))
    return out


def releases_section(lang: str = "pl") -> html.Section:
    """The /o-danych section «Zmiany między wersjami danych»: kept releases and the latest changes."""
    tx = _tx(lang)
    return html.Section([html.H2(tx["heading"], className="h4"), html.P(tx["kept"]), releases_list(lang),
                         *release_summary(lang)], id="zmiany", className="about-section")


def changelog_block(indicator_id: str, lang: str = "pl") -> html.Section | None:
    """One indicator's changes from the previous kept release to the current one (None when only one is kept
    or the indicator is unknown). For the indicator page: append it at the end of its layout."""
    from layouts.components.shell import VALIDATING

    if VALIDATING.get():
        return None
    tx = _tx(lang)
    settings = app_settings()
    old, new = default_pair(settings)
    store = get_store(settings)
    ind = store.indicator(indicator_id)
    if old == new or ind is None:
        return None
    ch = indicator_changelog(settings, indicator_id, old, new)
    body: list = []
    if ch["change"] != "compared":
        body.append(html.P(tx["ind_added" if ch["change"] == "added" else "ind_removed"].format(new=new)))
    else:
        body.append(html.P(tx["ind_summary"].format(
            old=old, new=new, n=format_number(ch["revised"], 0, lang), added=_list(ch["years_added"], tx),
            removed=_list(ch["years_removed"], tx), cov_old=format_number(ch["coverage"]["old"], 0, lang),
            cov_new=format_number(ch["coverage"]["new"], 0, lang))))
        if ch["status"]["changed"]:
            body.append(html.P(tx["ind_status"].format(old=tx.get(ch["status"]["old"] or "", "–"),
                                                       new=tx.get(ch["status"]["new"] or "", "–"))))
        rows = ch["largest_revisions"]
        if rows:
            unit = ind.unit.get(lang)
            fmt = lambda v: "–" if v is None else format_number(v, ind.decimals, lang)  # noqa: E731
            body.append(html.Div(html.Table([
                html.Caption(f"{tx['largest']} ({unit})"),
                html.Thead(html.Tr([html.Th(tx[c], scope="col") for c in ("col_unit", "col_year", "col_old",
                                                                          "col_new")])),
                html.Tbody([html.Tr([html.Td(r["name"]), html.Td(r["year"]), html.Td(fmt(r["old"])),
                                     html.Td(fmt(r["new"]))]) for r in rows]),
            ], className="table table-sm"), className="table-responsive"))
        body.append(html.P(tx["tolerance"], className="small text-muted"))
    return html.Section([html.H2(tx["ind_heading"], className="h5"), *body], className="indicator-changelog")


__all__ = ["changelog_block", "release_summary", "releases_list", "releases_section"]
