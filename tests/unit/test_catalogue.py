"""The reviewed indicator catalogue (data/catalogue.yaml): coverage, consistency and the loader's errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portal.catalogue import LEVELS, Catalogue, Indicator, load_catalogue

CATALOGUE_PATH = Path(__file__).resolve().parents[2] / "data" / "catalogue.yaml"

SERVICE_AREAS = [
    "edukacja",
    "ochrona-srodowiska",
    "gospodarowanie-nieruchomosciami",
    "polityka-spoleczna",
    "kultura-i-rekreacja",
    "inwestycje-i-budownictwo",
    "podatki-i-oplaty",
    "drogownictwo-i-transport",
    "geodezja-i-kartografia",
    "finanse-jst",
]
SERVICE_DIMENSIONS = {"ilosc", "jakosc", "dostepnosc", "efektywnosc"}

BUDGET_SECTIONS = {
    "wydatki-600-na-mieszkanca": "600",
    "wydatki-700-na-mieszkanca": "700",
    "wydatki-710-na-mieszkanca": "710",
    "wydatki-oswiata-na-mieszkanca": "801",
    "wydatki-pomoc-spoleczna-na-mieszkanca": "852+855",
    "wydatki-900-na-mieszkanca": "900",
    "wydatki-921-na-mieszkanca": "921",
    "wydatki-926-na-mieszkanca": "926",
    "wydatki-pozostale-na-mieszkanca": "pozostałe",
}
OWN_REVENUE_PARTS = {
    "podatek-nieruchomosci-na-mieszkanca",
    "udzial-pit-na-mieszkanca",
    "udzial-cit-na-mieszkanca",
    "oplaty-lokalne-na-mieszkanca",
    "dochody-wlasne-pozostale-na-mieszkanca",
}
LAST_SYNTHETIC_YEAR = 2024


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_PATH)


@pytest.fixture(scope="module")
def raw_entries() -> list[dict]:
    """The catalogue's indicator entries as written (before defaults fill them in)."""
    entries: list[dict] = []
    for path in sorted((CATALOGUE_PATH.parent / "indicators").glob("*.yaml")):
        entries.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return entries


@pytest.fixture(scope="module")
def raw_subjects(settings) -> dict[str, str]:
    """BDL subject → its last update (ISO date), from BDL's subject list in the raw inputs."""
    import csv

    with (settings.raw_path / "bdl-meta" / "subjects_catalog.csv").open(encoding="utf-8") as f:
        return {row["id"]: row["lastUpdate"] for row in csv.DictReader(f) if row["lastUpdate"] not in ("", "NA")}


def _sum_parts(catalogue: Catalogue, indicator_id: str) -> list[Indicator]:
    synthetic = catalogue.by_id[indicator_id].synthetic
    assert synthetic is not None and synthetic.kind == "sum"
    return [catalogue.by_id[part] for part in synthetic.of]


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize("area", SERVICE_AREAS)
def test_each_service_area_has_at_least_six_indicators(catalogue: Catalogue, area: str) -> None:
    assert len(catalogue.in_area(area)) >= 6


@pytest.mark.parametrize("area", SERVICE_AREAS)
def test_each_service_area_spans_several_dimensions(catalogue: Catalogue, area: str) -> None:
    dimensions = {i.dimension for i in catalogue.in_area(area)}
    # Finance honestly has only quantity and cost-efficiency measures; service areas have three or more.
    assert len(dimensions) >= (2 if area == "finanse-jst" else 3), dimensions


def test_catalogue_areas_are_the_service_areas_plus_context(catalogue: Catalogue) -> None:
    assert [a.id for a in catalogue.areas] == [*SERVICE_AREAS, "kontekst"]


def test_headlines_belong_to_their_area(catalogue: Catalogue) -> None:
    for area in catalogue.areas:
        assert catalogue.by_id[area.headline].area == area.id
    assert catalogue.area_by_id["edukacja"].headline == "egzamin-8-matematyka"


def test_dimension_is_context_exactly_in_the_context_area(catalogue: Catalogue) -> None:
    for ind in catalogue.indicators:
        if ind.area == "kontekst":
            assert ind.dimension == "kontekst", ind.id
        else:
            assert ind.dimension in SERVICE_DIMENSIONS, ind.id


