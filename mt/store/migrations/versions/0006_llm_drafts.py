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
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'draft'"
    ).scalar_one()
    if old not in table_sql:
        raise RuntimeError(f"draft table: the origin check is not {old!r}; cannot change it")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' "
            "AND name = 'draft'",
            (old, new),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    op.add_column("draft", sa.Column("generation", sa.JSON(), nullable=True))
    _set_origin_check(_OLD, _NEW)


def downgrade() -> None:
    op.execute("UPDATE draft SET origin = 'mt' WHERE origin = 'fallback'")
    _set_origin_check(_NEW, _OLD)
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("generation")
