"""Opening the store: URLs, SQLite settings, migrations, and the append-only edit log."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mt.drafting import create_document
from mt.errors import TransdeskError
from mt.store import open_store
from mt.store.db import default_url, masked_url, normalise_url


def test_sqlite_settings(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'sub' / 'x.db'}") as store, store.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    assert (tmp_path / "sub" / "x.db").exists()


def test_masked_url_hides_the_password_and_the_web_app_uses_it():
    url = "postgresql+psycopg://desk:s3cr3t@db.example:5432/transdesk"
    assert masked_url(url) == "postgresql+psycopg://desk:***@db.example:5432/transdesk"
    assert masked_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert masked_url("not a url at all") == "(unparseable URL)"
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "ui"
    assert [p.name for p in ui.rglob("*.py") if "sqlalchemy" in p.read_text()] == []


def test_default_url_env_then_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSDESK_DB", "sqlite:///" + str(tmp_path / "env.db"))
    assert default_url() == "sqlite:///" + str(tmp_path / "env.db")
    monkeypatch.delenv("TRANSDESK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    url = default_url()
    assert url.startswith("sqlite:///") and url.endswith("transdesk.db")
    assert str(tmp_path) in url
    with open_store() as store:
        assert store.url == url


def test_plain_postgres_url_uses_psycopg3():
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///a.db") == "sqlite:///a.db"


def test_unreachable_database_is_one_line_error():
    with pytest.raises(TransdeskError, match=r"cannot open database postgresql\+psycopg://"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")


def test_password_hidden_in_error():
    error = (
        r"^cannot open database postgresql\+psycopg://nobody:\*\*\*@127\.0\.0\.1:1/none: "
        r"connection failed: "
    )
    with pytest.raises(TransdeskError, match=error) as info:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)


def test_migrations_match_models(store):
    """The Alembic migration creates exactly the schema models.py describes."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from mt.store.models import Base

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_reopen_is_idempotent(store_url):
    from alembic.script import ScriptDirectory

    from mt.store.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    for _ in range(2):
        with open_store(store_url) as store, store.session() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def _one_event(store):
    from mt.engines.base import Translator

    class Echo(Translator):
        name, model_id, revision, is_test_model = "echo", "echo", None, True

        def translate(self, sentences, **_):
            from mt.types import Hypothesis

            return [Hypothesis(s, 0.0, 0.0) for s in sentences]

    create_document(store, "한 문장.", title="t", engine=Echo(), created_by="kim")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE edit_event SET text_after = 'forged'", "DELETE FROM edit_event"],
)
def test_edit_log_refuses_update_and_delete(store, statement):
    _one_event(store)
    with pytest.raises(Exception, match="append-only"), store.session(write=True) as s:
        s.execute(text(statement))
    with store.session() as s:
        rows = s.execute(text("SELECT text_after FROM edit_event")).scalars().all()
    assert rows == ["한 문장."]


def test_edit_log_refuses_truncate_on_postgres(store):
    if store.dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _one_event(store)
    with pytest.raises(Exception, match="append-only"), store.session(write=True) as s:
        s.execute(text("TRUNCATE edit_event CASCADE"))


def test_in_memory_store_works_end_to_end():
    """`sqlite://` (one connection for every thread): saves, the statistics cache, reports."""
    from mt.report import report
    from mt.revising import save_segment
    from mt.store import list_segments
    from tests.store.conftest import TableEngine

    with open_store("sqlite://") as store:
        doc = create_document(store, "첫 문장이다. 둘째 문장이다.", title="t", created_by="kim",
                              engine=TableEngine("m", {"첫 문장이다.": "A first.",
                                                       "둘째 문장이다.": "A second."}))  # fmt: skip
        for s in list_segments(store, doc):
            save_segment(store, s.id, s.target.replace("A ", "The "), editor="lee", base_version=1)
        with store.session() as s:
            assert s.execute(text("SELECT count(*) FROM metric_stats")).scalar() == 2
        assert report(store)["scored"] == 2


def test_sqlite_write_lock_held_too_long_is_a_clear_error(tmp_path, monkeypatch):
    """Another process holding SQLite's write lock past the busy timeout: a one-line error
    saying so, and the save leaves nothing behind (the next save goes through)."""
    import sqlite3

    from mt.revising import save_segment
    from mt.store import db, list_segments

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "busy.db"
    with open_store(f"sqlite:///{path}") as store:
        doc = create_document(store, "첫 문장.", title="t", engine=None, created_by="lee")
        seg = list_segments(store, doc)[0]
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(TransdeskError, match=r"busy\.db is busy: .*nothing was saved"):
                save_segment(store, seg.id, "First.", editor="lee", base_version=1)
        finally:
            other.execute("ROLLBACK")
            other.close()
        saved = save_segment(store, seg.id, "First.", editor="lee", base_version=1)
        assert saved.version == 2 and saved.target == "First."
