"""The data release: register, change table, synthetic consistency across levels, stats, validation and safety."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portal.catalogue import load_catalogue
from portal.pipeline import register, stats, synthetic
from portal.pipeline.build import BuildError, build_release
from portal.release import current_release_path, summary
from portal.store import Store


@pytest.fixture(scope="module")
def catalogue(settings):
    return load_catalogue(settings.catalogue_path)


@pytest.fixture(scope="module")
def units(settings, catalogue):
    return register.build_register(settings.raw_path, catalogue)


# ------------------------------------------------------------------ register
def test_register_counts_and_cities(units):
    counts = units["level"].value_counts().to_dict()
    assert counts == {"gmina": 2479, "powiat": 380, "wojewodztwo": 16}
    powiaty = units[units["level"] == "powiat"]
    assert powiaty["mnpp"].sum() == 66
    assert units["display_name"].is_unique


def test_same_named_gminy_are_distinguishable(units):
    bol = units[(units["level"] == "gmina") & (units["name"] == "Bolesławiec")]
    assert len(bol) == 3
    assert bol["display_name"].nunique() == 3
    assert any("miejska" in d for d in bol["display_name"])


def test_register_population_is_p1336_of_2024_and_sums(units):
    g = units[units["level"] == "gmina"]
    # GUS's published total for 31 XII 2024 (P1336, census-revised): the gminy, the new two estimated from
    # their parents, add up to it exactly.
    assert g["population"].sum() == pytest.approx(37_489_087)
    by = units.set_index("teryt")
    assert by.at["12", "population"] == pytest.approx(g.loc[g["wojewodztwo"] == "12", "population"].sum())
    assert by.at["1261011", "population"] == 809_168  # Kraków, P1336 2024
    wadowice = units.set_index("teryt").loc["1218093"]
    assert wadowice["kind"] == "miejsko-wiejska"
    assert 30 < wadowice["area_km2"] < 200
    assert wadowice["density"] == pytest.approx(wadowice["population"] / wadowice["area_km2"])


def test_new_gminy_population_is_the_parents_split_by_the_2025_electorate(units, settings):
    # Issue 13: Grabówka (2002162) was given 30 % of Supraśl's people though its 2025 electorate (8,387) is
    # larger than Supraśl's (5,680). The parent's 31 XII 2024 count (18,542) is split by the electorate.
    by = units.set_index("teryt")
    grab, supr = by.at["2002162", "population"], by.at["2002093", "population"]
    assert grab + supr == pytest.approx(18_542)
    # The rule (portal/pipeline/register.py SPLIT_RULE) takes the first round of 2025: 8,406 and 5,722 voters
    # (the issue quoted the second round's 8,387 and 5,680), read here from PKW's file.
    raw = Path(settings.raw_dir) / "pkw-presidential" / "wyniki_gl_na_kandydatow_po_gminach_utf8.csv"
    voters = {line.split(";")[0]: int(line.split(";")[7]) for line in raw.read_text(encoding="utf-8-sig").splitlines()
              if line.startswith(("200209;", "200216;"))}
    assert voters == {"200209": 5722, "200216": 8406}
    assert grab / (grab + supr) == pytest.approx(voters["200216"] / (voters["200216"] + voters["200209"]), rel=1e-6)
    assert by.at["2002162", "population_estimated"] and by.at["2002093", "population_estimated"]
    assert not by.at["1261011", "population_estimated"]


def test_no_unit_has_values_of_its_own_before_it_existed(store):
    # Szczawa and Grabówka exist since 1 January 2025: no budget, population or other series before that.
    for teryt in ("1207132", "2002162"):
        for ind in store.catalogue.indicators:
            for point in store.series(ind.id, teryt):
                assert point["year"] >= 2025 or point["value"] is None, (teryt, ind.id, point)


def test_new_gminy_have_no_shape_but_a_peer_group(units):
    u = units.set_index("teryt")
    for code in ("1207132", "2002162"):
        assert not u.at[code, "has_shape"]
        assert u.at[code, "peer_group"].startswith("wiejska-")


def test_peer_groups(units, catalogue):
    u = units.set_index("teryt")
    assert u.at["1261011", "peer_group"] == "miasta-na-prawach-powiatu"
    assert u.at["1261", "peer_group"] == "miasta-na-prawach-powiatu"
    assert u.at["1218", "peer_group"] == "powiaty-ziemskie"
    names = register.peer_group_names(catalogue)
    assert set(units["peer_group"]) <= set(names)


def test_fold_ignores_case_and_diacritics():
    assert register.fold("Łódź") == "lodz"
    assert register.fold("ŻORY") == "zory"


# ------------------------------------------------------------------ TERYT change table
def test_change_table_resolves_old_codes(settings, store):
    changes = register.build_change_table(settings.raw_path)
    # Type-digit change 2024→2025 (2 → 3) and the 2019 code of the same gmina resolve to today's code.
    row = changes[changes["old_teryt"] == "0614052"]
    assert row["new_teryt"].tolist() == ["0614053"]
    assert store.resolve("0614052") == ("0614053", True)
    assert store.resolve("061405") == ("0614053", True)
    assert store.resolve("0614053") == ("0614053", False)
    split = changes[changes["change"] == "split"]
    assert set(split["new_teryt"]) == {"1207132", "2002162"}
    assert store.resolve("9999999") == (None, False)
    assert store.resolve("abc") == (None, False)


# ------------------------------------------------------------------ synthetic generator
@pytest.fixture(scope="module")
def official(settings):
    """The official edition's values: what the build gives the synthetic generator."""
    return pd.read_parquet(current_release_path(settings) / "values.parquet")


