"""The full-release downloads, written once per edition by the build: ``downloads/wydanie.csv.gz`` and
``downloads/wydanie.parquet`` (every value of the edition), with ``downloads/index.json`` (bytes, SHA-256, rows).

They are files, so the portal serves them as static files (Content-Length, ETag, Range; or the front server
through X-Accel-Redirect) and never builds 150 MB in a worker per request. Both carry the header block of
every OMUP download: table, source, data version, build date and the synthetic notice; the CSV as its first
five lines (then a blank line: ``pd.read_csv(url, sep=";", decimal=",", skiprows=6)``), the Parquet file as
key-value metadata of its schema. The official edition holds official values only; the demo edition's files
add the synthetic values, each row marked in ``syntetyczne`` and the header block saying so.

The CSV is the format of the portal's other downloads (UTF-8 with BOM, ``;``, decimal comma, formula-safe text
cells); the gzip stream has no timestamp, so the same tables give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from portal.catalogue import Catalogue

DOWNLOADS_DIR = "downloads"
CSV_FILE = "wydanie.csv.gz"
PARQUET_FILE = "wydanie.parquet"
INDEX_FILE = "index.json"
COLUMNS = ["wskaznik_id", "poziom", "teryt", "jednostka", "rok", "wartosc", "flaga", "syntetyczne", "zrodlo"]
TITLE = "Całe wydanie danych OMUP (wszystkie wartości)"
SYNTHETIC_SOURCE = "OMUP – dane syntetyczne"
# Text cells a spreadsheet would read as a formula get a leading apostrophe (CSV and XLSX downloads alike).
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
FLAG_PL = {"ok": "", "estimated": "szacunek", "partial": "niepełne", "zero": "zero", "no_data": "brak danych"}
_CHUNK_ROWS = 200_000


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(DANGEROUS) else text


def csv_number(value: float) -> str:
    """A number as Polish Excel reads it: integers plain, otherwise up to six decimals with a decimal comma."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def synthetic_note(synthetic: bool) -> str:
    return ("wartości syntetyczne (kolumna „syntetyczne” = tak) nie są danymi urzędowymi – wygenerowano je, "
            "bo dane źródłowe nie są tu dostępne" if synthetic else "tabela nie zawiera wartości syntetycznych")


def header_block(title: str, sources: list[str], version: str, date_label: str, date: str,
                 synthetic: bool) -> list[tuple[str, str]]:
    """The five information lines every download starts with (the same keys for the files built here)."""
    return [("Tabela", title),
            ("Źródło", "; ".join(dict.fromkeys(sources)) + " · opracowanie: OMUP – Otwarty Monitor Usług "
             "Publicznych"),
            ("Wersja danych", version),
            (date_label, date),
            ("Uwaga", synthetic_note(synthetic))]


