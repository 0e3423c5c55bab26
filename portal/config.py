"""Settings read once from the environment into one frozen dataclass."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _setting(default: str, help: str) -> object:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting has an environment variable (OMUP_<NAME>), a default and a line of help.

    The README lists them all; a test fails when one is missing there.
    """

    raw_dir: str = _setting(
        str(REPO_ROOT.parent / "shared" / "data-raw"),
        "Folder with the raw official inputs (read-only; never copied into the repository).",
    )
    release_dir: str = _setting(
        str(REPO_ROOT / "build" / "release"),
        "Folder holding built releases (git-ignored); `current` points at the one served.",
    )
    catalogue_path: str = _setting(
        str(REPO_ROOT / "data" / "catalogue.yaml"),
        "The reviewed indicator catalogue (YAML).",
    )
    keep_releases: str = _setting("5", "How many past releases stay readable for version-pinned links.")
    cache_url: str = _setting(
        "",
        "Cache and rate-limit store: empty for a local in-process cache, or redis://[:password@]host:port/db "
        "(rediss:// for TLS) to share it.",
    )
    cache_timeout: str = _setting("3600", "Seconds a memoised result lives in the cache.")
    rate_limit: str = _setting(
        "1200 per minute",
        "One request budget per client, shared by every route; a request spends what its route costs (1 for a "
        "callback, 2 for an API call, more for files: the table is on /api). Counted in Redis when "
        "OMUP_CACHE_URL is set, otherwise per process.",
    )
    base_url: str = _setting(
        "http://127.0.0.1:8050",
        "Public address of the portal, used in citations, oEmbed answers and the list of allowed hosts.",
    )
    allowed_hosts: str = _setting(
        "",
        "Host names the portal answers to, comma-separated (a leading dot admits subdomains); other Host headers "
        "get 400. Empty: the host of OMUP_BASE_URL plus localhost and 127.0.0.1.",
    )
    trusted_proxies: str = _setting(
        "0",
        "How many proxies in front of the portal append to X-Forwarded-For and set X-Forwarded-Proto (1 behind "
        "one nginx); the client address (rate limits, logs) and the scheme come from them. 0: none trusted.",
    )
    max_request_body: str = _setting(
        "1048576",
        "Largest request body in bytes (callback bodies are a few kB; a goals file at most 64 kB); larger gets 413.",
    )
    accel_redirect: str = _setting(
        "",
        "URL prefix of a front-server internal location serving OMUP_RELEASE_DIR (nginx X-Accel-Redirect): when "
        "set, the full-release files are sent by the front server; empty: by gunicorn.",
    )
    hsts_max_age: str = _setting(
        "31536000",
        "max-age of Strict-Transport-Security, sent on responses served over HTTPS (0: not sent).",
    )
    debug: str = _setting("0", "1 turns on Dash debug mode (never in production).")
    bdl_api_key: str = _setting("", "Optional BDL API key (X-ClientId) for `omup data fetch`; raises the rate limits.")
    smup_api_key: str = _setting("", "SMUP API key (X-ClientId) for `omup data fetch`; SMUP returns no data without it.")
    fetch_timeout: str = _setting("10", "Seconds before an official API request is given up.")
    bdl_url: str = _setting(
        "https://bdl.stat.gov.pl/api/v1",
        "Base address of the BDL API for `omup data fetch` (a mirror or a recorded server may stand in; plain "
        "http:// works on loopback).",
    )
    smup_url: str = _setting(
        "https://api.smup.gov.pl/api/1.0.0",
        "Base address of the SMUP API for `omup data fetch` (a mirror or a recorded server may stand in).",
    )
    fetch_dir: str = _setting(
        str(REPO_ROOT / "build" / "fetched"),
        "Where `omup data fetch` writes what it got from the official APIs; the next build reads it.",
    )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            key = "OMUP_" + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        return cls(**values)

    @classmethod
    def documented(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for each setting."""
        return [("OMUP_" + f.name.upper(), f.default, f.metadata["help"]) for f in fields(cls)]

    # Typed views on the string settings.
    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def release_path(self) -> Path:
        return Path(self.release_dir)

    @property
    def host_list(self) -> list[str]:
        """The hosts the portal answers to (see `allowed_hosts`)."""
        from urllib.parse import urlsplit

        given = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        if given:
            return given
        base = (urlsplit(self.base_url).hostname or "").lower()
        return list(dict.fromkeys(h for h in (base, "localhost", "127.0.0.1") if h))

    @property
    def is_debug(self) -> bool:
        return self.debug.strip() in {"1", "true", "yes"}
