"""Steps of each segment's history (edit_step, rebuilt from the existing edit log), the compute
type of each draft, and from-scratch drafts (draft.origin 'scratch').

Existing databases keep working: drafts keep their rows (compute_type stays unknown, NULL),
and every segment's steps are rebuilt from its events (`mt.store.steps.rebuild_all_steps`).

Revision ID: 0005
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0019"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _origin_check(values: str) -> None:
    # SQLite rebuilds the table (alembic batch mode; foreign keys are off while migrating,
    # see mt.store.db.migrate); PostgreSQL swaps the constraint in place.
    with op.batch_alter_table("draft", schema=None, recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_draft_origin"), type_="check")
        batch_op.create_check_constraint("origin", f"origin IN ({values})")


def upgrade() -> None:
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compute_type", sa.String(length=32), nullable=True))
    _origin_check("'mt', 'tm', 'scratch'")

    op.create_table(
        "edit_step",
        sa.Column("id", BigId, nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("text_before", sa.Text(), nullable=True),
        sa.Column("text_after", sa.Text(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("active_ms", sa.BigInteger(), nullable=False),
        sa.Column("edit_ms", sa.BigInteger(), nullable=False),
        sa.Column("review_ms", sa.BigInteger(), nullable=False),
        sa.Column("keystrokes", sa.Integer(), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("first_event_id", sa.BigInteger(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.Column("stats_config", sa.String(length=200), nullable=True),
        sa.CheckConstraint("kind IN ('draft', 'edit', 'review')", name=op.f("ck_edit_step_kind")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_edit_step_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_edit_step_segment_id_segment")
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_edit_step_editor_id_editor")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["draft.id"], name=op.f("fk_edit_step_draft_id_draft")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edit_step")),
    )
    with op.batch_alter_table("edit_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_edit_step_document_id"), ["document_id"], unique=False)
        batch_op.create_index("ix_edit_step_segment_seq", ["segment_id", "seq"], unique=False)

    from mt.store.steps import rebuild_all_steps

    rebuild_all_steps(op.get_bind())  # plain Core statements: the connection does


def downgrade() -> None:
    with op.batch_alter_table("edit_step", schema=None) as batch_op:
        batch_op.drop_index("ix_edit_step_segment_seq")
        batch_op.drop_index(batch_op.f("ix_edit_step_document_id"))
    op.drop_table("edit_step")
    _origin_check("'mt', 'tm'")
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("compute_type")
