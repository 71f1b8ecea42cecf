"""Translation memory (tm_entry) and the desk's glossary (glossary_term).

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tm_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("origin IN ('approved', 'tmx')", name=op.f("ck_tm_entry_origin")),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_tm_entry_editor_id_editor")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_tm_entry_segment_id_segment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tm_entry")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_tm_entry_key_hash")),
    )
    with op.batch_alter_table("tm_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tm_entry_length"), ["length"], unique=False)

    op.create_table(
        "glossary_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("korean", sa.String(length=200), nullable=False),
        sa.Column("english", sa.JSON(), nullable=False),
        sa.Column("avoid", sa.JSON(), nullable=False),
        sa.Column("case_sensitive", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_glossary_term_editor_id_editor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_term")),
        sa.UniqueConstraint("korean", name=op.f("uq_glossary_term_korean")),
    )


def downgrade() -> None:
    op.drop_table("glossary_term")
    with op.batch_alter_table("tm_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tm_entry_length"))
    op.drop_table("tm_entry")
