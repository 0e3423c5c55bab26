"""HTTP side of the report, the goals and 'why did it move' (portal/report.py, portal/goals.py,
portal/decompose.py).

* ``/raport/<teryt>.docx`` – the report as a Word document, for the same query as the page (``rok``,
  ``rozdzialy``, ``wskazniki`` / ``bez``, ``cele``, ``lang``, ``demo``); 404 for an unknown unit.
* ``/raport/<teryt>/wykres/<indicator>.svg`` – one trend chart of the page (the same builder as the
  document's PNGs), drawn when the browser scrolls to it.
* ``/pobierz/cele.csv?cele=…`` – the goals file (portal/goals.py documents it); 400 for a damaged value.
* ``POST /api/v1/cele`` – a goals file in (the body, or a form field ``plik``) → its ``cele=`` value and the
  goals as JSON; a bad file is a 400 naming the line, never a 500.
* ``/api/v1/units/<teryt>/decomposition/<indicator>`` – every year-on-year change split into numerator and
  denominator, with breaks and sentences.

Nothing is stored on the server: the goals travel in the URL and in the user's file.
"""

from __future__ import annotations

import re

import flask
import orjson

from portal import goals as goals_mod
from portal.decompose import unit_decomposition
from portal.report import (
    _ByKey,
    _similar_cached,
    build_report,
    indicator_block,
    parse_choice,
    report_href,
    report_years,
)
from portal.store import get_store

blueprint = flask.Blueprint("report", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
QUERY_KEYS = ("rok", "rozdzialy", "wskazniki", "bez", "cele", "lang")


def _text(body: str, status: int) -> flask.Response:
    resp = flask.Response(body, status=status, mimetype="text/plain")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _json(obj: object, status: int = 200) -> flask.Response:
    resp = flask.Response(orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY), status=status,
                          mimetype="application/json")
    resp.headers["Cache-Control"] = "public, max-age=300" if status == 200 else "no-store"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def _error(status: int, code: str, message: str, **extra: object) -> flask.Response:
    return _json({"error": {"code": code, "message": message, **extra}}, status)


def _unit(store, code: str) -> str | None:
    teryt, _ = store.resolve(code[:12])
    return str(teryt) if teryt else None


def _params() -> dict[str, str]:
    args = flask.request.args
    # Long values are cut, never trusted (goals stay under goals.MAX_URL_CHARS).
    return {k: args[k][:goals_mod.MAX_URL_CHARS + 1] for k in QUERY_KEYS if k in args}


@blueprint.get("/raport/<code>.docx")
def report_document(code: str) -> flask.Response:
    store = get_store()
    teryt = _unit(store, code)
    if teryt is None:
        return _text(f"Nie ma jednostki {code[:12]} (unknown unit).\n", 404)
    if teryt != code:
        query = flask.request.query_string.decode("ascii", "replace")
        return flask.redirect(f"/raport/{teryt}.docx" + (f"?{query}" if query else ""), code=301)
    choice = parse_choice(store, teryt, _params())
    report = build_report(store, teryt, choice)
    from portal.report_docx import report_docx  # matplotlib and python-docx load on the first report only

    data = report_docx(report)
    resp = flask.Response(data, mimetype=DOCX)
    name = f"raport-{teryt}-{report['year']}" + ("-demo" if report["demo"] else "")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@blueprint.get("/raport/<code>/wykres/<indicator_id>.svg")
def report_chart(code: str, indicator_id: str) -> flask.Response:
    store = get_store()
    teryt = _unit(store, code)
    ind = store.catalogue.by_id.get(indicator_id[:80])
    if teryt is None or ind is None:
        return _text("Nie ma takiego wykresu (not found).\n", 404)
    choice = parse_choice(store, teryt, _params())
    level = str(store.units.at[teryt, "level"])
    if level not in ind.levels:
        return _text("Nie ma takiego wykresu (not found).\n", 404)
    year = choice.year or report_years(store, level)[-1]
    similar = _similar_cached(_ByKey(store), teryt)
    block = indicator_block(store, teryt, ind, year, choice.lang, [u["teryt"] for u in similar["units"]])
    if not block["trend"] or not block["trend"]["chart"]:
        return _text("Za mało danych na wykres (too few values for a chart).\n", 404)
    from portal.report_charts import trend_chart  # matplotlib loads on the first chart only

    resp = flask.Response(trend_chart(block["trend"], choice.lang, "svg"), mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


@blueprint.get("/pobierz/cele.csv")
def goals_file() -> flask.Response:
    store = get_store()
    try:
        goals = goals_mod.decode(flask.request.args.get("cele", "")[:goals_mod.MAX_URL_CHARS + 1],
                                 goals_mod.known_indicator_ids(store))
    except goals_mod.GoalsFileError as exc:
        return _text(f"Błędny parametr „cele”: {exc.pl}.\nInvalid parameter 'cele': {exc.en}.\n", 400)
    code = re.sub(r"\D", "", flask.request.args.get("jst", ""))[:7]
    resp = flask.Response("\ufeff" + goals_mod.to_csv(goals), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="cele{"-" + code if code else ""}.csv"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blueprint.post("/api/v1/cele")
def goals_import() -> flask.Response:
    """A goals file → {cele, goals, links}; 400 naming the line when the file is bad, 413 when too large."""
    store = get_store()
    req = flask.request
    if req.content_length is not None and req.content_length > goals_mod.MAX_FILE_BYTES + 4096:
        kb = goals_mod.MAX_FILE_BYTES // 1000
        return _error(413, "file_too_large", f"Plik jest za duży (najwyżej {kb} kB); the file is too large.")
    upload = req.files.get("plik") if req.mimetype == "multipart/form-data" else None
    limit = goals_mod.MAX_FILE_BYTES + 1
    data = upload.stream.read(limit) if upload else req.get_data(cache=False)[:limit]
    try:
        goals = goals_mod.parse_csv(data, goals_mod.known_indicator_ids(store))
    except goals_mod.GoalsFileError as exc:
        return _error(400, "invalid_goals_file", exc.message("pl"), line=exc.line,
                      message_en=exc.message("en"))
    value = goals_mod.encode(goals)
    teryt = _unit(store, req.args.get("jst", "")) if req.args.get("jst") else None
    links = {}
    if teryt:
        links = {"page": f"/cele/{teryt}?cele={value}",
                 "report": report_href(store, teryt, parse_choice(store, teryt, {"cele": value}))}
    body = {"cele": value, "goals": [{"text": g.text, "targets": [t.__dict__ for t in g.targets]}
                                     for g in goals], "links": links}
    resp = _json(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blueprint.get("/api/v1/units/<code>/decomposition/<indicator_id>")
def decomposition(code: str, indicator_id: str) -> flask.Response:
    store = get_store()
    teryt = _unit(store, code)
    if teryt is None:
        return _error(404, "not_found", f"Nie ma jednostki {code[:12]!r} (unknown unit)")
    if store.catalogue.by_id.get(indicator_id[:80]) is None:
        return _error(404, "not_found", f"Nieznany wskaźnik {indicator_id[:80]!r} (unknown indicator)")
    lang = "en" if flask.request.args.get("lang") == "en" else "pl"
    out = unit_decomposition(store, indicator_id[:80], teryt, lang)
    out["meta"] = {"data_version": store.version, "edition": getattr(store, "edition", "official"),
                   "attribution": sorted(set(store.meta.get("attribution", {}).values()))}
    return _json(out)

