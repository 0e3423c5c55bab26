"""Goals and targets (after MJUP/STRADOM): a unit's goals tied to indicators, the trajectory each target
needs, and on track / off track per goal. Nothing is stored on the server: goals live in the URL (``cele=``)
and in a small CSV file the user keeps.

A goal is a text and one or more targets; a target is (indicator, baseline year, target value, target year).
The baseline value is the unit's published value in the baseline year.

The goals file (CSV, UTF-8, one target per line; lines whose ``cel`` text is the same make one goal)::

    cel,wskaznik,rok_bazowy,wartosc_docelowa,rok_docelowy
    "Więcej dzieci w przedszkolach",przedszkola-3-5,2020,95,2030
    "Więcej dzieci w przedszkolach",zlobki-miejsca-na-1000,2020,40,2030

* the header names the columns (English names ``goal,indicator,baseline_year,target_value,target_year``
  are read too), in any order;
* the separator is a comma or a semicolon (as Excel writes it in Polish); with a semicolon, or in quotes,
  the target value may use a decimal comma ("95,5");
* empty lines and lines starting with ``#`` are skipped;
* at most :data:`MAX_GOALS` goals, :data:`MAX_TARGETS` targets per goal, :data:`MAX_TEXT` characters of text.
A bad file raises :class:`GoalsFileError` naming the line (1 = the header) and what is wrong.

Rule for a target (stated on the page and in the report): the *path* runs in a straight line from the
baseline value (baseline year) to the target value (target year). At the latest year with a value after
the baseline year (and not after the year judged):

* **cel osiągnięty / reached** – the value is at or beyond the target value (beyond = in the direction of
  the target from the baseline; for a target equal to the baseline, in the indicator's better direction);
* **na dobrej drodze / on track** – not reached, but at or beyond the path's value for that year;
* **poza ścieżką / off track** – short of the path's value; once the target year has data, **nieosiągnięty
  / missed**;
* **za wcześnie / too early** – no value after the baseline year yet; **brak danych / no data** – no
  baseline value (or the indicator is not in this edition).

Values within half a unit of the indicator's last shown decimal of the line count as on it. A goal takes the
worst status of its judged targets (missed < off track < on track < reached); targets too early or without
data are left out, and a goal with none judged takes "too early" or "no data".
"""

from __future__ import annotations

import base64
import csv
import io
import math
import zlib
from dataclasses import dataclass

import orjson

from portal.i18n import LANGS, N_, translator

MAX_GOALS = 20
MAX_TARGETS = 10
MAX_TEXT = 200
MAX_FILE_BYTES = 64_000
MAX_URL_CHARS = 3000
YEAR_RANGE = (2000, 2100)

COLUMNS = ("cel", "wskaznik", "rok_bazowy", "wartosc_docelowa", "rok_docelowy")
ALIASES = {"goal": "cel", "indicator": "wskaznik", "baseline_year": "rok_bazowy",
           "target_value": "wartosc_docelowa", "target_year": "rok_docelowy"}

STATUSES = ("missed", "off_track", "on_track", "achieved", "too_early", "no_data")
STATUS_MESSAGES = {
    "achieved": N_("target reached"),
    "on_track": N_("on track"),
    "off_track": N_("off track"),
    "missed": N_("target missed"),
    "too_early": N_("too early to judge"),
    "no_data": N_("no data"),
}
STATUS_TEXT = {key: {lang: translator(lang)(text) for lang in LANGS} for key, text in STATUS_MESSAGES.items()}
RULE_TEXT = N_(
    "The path runs straight from the value in the baseline year to the target value in the target year. "
    "In the latest year with data after the baseline year: 'target reached' when the value is at the "
    "target or beyond; 'on track' when it is on the path or ahead of it; 'off track' when it is behind "
    "(after the target year: 'target missed'). Differences under half of the last shown digit do not "
    "count. A goal takes the worst status of its indicators.")
RULE = {lang: translator(lang)(RULE_TEXT) for lang in LANGS}


