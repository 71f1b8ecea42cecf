"""The translation memory holds only what is approved now (#24).

Until now a segment approved and then reopened (or saved or reverted over by a reviewer) kept
its pair in the memory, and new drafts went on reusing it. From now on such a change withdraws
the pair (`mt.store.tm.withdraw`); this migration cleans the memories that exist by the same
rule: an entry made by approving a segment that is not approved now takes the English of the
latest approved other segment with the same source (its last change, then its id), or is
deleted. TMX entries, and approval entries that name no segment, stay as they are.

The lookup key is copied here (`_key`, as `mt.store.tm.tm_key` was when this was written), so
the migration does the same thing whatever that function becomes.

Downgrade: nothing to restore (the withdrawn pairs were stale, and which they were is not kept).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_SPACES = re.compile(r"\s+")

tm_entry = sa.table(
    "tm_entry",
    sa.column("id", sa.Integer()),
    sa.column("key", sa.Text()),
    sa.column("source", sa.Text()),
    sa.column("target", sa.Text()),
    sa.column("origin", sa.String()),
    sa.column("segment_id", sa.Integer()),
    sa.column("editor_id", sa.Integer()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
segment = sa.table(
    "segment",
    sa.column("id", sa.Integer()),
    sa.column("source", sa.Text()),
    sa.column("target", sa.Text()),
    sa.column("status", sa.String()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("updated_by_id", sa.Integer()),
)


def _key(text: str) -> str:
    """The lookup key of a source: NFC, whitespace runs as one space, ends stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _heirs(keys: set[str]) -> dict[str, tuple[int, str, str, int | None]]:
    """By key: (id, source, English, last changed by) of the approved segment with that source
    and non-blank English changed last."""
    found: dict[str, tuple[int, str, str, int | None]] = {}
    rows = op.get_bind().execute(
        sa.select(
            segment.c.id,
            segment.c.source,
            segment.c.target,
            segment.c.updated_by_id,
        )
        .where(segment.c.status == "approved")
        .execution_options(stream_results=True)
        # Oldest first, so the last one seen of each key wins; never-changed segments first.
        .order_by(
            sa.case((segment.c.updated_at.is_(None), 0), else_=1),
            segment.c.updated_at,
            segment.c.id,
        )
    )
    for row in rows:
        key = _key(row.source)
        if key in keys and row.target.strip():
            found[key] = (row.id, row.source, row.target, row.updated_by_id)
    return found


def upgrade() -> None:
    bind = op.get_bind()
    stale = bind.execute(
        sa.select(tm_entry.c.id, tm_entry.c.key)
        .select_from(tm_entry.join(segment, segment.c.id == tm_entry.c.segment_id))
        .where(tm_entry.c.origin == "approved", segment.c.status != "approved")
    ).all()
    if not stale:
        return
    heirs = _heirs({key for _, key in stale})
    now = datetime.now(timezone.utc)
    if bind.dialect.name == "sqlite":  # stored without a zone, as mt.store.models.UTCDateTime
        now = now.replace(tzinfo=None)
    for entry_id, key in stale:
        heir = heirs.get(key)
        if heir is None:
            bind.execute(sa.delete(tm_entry).where(tm_entry.c.id == entry_id))
            continue
        heir_id, source, target, editor_id = heir
        bind.execute(
            sa.update(tm_entry)
            .where(tm_entry.c.id == entry_id)
            .values(
                source=unicodedata.normalize("NFC", source),
                target=unicodedata.normalize("NFC", target),
                segment_id=heir_id,
                editor_id=editor_id,
                updated_at=now,
            )
        )


def downgrade() -> None:
    """Nothing to restore: the withdrawn pairs were stale, and which they were is not kept."""
