"""URL state of every page: parse a query string into a valid, complete state and write it back.

The same parameters drive the area explorer, the indicator page, embeds and downloads, so a copied link,
an iframe and a CSV all show the same view. Parsing never raises: anything unknown falls back to a default.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from portal.catalogue import LEVELS
from portal.store import LEVEL_OF_LEN, Store

VIEWS = ("mapa", "ranking", "rozklad", "lejek")
PEER_MODES = ("grupa", "knn")  # the fixed peer group, or the k nearest units (portal/similar.py)
LEVEL_PARAM = {"gminy": "gmina", "powiaty": "powiat", "wojewodztwa": "wojewodztwo"}
LEVEL_WORD = {v: k for k, v in LEVEL_PARAM.items()}


@dataclass(frozen=True)
class ViewState:
    area: str
    indicator: str
    year: int
    level: str  # gmina | powiat | wojewodztwo
    jst: str | None = None
    view: str = "mapa"
    peers: bool | str = False  # False | "grupa" | "knn" (True is read as "grupa")
    lang: str = "pl"
    version: str | None = None  # `v=`: a shared link pinned to a data version (kept through control changes)

    def to_query(self, include_area: bool = False) -> dict[str, str]:
        q = {"wskaznik": self.indicator, "rok": str(self.year), "poziom": LEVEL_WORD[self.level]}
        if include_area:
            q["obszar"] = self.area
        if self.jst:
            q["jst"] = self.jst
        if self.view != "mapa":
            q["widok"] = self.view
        if self.peers:
            q["podobne"] = "knn" if self.peers == "knn" else "1"  # podobne=1 stays the peer group
        if self.lang == "en":
            q["lang"] = "en"
        if self.version:
            q["v"] = self.version
        return q

    def search(self) -> str:
        return "?" + urlencode(self.to_query())

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def selected_at_level(self) -> str | None:
        """The selected unit, or its powiat / województwo when the view shows a higher level."""
        if not self.jst:
            return None
        return unit_at_level(self.jst, self.level)


def unit_at_level(teryt: str, level: str) -> str | None:
    own = LEVEL_OF_LEN.get(len(teryt))
    if own is None:
        return None
    order = list(LEVELS)
    if order.index(own) > order.index(level):
        return None  # a powiat cannot be shown among gminy
    return teryt[: {"gmina": 7, "powiat": 4, "wojewodztwo": 2}[level]]


def parse_search(search: str | None) -> dict[str, str]:
    if not search:
        return {}
    qs = parse_qs(search.lstrip("?")[:2000])
    return {k[:40]: v[0][:200] for k, v in qs.items() if v}


# Parameters that may be longer: goals (portal/goals.py, deflated into one value) and indicator lists.
LONG_PARAMS = {"cele": 3000, "wskazniki": 2000, "bez": 2000}


def parse_query(search: str | None) -> dict[str, str]:
    """First value of each query parameter; long or odd input is cut, never trusted (the report and goals pages,
    whose goals and indicator lists are longer than the explorer's parameters)."""
    if not search:
        return {}
    qs = parse_qs(search.lstrip("?")[:8000], keep_blank_values=False)
    return {k[:40]: v[0][:LONG_PARAMS.get(k, 400)] for k, v in qs.items() if v}


def with_lang(path: str, lang: str, **query: object) -> str:
    """A portal link that keeps the language (Polish is the default and is not written)."""
    params = {k: v for k, v in query.items() if v not in (None, "", False)}
    if lang == "en":
        params["lang"] = "en"
    return path + ("?" + urlencode(params) if params else "")


def peer_value(peers: bool | str) -> list[str]:
    """The area explorer's peer checklist value for a state's peer filter (at most one of the two is on)."""
    if not peers:
        return []
    return ["knn"] if peers == "knn" else ["1"]


def resolve_state(store: Store, area: str | None, params: dict[str, str]) -> ViewState:
    """A complete, valid state from URL parameters: unknown or inconsistent values fall back to defaults."""
    cat = store.catalogue
    indicator = cat.by_id.get(params.get("wskaznik", ""))
    if area not in cat.area_by_id or cat.area_by_id[area].headline is None:
        # An unknown area, or one without indicators in this edition: the indicator's own, else the first
        # area that has any (the page itself says when an area has no official indicator).
        area = indicator.area if indicator else next(a.id for a in cat.areas if a.headline is not None)
    if indicator is None or indicator.area != area:
        indicator = cat.by_id[cat.area_by_id[area].headline]
    level = LEVEL_PARAM.get(params.get("poziom", ""), params.get("poziom", ""))
    if level not in indicator.levels:
        level = "gmina" if "gmina" in indicator.levels else indicator.levels[0]
    years = store.years(indicator.id, level)
    try:
        year = int(params.get("rok", ""))
    except ValueError:
        year = -1
    if year not in years:
        year = years[-1] if years else indicator.years[1]
    jst = params.get("jst") or None
    if jst:
        jst, _ = store.resolve(jst)
    view = params.get("widok", "mapa")
    if view not in VIEWS:
        view = "mapa"
    raw_peers = params.get("podobne")
    peers: bool | str = False
    if raw_peers == "knn":
        peers = "knn"
    elif raw_peers in ("1", "true", "tak", "grupa"):
        peers = "grupa"
    lang = "en" if params.get("lang") == "en" else "pl"
    version = params.get("v")
    if not (isinstance(version, str) and re.fullmatch(r"[0-9a-f]{6,40}", version)):
        version = None
    return ViewState(area=area, indicator=indicator.id, year=year, level=level, jst=jst, view=view,
                     peers=peers if jst is not None else False, lang=lang, version=version)


def with_changes(state: ViewState, store: Store, **changes: object) -> ViewState:
    """Apply control changes and re-validate (e.g. a year the new indicator lacks falls back to its latest)."""
    new = replace(state, **changes)
    params = {k: v for k, v in new.to_query().items()}
    return resolve_state(store, new.area, params)


# ------------------------------------------------------------------------------------------------ unit profile
@dataclass(frozen=True)
class ProfileState:
    """/jst/<teryt>: the year (None = latest data), the similarity variables (None = the default set, () = none
    ticked: `zmienne=brak`), the open areas (None = the default: open on wide screens, folded on phones)."""

    teryt: str
    year: int | None = None
    variables: tuple[str, ...] | None = None
    open_areas: tuple[str, ...] | None = None
    lang: str = "pl"

    def to_query(self) -> dict[str, str]:
        q: dict[str, str] = {}
        if self.year is not None:
            q["rok"] = str(self.year)
        if self.variables is not None:
            q["zmienne"] = ",".join(self.variables) or "brak"
        if self.open_areas is not None:
            q["otwarte"] = ",".join(self.open_areas) or "-"
        if self.lang == "en":
            q["lang"] = "en"
        return q

    def search(self) -> str:
        q = self.to_query()
        return "?" + urlencode(q, safe=",") if q else ""


def parse_profile(teryt: str, params: dict[str, str], years: list[int], variables: tuple[str, ...],
                  areas: tuple[str, ...]) -> ProfileState:
    """A valid profile state: a year the level has, known variables (in their fixed order), known areas."""
    try:
        year = int(params.get("rok") or "")
    except ValueError:
        year = None
    raw_vars = params.get("zmienne")
    chosen = None if raw_vars is None else tuple(v for v in variables if v in raw_vars.split(","))
    raw_open = params.get("otwarte")
    open_areas = None if raw_open is None else tuple(a for a in areas if a in raw_open.split(","))
    return ProfileState(teryt=teryt, year=year if year in years else None, variables=chosen, open_areas=open_areas,
                        lang="en" if params.get("lang") == "en" else "pl")


# ------------------------------------------------------------------------------------------------ budget view
BUDGET_PEERS = ("grupa", "knn")  # the fixed peer group, or the 10 most similar units (`podobne=knn`)


@dataclass(frozen=True)
class BudgetState:
    """/budzet/<teryt>: the year, the section of the cost–outcome chart (demo), the comparison group."""

    teryt: str
    year: int
    section: str = ""
    lang: str = "pl"
    peers: str = "grupa"
    default_section: str = ""

    def to_query(self) -> dict[str, str]:
        q = {"rok": str(self.year)}
        if self.section and self.section != self.default_section:
            q["obszar"] = self.section
        if self.peers == "knn":
            q["podobne"] = "knn"
        if self.lang == "en":
            q["lang"] = "en"
        return q

    def search(self) -> str:
        return "?" + urlencode(self.to_query())


def parse_budget(teryt: str, params: dict[str, str], years: list[int], sections: tuple[str, ...],
                 default_section: str) -> BudgetState:
    """A complete, valid budget state from URL parameters; anything unknown falls back to a default."""
    try:
        year = int(params.get("rok") or 0)
    except ValueError:
        year = 0
    if year not in years:
        year = max(years) if years else 0
    section = params.get("obszar") or default_section
    if section not in sections:
        section = default_section
    peers = "knn" if params.get("podobne") == "knn" else "grupa"
    return BudgetState(teryt=teryt, year=year, section=section, lang="en" if params.get("lang") == "en" else "pl",
                       peers=peers, default_section=default_section)


def unit_of_path(pathname: str | None, prefix: str) -> str | None:
    """The code in /<prefix>/<code> (not checked against the register), or None."""
    parts = (pathname or "").rstrip("/").split("/")
    if len(parts) >= 3 and parts[-2] == prefix and parts[-1]:
        return parts[-1][:12]
    return None


# ------------------------------------------------------------------------------------------------ indicator page
@dataclass(frozen=True)
class IndicatorState:
    """/wskaznik/<id>: the level and year of the charts, the funnel's three-year window and reference group."""

    indicator: str
    level: str
    year: int
    lang: str = "pl"
    window: int | None = None  # 3: the funnel shows three-year rolling values (rate indicators only)
    group: str | None = None  # the funnel's reference: None = Poland, else a peer-group id

    def to_query(self) -> dict[str, str]:
        q = {"rok": str(self.year), "poziom": LEVEL_WORD[self.level]}
        if self.window:
            q["srednia"] = str(self.window)
        if self.group:
            q["grupa"] = self.group
        if self.lang == "en":
            q["lang"] = "en"
        return q

    def search(self) -> str:
        return "?" + urlencode(self.to_query())

    def as_dict(self) -> dict:
        return asdict(self)


def peer_group_ids(store: Store, level: str) -> list[str]:
    """Peer groups with units at the level (the funnel's possible references besides Poland)."""
    present = set(store.units.loc[store.units["level"] == level, "peer_group"])
    return [g for g in store.meta.get("peer_groups", {}) if g in present]


def parse_indicator(store: Store, indicator_id: str, params: dict[str, str | None]) -> IndicatorState:
    """A valid year and level from the URL; unknown values fall back to gminy and the latest year."""
    ind = store.catalogue.by_id[indicator_id]
    word = params.get("poziom") or ""
    level = LEVEL_PARAM.get(word, word)
    if level not in ind.levels:
        level = "gmina" if "gmina" in ind.levels else ind.levels[0]
    years = store.years(ind.id, level)
    try:
        year = int(params.get("rok") or "")
    except ValueError:
        year = -1
    if year not in years:
        year = years[-1] if years else ind.years[1]
    window = 3 if ind.rate and params.get("srednia") == "3" else None
    group = params.get("grupa") or None
    if not ind.rate or group not in set(peer_group_ids(store, level)):
        group = None
    return IndicatorState(indicator=ind.id, level=level, year=year, lang="en" if params.get("lang") == "en" else "pl",
                          window=window, group=group)


# ------------------------------------------------------------------------------------------------ compare
COMPARE_MAX_UNITS = 5
COMPARE_DEFAULT_AREA = "edukacja"


@dataclass(frozen=True)
class CompareState:
    """/porownaj?jst=a,b,c&obszar=…&rok=…: the units compared (2–5), the area, the year (None = latest)."""

    units: tuple[str, ...] = ()
    area: str = COMPARE_DEFAULT_AREA
    year: int | None = None
    lang: str = "pl"
    notes: tuple[dict, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        q: dict[str, str] = {}
        if self.units:
            q["jst"] = ",".join(self.units)
        q["obszar"] = self.area
        if self.year is not None:
            q["rok"] = str(self.year)
        if self.lang == "en":
            q["lang"] = "en"
        return q

    def search(self) -> str:
        return "?" + urlencode(self.to_query(), safe=",")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["units"] = list(self.units)
        d["notes"] = list(self.notes)
        return d

    @classmethod
    def from_dict(cls, d: dict | None) -> CompareState:
        d = d or {}
        return cls(units=tuple(d.get("units") or ()), area=d.get("area") or COMPARE_DEFAULT_AREA,
                   year=d.get("year"), lang=d.get("lang") or "pl", notes=tuple(d.get("notes") or ()))


def parse_units(store: Store, raw: str | None, limit: int = COMPARE_MAX_UNITS) -> tuple[list[str], list[dict]]:
    """The `jst` list as typed → today's codes (deduplicated, old codes resolved, capped) and notes.

    Notes are dicts: {"kind": "invalid", "codes": [...]}, {"kind": "changed", "old": ..., "new": ...},
    {"kind": "too_many", "codes": [...]}.
    """
    units: list[str] = []
    invalid: list[str] = []
    notes: list[dict] = []
    for code in re.split(r"[\s,;+]+", (raw or "")[:400]):
        if not code:
            continue
        teryt, changed = store.resolve(code)
        if teryt is None:
            if code not in invalid:
                invalid.append(code[:12])
            continue
        teryt = str(teryt)
        if changed:
            notes.append({"kind": "changed", "old": code, "new": teryt})
        if teryt not in units:
            units.append(teryt)
    if invalid:
        notes.insert(0, {"kind": "invalid", "codes": invalid})
    if len(units) > limit:
        notes.append({"kind": "too_many", "codes": units[limit:]})
        units = units[:limit]
    return units, notes


def compare_levels(units: list[str] | tuple[str, ...]) -> list[str]:
    """The levels present among the units, in the catalogue's order."""
    present = {LEVEL_OF_LEN.get(len(t)) for t in units}
    return [lvl for lvl in LEVELS if lvl in present]


def compare_years(store: Store, area: str, units: list[str] | tuple[str, ...]) -> list[int]:
    """Every year with data for some indicator of the area at the units' levels (gminy when none)."""
    levels = compare_levels(units) or ["gmina"]
    years: set[int] = set()
    for ind in store.catalogue.in_area(area):
        for lvl in levels:
            years.update(store.years(ind.id, lvl))
    return sorted(years)


def parse_compare(store: Store, params: dict[str, str | None]) -> CompareState:
    """A complete, valid comparison state from query parameters; unknown values fall back to defaults. An area
    without indicators in this edition falls back to the first that has some (the page says what is missing)."""
    units, notes = parse_units(store, params.get("jst"))
    cat = store.catalogue
    area = params.get("obszar") or COMPARE_DEFAULT_AREA
    if area not in cat.area_by_id:
        area = COMPARE_DEFAULT_AREA if COMPARE_DEFAULT_AREA in cat.area_by_id else cat.areas[0].id
    try:
        year: int | None = int(params.get("rok") or "")
    except ValueError:
        year = None
    if year is not None and year not in compare_years(store, area, units):
        year = None
    return CompareState(units=tuple(units), area=area, year=year, lang="en" if params.get("lang") == "en" else "pl",
                        notes=tuple(notes))


def keep_demo(search: str) -> str:
    """A query string written by a page in demo mode keeps `demo=1`, so the address bar, once copied, shares
    the demo view (without it the link opens the official edition)."""
    from portal.store import get_store

    if not get_store().demo or "demo=" in search:
        return search
    rest = search.lstrip("?")
    return "?" + (rest + "&" if rest else "") + "demo=1"
