"""Cached sacrebleu statistics of (draft, final) pairs, so reports add numbers up, not re-score.

Each save caches the statistics of its segment's draft against the new text (after the save
has returned, see `Store.defer`) and drops the rows of that draft's earlier texts, so the cache
holds about one row per post-edited segment. A report reads them with one query and scores only
what is missing (and caches that too). The cache is derived data: emptying it only costs time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from mt.store.db import Store

Pair = tuple[int, str, str]  # (draft id, draft text, final text)
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


def _decode(raw: Any) -> dict:
    return raw if isinstance(raw, dict) else json.loads(raw)


def cached_for_current_drafts(session: Any, document_id: int | None = None) -> dict[Key, Any]:
    """Raw cached rows for the drafts segments currently point at (one query), undecoded."""
    from sqlalchemy import select

    from mt.metrics import stats_config
    from mt.store.models import MetricStats, Segment

    query = (
        select(MetricStats.draft_id, MetricStats.final_hash, _raw_stats_column())
        .join(Segment, Segment.draft_id == MetricStats.draft_id)
        .where(MetricStats.config == stats_config())
    )
    if document_id is not None:
        query = query.where(Segment.document_id == document_id)
    return {(d, h): raw for d, h, raw in session.execute(query).all()}


def _lookup(session: Any, keys: set[Key], config: str) -> dict[Key, Any]:
    from sqlalchemy import select

    from mt.store.models import MetricStats

    found: dict[Key, Any] = {}
    draft_ids = sorted({d for d, _ in keys})
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


def pair_stats(
    store: Store, pairs: Sequence[Pair], *, known: dict[Key, Any] | None = None
) -> list[dict]:
    """sacrebleu statistics for each pair, from the cache or computed (and then cached).

    Arguments:
        pairs: (draft id, draft text, final text) triples.
        known: cache rows already fetched (e.g. by `cached_for_current_drafts`); the rest are
            looked up, and what the cache lacks is scored with sacrebleu and stored.
    """
    from mt.metrics import batch_pair_stats, stats_config

    config = stats_config()
    keyed = [(d, final_hash(f)) for d, _, f in pairs]
    found: dict[Key, Any] = {}
    if known:
        found = {k: known[k] for k in keyed if k in known}
    unknown = {k for k in keyed if k not in found}
    if unknown:
        with store.session() as session:
            found.update(_lookup(session, unknown, config))
    missing: dict[Key, tuple[str, str]] = {}
    for key, (_, draft, final) in zip(keyed, pairs, strict=True):
        if key not in found and key not in missing:
            missing[key] = (draft, final)
    decoded = {k: _decode(v) for k, v in found.items()}
    if missing:
        keys = list(missing)
        computed = batch_pair_stats([missing[k][0] for k in keys], [missing[k][1] for k in keys])
        fresh = dict(zip(keys, computed, strict=True))
        _store(store, fresh, config, prune=False)
        decoded.update(fresh)
    return [decoded[k] for k in keyed]


def cache_pair_stats(store: Store, pairs: Sequence[Pair]) -> None:
    """Cache statistics for these (current) pairs and drop each draft's rows for other texts."""
    from mt.metrics import batch_pair_stats, stats_config

    if not pairs:
        return
    config = stats_config()
    latest = {d: (draft, final) for d, draft, final in pairs}
    keys = {(d, final_hash(final)) for d, (_, final) in latest.items()}
    with store.session() as session:
        have = set(_lookup(session, keys, config))
    todo = sorted(keys - have)
    texts = {(d, final_hash(final)): (draft, final) for d, (draft, final) in latest.items()}
    computed = batch_pair_stats([texts[k][0] for k in todo], [texts[k][1] for k in todo])
    _store(store, dict(zip(todo, computed, strict=True)), config, prune=True, keep=keys)


def _store(
    store: Store,
    fresh: dict[Key, dict],
    config: str,
    *,
    prune: bool,
    keep: set[Key] | None = None,
) -> None:
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
