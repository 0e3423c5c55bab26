"""The OpenAPI 3 document of /api/v1 (hand-written, checked by the schemathesis contract tests) and the /api page."""

from __future__ import annotations

from html import escape

from portal.i18n import translator

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
B = {"type": "boolean"}
NUM_OR_NULL = {"type": "number", "nullable": True}
INT_OR_NULL = {"type": "integer", "nullable": True}
STR_OR_NULL = {"type": "string", "nullable": True}
STATUS = {"type": "string", "nullable": True, "enum": ["synthetic", "real", None]}
TEXT = {"type": "object", "required": ["pl", "en"], "properties": {"pl": S, "en": S}}
FLAG = {"type": "string", "enum": ["ok", "estimated", "partial", "zero", "no_data"],
        "description": "ok · estimated (szacunek) · partial (niepełne) · zero · no_data (brak danych)"}
LEVEL = {"type": "string", "enum": ["gmina", "powiat", "wojewodztwo"]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], **props: dict) -> dict:
    return {"type": "object", "required": required, "properties": props}


def _page(item: str, **extra: dict) -> dict:
    props = {"meta": _ref("Meta"), "page": I, "page_size": I, "total": I, "pages": I,
             "items": {"type": "array", "items": _ref(item)}, **extra}
    return _obj(["meta", "page", "page_size", "total", "pages", "items"], **props)


