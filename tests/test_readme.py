"""The README's command-line examples run as written, in order, on a fresh offline desk.

Each line of the ```bash blocks under "## Command line" is run with bash from a folder that has
the repository's `samples/`, an empty home folder, a fresh SQLite database and
`TRANSDESK_MODEL=test` (no hub here). Only the lines in `NOT_RUN` are left out, each for the
reason it gives.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"

# Line prefixes not run here, and why.
NOT_RUN = {
    "source .venv/bin/activate": "the test puts the virtual environment's bin/ first on PATH",
    "transdesk ui ": "starts a server; tests/ui/test_command.py starts `transdesk ui` as written",
    "transdesk import article.txt --models": "an A/B of two hub models needs the hub",
}
# Commands whose documented exit status for a normal run is not 0.
EXPECTED_EXIT = {"transdesk check ": {0, 1}}  # 1 = findings, like a linter


def readme_commands() -> list[str]:
    """The lines of every ```bash block in the README's "Command line" section, in order."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Command line\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README has no '## Command line' section"
    blocks = re.findall(r"^```bash\n(.*?)^```", section.group(1), re.S | re.M)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_has_the_examples_this_test_runs():
    commands = readme_commands()
    assert len(commands) >= 20
    skipped = [c for c in commands if c.startswith(tuple(NOT_RUN))]
    assert len(skipped) == len(NOT_RUN), skipped


@pytest.mark.slow
def test_readme_command_line_examples_run_as_written(tmp_path):
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    (tmp_path / "home").mkdir()
    venv_bin = str(Path(sys.executable).parent)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRANSDESK_", "XDG_", "HF_"))
    }
    env.update(
        HOME=str(tmp_path / "home"),
        PATH=f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
        TRANSDESK_MODEL="test",
        TRANSDESK_DB=f"sqlite:///{tmp_path / 'desk.db'}",
        COLUMNS="100",
    )
    outputs: dict[str, str] = {}
    for command in readme_commands():
        if command.startswith(tuple(NOT_RUN)):
            continue
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=tmp_path,
            env=env,
            input=b"s3cret-pass\ns3cret-pass\n",  # `users add` asks for a password twice
            capture_output=True,
            timeout=600,
        )
        expected = next(
            (codes for prefix, codes in EXPECTED_EXIT.items() if command.startswith(prefix)), {0}
        )
        err = result.stderr.decode()
        assert result.returncode in expected, f"{command}\nexit {result.returncode}\n{err}"
        assert "Traceback" not in err, f"{command}\n{err}"
        outputs[command] = result.stdout.decode()

    # What the examples say they do, they did.
    article = (tmp_path / "article.txt").read_text(encoding="utf-8").splitlines()
    english = (tmp_path / "article.en.txt").read_text(encoding="utf-8").splitlines()
    assert len(english) == len(article)  # paragraphs kept, line for line
    assert [bool(line.strip()) for line in english] == [bool(line.strip()) for line in article]
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == ["culture.txt", "tech.txt"]
    headlines = (tmp_path / "headlines.en.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in headlines] == ["economy", "tech", "culture"]
    imported = next(out for cmd, out in outputs.items() if cmd.startswith("transdesk import "))
    assert json.loads(imported) == {"document_id": 1}
    report = next(out for cmd, out in outputs.items() if "--format json" in cmd)
    assert json.loads(report)["document_id"] == 1
    assert (tmp_path / "tiny-model" / "TEST_MODEL.txt").exists()
