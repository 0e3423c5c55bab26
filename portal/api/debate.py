"""/pobierz/pakiet.pdf: the debate pack (portal/debate_pack.py) of a unit and the indicators one picks.

``?jst=<teryt>&wskazniki=a,b,c&lang=pl``: 400 naming the parameter when one is missing or wrong, 404 for an
unknown unit, otherwise an A4 PDF as an attachment. :func:`pack_href` builds the link the pages show.

``cele=<goals>`` (portal/goals.py's URL value, as on the goals page and in the report) adds the goals: target
against actual, the path to the target and on / off track. Without ``wskazniki`` the pack then holds the goals'
indicators; a damaged ``cele`` is a 400 naming it.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import flask

from portal.store import get_store

blueprint = flask.Blueprint("debate_pack", __name__)

MAX_INDICATORS = 30
PATH = "/pobierz/pakiet.pdf"


def pack_href(teryt: str, indicator_ids: list[str] | tuple[str, ...], lang: str = "pl", demo: bool = False,
              goals: str | None = None) -> str:
    """The link to the debate pack of a unit and indicators (in the order given); ``demo`` asks for the demo
    edition (a download answers from it only when its own URL says so, see portal/web.py); ``goals`` is the
    goals' URL value (portal/goals.py ``encode``), carried as ``cele``."""
    query = {"jst": teryt, "wskazniki": ",".join(indicator_ids)}
    if goals:
        query["cele"] = goals
    if lang == "en":
        query["lang"] = "en"
    if demo:
        query["demo"] = "1"
    return PATH + "?" + urlencode(query, safe=",")


def _bad(parameter: str, pl: str, en: str) -> flask.Response:
    text = f"Błędny parametr „{parameter}”: {pl}.\nInvalid parameter '{parameter}': {en}.\n"
    resp = flask.Response(text, status=400, mimetype="text/plain")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blueprint.get(PATH)
def debate_pack() -> flask.Response:
    store = get_store()
    args = flask.request.args
    lang = args.get("lang", "pl")
    if lang not in ("pl", "en"):
        return _bad("lang", "dozwolone pl albo en", "use pl or en")
    code = (args.get("jst") or "").strip()[:12]
    if not code:
        return _bad("jst", "podaj kod TERYT jednostki", "give the unit's TERYT code")
    if not code.isdigit():
        return _bad("jst", "kod TERYT składa się z cyfr", "a TERYT code is made of digits")
    goals: tuple = ()
    if (args.get("cele") or "").strip():
        from portal import goals as goals_mod

        try:
            goals = goals_mod.decode(args["cele"].strip(), goals_mod.known_indicator_ids(store))
        except goals_mod.GoalsFileError as exc:
            return _bad("cele", exc.message("pl"), exc.message("en"))
    raw = (args.get("wskazniki") or "").strip()
    if not raw and goals:  # the goals' own indicators that this edition holds
        raw = ",".join(dict.fromkeys(t.indicator for g in goals for t in g.targets
                                     if t.indicator in store.catalogue.by_id))
    if not raw:
        return _bad("wskazniki", "wybierz co najmniej jeden wskaźnik", "choose at least one indicator")
    chosen = list(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
    if len(chosen) > MAX_INDICATORS:
        return _bad("wskazniki", f"najwyżej {MAX_INDICATORS} wskaźników",
                    f"at most {MAX_INDICATORS} indicators")
    unknown = [i for i in chosen if i not in store.catalogue.by_id]
    if unknown or not chosen:
        name = re.sub(r"[^\w\-]", "", (unknown or [""])[0])[:60]
        return _bad("wskazniki", f"nieznany wskaźnik {name!r}", f"unknown indicator {name!r}")
    teryt, _ = store.resolve(code)
    if teryt is None:
        resp = flask.Response(f"Nie ma jednostki {code} (unknown unit).\n", status=404, mimetype="text/plain")
        resp.headers["Cache-Control"] = "no-store"
        return resp
    from portal.debate_pack import debate_pack_pdf  # fpdf and fontTools load on the first pack only

    pdf = debate_pack_pdf(store, str(teryt), chosen, lang, goals=goals)
    resp = flask.Response(pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="omup-pakiet-{teryt}.pdf"'
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