SCHEMAS: dict[str, dict] = {
    "Meta": _obj(["data_version", "attribution", "licence"], data_version=S, current_version=S, built_at=S,
                 attribution={"type": "array", "items": S}, licence=S, synthetic_note=S),
    "Error": _obj(["error"], error=_obj(["code", "message"], code=S, message=S, parameter=S,
                                        kept_versions={"type": "array", "items": S})),
    "UnitSummary": _obj(["teryt", "name", "display_name", "level", "kind", "peer_group"],
                        teryt={"type": "string", "pattern": r"^\d{2}(\d{2}(\d{3})?)?$"}, name=S, display_name=S,
                        level=LEVEL, kind=S, powiat=STR_OR_NULL, wojewodztwo=STR_OR_NULL, population=INT_OR_NULL,
                        peer_group=S),
    "PeerGroup": _obj(["id", "name", "size"], id=S, name=TEXT, size=I),
    # The unit's own record: the summary's fields, with the peer group spelled out (id, names, size).
    "Unit": _obj(
        ["teryt", "name", "display_name", "level", "kind", "mnpp", "context", "peer_group", "parents"],
        teryt=S, name=S, display_name=S, level=LEVEL, kind=S, powiat=STR_OR_NULL, wojewodztwo=STR_OR_NULL,
        population=INT_OR_NULL, mnpp=B, context=TEXT, area_km2=NUM_OR_NULL,
        density=NUM_OR_NULL, has_shape=B, peer_group=_ref("PeerGroup"),
        parents={"type": "array", "items": _obj(["teryt", "name", "level"], teryt=S, name=S, level=LEVEL)},
        links={"type": "object", "additionalProperties": S}),
    "IndicatorSummary": _obj(
        ["id", "area", "dimension", "name", "unit", "direction", "levels", "years", "synthetic"],
        id=S, area=S, dimension=S, name=TEXT, unit=TEXT,
        direction={"type": "string", "enum": ["higher_better", "lower_better", "neutral"]},
        levels={"type": "array", "items": LEVEL},
        years={"type": "object", "additionalProperties": {"type": "array", "items": I}},
        decimals=I, synthetic=B, budget_section=STR_OR_NULL, attribution=S),
    "Indicator": {"allOf": [{"$ref": "#/components/schemas/IndicatorSummary"}, _obj(
        ["description", "formula", "source", "sentence"], description=TEXT,
        formula=_obj(["numerator"], numerator=TEXT, denominator={**TEXT, "nullable": True}, multiplier={"type": "number"}),
        source=_obj(["attribution", "evidence"], attribution=S, bdl_variable=INT_OR_NULL, bdl_subject=STR_OR_NULL,
                    evidence=S, note=STR_OR_NULL),
        sentence=TEXT, rate=B, links={"type": "object", "additionalProperties": S})]},
    "Value": _obj(["teryt", "name", "level", "year", "value", "flag", "synthetic"], teryt=S, name=S, level=LEVEL,
                  year=I, value=NUM_OR_NULL, flag=FLAG, synthetic=B),
    "RankingRow": _obj(["rank", "teryt", "name", "value", "flag", "synthetic"], rank=INT_OR_NULL,
                       rank_pl=INT_OR_NULL, rank_peer=INT_OR_NULL, n_peer=I, teryt=S, name=S, peer_group=S,
                       value=NUM_OR_NULL, flag=FLAG, synthetic=B, pct_pl=NUM_OR_NULL, pct_peer=NUM_OR_NULL),
    "GroupStats": {"type": "object", "nullable": True, "properties": {
        k: (I if k == "n" else NUM_OR_NULL) for k in ("n", "min", "q1", "median", "q3", "max", "mean")}},
    "ProfileIndicator": _obj(
        ["indicator", "name", "unit", "year", "value", "flag", "synthetic", "band", "sentence"],
        indicator=S, name=S, unit=S, direction=S, dimension=S, year=I, value=NUM_OR_NULL, value_text=STR_OR_NULL,
        flag=FLAG, synthetic=B, peer_median=NUM_OR_NULL, national_median=NUM_OR_NULL, rank_peer=INT_OR_NULL,
        n_peer=I, pct_peer=NUM_OR_NULL, band=_obj(["key", "label"], key=S, label=S), sentence=S, caveat=STR_OR_NULL,
        change=_ref("ProfileChange")),
    # "Why did it move?" (issue 16): an official ratio indicator's change ending in the item's year, split into
    # what the numerator and the denominator did; null for other indicators and for synthetic values.
    "ProfileChange": {**_obj(
        ["year_from", "year_to", "value_from", "value_to", "relative_change", "numerator", "denominator",
         "numerator_part", "denominator_part", "residual", "jump", "breaks", "text"],
        year_from=I, year_to=I, value_from={"type": "number"}, value_to={"type": "number"},
        relative_change={"type": "number", "description": "Względna zmiana wartości (0,031 = +3,1%)."},
        numerator=_ref("ChangePart"), denominator=_ref("ChangePart"),
        numerator_part={"type": "number", "description": "Część licznika: Δln(licznik), w punktach logarytmicznych."},
        denominator_part={"type": "number", "description": "Część mianownika: −Δln(mianownik); z częścią licznika "
                                                          "sumuje się do Δln(wartość)."},
        residual={"type": "number", "description": "Δln(opublikowana wartość) − suma części (zaokrąglenia)."},
        driver={"type": "string", "nullable": True, "enum": ["numerator", "denominator", "both", None]},
        jump={"type": "boolean", "description": "Skok: ≥ 0,10 pkt log. i ≥ 3 × mediana zmian szeregu."},
        breaks={"type": "array", "items": _obj(["year", "reason"], year=I, reason=S),
                "description": "Przerwy w szeregu (zmiany terytorialne, zmiany metody) w tym okresie."},
        sentence=S, text={"type": "string", "description": "Linia z karty profilu (w języku `lang`)."}),
        "nullable": True},
    "ChangePart": _obj(["measure", "from", "to", "relative_change"], measure=S, name=STR_OR_NULL,
                       relative_change={"type": "number"}, **{"from": {"type": "number"}, "to": {"type": "number"}}),
    "StrongWeak": _obj(["indicator", "name", "year", "value", "synthetic", "flag", "better_share"], indicator=S,
                       name=S, year=I, value=NUM_OR_NULL, value_text=STR_OR_NULL, synthetic=B, flag=FLAG,
                       better_share={"type": "number"}),
    "Release": _obj(["version", "built_at", "current"], version=S, built_at=S, current=B),
    "Revision": _obj(["teryt", "name", "level", "year", "old", "new", "delta", "unit"], teryt=S, name=S,
                     level=LEVEL, year=I, old=NUM_OR_NULL, new=NUM_OR_NULL, delta={"type": "number"},
                     unit=TEXT),
    "Changelog": _obj(
        ["indicator", "from", "to", "change", "status", "years_added", "years_removed", "revised",
         "tolerance", "largest_revisions", "coverage"],
        indicator=S, name=TEXT, to=S, change={"type": "string", "enum": ["compared", "added", "removed"]},
        status=_obj(["old", "new", "changed"], old=STATUS, new=STATUS, changed=B),
        years_added={"type": "array", "items": I}, years_removed={"type": "array", "items": I}, revised=I,
        tolerance={"type": "number"}, largest_revisions={"type": "array", "items": _ref("Revision")},
        coverage=_obj(["old", "new", "change"], old=I, new=I, change=I, values_added=I, values_removed=I),
        **{"from": S}),
}


