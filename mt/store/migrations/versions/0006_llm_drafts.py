"""LLM drafts: draft.generation (what made an LLM draft) and origin "fallback".

`generation` is a JSON object, NULL for NMT and translation-memory drafts: engine family, model
id and revision (or endpoint and model name), prompt template name and SHA-256, temperature,
context size; a "fallback" draft (the NMT draft taken when an LLM's replies failed validation)
holds the LLM's under "fallback_for". The origin check gains "fallback".

SQLite cannot alter a CHECK constraint; its schema text is edited in place as SQLite's ALTER
TABLE documentation describes for constraint changes that leave stored rows valid (the stored
rows need no change: the check only gains a value).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mt.store.sqlite_schema import replace_in_table_sql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_OLD = "origin IN ('mt', 'tm', 'scratch')"  # as 0005 left it
_NEW = "origin IN ('mt', 'tm', 'scratch', 'fallback')"


def _set_origin_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_draft_origin"), "draft", type_="check")
        op.create_check_constraint(op.f("ck_draft_origin"), "draft", new)
        return
    replace_in_table_sql(bind, "draft", old, new)


def upgrade() -> None:
    op.add_column("draft", sa.Column("generation", sa.JSON(), nullable=True))
    _set_origin_check(_OLD, _NEW)


def downgrade() -> None:
    op.execute("UPDATE draft SET origin = 'mt' WHERE origin = 'fallback'")
    _set_origin_check(_NEW, _OLD)
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("generation")
