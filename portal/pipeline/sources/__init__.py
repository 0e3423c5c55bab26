"""Official raw inputs, one module per source: each reads its files from ``OMUP_RAW_DIR`` and returns measures.

A source module has::

    DATASETS: list[Dataset]          what it reads (publisher, table, files, attribution, licence)
    def read(ctx: BuildContext) -> SourceOutput

and never copies raw files anywhere; the build (``portal/pipeline/real.py``) turns its measures into catalogue
indicators with one rule (``portal/pipeline/measures.ratio_values``). A malformed input raises
``RawInputError`` naming the file, the row and what is wrong, so a failed build says why and leaves the last
good release serving.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, empty_measures
from portal.pipeline.progress import BuildLog

def modules() -> list[str]:
    """Every source module of this package, population first (the denominator of most indicators)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return sorted(names, key=lambda n: n != "population")


@dataclass(frozen=True)
class Dataset:
    """One raw dataset as the release's metadata and /o-danych describe it."""

    id: str
    publisher: str  # e.g. "GUS", "MF", "CKE", "KG PSP"
    name: str  # Polish title, e.g. "Ludność według miejsca zamieszkania (stan 31 XII)"
    name_en: str
    table: str | None  # BDL table or the publisher's own id, e.g. "P1336"
    folder: str  # folder under OMUP_RAW_DIR
    files: tuple[str, ...]
    years: str  # e.g. "2015–2024"
    levels: tuple[str, ...]
    attribution: str  # e.g. "Źródło: GUS, Bank Danych Lokalnych"
    licence: str
    url: str | None = None
    note: str = ""

    def as_dict(self) -> dict:
        out = asdict(self)
        out["files"] = list(self.files)
        out["levels"] = list(self.levels)
        return out


@dataclass(frozen=True)
class BuildContext:
    raw: Path
    units: pd.DataFrame  # the 2025 register
    changes: pd.DataFrame  # the TERYT change table
    log: BuildLog


@dataclass
class SourceOutput:
    measures: pd.DataFrame
    infos: list[MeasureInfo]
    datasets: list[Dataset]
    report: dict = field(default_factory=dict)


def read_all(ctx: BuildContext, only: list[str] | None = None) -> SourceOutput:
    """Every source's measures in one table, their descriptions, datasets and reports (keyed by module)."""
    frames: list[pd.DataFrame] = []
    infos: list[MeasureInfo] = []
    datasets: list[Dataset] = []
    report: dict = {}
    for name in only if only is not None else modules():
        module = importlib.import_module(f"portal.pipeline.sources.{name}")
        out: SourceOutput = module.read(ctx)
        frames.append(out.measures[MEASURE_COLUMNS])
        infos.extend(out.infos)
        datasets.extend(out.datasets)
        if out.report:
            report[name] = out.report
        ctx.log.step(f"source {name}: {len(out.measures):,} values of {len(out.infos)} measures "
                     f"from {', '.join(d.id for d in out.datasets)}")
    ids = [i.id for i in infos]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"measures produced by two sources: {dupes}")
    measures = pd.concat(frames, ignore_index=True) if frames else empty_measures()
    return SourceOutput(measures=measures, infos=infos, datasets=datasets, report=report)
