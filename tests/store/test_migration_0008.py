"""Migration 0008 (#18): existing documents get a state from their segments (logged), the
editor table takes the viewer role and keeps its rename triggers, and it downgrades again."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import text

from mt.store import open_store, set_role
from mt.store import workflow as wf
from mt.store.db import alembic_config, migrate

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
LATER = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def _at(url: str, revision: str):
    from alembic import command

    store = open_store(url, migrate_schema=False)
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return store


def _plant(store) -> None:
    """Three documents: untouched (draft, draft), half done (approved, edited), done."""
    statuses = {1: ("draft", "draft"), 2: ("approved", "edited"), 3: ("approved", "approved")}
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO editor (id, name, role, created_at) VALUES (1, 'kim', 'editor', :at)"
            ),
            {"at": NOW},
        )
        sid = 0
        for doc, pair in statuses.items():
            conn.execute(
                text(
                    "INSERT INTO document (id, title, source_lang, target_lang, file_format, "
                    'segment_mode, "trailing", status, created_by_id, created_at) VALUES '
                    "(:id, :title, 'ko', 'en', 'txt', 'line', '', 'in_progress', 1, :at)"
                ),
                {"id": doc, "title": f"doc {doc}", "at": NOW},
            )
            for position, status in enumerate(pair):
                sid += 1
                conn.execute(
                    text(
                        'INSERT INTO segment (id, document_id, position, paragraph, "before", '
                        "source, target, status, version) VALUES (:id, :doc, :pos, :pos, '', "
                        "'원문', 'text', :status, 1)"
                    ),
                    {"id": sid, "doc": doc, "pos": position, "status": status},
                )
                conn.execute(
                    text(
                        "INSERT INTO edit_event (id, document_id, segment_id, editor_id, kind, "
                        "text_after, saved_at, client) VALUES (:id, :doc, :id, 1, 'import', "
                        "'text', :at, 'cli')"
                    ),
                    {"id": sid, "doc": doc, "at": LATER if doc == 2 else NOW},
                )
        if store.dialect == "postgresql":
            for table in ("editor", "document", "segment", "edit_event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


def test_existing_documents_get_a_state_from_their_segments(store_url, tmp_path):
    if store_url.startswith("sqlite"):  # the fixture's file is already migrated to head
        store_url = f"sqlite:///{tmp_path / 'old.db'}"
    store = _at(store_url, "0004")
    try:
        _plant(store)
        migrate(store)
        states = {r.id: r.state for r in wf.list_articles(store)}
        assert states == {1: "drafted", 2: "editing", 3: "ready"}
        log = wf.history(store, 2)
        assert [(e.editor, e.kind, e.from_value, e.to_value) for e in log] == [
            ("kim", "state", None, "editing")
        ]
        assert log[0].note == "set by migration 0008 from its segments (1 of 2 approved)"
        assert wf.get_article(store, 2).updated_at == LATER
        set_role(store, "kim", "viewer")  # the new role is accepted by the CHECK constraint
        with store.engine.begin() as conn:  # the rename trigger of 0004 survived the rebuild
            conn.execute(text("UPDATE editor SET name = 'kim2' WHERE id = 1"))
            renames = conn.execute(text("SELECT old_name, new_name FROM editor_rename")).all()
        assert [tuple(r) for r in renames] == [("kim", "kim2")]
        from alembic import command

        with store.engine.connect() as conn:
            if store.dialect == "sqlite":  # table rebuilds need foreign keys off (as migrate)
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            with conn.begin():
                command.downgrade(alembic_config(conn), "0004")
                role = conn.execute(text("SELECT role FROM editor WHERE id = 1")).scalar()
            if store.dialect == "sqlite":
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
        assert role == "editor"
        migrate(store)  # and up again
        assert {r.id for r in wf.list_articles(store)} == {1, 2, 3}
    finally:
        store.close()
