"""The data build: raw official inputs → one validated, versioned release.

One module per source or step:
  register.py   unit register for 2025 (TERYT), areas, population, peer groups, TERYT change table
  geometry.py   simplified, topology-kept, content-hashed GeoJSON for the three levels
  real.py       real values: population, density, turnout (elections.py), exam results (exams.py)
  synthetic.py  the documented synthetic generator for indicators without reachable real values
  stats.py      ranks, percentiles, peer medians and quartiles per (indicator, year, level)
  validate.py   pandera schemas and domain rules
  build.py      orchestration, metadata and the atomic swap of the release folder
  bdl.py, smup.py  clients for the official APIs (`omup data fetch`)

Shared table shapes (column: dtype):

units      teryt:str (2/4/7 digits), level:str (gmina|powiat|wojewodztwo), name:str, display_name:str,
           kind:str (miejska|wiejska|miejsko-wiejska|mnpp|powiat|wojewodztwo), powiat:str|None,
           wojewodztwo:str|None, mnpp:bool (city with powiat rights), area_km2:float, population:float,
           density:float, peer_group:str, has_shape:bool, search_key:str
values     indicator:str, teryt:str, year:int, value:float (NaN when missing), flag:str, synthetic:bool,
           source:str, numerator:float, denominator:float (NaN where unknown)
           flags: "ok" | "no_data" | "zero" (true zero) | "estimated" (aggregated with approximate weights)
                  | "partial" (aggregate over incomplete coverage)
"""

VALUE_COLUMNS = ["indicator", "teryt", "year", "value", "flag", "synthetic", "source"]
# The release's values table adds, where the value is a ratio, the numerator and denominator it was computed
# from (value = multiplier × numerator / denominator; for a total the numerator alone): funnel limits, small
# bases and "why did it move" read them; NaN where a builder does not know them.
PART_COLUMNS = ["numerator", "denominator"]
RELEASE_VALUE_COLUMNS = VALUE_COLUMNS + PART_COLUMNS
FLAGS = ("ok", "no_data", "zero", "estimated", "partial")
