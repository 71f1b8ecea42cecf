"""Conflict resolutions in the edit log: `edit_event.resolution`.

When a save meets a newer version and the editor keeps their own text on top of the other
person's (Alt+M in the grid, "Keep mine" on the copy desk), the save is logged with what it
resolved: {"kept": "mine", "mine_from": the version the editor's text was typed against,
"theirs": the version it was saved on top of, "theirs_by": who made that version}. Every other
event leaves it NULL. The edit log stays append-only; the column is only ever set on insert.

Revision ID: 0020
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("edit_event", sa.Column("resolution", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("edit_event") as batch:
        batch.drop_column("resolution")