class GoalsFileError(ValueError):
    """A goals file (or URL value) that cannot be read; ``line`` is 1-based (1 = header), or None."""

    def __init__(self, line: int | None, pl: str, en: str) -> None:
        self.line, self.pl, self.en = line, pl, en
        where_pl = f"Wiersz {line}: " if line else ""
        where_en = f"Line {line}: " if line else ""
        super().__init__(f"{where_pl}{pl} / {where_en}{en}")

    def message(self, lang: str = "pl") -> str:
        if lang == "en":
            return (f"Line {self.line}: " if self.line else "") + self.en
        return (f"Wiersz {self.line}: " if self.line else "") + self.pl


@dataclass(frozen=True)
class Target:
    indicator: str
    baseline_year: int
    target_value: float
    target_year: int


@dataclass(frozen=True)
class Goal:
    text: str
    targets: tuple[Target, ...]


# --------------------------------------------------------------------------- reading and writing files

def _number(raw: str, line: int, column: str) -> float:
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise GoalsFileError(line, f"„{raw.strip()[:30]}” w kolumnie {column} nie jest liczbą",
                             f"'{raw.strip()[:30]}' in column {column} is not a number") from None
    if not math.isfinite(value):
        raise GoalsFileError(line, f"wartość w kolumnie {column} musi być skończoną liczbą",
                             f"the value in column {column} must be a finite number")
    return value


def _year(raw: str, line: int, column: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not YEAR_RANGE[0] <= int(text) <= YEAR_RANGE[1]:
        raise GoalsFileError(line, f"„{text[:12]}” w kolumnie {column} nie jest rokiem "
                                   f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]}",
                             f"'{text[:12]}' in column {column} is not a year "
                             f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    return int(text)


def parse_csv(data: str | bytes, known_indicators: set[str] | frozenset[str] | None = None
              ) -> tuple[Goal, ...]:
    """Goals from a goals file (see the module docstring); GoalsFileError names the line otherwise.

    ``known_indicators``: ids accepted in the ``wskaznik`` column (None accepts any well-formed id).
    """
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise GoalsFileError(None, f"plik jest za duży (najwyżej {MAX_FILE_BYTES // 1000} kB)",
                                 f"the file is too large (at most {MAX_FILE_BYTES // 1000} kB)")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise GoalsFileError(line, "plik nie jest zapisany w UTF-8", "the file is not UTF-8") from None
    if len(data) > MAX_FILE_BYTES:
        raise GoalsFileError(None, f"plik jest za duży (najwyżej {MAX_FILE_BYTES // 1000} kB)",
                             f"the file is too large (at most {MAX_FILE_BYTES // 1000} kB)")
    data = data.lstrip("\ufeff")
    lines = data.splitlines()
    # The header: the first line that is neither empty nor a comment.
    first = next((k for k, text in enumerate(lines)
                  if text.strip() and not text.lstrip().startswith("#")), None)
    if first is None:
        raise GoalsFileError(None, "plik jest pusty", "the file is empty")
    sep = ";" if lines[first].count(";") > lines[first].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=sep, quotechar='"', strict=True)
    columns: dict[str, int] | None = None
    order: list[str] = []
    targets: dict[str, list[Target]] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if columns is None:
                names = [ALIASES.get(c.strip().lower(), c.strip().lower()) for c in row]
                missing = [c for c in COLUMNS if c not in names]
                if missing:
                    raise GoalsFileError(line, "brak kolumn: " + ", ".join(missing) + " (nagłówek: "
                                         + ",".join(COLUMNS) + ")",
                                         "missing columns: " + ", ".join(missing) + " (header: "
                                         + ",".join(COLUMNS) + ")")
                columns = {c: names.index(c) for c in COLUMNS}
                continue
            if len(row) < len(names):
                raise GoalsFileError(line, f"za mało pól ({len(row)} z {len(names)})",
                                     f"too few fields ({len(row)} of {len(names)})")
            cell = {c: row[i] for c, i in columns.items()}
            text = " ".join(cell["cel"].split())
            if not text:
                raise GoalsFileError(line, "pusta treść celu (kolumna cel)", "empty goal text (column cel)")
            if len(text) > MAX_TEXT:
                raise GoalsFileError(line, f"treść celu ma ponad {MAX_TEXT} znaków",
                                     f"the goal text is longer than {MAX_TEXT} characters")
            ind = cell["wskaznik"].strip()
            if not ind or (known_indicators is not None and ind not in known_indicators) or len(ind) > 80:
                raise GoalsFileError(line, f"nieznany wskaźnik „{ind[:60]}”",
                                     f"unknown indicator '{ind[:60]}'")
            target = Target(ind, _year(cell["rok_bazowy"], line, "rok_bazowy"),
                            _number(cell["wartosc_docelowa"], line, "wartosc_docelowa"),
                            _year(cell["rok_docelowy"], line, "rok_docelowy"))
            if target.target_year <= target.baseline_year:
                raise GoalsFileError(line, "rok docelowy musi być późniejszy niż rok bazowy",
                                     "the target year must be after the baseline year")
            if text not in targets:
                if len(order) >= MAX_GOALS:
                    raise GoalsFileError(line, f"najwyżej {MAX_GOALS} celów", f"at most {MAX_GOALS} goals")
                order.append(text)
                targets[text] = []
            if any(t.indicator == ind for t in targets[text]):
                raise GoalsFileError(line, f"wskaźnik „{ind}” jest już przypisany do tego celu",
                                     f"indicator '{ind}' is already tied to this goal")
            if len(targets[text]) >= MAX_TARGETS:
                raise GoalsFileError(line, f"najwyżej {MAX_TARGETS} wskaźników w jednym celu",
                                     f"at most {MAX_TARGETS} indicators per goal")
            targets[text].append(target)
    except csv.Error as exc:
        raise GoalsFileError(reader.line_num, f"błędny zapis CSV ({exc})", f"malformed CSV ({exc})") from None
    if columns is None:
        raise GoalsFileError(None, "plik jest pusty", "the file is empty")
    return tuple(Goal(text, tuple(targets[text])) for text in order)


