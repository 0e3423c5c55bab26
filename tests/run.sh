#!/usr/bin/env bash
# The README's test command: install what the tests need (system packages when missing, Python packages), then run
# the whole suite, browser journeys included. Safe to rerun; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
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

python -m pip install -q --disable-pip-version-check -e ".[test]"
exec python -m pytest "$@"
