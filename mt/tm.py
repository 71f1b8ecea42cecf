"""Translation memory: approved pairs and TMX units, reused in drafts and shown as fuzzy matches.

Entries. One entry per Korean source (the latest English wins): approving a segment adds its
pair or replaces the English of an entry with the same source (`remember`, called by the store
on every approval, so a re-approval updates it); `import_tmx` adds the pairs of a TMX file and,
unless told to keep existing entries, replaces the English of those already there.

Exact matches. Sources are compared by `tm_key`: NFC, runs of whitespace collapsed to one space,
ends stripped. The key's SHA-256 is a unique, indexed column, so a document's segments are looked
up in a few indexed queries. `TMEngine` wraps an engine so that exactly matched sentences take
the memory's English (a draft with origin "tm") and only the others are sent to the model.

Fuzzy matches. `fuzzy_matches` scores entries with rapidfuzz's `fuzz.ratio` (normalised Indel
similarity of the keys' characters, 0-100; it counts word order and Korean particles, which
a post-editor has to fix). A ratio of at least r needs the shorter key to have at least
r / (200 - r) of the longer one's characters, so only entries in that length range are scored,
with `process.extract(..., score_cutoff=r)`. The keys are held in memory by length and only new
entries are read on each lookup (`_KeyIndex`). Each match carries a
word diff (`mt.textdiff`) from the memory's source to the current one, so the editor sees what
differs.

TMX: `import_tmx` reads Korean-English `<tu>`s with `mt.formats.tmx.read_tmx`; `export_tmx`
writes every entry with `write_tmx`.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.engines.base import EngineWrapper, Translator
from mt.errors import InputError

if TYPE_CHECKING:
    from mt.store.db import Store
    from mt.textdiff import DiffOp
    from mt.types import Hypothesis

__all__ = [
    "FUZZY_CUTOFF",
    "TM_DRAFT",
    "TMEngine",
    "TMEntryView",
    "TMImportResult",
    "TMMatch",
    "drafting_engine",
    "exact_matches",
    "export_tmx",
    "fuzzy_matches",
    "import_tmx",
    "remember",
    "tm_key",
    "tm_size",
]

FUZZY_CUTOFF = 75.0
# What a translation-memory draft records instead of an engine's signature.
TM_DRAFT = {
    "engine": "tm",
    "model_id": "translation-memory",
    "revision": None,
    "beam": None,
    "compute_type": None,
    "max_length": None,
    "is_test_model": False,
    "generation": None,
}
_CHUNK = 500
_SPACES = re.compile(r"\s+")


def tm_key(text: str) -> str:
    """The lookup key of a source: NFC, whitespace runs as one space, ends stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TMEntryView:
    """One translation-memory entry; `origin` is "approved" (from a segment) or "tmx"."""

    id: int
    source: str
    target: str
    origin: str
    segment_id: int | None
    updated_at: datetime | None


@dataclass(frozen=True)
class TMMatch:
    """A fuzzy (or exact, score 100) match for a source.

    `diff` goes from the memory's source (`before`) to the current source (`after`).
    """

    entry: TMEntryView
    score: float
    diff: tuple[DiffOp, ...]

    @property
    def source(self) -> str:
        return self.entry.source

    @property
    def target(self) -> str:
        return self.entry.target


@dataclass(frozen=True)
class TMImportResult:
    """What an import did: entries added, English replaced, already equal, and kept as they were
    (an existing entry with other English when replacing was not wanted)."""

    added: int
    updated: int
    unchanged: int
    kept: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged + self.kept


def _entry_view(row: Any) -> TMEntryView:
    return TMEntryView(row.id, row.source, row.target, row.origin, row.segment_id, row.updated_at)


def _upsert(session: Any, rows: list[dict[str, Any]], *, replace_target: bool) -> None:
    """INSERT, or on the same key_hash update the English (or do nothing), on both databases."""
    from mt.store.models import TMEntry

    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(TMEntry)
    if replace_target:
        stmt = stmt.on_conflict_do_update(
            index_elements=["key_hash"],
            set_={
                name: stmt.excluded[name]
                for name in ("source", "target", "origin", "segment_id", "editor_id", "updated_at")
            },
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=["key_hash"])
    session.execute(stmt, rows)


