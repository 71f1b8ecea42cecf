"""Newsroom workflow (#18): article state, assignee, deadline, updated and archived times, the
append-only document_event log, the presence table, and the viewer role.

Existing documents get a state from their segments: nothing edited yet → drafted; every segment
approved → ready; anything between → editing. Each such state is logged as a document_event by
the document's creator, with a note saying the migration set it, so the log starts complete.
`updated_at` starts as the time of the document's last change in the edit log (else its
creation).

SQLite changes a CHECK constraint by rebuilding the table (foreign keys are off while
migrating, see `mt.store.db.migrate`); rebuilding `editor` drops its triggers from 0004, so they
are created again here.

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "document_event is append-only"
NO_REPLACE = "an editor is replaced only by UPDATE (renames are logged)"
STATES = "'drafted', 'editing', 'review', 'ready', 'published'"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _role_check(values: str) -> None:
    with op.batch_alter_table("editor", schema=None, recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_editor_role"), type_="check")
        batch_op.create_check_constraint("role", f"role IN ({values})")
    if _sqlite():  # the rebuilt table lost the triggers of migration 0004
        op.execute(
            "CREATE TRIGGER editor_no_replace BEFORE INSERT ON editor "
            "WHEN EXISTS (SELECT 1 FROM editor WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{NO_REPLACE}'); END"
        )
        op.execute(
            "CREATE TRIGGER editor_log_rename AFTER UPDATE OF name ON editor "
            "WHEN OLD.name IS NOT NEW.name BEGIN "
            "INSERT INTO editor_rename (editor_id, old_name, new_name, renamed_at) "
            "VALUES (NEW.id, OLD.name, NEW.name, strftime('%Y-%m-%d %H:%M:%f', 'now')); END"
        )


def _append_only() -> None:
    if _sqlite():
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER document_event_no_{action.lower()} BEFORE {action} "
                f"ON document_event BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
        op.execute(
            "CREATE TRIGGER document_event_no_replace BEFORE INSERT ON document_event "
            "WHEN EXISTS (SELECT 1 FROM document_event WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION transdesk_document_event_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}' "
        "USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        "CREATE TRIGGER document_event_no_change BEFORE UPDATE OR DELETE ON document_event "
        "FOR EACH ROW EXECUTE FUNCTION transdesk_document_event_append_only()"
    )
    op.execute(
        "CREATE TRIGGER document_event_no_truncate BEFORE TRUNCATE ON document_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION transdesk_document_event_append_only()"
    )


def _initial_states() -> None:
    """Each existing document's state from its segments, logged by its creator."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT d.id, d.created_by_id, d.created_at, COUNT(s.id), "
            "SUM(CASE WHEN s.status = 'approved' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN s.status = 'draft' THEN 1 ELSE 0 END) "
            "FROM document d LEFT JOIN segment s ON s.document_id = d.id "
            "GROUP BY d.id, d.created_by_id, d.created_at ORDER BY d.id"
        )
    ).all()
    last: dict[int, object] = dict(
        bind.execute(
            sa.text("SELECT document_id, MAX(saved_at) FROM edit_event GROUP BY document_id")
        ).all()
    )
    for doc_id, creator, created_at, n, approved, untouched in rows:
        n, approved, untouched = int(n or 0), int(approved or 0), int(untouched or 0)
        if n and approved == n:
            state = "ready"
        elif untouched == n:
            state = "drafted"
        else:
            state = "editing"
        updated = last.get(doc_id) or created_at
        bind.execute(
            sa.text("UPDATE document SET state = :state, updated_at = :at WHERE id = :id"),
            {"state": state, "at": updated, "id": doc_id},
        )
        bind.execute(
            sa.text(
                "INSERT INTO document_event (document_id, editor_id, kind, from_value, "
                "to_value, note, override, at) VALUES (:doc, :who, 'state', NULL, :state, "
                ":note, :override, :at)"
            ),
            {
                "doc": doc_id,
                "who": creator,
                "state": state,
                "note": f"set by migration 0008 from its segments ({approved} of {n} approved)",
                "override": False,
                "at": updated,
            },
        )


def upgrade() -> None:
    _role_check("'viewer', 'editor', 'reviewer', 'admin'")
    with op.batch_alter_table("document", schema=None, recreate="auto") as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), server_default="drafted", nullable=False)
        )
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint("state", f"state IN ({STATES})")
        batch_op.create_foreign_key(
            op.f("fk_document_assignee_id_editor"), "editor", ["assignee_id"], ["id"]
        )
    op.create_table(
        "document_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_value", sa.Text(), nullable=True),
        sa.Column("to_value", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('state', 'assign', 'rename', 'deadline', 'archive', 'restore')",
            name=op.f("ck_document_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_document_event_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_document_event_editor_id_editor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_event")),
    )
    op.create_index(
        op.f("ix_document_event_document_id"), "document_event", ["document_id"], unique=False
    )
    _append_only()
    op.create_table(
        "presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("typing", sa.Boolean(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_presence_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_presence_editor_id_editor")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_presence_segment_id_segment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence")),
        sa.UniqueConstraint("client", name="uq_presence_client"),
    )
    op.create_index(op.f("ix_presence_document_id"), "presence", ["document_id"], unique=False)
    _initial_states()


def downgrade() -> None:
    op.drop_index(op.f("ix_presence_document_id"), table_name="presence")
    op.drop_table("presence")
    if _sqlite():
        for trigger in ("no_update", "no_delete", "no_replace"):
            op.execute(f"DROP TRIGGER document_event_{trigger}")
    else:
        op.execute("DROP TRIGGER document_event_no_change ON document_event")
        op.execute("DROP TRIGGER document_event_no_truncate ON document_event")
        op.execute("DROP FUNCTION transdesk_document_event_append_only()")
    op.drop_index(op.f("ix_document_event_document_id"), table_name="document_event")
    op.drop_table("document_event")
    with op.batch_alter_table("document", schema=None, recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("fk_document_assignee_id_editor"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_document_state"), type_="check")
        for column in ("archived_at", "updated_at", "deadline", "assignee_id", "state"):
            batch_op.drop_column(column)
    op.execute("UPDATE editor SET role = 'editor' WHERE role = 'viewer'")
    if _sqlite():
        op.execute("DROP TRIGGER editor_no_replace")
        op.execute("DROP TRIGGER editor_log_rename")
    _role_check("'editor', 'reviewer', 'admin'")
