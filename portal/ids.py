"""Component ids, written out only here: kebab-case `<page>-<thing>`; dict ids for repeated widgets."""

# Shell (every page)
URL = "url"
PAGE = "page"
TITLE_SINK = "title-sink"

# Start page
SYNTHETIC_BANNER = "synthetic-banner-box"
INDICATOR_MAP = "indicator-map-graph"
INDICATOR_MAP_FIGURE = "indicator-map-figure"
START_SEARCH = "start-search"
START_RESULTS = "start-results"

# Area explorer
AREA_INDICATOR = "area-indicator"
AREA_YEAR = "area-year"
AREA_LEVEL = "area-level"
AREA_TABS = "area-tabs"
AREA_UNIT = "area-unit"
AREA_PEERS_ONLY = "area-peers-only"
AREA_MAP = "area-map"
AREA_MAP_TABLE = "area-map-table"
AREA_RANKING = "area-ranking"
AREA_RANKING_BOX = "area-ranking-box"
AREA_DISTRIBUTION = "area-distribution"
AREA_LEGEND = "area-legend"
AREA_HEADING = "area-heading"
AREA_SELECTED = "area-selected"
AREA_STATE = "area-state"
AREA_SHARE = "area-share"
AREA_URL = "area-url"
AREA_MAP_FIGURE = "area-map-figure"
AREA_FUNNEL = "area-funnel"
AREA_FUNNEL_NOTE = "area-funnel-note"

# Unit profile
PROFILE_YEAR = "profile-year"
PROFILE_URL = "profile-url"
PROFILE_BODY = "profile-body"
PROFILE_AREAS = "profile-areas"
PROFILE_SCROLL = "profile-scroll"
PROFILE_SIMILAR_VARS = "profile-similar-vars"
PROFILE_SIMILAR = "profile-similar"
PROFILE_PACK_INDICATORS = "profile-pack-indicators"
PROFILE_PACK_LINK = "profile-pack-link"

# Compare
COMPARE_UNITS = "compare-units"
COMPARE_ADD = "compare-add"
COMPARE_BODY = "compare-body"
COMPARE_AREA = "compare-area"
COMPARE_URL = "compare-url"
COMPARE_YEAR = "compare-year"
COMPARE_STATE = "compare-state"
COMPARE_NOTES = "compare-notes"

# Indicator page
INDICATOR_YEAR = "indicator-year"
INDICATOR_LEVEL = "indicator-level"
INDICATOR_BODY = "indicator-body"
INDICATOR_URL = "indicator-url"
INDICATOR_STATE = "indicator-state"
INDICATOR_FUNNEL = "indicator-funnel"
INDICATOR_WINDOW = "indicator-window"
INDICATOR_GROUP = "indicator-group"

# Budget view
BUDGET_YEAR = "budget-year"
BUDGET_BODY = "budget-body"
BUDGET_URL = "budget-url"
BUDGET_SECTION = "budget-section"
BUDGET_PRINT = "budget-print"
BUDGET_PRINT_SINK = "budget-print-sink"
BUDGET_BARS = "budget-bars"
BUDGET_TABLE = "budget-table"
BUDGET_GAPS = "budget-gaps"
BUDGET_TRENDS = "budget-trends"
BUDGET_SCATTER = "budget-scatter"
BUDGET_SCATTER_CAPTION = "budget-scatter-caption"
BUDGET_REVENUE = "budget-revenue"
BUDGET_REVENUE_TABLE = "budget-revenue-table"
BUDGET_DOWNLOADS = "budget-downloads"


def budget_share(chart: str) -> str:
    """The box holding one budget chart's share panel (re-rendered when the view's URL changes)."""
    return f"{chart}-share-box"


BUDGET_SUMMARY = "budget-summary"
BUDGET_PACK_INDICATORS = "budget-pack-indicators"
BUDGET_PACK_LINK = "budget-pack-link"
BUDGET_PEERS = "budget-peers"
BUDGET_SIMILAR = "budget-similar"
BUDGET_LEAD = "budget-lead"
BUDGET_VIEW = "budget-view"  # everything that depends on the year and the group
BUDGET_OFFICIAL_TABLE = "budget-official-table"
BUDGET_OFFICIAL_TRENDS = "budget-official-trends"


def share_button(chart: str) -> dict:
    return {"type": "share-open", "chart": chart}


def share_modal(chart: str) -> dict:
    return {"type": "share-modal", "chart": chart}


def share_text(chart: str, what: str) -> dict:
    """A read-only text in the share dialog (what: link | iframe | cite | bibtex)."""
    return {"type": "share-text", "chart": chart, "what": what}


def share_copy(chart: str, what: str) -> dict:
    """The copy button next to share_text(chart, what)."""
    return {"type": "share-copy", "chart": chart, "what": what}


def share_pin(chart: str, what: str) -> dict:
    """The «pin to data version» checkbox of the share dialog (what: link | iframe)."""
    return {"type": "share-pin", "chart": chart, "what": what}


def share_variants(chart: str) -> dict:
    """The share dialog's texts, pinned and unpinned (a dcc.Store read by the clientside open callback)."""
    return {"type": "share-variants", "chart": chart}


def unit_card(teryt: str, indicator: str) -> dict:
    return {"type": "unit-card", "teryt": teryt, "indicator": indicator}


def profile_section(area: str) -> str:
    """The anchor of an area's section on the unit profile: /jst/<teryt>#<area> scrolls there."""
    return area


def compare_remove(teryt: str) -> dict:
    return {"type": "compare-remove", "teryt": teryt}


# Report on the state of the unit (/raport/<teryt>)
REPORT_URL = "report-url"
REPORT_YEAR = "report-year"
REPORT_CHAPTERS = "report-chapters"
REPORT_BODY = "report-body"
REPORT_DOCX = "report-docx"
REPORT_PRINT = "report-print"
REPORT_PRINT_SINK = "report-print-sink"


def report_indicators(chapter: str) -> dict:
    """The indicator checklist of one report chapter."""
    return {"type": "report-indicators", "chapter": chapter}


# Goals and targets (/cele/<teryt>)
GOALS_URL = "goals-url"
GOALS_TEXT = "goals-text"
GOALS_INDICATOR = "goals-indicator"
GOALS_BASELINE = "goals-baseline"
GOALS_TARGET = "goals-target"
GOALS_TARGET_YEAR = "goals-target-year"
GOALS_ADD = "goals-add"
GOALS_UPLOAD = "goals-upload"
GOALS_MESSAGE = "goals-message"
GOALS_LIST = "goals-list"
GOALS_EXPORT = "goals-export"
GOALS_REPORT = "goals-report"


def goal_remove(index: int) -> dict:
    """The remove button of the index-th goal."""
    return {"type": "goal-remove", "index": index}