def _row(
    source: str,
    target: str,
    origin: str,
    now: datetime,
    segment_id: int | None = None,
    editor_id: int | None = None,
) -> dict[str, Any]:
    key = tm_key(source)
    return {
        "key_hash": _hash(key),
        "key": key,
        "length": len(key),
        "source": unicodedata.normalize("NFC", source),
        "target": unicodedata.normalize("NFC", target),
        "origin": origin,
        "segment_id": segment_id,
        "editor_id": editor_id,
        "created_at": now,
        "updated_at": now,
    }


def remember(
    session: Any, source: str, target: str, *, segment_id: int | None, editor_id: int | None
) -> None:
    """Add (or update) the entry for an approved segment, inside the caller's write session.

    Blank sources or targets are not remembered.
    """
    from mt.store.models import utcnow

    if not tm_key(source) or not target.strip():
        return
    _upsert(
        session,
        [_row(source, target, "approved", utcnow(), segment_id, editor_id)],
        replace_target=True,
    )


def add_pairs(
    store: Store,
    pairs: Iterable[tuple[str, str]],
    *,
    replace_existing: bool = True,
    by: str | None = None,
) -> TMImportResult:
    """Add (Korean, English) pairs as "tmx" entries; a source given twice keeps its last English.

    Arguments:
        replace_existing: replace the English of entries already in the memory (default), or
            keep them as they are.
        by: the signed-in user doing it; once accounts exist it must be an admin.

    Raises:
        PermissionDenied: accounts exist and `by` is not an admin.
    """
    from sqlalchemy import select

    from mt.store.accounts import _require_admin, clean_name, find_editor
    from mt.store.models import TMEntry, utcnow

    now = utcnow()
    latest: dict[str, tuple[str, str]] = {}
    for source, target in pairs:
        key = tm_key(source)
        if key and target.strip():
            latest[_hash(key)] = (source, target)
    added = updated = unchanged = kept = 0
    hashes = list(latest)
    with store.session(write=True) as session:
        _require_admin(session, by, "import a translation memory")
        who = find_editor(session, clean_name(by)) if by else None
        for i in range(0, len(hashes), _CHUNK):
            chunk = hashes[i : i + _CHUNK]
            existing = dict(
                session.execute(
                    select(TMEntry.key_hash, TMEntry.target).where(TMEntry.key_hash.in_(chunk))
                ).all()
            )
            rows = []
            for h in chunk:
                source, target = latest[h]
                target = unicodedata.normalize("NFC", target)
                if h not in existing:
                    added += 1
                elif existing[h] == target:
                    unchanged += 1
                    continue
                elif replace_existing:
                    updated += 1
                else:
                    kept += 1
                    continue
                rows.append(_row(source, target, "tmx", now, None, who.id if who else None))
            if rows:
                _upsert(session, rows, replace_target=replace_existing)
    return TMImportResult(added, updated, unchanged, kept)


def import_tmx(
    store: Store, path: str | Path, *, replace_existing: bool = True, by: str | None = None
) -> TMImportResult:
    """Add the Korean-English units of a TMX file to the memory (see `add_pairs`).

    Raises:
        InputError: the file is unreadable, unsafe or not TMX, or has no Korean-English unit.
        PermissionDenied: accounts exist and `by` is not an admin.
    """
    from mt.formats.tmx import read_tmx

    pairs = read_tmx(path)
    if not pairs:
        raise InputError(f"{Path(path).name}: no unit with both Korean (ko) and English (en) text")
    return add_pairs(store, pairs, replace_existing=replace_existing, by=by)


def export_tmx(store: Store, out: str | Path) -> int:
    """Write every entry (oldest first) as a TMX 1.4 file; returns how many were written."""
    from sqlalchemy import select

    from mt.formats.tmx import write_tmx
    from mt.store.models import TMEntry

    with store.session() as session:
        pairs = [
            (s, t)
            for s, t in session.execute(
                select(TMEntry.source, TMEntry.target).order_by(TMEntry.id)
            ).all()
        ]
    write_tmx(pairs, out)
    return len(pairs)


def tm_size(store: Store) -> int:
    """How many entries the memory holds."""
    from sqlalchemy import func, select

    from mt.store.models import TMEntry

    with store.session() as session:
        return session.execute(select(func.count()).select_from(TMEntry)).scalar_one()


