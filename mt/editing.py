"""What the web editor's grid may ask of the store, checked before anything changes.

The grid (a browser component) sends events; a browser is not trusted, so each event is checked
here against who is signed in and which article is open, and refused with one clear line
(`InputError`, `PermissionDenied`, or `ConflictError` for a stale version) that changes nothing:

- `op`: save, approve, revert, reopen (changes, through `mt.store`), wip (the unsaved copy,
  `mt.store.drafts_wip`; a copy equal to the saved text clears it);
- `seg`: the segment id; it must belong to the article the editor has open;
- `version`: the version the text was typed against (a stale one is a conflict);
- `text`: the box's text (save, approve, wip); `editor`: when present, must be the signed-in
  editor (the store is always told the signed-in name, never the event's);
- `keys`: the visit's keystroke log (`mt.keystrokes`); `elapsed`: ms since the visit began;
- `confirm`: true when the editor confirmed approving despite QA errors;
- `mine_from` (save only): the editor keeps their text over a newer version after a conflict
  (Alt+M): `version` is the newer version they were shown, `mine_from` the one their text was
  typed against; the edit log names both.

Every field is checked for its type and range here (ids and versions from 1 to `MAX_INT`,
`elapsed` a finite number from 0 to `MAX_ELAPSED_MS`, the keystroke log by
`mt.keystrokes.parse_keylog`), so a malformed event is answered with one line, never an
exception of another kind that would leave the grid waiting. A change is also bounded: its text
and keystroke log by the segment's source (`mt.limits`), and at most 10 changes a second per
editor (`mt.store.limits`).

Active time of a visit is taken from the keystroke log: the gaps between the visit's start, each
key event and the save, each counted up to `mt.timing.IDLE_AFTER` (a longer gap is idle).
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from mt import permissions
from mt.errors import InputError, PermissionDenied, shown
from mt.limits import MAX_TEXT

if TYPE_CHECKING:
    from mt.store.db import Store
    from mt.store.views import SegmentView

__all__ = ["GRID_RIGHTS", "OPS", "EditorEvent", "Outcome", "apply_event", "parse_event"]

OPS = ("save", "approve", "revert", "reopen", "wip")
# Segment ids and versions are 32-bit integer columns (PostgreSQL's INTEGER).
MAX_INT = 2**31 - 1
# A visit left open for a month is not timed: `elapsed` beyond it is refused.
MAX_ELAPSED_MS = 30 * 24 * 3600 * 1000
# Which ops need which right (`mt.permissions`): the store repeats the role check.
_RIGHT = {"save": "edit", "wip": "edit", "revert": "edit", "approve": "approve", "reopen": "reopen"}
# The rights the grid is given (`can`), computed from `mt.permissions` by the caller; saving
# over or reverting an approved segment also needs `change_approved`.
GRID_RIGHTS = ("edit", "approve", "reopen", "change_approved")


@dataclass(frozen=True)
class EditorEvent:
    """A checked grid event (see the module docstring)."""

    op: str
    segment_id: int
    version: int
    text: str | None
    keylog: Any = None
    elapsed_ms: int | None = None
    confirm: bool = False
    nonce: int = 0
    mine_from: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What an event did: `segment` after it (None for wip), or `needs_confirm` with the QA
    errors that stopped an approval (nothing changed then)."""

    op: str
    segment: SegmentView | None
    needs_confirm: tuple[str, ...] = ()
    message: str = ""
    extra: dict = field(default_factory=dict)


def _int(raw: Mapping, key: str, what: str, *, low: int = 1) -> int:
    """A whole number from `low` to `MAX_INT` (the store's 32-bit integer columns)."""
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what} must be a whole number, not {shown(value)}: refused")
    if not low <= value <= MAX_INT:
        raise InputError(f"{what} {shown(value)} is out of range ({low} to {MAX_INT:,}): refused")
    return value


