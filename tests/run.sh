#!/usr/bin/env bash
# The README's test command: install what the tests need (system packages when missing; the Python packages
# exactly as pinned in uv.lock, into the project's virtual environment), then run the whole suite, browser
# journeys included. Safe to rerun; extra arguments go to pytest.
#
# The virtual environment is .venv unless UV_PROJECT_ENVIRONMENT names another (.ci/run gives a fresh one).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v npm >/dev/null 2>&1 || need+=(npm)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "tests/run.sh: installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "tests/run.sh: missing system packages (${need[*]}); run: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

# The virtual environment gets uv, and uv installs exactly what uv.lock pins (`--locked` fails when
# pyproject.toml and uv.lock disagree; `--inexact` keeps uv itself in the environment).
export UV_PYTHON_DOWNLOADS=never   # use this machine's Python, never download one
venv="${UV_PROJECT_ENVIRONMENT:-.venv}"
export UV_PROJECT_ENVIRONMENT="$venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "uv>=0.9,<1"
"$venv/bin/python" -m uv sync --locked --inexact --extra test --quiet
# axe-core (the accessibility checks of tests/browser/test_accessibility.py), exactly as tests/axe/package-lock.json
# pins it, into the git-ignored tests/axe/node_modules.
[ -f tests/axe/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/axe --no-audit --no-fund --silent
exec "$venv/bin/python" -m pytest "$@"
