"""Migration 0005 (#15): a database written before steps existed keeps working, and its
existing edit log gets its steps rebuilt (SQLite rebuilds the draft table to allow 'scratch')."""

from __future__ import annotations

from datetime import datetime, timezone

from alembic.script import ScriptDirectory
from sqlalchemy import text

from mt.report import report
from mt.revising import save_segment
from mt.store import list_segments, open_store
from mt.store.db import alembic_config, migrate


def _at_0003(url: str):
    from alembic import command

    store = open_store(url, migrate_schema=False)
    with store.engine.begin() as conn:
        config = alembic_config(conn)
        command.upgrade(config, "0003")
    return store


def _plant(store) -> None:
    """One document, two segments: root imports MT drafts, kim edits both, lee approves one."""
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    rows = {
        "editor": [
            {"id": 1, "name": "root", "role": "admin", "created_at": now},
            {"id": 2, "name": "kim", "role": "editor", "created_at": now},
            {"id": 3, "name": "lee", "role": "reviewer", "created_at": now},
        ],
        "document": [
            {"id": 1, "title": "old", "source_lang": "ko", "target_lang": "en", "filename": None,
             "file_format": "txt", "segment_mode": "line", "trailing": "", "status": "in_progress",
             "model_id": "/srv/models/opus-mt-ko-en", "created_by_id": 1, "created_at": now},
        ],
        "segment": [
            {"id": i, "document_id": 1, "position": i, "paragraph": i, "before": "",
             "source": src, "target": tgt, "status": st, "version": v, "draft_id": None,
             "updated_at": now, "updated_by_id": 2}
            for i, src, tgt, st, v in [
                (1, "한국 수출 증가", "Korea exports grew", "approved", 3),
                (2, "반도체 호조", "Chips did well", "edited", 2),
            ]
        ],
        "draft": [
            {"id": i, "segment_id": i, "run": 1, "engine": "ctranslate2",
             "model_id": "/srv/models/opus-mt-ko-en", "revision": None, "beam": 4,
             "max_length": None, "text": t, "score": -0.4, "time_ms": 1.0, "origin": "mt",
             "is_test_model": False, "created_at": now}
            for i, t in [(1, "Korea export rise"), (2, "Semiconductor good")]
        ],
    }  # fmt: skip
    events = [  # (segment, editor, kind, before, after, active_ms)
        (1, 1, "import", None, "Korea export rise", None),
        (2, 1, "import", None, "Semiconductor good", None),
        (1, 2, "save", "Korea export rise", "Korea exports grew", 6000),
        (2, 2, "save", "Semiconductor good", "Chips did well", 4000),
        (1, 3, "approve", "Korea exports grew", "Korea exports grew", 1000),
    ]
    with store.engine.begin() as conn:
        for table, values in rows.items():
            for row in values:
                cols = ", ".join(f'"{c}"' for c in row)  # "trailing" is a keyword
                conn.execute(
                    text(
                        f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in row)})"
                    ),
                    row,
                )
        conn.execute(text("UPDATE segment SET draft_id = id"))
        for i, (sid, who, kind, before, after, ms) in enumerate(events, start=1):
            conn.execute(
                text(
                    "INSERT INTO edit_event (id, document_id, segment_id, editor_id, kind, "
                    "text_before, text_after, draft_id, saved_at, active_ms, client) VALUES "
                    "(:id, 1, :sid, :who, :kind, :before, :after, :sid, :at, :ms, 'web')"
                ),
                {"id": i, "sid": sid, "who": who, "kind": kind, "before": before,
                 "after": after, "at": now, "ms": ms},
            )  # fmt: skip
        if store.dialect == "postgresql":  # explicit ids: move the sequences past them
            for table in ("editor", "document", "segment", "draft", "edit_event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


def test_existing_database_gets_its_steps(store_url, tmp_path):
    if store_url.startswith("sqlite"):  # the fixture's file is already migrated to head
        store_url = f"sqlite:///{tmp_path / 'old.db'}"
    store = _at_0003(store_url)
    try:
        _plant(store)
        migrate(store)
        with store.engine.connect() as conn:
            steps = conn.execute(
                text(
                    "SELECT segment_id, seq, kind, editor_id, approved, edit_ms, review_ms "
                    "FROM edit_step ORDER BY segment_id, seq"
                )
            ).all()
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert [tuple(s) for s in steps] == [
            (1, 0, "draft", None, False, 0, 0),
            (1, 1, "edit", 2, False, 6000, 0),
            (1, 2, "review", 3, True, 0, 1000),
            (2, 0, "draft", None, False, 0, 0),
            (2, 1, "edit", 2, False, 4000, 0),
        ]
        groups = {g["editor"]: g for g in report(store, by="editor")["groups"]}
        assert set(groups) == {"kim", "lee"}  # root only imported
        assert groups["kim"]["segments_edited"] == 2 and groups["lee"]["segments_approved"] == 1
        models = report(store, by="model")["groups"]
        assert [g["model"] for g in models] == ["opus-mt-ko-en"]  # never the server's path
        # The old database keeps working: a new save extends the chain.
        seg = list_segments(store, 1)[1]
        save_segment(store, seg.id, "Chips sold well", editor="lee", base_version=seg.version)
        steps = {g["step"]: g for g in report(store, by="step")["groups"]}
        assert steps["R2"]["editors"] == ["lee"]
    finally:
        store.close()
    store = open_store(store_url)  # already at head: a no-op
    store.close()