# ---------------------------------------------------------------- consistency


def test_every_sum_adds_indicators_of_the_same_unit_levels_and_years(catalogue: Catalogue) -> None:
    sums = [i for i in catalogue.indicators if i.synthetic and i.synthetic.kind == "sum"]
    assert {i.id for i in sums} >= {"wydatki-na-mieszkanca"}
    for total in sums:
        for part in _sum_parts(catalogue, total.id):
            assert part.id != total.id
            assert part.unit == total.unit, (total.id, part.id)
            assert part.levels == total.levels, (total.id, part.id)
            assert part.years == total.years, (total.id, part.id)
            assert not (part.synthetic and part.synthetic.kind == "sum"), "sums of sums are not generated"
            # A synthetic sum never adds official values to synthetic ones.
            assert part.synthetic is not None and part.real is None, (total.id, part.id)


def test_budget_sections_are_present_and_sum_to_total_spending(catalogue: Catalogue) -> None:
    sections = {i.id: i.budget_section for i in catalogue.indicators if i.budget_section}
    assert sections == BUDGET_SECTIONS
    for ind_id in BUDGET_SECTIONS:
        ind = catalogue.by_id[ind_id]
        assert ind.dimension == "efektywnosc"
        assert ind.direction == "neutral"
        assert ind.unit.pl == "zł na mieszkańca"
        assert ind.unit.en == "PLN per resident"
    total = catalogue.by_id["wydatki-na-mieszkanca"]
    assert total.area == "finanse-jst"
    assert sorted(total.synthetic.of) == sorted(BUDGET_SECTIONS)


def test_budget_section_medians_add_up_to_about_the_typical_revenue(catalogue: Catalogue) -> None:
    # The divisions' typical 2020 values set their shares of a total that follows from the budget (revenue less
    # capital revenue and operating surplus, plus capital spending), so together they are about the typical
    # revenue: a budget that roughly balances. Education (801) is the largest division.
    parts = _sum_parts(catalogue, "wydatki-na-mieszkanca")
    total = sum(p.synthetic.median for p in parts)
    revenue = catalogue.by_id["dochody-na-mieszkanca"].synthetic.median
    assert 0.9 * revenue <= total <= 1.1 * revenue
    assert max(parts, key=lambda p: p.synthetic.median).id == "wydatki-oswiata-na-mieszkanca"


def test_education_and_social_spending_name_the_divisions_their_variables_cover(catalogue: Catalogue) -> None:
    # Issue 13: 'wydatki-oswiata' said 801+854 while its variable (202277) is division 801 only; BDL has no gmina
    # variable for 854. Social spending adds 852 (202286) and 855 (633070), and its note names both.
    edu = catalogue.by_id["wydatki-oswiata-na-mieszkanca"]
    assert edu.budget_section == "801" and "854" not in edu.formula.numerator.pl
    assert edu.source.bdl_variable == 202277 and "801" in edu.name.pl
    assert "854" in catalogue.by_id["wydatki-pozostale-na-mieszkanca"].description.pl
    social = catalogue.by_id["wydatki-pomoc-spoleczna-na-mieszkanca"]
    assert social.budget_section == "852+855" and social.source.bdl_variable == 202286
    assert "633070" in social.source.note
    assert catalogue.by_id["wydatki-710-na-mieszkanca"].source.bdl_subject is None  # P3293 is a powiat subject


def test_demo_entries_point_at_bdl_subjects_that_are_still_published(catalogue: Catalogue, raw_subjects) -> None:
    # Issue 13: subjects last updated in 2014–2018 (P2603, P2604, P3590, P1448, P2407 …) were given series to 2024.
    # Every subject a demo entry names was updated in 2023 or later (BDL's subject list, bdl-meta).
    for ind in catalogue.indicators:
        if ind.synthetic is None or ind.source.bdl_subject is None:
            continue
        updated = raw_subjects.get(ind.source.bdl_subject)
        assert updated is not None, (ind.id, ind.source.bdl_subject)
        assert updated >= "2023", (ind.id, ind.source.bdl_subject, updated)
        assert ind.years[1] == LAST_SYNTHETIC_YEAR
    for ind_id in ("udzial-cit-na-mieszkanca", "oplaty-lokalne-na-mieszkanca", "drogi-gminne-twarde-na-100-km2",
                   "wydatki-710-na-mieszkanca"):
        src = catalogue.by_id[ind_id].source
        # No id at all before; now each says what a fetch would bring (nothing until an id is resolved).
        assert src.bdl_subject or "No BDL variable" in src.note, ind_id
        assert "fetch brings nothing" in src.note, ind_id


