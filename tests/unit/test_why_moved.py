"""'Why did it move?' on the profile card and in the API's profile (portal/why_moved.py): the change to the card's
year split into numerator and denominator, recomputed from the raw GUS export; breaks named; synthetic values
never split; the same numbers on the card and in the API."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from layouts import profile
from portal import ids
from portal.decompose import ratio_parts
from portal.i18n import translator
from portal.why_moved import card_change, change_line, change_of, short_name
from tests.unit._tree import find, text
from tests.unit.test_decompose import _raw_age_groups

KRAKOW = "1261011"
SHARE = "udzial-przedprodukcyjny"  # 100 · residents aged 0–17 / all residents


def _pct(x: float, lang: str = "pl") -> str:
    return ("+" if x > 0 else "\u2212") + translator(lang).number(abs(x) * 100, 1) + "%"


@pytest.fixture(scope="module")
def raw_share(settings):
    groups = _raw_age_groups(Path(settings.raw_path), KRAKOW)
    pre = groups["w wieku przedprodukcyjnym"]
    total = {y: pre[y] + groups["w wieku produkcyjnym"][y] + groups["w wieku poprodukcyjnym"][y] for y in pre}
    return pre, total


def _card(layout, indicator: str):
    hits = find(layout, lambda c: getattr(c, "id", None) == ids.unit_card(KRAKOW, indicator))
    return hits[0] if hits else None


def test_card_line_splits_the_change_as_the_raw_export_does(store, raw_share):
    ind = store.indicator(SHARE)
    if ind is None or ratio_parts(ind) is None or "gmina" not in ind.levels:
        pytest.skip("the edition has no gmina-level share of residents aged 0-17")
    pre, total = raw_share
    page = profile.layout(teryt=KRAKOW, rok="2019")
    card = _card(page, SHARE)
    assert card is not None
    why = find(card, lambda c: getattr(c, "className", "") == "card-why small mb-1")
    assert len(why) == 1
    line = text(why[0])
    # Numerator (residents aged 0-17) and denominator (all residents), 2018 → 2019, from the GUS file itself.
    assert line.startswith("Zmiana 2018–2019: ")
    assert f"licznik {_pct(pre[2019] / pre[2018] - 1)}" in line
    assert f"mianownik (ludność ogółem) {_pct(total[2019] / total[2018] - 1)}" in line
    published = {p["year"]: p["value"] for p in store.series(SHARE, KRAKOW)}
    assert f"({_pct(published[2019] / published[2018] - 1)})" in line
    # The tooltip is the full sentence with the formula's names.
    assert why[0].title.startswith("Między 2018 a 2019 r. wartość")


def test_card_line_in_english(store):
    page = profile.layout(teryt=KRAKOW, rok="2019", lang="en")
    lines = [text(w) for w in find(page, lambda c: getattr(c, "className", "") == "card-why small mb-1")]
    assert lines and all(w.startswith("Change 2018–2019: ") and "; numerator " in w for w in lines)
    assert not any("licznik" in w for w in lines)


def test_only_official_ratio_indicators_get_a_line(store):
    page = profile.layout(teryt=KRAKOW, rok="2019")
    for ind in store.catalogue.indicators:
        card = _card(page, ind.id)
        if card is None:
            continue
        has_line = bool(find(card, lambda c: getattr(c, "className", "") == "card-why small mb-1"))
        if has_line:
            assert ratio_parts(ind) is not None and ratio_parts(ind)[1] is not None, ind.id


def test_synthetic_indicators_are_never_split(demo_store):
    synthetic = [i for i in demo_store.catalogue.indicators if demo_store.is_synthetic(i.id)]
    assert synthetic
    for ind in synthetic[:20]:
        years = demo_store.years(ind.id, "gmina")
        if years:
            assert card_change(demo_store, ind.id, KRAKOW, years[-1]) is None, ind.id


class _HandMade:
    """A store with one hand-made ratio series (value = 100 · N / D) for one unit."""

    def __init__(self, store, indicator: str, parts: dict[int, tuple[float, float]]) -> None:
        self.catalogue, self.units, self.version = store.catalogue, store.units, "hand-made"
        self.parts, self.mult = parts, store.catalogue.by_id[indicator].real.multiplier

    def is_synthetic(self, indicator_id: str) -> bool:
        return False

    def series(self, indicator_id: str, teryt: str) -> list[dict]:
        return [{"year": y, "value": self.mult * n / d, "flag": "ok", "synthetic": False, "numerator": n,
                 "denominator": d} for y, (n, d) in sorted(self.parts.items())]


def _a_ratio(store):
    return next(i for i in store.catalogue.indicators
                if ratio_parts(i) and ratio_parts(i)[1] and i.unit.pl != "%" and "gmina" in i.levels)


def test_a_break_is_named_and_said_to_explain_the_jump(store):
    ind = _a_ratio(store)
    # Residents steady, the numerator jumps by half in 2021 (the year a neighbouring gmina was merged in).
    parts = {2018: (100.0, 1000.0), 2019: (102.0, 1000.0), 2020: (104.0, 1000.0), 2021: (156.0, 1000.0)}
    breaks = [{"year": 2021, "earliest": 2021, "reason": {"pl": "połączenie gmin", "en": "gminas merged"}}]
    fake = _HandMade(store, ind.id, parts)
    change = change_of(fake, ind.id, KRAKOW, 2021, "pl", breaks)
    assert change is not None and change["jump"] and change["driver"] == "numerator"
    assert change["numerator"]["relative_change"] == pytest.approx(0.5)
    assert change["denominator"]["relative_change"] == pytest.approx(0.0)
    assert change["numerator_part"] + change["denominator_part"] == pytest.approx(math.log(1.5))
    line = change_line(change, ind.unit.pl, ind.decimals, "pl")
    assert "licznik +50,0%" in line and "0,0%" in line and "głównie licznik" in line
    assert "Przerwa w szeregu (2021): połączenie gmin." in line
    assert "Skok może wynikać z tej zmiany" in line
    # The change before it has no break in its window and says nothing of one.
    calm = change_line(change_of(fake, ind.id, KRAKOW, 2020, "pl", breaks), ind.unit.pl, ind.decimals, "pl")
    assert "Przerwa" not in calm and "Skok" not in calm
    en = change_line(change_of(fake, ind.id, KRAKOW, 2021, "en", breaks), ind.unit.en, ind.decimals, "en")
    assert "Series break (2021): gminas merged." in en and "mostly the numerator" in en


def test_no_line_for_the_first_year_or_a_zero_part(store):
    ind = _a_ratio(store)
    fake = _HandMade(store, ind.id, {2019: (0.0, 1000.0), 2020: (5.0, 1000.0), 2021: (6.0, 1000.0)})
    assert change_of(fake, ind.id, KRAKOW, 2019, "pl", []) is None  # nothing before it
    assert change_of(fake, ind.id, KRAKOW, 2020, "pl", []) is None  # from zero: no log change
    assert change_of(fake, ind.id, KRAKOW, 2021, "pl", []) is not None


def test_short_names():
    assert short_name("ludność ogółem (stan 31 XII tego samego roku)") == "ludność ogółem"
    assert short_name("ludność ogółem, stan 31 XII tego samego roku") == "ludność ogółem"
    assert short_name("total population on 31 Dec of the same year") == "total population"
    assert short_name(None) is None


def test_api_profile_carries_the_change(store):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True
    client = app.server.test_client()
    r = client.get(f"/api/v1/profiles/{KRAKOW}?year=2019")
    body = r.get_json()
    r.close()
    assert r.status_code == 200
    items = {i["indicator"]: i for a in body["areas"] for i in a["indicators"]}
    with_change = {k: i for k, i in items.items() if i["change"] is not None}
    assert with_change
    for key, item in items.items():
        ind = store.indicator(key)
        if item["change"] is None:
            continue
        assert ratio_parts(ind) is not None and not item["synthetic"], key
        c = item["change"]
        assert c["year_to"] == item["year"]
        # The parts add up to the published value's change (up to the residual) and match the series' own parts.
        assert c["numerator_part"] + c["denominator_part"] + c["residual"] == pytest.approx(
            math.log(c["value_to"] / c["value_from"]))
        series = {p["year"]: p for p in store.series(key, KRAKOW)}
        if series[c["year_to"]].get("numerator") is not None:
            assert c["numerator"]["to"] == pytest.approx(series[c["year_to"]]["numerator"])
            assert c["denominator"]["from"] == pytest.approx(series[c["year_from"]]["denominator"])
        # The same line as the card.
        assert c["text"] == change_line(card_change(store, key, KRAKOW, item["year"], "pl"), ind.unit.pl,
                                        ind.decimals, "pl")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "change" in spec["components"]["schemas"]["ProfileIndicator"]["properties"]
    assert spec["components"]["schemas"]["ProfileChange"]["nullable"] is True


def test_averages_are_not_split(store):
    """An exam result is a mean (points summed over takers ÷ takers): 'had only the takers changed, the value
    would have fallen 34 %' says nothing, so neither the card, the API nor the decomposition split it."""
    from portal.decompose import unit_decomposition

    for ind in ("egzamin-8-matematyka", "egzamin-8-polski", "egzamin-8-angielski"):
        assert store.catalogue.by_id[ind].real.mean
        year = store.latest_year(ind, "gmina")
        assert change_of(store, ind, "1218093", year) is None
        assert card_change(store, ind, "1218093", year) is None
        dec = unit_decomposition(store, ind, "1218093")
        assert not dec["available"] and "średnią" in dec["reason"]["pl"] and "average" in dec["reason"]["en"]
    # A rate of two different things is still split.
    year = store.latest_year("dochody-z-majatku-na-mieszkanca", "gmina")
    assert change_of(store, "dochody-z-majatku-na-mieszkanca", "1218093", year) is not None
