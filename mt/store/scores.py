"""Cached sacrebleu statistics of (draft, final) pairs, so reports add numbers up, not re-score."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from mt.store.db import Store

Pair = tuple[int, str, str]  # (draft id, draft text, final text)
_CHUNK = 500


def final_hash(text: str) -> str:
    """The cache key of a final text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _existing(session: Any, keys: set[tuple[int, str]], config: str) -> dict:
    from sqlalchemy import select

    from mt.store.models import MetricStats

    found: dict[tuple[int, str], dict] = {}
    draft_ids = sorted({d for d, _ in keys})
    for i in range(0, len(draft_ids), _CHUNK):
        rows = session.execute(
            select(MetricStats.draft_id, MetricStats.final_hash, MetricStats.stats).where(
                MetricStats.draft_id.in_(draft_ids[i : i + _CHUNK]),
                MetricStats.config == config,
            )
        ).all()
        for draft_id, digest, stats in rows:
            if (draft_id, digest) in keys:
                found[(draft_id, digest)] = stats
    return found


def pair_stats(store: Store, pairs: Sequence[Pair], *, session: Any = None) -> list[dict]:
    """sacrebleu statistics for each pair, from the cache or computed (and then cached).

    Arguments:
        pairs: (draft id, draft text, final text) triples.
        session: an open read session to look the cache up in (else one is opened).
    """
    from mt.metrics import batch_pair_stats, stats_config

    config = stats_config()
    keyed = [(d, final_hash(f)) for d, _, f in pairs]
    if session is not None:
        found = _existing(session, set(keyed), config)
    else:
        with store.session() as s:
            found = _existing(s, set(keyed), config)
    missing = {}
    for key, (_, draft, final) in zip(keyed, pairs, strict=True):
        if key not in found and key not in missing:
            missing[key] = (draft, final)
    if missing:
        keys = list(missing)
        computed = batch_pair_stats([missing[k][0] for k in keys], [missing[k][1] for k in keys])
        fresh = dict(zip(keys, computed, strict=True))
        _store(store, fresh, config)
        found.update(fresh)
    return [found[k] for k in keyed]


def cache_pair_stats(store: Store, pairs: Sequence[Pair]) -> None:
    """Make sure the cache holds statistics for these pairs."""
    pair_stats(store, pairs)


def _store(store: Store, fresh: dict[tuple[int, str], dict], config: str) -> None:
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
    except OperationalError:
        pass  # a cache: a read-only or busy database just means scoring again next time