def test_pre_school_entry_says_it_is_the_3_6_share_not_smups_3_5_headline(catalogue: Catalogue) -> None:
    ind = catalogue.by_id["przedszkola-3-6-odsetek"]
    assert "3–6" in ind.name.pl and ind.synthetic.denominator == "pop_3_6"
    assert "3–5" in ind.source.note and "not SMUP's headline" in ind.source.note


def test_own_revenue_and_its_taxes_are_official(catalogue: Catalogue) -> None:
    for ind_id in ("dochody-wlasne-na-mieszkanca", "podatek-nieruchomosci-na-mieszkanca"):
        real = catalogue.by_id[ind_id].real
        assert real is not None and real.kind == "ratio" and real.denominator == "population", ind_id
    assert "mf-udzialy-pit-2019-2020" in catalogue.by_id["udzial-pit-na-mieszkanca"].source.datasets


def test_synthetic_indicators_run_from_start_year_to_the_last_year(catalogue: Catalogue) -> None:
    for ind in catalogue.indicators:
        if ind.synthetic is None:
            continue
        if ind.synthetic.kind == "sum":
            assert ind.years[1] == LAST_SYNTHETIC_YEAR, ind.id
            continue
        assert ind.synthetic.start_year >= 2015, ind.id
        assert ind.years == (ind.synthetic.start_year, LAST_SYNTHETIC_YEAR), ind.id


def test_synthetic_parameters_are_realistic(catalogue: Catalogue) -> None:
    for ind in catalogue.indicators:
        syn = ind.synthetic
        if syn is None:
            continue
        if ind.unit.pl == "%":
            assert syn.bounds is not None and syn.bounds[0] == 0, ind.id
        if syn.median is None:  # sums, residuals and quotients are made from other indicators
            assert syn.kind in ("sum", "residual", "quotient"), ind.id
            continue
        assert syn.median != 0, ind.id
        assert syn.median > 0 or syn.share_bounds is not None, ind.id
        assert 0.1 <= syn.spread <= 0.6, ind.id
        assert 0.01 <= syn.missing <= 0.3, ind.id
        assert set(syn.type_effect) <= {"miejska", "wiejska", "miejsko-wiejska", "mnpp"}, ind.id
        if ind.unit.pl == "%" and syn.kind == "ratio":
            assert syn.bounds[0] < syn.median < syn.bounds[1], ind.id


def test_synthetic_ratios_aggregate_over_the_denominator_their_formula_names(catalogue: Catalogue) -> None:
    # Issue 13: debt ÷ revenue, loans per reader and capital ÷ total spending were weighted by population at
    # powiat and województwo level. A ratio over the register's population says 'ludność ogółem' in its formula;
    # every other denominator is declared (denominator_of: the indicator whose numerator it is).
    for ind in catalogue.indicators:
        syn = ind.synthetic
        if syn is None or ind.formula.denominator is None or syn.kind == "sum":
            continue
        over_population = (syn.denominator == "population" and syn.denominator_of is None
                           and (syn.numerator_of is None or syn.kind == "quotient"))
        assert over_population == (ind.formula.denominator.pl == "ludność ogółem"), ind.id
    for ind_id, of in [("dlug-do-dochodow", "dochody-na-mieszkanca"),
                       ("biblioteki-wypozyczenia-na-czytelnika", "biblioteki-czytelnicy-na-1000"),
                       ("wydatki-majatkowe-udzial", "wydatki-na-mieszkanca")]:
        assert catalogue.by_id[ind_id].synthetic.denominator_of == of, ind_id


