"""data/fetch.yaml: what the fetch brings and how the build divides it, checked against the catalogue."""

from __future__ import annotations

import copy

import pytest

from portal.catalogue import load_catalogue
from portal.config import REPO_ROOT
from portal.pipeline.fetch_plan import (
    FetchPlan,
    PlanError,
    Tolerance,
    catalogue_unit,
    check_plan,
    fillable,
    load_plan,
    plan_path,
)
from tests.fake_apis import PLAN


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(REPO_ROOT / "data" / "catalogue.yaml")


def with_indicator(entry: dict) -> FetchPlan:
    return FetchPlan.model_validate({**PLAN, "indicators": [entry]})


def test_the_reviewed_plan_holds_together_with_the_catalogue(catalogue):
    plan = load_plan(plan_path(REPO_ROOT / "data" / "catalogue.yaml"), catalogue)
    assert plan_path(REPO_ROOT / "data" / "catalogue.yaml") == REPO_ROOT / "data" / "fetch.yaml"
    entries, skipped = fillable(plan, catalogue)
    assert len(entries) >= 30 and not skipped
    # Point 1: every BDL total in zł, a count or km is divided by a denominator; only rates BDL publishes
    # itself go without one, and never a zł total.
    for entry in plan.indicators:
        if entry.bdl is not None and entry.bdl.published:
            assert entry.bdl.numerator[0].unit not in ("zł", "tys. zł", "-", "szt."), entry.id
    per_resident = [i.id for i in catalogue.indicators if i.unit.pl == "zł na mieszkańca"]
    for ind_id in per_resident:
        entry = plan.by_id.get(ind_id)
        if entry is not None and entry.bdl is not None:
            assert entry.bdl.denominator == "population", ind_id
    # Point 2: where both sources can fill an indicator, one is published and the other checks it.
    both = [e for e in plan.indicators if e.bdl is not None and e.smup is not None]
    assert both and all(e.priority and e.tolerance for e in both)


def test_the_test_plan_holds_together_too(catalogue):
    check_plan(FetchPlan.model_validate(PLAN), catalogue)


def test_an_unknown_indicator_fails(catalogue):
    plan = with_indicator({"id": "nie-ma-takiego", "smup": {"all": 8, "unit": "%", "levels": ["gmina"]}})
    with pytest.raises(PlanError, match="nie-ma-takiego: not an indicator of the catalogue"):
        check_plan(plan, catalogue)


def test_a_total_taken_as_a_rate_fails(catalogue):
    """Point 1: 202277 is a total in zł; taken as 'zł per resident' it would say 96,215,000 zł a resident."""
    plan = with_indicator(
        {
            "id": "wydatki-oswiata-na-mieszkanca",
            "bdl": {"numerator": [{"variable": 202277, "unit": "zł"}], "levels": ["gmina"]},
        }
    )
    with pytest.raises(PlanError, match="zł na mieszkańca"):
        check_plan(plan, catalogue)


@pytest.mark.parametrize(
    ("bdl", "why"),
    [
        (
            {"numerator": [{"variable": 1, "unit": "zł"}], "denominator": "population", "multiplier": 1000},
            "per 1000",
        ),  # per 1,000 residents is not per resident
        ({"numerator": [{"variable": 1, "unit": "zł"}], "denominator": "area"}, "area"),
        ({"numerator": [{"variable": 1, "unit": "km"}], "denominator": "population"}, "km"),
        (
            {
                "numerator": [{"variable": 1, "unit": "zł"}, {"variable": 2, "unit": "tys. zł"}],
                "denominator": "population",
            },
            "different units",
        ),
    ],
)
def test_units_that_cannot_give_the_catalogues_unit_fail(catalogue, bdl, why):
    plan = with_indicator({"id": "wydatki-700-na-mieszkanca", "bdl": {**bdl, "levels": ["gmina"]}})
    with pytest.raises(PlanError, match=why):
        check_plan(plan, catalogue)


def test_levels_the_catalogue_lacks_fail(catalogue):
    plan = with_indicator(
        {
            "id": "wydatki-drogi-powiatowe-na-mieszkanca",
            "bdl": {
                "numerator": [{"variable": 395094, "unit": "zł"}],
                "denominator": "population",
                "levels": ["gmina"],
            },
        }
    )
    with pytest.raises(PlanError, match=r"levels \['gmina'\] are not the catalogue's"):
        check_plan(plan, catalogue)


def test_two_sources_need_a_priority_and_a_tolerance():
    entry = copy.deepcopy(PLAN["indicators"][3])
    del entry["priority"]
    with pytest.raises(ValueError, match="priority"):
        with_indicator(entry)
    entry = {**copy.deepcopy(PLAN["indicators"][3]), "priority": "bdl"}
    assert with_indicator(entry).indicators[0].check == "smup"


def test_a_published_rate_cannot_be_summed_or_added():
    with pytest.raises(ValueError, match="sum_up"):
        with_indicator(
            {
                "id": "x",
                "bdl": {"numerator": [{"variable": 1, "unit": "%"}], "levels": ["gmina"], "sum_up": True},
            }
        )
    with pytest.raises(ValueError, match="cannot be added up"):
        with_indicator(
            {
                "id": "x",
                "bdl": {
                    "numerator": [{"variable": 1, "unit": "%"}, {"variable": 2, "unit": "%"}],
                    "levels": ["gmina"],
                },
            }
        )


def test_an_indicator_the_raw_files_fill_is_left_alone(catalogue):
    plan = with_indicator(
        {
            "id": "podatek-nieruchomosci-na-mieszkanca",
            "smup": {"all": 16, "unit": "zł na mieszkańca", "levels": ["gmina"]},
        }
    )
    check_plan(plan, catalogue)
    entries, skipped = fillable(plan, catalogue)
    assert entries == [] and "raw files" in skipped["podatek-nieruchomosci-na-mieszkanca"]


@pytest.mark.parametrize(
    ("unit", "parsed"),
    [
        ("zł na mieszkańca", ("zł", (1.0, "population"))),
        ("mieszkań na 1000 mieszkańców", ("count", (1000.0, "population"))),
        ("osób na 10 tys. mieszkańców", ("count", (10000.0, "population"))),
        ("km na 100 km²", ("km", (100.0, "area"))),
        ("m² na mieszkańca", ("m2", (1.0, "population"))),
        ("%", ("%", (1.0, ""))),
        ("osób/km²", ("count", (1.0, "area"))),
    ],
)
def test_catalogue_units_are_read_as_noun_and_base(unit, parsed):
    assert catalogue_unit(unit) == parsed


def test_tolerance_bounds():
    assert Tolerance(absolute=0.5).exceeded(15.0, 14.0) and not Tolerance(absolute=0.5).exceeded(20.0, 20.4)
    assert Tolerance(relative=0.001).exceeded(9365, 9558) and not Tolerance(relative=0.001).exceeded(
        9365, 9366
    )
    with pytest.raises(ValueError, match="absolute"):
        Tolerance()
