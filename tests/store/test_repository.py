"""Repository functions on both databases: documents, segment edits, conflicts, roles, comments."""

from __future__ import annotations

import threading
import time
import unicodedata

import pytest

from mt.drafting import create_document, document_text, retranslate_document
from mt.errors import ConflictError, InputError, InvalidValue, NotFound, PermissionDenied
from mt.revising import approve_segment, reopen_segment, revert_to_mt, save_segment
from mt.store import (
    add_comment,
    add_user,
    authenticate,
    count_segments,
    drafts,
    edit_events,
    ensure_editor,
    get_document,
    get_segment,
    has_accounts,
    list_comments,
    list_documents,
    list_segments,
    list_users,
    next_segment,
    open_segment,
    open_store,
    set_password,
    set_role,
)
from tests.conftest import shared_lines
from tests.store.conftest import TableEngine

CONFLICT = r"\(you started from version 1, it is now at version 2\); nothing was saved"

ARTICLE_LINES = 6


@pytest.fixture
def article() -> str:
    """Real NTREX Korean lines laid out as a short article: a title, a blank line, paragraphs."""
    ko = shared_lines("ntrex128", "ko", ARTICLE_LINES)
    return f"{ko[0]}\n\n{ko[1]} {ko[2]}\n{ko[3]}\n\n  {ko[4]} {ko[5]}\n"


@pytest.fixture
def doc(store, tiny_engine, article) -> int:
    return create_document(store, article, title="Article", engine=tiny_engine, created_by="kim")


def test_create_document_stores_segments_and_drafts(store, tiny_engine, article, doc):
    segments = list_segments(store, doc)
    assert len(segments) == count_segments(store, doc) >= ARTICLE_LINES
    assert [s.position for s in segments] == list(range(len(segments)))
    assert all(s.status == "draft" and s.version == 1 for s in segments)
    hyps = tiny_engine.translate([s.source for s in segments])
    assert [s.target for s in segments] == [unicodedata.normalize("NFC", h.text) for h in hyps]
    first = segments[0].draft
    assert first.model_id == tiny_engine.model_id and first.engine == tiny_engine.name
    assert first.is_test_model and first.origin == "mt" and first.beam == 4
    assert first.score == pytest.approx(hyps[0].score)
    assert document_text(store, doc, which="source") == article
    summary = get_document(store, doc)
    assert (summary.segments, summary.approved, summary.status) == (len(segments), 0, "in_progress")
    assert summary.created_by == "kim" and summary.model_id == tiny_engine.model_id
    kinds = {e.kind for e in edit_events(store, document_id=doc)}
    assert kinds == {"import"}


def test_document_text_keeps_paragraphs(store, doc):
    segments = list_segments(store, doc)
    for s in segments:
        save_segment(store, s.id, f"S{s.position}.", editor="lee", base_version=s.version)
    paragraphs = {}
    for s in segments:
        paragraphs.setdefault(s.paragraph, []).append(f"S{s.position}.")
    ordered = [" ".join(v) for _, v in sorted(paragraphs.items())]
    expected = f"{ordered[0]}\n\n{ordered[1]}\n{ordered[2]}\n\n{ordered[3]}\n"
    assert document_text(store, doc) == expected


def test_empty_text_is_refused(store, tiny_engine):
    with pytest.raises(InputError, match="no text to translate"):
        create_document(store, " \n\n ", title="blank", engine=tiny_engine, created_by="kim")
    assert list_documents(store) == []


def test_save_approve_reopen_revert_cycle(store, doc):
    s = open_segment(store, list_segments(store, doc)[0].id, editor="lee")
    saved = save_segment(
        store, s.id, "Senators fear looking foolish.", editor="lee", base_version=s.version,
        active_ms=4200, idle_ms=300, keystrokes=31, findings=[{"rule": "number", "ok": True}],
    )  # fmt: skip
    assert (saved.status, saved.version, saved.target) == (
        "edited",
        2,
        "Senators fear looking foolish.",
    )
    assert saved.updated_by == "lee"
    approved = approve_segment(store, s.id, editor="lee", base_version=saved.version)
    assert (approved.status, approved.version) == ("approved", 3)
    reopened = reopen_segment(store, s.id, editor="lee", base_version=approved.version)
    assert (reopened.status, reopened.version) == ("edited", 4)
    reverted = revert_to_mt(store, s.id, editor="lee", base_version=reopened.version)
    assert (reverted.status, reverted.version) == ("draft", 5)
    assert reverted.target == reverted.draft.text
    events = edit_events(store, segment_id=s.id)
    assert [e.kind for e in events] == ["import", "open", "save", "approve", "reopen", "revert"]
    assert [e.version_after for e in events] == [1, 1, 2, 3, 4, 5]
    save = events[2]
    assert (save.active_ms, save.idle_ms, save.keystrokes, save.client) == (4200, 300, 31, "web")
    assert save.text_before == s.target and save.text_after == saved.target
    assert save.findings == [{"rule": "number", "ok": True}]
    assert save.saved_at.tzinfo is not None


