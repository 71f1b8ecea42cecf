"""sacrebleu statistics of (draft, final) pairs, cached so reports add numbers up, not re-score.

Each save caches the statistics of its segment's draft against the new text (after the save
has returned, see `Store.defer`) and drops the rows of that draft's earlier texts, so the cache
(`mt.store.scores`) holds about one row per post-edited segment. A report reads them with one
query and scores only what is missing (and caches that too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mt.store.db import Store
    from mt.store.scores import Key

__all__ = ["Pair", "cache_pair_stats", "pair_stats"]

Pair = tuple[int, str, str]  # (draft id, draft text, final text)


def pair_stats(
    store: Store, pairs: Sequence[Pair], *, known: dict[Key, Any] | None = None
) -> list[dict]:
    """sacrebleu statistics for each pair, from the cache or computed (and then cached).

    Arguments:
        pairs: (draft id, draft text, final text) triples.
        known: cache rows already fetched (e.g. by `mt.store.scores.cached_for_current_drafts`);
            the rest are looked up, and what the cache lacks is scored with sacrebleu and stored.
    """
    from mt.metrics import batch_pair_stats, stats_config
    from mt.store.scores import cached_stats, decode, final_hash, put_stats

    config = stats_config()
    keyed = [(d, final_hash(f)) for d, _, f in pairs]
    found: dict[Key, Any] = {}
    if known:
        found = {k: known[k] for k in keyed if k in known}
    unknown = {k for k in keyed if k not in found}
    if unknown:
        found.update(cached_stats(store, unknown, config))
    missing: dict[Key, tuple[str, str]] = {}
    for key, (_, draft, final) in zip(keyed, pairs, strict=True):
        if key not in found and key not in missing:
            missing[key] = (draft, final)
    decoded = {k: decode(v) for k, v in found.items()}
    if missing:
        keys = list(missing)
        computed = batch_pair_stats([missing[k][0] for k in keys], [missing[k][1] for k in keys])
        fresh = dict(zip(keys, computed, strict=True))
        put_stats(store, fresh, config, prune=False)
        decoded.update(fresh)
    return [decoded[k] for k in keyed]


def cache_pair_stats(store: Store, pairs: Sequence[Pair]) -> None:
    """Cache statistics for these (current) pairs and drop each draft's rows for other texts."""
    from mt.metrics import batch_pair_stats, stats_config
    from mt.store.scores import cached_stats, final_hash, put_stats

    if not pairs:
        return
    config = stats_config()
    latest = {d: (draft, final) for d, draft, final in pairs}
    keys = {(d, final_hash(final)) for d, (_, final) in latest.items()}
    have = set(cached_stats(store, keys, config))
    todo = sorted(keys - have)
    texts = {(d, final_hash(final)): (draft, final) for d, (draft, final) in latest.items()}
    computed = batch_pair_stats([texts[k][0] for k in todo], [texts[k][1] for k in todo])
    put_stats(store, dict(zip(todo, computed, strict=True)), config, prune=True, keep=keys)
