"""The GUS BDL powiat series (portal/pipeline/sources/powiat_panels.py), recomputed from the raw XLSX tables
with openpyxl and the raw population CSVs, not with the pipeline's readers."""

from __future__ import annotations

import csv
import random
from functools import lru_cache

import openpyxl
import pytest

from tests.unit.sources._social_raw import RAW, built, catalogue, context, sources
from tests.unit.sources._social_raw import p1336 as p1336_by_year

AGE_GROUPS = RAW / "bdl-population-age-2010-2019" / "ludnosc.csv"
AGE_GROUP_NAMES = ("w wieku przedprodukcyjnym", "w wieku produkcyjnym", "w wieku poprodukcyjnym")
FOLDER = RAW / "bdl-powiat-panels"
SOURCES = ("population", "powiat_panels")
YEARS = range(2010, 2023)
# Powiaty whose code covered another territory before the year given (Wałbrzych 2013, Zielona Góra 2015).
CHANGED = {"0221": 2013, "0265": 2013, "0809": 2015, "0862": 2015}


@lru_cache(maxsize=16)
def table(file: str) -> dict[tuple[str, int], tuple[str, float | None]]:
    """{(4-digit powiat code, year): (name, value)} of one raw table, codes decoded here on their own."""
    book = openpyxl.load_workbook(FOLDER / file, read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    assert rows[0][:3] == ("Code", "County", "Year"), rows[0]
    out = {}
    for code, name, year, value in rows[1:]:
        digits = str(code)
        # 7-digit TERYT (201000 = 0201000) or 12-digit BDL unit id (11212001000 = 01 12 1 20 01 00 0)
        powiat = digits.zfill(7)[:4] if len(digits) <= 7 else digits.zfill(12)[2:4] + digits.zfill(12)[7:9]
        number = None if value in (None, "-") else float(str(value).replace(",", "."))
        out[(powiat, int(year))] = (name, number)
    return out


def value(file: str, powiat: str, year: int) -> float | None:
    return table(file).get((powiat, year), (None, None))[1]


@lru_cache(maxsize=1)
def age_groups() -> dict[tuple[str, str, int], float]:
    """{(7-digit gmina code of that year, group, year): people} from the raw economic-age-group CSV."""
    out = {}
    with AGE_GROUPS.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter=";")
        header = next(rows)
        for row in rows:
            code = row[0].strip().zfill(7)
            if code[6] not in "123":
                continue
            for h, cell in zip(header[2:], row[2:], strict=True):
                if h.count(";") < 3:
                    continue  # the export's trailing empty column
                group, sex, year = h.split(";")[:3]
                if sex == "ogółem" and cell.strip() not in ("", "-"):
                    out[(code, group, int(year))] = float(cell)
    return out


def powiat_population(powiat: str, year: int) -> float:
    """31 Dec population: P1336's own row from 2015, the sum of the gminy's three age groups before."""
    if year >= 2015:
        return p1336()[(powiat + "000", year)]
    return p1336_or_sum(powiat, year)


def working_age(unit: str, year: int) -> float:
    return group_sums()[(unit, "w wieku produkcyjnym", year)]


@lru_cache(maxsize=1)
def group_sums() -> dict[tuple[str, str, int], float]:
    """Age groups summed over the gminy of each powiat (4-digit prefix) and województwo (2-digit), with
    "total" the sum of the three economic groups (the export also holds sub-groups of working age)."""
    out: dict[tuple[str, str, int], float] = {}
    for (code, group, year), v in age_groups().items():
        for unit in (code[:4], code[:2]):
            out[(unit, group, year)] = out.get((unit, group, year), 0.0) + v
            if group in AGE_GROUP_NAMES:
                out[(unit, "total", year)] = out.get((unit, "total", year), 0.0) + v
    return out


@lru_cache(maxsize=1)
def p1336() -> dict[tuple[str, int], float]:
    """P1336 population on 31 Dec by (7-digit code, year), 2015–2024."""
    return {(code, year): v for year in range(2015, 2025) for code, v in p1336_by_year(year).items()}


def built_indicator(indicator_id: str):
    """The indicator as the build writes it (``real_values``: levels, years and flags of the catalogue)."""
    return built((indicator_id,), SOURCES).loc[indicator_id]


def powiaty() -> list[str]:
    units = context().units
    return sorted(units.loc[units["level"] == "powiat", "teryt"])


# ---------------------------------------------------------------- what the tables are