def _fmt_number(value: float) -> str:
    return f"{value:.10g}"


def to_csv(goals: tuple[Goal, ...] | list[Goal]) -> str:
    """The goals file: a header and one line per target (comma-separated, UTF-8, dot decimals)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for goal in goals:
        for t in goal.targets:
            writer.writerow([goal.text, t.indicator, t.baseline_year, _fmt_number(t.target_value),
                             t.target_year])
    return out.getvalue()


# --------------------------------------------------------------------------- the URL

def encode(goals: tuple[Goal, ...] | list[Goal]) -> str:
    """Goals as one URL-safe value: compact JSON, deflated, base64url without padding ('' for none); target values
    are written as floats, so equal goals give one value (and one link)."""
    if not goals:
        return ""
    data = [[g.text, [[t.indicator, t.baseline_year, float(t.target_value), t.target_year] for t in g.targets]]
            for g in goals]
    packed = zlib.compress(orjson.dumps(data), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(value: str | None, known_indicators: set[str] | frozenset[str] | None = None) -> tuple[Goal, ...]:
    """Goals from a ``cele=`` value; GoalsFileError (line None) when it is not one this module wrote."""
    if not value:
        return ()
    bad = GoalsFileError(None, "parametr cele w adresie jest uszkodzony", "the cele parameter in the URL is "
                                                                           "damaged")
    if len(value) > MAX_URL_CHARS:
        raise bad
    try:
        packed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_FILE_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise bad
        data = orjson.loads(raw)
    except (ValueError, zlib.error, orjson.JSONDecodeError):
        raise bad from None
    if not isinstance(data, list) or len(data) > MAX_GOALS:
        raise bad
    goals = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], list) and 0 < len(item[1]) <= MAX_TARGETS):
            raise bad
        text = " ".join(item[0].split())[:MAX_TEXT]
        targets = []
        for t in item[1]:
            if not _target_ok(t) or (known_indicators is not None and t[0] not in known_indicators):
                raise bad
            targets.append(Target(t[0], t[1], float(t[2]), t[3]))
        if text:
            goals.append(Goal(text, tuple(targets)))
    return tuple(goals)


def _target_ok(t: object) -> bool:
    """A target as :func:`encode` writes it: [indicator, baseline year, target value, target year]."""
    if not (isinstance(t, list) and len(t) == 4 and isinstance(t[0], str) and 0 < len(t[0]) <= 80):
        return False
    years_ok = all(isinstance(x, int) and not isinstance(x, bool) for x in (t[1], t[3]))
    value_ok = isinstance(t[2], (int, float)) and not isinstance(t[2], bool) and math.isfinite(t[2])
    return years_ok and value_ok and YEAR_RANGE[0] <= t[1] < t[3] <= YEAR_RANGE[1]


def add_target(goals: tuple[Goal, ...], text: str, target: Target) -> tuple[Goal, ...]:
    """The goals with one target added: to the goal of the same text, or as a new goal (limits apply)."""
    text = " ".join(text.split())[:MAX_TEXT]
    if not text:
        raise GoalsFileError(None, "wpisz treść celu", "write the goal's text")
    if target.target_year <= target.baseline_year:
        raise GoalsFileError(None, "rok docelowy musi być późniejszy niż rok bazowy",
                             "the target year must be after the baseline year")
    out = []
    found = False
    for goal in goals:
        if goal.text == text:
            found = True
            kept = tuple(t for t in goal.targets if t.indicator != target.indicator)
            if len(kept) >= MAX_TARGETS:
                raise GoalsFileError(None, f"najwyżej {MAX_TARGETS} wskaźników w jednym celu",
                                     f"at most {MAX_TARGETS} indicators per goal")
            goal = Goal(text, (*kept, target))
        out.append(goal)
    if not found:
        if len(goals) >= MAX_GOALS:
            raise GoalsFileError(None, f"najwyżej {MAX_GOALS} celów", f"at most {MAX_GOALS} goals")
        out.append(Goal(text, (target,)))
    return tuple(out)


def remove_goal(goals: tuple[Goal, ...], index: int) -> tuple[Goal, ...]:
    return tuple(g for k, g in enumerate(goals) if k != index)


# --------------------------------------------------------------------------- judging

def _tolerance(decimals: int) -> float:
    return 0.5 * 10.0 ** -max(int(decimals), 0)


def path_value(baseline: float, target: float, y0: int, y1: int, year: int) -> float:
    """The straight path's value in ``year`` (baseline in y0, target in y1)."""
    return baseline + (target - baseline) * (year - y0) / (y1 - y0)