def _p(name: str, where: str, schema: dict, desc: str, required: bool = False, example: object = None) -> dict:
    if where == "query" and "enum" in schema and "" not in schema["enum"]:
        # An empty value means "not given", as everywhere in the portal's URLs (the default applies).
        schema = {**schema, "enum": ["", *schema["enum"]]}
    out = {"name": name, "in": where, "required": required or where == "path", "schema": schema, "description": desc}
    if example is not None:
        out["example"] = example
    return out


PAGE = [_p("page", "query", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "Strona (od 1)."),
        _p("page_size", "query", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
           "Wierszy na stronę (najwyżej 500; hard cap 500).")]
INDICATOR = _p("indicator", "query", {"type": "string", "maxLength": 80, "pattern": r"\S"},
               "Identyfikator wskaźnika (indicator id).", True, "egzamin-8-matematyka")
YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}
LEVEL_Q = _p("level", "query", LEVEL, "Poziom: gmina, powiat, wojewodztwo.")
TERYT_PATH = _p("teryt", "path", {"type": "string", "maxLength": 12}, "Kod TERYT (2, 4 lub 7 cyfr; stary kod → 301).",
                True, "1218093")


def _json(schema: dict, desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


ERR400 = _json(_ref("Error"), "Błędny parametr (invalid parameter); `error.parameter` go nazywa.")
ERR404 = _json(_ref("Error"), "Nie znaleziono: nieznany identyfikator albo brak danych dla podanego roku, "
                              "poziomu lub jednostki (`error.parameter` go nazywa).")
ERR429 = _json(_ref("Error"), "Wyczerpany limit zapytań klienta (rate limited); nagłówek Retry-After podaje, ile sekund "
                              "odczekać.")
ERR429["headers"] = {"Retry-After": {"schema": I, "description": "Sekundy do ponowienia (seconds to wait)."}}
NOT_MODIFIED = {"description": "Bez zmian (If-None-Match pasuje do ETag)."}
MOVED = {"description": "Stary lub 6-cyfrowy kod TERYT: przekierowanie na dzisiejszy kod.",
         "headers": {"Location": {"schema": S}}}


# Empty (or blank) means "not given", as everywhere in the portal's URLs: the current release.
VERSION = {"type": "string", "pattern": r"^\s*([0-9A-Za-z]{1,40})?\s*$"}
# A TERYT code as typed: 2, 4 or 7 digits, or a 6-digit gmina prefix (old codes answer 301 or resolve).
TERYT_Q = r"(\d{2}|\d{4}|\d{6,7})"
V = _p("v", "query", VERSION, "Wersja danych (z /api/v1/releases); domyślnie bieżąca. Nieprzechowywana → "
       "404 z `error.kept_versions`. Data version: answers come from that kept release.")


def _get(op: str, summary: str, params: list[dict], ok: dict, *extra: tuple[str, dict]) -> dict:
    responses = {"200": ok, "304": NOT_MODIFIED, "400": ERR400, "404": ERR404, "429": ERR429}
    responses.update(dict(extra))
    params = [*params, V]
    return {"get": {"operationId": op, "summary": summary, "parameters": params, "responses": responses}}


def spec(version: str = "", areas: list[str] | None = None, peer_groups: list[str] | None = None) -> dict:
    """The OpenAPI 3.0 document (the data version is in `info`; area and peer-group ids as enums)."""
    area_schema = {"type": "string", "enum": areas} if areas else {"type": "string", "maxLength": 80}
    group_schema = {"type": "string", "enum": peer_groups} if peer_groups else {"type": "string", "maxLength": 80}
    paths = {
        "/api/v1/units": _get("listUnits", "Jednostki: wyszukiwanie i filtry (units)", [
            _p("q", "query", {"type": "string", "maxLength": 100}, "Nazwa lub początek kodu TERYT.", example="Wadowice"),
            LEVEL_Q,
            _p("kind", "query", {"type": "string", "enum": ["miejska", "wiejska", "miejsko-wiejska", "mnpp",
                                                            "powiat", "wojewodztwo"]}, "Typ jednostki."),
            _p("parent", "query", {"type": "string", "pattern": r"^\s*(\d{2}(\d{2})?)?\s*$"},
               "Kod województwa (2 cyfry) lub powiatu (4 cyfry).", example="1218"),
            *PAGE], _json(_page("UnitSummary"), "Strona jednostek.")),
        "/api/v1/units/{teryt}": _get("getUnit", "Jednostka: fakty, grupa porównawcza, jednostki nadrzędne",
                                      [TERYT_PATH], _json(_obj(["meta", "unit"], meta=_ref("Meta"), unit=_ref("Unit")),
                                                          "Jednostka."), ("301", MOVED)),
        "/api/v1/indicators": _get("listIndicators", "Katalog wskaźników (indicator catalogue)", [
            _p("area", "query", area_schema, "Obszar (np. edukacja)."),
            _p("dimension", "query", {"type": "string", "enum": ["ilosc", "jakosc", "dostepnosc", "efektywnosc",
                                                                 "kontekst"]}, "Wymiar.")],
            _json(_obj(["meta", "total", "items"], meta=_ref("Meta"), total=I,
                       areas={"type": "array", "items": _obj(["id", "name", "headline"], id=S, name=TEXT,
                                                             headline=STR_OR_NULL)},
                       items={"type": "array", "items": _ref("IndicatorSummary")}), "Wskaźniki.")),
        "/api/v1/indicators/{id}": _get("getIndicator", "Wskaźnik: definicja, źródło, lata", [
            _p("id", "path", {"type": "string", "maxLength": 80}, "Identyfikator wskaźnika.", True,
               "egzamin-8-matematyka")],
            _json(_obj(["meta", "indicator"], meta=_ref("Meta"), indicator=_ref("Indicator")), "Wskaźnik.")),
        "/api/v1/indicators/{id}/changelog": _get(
            "getIndicatorChangelog", "Zmiany wskaźnika między wydaniami (changelog between releases)", [
                _p("id", "path", {"type": "string", "maxLength": 80}, "Identyfikator wskaźnika.", True,
                   "ludnosc"),
                _p("from", "query", VERSION, "Starsza wersja (domyślnie poprzednia przechowywana)."),
                _p("to", "query", VERSION, "Nowsza wersja (domyślnie bieżąca).")],
            _json(_obj(["meta", "changelog"], meta=_ref("Meta"), changelog=_ref("Changelog"),
                       note=STR_OR_NULL),
                  "Lata dodane/usunięte, wartości zrewidowane (|Δ| > pół ostatniego miejsca dziesiętnego), "
                  "największe rewizje, zmiana pokrycia, zmiana statusu syntetyczne ↔ rzeczywiste.")),
        "/api/v1/values": _get("listValues", "Wartości jednego wskaźnika (values)", [
            INDICATOR,
            _p("year", "query", YEAR, "Rok."), _p("from", "query", YEAR, "Od roku."), _p("to", "query", YEAR, "Do roku."),
            LEVEL_Q,
            _p("units", "query", {"type": "string",
                                  "pattern": rf"^\s*{TERYT_Q}?\s*(,\s*{TERYT_Q}?\s*){{0,99}}$"},
               "Lista kodów TERYT po przecinku (najwyżej 100); zamiast `level`. Nieznany kod → 404.",
               example="1218093,1218014"),
            *PAGE], _json(_page("Value", indicator=_ref("IndicatorSummary")), "Strona wartości.")),
        "/api/v1/rankings": _get("listRanking", "Ranking jednego wskaźnika w roku (rankings)", [
            INDICATOR, _p("year", "query", YEAR, "Rok (domyślnie najnowszy)."), LEVEL_Q,
            _p("peer_group", "query", group_schema, "Tylko grupa porównawcza."),
            _p("unit", "query", {"type": "string", "pattern": rf"^\s*{TERYT_Q}?\s*$"},
               "Ranking w grupie porównawczej tej jednostki (kod TERYT; nieznany → 404)."),
            *PAGE], _json(_page("RankingRow", indicator=_ref("IndicatorSummary"), year=I, level=LEVEL,
                                peer_group=STR_OR_NULL, unit=STR_OR_NULL, summary=_ref("GroupStats")),
                          "Strona rankingu.")),
        "/api/v1/profiles/{teryt}": _get("getProfile", "Profil jednostki: wszystko, co pokazuje strona JST", [
            TERYT_PATH, _p("lang", "query", {"type": "string", "enum": ["pl", "en"]}, "Język zdań."),
            _p("year", "query", YEAR, "Rok (domyślnie najnowszy każdego wskaźnika).")],
            _json(_obj(["meta", "unit", "lang", "areas", "strongest", "weakest"], meta=_ref("Meta"), unit=_ref("Unit"),
                       lang=S, areas={"type": "array", "items": _obj(["id", "name", "indicators"], id=S, name=S,
                                                                      indicators={"type": "array",
                                                                                  "items": _ref("ProfileIndicator")})},
                       strongest={"type": "array", "items": _ref("StrongWeak")},
                       weakest={"type": "array", "items": _ref("StrongWeak")}), "Profil."), ("301", MOVED)),
        "/api/v1/releases": _get("listReleases", "Przechowywane wydania danych (releases)", [],
                                 _json(_obj(["meta", "total", "items"], meta=_ref("Meta"), total=I,
                                            items={"type": "array", "items": _ref("Release")}), "Wydania.")),
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "OMUP – Otwarty Monitor Usług Publicznych API", "version": f"1 (dane {version})",
                 "description": "Wskaźniki usług publicznych gmin, powiatów i województw. Każda wartość ma `flag` i "
                                "`synthetic`; każda odpowiedź ma `meta.data_version` i `meta.attribution`. "
                                "Błędne parametry: 400 z `error.parameter`; nieznane identyfikatory: 404.",
                 "license": {"name": "MIT (kod); dane z podaniem źródła"}},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


EXAMPLES = [
    ("Wyszukaj jednostkę (search units)", "/api/v1/units?q=Wadowice&level=gmina"),
    ("Gminy powiatu (units of a powiat)", "/api/v1/units?parent=1218&page_size=50"),
    ("Jednostka (one unit)", "/api/v1/units/1218093"),
    ("Katalog wskaźników w obszarze (catalogue)", "/api/v1/indicators?area=edukacja"),
    ("Wskaźnik (one indicator)", "/api/v1/indicators/egzamin-8-matematyka"),
    ("Wartości wybranych gmin 2021–2024 (values)", "/api/v1/values?indicator=egzamin-8-matematyka&units=1218093,1218014&from=2021&to=2024"),
    ("Wszystkie powiaty w roku (values by level)", "/api/v1/values?indicator=ludnosc&level=powiat&year=2020"),
    ("Ranking wśród podobnych (ranking in the peer group)", "/api/v1/rankings?indicator=egzamin-8-matematyka&unit=1218093"),
    ("Profil jednostki po angielsku (profile)", "/api/v1/profiles/1218093?lang=en"),
    ("Wydania danych (releases)", "/api/v1/releases"),
    ("Zmiany wskaźnika między wydaniami (changelog)", "/api/v1/indicators/ludnosc/changelog"),
]

DOWNLOADS = [
    ("ranking.csv / .xlsx", "wskaznik, rok, poziom (gminy|powiaty|wojewodztwa), jst, podobne=1",
     "/pobierz/ranking.csv?wskaznik=egzamin-8-matematyka&poziom=gminy"),
    ("porownanie.csv / .xlsx", "jst (lista po przecinku), rok, obszar", "/pobierz/porownanie.csv?jst=1218093,1218014"),
    ("profil.csv / .xlsx", "jst, rok", "/pobierz/profil.csv?jst=1218093"),
    ("wartosci.csv / .xlsx", "wskaznik, poziom, rok lub od/do", "/pobierz/wartosci.csv?wskaznik=ludnosc&poziom=powiaty"),
    ("budzet.csv / .xlsx", "jst, rok", "/pobierz/budzet.csv?jst=1218093"),
    ("wydanie.csv.gz / .parquet", "całe wydanie: gotowy plik z sumą SHA-256 w nagłówku X-Checksum-SHA256, "
     "wznawianie (Range); v, demo=1 (the whole release, a file built with it)", "/pobierz/wydanie.parquet"),
]

_CSS = """
.api-doc{line-height:1.5}
.api-doc h1{font-size:1.8rem}.api-doc h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #dee2e6}
.api-doc h3{font-size:1.05rem;margin-top:1rem}
.api-doc code,.api-doc pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.api-doc pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;border-radius:4px;white-space:pre-wrap;word-break:break-all}
.api-doc .en{color:#5c636a;font-style:italic}.api-doc table{border-collapse:collapse;width:100%}
.api-doc td,.api-doc th{border:1px solid #dee2e6;padding:.3rem .5rem;text-align:left;vertical-align:top}
.api-doc td code{word-break:break-word}.api-doc .scroll{overflow-x:auto}
.api-doc p,.api-doc li,.api-doc a,.api-doc code{overflow-wrap:anywhere}
.api-doc .note{background:#fff3cd;border:1px solid #e0c36b;padding:.5rem;border-radius:4px}
.api-doc code{color:#9c1b57}
details.nav-areas{position:relative}details.nav-areas>summary{list-style:none;cursor:pointer}
details.nav-areas>summary::-webkit-details-marker{display:none}
details.nav-areas[open]>ul{position:absolute;z-index:10;background:#fff;border:1px solid #dee2e6;border-radius:.25rem;
padding:.25rem 0;margin:0;list-style:none;min-width:16rem;box-shadow:0 .5rem 1rem rgba(0,0,0,.15)}
details.nav-areas li a{display:block;padding:.25rem 1rem;color:#1f2d3d;text-decoration:none}
details.nav-areas li a:hover,details.nav-areas li a:focus{background:#f1f6ff}
@media (max-width:991.98px){details.nav-areas[open]>ul{position:static;box-shadow:none;border:0}}
"""

# The portal's own header and footer around the page (the same classes as layouts/components/shell.py), so
# /api reads as a page of the portal: its navigation, styles, phone menu and accessibility statement link.
def _header_texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'tag': _('Open Public Services Monitor (Poland)'), 'areas': _('Areas'), 'compare': _('Compare'), 'about': _('About the data'), 'api': _('API and downloads'), 'other': _('Polski'), 'other_title': _('Przełącz na polski'), 'demo': _('Demo mode'), 'nav': _('Navigation'), 'skip': _('Skip to content'), 'version': _('Data version'), 'a11y': _('Accessibility statement'), 'footer': _('Footer')}


