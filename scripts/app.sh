#!/usr/bin/env bash
# Set up (first run) and start the Transdesk web app on its embedded defaults:
# SQLite in your user data folder, the default model (or, where the model hub is out of reach,
# an offline test model, with a warning on every page that shows drafts).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh app
exec .venv/bin/transdesk ui "$@"
