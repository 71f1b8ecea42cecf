"""Translation-memory rows: one entry per Korean source, written, counted and looked up.

Entries. One entry per Korean source (the latest English wins): approving a segment adds its
pair or replaces the English of an entry with the same source (`remember`, called inside the
approval's write session, so a re-approval updates it); `add_pairs` adds (Korean, English) pairs
(a TMX file's, read by `mt.tm.import_tmx`) and, unless told to keep existing entries, replaces
the English of those already there.

Approved now. The memory holds only what is approved now: a change that takes a segment out of
"approved" (reopen, or a reviewer's save or revert over it) withdraws its entry (`withdraw`,
in that change's write session). The entry then holds the English of the latest approved other
segment with the same source, or is deleted; TMX entries are never withdrawn. A re-approval
puts the pair back. Migration 0021 applied the same rule to existing memories.

Keys. Sources are compared by `tm_key`: NFC, runs of whitespace collapsed to one space, ends
stripped. The key's SHA-256 is a unique, indexed column, so a document's segments are looked up
exactly in a few indexed queries (`exact_matches`). For fuzzy matching (`mt.tm.fuzzy_matches`)
`key_candidates` gives the keys of a length range from an in-memory index (`_KeyIndex`) that
reads only the entries added or changed since its last look (and starts again when entries were
withdrawn), and `entries_by_id` the matched entries.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.db import Store
    from mt.store.models import TMEntry

__all__ = [
    "TMEntryView",
    "TMImportResult",
    "add_pairs",
    "entries_by_id",
    "exact_matches",
    "key_candidates",
    "recent_pairs",
    "remember",
    "tm_key",
    "tm_pairs",
    "tm_size",
    "tm_stamp",
    "withdraw",
]

_CHUNK = 500
_SPACES = re.compile(r"\s+")
_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


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


def _entry_view(row: TMEntry) -> TMEntryView:
    return TMEntryView(row.id, row.source, row.target, row.origin, row.segment_id, row.updated_at)


def _upsert(session: Session, rows: list[dict[str, Any]], *, replace_target: bool) -> None:
    """INSERT, or on the same key_hash update the English (or do nothing), on both databases."""
    from mt.store.db import upsert_insert
    from mt.store.models import TMEntry

    stmt = upsert_insert(session, TMEntry)
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
    session: Session, source: str, target: str, *, segment_id: int | None, editor_id: int | None
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


def withdraw(session: Session, segment_id: int) -> None:
    """Take a segment that is no longer approved out of the memory, inside the write session of
    the change that took it out of "approved" (after the segment row was written).

    The entry holding that segment's English then holds the English of the latest approved
    other segment with the same source (`_latest_approved`), or is deleted. TMX entries, and an
    entry another segment's approval holds, are left as they are.
    """
    from sqlalchemy import delete, select, update

    from mt.store.models import TMEntry, utcnow

    held = session.execute(
        select(TMEntry.id, TMEntry.key).where(
            TMEntry.segment_id == segment_id, TMEntry.origin == "approved"
        )
    ).all()
    for entry_id, key in held:
        heir = _latest_approved(session, key, exclude=segment_id)
        if heir is None:
            session.execute(
                delete(TMEntry)
                .where(TMEntry.id == entry_id)
                .execution_options(synchronize_session=False)
            )
            continue
        heir_id, source, target, editor_id = heir
        session.execute(
            update(TMEntry)
            .where(TMEntry.id == entry_id)
            .values(
                source=unicodedata.normalize("NFC", source),
                target=unicodedata.normalize("NFC", target),
                segment_id=heir_id,
                editor_id=editor_id,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )


def _latest_approved(
    session: Session, key: str, *, exclude: int
) -> tuple[int, str, str, int | None] | None:
    """(id, source, English, last changed by) of the approved segment other than `exclude`
    whose source has lookup key `key` and whose English is not blank, changed last (then the
    highest id); None when there is none.

    Sources are stored NFC, so the key's longest word is in each such source as typed: the
    database narrows the segments to those containing it, and `tm_key` decides.
    """
    from sqlalchemy import select

    from mt.store.models import Segment

    word = max(key.split(" "), key=len)
    rows = session.execute(
        select(
            Segment.id,
            Segment.source,
            Segment.target,
            Segment.updated_at,
            Segment.updated_by_id,
        ).where(
            Segment.status == "approved",
            Segment.id != exclude,
            Segment.source.contains(word, autoescape=True),
        )
    ).all()
    same = [r for r in rows if tm_key(r.source) == key and r.target.strip()]
    if not same:
        return None
    last = max(same, key=lambda r: (r.updated_at is not None, r.updated_at or _EPOCH, r.id))
    return last.id, last.source, last.target, last.updated_by_id


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

    from mt.store.accounts import clean_name, find_editor, require_admin
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
        require_admin(session, by, "import a translation memory", permission="memory")
        who = find_editor(session, clean_name(by)) if by else None
        for i in range(0, len(hashes), _CHUNK):
            chunk = hashes[i : i + _CHUNK]
            existing: dict[str, str] = {
                h: t
                for h, t in session.execute(
                    select(TMEntry.key_hash, TMEntry.target).where(TMEntry.key_hash.in_(chunk))
                ).all()
            }
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


def tm_pairs(store: Store) -> list[tuple[str, str]]:
    """Every entry's (Korean, English), oldest first."""
    from sqlalchemy import select

    from mt.store.models import TMEntry

    with store.session() as session:
        return [
            (s, t)
            for s, t in session.execute(
                select(TMEntry.source, TMEntry.target).order_by(TMEntry.id)
            ).all()
        ]


