"""Malformed grid events are answered in one line and never block the events behind them
(#25, item 7): each field out of type or range goes through `mt.editing.apply_event` (the grid's
one change path) on SQLite and PostgreSQL and is refused with a `TransdeskError` (the grid's ack
then says ok:false with that line), nothing changes, and a legitimate save right after it is
stored. `ui.grid.handle_action`, which builds the ack, is driven the same way."""

from __future__ import annotations

import pytest

from mt import drafting
from mt import store as repo
from mt.editing import apply_event
from mt.errors import TransdeskError
from mt.keystrokes import MAX_EVENTS
from tests.conftest import shared_lines
from tests.store.conftest import TableEngine

MALFORMED = {
    "seg_2_63": {"seg": 2**63},
    "seg_2_31": {"seg": 2**31},
    "seg_negative": {"seg": -1},
    "seg_string": {"seg": "1"},
    "seg_bool": {"seg": True},
    "version_2_63": {"version": 2**63},
    "version_float": {"version": 1.0},
    "mine_from_2_63": {"mine_from": 2**63},
    "elapsed_1e20": {"elapsed": 1e20},
    "elapsed_nan": {"elapsed": float("nan")},
    "elapsed_inf": {"elapsed": float("inf")},
    "elapsed_huge_int": {"elapsed": 10**400},
    "elapsed_negative": {"elapsed": -5},
    "elapsed_string": {"elapsed": "100"},
    "key_class_object": {"keys": [[0, {}]]},
    "key_class_list": {"keys": [[0, []]]},
    "key_class_huge_list": {"keys": [[0, ["l"] * 100_000]]},
    "keys_huge_list": {"keys": [[0, "l"]] * (MAX_EVENTS + 1)},
    "key_time_inf": {"keys": {"t": [float("inf")], "c": "l"}},
    "key_time_nan": {"keys": {"t": [float("nan")], "c": "l"}},
    "key_time_1e20": {"keys": [[1e20, "letter"]]},
    "key_time_huge_int": {"keys": {"t": [10**400], "c": "l"}},
    "keys_object": {"keys": {}},
    "keys_deep": {"keys": [[0, "l"], [1, [[[[[[[[[[["l"]]]]]]]]]]]]]},
    "op_object": {"op": {}},
    "text_object": {"text": {"a": 1}},
}


@pytest.fixture
def article(store):
    ko = shared_lines("ntrex128", "ko", 3)
    engine = TableEngine("table-model", {k: f"Draft {i}." for i, k in enumerate(ko)})
    doc = drafting.create_document(
        store, "\n".join(ko), title="One", engine=engine, created_by="kim", segment_mode="line"
    )
    return doc, repo.list_segments(store, doc)[0]


def _save(seg, over=None, **more):
    keys = {"t": [100, 250], "c": "ll"}
    event = {"op": "save", "seg": seg.id, "version": seg.version, "text": "Mine.", "keys": keys,
             "elapsed": 900, "editor": "kim", "nonce": 1}  # fmt: skip
    return event | (over or {}) | more


@pytest.mark.parametrize("over", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_event_is_refused_then_a_save_is_stored(store, article, over):
    doc, seg = article
    before = repo.edit_events(store, segment_id=seg.id)
    with pytest.raises(TransdeskError) as caught:
        apply_event(store, _save(seg, over), editor="kim", document_id=doc)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 300
    assert repo.get_segment(store, seg.id) == seg  # nothing changed
    assert repo.edit_events(store, segment_id=seg.id) == before
    outcome = apply_event(store, _save(seg, text="Saved after."), editor="kim", document_id=doc)
    assert outcome.segment.target == "Saved after."
    assert repo.get_segment(store, seg.id).target == "Saved after."


def test_refused_event_is_answered_in_the_ack(store, article):
    """The grid's ack: ok false with the one line, for the malformed event; then a save."""
    from types import SimpleNamespace

    from ui.grid import GridSession, handle_action

    doc, seg = article
    ses = GridSession(doc)
    who = SimpleNamespace(name="kim", can=lambda _: True)
    for n, over in enumerate(MALFORMED.values(), 10):
        ack = handle_action(store, ses, _save(seg, over, nonce=n), who)
        assert ack["ok"] is False and ack["nonce"] == n, ack
        assert isinstance(ack["error"], str) and "\n" not in ack["error"]
    ack = handle_action(store, ses, _save(seg, nonce=99, text="Stored."), who)
    assert ack["ok"] is True and repo.get_segment(store, seg.id).target == "Stored."
