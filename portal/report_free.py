"""The report's chapters the data cannot write (council resolutions, programmes and strategies, the civic
budget): a marked heading, and guidance on what to write and where to find it, citing the act that asks for it.

Texts are gettext messages (portal/i18n.py, catalogues in portal/locale): English in the code, Polish in
``pl/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

from portal.i18n import N_, translator

FREE = ("uchwaly", "programy", "budzet-obywatelski")

# The act that asks for the report, and the council that debates it, per level of unit.
ACT = {
    "gmina": N_("art. 28aa of the Act on gmina self-government"),
    "powiat": N_("art. 30a of the Act on county self-government"),
    "wojewodztwo": N_("art. 34a of the Act on voivodeship self-government"),
}
COUNCIL = {
    "gmina": N_("the gmina council"),
    "powiat": N_("the county council"),
    "wojewodztwo": N_("the regional assembly"),
}

FREE_CHAPTERS = {
    "uchwaly": {
        "title": N_("Resolutions of {council} and how they were carried out"),
        "guidance": [
            N_("List the resolutions adopted in the year of the report and how each was carried out "
               "(done, in progress, not done – with reasons)."),
            N_("Name resolutions of earlier years still being carried out in this year."),
            N_("Sources: the register of resolutions, the Public Information Bulletin, departments' reports."),
            N_("Basis: {act} – the report covers in particular how resolutions were carried out."),
        ],
    },
    "programy": {
        "title": N_("Policies, programmes and strategies"),
        "guidance": [
            N_("For each strategy, programme and policy: the aim, the tasks planned for the year, what was done, "
               "what it cost and what came of it."),
            N_("Tie effects measured by indicators to the chapter 'Goals and targets' (the portal's 'Goals' "
               "page)."),
            N_("Basis: {act} – the report covers in particular policies, programmes and strategies."),
        ],
    },
    "budzet-obywatelski": {
        "title": N_("Civic budget"),
        "guidance": [
            N_("If the unit runs a civic budget: the amount, the number of projects proposed, chosen and "
               "completed, the number of voters, projects carried over to the next year."),
            N_("For each chosen project: how far it has got and what it cost."),
            N_("Sources: the resolution on the civic budget, the vote's minutes, the budget execution report."),
        ],
    },
}


def _council_level(level: str) -> str:
    return level if level in COUNCIL else "gmina"


def free_title(chapter: str, level: str, lang: str) -> str:
    """The chapter's heading, naming the unit's council ('Realizacja uchwał rady gminy')."""
    _ = translator(lang)
    return _(FREE_CHAPTERS[chapter]["title"]).format(council=_(COUNCIL[_council_level(level)]))


def free_guidance(chapter: str, level: str, lang: str) -> list[str]:
    """What to write in the chapter and where to find it, citing the act that asks for the report."""
    _ = translator(lang)
    act = _(ACT[_council_level(level)])
    return [_(g).format(act=act) for g in FREE_CHAPTERS[chapter]["guidance"]]


__all__ = ["ACT", "COUNCIL", "FREE", "FREE_CHAPTERS", "free_guidance", "free_title"]
