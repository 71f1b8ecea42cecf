#!/usr/bin/env bash
# Set up (first run) and run the whole test suite. PostgreSQL tests use TRANSDESK_TEST_PG_URL
# (default: the local server at 127.0.0.1:5432, database test, if it answers); browser tests use
# /usr/bin/chromium. Lint (ruff) and type checks (mypy, configured in pyproject.toml) run first.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
if [ -z "${TRANSDESK_TEST_PG_URL:-}" ] && command -v pg_isready >/dev/null \
        && pg_isready -q -h 127.0.0.1 -p 5432; then
    export TRANSDESK_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# Two workers (pytest-xdist), a test file each at a time (its module fixtures, such as one
# Chromium or one server, stay on one worker): TRANSDESK_TEST_WORKERS=0 runs in one process.
workers=${TRANSDESK_TEST_WORKERS:-2}
if [ "$workers" = 0 ]; then exec .venv/bin/pytest "$@"; fi
exec .venv/bin/pytest -n "$workers" --dist loadfile "$@"
