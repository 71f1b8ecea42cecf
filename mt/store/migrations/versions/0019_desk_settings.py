"""Desk-wide settings (desk_setting): the house style override.

Revision ID: 0019
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_desk_setting_editor_id_editor")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_desk_setting")),
    )


def downgrade() -> None:
    op.drop_table("desk_setting")