def exact_matches(
    store: Store, sources: Sequence[str], *, exclude_document: int | None = None
) -> dict[str, TMEntryView]:
    """The entries whose key equals the key of each source, by source (those with one only).

    `exclude_document`: ignore entries made by approving that document's own segments.
    """
    from sqlalchemy import select

    from mt.store.models import Segment, TMEntry

    by_hash: dict[str, list[str]] = {}
    for source in sources:
        key = tm_key(source)
        if key:
            by_hash.setdefault(_hash(key), []).append(source)
    found: dict[str, TMEntryView] = {}
    hashes = list(by_hash)
    with store.session() as session:
        for i in range(0, len(hashes), _CHUNK):
            query = select(TMEntry).where(TMEntry.key_hash.in_(hashes[i : i + _CHUNK]))
            if exclude_document is not None:
                own = select(Segment.id).where(Segment.document_id == exclude_document)
                query = query.where(TMEntry.segment_id.is_(None) | TMEntry.segment_id.not_in(own))
            for row in session.execute(query).scalars():
                for source in by_hash[row.key_hash]:
                    if row.key == tm_key(source):  # a hash collision is not a match
                        found[source] = _entry_view(row)
    return found


def _length_range(length: int, cutoff: float) -> tuple[int, int]:
    """Key lengths that can reach `cutoff` with fuzz.ratio against a key of `length`."""
    if cutoff <= 0:
        return 0, 2**31 - 1
    share = cutoff / (200.0 - cutoff)
    return math.ceil(length * share - 1e-9), math.floor(length / share + 1e-9)


def fuzzy_matches(
    store: Store,
    source: str,
    *,
    limit: int = 5,
    cutoff: float = FUZZY_CUTOFF,
    exclude_segment: int | None = None,
) -> list[TMMatch]:
    """The best entries for `source` scoring at least `cutoff` (0-100), best first.

    Arguments:
        limit: at most this many matches.
        exclude_segment: leave out the entry that segment's own approval made (an approved
            segment would otherwise match itself).
    """
    from rapidfuzz import fuzz, process
    from sqlalchemy import select

    from mt.store.models import TMEntry
    from mt.textdiff import diff_words

    key = tm_key(source)
    if not key:
        return []
    with store.session() as session:
        candidates = _key_index(session).candidates(*_length_range(len(key), cutoff))
        # One more than asked: the excluded segment's entry (at most one) may be among them.
        best = process.extract(
            key, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit + 1
        )
        if not best:
            return []
        rows = session.execute(
            select(TMEntry).where(TMEntry.id.in_([entry_id for _, _, entry_id in best]))
        ).scalars()
        entries = {
            r.id: _entry_view(r)
            for r in rows
            if exclude_segment is None or r.segment_id != exclude_segment
        }
    # Ties keep the most recent entry first.
    best = sorted((m for m in best if m[2] in entries), key=lambda m: (-m[1], -m[2]))[:limit]
    return [
        TMMatch(
            entries[entry_id],
            round(float(score), 1),
            tuple(diff_words(entries[entry_id].source, source)),
        )
        for _, score, entry_id in best
    ]


class _KeyIndex:
    """The memory's lookup keys by length, held in memory and kept in step with the table.

    Reading tens of thousands of keys from the database for every lookup costs far more than
    scoring them, so each lookup only asks whether entries were added (count and highest id) and
    reads the new ones. An entry's key never changes (its key is what it is found by) and
    entries are never deleted; anything else unexpected reloads the whole index.
    """

    def __init__(self) -> None:
        self.by_length: dict[int, dict[int, str]] = {}
        self.known: set[int] = set()
        self.max_id = 0
        self.lock = threading.Lock()

    def refresh(self, session: Any) -> None:
        from sqlalchemy import func, select

        from mt.store.models import TMEntry

        count, max_id = session.execute(select(func.count(), func.max(TMEntry.id))).one()
        max_id = max_id or 0
        if count == len(self.known) and max_id == self.max_id:
            return
        query = select(TMEntry.id, TMEntry.key)
        if count >= len(self.known) and max_id >= self.max_id:
            query = query.where(TMEntry.id > self.max_id)
        else:
            self.by_length, self.known, self.max_id = {}, set(), 0
        for entry_id, key in session.execute(query).all():
            self.by_length.setdefault(len(key), {})[entry_id] = key
            self.known.add(entry_id)
            self.max_id = max(self.max_id, entry_id)
        if len(self.known) != count:  # rows vanished or appeared out of order: start again
            self.by_length, self.known, self.max_id = {}, set(), 0
            self.refresh(session)

    def candidates(self, low: int, high: int) -> dict[int, str]:
        out: dict[int, str] = {}
        for length, bucket in self.by_length.items():
            if low <= length <= high:
                out.update(bucket)
        return out


