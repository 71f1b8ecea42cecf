"""The cache table of sacrebleu statistics of (draft, final) pairs: read, write and prune rows.

A row is keyed by (draft id, SHA-256 of the final text, statistics config); what is computed and
when is `mt.scoring`'s. The cache is derived data: emptying it only costs time, so a write that
the database refuses (read-only, busy) is dropped.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.db import Store

__all__ = ["Key", "cached_for_current_drafts", "cached_stats", "decode", "final_hash", "put_stats"]

Key = tuple[int, str]  # (draft id, final hash)
_CHUNK = 500


def final_hash(text: str) -> str:
    """The cache key of a final text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _raw_stats_column() -> Any:
    # The JSON as text: decoding only the rows a report needs is much faster than all of them.
    from sqlalchemy import Text, type_coerce

    from mt.store.models import MetricStats

    return type_coerce(MetricStats.stats, Text)


def decode(raw: str | dict[str, Any]) -> dict[str, Any]:
    """A cached row's statistics (read undecoded, as JSON text, or already a dict)."""
    return raw if isinstance(raw, dict) else json.loads(raw)


def cached_for_current_drafts(
    session: Session, config: str, document_id: int | None = None
) -> dict[Key, Any]:
    """Raw cached rows (statistics `config`) for the drafts segments currently point at (one
    query), undecoded."""
    from sqlalchemy import select

    from mt.store.models import MetricStats, Segment

    query = (
        select(MetricStats.draft_id, MetricStats.final_hash, _raw_stats_column())
        .join(Segment, Segment.draft_id == MetricStats.draft_id)
        .where(MetricStats.config == config)
    )
    if document_id is not None:
        query = query.where(Segment.document_id == document_id)
    return {(d, h): raw for d, h, raw in session.execute(query).all()}


def cached_stats(store: Store, keys: set[Key], config: str) -> dict[Key, Any]:
    """The raw cached rows (undecoded) of those of `keys` that the cache holds."""
    from sqlalchemy import select

    from mt.store.models import MetricStats

    found: dict[Key, Any] = {}
    draft_ids = sorted({d for d, _ in keys})
    with store.session() as session:
        for i in range(0, len(draft_ids), _CHUNK):
            rows = session.execute(
                select(MetricStats.draft_id, MetricStats.final_hash, _raw_stats_column()).where(
                    MetricStats.draft_id.in_(draft_ids[i : i + _CHUNK]),
                    MetricStats.config == config,
                )
            ).all()
            for draft_id, digest, raw in rows:
                if (draft_id, digest) in keys:
                    found[(draft_id, digest)] = raw
    return found


def put_stats(
    store: Store,
    fresh: dict[Key, dict],
    config: str,
    *,
    prune: bool,
    keep: set[Key] | None = None,
) -> None:
    """Cache `fresh` statistics; with `prune`, drop each draft of `keep`'s rows for other
    texts or configs. A database that refuses the write is left as it is."""
    from sqlalchemy import delete, or_
    from sqlalchemy.exc import OperationalError

    from mt.store.accounts import insert_ignore
    from mt.store.models import MetricStats, utcnow

    now = utcnow()
    rows = [
        {"draft_id": d, "final_hash": h, "config": config, "stats": stats, "created_at": now}
        for (d, h), stats in fresh.items()
    ]
    try:
        with store.session(write=True) as session:
            for i in range(0, len(rows), _CHUNK):
                insert_ignore(session, MetricStats, rows[i : i + _CHUNK])
            if prune and keep:
                for draft_id, digest in keep:
                    session.execute(
                        delete(MetricStats).where(
                            MetricStats.draft_id == draft_id,
                            or_(MetricStats.final_hash != digest, MetricStats.config != config),
                        )
                    )
    except OperationalError:
        pass  # a cache: a read-only or busy database just means scoring again next time
