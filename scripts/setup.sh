#!/usr/bin/env bash
# Create .venv and install Transdesk. Idempotent: a second run is quick.
#   scripts/setup.sh app    the app and the command line (about 2 GB, most of it PyTorch)
#   scripts/setup.sh test   the same plus the test tools: pytest, Playwright, Ray, ruff, mypy (about
#                           2.4 GB; the default)
# PyTorch is pinned to the CPU build by constraints.txt (GPU users: install your own torch
# first, then run: pip install -e '.[test]').
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}
case "$what" in
    app) spec=. ;;
    test) spec='.[test]' ;;
    *) echo "scripts/setup.sh: unknown set-up '$what' (choose app or test)" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv || {
        echo "scripts/setup.sh: '$PYTHON -m venv' failed; install Python 3.10+ with venv" \
             "(Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    }
    .venv/bin/pip install -q --upgrade pip
fi
fresh() { [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ] && [ ! constraints.txt -nt "$1" ]; }
stamp=.venv/.transdesk-installed-$what
# The test set-up includes everything the app needs.
if fresh "$stamp" || { [ "$what" = app ] && fresh .venv/.transdesk-installed-test; }; then
    exit 0
fi
echo "Setting up Transdesk ($what) in .venv: a few minutes on first run..." >&2
.venv/bin/pip install -q -c constraints.txt -e "$spec"
touch "$stamp"