def _elapsed(value: Any) -> int | None:
    """`elapsed` (ms since the visit began) as whole milliseconds, or None when not sent."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (isinstance(value, int) or math.isfinite(value))  # an int may pass a float's range
        or not 0 <= value <= MAX_ELAPSED_MS
    ):
        raise InputError(
            f"elapsed time {shown(value)} is not a number of milliseconds from 0 to "
            f"{MAX_ELAPSED_MS:,} (30 days): refused"
        )
    return int(value)


def parse_event(raw: Any, *, editor: str) -> EditorEvent:
    """Check an event's shape and its editor name; `InputError`/`PermissionDenied` otherwise.

    `raw` is `Any` on purpose: it is the JSON a browser sent, untrusted until checked here.
    """
    if not isinstance(raw, Mapping):
        raise InputError("editor event must be an object: refused")
    op = raw.get("op")
    if op not in OPS:
        raise InputError(f"unknown editor action {shown(op)}: refused")
    named = raw.get("editor")
    if named is not None and named != editor:
        raise PermissionDenied(
            f"this action names editor {str(named)[:80]!r} but you are signed in as "
            f"{editor!r}: refused, nothing changed"
        )
    text = raw.get("text")
    if op in ("save", "approve", "wip"):
        if op == "approve" and text is None:
            pass  # approve the stored text as it is
        elif not isinstance(text, str):
            raise InputError(f"{op} needs the box's text: refused")
    else:
        text = None
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise InputError(f"text is {len(text):,} characters (at most {MAX_TEXT:,}): refused")
    elapsed = _elapsed(raw.get("elapsed"))
    nonce = raw.get("nonce", 0)
    mine_from = None
    if raw.get("mine_from") is not None:
        if op != "save":
            raise InputError(f"only a save keeps your text over a newer version, not {op}: refused")
        mine_from = _int(raw, "mine_from", "the version your text was typed against", low=0)
    return EditorEvent(
        op=op,
        segment_id=_int(raw, "seg", "segment id"),
        version=_int(raw, "version", "version", low=0),  # 0: stale, a conflict
        text=text,
        keylog=raw.get("keys"),
        elapsed_ms=elapsed,
        confirm=raw.get("confirm") is True,
        nonce=nonce if isinstance(nonce, int) and not isinstance(nonce, bool) else 0,  # echoed only
        mine_from=mine_from,
    )


def active_ms(times: Collection[int], elapsed_ms: int | None) -> int | None:
    """Active time of a visit from its key times (see the module docstring)."""
    from mt.timing import IDLE_AFTER

    cap = int(IDLE_AFTER / timedelta(milliseconds=1))
    marks = [0, *times] + ([elapsed_ms] if elapsed_ms is not None else [])
    if len(marks) < 2:
        return None
    return sum(min(max(b - a, 0), cap) for a, b in itertools.pairwise(marks))


def apply_event(
    store: Store,
    raw: Any,
    *,
    editor: str,
    document_id: int,
    can: Mapping[str, bool] | None = None,
) -> Outcome:
    """Check one grid event and carry it out for `editor` on the open article.

    Arguments:
        can: the signed-in editor's rights by action name (`GRID_RIGHTS`); missing means
            allowed (the store still checks roles when accounts exist).

    Raises:
        InputError: a malformed event, a segment of another article, a keystroke log too long.
        PermissionDenied: another editor's name, or a right the editor lacks (an approved
            segment saved over or reverted without `change_approved` included).
        ConflictError: a stale version.
        NotFound: no such segment.
        TooManySaves: the editor's 11th change in a second (`mt.store.limits`).
    """
    from mt import revising
    from mt import store as repo
    from mt.keystrokes import parse_keylog
    from mt.limits import check_change_size
    from mt.store.drafts_wip import clear_wip, put_wip
    from mt.store.limits import check_save_rate

    event = parse_event(raw, editor=editor)
    right = _RIGHT[event.op]
    if can is not None and not can.get(right, True):
        raise PermissionDenied(f"{editor} may not {right} here: refused")
    seg = repo.get_segment(store, event.segment_id)
    if seg.document_id != document_id:
        raise InputError(
            f"segment {event.segment_id} is not in the article you have open: refused, "
            "nothing changed"
        )
    if (
        can is not None
        and permissions.needs_change_approved(event.op, seg.status)
        and not can.get("change_approved", True)
    ):
        raise permissions.change_approved_denied(seg.id, editor)
    log = parse_keylog(event.keylog)  # refuse a bad log before anything is written
    if event.op != "wip":  # each change is an edit-log row: bounded, at most 10 a second
        text = event.text if event.text is not None else seg.target
        check_change_size(seg.id, seg.source, seg.target, text, log.to_json() if log else None)
        check_save_rate(store, editor)
    if event.op == "wip":
        if unicodedata.normalize("NFC", event.text or "") == seg.target:
            clear_wip(store, seg.id, editor=editor)  # back to the saved text: nothing unsaved
        else:
            put_wip(store, seg.id, event.text or "", editor=editor, base_version=event.version)
        return Outcome("wip", None)
    timing: dict[str, Any] = {}
    if log is not None:
        from mt.timing import utcnow

        timing = {
            "keylog": log.to_json(),
            "active_ms": active_ms(log.times, event.elapsed_ms),
        }
        if event.elapsed_ms is not None:
            timing["opened_at"] = utcnow() - timedelta(milliseconds=event.elapsed_ms)
    if event.op == "save":
        view = revising.save_segment(
            store,
            seg.id,
            event.text or "",
            editor=editor,
            base_version=event.version,
            mine_from=event.mine_from,
            **timing,
        )
    elif event.op == "approve":
        text = event.text if event.text is not None else seg.target
        if not event.confirm:
            errors = _qa_errors(store, seg, text)
            if errors:
                return Outcome("approve", None, needs_confirm=errors)
        view = revising.approve_segment(
            store, seg.id, editor=editor, base_version=event.version, text=text, **timing
        )
    elif event.op == "revert":
        view = revising.revert_to_mt(store, seg.id, editor=editor, base_version=event.version)
    else:
        view = revising.reopen_segment(store, seg.id, editor=editor, base_version=event.version)
    return Outcome(event.op, view)


def _qa_errors(store: Store, seg: SegmentView, text: str) -> tuple[str, ...]:
    from mt.qa import check_pair
    from mt.termbase import store_glossary

    found = check_pair(seg.source, text, glossary=store_glossary(store))
    return tuple(f.message for f in found if f.severity == "error")
