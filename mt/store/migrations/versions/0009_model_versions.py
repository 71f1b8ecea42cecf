"""Model versions (model_version) and their events (model_event): `transdesk adapt`.

`model_version` lists the models the desk has drafted with or could: a base model (a registry
name, hub id or folder) and each model adapted from it on the desk's approved post-edits, with
its model card and its scores before and after adaptation. `model_event` is the log of what
happened to them (registered, promoted, refused, switched, rolled back), newest last; the
desk's drafting model is the version of the newest promoted/switched/rolled-back event. Like the
edit log, `model_event` is append-only: triggers refuse UPDATE, DELETE (and on PostgreSQL
TRUNCATE), so the history of which model drafted when cannot be rewritten.

Revision ID: 0009
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0010"
branch_labels = None
depends_on = None

APPEND_ONLY = "model_event is append-only"


def upgrade() -> None:
    op.create_table(
        "model_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("model_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("card", sa.JSON(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('base', 'adapted')", name=op.f("ck_model_version_kind")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["model_version.id"],
            name=op.f("fk_model_version_parent_id_model_version"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["editor.id"], name=op.f("fk_model_version_created_by_id_editor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_version")),
        sa.UniqueConstraint("model_id", "revision", name="uq_model_version_model_revision"),
    )
    op.create_table(
        "model_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('registered', 'promoted', 'refused', 'switched', 'rolled_back')",
            name=op.f("ck_model_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_version.id"],
            name=op.f("fk_model_event_version_id_model_version"),
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_model_event_editor_id_editor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_event")),
    )

    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER model_event_no_{action.lower()} BEFORE {action} ON model_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
        op.execute(
            "CREATE TRIGGER model_event_no_replace BEFORE INSERT ON model_event "
            "WHEN EXISTS (SELECT 1 FROM model_event WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION transdesk_model_event_append_only() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}' "
        "USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        "CREATE TRIGGER model_event_no_change BEFORE UPDATE OR DELETE ON model_event "
        "FOR EACH ROW EXECUTE FUNCTION transdesk_model_event_append_only()"
    )
    op.execute(
        "CREATE TRIGGER model_event_no_truncate BEFORE TRUNCATE ON model_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION transdesk_model_event_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("model_event_no_update", "model_event_no_delete", "model_event_no_replace"):
            op.execute(f"DROP TRIGGER {trigger}")
    else:
        op.execute("DROP TRIGGER model_event_no_change ON model_event")
        op.execute("DROP TRIGGER model_event_no_truncate ON model_event")
        op.execute("DROP FUNCTION transdesk_model_event_append_only()")
    op.drop_table("model_event")
    op.drop_table("model_version")
