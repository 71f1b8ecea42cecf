"""Store fixtures: a fresh database per test, on SQLite (a temp file) and on PostgreSQL.

PostgreSQL comes from env TRANSDESK_TEST_PG_URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test); each test gets its own schema, selected with
`search_path` in the URL, so parallel runs never meet. Without the variable the PostgreSQL
cases skip.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from mt.engines.base import Translator
from tests.conftest import postgres_url

PG_SKIP = "TRANSDESK_TEST_PG_URL not set"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time is slower)."""
    from mt.store import open_store

    path = tmp_path_factory.mktemp("template") / "store.db"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def _pg_admin():
    base = postgres_url()
    if not base:
        pytest.skip(PG_SKIP)
    from sqlalchemy import create_engine

    from mt.store.db import normalise_url

    engine = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    from mt.store.db import normalise_url

    url = make_url(normalise_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> Iterator[str]:
    """The URL of a fresh, empty (migrated on open) database."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    if not postgres_url():
        pytest.skip(PG_SKIP)
    from sqlalchemy import text

    admin = request.getfixturevalue("_pg_admin")
    schema = f"td_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(postgres_url(), schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(store_url):
    from mt.store import open_store

    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def engine(tiny_model_dir):
    """The tiny offline model on CTranslate2 (the fastest way to real drafts here)."""
    from mt.engines import load_engine

    return load_engine(str(tiny_model_dir), engine="ctranslate2")


class TableEngine(Translator):
    """An engine with known output (for tests about reports that need chosen drafts).

    Translates by looking each sentence up in `table`; `model_id` names it in reports.
    """

    name = "table"
    revision = None
    is_test_model = True

    def __init__(self, model_id: str, table: dict[str, str]) -> None:
        self.model_id = model_id
        self.table = table

    def translate(self, sentences: Sequence[str], *, progress=None, **_) -> list:
        from mt.types import Hypothesis

        out = [Hypothesis(self.table.get(s, ""), -0.5, 1.0) for s in sentences]
        if progress:
            progress(len(sentences), len(sentences))
        return out