def test_approve_with_text_is_one_event(store, doc):
    s = list_segments(store, doc)[1]
    done = approve_segment(store, s.id, editor="lee", base_version=1, text="Final text.",
                           active_ms=1000)  # fmt: skip
    assert (done.target, done.status, done.version) == ("Final text.", "approved", 2)
    events = [e for e in edit_events(store, segment_id=s.id) if e.kind != "import"]
    assert [(e.kind, e.text_after) for e in events] == [("approve", "Final text.")]


def test_document_done_when_all_approved(store, doc):
    segments = list_segments(store, doc)
    for s in segments:
        approve_segment(store, s.id, editor="lee", base_version=s.version)
    summary = get_document(store, doc)
    assert (summary.status, summary.approved, summary.percent_approved) == (
        "done",
        len(segments),
        100.0,
    )
    first = get_segment(store, segments[0].id)
    reopen_segment(store, first.id, editor="lee", base_version=first.version)
    assert get_document(store, doc).status == "in_progress"


def test_stale_save_is_a_conflict_and_changes_nothing(store, doc):
    s = list_segments(store, doc)[0]
    save_segment(store, s.id, "First editor's text.", editor="lee", base_version=1)
    before = edit_events(store, segment_id=s.id)
    error = rf"^segment {s.id} was changed by someone else {CONFLICT}$"
    with pytest.raises(ConflictError, match=error) as info:
        save_segment(store, s.id, "Second editor's text.", editor="park", base_version=1)
    assert info.value.current_text == "First editor's text."
    assert info.value.attempted_text == "Second editor's text."
    assert info.value.current_version == 2
    assert edit_events(store, segment_id=s.id) == before
    assert get_segment(store, s.id).target == "First editor's text."
    assert "park" not in [u.name for u in list_users(store)]  # not even the editor was created
    for action in (approve_segment, reopen_segment, revert_to_mt):
        error = rf"^segment {s.id} was changed by someone else {CONFLICT}$"
        with pytest.raises(ConflictError, match=error):
            action(store, s.id, editor="lee", base_version=1)


def test_two_concurrent_writers_one_wins(store_url, tiny_engine, article):
    """Two processes' worth of Stores save one segment from one version at the same moment."""
    with open_store(store_url) as setup:
        doc = create_document(setup, article, title="A", engine=tiny_engine, created_by="kim")
        segment_id = list_segments(setup, doc)[0].id
        ensure_editor(setup, "lee")
        ensure_editor(setup, "park")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def writer(name: str) -> None:
        with open_store(store_url) as mine:
            barrier.wait()
            try:
                results[name] = save_segment(
                    mine, segment_id, f"{name}'s version.", editor=name, base_version=1
                )
            except ConflictError as e:
                results[name] = e

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("lee", "park")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [v for v in results.values() if isinstance(v, ConflictError)]
    wins = [v for v in results.values() if not isinstance(v, ConflictError)]
    assert len(conflicts) == 1 and len(wins) == 1
    assert conflicts[0].current_text == wins[0].target
    assert conflicts[0].attempted_text != wins[0].target
    assert conflicts[0].current_version == 2
    with open_store(store_url) as check:
        saves = [e for e in edit_events(check, segment_id=segment_id) if e.kind == "save"]
        assert len(saves) == 1 and saves[0].text_after == wins[0].target
        assert get_segment(check, segment_id).version == 2


def test_store_save_without_text_is_refused_and_changes_nothing(store, doc):
    # A Change("save") with no text reached the NOT NULL target column (an IntegrityError
    # half-way through the write); the store now refuses it before writing (found by mypy).
    from mt.store.segments import Change, change_segment

    s = list_segments(store, doc)[0]
    before = edit_events(store, segment_id=s.id)
    with pytest.raises(InputError, match=rf"^a save of segment {s.id} needs its text$"):
        change_segment(store, s.id, Change("save", 1, client="cli"), editor="lee")
    assert edit_events(store, segment_id=s.id) == before
    assert get_segment(store, s.id).target == s.target


def test_unchanged_save_keeps_version_but_logs_time(store, doc):
    s = list_segments(store, doc)[0]
    first = save_segment(store, s.id, "Text.", editor="lee", base_version=1, active_ms=500)
    again = save_segment(store, s.id, "Text.", editor="lee", base_version=2, active_ms=700)
    assert again.version == first.version == 2
    saves = [e for e in edit_events(store, segment_id=s.id) if e.kind == "save"]
    assert [e.active_ms for e in saves] == [500, 700]