def test_two_tables_are_mislabelled_copies_and_are_not_read() -> None:
    assert table("Number of marriages.xlsx") == table("Number of outpatient entities.xlsx")
    assert table("Number of housing units.xlsx") == table("Entities register per 10 000.xlsx")
    from portal.pipeline.sources import powiat_panels

    used = {f for d in powiat_panels.DATASETS for f in d.files}
    assert not used & {"Number of marriages.xlsx", "Number of housing units.xlsx"}


def test_tables_are_identified_by_gus_national_totals() -> None:
    def total(file: str, year: int) -> float:
        return sum(v for (_, y), (_, v) in table(file).items() if y == year and v is not None)

    # Residential social-care homes (DPS): GUS counts 874 in 2019 (47.6% of 1,837 stationary facilities);
    # social-assistance centres (one per gmina) would be about 2,477.
    assert total("Number of social assistance centers.xlsx", 2019) == 875
    assert total("Number of unemployed.xlsx", 2022) == 812_301  # registered unemployed, end of 2022
    assert total("Number of outpatient entities.xlsx", 2022) == 22_601
    # Completions, not the stock: rate × population adds up to GUS's dwellings completed (238,354 in 2022,
    # 135,835 in 2010); the stock would be about 15 million.
    for year, completed in ((2022, 238_354), (2010, 135_835)):
        people = table("Number of people.xlsx")
        built_dwellings = sum(v * people[(p, y)][1] / 1000 for (p, y), (_, v) in
                              table("Number of apartments per 1,000.xlsx").items()
                              if y == year and v is not None and people.get((p, y), (None, None))[1])
        assert built_dwellings == pytest.approx(completed, rel=0.002), year


def test_the_tables_population_is_p1336_so_p1336_is_the_denominator() -> None:
    people = table("Number of people.xlsx")
    for year in range(2015, 2023):
        for p in powiaty():
            assert people[(p, year)][1] == p1336()[(p + "000", year)], (p, year)


def test_codes_are_decoded_and_checked_against_names() -> None:
    salary = table("Average salary amount.xlsx")
    assert salary[("1201", 2010)][0] == "Powiat bocheński"  # 11212001000
    assert salary[("1438", 2010)][0] == "Powiat żyrardowski"  # 71427338000
    assert salary[("0265", 2013)][0] == "Powiat m. Wałbrzych od 2013"
    from portal.pipeline.register import RawInputError
    from portal.pipeline.sources.powiat_panels import powiat_code

    assert powiat_code(FOLDER, "11212001000") == "1201"
    assert powiat_code(FOLDER, "201000") == "0201"
    with pytest.raises(RawInputError):
        powiat_code(FOLDER, "201011")  # a gmina code
    report = sources(*SOURCES).report["powiat_panels"]
    assert report["unemployed_registered"]["codes_not_in_register"] == ["0263 Powiat m. Wałbrzych do 2002"]
    assert report["salary_gross_published"]["zeros_treated_as_missing"] == ["2467 2022"]


# ---------------------------------------------------------------- values recomputed


@pytest.mark.parametrize(("indicator", "file"), [
    ("lozka-szpitalne-na-10-tys", "Number of hospital beds.xlsx"),
    ("przychodnie-na-10-tys", "Number of outpatient entities.xlsx"),
])
def test_counts_per_10000_residents_recomputed_for_sampled_powiaty(indicator: str, file: str) -> None:
    got = built_indicator(indicator)
    sample = sorted({*random.Random(indicator).sample(powiaty(), 40), "1465", "1261", "0221", "0809"})
    checked = 0
    for p in sample:
        for year in YEARS:
            count = value(file, p, year)
            if count is None or year < CHANGED.get(p, 0):
                assert (p, year) not in got.index or got.loc[(p, year), "flag"] == "no_data", (p, year)
                continue
            expected = 10_000 * count / powiat_population(p, year)
            assert got.loc[(p, year), "value"] == pytest.approx(expected, rel=1e-12), (p, year)
            checked += 1
    assert checked > 500