def test_synthetic_ratios_are_consistent_across_levels(catalogue, units, official):
    years = list(range(2015, 2025))
    ids = {"wydatki-600-na-mieszkanca", "dlug-do-dochodow"}
    values = synthetic.generate(catalogue, units, years, seed=7, official=official)
    g = units[units["level"] == "gmina"].reset_index(drop=True)
    year = 2022
    for ind in ids:
        v = values[(values["indicator"] == ind) & (values["year"] == year)].set_index("teryt")
        gv = v["value"].reindex(g["teryt"]).to_numpy()
        # Each value's own denominator: population for spending, total revenue for the debt ratio.
        d = v["denominator"].reindex(g["teryt"]).to_numpy()
        ok = np.isfinite(gv)
        for powiat in ("1218", "0201", "3064"):
            m = (g["powiat"].to_numpy() == powiat) & ok
            expected = np.sum(gv[m] * d[m]) / np.sum(d[m])
            assert v.at[powiat, "value"] == pytest.approx(expected, rel=1e-9)
        m = (g["wojewodztwo"].to_numpy() == "12") & ok
        assert v.at["12", "value"] == pytest.approx(np.sum(gv[m] * d[m]) / np.sum(d[m]), rel=1e-9)
    # Debt ÷ revenue is weighted by revenue, not by population.
    revenue = values[(values["indicator"] == "dochody-na-mieszkanca") & (values["year"] == year)].set_index("teryt")
    debt = values[(values["indicator"] == "dlug-do-dochodow") & (values["year"] == year)].set_index("teryt")
    both = debt["value"].notna() & revenue["numerator"].reindex(debt.index).notna()
    gm = both & (debt.index.str.len() == 7)
    np.testing.assert_allclose(debt.loc[gm, "denominator"], revenue["numerator"].reindex(debt.index)[gm], rtol=1e-9)


