"""Training data from the edit log: approved pairs, de-duplicated, split by document and time.

Each approved segment gives a pair (Korean source, the English the desk approved). Its
`origin` says where the text the editor started from came from: ``mt`` (the model's draft, or
an NMT fallback draft), ``tm`` (a translation-memory match) or ``scratch`` (no draft: translated
from scratch). All are human-approved translations and are included; their origin is kept with
each pair and counted in the summary, and `origins` restricts them (e.g. to ``mt`` alone).

De-duplication: one pair per source (NFC, whitespace collapsed: `mt.store.tm.tm_key`), the most
recently approved. So a sentence never appears on both sides of the split.

Split (`split_pairs`): documents are ordered by their newest approval; the most recent
documents are held out for evaluation until they hold at least ``max(ceil(share × pairs),
min_holdout)`` pairs, and are never trained on. Of the training documents, the most recent ones
(about a tenth of the training pairs) form the development set, whose loss decides early
stopping, so the evaluation documents take no part in choosing the model.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from mt.errors import InvalidValue, TransdeskError

if TYPE_CHECKING:
    import os

    from mt.store.db import Store


__all__ = [
    "ORIGINS",
    "Pair",
    "Split",
    "approved_pairs",
    "parse_documents",
    "parse_since",
    "split_pairs",
]

ORIGINS = ("mt", "tm", "scratch")
DEFAULT_HOLDOUT = 0.1
MIN_HOLDOUT = 20
DEFAULT_MIN_PAIRS = 100
DEV_SHARE = 0.1


@dataclass(frozen=True)
class Pair:
    """One approved segment: source, approved English, where its draft came from, when."""

    source: str
    target: str
    document_id: int
    segment_id: int
    origin: str
    approved_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "approved_at": self.approved_at.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pair:
        return cls(**{**data, "approved_at": datetime.fromisoformat(data["approved_at"])})


@dataclass(frozen=True)
class Split:
    """Training, development (early stopping) and held-out (evaluation) pairs."""

    train: list[Pair]
    dev: list[Pair]
    heldout: list[Pair]

    def summary(self) -> dict[str, Any]:
        """Sizes, origins, documents and approval date range of each part."""

        def part(pairs: Sequence[Pair]) -> dict[str, Any]:
            times = [p.approved_at for p in pairs]
            return {
                "pairs": len(pairs),
                "documents": len({p.document_id for p in pairs}),
                "origins": {o: sum(p.origin == o for p in pairs) for o in ORIGINS},
                "from": min(times).isoformat() if times else None,
                "to": max(times).isoformat() if times else None,
            }

        return {"train": part(self.train), "dev": part(self.dev), "heldout": part(self.heldout)}

    def fingerprint(self) -> str:
        """sha256 of the split's pairs: a resumed run must continue on the very same data."""
        digest = hashlib.sha256()
        for name, pairs in (("train", self.train), ("dev", self.dev), ("heldout", self.heldout)):
            for p in pairs:
                digest.update(f"{name}\0{p.segment_id}\0{p.source}\0{p.target}\n".encode())
        return digest.hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {k: [p.to_json() for p in getattr(self, k)] for k in ("train", "dev", "heldout")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Split:
        return cls(**{k: [Pair.from_json(p) for p in data[k]] for k in ("train", "dev", "heldout")})


def parse_since(value: str | None) -> datetime | None:
    """A `--since` date (YYYY-MM-DD, or an ISO time) as a UTC time; InvalidValue otherwise."""
    if not value:
        return None
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
        t = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValue(f"since {value!r} is not a date (YYYY-MM-DD)") from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def parse_documents(value: str | None) -> list[int] | None:
    """`--documents` ids: "3,5,8-12"; InvalidValue for anything else."""
    if value is None:
        return None
    ids: list[int] = []
    for part in (p.strip() for p in value.split(",")):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not m:
            raise InvalidValue(f"documents {value!r}: expected ids like 3,5,8-12")
        low, high = int(m.group(1)), int(m.group(2) or m.group(1))
        if high < low:
            raise InvalidValue(f"documents {value!r}: range {part} runs backwards")
        ids.extend(range(low, high + 1))
    if not ids:
        raise InvalidValue("documents names no document")
    return sorted(set(ids))


def _origin(draft_origin: str | None) -> str:
    if draft_origin in ("mt", "fallback"):
        return "mt"
    if draft_origin == "tm":
        return "tm"
    return "scratch"


def approved_pairs(
    store: Store,
    *,
    since: datetime | None = None,
    documents: Sequence[int] | None = None,
    origins: Sequence[str] = ORIGINS,
) -> list[Pair]:
    """The desk's approved segments as pairs, de-duplicated by source (newest approval kept),
    oldest first."""
    from mt.store.tm import tm_key
    from mt.store.training_rows import approved_segments

    bad = [o for o in origins if o not in ORIGINS]
    if bad or not origins:
        raise InvalidValue(f"origins: choose from {', '.join(ORIGINS)}")
    rows = approved_segments(store, documents)
    newest: dict[str, Pair] = {}
    for seg_id, doc_id, source, target, draft_origin, at in rows:
        if since is not None and at < since:
            continue
        if not (source or "").strip() or not (target or "").strip():
            continue
        pair = Pair(source, target, doc_id, seg_id, _origin(draft_origin), at)
        if pair.origin not in origins:
            continue
        key = tm_key(source)
        old = newest.get(key)
        if old is None or (pair.approved_at, pair.segment_id) > (old.approved_at, old.segment_id):
            newest[key] = pair
    return sorted(newest.values(), key=lambda p: (p.approved_at, p.segment_id))


def _by_recency(pairs: Sequence[Pair]) -> list[list[Pair]]:
    """Pairs grouped by document, most recently approved document first."""
    docs: dict[int, list[Pair]] = {}
    for p in pairs:
        docs.setdefault(p.document_id, []).append(p)
    return sorted(
        docs.values(),
        key=lambda ps: (max(p.approved_at for p in ps), ps[0].document_id),
        reverse=True,
    )


def _take_recent(docs: list[list[Pair]], need: int) -> tuple[list[Pair], list[list[Pair]]]:
    taken: list[Pair] = []
    while docs and len(taken) < need:
        taken.extend(docs.pop(0))
    return taken, docs


def split_pairs(
    pairs: Sequence[Pair],
    *,
    holdout: float = DEFAULT_HOLDOUT,
    min_holdout: int = MIN_HOLDOUT,
    min_pairs: int = DEFAULT_MIN_PAIRS,
) -> Split:
    """Hold out the most recent documents, then a development set; the rest trains.

    Raises:
        InvalidValue: `holdout` is not between 0 and 1 (exclusive).
        TransdeskError: fewer than `min_pairs` pairs, or no training document left.
    """
    if not 0.0 < holdout < 1.0:
        raise InvalidValue(f"held-out share {holdout:g} must be between 0 and 1 (e.g. 0.1)")
    if len(pairs) < min_pairs:
        raise TransdeskError(
            f"only {len(pairs)} approved pairs to learn from; at least {min_pairs} are needed "
            "(approve more segments, or lower the minimum)"
        )
    docs = _by_recency(pairs)
    heldout, rest = _take_recent(docs, max(math.ceil(holdout * len(pairs)), min_holdout))
    if not rest:
        raise TransdeskError(
            f"all {len(pairs)} approved pairs are in the {len(docs) + 1 if docs else 1} most "
            "recent document(s), which are held out for evaluation: nothing is left to train on"
        )
    train_count = sum(len(d) for d in rest)
    if len(rest) > 1:
        dev, rest = _take_recent(rest, max(1, math.ceil(DEV_SHARE * train_count)))
        if not rest:  # one document held nearly everything: give it back to training
            rest, dev = [dev], []
        train = [p for d in rest for p in d]
    else:
        only = rest[0]
        cut = max(1, math.ceil(DEV_SHARE * len(only))) if len(only) > 1 else 0
        train, dev = only[: len(only) - cut], only[len(only) - cut :]
    order = lambda ps: sorted(ps, key=lambda p: (p.approved_at, p.segment_id))  # noqa: E731
    return Split(order(train), order(dev), order(heldout))


def write_split(split: Split, path: str | os.PathLike[str]) -> None:
    """Save a split as JSON (for resumption)."""
    from pathlib import Path

    Path(path).write_text(json.dumps(split.to_json(), ensure_ascii=False), encoding="utf-8")


def read_split(path: str | os.PathLike[str]) -> Split:
    """A split saved by `write_split`."""
    from pathlib import Path

    return Split.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
