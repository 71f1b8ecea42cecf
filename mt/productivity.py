"""Post-editing MT against translating from scratch (the DivEMT design): words per hour, gain.

The unit is the first person's step on a segment (R1 in `mt.attribution`): post-editing the
MT draft, or translating a from-scratch segment (empty draft, origin "scratch", drawn at random
by `transdesk import --from-scratch`). Later revisions by reviewers are not part of it.
Translation-memory drafts are left out. Time is the step's active editing time (its approval's
time excluded); steps outside MateCat's validity band (0.25-30 s per source word) are counted
as outliers and left out, as everywhere in reports.

Per side: segments, timed_segments, outliers, words, edit_seconds, seconds_per_word,
words_per_hour (with its bootstrap interval), keystrokes_per_char (keystrokes logged with the
steps' events per source character, None when none were logged). Then the gain, (words per
hour with MT - from scratch) / from scratch, with a bootstrap interval (each side resampled on
its own); overall and per editor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from mt.attribution import BAND, StepRow, chains

# Each side of the comparison and the draft origins it holds (an LLM's NMT fallback is MT).
SIDES = {"with_mt": ("mt", "fallback"), "from_scratch": ("scratch",)}


def _side(steps: Sequence[StepRow], *, n_samples: int, seed: int) -> dict[str, Any]:
    from mt.intervals import ratio_interval

    timed, outliers = [], 0
    for s in steps:
        if s.edit_ms <= 0 or s.words == 0:
            continue
        if BAND[0] <= s.edit_ms / 1000 / s.words <= BAND[1]:
            timed.append(s)
        else:
            outliers += 1
    seconds = sum(s.edit_ms for s in timed) / 1000
    words = sum(s.words for s in timed)
    keyed = [s for s in timed if s.keystrokes is not None]
    chars = sum(len("".join(s.source.split())) for s in keyed)
    return {
        "segments": len(steps),
        "timed_segments": len(timed),
        "outliers": outliers,
        "words": words,
        "edit_seconds": round(seconds, 3),
        "seconds_per_word": round(seconds / words, 6) if words else None,
        "words_per_hour": round(3600 * words / seconds, 2) if seconds else None,
        "words_per_hour_ci95": ratio_interval(
            [s.words for s in timed],
            [s.edit_ms / 1000 for s in timed],
            scale=3600,
            n_samples=n_samples,
            seed=seed,
        ),
        "keystrokes_per_char": (
            round(sum(s.keystrokes or 0 for s in keyed) / chars, 4) if chars else None
        ),
        "_timed": timed,
    }


def _compare(steps: Sequence[StepRow], *, n_samples: int, seed: int) -> dict[str, Any]:
    from mt.intervals import gain_interval

    sides = {
        name: _side([s for s in steps if s.origin in origins], n_samples=n_samples, seed=seed)
        for name, origins in SIDES.items()
    }
    with_mt, scratch = sides["with_mt"], sides["from_scratch"]
    gain = None
    if with_mt["words_per_hour"] and scratch["words_per_hour"]:
        gain = round(
            (with_mt["words_per_hour"] - scratch["words_per_hour"]) / scratch["words_per_hour"], 4
        )
    interval = gain_interval(
        ([s.edit_ms / 1000 for s in with_mt["_timed"]], [s.words for s in with_mt["_timed"]]),
        ([s.edit_ms / 1000 for s in scratch["_timed"]], [s.words for s in scratch["_timed"]]),
        n_samples=n_samples,
        seed=seed,
    )
    for side in sides.values():
        del side["_timed"]
    return {**sides, "gain": gain, "gain_ci95": interval}


def productivity(steps: Sequence[StepRow], *, n_samples: int, seed: int) -> dict[str, Any]:
    """The `productivity` section of a report (see the module docstring)."""
    first = []
    for chain in chains(steps).values():
        if chain[0].kind == "draft" and len(chain) > 1 and chain[1].kind == "edit":
            first.append(chain[1])
    by_editor: dict[str, list[StepRow]] = defaultdict(list)
    for s in first:
        by_editor[s.editor or "(unknown)"].append(s)
    return {
        **_compare(first, n_samples=n_samples, seed=seed),
        "editors": [
            {"editor": name, **_compare(mine, n_samples=n_samples, seed=seed)}
            for name, mine in sorted(by_editor.items())
        ],
    }