def release_frame(values: pd.DataFrame, units: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Every value of the edition as the download shows it: per indicator (catalogue order) and level (its
    order in the catalogue), every year with values, every unit of the level (sorted by TERYT), a unit without
    a value flagged ``brak danych`` – the rows the portal's value cubes hold. Integer keys throughout: a few
    seconds for the demo edition's 2.3 million rows."""
    units = units.sort_values("teryt").reset_index(drop=True)
    unit_pos = pd.Index(units["teryt"].astype(str))
    level_units = {lvl: np.flatnonzero(units["level"].to_numpy(str) == lvl) for lvl in units["level"].unique()}
    ind_pos = pd.Index([ind.id for ind in catalogue.indicators])
    k = ind_pos.get_indexer(values["indicator"].astype(str))
    i = unit_pos.get_indexer(values["teryt"].astype(str))
    year = values["year"].to_numpy(np.int64)
    keep = (k >= 0) & (i >= 0)
    rows = np.flatnonzero(keep)
    k, i, year = k[keep], i[keep], year[keep]
    y0, n_units = (int(year.min()) if len(year) else 0), len(units)
    span = (int(year.max()) - y0 + 1) if len(year) else 1
    keys = (k.astype(np.int64) * n_units + i) * span + (year - y0)
    unit_level = units["level"].to_numpy(str)
    present: dict[tuple[int, str], np.ndarray] = {}
    triples = pd.DataFrame({"k": k, "level": unit_level[i], "year": year})
    for (kk, lvl), years in triples.groupby(["k", "level"])["year"]:
        present[(int(kk), str(lvl))] = np.unique(years.to_numpy())
    blocks_k, blocks_i, blocks_y, decimals = [], [], [], []
    for kk, ind in enumerate(catalogue.indicators):
        for level in ind.levels:
            years = present.get((kk, level))
            members = level_units.get(level)
            if years is None or members is None:
                continue
            n = len(members) * len(years)
            blocks_k.append(np.full(n, kk, dtype=np.int64))
            blocks_i.append(np.tile(members, len(years)))
            blocks_y.append(np.repeat(years, len(members)))
            decimals.append(np.full(n, ind.decimals + 2, dtype=np.int8))
    if not blocks_k:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    gk, gi, gy = np.concatenate(blocks_k), np.concatenate(blocks_i), np.concatenate(blocks_y)
    at = pd.Index(keys).get_indexer((gk * n_units + gi) * span + (gy - y0))  # -1: no value for this unit-year
    found = at >= 0
    src = rows[at[found]]

    def pick(column: str, fill: object, dtype: object) -> np.ndarray:
        out = np.full(len(gk), fill, dtype=dtype)
        out[found] = values[column].to_numpy()[src]
        return out

    value = pick("value", np.nan, float)
    dec = np.concatenate(decimals)
    for d in np.unique(dec):
        mask = dec == d
        value[mask] = np.round(value[mask], int(d))
    value += 0.0  # no negative zero (a "-0" cell)
    flag_codes, flag_names = _codes(values["flag"], rows, at, "no_data")
    source_codes, source_names = _codes(values["source"], rows, at, "")
    name_codes, names = pd.factorize(units["name"].astype(str))
    level_codes, levels = pd.factorize(units["level"].astype(str))
    # Categorical columns: each distinct text is held (and formatted, and stored in Parquet) once.
    return pd.DataFrame({
        "wskaznik_id": pd.Categorical.from_codes(gk, categories=list(ind_pos)),
        "poziom": pd.Categorical.from_codes(level_codes[gi], categories=list(levels)),
        "teryt": pd.Categorical.from_codes(gi, categories=list(unit_pos)),
        "jednostka": pd.Categorical.from_codes(name_codes[gi], categories=list(names)),
        "rok": gy.astype(np.int16),
        "wartosc": value,
        "flaga": pd.Categorical.from_codes(flag_codes, categories=[FLAG_PL.get(f, f) for f in flag_names]),
        "syntetyczne": pick("synthetic", False, bool),
        "zrodlo": pd.Categorical.from_codes(source_codes, categories=list(source_names)),
    })


def _codes(column: pd.Series, rows: np.ndarray, at: np.ndarray, missing: str) -> tuple[np.ndarray, list[str]]:
    """Category codes of a text column for the output rows (``at``: the value row or -1) and the categories;
    rows without a value (and missing texts) get ``missing``."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    names = [str(u) for u in uniques]
    fill = names.index(missing) if missing in names else len(names)
    if fill == len(names):
        names.append(missing)
    codes = np.where(codes < 0, fill, codes)
    out = np.full(len(at), fill, dtype=np.int64)
    found = at >= 0
    out[found] = codes[rows[at[found]]]
    return out, names


def _sources(catalogue: Catalogue, synthetic_ids: set[str]) -> list[str]:
    return [SYNTHETIC_SOURCE if ind.id in synthetic_ids else ind.source.origin for ind in catalogue.indicators]


def _text_cell(text: str) -> str:
    """One text cell as Python's csv writer writes it (`;` separator): formula-safe, quoted only when needed."""
    text = neutralise(text)
    if any(ch in text for ch in ';"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _text_column(series: pd.Series) -> pa.Array:
    """A categorical text column formatted once per distinct value (ids, names, flags repeat on many rows)."""
    dictionary = pa.array([_text_cell(str(u)) for u in series.cat.categories], type=pa.string())
    return pc.take(dictionary, pa.array(series.cat.codes.to_numpy(), type=pa.int32()))


def _number_column(values: np.ndarray) -> pa.Array:
    """Numbers as `csv_number` writes them (decimal comma, no exponent), empty where missing."""
    text = pc.cast(pa.array(values, type=pa.float64()), pa.string()).to_numpy(zero_copy_only=False).astype(object)
    finite = np.isfinite(values)
    text[~finite] = ""
    odd = np.flatnonzero(finite & (np.char.find(text.astype(str), "e") >= 0))
    for i in odd:  # an exponent (below 1e-4 or from 1e16): the Python formatter
        text[i] = csv_number(float(values[i]))
    return pc.replace_substring(pa.array(text, type=pa.string()), ".", ",")


def csv_rows(df: pd.DataFrame) -> bytes:
    """The table rows as CSV bytes (`;`, CRLF, decimal comma, formula-safe text, minimal quoting): the same
    cells as the portal's own writer gives them (portal/api/downloads.py `csv_cell`), built column-wise."""
    if not len(df):
        return b""
    cols = [
        _text_column(df["wskaznik_id"]), _text_column(df["poziom"]), _text_column(df["teryt"]),
        _text_column(df["jednostka"]), pc.cast(pa.array(df["rok"].to_numpy()), pa.string()),
        _number_column(df["wartosc"].to_numpy(float)), _text_column(df["flaga"]),
        pa.array(np.where(df["syntetyczne"].to_numpy(bool), "tak", "nie"), type=pa.string()),
        _text_column(df["zrodlo"]),
    ]
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, ";"), pa.scalar(""), "\r\n")
    lines = pa.concat_arrays([lines]) if lines.offset else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[: len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def csv_head(info: list[tuple[str, str]]) -> str:
    """BOM, the header block, a blank line and the column names (what the rows follow)."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    buf.write("\ufeff")
    for key, value in info:
        writer.writerow([neutralise(f"{key}: {value}")])
    writer.writerow([])
    writer.writerow(COLUMNS)
    return buf.getvalue()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_release_downloads(folder: Path, values: pd.DataFrame, units: pd.DataFrame, catalogue: Catalogue,
                            meta: dict) -> dict:
    """Write the edition's full-release CSV.gz and Parquet into ``folder/downloads`` and return its index.

    ``values`` are the edition's values (the demo edition's include synthetic ones); ``meta`` its metadata
    (version, build time, edition, synthetic indicators). Raises ValueError when the official edition would
    carry a synthetic value."""
    edition = meta.get("edition", "official")
    synthetic_rows = bool(values["synthetic"].any()) if len(values) else False
    if edition != "demo" and synthetic_rows:
        raise ValueError("downloads: synthetic values in the official edition")
    synthetic_ids = set(meta.get("synthetic_indicators", []))
    df = release_frame(values, units, catalogue)
    built = str(meta.get("built_at", ""))[:10]
    info = header_block(TITLE + (" – tryb demonstracyjny" if edition == "demo" else ""),
                        _sources(catalogue, synthetic_ids), meta["version"], "Zbudowano", built, synthetic_rows)
    target = folder / DOWNLOADS_DIR
    target.mkdir(parents=True, exist_ok=True)

    csv_path = target / CSV_FILE
    tmp = csv_path.with_suffix(".tmp")
    with tmp.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz:
        gz.write(csv_head(info).encode("utf-8"))
        for start in range(0, len(df), _CHUNK_ROWS):
            gz.write(csv_rows(df.iloc[start:start + _CHUNK_ROWS]))
    tmp.replace(csv_path)

    parquet_path = target / PARQUET_FILE
    table = pa.Table.from_pandas(df, preserve_index=False)
    schema_meta = {f"omup:{k}": v for k, v in (("tabela", info[0][1]), ("zrodlo", info[1][1]),
                                               ("wersja_danych", info[2][1]), ("zbudowano", info[3][1]),
                                               ("uwaga", info[4][1]), ("wydanie", edition))}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **schema_meta})
    pq.write_table(table, parquet_path.with_suffix(".tmp"), compression="zstd")
    parquet_path.with_suffix(".tmp").replace(parquet_path)

    index = {"version": meta["version"], "edition": edition, "rows": len(df), "synthetic": synthetic_rows,
             "files": {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in (csv_path, parquet_path)}}
    (target / INDEX_FILE).write_bytes(orjson.dumps(index, option=orjson.OPT_INDENT_2))
    return index


def read_index(folder: Path) -> dict | None:
    """The downloads index of an edition folder (None for a release built before the files existed)."""
    path = folder / DOWNLOADS_DIR / INDEX_FILE
    if not path.exists():
        return None
    return orjson.loads(path.read_bytes())