def test_only_values_drawn_alone_declare_missing_data(raw_entries) -> None:
    # Everything made from other indicators has data exactly where its inputs have (a part and its whole cover
    # the same gminy, so they compare at every level): a `missing` there would be a parameter with no effect.
    for entry in raw_entries:
        syn = entry.get("synthetic")
        if syn is None or "missing" not in syn:
            continue
        drawn_alone = syn.get("kind", "ratio") in ("ratio", "count") and not (
            syn.get("numerator_of") or syn.get("denominator_of"))
        assert drawn_alone, entry["id"]


def test_every_shock_is_a_year_the_note_describes(catalogue: Catalogue) -> None:
    for ind in catalogue.indicators:
        if ind.synthetic is None or not ind.synthetic.shocks:
            continue
        first = min(ind.synthetic.shocks)
        assert str(first) in (ind.source.note or ""), (ind.id, first)


def test_true_zeros_only_where_the_note_says_they_occur(catalogue: Catalogue) -> None:
    for ind in catalogue.indicators:
        if ind.synthetic is not None and ind.synthetic.zeros > 0:
            assert "true zero" in (ind.source.note or "") or "zero is common" in (ind.source.note or ""), ind.id


def test_levels_default_to_all_three_except_county_roads(catalogue: Catalogue) -> None:
    # Synthetic (demo) indicators; official ones have the levels their sources publish (tested per source).
    partial = {i.id for i in catalogue.indicators if i.synthetic and tuple(i.levels) != LEVELS}
    assert partial == {
        "drogi-powiatowe-twarde-na-100-km2",
        "drogi-powiatowe-gruntowe-udzial",
        "wydatki-drogi-powiatowe-na-mieszkanca",
    }


def test_rates_are_counts_of_people_or_places_over_people(catalogue: Catalogue) -> None:
    for ind in catalogue.indicators:
        if not ind.rate:
            continue
        if ind.synthetic is not None:
            # Counts over people (or a part of such a count over the same people), never over area.
            assert ind.synthetic.kind in ("ratio", "part"), ind.id
            assert ind.synthetic.denominator_of is None and ind.synthetic.numerator_of is None, ind.id
            assert ind.synthetic.denominator != "area_km2", ind.id
        else:
            assert ind.real.kind == "ratio" and ind.real.denominator, ind.id
        assert "zł" not in ind.unit.pl, ind.id
    for ind_id in [
        "zlobki-miejsca-na-1000",
        "przedszkola-3-6-odsetek",
        "biblioteki-czytelnicy-na-1000",
        "pomoc-spoleczna-beneficjenci-na-10-tys",
    ]:
        assert catalogue.by_id[ind_id].rate, ind_id
    for ind_id in ["egzamin-8-matematyka", "egzamin-8-polski", "egzamin-8-angielski", "frekwencja-sejm"]:
        assert not catalogue.by_id[ind_id].rate, ind_id


def test_real_indicators(catalogue: Catalogue) -> None:
    real = {i.id: (i.real.kind, i.real.key, i.years) for i in catalogue.indicators if i.real}
    for subject in ("matematyka", "polski", "angielski"):
        ind = catalogue.by_id[f"egzamin-8-{subject}"]
        assert ind.real.kind == "ratio" and ind.years == (2021, 2025) and ind.real.sum_up
    assert real["ludnosc"] == ("ratio", None, (2010, 2024))
    assert real["frekwencja-sejm"] == ("turnout", "Sejm", (2019, 2023))
    assert real["frekwencja-pe"] == ("turnout", "PE", (2019, 2024))
    assert real["frekwencja-prezydent-t2"] == ("turnout", "Prezydent_t2", (2020, 2025))
    assert real["frekwencja-prezydent-t1"] == ("turnout", "Prezydent_t1", (2025, 2025))
    assert real["udzial-65-plus"] == ("ratio", None, (2020, 2020))
    assert catalogue.by_id["udzial-65-plus"].real.denominator == "pop_2020_p2137"  # same export as the numerator
    assert catalogue.by_id["gestosc-zaludnienia"].real.numerator == "density_published"
    for ind in catalogue.indicators:
        if ind.real and ind.real.kind == "turnout":
            assert ind.source.attribution == "Źródło: PKW"
            assert ind.direction == "neutral" and ind.area == "kontekst"


# ---------------------------------------------------------------- sources


