"""Two people in one segment, on SQLite and PostgreSQL (#24): a save on a stale version is a
conflict that names the other person's text; "keep mine" saves on top of it and the edit log
names both versions; the unsaved copy equal to the saved text is no copy; others' changes are
found by time and by id with the word diff to the asker's text; grid keys open one article for
one account while its sign-in lasts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mt import editing, revising
from mt import store as repo
from mt.errors import ConflictError, InputError
from mt.grid import changes_since, conflict_info
from mt.store.drafts_wip import get_wip
from mt.store.grid_keys import grid_key_holder, issue_grid_key
from mt.store.models import utcnow
from mt.store.sessions import session_of_token
from tests.store.conftest import TableEngine

KO = ["서울시는 내년부터 버스 요금을 올린다.", "시민들의 반응은 엇갈렸다.", "시 관계자가 설명했다."]
EN = ["Seoul will raise bus fares next year.", "Citizens were divided.", "An official explained."]


@pytest.fixture
def doc(store) -> int:
    repo.add_user(store, "ana", role="editor", password="ana-edits-all-day")
    repo.add_user(store, "ben", role="editor", password="ben-edits-all-day")
    repo.add_user(store, "rev", role="reviewer", password="rev-reviews-copy")
    from mt.drafting import create_document

    engine = TableEngine("table", dict(zip(KO, EN, strict=True)))
    return create_document(
        store, "\n".join(KO), title="Fares", engine=engine, created_by="ana", segment_mode="line"
    )


def segments(store, doc):
    return repo.list_segments(store, doc)


def test_keep_mine_saves_over_theirs_and_logs_both_versions(store, doc):
    seg = segments(store, doc)[0]
    revising.save_segment(store, seg.id, "Ben's text.", editor="ben", base_version=seg.version)
    with pytest.raises(ConflictError, match=r"changed by someone else .*nothing was saved"):
        revising.save_segment(store, seg.id, "Ana's text.", editor="ana", base_version=seg.version)
    theirs = repo.get_segment(store, seg.id)
    info = conflict_info(theirs, "Ana's text.")
    assert (info["text"], info["version"], info["by"]) == ("Ben's text.", seg.version + 1, "ben")
    assert "".join(op[1] for op in info["diff"] if op[0] != "insert") == "Ben's text."
    assert "".join(op[2] for op in info["diff"] if op[0] != "delete") == "Ana's text."

    kept = revising.save_segment(
        store,
        seg.id,
        "Ana's text.",
        editor="ana",
        base_version=theirs.version,
        mine_from=seg.version,
    )
    assert kept.target == "Ana's text." and kept.version == theirs.version + 1
    saves = [e for e in repo.edit_events(store, segment_id=seg.id) if e.kind == "save"]
    assert [(e.editor, e.resolution) for e in saves] == [
        ("ben", None),
        ("ana", {"kept": "mine", "mine_from": 1, "theirs": 2, "theirs_by": "ben"}),
    ]


def test_keep_mine_needs_a_newer_version_and_only_a_save(store, doc):
    seg = segments(store, doc)[0]
    with pytest.raises(InputError, match="is not newer than version 1"):
        revising.save_segment(
            store, seg.id, "x", editor="ana", base_version=seg.version, mine_from=seg.version
        )
    raw = {"op": "approve", "seg": seg.id, "version": 1, "text": "x", "mine_from": 0}
    with pytest.raises(InputError, match="only a save keeps your text"):
        editing.apply_event(store, raw, editor="rev", document_id=doc)
    raw = {"op": "save", "seg": seg.id, "version": 1, "text": "x", "mine_from": "1"}
    with pytest.raises(InputError, match="must be a whole number"):
        editing.apply_event(store, raw, editor="ana", document_id=doc)
    assert repo.get_segment(store, seg.id) == seg


def test_grid_event_keeps_mine_and_stale_keep_is_a_conflict_again(store, doc):
    seg = segments(store, doc)[1]
    revising.save_segment(store, seg.id, "Ben 1.", editor="ben", base_version=1)
    revising.save_segment(store, seg.id, "Ben 2.", editor="ben", base_version=2)
    stale = {"op": "save", "seg": seg.id, "version": 2, "text": "Ana.", "mine_from": 1}
    with pytest.raises(ConflictError, match="it is now at version 3"):
        editing.apply_event(store, stale, editor="ana", document_id=doc)
    outcome = editing.apply_event(store, stale | {"version": 3}, editor="ana", document_id=doc)
    assert outcome.segment is not None and outcome.segment.target == "Ana."
    (last,) = [e for e in repo.edit_events(store, segment_id=seg.id)][-1:]
    assert last.resolution == {"kept": "mine", "mine_from": 1, "theirs": 3, "theirs_by": "ben"}


def test_an_unsaved_copy_equal_to_the_saved_text_is_cleared(store, doc):
    seg = segments(store, doc)[2]
    event = {"op": "wip", "seg": seg.id, "version": seg.version, "text": "Typing on."}
    editing.apply_event(store, event, editor="ana", document_id=doc)
    assert get_wip(store, seg.id, editor="ana").text == "Typing on."
    editing.apply_event(store, event | {"text": seg.target}, editor="ana", document_id=doc)
    assert get_wip(store, seg.id, editor="ana") is None
    assert repo.get_segment(store, seg.id) == seg  # never a version


def test_changes_since_by_time_and_by_id_with_the_diff_to_mine(store, doc):
    first, second, third = segments(store, doc)
    start = changes_since(store, doc, None, {})
    assert start["rows"] == []
    since = utcnow()
    revising.save_segment(store, first.id, "Fares rise.", editor="ben", base_version=1)
    answer = changes_since(store, doc, since, {first.id: "Fares go up.", third.id: "x"})
    # a poll looks CHANGES_OVERLAP back again: rows drafted just before may come along, as
    # they are (the grid skips versions it has)
    rows = {r["id"]: r for r in answer["rows"]}
    assert all(r["version"] == 1 for i, r in rows.items() if i != first.id)
    row = rows[first.id]
    assert (row["id"], row["target"], row["version"], row["by"]) == (
        first.id,
        "Fares rise.",
        2,
        "ben",
    )
    assert row["status"] == "edited" and row["at"]
    kinds = [op[0] for op in row["diff"]]
    assert "replace" in kinds or "insert" in kinds
    # long before: nothing of the untouched ones; named by id: found whatever its time
    later = changes_since(store, doc, utcnow() + timedelta(hours=1), {}, ids=[second.id])
    assert [r["id"] for r in later["rows"]] == [second.id]
    assert "diff" not in later["rows"][0]


def test_grid_keys_open_one_article_for_one_account_while_signed_in(store, doc):
    from mt.store import sessions

    ana = repo.authenticate(store, "ana", "ana-edits-all-day")
    pending = sessions.begin_session(store, ana.id)
    token, _ = sessions.redeem_code(store, pending.code)
    web = session_of_token(store, token)
    assert web == pending.session_id
    key = issue_grid_key(
        store, editor_id=ana.id, document_id=doc, mode="local", web_session=web, hours=1
    )
    holder = grid_key_holder(store, key, doc)
    assert holder is not None and holder.editor.name == "ana" and holder.mode == "local"
    # another article, a forged signature, a changed payload, junk: refused
    assert grid_key_holder(store, key, doc + 1) is None
    assert grid_key_holder(store, key[:-2] + ("AA" if key[-2:] != "AA" else "BB"), doc) is None
    forged = key.replace(f"{ana.id}.{doc}.", f"{ana.id + 1}.{doc}.", 1)
    assert grid_key_holder(store, forged, doc) is None
    for junk in (None, 7, "", "a.b", "x" * 5000, f"{key}.extra"):
        assert grid_key_holder(store, junk, doc) is None
    # a rename keeps it (the key names the account's id); sign-out ends it
    repo.rename_user(store, "ana", "ana.kim")
    assert grid_key_holder(store, key, doc).editor.name == "ana.kim"
    sessions.revoke_session(store, token=token)
    assert grid_key_holder(store, key, doc) is None
    # expired
    spent = issue_grid_key(
        store, editor_id=ana.id, document_id=doc, mode="oidc", web_session=None, hours=-0.01
    )
    assert grid_key_holder(store, spent, doc) is None
    # the single local user's key stops once accounts exist (they do here)
    single = issue_grid_key(
        store, editor_id=ana.id, document_id=doc, mode="single", web_session=None, hours=1
    )
    assert grid_key_holder(store, single, doc) is None


def test_a_role_change_ends_the_grid_key(store, doc):
    from mt.store import sessions

    ben = repo.authenticate(store, "ben", "ben-edits-all-day")
    pending = sessions.begin_session(store, ben.id)
    key = issue_grid_key(
        store,
        editor_id=ben.id,
        document_id=doc,
        mode="local",
        web_session=pending.session_id,
        hours=1,
    )
    assert grid_key_holder(store, key, doc) is not None
    repo.set_role(store, "ben", "viewer")
    assert grid_key_holder(store, key, doc) is None