def tm_size(store: Store) -> int:
    """How many entries the memory holds."""
    from sqlalchemy import func, select

    from mt.store.models import TMEntry

    with store.session() as session:
        count: int = session.execute(select(func.count()).select_from(TMEntry)).scalar_one()
        return count


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


def key_candidates(store: Store, low: int, high: int) -> dict[int, str]:
    """Entry id → key of every entry whose key is `low` to `high` characters long, from the
    database's key index (brought up to date first)."""
    with store.session() as session:
        return _key_index(session).candidates(low, high)


def entries_by_id(
    store: Store, ids: Sequence[int], *, exclude_segment: int | None = None
) -> dict[int, TMEntryView]:
    """The entries with these ids, by id; `exclude_segment` leaves out the entry that segment's
    own approval made."""
    from sqlalchemy import select

    from mt.store.models import TMEntry

    with store.session() as session:
        rows = session.execute(select(TMEntry).where(TMEntry.id.in_(list(ids)))).scalars()
        return {
            r.id: _entry_view(r)
            for r in rows
            if exclude_segment is None or r.segment_id != exclude_segment
        }


class _KeyIndex:
    """The memory's lookup keys by length, held in memory and kept in step with the table.

    Reading tens of thousands of keys from the database for every lookup costs far more than
    scoring them, so each lookup only asks whether the entries changed (`tm_stamp`: count,
    highest id, newest change) and then reads those added or changed since its last look. A
    key never changes under its entry, but SQLite gives a deleted highest id to the next new
    entry, so a re-read entry replaces what the index held under its id. When the count then
    disagrees, entries were withdrawn (or a writer committed late): the index is read again
    whole, so a withdrawn entry is never a candidate.
    """

    def __init__(self) -> None:
        self.by_length: dict[int, dict[int, str]] = {}
        self.lengths: dict[int, int] = {}  # entry id → its key's length (its bucket)
        self.stamp: tuple | None = None
        self.lock = threading.Lock()

    def refresh(self, session: Session) -> None:
        from sqlalchemy import select

        from mt.store.models import TMEntry

        stamp = tm_stamp(session)
        if stamp == self.stamp:
            return
        query = select(TMEntry.id, TMEntry.key)
        if self.stamp is not None and self.stamp[2] is not None:
            self._add(session.execute(query.where(TMEntry.updated_at >= self.stamp[2])).all())
            if len(self.lengths) == stamp[0]:
                self.stamp = stamp
                return
        self.by_length, self.lengths = {}, {}
        self._add(session.execute(query).all())
        self.stamp = stamp

    def _add(self, rows: Iterable[tuple[int, str]]) -> None:
        for entry_id, key in rows:
            old = self.lengths.get(entry_id)
            if old is not None:
                del self.by_length[old][entry_id]
            self.by_length.setdefault(len(key), {})[entry_id] = key
            self.lengths[entry_id] = len(key)

    def candidates(self, low: int, high: int) -> dict[int, str]:
        out: dict[int, str] = {}
        for length, bucket in self.by_length.items():
            if low <= length <= high:
                out.update(bucket)
        return out


_indexes: dict[tuple[str, int], _KeyIndex] = {}
_indexes_lock = threading.Lock()


def _key_index(session: Session) -> _KeyIndex:
    """This database's key index, brought up to date within `session`."""
    from sqlalchemy import Engine

    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _indexes_lock:
        index = _indexes.setdefault((str(engine.url), id(engine.pool)), _KeyIndex())
    with index.lock:
        index.refresh(session)
    return index


def tm_stamp(session: Session) -> tuple:
    """(count, highest id, newest change) of the entries: changes whenever one is added,
    changed or withdrawn (deleted)."""
    from sqlalchemy import func, select

    from mt.store.models import TMEntry

    return tuple(
        session.execute(
            select(func.count(), func.max(TMEntry.id), func.max(TMEntry.updated_at))
        ).one()
    )


def recent_pairs(
    session: Session, *, changed_since: datetime | None, limit: int
) -> list[tuple[int, str, str]]:
    """(id, Korean, English) of the `limit` newest entries, newest first; with `changed_since`
    only those added or changed at or after it."""
    from sqlalchemy import select

    from mt.store.models import TMEntry

    query = select(TMEntry.id, TMEntry.source, TMEntry.target)
    if changed_since is not None:
        query = query.where(TMEntry.updated_at >= changed_since)
    return [
        (i, s, t)
        for i, s, t in session.execute(query.order_by(TMEntry.id.desc()).limit(limit)).all()
    ]
