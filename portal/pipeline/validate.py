"""Schemas and domain rules for the release tables (pandera); a failure names the table, the row and the rule."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from portal.catalogue import LEVELS, Catalogue
from portal.pipeline import FLAGS

EXPECTED_UNITS = {"gmina": 2479, "powiat": 380, "wojewodztwo": 16}


class ValidationError(ValueError):
    """The release would break a rule; the message names the table, the row(s) and the rule."""


def _raise(table: str, exc: pa.errors.SchemaErrors | pa.errors.SchemaError, frame: pd.DataFrame) -> None:
    if isinstance(exc, pa.errors.SchemaErrors):
        cases = exc.failure_cases
    else:
        cases = exc.failure_cases if exc.failure_cases is not None else pd.DataFrame()
    lines = []
    for case in cases.head(5).itertuples():
        idx = getattr(case, "index", None)
        where = f"row {idx}" if idx is not None and not pd.isna(idx) else "table"
        key = ""
        if idx is not None and not pd.isna(idx) and idx in frame.index:
            row = frame.loc[idx]
            key = " (" + ", ".join(f"{c}={row[c]}" for c in ("indicator", "teryt", "year") if c in frame.columns) + ")"
        lines.append(f"{table}: {where}{key}: column '{case.column}' fails rule '{case.check}' "
                     f"(value {case.failure_case!r})")
    more = f" … and {len(cases) - 5} more" if len(cases) > 5 else ""
    raise ValidationError("\n".join(lines) + more) from exc


def units_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "teryt": pa.Column(str, [pa.Check.str_matches(r"^(\d{2}|\d{4}|\d{7})$")], unique=True),
            "level": pa.Column(str, pa.Check.isin(LEVELS)),
            "name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "display_name": pa.Column(str, unique=True),
            "population": pa.Column(float, pa.Check.gt(0), nullable=True),
            "area_km2": pa.Column(float, pa.Check.gt(0), nullable=True),
            "peer_group": pa.Column(str),
        },
        checks=[
            pa.Check(lambda d: (d["teryt"].str.len() == d["level"].map({"gmina": 7, "powiat": 4, "wojewodztwo": 2})),
                     name="code length matches level"),
        ],
        strict=False,
        coerce=False,
    )


def validate_units(units: pd.DataFrame) -> None:
    try:
        units_schema().validate(units, lazy=True)
    except pa.errors.SchemaErrors as exc:
        _raise("units", exc, units)
    counts = units["level"].value_counts().to_dict()
    for level, expected in EXPECTED_UNITS.items():
        if counts.get(level, 0) != expected:
            raise ValidationError(f"units: {counts.get(level, 0)} units at level {level}, expected {expected}")
    parents = set(units["teryt"])
    for col in ("powiat", "wojewodztwo"):
        bad = units[units[col].notna() & ~units[col].isin(parents)]
        if len(bad):
            raise ValidationError(f"units: row {bad.index[0]} (teryt={bad.iloc[0]['teryt']}): {col} "
                                  f"'{bad.iloc[0][col]}' is not a unit of the register")


def validate_values(values: pd.DataFrame, units: pd.DataFrame, catalogue: Catalogue) -> None:
    """Codes exist, keys unique, flags known, shares within 0–100, every declared year covered at every level."""
    ids = [i.id for i in catalogue.indicators]
    # Shares: unit "%" and bounded by 100 (gross enrolment ratios, also in %, may exceed 100 and set wider bounds).
    share_ids = [
        i.id for i in catalogue.indicators
        if i.unit.pl.strip() == "%" and (i.synthetic is None or (i.synthetic.bounds is not None and i.synthetic.bounds[1] <= 100))
    ]
    schema = pa.DataFrameSchema(
        {
            "indicator": pa.Column(str, pa.Check.isin(ids)),
            "teryt": pa.Column(str, pa.Check.isin(set(units["teryt"]))),
            "year": pa.Column(int, pa.Check.in_range(2000, 2030)),
            "value": pa.Column(float, nullable=True),
            "flag": pa.Column(str, pa.Check.isin(FLAGS)),
            "synthetic": pa.Column(bool),
            "source": pa.Column(str, pa.Check.str_length(min_value=1)),
            "numerator": pa.Column(float, nullable=True),
            "denominator": pa.Column(float, nullable=True),
        },
        checks=[
            pa.Check(lambda d: ~d["indicator"].isin(share_ids) | d["value"].isna() | d["value"].between(0, 100),
                     name="shares (unit %) within 0–100"),
            pa.Check(lambda d: d["value"].notna() | (d["flag"] == "no_data"), name="missing value has flag no_data"),
        ],
        unique=["indicator", "teryt", "year"],
        report_duplicates="exclude_first",
        strict=True,
        coerce=False,
    )
    try:
        schema.validate(values, lazy=True)
    except pa.errors.SchemaErrors as exc:
        _raise("values", exc, values)

    level_of = units.set_index("teryt")["level"]
    present = values[values["value"].notna()].assign(level=lambda d: d["teryt"].map(level_of))
    covered = present.groupby(["indicator", "level"])["year"].agg(lambda s: set(s)).to_dict()
    for ind in catalogue.indicators:
        for level in ind.levels:
            years = covered.get((ind.id, level), set())
            missing = [y for y in ind.year_list if y not in years]
            if missing:
                raise ValidationError(f"values: indicator {ind.id} declares years {ind.years[0]}–{ind.years[1]} at "
                                      f"level {level} but has no value for {missing}")
