"""Fixtures of the robustness suite: the case table on disk and the CLI's options and error lines.

The databases (`store_url`, SQLite and PostgreSQL), the tiny engine and the CLI runners are
shared, in tests/conftest.py; these tests run the CLI as a real process (`run_cli_process`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.cases import SECRET_MARKER, Case, cases


def error_lines(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode().splitlines() if line.startswith("Error:")]


def model_options(model_dir: Path) -> list[str]:
    """The tiny model on CTranslate2, greedy: the fastest real drafts here."""
    return ["--model", str(model_dir), "--engine", "ctranslate2", "--beam", "1"]


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(SECRET_MARKER + "\n")
    return path


@pytest.fixture(scope="session")
def table(secret_file) -> dict[str, Case]:
    return {c.id: c for c in cases(secret_file)}
