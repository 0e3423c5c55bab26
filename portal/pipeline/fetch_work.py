"""What one `omup data fetch` asks for and how it goes: the API hosts reached before anything is asked (a fast
failure without network), the work (BDL variables with their levels, SMUP indicator ids, the years), the least
time BDL's published quotas allow for it, and the progress bar over every request (portal/pipeline/fetch.py
fetches)."""

from __future__ import annotations

import socket
import sys
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from portal.config import Settings
from portal.pipeline.bdl import estimated_pages
from portal.pipeline.fetch_plan import FetchPlan, PlanIndicator

PREFLIGHT_TIMEOUT = 3.0
# BDL's published limits per key (pyBDL's DEFAULT_QUOTAS): seconds → (anonymous, with a key).
BDL_QUOTAS = {1: (5, 10), 15 * 60: (100, 500), 12 * 3600: (1000, 5000), 7 * 24 * 3600: (10000, 50000)}


class FetchError(RuntimeError):
    """The fetch could not be done; the message says why, and nothing was written."""


# -- reaching the hosts --------------------------------------------------------------------------------------
def api_host(settings: Settings, source: str) -> tuple[str, int]:
    """(host, port) of a source's API address (``OMUP_BDL_URL`` / ``OMUP_SMUP_URL``)."""
    url = urllib.parse.urlsplit(settings.bdl_url if source == "bdl" else settings.smup_url)
    return url.hostname or "", url.port or (443 if url.scheme == "https" else 80)


def _preflight_target(host: str, port: int) -> tuple[str, int]:
    """Where a TCP connection shows the host is reachable: the HTTPS proxy if one applies (httpx uses it)."""
    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(host) or host in ("127.0.0.1", "localhost", "::1"):
        return host, port
    parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return parsed.hostname or host, parsed.port or (443 if parsed.scheme == "https" else 80)


def preflight(host: str, port: int, timeout: float = PREFLIGHT_TIMEOUT) -> None:
    """Fail fast when an API host cannot be reached at all (no network, DNS, firewall).

    The check runs in a daemon thread so that a hanging DNS lookup, which the socket timeout does not
    cover, cannot hold the command longer than ``timeout``.
    """
    target = _preflight_target(host, port)
    outcome: list[OSError | None] = []

    def connect() -> None:
        try:
            with socket.create_connection(target, timeout=timeout):
                outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=connect, name=f"preflight-{host}", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    via = "" if target == (host, port) else f" through the proxy {target[0]}:{target[1]}"
    if not outcome:
        reason = f"no answer within {timeout:g} s"
    elif outcome[0] is not None:
        reason = f"{type(outcome[0]).__name__}: {outcome[0]}"
    else:
        return
    raise FetchError(f"cannot reach {host}:{port}{via} ({reason}): no network? nothing was written")


# -- how long ------------------------------------------------------------------------------------------------
def quota_seconds(requests: int, registered: bool) -> float:
    """The least time ``requests`` BDL requests take at BDL's published limits, from a fresh quota.

    Each request goes at the earliest moment every sliding window allows: the n-th waits for the
    (n − limit)-th plus the period."""
    if requests <= 0:
        return 0.0
    limits = [(period, pair[1] if registered else pair[0]) for period, pair in BDL_QUOTAS.items()]
    times: list[float] = []
    for i in range(requests):
        t = times[-1] if times else 0.0
        for period, limit in limits:
            if i >= limit:
                t = max(t, times[i - limit] + period)
        times.append(t)
    return times[-1]


def human_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@dataclass
class Work:
    """What one fetch asks for: BDL variables with their levels, SMUP indicator ids, and the years."""

    years: list[int]
    variables: dict[int, tuple[str, set[str]]] = field(default_factory=dict)  # id → (unit, levels)
    smup_ids: dict[int, set[str]] = field(default_factory=dict)  # id → levels kept
    users: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # (source, id) → indicators

    def bdl_requests(self) -> int:
        return sum(1 + sum(estimated_pages(lv) for lv in levels) for _u, levels in self.variables.values())

    def smup_requests(self) -> int:
        return (2 + len(self.smup_ids) * len(self.years)) if self.smup_ids else 0


def plan_work(plan: FetchPlan, entries: list[PlanIndicator], years: list[int], sources: list[str]) -> Work:
    work = Work(years=years)
    per_resident = {
        lv for e in entries if e.bdl is not None and e.bdl.denominator == "population" for lv in e.bdl.levels
    }
    if "bdl" in sources and per_resident:
        # The population of every year asked, at the levels of the indicators that divide by it.
        pop = plan.population
        work.variables[pop.bdl.variable] = (pop.bdl.unit, set(pop.levels) & per_resident)
        work.users[("bdl", pop.bdl.variable)] = ["population"]
    for entry in entries:
        if "bdl" in sources and entry.bdl is not None:
            for part in entry.bdl.parts():
                unit, levels = work.variables.setdefault(part.variable, (part.unit, set()))
                if unit != part.unit:
                    raise FetchError(
                        f"data/fetch.yaml: variable {part.variable} is declared in '{unit}' and in "
                        f"'{part.unit}' ({entry.id})"
                    )
                levels.update(entry.bdl.levels)
                work.users.setdefault(("bdl", part.variable), []).append(entry.id)
        if "smup" in sources and entry.smup is not None:
            for smup_id in entry.smup.ids:
                work.smup_ids.setdefault(smup_id, set()).update(entry.smup.levels)
                work.users.setdefault(("smup", smup_id), []).append(entry.id)
    return work


class Progress:
    """One standard progress bar (tqdm) over every request: done / left, rate and estimated time left.

    The total starts as an estimate (pages from unit counts) and is corrected as first pages report theirs.
    """

    def __init__(self, total: int, enabled: bool = True) -> None:
        from tqdm import tqdm

        tty = sys.stderr.isatty()
        self.bar = tqdm(
            total=total,
            unit="req",
            desc="omup data fetch",
            file=sys.stderr,
            disable=not enabled,
            mininterval=0.5 if tty else 30.0,
            dynamic_ncols=True,
            smoothing=0.05,
        )

    def tick(self) -> None:
        if self.bar.total is not None and self.bar.n >= self.bar.total:
            self.bar.total = self.bar.n + 1  # a request the estimate did not foresee (a retry, an extra page)
        self.bar.update(1)

    def adjust(self, delta: int) -> None:
        if delta:
            self.bar.total = max(self.bar.n, (self.bar.total or 0) + delta)
            self.bar.refresh()

    def note(self, text: str) -> None:
        self.bar.set_postfix_str(text[:60], refresh=False)

    def close(self) -> None:
        self.bar.close()
