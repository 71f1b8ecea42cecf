"""Fixtures of the robustness suite: the case table on disk, the CLI, and both databases.

PostgreSQL comes from TRANSDESK_TEST_PG_URL, as in tests/store: each test gets its own schema
(selected with `search_path` in the URL); without the variable those tests skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import postgres_url
from tests.robustness.cases import ROOT, SECRET_MARKER, Case, cases

PG_SKIP = "TRANSDESK_TEST_PG_URL not set (CI sets it; see scripts/test.sh)"
TRANSDESK = [sys.executable, "-m", "mt.cli"]


def run_cli(
    *args: str, stdin: bytes | None = None, env: dict | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """`python -m mt.cli ARGS` in a subprocess, from the repository root."""
    return subprocess.run(
        [*TRANSDESK, *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


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


# --- databases ------------------------------------------------------------------------------


def schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    from mt.store.db import normalise_url

    url = make_url(normalise_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_admin():
    base = postgres_url()
    if not base:
        pytest.skip(PG_SKIP)
    from sqlalchemy import create_engine

    from mt.store.db import normalise_url

    engine = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL on SQLite (a file) and on PostgreSQL (its own schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not postgres_url():
        pytest.skip(PG_SKIP)
    from sqlalchemy import text

    admin = request.getfixturevalue("pg_admin")
    schema = f"td_rb_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema_url(postgres_url(), schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def tiny_engine(tiny_model_dir):
    from mt.engines import load_engine

    return load_engine(str(tiny_model_dir), engine="ctranslate2", beam_size=1)
