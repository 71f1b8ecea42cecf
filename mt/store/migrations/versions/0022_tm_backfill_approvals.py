"""Approvals made before the translation memory existed are put into it (#25).

Migration 0003 created `tm_entry` empty, so a database upgraded from 0001 kept its approved
segments out of the memory: `transdesk tm export` was empty and new drafts did not reuse them.
This migration adds what approving them would have added (`mt.store.tm.remember`): for each
source of an approved segment with non-blank English that has no entry yet, one "approved"
entry holding the English of the approved segment with that source changed last (its last
change, then its id, as migration 0021 chose), NFC-normalised, naming that segment and the
editor who changed it last. Blank sources are left out. An existing entry (a later approval,
a TMX unit) is left as it is, so running it again adds nothing.

The lookup key is copied here (`_key`, as `mt.store.tm.tm_key` was when this was written), so
the migration does the same thing whatever that function becomes.

Downgrade: nothing to undo (the entries are the ones the desk would have made).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-09
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_SPACES = re.compile(r"\s+")
_CHUNK = 500

tm_entry = sa.table(
    "tm_entry",
    sa.column("key_hash", sa.String()),
    sa.column("key", sa.Text()),
    sa.column("length", sa.Integer()),
    sa.column("source", sa.Text()),
    sa.column("target", sa.Text()),
    sa.column("origin", sa.String()),
    sa.column("segment_id", sa.Integer()),
    sa.column("editor_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
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


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _latest_approved() -> dict[str, tuple[int, str, str, int | None]]:
    """By key: (id, source, English, last changed by) of the approved segment with that
    source and non-blank English changed last."""
    found: dict[str, tuple[int, str, str, int | None]] = {}
    rows = op.get_bind().execute(
        sa.select(segment.c.id, segment.c.source, segment.c.target, segment.c.updated_by_id)
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
        if key and row.target.strip():
            found[key] = (row.id, row.source, row.target, row.updated_by_id)
    return found


def upgrade() -> None:
    bind = op.get_bind()
    latest = _latest_approved()
    if not latest:
        return
    now = datetime.now(timezone.utc)
    if bind.dialect.name == "sqlite":  # stored without a zone, as mt.store.models.UTCDateTime
        now = now.replace(tzinfo=None)
    keys = sorted(latest)
    for start in range(0, len(keys), _CHUNK):
        chunk = {_hash(key): key for key in keys[start : start + _CHUNK]}
        present = set(
            bind.execute(
                sa.select(tm_entry.c.key_hash).where(tm_entry.c.key_hash.in_(list(chunk)))
            ).scalars()
        )
        rows = []
        for key_hash, key in chunk.items():
            if key_hash in present:
                continue
            segment_id, source, target, editor_id = latest[key]
            rows.append(
                {
                    "key_hash": key_hash,
                    "key": key,
                    "length": len(key),
                    "source": unicodedata.normalize("NFC", source),
                    "target": unicodedata.normalize("NFC", target),
                    "origin": "approved",
                    "segment_id": segment_id,
                    "editor_id": editor_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if rows:
            bind.execute(sa.insert(tm_entry), rows)


def downgrade() -> None:
    """Nothing to undo: the entries are the ones the desk would have made."""
