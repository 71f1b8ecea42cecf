"""Close the edit log's REPLACE hole and make a rename of an editor an event.

SQLite's `INSERT OR REPLACE` / `REPLACE INTO` / `INSERT ... ON CONFLICT DO UPDATE` on an
existing edit_event id would delete the old row without firing DELETE triggers (unless
`recursive_triggers` is on), rewriting history. A BEFORE INSERT trigger now refuses any insert
that names an id already in the log, whatever its conflict clause (the store also turns
`recursive_triggers` on for every connection, so the implicit delete is refused as well).

An editor's identity is its id; its name is data. `editor_rename` records every change of a
name (old, new, when), filled by a trigger on `editor` itself, so no rename, by the store or by
hand in SQL, re-attributes history silently; it is append-only like the edit log. Replacing an
editor row wholesale (SQLite REPLACE on its id) is refused: renames go through UPDATE.

Revision ID: 0004
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0006"
branch_labels = None
depends_on = None

APPEND_ONLY = "edit_event is append-only"
RENAMES_APPEND_ONLY = "editor_rename is append-only"
NO_REPLACE = "an editor is replaced only by UPDATE (renames are logged)"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "editor_rename",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("old_name", sa.String(length=200), nullable=False),
        sa.Column("new_name", sa.String(length=200), nullable=False),
        sa.Column(
            "renamed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_editor_rename_editor_id_editor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor_rename")),
    )
    if _sqlite():
        op.execute(
            "CREATE TRIGGER edit_event_no_replace BEFORE INSERT ON edit_event "
            "WHEN EXISTS (SELECT 1 FROM edit_event WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
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
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER editor_rename_no_{action.lower()} BEFORE {action} "
                f"ON editor_rename BEGIN SELECT RAISE(ABORT, '{RENAMES_APPEND_ONLY}'); END"
            )
        op.execute(
            "CREATE TRIGGER editor_rename_no_replace BEFORE INSERT ON editor_rename "
            "WHEN EXISTS (SELECT 1 FROM editor_rename WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{RENAMES_APPEND_ONLY}'); END"
        )
        return
    # PostgreSQL has no REPLACE; ON CONFLICT DO UPDATE and MERGE fire the UPDATE trigger of 0001.
    op.execute(
        "CREATE FUNCTION transdesk_editor_log_rename() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN INSERT INTO editor_rename (editor_id, old_name, new_name) "
        "VALUES (NEW.id, OLD.name, NEW.name); RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER editor_log_rename AFTER UPDATE OF name ON editor FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION transdesk_editor_log_rename()"
    )
    op.execute(
        "CREATE FUNCTION transdesk_editor_rename_append_only() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN RAISE EXCEPTION '{RENAMES_APPEND_ONLY}' "
        "USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        "CREATE TRIGGER editor_rename_no_change BEFORE UPDATE OR DELETE ON editor_rename "
        "FOR EACH ROW EXECUTE FUNCTION transdesk_editor_rename_append_only()"
    )
    op.execute(
        "CREATE TRIGGER editor_rename_no_truncate BEFORE TRUNCATE ON editor_rename "
        "FOR EACH STATEMENT EXECUTE FUNCTION transdesk_editor_rename_append_only()"
    )


def downgrade() -> None:
    if _sqlite():
        for trigger in (
            "edit_event_no_replace",
            "editor_no_replace",
            "editor_log_rename",
            "editor_rename_no_update",
            "editor_rename_no_delete",
            "editor_rename_no_replace",
        ):
            op.execute(f"DROP TRIGGER {trigger}")
    else:
        op.execute("DROP TRIGGER editor_log_rename ON editor")
        op.execute("DROP TRIGGER editor_rename_no_change ON editor_rename")
        op.execute("DROP TRIGGER editor_rename_no_truncate ON editor_rename")
        op.execute("DROP FUNCTION transdesk_editor_log_rename()")
        op.execute("DROP FUNCTION transdesk_editor_rename_append_only()")
    op.drop_table("editor_rename")
