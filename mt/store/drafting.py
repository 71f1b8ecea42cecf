"""Drafting a new document: which segments get no draft (from scratch) and which model drafts
the others (model A/B), both drawn at random from a seed, so a study can be repeated.

From scratch (the DivEMT design): ``round(share × segments)`` segments, drawn with
``random.Random(seed).sample``, get an empty draft with origin ``scratch``: the editor
translates them without MT, and reports compare words per hour with and without it. They are
never sent to the model or the translation memory.

Model A/B: the remaining segments are shuffled with the same generator and dealt to the
models in turn, so each model drafts a random half (third, ...) of them; each draft records
its own model. One model means every remaining segment is that model's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from mt.errors import InvalidValue

SCRATCH_DRAFT = {
    "engine": "none",
    "model_id": "from-scratch",
    "revision": None,
    "beam": None,
    "compute_type": None,
    "max_length": None,
    "is_test_model": False,
}

Progress = Callable[[int, int], None]


def check_share(share: float) -> float:
    """A from-scratch share as a fraction 0-1; InvalidValue otherwise."""
    try:
        value = float(share)
    except (TypeError, ValueError):
        raise InvalidValue(f"from-scratch share {share!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise InvalidValue(f"from-scratch share {value:g} must be between 0 and 1 (e.g. 0.3)")
    return value


def assign(n: int, *, models: int = 1, scratch_share: float = 0.0, seed: int | None = 0) -> list:
    """For each of `n` segments: the index of the model that drafts it, or None (from scratch).

    Reproducible: the same (n, models, share, seed) always gives the same assignment.
    """
    if models < 1:
        raise InvalidValue("at least one model is needed to draft")
    rng = random.Random(seed)
    share = check_share(scratch_share)
    scratch = set(rng.sample(range(n), round(share * n))) if share else set()
    rest = [i for i in range(n) if i not in scratch]
    out: list[int | None] = [None] * n
    if models == 1:
        for i in rest:
            out[i] = 0
        return out
    rng.shuffle(rest)
    for j, i in enumerate(rest):
        out[i] = j % models
    return out


def draft_segments(
    engines: Sequence[Any],
    sources: Sequence[str],
    assignment: Sequence[int | None],
    meta_of: Callable[[Any], dict[str, Any]],
    *,
    progress: Progress | None = None,
) -> list[tuple[Any, dict[str, Any]] | None]:
    """Translate each segment with its assigned engine: (hypothesis, draft meta) per segment,
    None for from-scratch ones. Each engine translates its share in one call."""
    out: list[tuple[Any, dict[str, Any]] | None] = [None] * len(sources)
    total = sum(a is not None for a in assignment)
    done = 0
    for k, engine in enumerate(engines):
        idx = [i for i, a in enumerate(assignment) if a == k]
        if not idx:
            continue

        def step(d: int, _t: int, base: int = done) -> None:
            if progress:
                progress(base + d, total)

        hyps = engine.translate([sources[i] for i in idx], progress=step)
        meta = meta_of(engine)
        for i, h in zip(idx, hyps, strict=True):
            out[i] = (h, meta)
        done += len(idx)
    if progress and total:
        progress(total, total)
    return out
