#!/usr/bin/env bash
# Create .venv and install Transdesk with its test tools. Idempotent: a second run is quick.
# PyTorch is pinned to the CPU build by constraints.txt (GPU users: install your own torch
# first, then run: pip install -e '.[test]').
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/pip install -q --upgrade pip
fi
stamp=.venv/.transdesk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    .venv/bin/pip install -q -c constraints.txt -e '.[test]'
    touch "$stamp"
fi
