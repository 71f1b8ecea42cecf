"""Initial schema: editor, document, segment, draft, append-only edit_event, metric_stats.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = "edit_event is append-only"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _segment_draft_fk() -> list[sa.ForeignKeyConstraint]:
    """segment.draft_id -> draft.id: SQLite can only declare it inline (draft comes later)."""
    if not _sqlite():
        return []
    return [
        sa.ForeignKeyConstraint(["draft_id"], ["draft.id"], name=op.f("fk_segment_draft_id_draft"))
    ]


def _append_only_triggers() -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) of edit_event rows."""
    if _sqlite():
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER edit_event_no_{action.lower()} BEFORE {action} ON edit_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION transdesk_edit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege'; "
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER edit_event_no_change BEFORE UPDATE OR DELETE ON edit_event "
        "FOR EACH ROW EXECUTE FUNCTION transdesk_edit_event_append_only()"
    )
    op.execute(
        "CREATE TRIGGER edit_event_no_truncate BEFORE TRUNCATE ON edit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION transdesk_edit_event_append_only()"
    )


def upgrade() -> None:
    op.create_table(
        "editor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('editor', 'reviewer', 'admin')", name=op.f("ck_editor_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor")),
        sa.UniqueConstraint("name", name=op.f("uq_editor_name")),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source_lang", sa.String(length=16), nullable=False),
        sa.Column("target_lang", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("file_format", sa.String(length=16), nullable=False),
        sa.Column("segment_mode", sa.String(length=16), nullable=False),
        sa.Column("trailing", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("model_id", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('in_progress', 'done')", name=op.f("ck_document_status")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["editor.id"], name=op.f("fk_document_created_by_id_editor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_table(
        "segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'edited', 'approved')", name=op.f("ck_segment_status")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_segment_document_id_document")
        ),
        *_segment_draft_fk(),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["editor.id"], name=op.f("fk_segment_updated_by_id_editor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment")),
        sa.UniqueConstraint("document_id", "position", name="uq_segment_document_position"),
    )
    with op.batch_alter_table("segment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_segment_document_id"), ["document_id"], unique=False)

    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=False),
        sa.Column("model_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Text(), nullable=True),
        sa.Column("beam", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("time_ms", sa.Float(), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("is_test_model", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("origin IN ('mt', 'tm')", name=op.f("ck_draft_origin")),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_draft_segment_id_segment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft")),
    )
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_segment_id"), ["segment_id"], unique=False)

    if not _sqlite():
        op.create_foreign_key(
            op.f("fk_segment_draft_id_draft"), "segment", "draft", ["draft_id"], ["id"]
        )

    op.create_table(
        "edit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text_before", sa.Text(), nullable=True),
        sa.Column("text_after", sa.Text(), nullable=True),
        sa.Column("version_before", sa.Integer(), nullable=True),
        sa.Column("version_after", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active_ms", sa.Integer(), nullable=True),
        sa.Column("idle_ms", sa.Integer(), nullable=True),
        sa.Column("keystrokes", sa.Integer(), nullable=True),
        sa.Column("client", sa.String(length=16), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('open', 'save', 'approve', 'reopen', 'revert', 'comment', 'import')",
            name=op.f("ck_edit_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_edit_event_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["draft.id"], name=op.f("fk_edit_event_draft_id_draft")
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_edit_event_editor_id_editor")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_edit_event_segment_id_segment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edit_event")),
    )
    with op.batch_alter_table("edit_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_edit_event_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index("ix_edit_event_segment_kind", ["segment_id", "kind"], unique=False)
        batch_op.create_index("ix_edit_event_effort", ["segment_id", "active_ms"], unique=False)

    _append_only_triggers()

    op.create_table(
        "metric_stats",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("final_hash", sa.String(length=64), nullable=False),
        sa.Column("config", sa.String(length=200), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["draft.id"], name=op.f("fk_metric_stats_draft_id_draft")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_stats")),
        sa.UniqueConstraint("draft_id", "final_hash", "config", name="uq_metric_stats_key"),
    )


def downgrade() -> None:
    op.drop_table("metric_stats")
    if _sqlite():
        op.execute("DROP TRIGGER edit_event_no_update")
        op.execute("DROP TRIGGER edit_event_no_delete")
    else:
        op.execute("DROP TRIGGER edit_event_no_change ON edit_event")
        op.execute("DROP TRIGGER edit_event_no_truncate ON edit_event")
        op.execute("DROP FUNCTION transdesk_edit_event_append_only()")
        op.drop_constraint(op.f("fk_segment_draft_id_draft"), "segment", type_="foreignkey")
    op.drop_table("edit_event")
    op.drop_table("draft")
    op.drop_table("segment")
    op.drop_table("document")
    op.drop_table("editor")
