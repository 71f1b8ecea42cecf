"""The translation memory holds only what is approved now (#24): a reopen, or a reviewer's save
or revert over an approval, withdraws the pair (another approved segment with the same source
takes the entry over, else it goes); a re-approval puts it back; TMX entries stay; migration
0021 cleans the memories that exist."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from mt.drafting import create_document
from mt.revising import approve_segment, reopen_segment, revert_to_mt, save_segment
from mt.store import add_user, list_segments, open_store
from mt.store.db import alembic_config, migrate
from mt.store.tm import add_pairs, exact_matches, tm_key, tm_pairs, tm_size
from mt.tm import fuzzy_matches

BUDGET = "정부는 내년 예산안을 국회에 제출했다."
COLD = "서울의 기온은 영하 10도까지 떨어졌다."
PRESS = "대통령은 기자회견에서 새로운 정책을 발표했다."
RATES = "한국은행은 기준금리를 동결했다."


def _doc(store, engine, lines: list[str], title: str = "news") -> int:
    return create_document(
        store, "\n".join(lines), title=title, engine=engine, created_by="kim", segment_mode="line"
    )


def _drafted(store, engine, source: str, title: str):
    """The draft a new one-line document with `source` gets."""
    return list_segments(store, _doc(store, engine, [source], title=title))[0].draft


def _approve(store, seg, english: str, editor: str = "kim"):
    return approve_segment(store, seg.id, editor=editor, base_version=seg.version, text=english)


def test_reopen_withdraws_and_reapproval_puts_back(store, tiny_engine):
    seg = list_segments(store, _doc(store, tiny_engine, [BUDGET, COLD]))[0]
    approved = _approve(store, seg, "The government sent next year's budget to the Assembly.")
    reused = _drafted(store, tiny_engine, BUDGET, "follow-up")
    assert (reused.origin, reused.text) == ("tm", approved.target)
    assert [m.target for m in fuzzy_matches(store, BUDGET)] == [approved.target]

    reopened = reopen_segment(store, seg.id, editor="kim", base_version=approved.version)
    assert reopened.status == "edited" and tm_size(store) == 0
    assert exact_matches(store, [BUDGET]) == {}
    assert fuzzy_matches(store, BUDGET) == []  # the key index read before the reopen knows
    drafted = _drafted(store, tiny_engine, BUDGET, "after the reopen")
    assert drafted.origin == "mt" and drafted.model_id == tiny_engine.model_id

    again = _approve(store, reopened, "The government submitted next year's budget.")
    reused = _drafted(store, tiny_engine, BUDGET, "after the re-approval")
    assert (reused.origin, reused.text) == ("tm", again.target)
    assert [m.target for m in fuzzy_matches(store, BUDGET)] == [again.target]


def test_a_withdrawn_entry_is_not_offered_by_the_cached_key_index(store, tiny_engine):
    # SQLite gives a deleted highest id to the next entry: the index must not keep the old key.
    first, second = list_segments(store, _doc(store, tiny_engine, [BUDGET, COLD]))
    approved = _approve(store, first, "The budget went to the Assembly.")
    assert len(fuzzy_matches(store, BUDGET)) == 1  # the index is read with the entry in it
    reopen_segment(store, first.id, editor="kim", base_version=approved.version)
    cold = _approve(store, second, "Seoul fell to minus 10 degrees.")
    assert fuzzy_matches(store, BUDGET) == []
    assert [(m.source, m.target, m.score) for m in fuzzy_matches(store, COLD)] == [
        (COLD, cold.target, 100.0)
    ]


def test_another_approved_segment_with_the_same_source_keeps_the_entry(store, tiny_engine):
    spaced = BUDGET.replace(" ", "  ", 1)  # the same lookup key, spaced otherwise
    assert tm_key(spaced) == tm_key(BUDGET)
    a = list_segments(store, _doc(store, tiny_engine, [BUDGET], title="a"))[0]
    b = list_segments(store, _doc(store, tiny_engine, [spaced], title="b"))[0]
    a = _approve(store, a, "Version A.")
    b = _approve(store, b, "Version B.")  # the latest approval holds the entry
    assert exact_matches(store, [BUDGET])[BUDGET].segment_id == b.id

    a = reopen_segment(store, a.id, editor="kim", base_version=a.version)  # not the holder
    assert exact_matches(store, [BUDGET])[BUDGET].target == "Version B."
    a = _approve(store, a, "Version A again.")
    b = reopen_segment(store, b.id, editor="kim", base_version=b.version)
    entry = exact_matches(store, [BUDGET])[BUDGET]
    assert (entry.target, entry.segment_id, entry.origin) == ("Version A again.", a.id, "approved")
    assert tm_size(store) == 1
    assert _drafted(store, tiny_engine, spaced, "c").text == "Version A again."

    reopen_segment(store, a.id, editor="kim", base_version=a.version)
    assert tm_size(store) == 0
    assert _drafted(store, tiny_engine, BUDGET, "d").origin == "mt"


def test_a_reviewers_save_or_revert_over_an_approval_withdraws_it(store, tiny_engine):
    saved, reverted, kept = list_segments(store, _doc(store, tiny_engine, [BUDGET, COLD, PRESS]))
    saved = _approve(store, saved, "The budget went to the Assembly.")
    reverted = _approve(store, reverted, "Seoul fell to minus 10 degrees.")
    kept = _approve(store, kept, "The president announced a new policy.")
    add_user(store, "kim", role="editor", password="kim's password")
    add_user(store, "rita", role="reviewer", password="rita's password")
    assert tm_size(store) == 3

    after = save_segment(store, saved.id, "Budget.", editor="rita", base_version=saved.version)
    assert after.status == "edited"
    after = revert_to_mt(store, reverted.id, editor="rita", base_version=reverted.version)
    assert after.status == "draft"
    assert tm_pairs(store) == [(PRESS, kept.target)]
    assert fuzzy_matches(store, COLD) == []


def test_tmx_entries_survive_reopens(store, tiny_engine):
    add_pairs(store, [(RATES, "The Bank of Korea held its base rate.")])
    budget, cold = list_segments(store, _doc(store, tiny_engine, [BUDGET, COLD]))
    budget = _approve(store, budget, "The budget went to the Assembly.")
    cold = _approve(store, cold, "Seoul fell to minus 10 degrees.")
    # A TMX file gives its own English for an approved source: the entry is the file's now.
    add_pairs(store, [(COLD, "Seoul froze at minus 10.")])
    reopen_segment(store, budget.id, editor="kim", base_version=budget.version)
    reopen_segment(store, cold.id, editor="kim", base_version=cold.version)
    assert sorted(tm_pairs(store)) == sorted(
        [(RATES, "The Bank of Korea held its base rate."), (COLD, "Seoul froze at minus 10.")]
    )
    assert {e.origin for e in exact_matches(store, [RATES, COLD]).values()} == {"tmx"}
    reused = _drafted(store, tiny_engine, RATES, "rates")
    assert (reused.origin, reused.text) == ("tm", "The Bank of Korea held its base rate.")


# --- migration 0021 -----------------------------------------------------------------------------

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _at_0020(url: str):
    from alembic import command

    store = open_store(url, migrate_schema=False)
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0020")
    return store


def _plant(store) -> None:
    """Segments and the memory as 0020 left them: stale entries of reopened segments."""
    segments = [  # id, source, target, status, last changed
        (1, BUDGET, "Stale budget.", "edited", T0 + timedelta(hours=3)),
        (2, BUDGET, "Budget, approved earlier.", "approved", T0 + timedelta(hours=1)),
        (3, BUDGET, "Budget, approved later.", "approved", T0 + timedelta(hours=2)),
        (4, COLD, "Stale cold.", "draft", T0),
        (5, PRESS, "The president spoke.", "approved", T0),
    ]
    entries = [  # source, target, origin, segment id
        (BUDGET, "Stale budget.", "approved", 1),
        (COLD, "Stale cold.", "approved", 4),
        (PRESS, "The president spoke.", "approved", 5),
        (RATES, "The base rate held.", "tmx", None),
    ]
    naive = store.dialect == "sqlite"  # as mt.store.models.UTCDateTime stores times

    def at(moment: datetime) -> datetime:
        return moment.replace(tzinfo=None) if naive else moment

    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO editor (id, name, role, created_at) VALUES (1, 'kim', 'editor', :at)"
            ),
            {"at": at(T0)},
        )
        conn.execute(
            text(
                "INSERT INTO document (id, title, source_lang, target_lang, file_format, "
                'segment_mode, "trailing", status, created_by_id, created_at) VALUES '
                "(1, 'news', 'ko', 'en', 'txt', 'line', '', 'in_progress', 1, :at)"
            ),
            {"at": at(T0)},
        )
        for sid, source, target, status, changed in segments:
            conn.execute(
                text(
                    'INSERT INTO segment (id, document_id, position, paragraph, "before", source, '
                    "target, status, version, updated_at, updated_by_id) VALUES (:id, 1, :id, "
                    "0, '', :source, :target, :status, 2, :changed, 1)"
                ),
                {
                    "id": sid,
                    "source": source,
                    "target": target,
                    "status": status,
                    "changed": at(changed),
                },
            )
        for source, target, origin, sid in entries:
            key = tm_key(source)
            conn.execute(
                text(
                    'INSERT INTO tm_entry (key_hash, "key", length, source, target, origin, '
                    "segment_id, editor_id, created_at, updated_at) VALUES (:hash, :key, :length, "
                    ":source, :target, :origin, :sid, 1, :at, :at)"
                ),
                {
                    "hash": hashlib.sha256(key.encode("utf-8")).hexdigest(),
                    "key": key,
                    "length": len(key),
                    "source": source,
                    "target": target,
                    "origin": origin,
                    "sid": sid,
                    "at": at(T0),
                },
            )


def test_migration_0021_cleans_existing_memories(store_url, tmp_path):
    if store_url.startswith("sqlite"):  # the fixture's file is already migrated to head
        store_url = f"sqlite:///{tmp_path / 'old.db'}"
    store = _at_0020(store_url)
    try:
        _plant(store)
        migrate(store)
        found = exact_matches(store, [BUDGET, COLD, PRESS, RATES])
        # The reopened segment's entry goes to the latest approved segment with its source ...
        budget = found.pop(BUDGET)
        assert (budget.target, budget.segment_id, budget.origin) == (
            "Budget, approved later.",
            3,
            "approved",
        )
        assert budget.updated_at is not None and budget.updated_at > T0
        # ... one with none approved is deleted; approved and TMX entries stay as they were.
        assert {s: (e.target, e.origin, e.segment_id) for s, e in found.items()} == {
            PRESS: ("The president spoke.", "approved", 5),
            RATES: ("The base rate held.", "tmx", None),
        }
        assert tm_size(store) == 3
        from alembic import command

        with store.engine.begin() as conn:  # nothing to restore on the way down, and up again
            command.downgrade(alembic_config(conn), "0020")
        migrate(store)
        assert tm_size(store) == 3
    finally:
        store.close()