def test_synthetic_is_reproducible_labelled_and_not_uniform(catalogue, units, official):
    years = list(range(2015, 2025))
    small = catalogue.restricted_to({"kanalizacja-odsetek"})
    a = synthetic.generate(small, units, years, seed=3, official=official)
    b = synthetic.generate(small, units, years, seed=3, official=official)
    pd.testing.assert_frame_equal(a, b)
    assert a["synthetic"].all()
    assert (a["source"] == synthetic.SOURCE).all()
    ind = catalogue.by_id["kanalizacja-odsetek"]
    x = a[(a["indicator"] == ind.id) & (a["year"] == 2024)].set_index("teryt")["value"]
    g = units[units["level"] == "gmina"].set_index("teryt")
    xg = x.reindex(g.index)
    # Urban gminy are far better connected than rural ones: the distribution differs by type.
    assert xg[g["kind"] == "miejska"].median() > xg[g["kind"] == "wiejska"].median() + 10
    # Trends are smooth: year-to-year change of a unit is small next to the spread between units.
    x23 = a[(a["indicator"] == ind.id) & (a["year"] == 2023)].set_index("teryt")["value"].reindex(g.index)
    assert (xg - x23).abs().median() < 0.25 * xg.std()
    # Some values are missing, as in real statistics; all within bounds.
    assert x.isna().any()
    assert x.dropna().between(0, 100).all()


def test_sum_indicators_add_their_parts(catalogue, units, official):
    years = list(range(2015, 2025))
    values = synthetic.generate(catalogue, units, years, seed=5, official=official)
    total = next(i for i in catalogue.indicators if i.synthetic and i.synthetic.kind == "sum")
    v = values[values["year"] == 2022].pivot(index="teryt", columns="indicator", values="value")
    parts = v[total.synthetic.of].sum(axis=1, min_count=len(total.synthetic.of))
    both = v[total.id].notna() & parts.notna()
    assert both.sum() > 2000
    np.testing.assert_allclose(v.loc[both, total.id], parts[both], rtol=1e-9)


# ------------------------------------------------------------------ stats
def test_stats_ranks_follow_direction(store):
    ind = next(i for i in store.catalogue.indicators
               if i.direction == "lower_better" and store.latest_year(i.id, "gmina") is not None)
    year = store.latest_year(ind.id, "gmina")
    sl = store.slice(ind.id, year, "gmina")
    ok = np.isfinite(sl.value)
    best = sl.codes[ok][np.argmin(sl.value[ok])]
    assert store.point(ind.id, best, year)["rank_pl"] == 1
    worst = sl.codes[ok][np.argmax(sl.value[ok])]
    assert store.point(ind.id, worst, year)["pct_pl"] == pytest.approx(100.0)


def test_group_stats_match_a_recomputation(store):
    ind = "dochody-wlasne-na-mieszkanca"  # official
    sl = store.slice(ind, 2024, "gmina")
    peer = store.units.at["1218093", "peer_group"]
    members = set(store.peers("1218093"))
    vals = np.array([v for c, v in zip(sl.codes, sl.value, strict=True) if c in members and np.isfinite(v)])
    grp = store.group(ind, 2024, "gmina", "peer", peer)
    assert grp["n"] == len(vals)
    assert grp["median"] == pytest.approx(np.median(vals))
    assert grp["q1"] == pytest.approx(np.quantile(vals, 0.25))


def test_unit_stats_handles_ties_and_missing():
    from portal.catalogue import Catalogue

    values = pd.DataFrame({"indicator": "x", "teryt": ["0201011", "0201022", "0201032", "0201043"], "year": 2020,
                           "value": [1.0, 1.0, np.nan, 3.0]})
    units = pd.DataFrame({"teryt": values["teryt"], "level": "gmina", "peer_group": "g"})
    cat = Catalogue.model_construct(indicators=[type("I", (), {"id": "x", "direction": "higher_better"})()])
    out = stats.unit_stats(values, units, cat).set_index("teryt")
    assert out.at["0201043", "rank_pl"] == 1
    assert out.at["0201011", "rank_pl"] == 2 and out.at["0201022", "rank_pl"] == 2
    assert pd.isna(out.at["0201032", "pct_pl"])