_indexes: dict[tuple[str, int], _KeyIndex] = {}
_indexes_lock = threading.Lock()


def _key_index(session: Any) -> _KeyIndex:
    """This database's key index, brought up to date within `session`."""
    bind = session.get_bind()
    with _indexes_lock:
        index = _indexes.setdefault((str(bind.url), id(bind.pool)), _KeyIndex())
    with index.lock:
        index.refresh(session)
    return index


# --- drafting ---------------------------------------------------------------------------------


class TMEngine(EngineWrapper):
    """An engine that takes exact translation-memory matches instead of translating them.

    Matched sentences get the memory's English as a `Hypothesis` with origin "tm" (no model
    score: NaN, stored as none); the others go to the wrapped engine in one call, which is not
    made at all when every sentence matched. The rest of the interface (`signature`,
    `model_id`, ...) is the wrapped engine's.

    Arguments:
        exclude_document: ignore entries made by that document's own approvals (when it is
            drafted again).
    """

    def __init__(
        self, engine: Translator, store: Store, *, exclude_document: int | None = None
    ) -> None:
        super().__init__(engine)
        self.store = store
        self.exclude_document = exclude_document

    def translate(
        self,
        sentences: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        reuse: Sequence[bool] | None = None,
        approved: Mapping[str, str] | None = None,
        **options: Any,
    ) -> list[Hypothesis]:
        """One hypothesis per sentence, in order; `reuse[i]` False sends sentence i to the
        model whatever the memory holds (default: every sentence may be reused). An engine that
        drafts with the article's context (an LLM) sees all `sentences` as the article, with
        the memory's matches and `approved` (Korean → approved English) as approved English."""
        from mt.types import Hypothesis

        if reuse is not None and len(reuse) != len(sentences):
            raise ValueError(f"reuse has {len(reuse)} flags for {len(sentences)} sentences")
        allowed = [s for i, s in enumerate(sentences) if reuse is None or reuse[i]]
        found = exact_matches(self.store, allowed, exclude_document=self.exclude_document)
        out: list[Hypothesis | None] = [
            Hypothesis(found[s].target, math.nan, 0.0, origin="tm")
            if s in found and (reuse is None or reuse[i])
            else None
            for i, s in enumerate(sentences)
        ]
        todo = [i for i, h in enumerate(out) if h is None]
        hits = len(sentences) - len(todo)
        if todo:
            step = None
            if progress is not None:

                def step(done: int, total: int) -> None:
                    progress(done + hits, total + hits)

            with self.engine.article(
                sentences, approved={**{s: e.target for s, e in found.items()}, **(approved or {})}
            ):
                drafted = self.engine.translate(
                    [sentences[i] for i in todo], progress=step, **options
                )
            for i, h in zip(todo, drafted, strict=True):
                out[i] = h
        elif progress is not None:
            progress(hits, hits)
        return [h for h in out if h is not None]


def drafting_engine(
    store: Store, engine: Translator, *, exclude_document: int | None = None
) -> TMEngine:
    """`engine` as documents are drafted with it: exact TM matches first (`TMEngine`), and MT
    drafts post-corrected to the store's glossary (`GlossaryEngine`) when it has terms."""
    from mt.qa.glossary import GlossaryEngine
    from mt.store.glossary import store_glossary

    glossary = store_glossary(store)
    engine.use_glossary(glossary)  # an LLM puts the terms found in a sentence into its prompt
    if glossary is not None and not isinstance(engine, GlossaryEngine):
        engine = GlossaryEngine(engine, glossary)
    return TMEngine(engine, store, exclude_document=exclude_document)


def draft_row(hypothesis: Hypothesis, meta: dict[str, Any]) -> dict[str, Any]:
    """The draft columns of a hypothesis: the engine's `meta`, `TM_DRAFT` for a TM match, or,
    for an LLM's NMT fallback, the fallback engine's meta with the LLM's settings kept in
    `generation["fallback_for"]`."""
    if hypothesis.origin == "tm":
        return dict(TM_DRAFT)
    row = {k: v for k, v in meta.items() if k != "fallback"}
    row.setdefault("generation", None)
    if hypothesis.origin == "fallback" and meta.get("fallback"):
        row = {**meta["fallback"], "generation": {"fallback_for": meta.get("generation")}}
    return row