def test_text_is_nfc_normalised(store, doc):
    s = list_segments(store, doc)[0]
    decomposed = unicodedata.normalize("NFD", "café 한국")
    saved = save_segment(store, s.id, decomposed, editor="lee", base_version=1)
    assert saved.target == unicodedata.normalize("NFC", "café 한국") != decomposed


def test_lone_surrogate_is_refused_and_nothing_changes(store, tiny_engine, doc):
    s = list_segments(store, doc)[0]
    with pytest.raises(InputError, match=r"unpaired surrogate \(U\+D800\) at character 4"):
        save_segment(store, s.id, "abc\ud800", editor="lee", base_version=1)
    assert get_segment(store, s.id).version == 1
    with pytest.raises(InputError, match="unpaired surrogate"):
        add_comment(store, s.id, "\udfff", editor="lee")
    before = len(list_documents(store))
    with pytest.raises(InputError, match="unpaired surrogate"):
        create_document(
            store, "한국어 \udc80 문장.", title="t", engine=tiny_engine, created_by="lee"
        )
    assert len(list_documents(store)) == before


def test_comments(store, doc):
    s = list_segments(store, doc)[2]
    add_comment(store, s.id, "Check the senator's name.", editor="park")
    add_comment(store, s.id, "Done.", editor="lee")
    assert [(c.editor, c.text) for c in list_comments(store, s.id)] == [
        ("park", "Check the senator's name."),
        ("lee", "Done."),
    ]
    view = get_segment(store, s.id)
    assert view.comments == 2 and view.version == 1
    assert list_segments(store, doc)[2].comments == 2
    assert list_segments(store, doc, offset=2, limit=1)[0].comments == 2
    with pytest.raises(InputError, match="comment is empty"):
        add_comment(store, s.id, "  ", editor="lee")


def test_paging_and_next_segment(store, doc):
    segments = list_segments(store, doc)
    page = list_segments(store, doc, offset=1, limit=2)
    assert [s.id for s in page] == [s.id for s in segments[1:3]]
    approve_segment(store, segments[1].id, editor="lee", base_version=1)
    assert next_segment(store, doc, after_position=0).position == 2
    assert next_segment(store, doc, after_position=0, unapproved_only=False).position == 1
    assert next_segment(store, doc, after_position=len(segments) - 1) is None


def test_not_found(store):
    with pytest.raises(NotFound, match="no segment 999"):
        get_segment(store, 999)
    with pytest.raises(NotFound, match="no document 42"):
        get_document(store, 42)
    with pytest.raises(NotFound, match=r"^no document 42$"):
        list_segments(store, 42)
    with pytest.raises(NotFound, match=r"^no segment 999$"):
        save_segment(store, 999, "x", editor="lee", base_version=1)


def test_retranslate_keeps_earlier_drafts(store, tiny_engine, article, doc):
    segments = list_segments(store, doc)
    edited = save_segment(store, segments[0].id, "Edited.", editor="lee", base_version=1)
    oracle = TableEngine("oracle", {s.source: f"EN {s.position}" for s in segments})
    retranslate_document(store, doc, engine=oracle, editor="kim")
    after = list_segments(store, doc)
    # The edited segment keeps its text and the draft it was edited from.
    assert after[0].target == "Edited." and after[0].version == edited.version
    assert after[0].draft.model_id == tiny_engine.model_id
    # Untouched segments take the new draft, as a logged change.
    assert [s.target for s in after[1:]] == [f"EN {s.position}" for s in segments[1:]]
    assert all(s.draft.model_id == "oracle" and s.version == 2 for s in after[1:])
    assert [d.model_id for d in drafts(store, segments[1].id)] == [tiny_engine.model_id, "oracle"]
    assert get_document(store, doc).model_id == "oracle"
    last = edit_events(store, segment_id=segments[1].id)[-1]
    assert (last.kind, last.text_after, last.client) == ("import", "EN 1", "cli")


