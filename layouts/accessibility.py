"""Deklaracja dostępności: the accessibility statement Polish law asks public websites for.

Structure of the official template (ustawa z 4 kwietnia 2019 r. o dostępności cyfrowej stron internetowych i
aplikacji mobilnych podmiotów publicznych, Dz.U. 2019 poz. 848; wzór deklaracji ogłoszony przez ministra
właściwego do spraw informatyzacji): the body and the site, dates of publication and last update, compliance
status, inaccessible content, how the statement was prepared, feedback and contact, the request and complaint
procedure, architectural accessibility. What an open-data project cannot know (the body that runs a given
deployment, its contact person) is said so, not invented.
"""

from __future__ import annotations

from dash import dcc, html

from layouts.components.shell import page, with_lang
from portal.i18n import translator
from portal.routing import ACCESSIBILITY_PATH

PATH = ACCESSIBILITY_PATH
PUBLISHED = "2026-11-23"  # the portal's first version
UPDATED = "2026-11-29"  # the last significant change of the site (this statement, the phone menu)
PREPARED = "2026-11-29"
ACT_URL = "https://isap.sejm.gov.pl/isap.nsf/DocDetails.xsp?id=WDU20190000848"
RPO_URL = "https://bip.brpo.gov.pl/"


def _section(anchor: str, title: str, *children: object) -> html.Section:
    return html.Section([html.H2(title, className="h4"), *children], id=anchor, className="about-section")


def layout(lang: str = "pl", **_params: str) -> list:
    lang = "en" if lang == "en" else "pl"
    _ = translator(lang)
    content = [
        html.H1(_("Accessibility statement"), className="h2"),
        html.P([_("The OMUP project undertakes to make this website accessible in accordance with the Act of 4 "
                  "April 2019 on the digital accessibility of websites and mobile applications of public sector "
                  "bodies"), " (", html.A(_("Journal of Laws 2019, item 848"), href=ACT_URL), "). ",
                _("This statement applies to the website OMUP – Open Public Services Monitor (Poland), its "
                  "pages, the /api page, embeds and files to download.")], className="lead", id="a11y-intro"),
        _section("podmiot", _("Body and website"),
                 html.P(_("OMUP is an open-data project with open code (MIT licence): any public body may run "
                          "it. A body that publishes the portal under its own address enters its name here and "
                          "in the contact section below; until then the statement names the project."))),
        _section("daty", _("Dates"),
                 html.Ul([html.Li([_("Date of publication of the website:"), " ",
                                   html.Time(PUBLISHED, dateTime=PUBLISHED, id="a11y-published-date")]),
                          html.Li([_("Date of the last significant update:"), " ",
                                   html.Time(UPDATED, dateTime=UPDATED, id="a11y-update-date")])])),
        _section("status", _("Compliance status"),
                 html.P(_("The website is partially compliant with the Act of 4 April 2019 due to the "
                          "non-compliances listed below."), id="a11y-status")),
        _section("niedostepne", _("Inaccessible content"),
                 html.Ul([
                     html.Li(_("Maps cannot be read with a screen reader or operated with the keyboard alone "
                               "(choosing a unit by clicking on the map). The same values are in the ranking "
                               "table next to each map, in the unit picker and in the CSV and XLSX files.")),
                     html.Li(_("Charts are images drawn in the browser; each has a text description, and its "
                               "numbers are in a table or a file to download next to it.")),
                     html.Li(_("Reports on the state of a unit (DOCX) and debate packs (PDF) are generated "
                               "automatically and have not been checked for accessibility.")),
                     html.Li(_("Embedded charts shown on other websites depend on the page that embeds them.")),
                     html.Li(_("Technical notes of the API (field descriptions, source notes) are in English "
                               "only.")),
                 ])),
        _section("przygotowanie", _("Preparation of the accessibility statement"),
                 html.P([_("The statement was prepared on"), " ", html.Time(PREPARED, dateTime=PREPARED), ". ",
                         _("It is based on a self-assessment by the project team. Every build of the project "
                           "runs the axe-core accessibility checks (WCAG 2.1 AA rules) in a browser on every type "
                           "of page, in Polish and in English, and fails when a serious or critical error is "
                           "found; keyboard-only journeys are tested the same way.")])),
        _section("skroty", _("Keyboard"),
                 html.P(_("The first Tab on every page shows the «Skip to content» link. All controls can be "
                          "reached with Tab; the focused element is outlined. On narrow screens the navigation "
                          "opens with the «Menu» button; Escape closes it."))),
        _section("kontakt", _("Feedback and contact details"),
                 html.P(_("If you find an accessibility problem on this website, tell the body that publishes "
                          "it. Until a body enters its contact details here, write to the OMUP project through "
                          "its code repository (the address is in the README file of the project). In the "
                          "same way you may ask for information that is not accessible in another form.")),
                 html.P(_("Contact person, e-mail address and telephone number: to be entered by the body "
                          "that publishes the portal."), className="text-muted")),
        _section("procedura", _("Request and complaint procedure"),
                 html.P(_("Everyone has the right to request that a public body make a website, a mobile "
                          "application or an element of them digitally accessible. A request may also be for "
                          "access to inaccessible content in an alternative form, e.g. by reading it aloud or "
                          "by sending it in another format.")),
                 html.P(_("The request should contain: the details of the person making it, the website or "
                          "element concerned, the preferred way of contact and, if access in an alternative "
                          "form is requested, the form that suits the person.")),
                 html.P(_("The public body should meet the request without delay, and no later than within 7 "
                          "days. If that is not possible, it informs the person when it will be met; this "
                          "period may not exceed 2 months. If ensuring accessibility is not possible, the body "
                          "may offer an alternative way of access.")),
                 html.P([_("If the body refuses the request or does not meet the deadline, the person may file "
                           "a complaint with the body. After the complaint procedure has been exhausted, a "
                           "request may be submitted to the Commissioner for Human Rights"), " (",
                         html.A(_("Rzecznik Praw Obywatelskich"), href=RPO_URL), ")."])),
        _section("architektura", _("Architectural accessibility"),
                 html.P(_("Not applicable: OMUP is a website and serves no one in a building. A body that runs "
                          "it describes here the accessibility of its own premises."))),
        _section("aplikacje", _("Mobile applications"),
                 html.P(_("OMUP has no mobile application; the website adapts to phone screens."))),
        html.P(dcc.Link(_("About the data"), href=with_lang("/o-danych", lang))),
    ]
    return page(lang, PATH, {}, html.Div(content, className="about-page accessibility-statement"), indicator_ids=[])