# ------------------------------------------------------------------ release metadata and summary
def test_summary_of_the_current_release(settings):
    s = summary(settings)
    assert s["units"] == {"gmina": 2479, "powiat": 380, "wojewodztwo": 16}
    real = {r["id"]: r for r in s["real_indicators"]}
    # Issue 12: at least 30 official indicators, at least 3 in each of these areas, series from 2010.
    assert s["real_indicator_count"] == len(real) >= 30
    for area in ("edukacja", "polityka-spoleczna", "podatki-i-oplaty", "finanse-jst"):
        assert s["real_indicators_per_area"].get(area, 0) >= 3, area
    assert real["ludnosc"]["levels"]["gmina"] == [2010, 2024]
    assert real["dochody-wlasne-na-mieszkanca"]["levels"]["gmina"][0] == 2010
    assert s["years"]["official_from"] == 2010
    assert "egzamin-8-matematyka" in real and "frekwencja-sejm" in real
    assert all(r["datasets"] or r["id"].startswith("frekwencja") for r in real.values())
    assert "kanalizacja-odsetek" in s["demo_indicators"] and "kanalizacja-odsetek" not in real
    assert {m["teryt"] for m in s["missing_shapes"]} == {"1207132", "2002162"}


# ------------------------------------------------------------------ failed builds leave the release serving
def _raw_copy(settings, tmp_path: Path) -> Path:
    """A raw folder of symlinks to the real inputs, so that one file can be replaced by a broken copy."""
    raw = tmp_path / "raw"
    for folder in settings.raw_path.iterdir():
        if folder.is_dir():
            (raw / folder.name).mkdir(parents=True)
            for f in folder.iterdir():
                os.symlink(f, raw / folder.name / f.name)
    return raw


def _release_with_current(settings, tmp_path: Path):
    """A release folder whose `current` points at a copy of the real current release."""
    release = tmp_path / "release"
    good = current_release_path(settings)
    (release / "releases").mkdir(parents=True)
    shutil.copytree(good, release / "releases" / good.name)
    os.symlink(Path("releases") / good.name, release / "current")
    return release, good.name


def _replace(raw: Path, rel: str, content: bytes) -> None:
    path = raw / rel
    path.unlink()
    path.write_bytes(content)


@pytest.mark.parametrize(
    ("rel", "mutate", "message"),
    [
        ("bdl-exports-2020/LUDN_2137_CTAB_20210625164329.csv", lambda b: b[: len(b) // 3], "LUDN_2137_CTAB"),
        ("teryt-rgugik/commune_names_2025.csv",
         lambda b: b + b.splitlines(keepends=True)[1], "duplicate TERYT 0201011"),
        ("boundaries-jusuff-2019/poland.municipalities.json", lambda b: b[: len(b) // 2], "poland.municipalities.json"),
        ("teryt-rgugik/commune_names_2025.csv", lambda b: b.replace(b"0201011", b"02O1011", 1), "not 7 digits"),
    ],
    ids=["truncated-population-csv", "duplicate-teryt", "truncated-geojson", "malformed-code"],
)
def test_failed_build_names_the_problem_and_keeps_the_release(settings, tmp_path, rel, mutate, message):
    raw = _raw_copy(settings, tmp_path)
    _replace(raw, rel, mutate((settings.raw_path / rel).read_bytes()))
    release, version = _release_with_current(settings, tmp_path)
    broken = replace(settings, raw_dir=str(raw), release_dir=str(release), fetch_dir=str(tmp_path / "none"))
    with pytest.raises(BuildError) as info:
        build_release(broken)
    assert message in str(info.value)
    # The last good release is untouched and still loads; no half-written folder is left behind.
    assert current_release_path(broken).name == version
    assert Store(current_release_path(broken)).version == version
    assert not list(release.glob("tmp-build-*"))


def test_cli_build_failure_exits_non_zero(tmp_path, capsys, monkeypatch):
    from portal.cli import main

    monkeypatch.setenv("OMUP_RAW_DIR", str(tmp_path / "missing"))
    monkeypatch.setenv("OMUP_RELEASE_DIR", str(tmp_path / "release"))
    assert main(["data", "build"]) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "missing" in err