def _link(path: str, lang: str) -> str:
    return path + ("?lang=en" if lang == "en" else "")


def portal_header(store: object, lang: str) -> str:
    t = _header_texts(lang)
    catalogue = getattr(store, "catalogue", None)
    areas = "".join(f'<li><a href="{escape(_link("/obszar/" + a.id, lang))}">{escape(a.name.get(lang))}</a></li>'
                    for a in (catalogue.areas if catalogue else []) if a.id != "kontekst")
    other = "/api" + ("" if lang == "en" else "?lang=en")
    return f"""<a class="skip-link" href="#main">{t["skip"]}</a>
<header><nav class="navbar navbar-light bg-white border-bottom py-1 site-nav"><div class="container-lg flex-wrap">
<a class="navbar-brand d-flex align-items-baseline gap-2" href="{_link("/", lang)}"><span class="brand-mark">OMUP</span>
<span class="brand-tag">{t["tag"]}</span></a>
<button type="button" class="nav-toggle d-lg-none" aria-expanded="false" aria-controls="main-nav"><span aria-hidden="true">☰ </span>Menu</button>
<nav id="main-nav" class="d-flex flex-wrap align-items-center gap-1 main-nav" aria-label="{t["nav"]}">
<details class="nav-areas"><summary class="nav-link">{t["areas"]} ▾</summary><ul>{areas}</ul></details>
<a class="nav-link" href="{_link("/porownaj", lang)}">{t["compare"]}</a>
<a class="nav-link" href="{_link("/o-danych", lang)}">{t["about"]}</a>
<a class="nav-link" href="{_link("/api", lang)}" aria-current="page">{t["api"]}</a>
<a class="nav-link lang-switch" href="{other}" lang="{"pl" if lang == "en" else "en"}" title="{t["other_title"]}">{t["other"]}</a>
<a class="nav-link demo-switch" href="{_link("/", lang)}{"&" if lang == "en" else "?"}demo=1" role="switch" aria-checked="false">{t["demo"]}</a>
</nav></div></nav></header>"""