@pytest.mark.parametrize(("indicator", "file"), [
    ("zlobki-odsetek-dzieci-powiaty", "Percentage of children cared for in nurseries.xlsx"),
    ("mieszkania-oddane-na-1000-powiaty", "Number of apartments per 1,000.xlsx"),
    ("wynagrodzenie-przecietne-powiaty", "Average salary amount.xlsx"),
    ("domy-pomocy-spolecznej", "Number of social assistance centers.xlsx"),
])
def test_published_values_are_the_raw_ones(indicator: str, file: str) -> None:
    got = built_indicator(indicator)
    for p in sorted({*random.Random(indicator).sample(powiaty(), 40), "3064", "2467"}):
        for year in YEARS:
            raw = value(file, p, year)
            if raw == 0 and indicator == "wynagrodzenie-przecietne-powiaty":
                raw = None  # Jastrzębie-Zdrój 2022: a salary of 0 zł is a missing value
            if raw is None or year < CHANGED.get(p, 0):
                assert (p, year) not in got.index or got.loc[(p, year), "flag"] == "no_data", (p, year)
            else:
                assert got.loc[(p, year), "value"] == raw, (p, year)
    if indicator == "zlobki-odsetek-dzieci-powiaty":
        assert got.loc[("3064", 2019), "value"] == 23.0  # Poznań, as the city quotes GUS


def test_unemployed_as_share_of_working_age_recomputed() -> None:
    got = built_indicator("bezrobotni-udzial-w-wieku-produkcyjnym")
    for p in sorted({*random.Random(2392).sample(powiaty(), 30), "1465", "0809"}):
        for year in range(2010, 2020):
            if year < CHANGED.get(p, 0):
                assert (p, year) not in got.index
                continue
            expected = 100 * value("Number of unemployed.xlsx", p, year) / working_age(p, year)
            assert got.loc[(p, year), "value"] == pytest.approx(expected, rel=1e-12), (p, year)
    # Województwa: Σ unemployed over every powiat of the year's division / Σ working-age population.
    for year in (2010, 2012, 2019):
        count = sum(v for (p, y), (_, v) in table("Number of unemployed.xlsx").items()
                    if p[:2] == "02" and y == year and v is not None)
        expected = 100 * count / working_age("02", year)
        assert got.loc[("02", year), "value"] == pytest.approx(expected, rel=1e-12)


def test_wojewodztwa_only_where_every_powiat_has_a_count() -> None:
    beds = built_indicator("lozka-szpitalne-na-10-tys")
    woj = sorted({t for t, _ in beds.index if len(t) == 2})
    assert woj == ["06", "08", "12", "16", "26", "28"]
    for w in woj:
        for year in (2010, 2018, 2022):
            count = sum(v for (p, y), (_, v) in table("Number of hospital beds.xlsx").items()
                        if p[:2] == w and y == year)
            expected = 10_000 * count / p1336_or_sum(w, year)
            assert beds.loc[(w, year), "value"] == pytest.approx(expected, rel=1e-12)
    dps = built_indicator("domy-pomocy-spolecznej")
    assert sorted({t for t, _ in dps.index if len(t) == 2}) == ["12", "16", "26"]
    homes = table("Number of social assistance centers.xlsx")
    in_12 = [v for (p, y), (_, v) in homes.items() if p[:2] == "12" and y == 2022]
    assert dps.loc[("12", 2022), "value"] == sum(in_12)
    # Published rates have no województwo values.
    for ind in ("zlobki-odsetek-dzieci-powiaty", "mieszkania-oddane-na-1000-powiaty",
                "wynagrodzenie-przecietne-powiaty"):
        assert catalogue().by_id[ind].levels == ["powiat"]
        m = sources(*SOURCES).measures
        measure = catalogue().by_id[ind].real.numerator
        assert set(m.loc[m["measure"] == measure, "teryt"].str.len()) == {4}


def p1336_or_sum(unit: str, year: int) -> float:
    if year >= 2015:
        return p1336()[(unit + "0" * (7 - len(unit)), year)]
    return group_sums()[(unit, "total", year)]


def test_changed_territories_are_left_out_before_the_change_but_counted_in_the_wojewodztwo() -> None:
    beds = built_indicator("przychodnie-na-10-tys")
    for p, first in CHANGED.items():
        years = sorted(y for t, y in beds.index if t == p)
        assert years[0] == first, p
    # The 2012 dolnośląskie sum holds powiat wałbrzyski with the city of Wałbrzych (0265 did not exist).
    raw_2012 = [v for (p, y), (_, v) in table("Number of outpatient entities.xlsx").items()
                if p[:2] == "02" and y == 2012 and v is not None]
    assert len(raw_2012) == 29
    assert beds.loc[("02", 2012), "value"] == pytest.approx(10_000 * sum(raw_2012) / p1336_or_sum("02", 2012))
