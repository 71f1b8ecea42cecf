"""Client files kept whole (#16): the original XLIFF of a document, each segment's place in it,
and human drafts.

`document_source` holds the bytes of the file a document was imported from (a client's XLIFF
1.2, 2.0 or SDLXLIFF), so the desk can write that very file back with its finals in it.
`segment_ref` ties a segment to its place in the file: the unit's id and, for a unit split
into several segments, the segment's own key (1.2 `mrk mid`, 2.0 `segment id` or number).
The draft origin check gains "human": a client's existing translation, stored as a draft.

SQLite cannot alter a CHECK constraint; its schema text is edited in place, as 0006 does (the
stored rows need no change: the check only gains a value).

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mt.store.sqlite_schema import replace_in_table_sql

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

_OLD = "origin IN ('mt', 'tm', 'scratch', 'fallback')"  # as 0006 left it
_NEW = "origin IN ('mt', 'tm', 'scratch', 'fallback', 'human')"


def _set_origin_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_draft_origin"), "draft", type_="check")
        op.create_check_constraint(op.f("ck_draft_origin"), "draft", new)
        return
    replace_in_table_sql(bind, "draft", old, new)


def upgrade() -> None:
    op.create_table(
        "document_source",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_document_source_document_id_document")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_source")),
    )
    op.create_table(
        "segment_ref",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Text(), nullable=False),
        sa.Column("segment_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_segment_ref_segment_id_segment")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_segment_ref_document_id_document")
        ),
        sa.PrimaryKeyConstraint("segment_id", name=op.f("pk_segment_ref")),
        sa.UniqueConstraint(
            "document_id", "unit_id", "segment_key", name="uq_segment_ref_document_place"
        ),
    )
    op.create_index(op.f("ix_segment_ref_unit_id"), "segment_ref", ["unit_id"])
    _set_origin_check(_OLD, _NEW)


def downgrade() -> None:
    op.execute("UPDATE draft SET origin = 'mt' WHERE origin = 'human'")
    _set_origin_check(_NEW, _OLD)
    op.drop_index(op.f("ix_segment_ref_unit_id"), table_name="segment_ref")
    op.drop_table("segment_ref")
    op.drop_table("document_source")
