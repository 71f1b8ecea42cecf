"""The editing surface's rules (#12): work-in-progress copies, session tokens, keystroke logs,
and the checks every grid event passes (hostile input is refused and changes nothing)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.editing import apply_event
from mt.errors import ConflictError, InputError, NotFound, PermissionDenied
from mt.exchange.export import export_document
from mt.grid import grid_rows
from mt.keystrokes import MAX_EVENTS, parse_keylog
from mt.report import report
from mt.store import sessions
from mt.store.drafts_wip import get_wip, list_wip, put_wip
from tests.conftest import shared_lines
from tests.store.conftest import TableEngine


@pytest.fixture
def docs(store):
    ko = shared_lines("ntrex128", "ko", 8)
    engine = TableEngine("table-model", {k: f"Draft {i}." for i, k in enumerate(ko)})
    one = drafting.create_document(
        store, "\n".join(ko[:4]), title="One", engine=engine, created_by="kim", segment_mode="line"
    )
    two = drafting.create_document(
        store, "\n".join(ko[4:]), title="Two", engine=engine, created_by="kim", segment_mode="line"
    )
    repo.ensure_editor(store, "lee")
    return one, two


def _log_rows(store, segment_id):
    return [e for e in repo.edit_events(store, segment_id=segment_id) if e.kind != "open"]


# --- keystroke logs ----------------------------------------------------------------------------


def test_keylog_classes_counts_and_pauses():
    log = parse_keylog(
        [[0, "letter"], [120, "letter"], [500, "space"], [1700, "digit"], [1750, "erase"]]
    )
    assert log.codes == "llsde"
    assert log.counts() == {"letter": 2, "space": 1, "digit": 1, "erase": 1}
    stats = log.stats()
    assert (stats.keystrokes, stats.pauses_300, stats.pauses_300_ms) == (5, 2, 380 + 1200)
    assert (stats.pauses_1000, stats.pauses_1000_ms) == (1, 1200)
    assert parse_keylog(log.to_json()) == log
    assert json.dumps(log.to_json()) == '{"t": [0, 120, 500, 1700, 1750], "c": "llsde"}'


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"t": [0, 5], "c": "l"}, "2 times but 1 classes"),
        ({"t": [5, 1], "c": "ll"}, "out of order"),
        ({"t": [0], "c": "?"}, "unknown keystroke class"),
        ({"t": list(range(MAX_EVENTS + 1)), "c": "l" * (MAX_EVENTS + 1)}, "at most 20,000"),
        ("lll", "must be an object or a list"),
    ],
)
def test_bad_keylogs_are_refused(raw, message):
    with pytest.raises(InputError, match=message):
        parse_keylog(raw)


# --- work in progress ----------------------------------------------------------------------------


def test_wip_is_per_editor_not_a_version_and_cleared_by_saving(store, docs):
    seg = repo.list_segments(store, docs[0])[1]
    events_before = len(repo.edit_events(store, segment_id=seg.id))
    put_wip(store, seg.id, "Half a sent", editor="kim", base_version=seg.version)
    put_wip(store, seg.id, "Half a sentence", editor="kim", base_version=seg.version)
    assert get_wip(store, seg.id, editor="kim").text == "Half a sentence"
    assert get_wip(store, seg.id, editor="lee") is None  # never shown to other editors
    assert repo.get_segment(store, seg.id) == seg  # not a version
    assert len(repo.edit_events(store, segment_id=seg.id)) == events_before  # nor an event
    rows = {r[0]: r for r in grid_rows(store, docs[0], editor="kim", qa_budget_s=None).rows}
    assert rows[seg.id][11] == "Half a sentence"
    rows_lee = {r[0]: r for r in grid_rows(store, docs[0], editor="lee", qa_budget_s=None).rows}
    assert rows_lee[seg.id][11] is None
    revising.save_segment(store, seg.id, "Half a sentence.", editor="kim", base_version=seg.version)
    assert list_wip(store, None, editor="kim") == {}


def test_wip_refusals(store, docs):
    with pytest.raises(NotFound, match=r"^no segment 999999$"):
        put_wip(store, 999_999, "x", editor="kim", base_version=1)
    seg = repo.list_segments(store, docs[0])[0]
    with pytest.raises(InputError, match="at most 100,000"):
        put_wip(store, seg.id, "x" * 100_001, editor="kim", base_version=1)


# --- grid events ------------------------------------------------------------------------------


def test_save_event_stores_text_keys_and_timing(store, docs):
    seg = repo.list_segments(store, docs[0])[0]
    keys = {"t": [100, 250, 1600], "c": "lle"}
    event = {"op": "save", "seg": seg.id, "version": seg.version, "text": "Typed.",
             "keys": keys, "elapsed": 2000, "editor": "kim", "nonce": 7}  # fmt: skip
    outcome = apply_event(store, event, editor="kim", document_id=docs[0])
    assert outcome.segment.target == "Typed." and outcome.segment.status == "edited"
    (saved,) = [e for e in _log_rows(store, seg.id) if e.kind == "save"]
    assert saved.keylog == keys and saved.keystrokes == 3 and saved.active_ms == 2000


@pytest.mark.parametrize(
    "forge, error, message",
    [
        ({"seg": "other-doc"}, InputError, "not in the article you have open"),
        ({"editor": "lee"}, PermissionDenied, "names editor 'lee' but you are signed in as 'kim'"),
        ({"keys": {"t": [0] * 50_000, "c": "l" * 50_000}}, InputError, "at most 20,000"),
        ({"version": 0}, ConflictError, "you started from version 0"),
        ({"op": "drop_table"}, InputError, "unknown editor action"),
        ({"text": 42}, InputError, "needs the box's text"),
        ({"seg": True}, InputError, "segment id must be a whole number"),
    ],
)
def test_hostile_events_are_refused_and_change_nothing(store, docs, forge, error, message):
    seg = repo.list_segments(store, docs[0])[0]
    other = repo.list_segments(store, docs[1])[0]
    event = {"op": "save", "seg": seg.id, "version": seg.version, "text": "Forged.",
             "editor": "kim"}  # fmt: skip
    event.update(forge)
    if event["seg"] == "other-doc":
        event["seg"] = other.id
    before = (repo.edit_events(store), repo.list_segments(store, docs[0]))
    before_other = repo.list_segments(store, docs[1])
    with pytest.raises(error, match=message):
        apply_event(store, event, editor="kim", document_id=docs[0])
    assert (repo.edit_events(store), repo.list_segments(store, docs[0])) == before
    assert repo.list_segments(store, docs[1]) == before_other
    assert list_wip(store, None, editor="kim") == {}


def test_approve_with_qa_errors_asks_first(store, docs):
    seg = repo.list_segments(store, docs[0])[0]
    event = {"op": "approve", "seg": seg.id, "version": seg.version, "text": seg.source}
    outcome = apply_event(store, event, editor="kim", document_id=docs[0])
    assert outcome.needs_confirm and outcome.segment is None  # Korean left in the English
    assert repo.get_segment(store, seg.id).status == "draft"
    outcome = apply_event(store, {**event, "confirm": True}, editor="kim", document_id=docs[0])
    assert outcome.segment.status == "approved"


def test_revert_is_a_version_and_can_be_undone(store, docs):
    seg = repo.list_segments(store, docs[0])[0]
    saved = revising.save_segment(store, seg.id, "Mine.", editor="kim", base_version=seg.version)
    event = {"op": "revert", "seg": seg.id, "version": saved.version}
    reverted = apply_event(store, event, editor="kim", document_id=docs[0]).segment
    assert reverted.target == seg.target and reverted.version == saved.version + 1
    undo = {"op": "save", "seg": seg.id, "version": reverted.version, "text": "Mine."}
    assert apply_event(store, undo, editor="kim", document_id=docs[0]).segment.target == "Mine."


def test_editor_role_cannot_approve_through_an_event(store, docs):
    seg = repo.list_segments(store, docs[0])[0]
    event = {"op": "approve", "seg": seg.id, "version": seg.version, "confirm": True}
    with pytest.raises(PermissionDenied, match="may not approve"):
        apply_event(store, event, editor="kim", document_id=docs[0], can={"approve": False})
    assert repo.get_segment(store, seg.id).status == "draft"


@pytest.mark.parametrize("op", ["save", "revert"])
def test_an_approved_segment_is_changed_only_with_the_one_right(store, docs, op):
    from mt import permissions

    assert permissions.roles_for("change_approved") == ("reviewer", "admin")
    assert permissions.needs_change_approved(op, "approved")
    assert not permissions.needs_change_approved(op, "edited")
    assert not permissions.needs_change_approved("reopen", "approved")
    seg = repo.list_segments(store, docs[0])[0]
    approved = revising.approve_segment(store, seg.id, editor="kim", base_version=seg.version)
    event = {"op": op, "seg": seg.id, "version": approved.version, "text": "Changed."}
    refusal = f"^segment {seg.id} is approved; a reviewer must reopen it before kim can change it$"
    # The grid's rights (as ui.grid computes them) refuse it before the store is asked ...
    with pytest.raises(PermissionDenied, match=refusal):
        apply_event(store, event, editor="kim", document_id=docs[0], can={"change_approved": False})
    assert repo.get_segment(store, seg.id).version == approved.version
    # ... and the store refuses it with the same line once accounts exist.
    repo.add_user(store, "kim", role="editor", password="kim's password")
    with pytest.raises(PermissionDenied, match=refusal):
        apply_event(store, event, editor="kim", document_id=docs[0])
    assert repo.get_segment(store, seg.id).version == approved.version
    repo.add_user(store, "rita", role="reviewer", password="rita's password")
    done = apply_event(
        store, event, editor="rita", document_id=docs[0], can={"change_approved": True}
    )
    assert done.segment.status in ("edited", "draft")


# --- session tokens -------------------------------------------------------------------------------


def test_session_token_lifecycle(store):
    repo.add_user(store, "rita", role="reviewer", password="rita-pw-123")
    pending = sessions.begin_session(store, "rita", hours=12)
    token, expires = sessions.redeem_code(store, pending.code)
    assert sessions.redeem_code(store, pending.code) is None  # one use only
    assert sessions.session_editor(store, token).name == "rita"
    from mt.store.models import utcnow

    assert timedelta(hours=11.9) < expires - utcnow() <= timedelta(hours=12)
    # stored only as a hash
    from sqlalchemy import select

    from mt.store.models import WebSession

    with store.session() as session:
        stored = session.execute(select(WebSession.token_hash)).scalars().all()
    assert token not in stored and len(stored[0]) == 64
    sessions.revoke_session(store, token=token)
    assert sessions.session_editor(store, token) is None
    assert sessions.session_editor(store, "not-a-token") is None


@pytest.mark.parametrize("change", ["role", "remove", "password"])
def test_role_change_or_removal_ends_sessions(store, change):
    repo.add_user(store, "rita", role="reviewer", password="rita-pw-123")
    token, _ = sessions.redeem_code(store, sessions.begin_session(store, "rita").code)
    if change == "role":
        repo.set_role(store, "rita", "editor")
    elif change == "password":
        repo.set_password(store, "rita", "a-new-password", by="rita")
        assert repo.authenticate(store, "rita", "a-new-password") is not None
    else:
        repo.remove_user(store, "rita")
        assert repo.authenticate(store, "rita", "rita-pw-123") is None
    assert sessions.session_editor(store, token) is None


def test_expired_session_and_bad_setting(store, monkeypatch):
    repo.add_user(store, "rita", role="reviewer", password="rita-pw-123")
    pending = sessions.begin_session(store, "rita", hours=1e-9)
    assert sessions.redeem_code(store, pending.code) is None  # the session is already over
    monkeypatch.setenv("TRANSDESK_SESSION_HOURS", "abc")
    with pytest.raises(Exception, match="TRANSDESK_SESSION_HOURS"):
        sessions.session_hours()
    monkeypatch.setenv("TRANSDESK_SESSION_HOURS", "2")
    assert sessions.session_hours() == 2


# --- reports and export ---------------------------------------------------------------------------


def test_report_and_jsonl_export_carry_keystrokes_and_pauses(store, docs, tmp_path):
    seg = repo.list_segments(store, docs[0])[0]
    keys = {"t": [0, 400, 1500, 1600], "c": "llsy"}
    apply_event(
        store,
        {"op": "save", "seg": seg.id, "version": seg.version, "text": "One two.", "keys": keys,
         "elapsed": 2000},
        editor="kim",
        document_id=docs[0],
    )  # fmt: skip
    result = report(store, document_id=docs[0], by="editor")
    ks = result["keystrokes"]
    assert (ks["keystrokes"], ks["pauses_300"], ks["pauses_1000"]) == (4, 2, 1)
    assert ks["pauses_300_seconds"] == 1.5 and ks["pauses_1000_seconds"] == 1.1
    chars = len("".join(seg.source.split()))
    assert ks["keystrokes_per_char"] == round(4 / chars, 6)
    (kim,) = [g for g in result["groups"] if g["editor"] == "kim"]
    assert kim["keystrokes"]["keystrokes"] == 4
    out = tmp_path / "a.jsonl"
    out.write_bytes(export_document(store, docs[0], "jsonl"))
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert (first["keystrokes"], first["pauses_300"], first["pauses_1000"]) == (4, 2, 1)