def portal_footer(store: object, lang: str) -> str:
    t = _header_texts(lang)
    meta = getattr(store, "meta", {}) or {}
    lic = meta.get("licence")
    text = (lic.get("data_en" if lang == "en" else "data") if isinstance(lic, dict) else lic) or ""
    version = escape(getattr(store, "version", ""))
    return f"""<footer class="site-footer mt-5 py-3 border-top"><div class="container-lg">
<p class="mb-1 small">{escape(text)}</p>
<p class="mb-1 small">{t["version"]}: <code>{version}</code> ({escape(str(meta.get("built_at", ""))[:10])})</p>
<nav class="small footer-links" aria-label="{t["footer"]}"><a class="me-3" href="{_link("/deklaracja-dostepnosci", lang)}">{t["a11y"]}</a>
<a class="me-3" href="{_link("/o-danych", lang)}">{t["about"]}</a><a href="{_link("/api", lang)}">{t["api"]}</a></nav>
</div></footer>"""



def _request_lang() -> str:
    try:
        import flask

        if flask.has_request_context() and flask.request.args.get("lang") == "en":
            return "en"
    except ImportError:  # pragma: no cover
        pass
    return "pl"


def docs_html(store: object, base: str = "", rate_limit: str = "1200 per minute") -> str:
    """The readable /api page: Polish with English notes, curl examples, no external resources.

    ``base``: the portal's address as the reader reached it, so the curl examples run as copied."""
    from portal.limits import cost_table

    version = escape(getattr(store, "version", ""))
    limit = escape(rate_limit.replace(" per ", " na ").replace("minute", "minutę"))
    costs = ", ".join(f"{escape(pl)} <strong>{cost}</strong>" for cost, pl, _en in cost_table())
    base = escape(base.rstrip("/")) if base else "{BASE}"
    examples = "".join(
        f"<h3>{escape(t)}</h3><pre>curl -s '{base}{escape(u)}'</pre><p><a href='{escape(u)}'>{escape(u)}</a></p>"
        for t, u in EXAMPLES)
    endpoints = "".join(
        f"<tr><td><code>{escape(p)}</code></td><td>{escape(op['get']['summary'])}</td><td>"
        + ", ".join(f"<code>{escape(x['name'])}</code>" for x in op["get"]["parameters"]) + "</td></tr>"
        for p, op in spec(getattr(store, "version", ""))["paths"].items())
    downloads = "".join(
        f"<tr><td><code>/pobierz/{escape(n)}</code></td><td>{escape(p)}</td><td><a href='{escape(u)}'>przykład</a></td></tr>"
        for n, p, u in DOWNLOADS)
    lang = _request_lang()
    body = f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>API i pobieranie danych – OMUP</title>
