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
# Four workers (pytest-xdist) on two cores: most of the browser tests' time is waiting (for a
# Streamlit run, a poll, a page), so two more workers fill it. Each worker starts with whole
# files and takes tests from the others' queues when idle (worksteal), so one long file (the
# live grid's) does not set the run's length. TRANSDESK_TEST_WORKERS=0 runs in one process.
workers=${TRANSDESK_TEST_WORKERS:-4}
if [ "$workers" = 0 ]; then exec .venv/bin/pytest "$@"; fi
exec .venv/bin/pytest -n "$workers" --dist worksteal "$@"