def judge(baseline: float, target: float, y0: int, y1: int, year: int, value: float,
          direction: str = "neutral", decimals: int = 1) -> str:
    """The status of one target from plain numbers (see the module docstring's rule)."""
    tol = _tolerance(decimals)
    sign = (target > baseline) - (target < baseline)
    if sign == 0:
        sign = {"higher_better": 1, "lower_better": -1}.get(direction, 0)
    if sign == 0:
        reached = abs(value - target) <= tol
        on_path = reached
    else:
        reached = sign * (value - target) >= -tol
        on_path = sign * (value - path_value(baseline, target, y0, y1, min(year, y1))) >= -tol
    if reached:
        return "achieved"
    if year >= y1:
        return "missed"
    return "on_track" if on_path else "off_track"


def evaluate_target(store, teryt: str, target: Target, upto_year: int | None = None) -> dict:
    """One target for one unit: baseline, latest value, path, needed yearly change and status.

    Returns {indicator, name, unit, decimals, synthetic, baseline_year, baseline, target_year, target,
    year (latest judged), value, path_value (the path in that year), needed_per_year (from the latest value
    to the target, per year left; None when no year is left), status, trajectory: [{year, path, actual}]}.
    ``upto_year`` caps the years judged (the report's year).
    """
    ind = store.catalogue.by_id.get(target.indicator)
    catalogue_all = getattr(store, "full_catalogue", store.catalogue)
    known = ind or catalogue_all.by_id.get(target.indicator)
    out = {"indicator": target.indicator, "name": known.name.model_dump() if known else
           {"pl": target.indicator, "en": target.indicator},
           "unit": known.unit.model_dump() if known else {"pl": "", "en": ""},
           "decimals": known.decimals if known else 1, "direction": known.direction if known else "neutral",
           "synthetic": bool(store.is_synthetic(target.indicator)),
           "baseline_year": target.baseline_year, "baseline": None, "target_year": target.target_year,
           "target": target.target_value, "year": None, "value": None, "path_value": None,
           "needed_per_year": None, "status": "no_data", "trajectory": [], "in_edition": ind is not None}
    if ind is None:
        return out
    values = {p["year"]: p["value"] for p in store.series(target.indicator, teryt)
              if p["value"] is not None and math.isfinite(p["value"])}
    base = values.get(target.baseline_year)
    y0, y1 = target.baseline_year, target.target_year
    years = sorted({*range(y0, y1 + 1), *(y for y in values if y0 <= y <= y1)})
    out["baseline"] = base
    out["trajectory"] = [{"year": y, "path": None if base is None else path_value(base, target.target_value,
                                                                                    y0, y1, y),
                          "actual": values.get(y)} for y in years]
    if base is None:
        return out
    after = [y for y in values if y > y0 and (upto_year is None or y <= upto_year)]
    if not after:
        out["status"] = "too_early"
        return out
    year = max(after)
    value = values[year]
    out.update({"year": year, "value": value,
                "path_value": path_value(base, target.target_value, y0, y1, min(year, y1)),
                "status": judge(base, target.target_value, y0, y1, year, value, ind.direction, ind.decimals)})
    if year < y1:
        out["needed_per_year"] = (target.target_value - value) / (y1 - year)
    return out


