#!/usr/bin/env bash
# Dependency audit (issue #6; SECURITY.md): every package installed in .venv, which is the set
# scripts/setup.sh installs from pyproject.toml and constraints.txt, checked with pip-audit
# against the Python Packaging Advisory Database as PyPI's JSON API serves it (needs
# https://pypi.org; `--vulnerability-service osv` asks https://api.osv.dev instead).
#
#   scripts/audit.sh                                  # one line per finding, then a summary
#   scripts/audit.sh --vulnerability-service osv      # extra arguments go to pip-audit
#
# Exit 0: every package was checked and none has a known vulnerability; 1: vulnerabilities
# found (each with the versions that fix it); 2: some packages could not be checked (the
# service did not know them or could not be reached), so the audit proves nothing about them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || scripts/setup.sh
if [ ! -x .venv/bin/pip-audit ]; then
    .venv/bin/pip install -q -c constraints.txt "pip-audit>=2.7"
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT
# transdesk itself is installed editable from this folder and is not on PyPI: skip it.
status=0
.venv/bin/pip-audit --skip-editable --progress-spinner off --format json --output "$report" \
    "$@" || status=$?
if [ ! -s "$report" ]; then
    echo "audit: pip-audit produced no report (exit $status)" >&2
    exit 2
fi
exec .venv/bin/python - "$report" <<'PY'
import json
import sys

deps = [
    d
    for d in json.load(open(sys.argv[1]))["dependencies"]
    if d.get("skip_reason") != "distribution marked as editable"  # transdesk itself
]
found = [(d, v) for d in deps for v in d.get("vulns", [])]
skipped = [d for d in deps if d.get("skip_reason")]
for d, v in found:
    fixes = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
    print(f"{d['name']} {d['version']}: {v['id']} (fixed in: {fixes})")
for d in skipped:
    print(f"{d['name']}: not checked ({d['skip_reason']})", file=sys.stderr)
checked = len(deps) - len(skipped)
print(
    f"audit: {checked} of {len(deps)} packages checked, {len(found)} known vulnerabilities"
    f" in {len({d['name'] for d, _ in found})} packages, {len(skipped)} not checked"
)
sys.exit(1 if found else 2 if skipped else 0)
PY
