"""The edit log cannot be rewritten by any SQL form, and a rename is an event (issue #13, item 3).

Each statement below would change or remove a logged row; each must be refused (or, for
`INSERT OR IGNORE` and a plain insert on an existing id, change nothing), on SQLite and on
PostgreSQL, and leave the log exactly as it was. SQLite is also tried through a bare `sqlite3`
connection, as another tool would open the file, without the store's `recursive_triggers`.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from mt import drafting, revising
from mt import store as repo
from tests.store.conftest import TableEngine

COLUMNS = "id, document_id, segment_id, editor_id, kind, text_after, saved_at, client"
FORGED = "VALUES (:id, :doc, :seg, :ed, 'save', 'forged', CURRENT_TIMESTAMP, 'web')"

SQLITE_FORMS = {
    "insert_or_replace": f"INSERT OR REPLACE INTO edit_event ({COLUMNS}) {FORGED}",
    "replace_into": f"REPLACE INTO edit_event ({COLUMNS}) {FORGED}",
    "upsert": f"INSERT INTO edit_event ({COLUMNS}) {FORGED} "
    "ON CONFLICT(id) DO UPDATE SET text_after = 'forged'",
    "insert_or_ignore": f"INSERT OR IGNORE INTO edit_event ({COLUMNS}) {FORGED}",
    "insert_existing_id": f"INSERT INTO edit_event ({COLUMNS}) {FORGED}",
    "update": "UPDATE edit_event SET text_after = 'forged' WHERE id = :id",
    "update_editor": "UPDATE edit_event SET editor_id = :ed WHERE id = :id",
    "delete": "DELETE FROM edit_event WHERE id = :id",
    "update_or_replace": "UPDATE OR REPLACE edit_event SET id = :id WHERE id <> :id",
}
POSTGRES_FORMS = {
    "upsert": f"INSERT INTO edit_event ({COLUMNS}) {FORGED} "
    "ON CONFLICT (id) DO UPDATE SET text_after = 'forged'",
    "insert_existing_id": f"INSERT INTO edit_event ({COLUMNS}) {FORGED}",
    "update": "UPDATE edit_event SET text_after = 'forged' WHERE id = :id",
    "update_editor": "UPDATE edit_event SET editor_id = :ed WHERE id = :id",
    "delete": "DELETE FROM edit_event WHERE id = :id",
    "truncate": "TRUNCATE edit_event CASCADE",
    "merge_update": "MERGE INTO edit_event e USING (SELECT CAST(:id AS BIGINT) AS id) s "
    "ON e.id = s.id WHEN MATCHED THEN UPDATE SET text_after = 'forged'",
    "merge_delete": "MERGE INTO edit_event e USING (SELECT CAST(:id AS BIGINT) AS id) s "
    "ON e.id = s.id WHEN MATCHED THEN DELETE",
}
HARMLESS = {"insert_or_ignore"}  # changes nothing, so it need not fail


@pytest.fixture
def logged(store_url):
    """A store with a document, a save by kim, and the ids of the rows involved."""
    store = repo.open_store(store_url)
    engine = TableEngine("m", {"첫 문장이다.": "A first."})
    doc = drafting.create_document(
        store, "첫 문장이다.", title="t", engine=engine, created_by="kim"
    )
    (seg,) = repo.list_segments(store, doc)
    revising.save_segment(store, seg.id, "The first.", editor="kim", base_version=seg.version)
    repo.ensure_editor(store, "lee")
    with store.session() as s:
        event = s.execute(text("SELECT max(id) FROM edit_event")).scalar()
        lee = s.execute(text("SELECT id FROM editor WHERE name = 'lee'")).scalar()
    yield store, {"id": event, "doc": doc, "seg": seg.id, "ed": lee}
    store.close()


def _log(store) -> list[tuple]:
    with store.session() as s:
        return [tuple(r) for r in s.execute(text("SELECT * FROM edit_event ORDER BY id"))]


def _forms(store) -> dict[str, str]:
    return SQLITE_FORMS if store.dialect == "sqlite" else POSTGRES_FORMS


@pytest.mark.parametrize("form", sorted({*SQLITE_FORMS, *POSTGRES_FORMS}))
def test_no_sql_form_rewrites_the_edit_log(logged, form):
    store, ids = logged
    statement = _forms(store).get(form)
    if statement is None:
        pytest.skip(f"{form} is not {store.dialect} SQL")
    before = _log(store)
    try:
        with store.session(write=True) as s:
            s.execute(text(statement), ids)
    except Exception as e:  # refused: by a trigger, or the primary key
        assert "append-only" in str(e) or "unique" in str(e).lower(), e
    else:
        assert form in HARMLESS, f"{form} was accepted"
    assert _log(store) == before


@pytest.mark.parametrize("form", ["insert_or_replace", "replace_into", "upsert", "delete"])
def test_a_bare_sqlite3_connection_cannot_rewrite_the_log(logged, form):
    """Another tool opening the file (no recursive_triggers) still meets migration 0004."""
    store, ids = logged
    if store.dialect != "sqlite":
        pytest.skip("SQLite only")
    before = _log(store)
    conn = sqlite3.connect(store.engine.url.database)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(SQLITE_FORMS[form], ids)
        conn.commit()
    finally:
        conn.close()
    assert _log(store) == before


def test_a_rename_is_an_event_and_history_keeps_its_editor(logged):
    store, _ = logged
    with store.session() as s:
        kim = s.execute(text("SELECT id FROM editor WHERE name = 'kim'")).scalar()
    before = _log(store)
    repo.rename_user(store, "kim", "kim.minsu")
    # By hand in SQL, too: the database logs it all the same.
    with store.session(write=True) as s:
        s.execute(text("UPDATE editor SET name = 'minsu' WHERE id = :id"), {"id": kim})
    assert _log(store) == before  # the log still points at the same editor id
    with store.session() as s:
        renames = s.execute(
            text("SELECT editor_id, old_name, new_name, renamed_at FROM editor_rename ORDER BY id")
        ).all()
    assert [tuple(r[:3]) for r in renames] == [
        (kim, "kim", "kim.minsu"),
        (kim, "kim.minsu", "minsu"),
    ]
    assert all(r[3] is not None for r in renames)
    for statement in ("UPDATE editor_rename SET old_name = 'x'", "DELETE FROM editor_rename"):
        with pytest.raises(Exception, match="append-only"), store.session(write=True) as s:
            s.execute(text(statement))


def test_renaming_onto_an_existing_name_is_refused(logged):
    from mt.errors import InputError

    store, _ = logged
    with pytest.raises(InputError, match="already exists"):
        repo.rename_user(store, "kim", "lee")


def test_sqlite_cannot_replace_an_editor_row(logged):
    """REPLACE on an editor's id would rename it without an UPDATE (and without the log)."""
    store, ids = logged
    if store.dialect != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(Exception, match="renames are logged"), store.session(write=True) as s:
        s.execute(
            text("REPLACE INTO editor (id, name, role, created_at) VALUES (:ed, 'x', 'admin', 0)"),
            ids,
        )


def test_only_admins_rename_once_accounts_exist(logged):
    from mt.errors import PermissionDenied

    store, _ = logged
    repo.add_user(store, "boss", role="admin", password="a long passphrase")
    repo.add_user(store, "lee", role="editor", password="another passphrase", by="boss")
    error = r"^lee is an editor; to rename users needs an admin$"
    with pytest.raises(PermissionDenied, match=error):
        repo.rename_user(store, "kim", "kimm", by="lee")
    assert repo.rename_user(store, "kim", "kimm", by="boss").name == "kimm"
