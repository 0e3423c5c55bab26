"""The shape of the house (STYLE.md, issue 17): data flows one way and no room grows past what a newcomer can hold.

- `portal/` never imports `layouts/` or `callbacks/` (the library knows nothing of pages);
- `layouts/` and `callbacks/` never import each other (the app factory wires them);
- no module in `portal/`, `layouts/` or `callbacks/` is over 500 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.config import REPO_ROOT

ROOMS = ("portal", "layouts", "callbacks")
MAX_LINES = 500
# The app factory wires pages and callbacks together; it is the one place allowed to import both.
WIRING = {"portal/app.py"}


def _modules() -> list[Path]:
    return sorted(p for room in ROOMS for p in (REPO_ROOT / room).rglob("*.py") if "node_modules" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_imports_flow_one_way(path: Path) -> None:
    rel = path.relative_to(REPO_ROOT).as_posix()
    room = rel.split("/")[0]
    imported = _imports(path)
    if rel in WIRING:
        return
    if room == "portal":
        assert not imported & {"layouts", "callbacks"}, f"{rel} imports {sorted(imported & {'layouts', 'callbacks'})}"
    elif room == "layouts":
        assert "callbacks" not in imported, f"{rel} imports callbacks"
    elif room == "callbacks":
        assert "layouts" not in imported, f"{rel} imports layouts"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_no_module_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO_ROOT)} has {lines} lines (at most {MAX_LINES})"