def test_accounts_roles_and_passwords(store, doc):
    assert not has_accounts(store)
    s = list_segments(store, doc)[0]
    # Without accounts anyone may approve.
    approve_segment(store, s.id, editor="anyone", base_version=1)
    ed = add_user(store, "lee", role="editor", password="correct horse")
    add_user(store, "rev", role="reviewer", password="battery staple")
    assert has_accounts(store) and ed.has_password
    from sqlalchemy import text

    with store.session() as session:
        stored = session.execute(text("SELECT password_hash FROM editor WHERE name='lee'")).scalar()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert authenticate(store, "lee", "correct horse").role == "editor"
    assert authenticate(store, "lee", "wrong") is None
    assert authenticate(store, "nobody", "x") is None
    # An unknown name is verified against a dummy hash: as slow as a wrong password, so the
    # time taken does not reveal which names have accounts (argon2 takes tens of ms; a lookup
    # alone well under one).
    wrong = min(_timed(authenticate, store, "lee", "wrong") for _ in range(3))
    unknown = min(_timed(authenticate, store, "nobody", "wrong") for _ in range(3))
    assert unknown > 0.3 * wrong
    with pytest.raises(InputError, match="already exists"):
        add_user(store, "lee", password="again and again")

    t = list_segments(store, doc)[1]
    with pytest.raises(PermissionDenied, match="no account named 'stranger'"):
        save_segment(store, t.id, "x", editor="stranger", base_version=1)
    saved = save_segment(store, t.id, "Editor's text.", editor="lee", base_version=1)
    with pytest.raises(PermissionDenied, match="reviewer or admin"):
        approve_segment(store, t.id, editor="lee", base_version=saved.version)
    approved = approve_segment(store, t.id, editor="rev", base_version=saved.version)
    with pytest.raises(PermissionDenied, match="reopen"):
        save_segment(store, t.id, "Sneaky change.", editor="lee", base_version=approved.version)
    error = r"^lee is an editor; to reopen needs a reviewer or admin$"
    with pytest.raises(PermissionDenied, match=error):
        reopen_segment(store, t.id, editor="lee", base_version=approved.version)
    reopened = reopen_segment(store, t.id, editor="rev", base_version=approved.version)
    assert (
        save_segment(store, t.id, "Fixed.", editor="lee", base_version=reopened.version).status
        == "edited"
    )
    set_role(store, "lee", "admin")
    assert (
        approve_segment(store, t.id, editor="lee", base_version=reopened.version + 1).status
        == "approved"
    )


def test_add_user_claims_a_passwordless_editor(store, doc):
    ensure_editor(store, "kim")  # already created by the import
    claimed = add_user(store, "kim", role="reviewer", password="kim-password")
    assert (claimed.role, claimed.has_password) == ("reviewer", True)
    with pytest.raises(InvalidValue, match="unknown role"):
        add_user(store, "x", role="boss", password="pw")


def test_managing_people_needs_an_admin_once_accounts_exist(store):
    add_user(store, "boss", role="admin", password="pw-admin")
    add_user(store, "ed", role="editor", password="pw-editor", by="boss")
    with pytest.raises(PermissionDenied, match="needs an admin"):
        add_user(store, "intruder", role="admin", password="intruder-pw", by="ed")
    with pytest.raises(PermissionDenied, match="needs an admin"):
        set_role(store, "ed", "admin", by="ed")
    set_password(store, "ed", "new-password", by="ed")  # one's own password is allowed
    assert authenticate(store, "ed", "new-password") is not None
    error = r"^ed is an editor; to set passwords needs an admin$"
    with pytest.raises(PermissionDenied, match=error):
        set_password(store, "boss", "taken password", by="ed")
    assert set_role(store, "ed", "reviewer", by="boss").role == "reviewer"
    assert [u.name for u in list_users(store)] == ["boss", "ed"]


def test_the_password_policy_holds_for_every_way_in(store):
    from mt.store.accounts import MIN_PASSWORD_LENGTH, check_password

    assert MIN_PASSWORD_LENGTH == 8 and check_password("8 chars!") == "8 chars!"
    with pytest.raises(InvalidValue, match=r"^a password needs at least 8 characters$"):
        add_user(store, "ann", password="7 chars")
    with pytest.raises(InvalidValue, match=r"^password is empty$"):
        add_user(store, "ann", password="")
    assert list_users(store) == []
    add_user(store, "ann", password="long enough")
    with pytest.raises(InvalidValue, match=r"^a password needs at least 8 characters$"):
        set_password(store, "ann", "short")
    assert authenticate(store, "ann", "long enough") is not None
    assert add_user(store, "bob", password=None).has_password is False  # a local editor


def test_a_short_password_from_before_the_policy_still_signs_in(store, monkeypatch):
    from argon2 import PasswordHasher

    from mt.store import accounts

    # Stored with weaker parameters, so signing in rehashes it: the policy applies to new
    # passwords, not to the one being checked.
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    add_user(store, "old", password="long enough")
    with store.session(write=True) as session:
        row = accounts.find_editor(session, "old")
        row.password_hash = accounts.hash_password("pw")
    monkeypatch.setattr(accounts, "_hasher", None)
    assert authenticate(store, "old", "pw").name == "old"
    assert authenticate(store, "old", "pw").name == "old"  # rehashed with today's parameters


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start
