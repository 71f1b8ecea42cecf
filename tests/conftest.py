"""Shared fixtures: the tiny offline test model and its engine, the parallel text in tests/data,
the test database (SQLite and PostgreSQL) and the one way to run the `transdesk` CLI.

Databases: `store_url` is a fresh, migrated database per test, once on SQLite (a file copied
from a migrated template) and once on PostgreSQL (its own schema of TRANSDESK_TEST_PG_URL,
selected with `search_path` in the URL, so parallel runs never meet); `store` is that database
opened. Without TRANSDESK_TEST_PG_URL the PostgreSQL cases skip, except under CI (env CI set),
where they fail: CI must run them. `sqlite_url` is the SQLite-only variant, for the few tests
that need the database file itself.

CLI: `run_cli` runs `transdesk ARGS` in-process through the console entry point `mt.cli.main`
(errors become one "Error:" line and an exit code, as for a user). `run_cli_process` is the
subprocess variant, only for tests that must check a real process: what reaches the real
stdout/stderr file descriptors, stdin, signals and kills, time or memory limits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

if TYPE_CHECKING:  # imported late: pytest_configure sets the data folder first
    from sqlalchemy.engine import Engine as SqlEngine

    from mt.engines.base import Engine
    from mt.store.db import Store

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


@pytest.fixture(scope="session")
def tiny_engine(tiny_model_dir) -> Engine:
    """The tiny offline model on CTranslate2 (the fastest way to real drafts here)."""
    from mt.engines import load_engine

    return load_engine(str(tiny_model_dir), engine="ctranslate2")


# --- databases ------------------------------------------------------------------------------

PG_SKIP = "TRANSDESK_TEST_PG_URL not set (scripts/test.sh sets it when a local server answers)"


def postgres_url() -> str | None:
    """The PostgreSQL URL for store tests: TRANSDESK_TEST_PG_URL, or None when not configured."""
    return os.environ.get("TRANSDESK_TEST_PG_URL") or None


def require_postgres() -> str:
    """TRANSDESK_TEST_PG_URL; without it the test skips, or under CI fails (CI must run it)."""
    url = postgres_url()
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {PG_SKIP}")
    pytest.skip(PG_SKIP)


def schema_url(base: str, schema: str) -> str:
    """`base` with its connections' `search_path` set to `schema`."""
    from sqlalchemy.engine import make_url

    from mt.store.db import normalise_url

    url = make_url(normalise_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time is slower)."""
    from mt.store import open_store

    path = tmp_path_factory.mktemp("template") / "store.db"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[SqlEngine]:
    """An autocommit connection pool on TRANSDESK_TEST_PG_URL, to create and drop schemas."""
    from sqlalchemy import create_engine

    from mt.store.db import normalise_url

    engine = create_engine(normalise_url(require_postgres()), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path, _sqlite_template) -> str:
    """The URL of a fresh, migrated SQLite file `tmp_path / "store.db"` (SQLite only: for tests
    that need the database file itself)."""
    path = tmp_path / "store.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request) -> Iterator[str]:
    """The URL of a fresh, migrated database: on SQLite, then on PostgreSQL (its own schema)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    base = require_postgres()
    from sqlalchemy import text

    admin = request.getfixturevalue("_pg_admin")
    schema = f"td_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema_url(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    """The `store_url` database, opened."""
    from mt.store import open_store

    opened = open_store(store_url)
    yield opened
    opened.close()


# --- the CLI --------------------------------------------------------------------------------


class CliResult(NamedTuple):
    """What one `transdesk` run gave: unpacks as (exit code, stdout, stderr)."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, stdout first."""
        return self.stdout + self.stderr


def run_cli(
    *args: str, input: str | bytes | None = None, env: Mapping[str, str | None] | None = None
) -> CliResult:
    """`transdesk ARGS` in-process, through the console entry point `mt.cli.main`.

    Typer's test runner isolates the streams: stdin reads `input` (empty when None), stdout and
    stderr are captured; `env` adds to (or, with None values, removes from) the environment for
    the run. An exception other than the user errors `main` turns into "Error: ..." propagates.
    """
    from typer.testing import CliRunner

    from mt.cli import main

    with CliRunner().isolation(input=input, env=env) as (stdout, stderr, _):
        argv, sys.argv = sys.argv, ["transdesk", *args]
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
        return CliResult(code, stdout.getvalue().decode(), stderr.getvalue().decode())


TRANSDESK = [sys.executable, "-m", "mt.cli"]


def run_cli_process(
    *args: str,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
    text: bool = False,
    check: bool = False,
) -> subprocess.CompletedProcess:
    """`python -m mt.cli ARGS` in a real process from the repository root, output captured.

    Only for tests that must check a real process (see the module docstring); `env` is the
    whole environment (None: this one); `check`: a non-zero exit fails the test with its
    stderr. `TRANSDESK` is the same command line, for `subprocess.Popen`.
    """
    result = subprocess.run(
        [*TRANSDESK, *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=timeout,
        env=None if env is None else dict(env),
        text=text,
    )
    if check and result.returncode != 0:
        stderr = result.stderr if text else result.stderr.decode()
        raise AssertionError(f"exit {result.returncode}: {stderr}")
    return result


def shown(markdown: str) -> str:
    """What a message body drawn by `ui.components.message` reads as on screen: the app
    backslash-escapes every ASCII punctuation mark so that Markdown stays text; this undoes it."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
