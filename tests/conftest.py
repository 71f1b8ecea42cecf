"""Shared fixtures: the tiny offline test model, the parallel text in tests/data, database URLs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"


def pytest_configure(config):
    """Keep the tests out of the user's own desk: a command run without --db opens the default
    SQLite database in the user data folder, which is a fresh folder for every test run."""
    import tempfile

    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="transdesk-test-data-")
    os.environ.pop("TRANSDESK_DB", None)
    os.environ.pop("TRANSDESK_MODEL", None)


def pytest_report_header(config):
    import importlib.metadata as md

    versions = []
    for pkg in ("torch", "transformers", "ctranslate2", "sacrebleu", "kiwipiepy", "sqlalchemy"):
        try:
            versions.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            versions.append(f"{pkg} missing")
    return ", ".join(versions)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny Marian model with sentencepiece trained on real Korean/English text."""
    from mt.models.build_test import build_test_model

    return build_test_model(tmp_path_factory.mktemp("models") / "tiny", size="tiny")


@pytest.fixture(scope="session")
def tiny_llm_dir(tmp_path_factory) -> Path:
    """A tiny random Llama-style chat model with sentencepiece trained on real text."""
    from mt.models.build_test_llm import build_test_causal_lm

    return build_test_causal_lm(tmp_path_factory.mktemp("models") / "tiny-llm", size="tiny")


def shared_lines(corpus: str, lang: str, limit: int | None = None) -> list[str]:
    """Lines of tests/data/<corpus>/<lang>.txt, the parallel text shipped with the repository
    (see tests/data/README.md); a missing file fails the test, it never skips."""
    path = TEST_DATA / corpus / f"{lang}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[:limit] if limit else lines


@pytest.fixture
def ntrex_ko() -> list[str]:
    return shared_lines("ntrex128", "ko")


@pytest.fixture
def ntrex_en() -> list[str]:
    return shared_lines("ntrex128", "en")


def postgres_url() -> str | None:
    """The PostgreSQL URL for store tests: TRANSDESK_TEST_PG_URL, or None when not configured."""
    return os.environ.get("TRANSDESK_TEST_PG_URL") or None


def shown(markdown: str) -> str:
    """What a message body drawn by `ui.components.message` reads as on screen: the app
    backslash-escapes every ASCII punctuation mark so that Markdown stays text; this undoes it."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
