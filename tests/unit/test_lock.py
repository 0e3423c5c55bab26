"""The committed uv.lock resolves exactly what pyproject.toml asks for (CI installs from the lock)."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from portal.config import REPO_ROOT


def _pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lock() -> dict:
    return tomllib.loads((REPO_ROOT / "uv.lock").read_text(encoding="utf-8"))


def _declared() -> list[Requirement]:
    project = _pyproject()["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra, items in project["optional-dependencies"].items():
        for r in items:
            req = Requirement(r)
            if canonicalize_name(req.name) != "omup":
                reqs.append(req)
            assert extra  # every extra has a name
    return reqs


def test_lock_records_the_same_requirements_as_pyproject() -> None:
    # uv writes the project's own requirement list into the lock; `uv sync --locked` refuses a stale lock, and
    # this test names the difference without needing uv or the network.
    lock_project = next(p for p in _lock()["package"] if p["name"] == "omup")
    in_lock = {
        (canonicalize_name(r["name"]), r.get("specifier", ""))
        for r in lock_project["metadata"]["requires-dist"]
        if canonicalize_name(r["name"]) != "omup"
    }
    declared = {(canonicalize_name(r.name), str(r.specifier)) for r in _declared()}

    def norm(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return {(n, ",".join(sorted(s.replace(" ", "").split(",")))) for n, s in pairs}

    assert norm(in_lock) == norm(declared), "pyproject.toml changed: run `python3 -m uv lock` and commit uv.lock"


def test_every_declared_requirement_is_satisfied_by_its_locked_version() -> None:
    locked: dict[str, list[Version]] = {}
    for p in _lock()["package"]:
        if "version" in p:
            locked.setdefault(canonicalize_name(p["name"]), []).append(Version(p["version"]))
    for req in _declared():
        versions = locked.get(canonicalize_name(req.name))
        assert versions, f"{req.name} is declared but not in uv.lock"
        assert any(req.specifier.contains(v, prereleases=True) for v in versions), (
            f"{req} is not satisfied by the locked {[str(v) for v in versions]}"
        )