def goal_status(statuses: list[str]) -> str:
    """A goal's status: the worst judged one of its targets (see the module docstring)."""
    judged = [s for s in statuses if s in ("missed", "off_track", "on_track", "achieved")]
    if judged:
        return min(judged, key=STATUSES.index)
    return "too_early" if "too_early" in statuses else "no_data"


def evaluate(store, teryt: str, goals: tuple[Goal, ...] | list[Goal],
             upto_year: int | None = None) -> list[dict]:
    """Every goal judged for a unit: [{text, status, targets: [evaluate_target …]}]."""
    out = []
    for goal in goals:
        targets = [evaluate_target(store, teryt, t, upto_year) for t in goal.targets]
        out.append({"text": goal.text, "status": goal_status([t["status"] for t in targets]),
                    "targets": targets})
    return out


def known_indicator_ids(store) -> frozenset[str]:
    """Indicator ids a goals file may name: every catalogue indicator, also those not in this edition."""
    return frozenset(getattr(store, "full_catalogue", store.catalogue).by_id)


def goal_links(store, teryt: str, goals: tuple, lang: str) -> tuple[str, str]:
    """(export href, report href) for a unit's goals: the goals file and the report that judges them."""
    from portal.report import ReportChoice, report_href

    value = encode(goals)
    export = "/pobierz/cele.csv?" + "&".join(
        p for p in (f"cele={value}" if value else "", f"jst={teryt}") if p
    )
    demo = bool(getattr(store, "demo", False))
    return export, report_href(store, teryt, ReportChoice(goals=tuple(goals), lang=lang, demo=demo))


__all__ = ["MAX_GOALS", "MAX_TARGETS", "RULE", "STATUS_TEXT", "Goal", "GoalsFileError", "Target",
           "add_target", "decode", "encode", "evaluate", "evaluate_target", "goal_links", "goal_status", "judge",
           "known_indicator_ids", "parse_csv", "path_value", "remove_goal", "to_csv"]