<link rel="icon" href="/assets/favicon.ico">
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/omup.css">
<style>{_CSS}</style></head><body>
{portal_header(store, lang)}
<main id="main" tabindex="-1" lang="pl" class="container-lg py-3 api-doc">
<h1>API i pobieranie danych</h1>
<p class="en">Open data: a JSON API, CSV/XLSX downloads, embeds and oEmbed. Texts are in Polish; field names in English.</p>
<p>Wersja danych: <code>{version}</code>. Dokument OpenAPI 3: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<p class="note">API, pliki, osadzenia i oEmbed zwracają domyślnie <strong>wyłącznie wartości urzędowe</strong>.
Parametr <code>demo=1</code> w adresie zapytania włącza tryb demonstracyjny: dochodzą wtedy
<strong>wartości syntetyczne</strong> (nie są to dane urzędowe), każda z polem <code>synthetic: true</code>, a w plikach
z kolumną <code>syntetyczne</code>; <code>meta.attribution</code> wymienia wtedy generator OMUP, nie źródło urzędowe.
Każda wartość ma też pole <code>flag</code> (ok, estimated, partial, zero, no_data).
<span class="en">Official values only by default; <code>demo=1</code> adds synthetic values, each with
<code>synthetic: true</code>.</span></p>
<h2>Zasady <span class="en">(rules)</span></h2>
<ul>
<li>Tylko <code>GET</code>, odpowiedzi JSON; CORS otwarty (<code>Access-Control-Allow-Origin: *</code>).</li>
<li>Każda odpowiedź ma <code>meta</code>: <code>data_version</code>, <code>attribution</code>, <code>licence</code>.</li>
<li>Listy są stronicowane: <code>page</code> (od 1), <code>page_size</code> (domyślnie 100, najwyżej 500);
odpowiedź podaje <code>total</code> i <code>pages</code>.</li>
<li>Błędny parametr → <code>400</code> z <code>{{"error": {{"code": "invalid_parameter", "parameter": "…", "message": "…"}}}}</code>;
nieznany identyfikator → <code>404</code>; stary kod TERYT → <code>301</code> na dzisiejszy.</li>
<li>Limit zapytań: jeden budżet na klienta (adres IP), {limit}, wspólny dla wszystkich adresów; każde
zapytanie kosztuje tyle, ile jego rodzaj: {costs}. Pliki JS/CSS i geometria nic nie kosztują. Odpowiedzi mają
nagłówki <code>X-RateLimit-Limit</code>, <code>X-RateLimit-Remaining</code>, <code>X-RateLimit-Reset</code>; po
wyczerpaniu <code>429</code> z <code>Retry-After</code> (sekundy). <span class="en">One budget per client shared by
every route; each request costs what its route costs.</span></li>
<li><code>ETag</code> i <code>Cache-Control: public, max-age=300</code> zależą od wersji danych; wyślij
<code>If-None-Match</code>, a dostaniesz <code>304</code>.</li>
<li>Każdy zasób przyjmuje <code>v=&lt;wersja danych&gt;</code> (lista:
<a href="/api/v1/releases">/api/v1/releases</a>): odpowiedź pochodzi z tego wydania, a
<code>meta.data_version</code> je podaje (<code>meta.current_version</code> – bieżące). Wersja już
nieprzechowywana → <code>404</code> z listą <code>error.kept_versions</code>. To samo <code>v=</code>
przyjmują osadzenia, oEmbed i pliki do pobrania. <span class="en">Pin any answer to a data version with
v=.</span></li>
</ul>
<h2>Zasoby <span class="en">(endpoints)</span></h2>
<div class="scroll" tabindex="0" role="region" aria-label="Zasoby API"><table><tr><th>Ścieżka</th><th>Co zwraca</th><th>Parametry</th></tr>{endpoints}</table></div>
<h2>Przykłady <span class="en">(examples)</span></h2>
{examples}
<h2>Pobieranie plików <span class="en">(downloads)</span></h2>
<p>CSV: UTF-8 z BOM, separator <code>;</code>, przecinek dziesiętny – tak otwiera je polski Excel. Na górze blok
informacji (źródło, wersja danych, data pobrania, uwaga o wartościach syntetycznych), pusty wiersz, potem tabela.
W pandas: <code>pd.read_csv(url, sep=";", decimal=",", skiprows=6)</code>. XLSX: arkusze „dane” i „informacje”.
Komórki tekstowe zaczynające się od <code>= + - @</code>, tabulatora lub CR dostają apostrof (ochrona przed formułami).
<span class="en">CSV is UTF-8 with BOM, `;`-separated with a decimal comma (Polish Excel); a 5-line info block and a
blank line precede the table.</span></p>
<div class="scroll" tabindex="0" role="region" aria-label="Pliki do pobrania"><table><tr><th>Plik</th><th>Parametry</th><th></th></tr>{downloads}</table></div>
<h2>Osadzanie <span class="en">(embeds)</span></h2>
<p><code>/embed/mapa</code>, <code>/embed/ranking</code>, <code>/embed/trend</code> przyjmują te same parametry co
widoki portalu (<code>wskaznik, rok, poziom, jst</code>; trend: <code>wskaznik, jst=a,b</code>) i mogą być osadzane
w dowolnej stronie:</p>
<pre>&lt;iframe src="{base}/embed/mapa?wskaznik=egzamin-8-matematyka&amp;poziom=gminy" width="100%" height="520"
  style="border:0" title="OMUP" loading="lazy"&gt;&lt;/iframe&gt;</pre>
<p>oEmbed: <code>/oembed?url=&lt;adres strony portalu&gt;&amp;format=json&amp;maxwidth=&amp;maxheight=</code>.
Obrazy PNG i SVG: przyciski na stronie osadzenia (tytuł, jednostka, rok i źródło są w obrazie).</p>
</main>
{portal_footer(store, lang)}
<script src="/assets/omup-shell.js"></script>
</body></html>"""
    return body