def test_ids_that_public_code_gets_wrong_are_used_only_for_their_real_meaning(catalogue: Catalogue) -> None:
    by_variable: dict[int, list[str]] = {}
    for ind in catalogue.indicators:
        if ind.source.bdl_variable is not None:
            by_variable.setdefault(ind.source.bdl_variable, []).append(ind.id)
    assert by_variable.get(60559) == ["gestosc-zaludnienia"]
    assert by_variable.get(72305) in (None, ["ludnosc"])
    for never in (910268, 910269, 72306, 72307, 64428):
        assert never not in by_variable, never
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    assert "REGON" not in text


def test_sources_name_their_origin(catalogue: Catalogue) -> None:
    for ind in catalogue.indicators:
        src = ind.source
        if src.smup is not None:
            assert src.attribution == "Źródło: GUS/MSWiA, System Monitorowania Usług Publicznych", ind.id
        elif src.bdl_variable is not None or src.bdl_subject is not None:
            assert "GUS" in src.attribution, ind.id
        if src.evidence in {"subject_only", "guessed"}:
            assert src.note, f"{ind.id}: an unpinned source needs a note"
        if src.evidence == "subject_only":
            assert src.bdl_subject and src.bdl_variable is None, ind.id


# ---------------------------------------------------------------- sentences


def test_sentence_templates_format_with_their_placeholders(catalogue: Catalogue) -> None:
    # {rok}/{year} may be left out only where the value does not change with time (the unit's area).
    for ind in catalogue.indicators:
        pl = ind.sentence.pl.format(rok=2024, wartosc="12,3 %", w_jst="w gminie")
        en = ind.sentence.en.format(year=2024, value="12.3%", in_unit="in the gmina")
        for template, placeholders in (
            (ind.sentence.pl, ("{rok}", "{wartosc}", "{w_jst}")),
            (ind.sentence.en, ("{year}", "{value}", "{in_unit}")),
        ):
            needed = placeholders[1:] if ind.id == "powierzchnia" else placeholders
            assert all(p in template for p in needed), (ind.id, template)
        assert not pl.endswith(".") and not en.endswith("."), ind.id


# ---------------------------------------------------------------- the loader on broken copies


def _write_broken(tmp_path: Path, break_it) -> Path:
    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    # One self-contained file: the main file's areas with every included indicator.
    indicators = list(raw.get("indicators") or [])
    for pattern in raw.pop("include", []):
        for part in sorted(CATALOGUE_PATH.parent.glob(pattern)):
            indicators.extend(yaml.safe_load(part.read_text(encoding="utf-8")))
    raw["indicators"] = indicators
    break_it(raw)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _duplicate_id(raw: dict) -> None:
    raw["indicators"].append(dict(next(i for i in raw["indicators"] if i["id"] == "ludnosc")))


def _unknown_area(raw: dict) -> None:
    raw["indicators"][0]["area"] = "kosmonautyka"


def _no_origin(raw: dict) -> None:
    raw["indicators"][0].pop("real")


def _both_origins(raw: dict) -> None:
    raw["indicators"][0]["synthetic"] = {"median": 1000}


def _sum_of_unknown(raw: dict) -> None:
    total = next(i for i in raw["indicators"] if i["id"] == "wydatki-na-mieszkanca")
    total["synthetic"]["of"].append("wydatki-na-kosmos")


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (_duplicate_id, "duplicate indicator ids: ['ludnosc']"),
        (_unknown_area, "unknown area 'kosmonautyka'"),
        (_no_origin, "exactly one of 'synthetic' and 'real'"),
        (_both_origins, "exactly one of 'synthetic' and 'real'"),
        (_sum_of_unknown, "wydatki-na-kosmos"),
    ],
)
def test_load_catalogue_rejects_a_broken_copy(tmp_path: Path, break_it, message: str) -> None:
    path = _write_broken(tmp_path, break_it)
    with pytest.raises(ValueError, match="does not validate") as excinfo:
        load_catalogue(path)
    assert message in str(excinfo.value)
    assert str(path) in str(excinfo.value)


def test_load_catalogue_rejects_unreadable_yaml(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text("indicators: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read the catalogue"):
        load_catalogue(path)
