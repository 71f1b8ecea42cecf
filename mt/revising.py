"""Revising a segment: save, approve, reopen and revert.

Each runs the rules the store does not: the QA findings of the new text (`mt.qa.check_pair`
with the stored glossary, plus the article-level findings of the desk), the visit's keystroke
log parsed (`mt.keystrokes.parse_keylog`); then the store's one conditional write
(`mt.store.segments.change_segment` with a frozen `Change`); then, after the caller has its
answer, the score cache of the segment's draft against its new text (`mt.store.scores`).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mt.errors import InputError
from mt.store.db import Store
from mt.store.segments import Change, Resolution, change_segment, segment_place
from mt.store.views import SegmentView

if TYPE_CHECKING:
    from mt.qa.glossary import Glossary


Findings = list[dict[str, Any]]


def qa_findings(source: str, text: str, glossary: Glossary | None) -> Findings:
    """QA findings of a saved text (with the stored glossary), as stored with its edit event."""
    from mt.qa import check_pair

    return [asdict(f) for f in check_pair(source, text, glossary=glossary)]


def _change(
    store: Store, segment_id: int, change: Change, *, editor: str, keylog: Any = None
) -> SegmentView:
    """The one path of save, approve, reopen and revert (see their docstrings): the keystroke
    log parsed, QA findings computed unless the change carries them, the store's write, then
    the score cache."""
    from mt.keystrokes import parse_keylog

    log = parse_keylog(keylog)
    if log is not None and change.keystrokes is None:
        change = replace(change, keystrokes=len(log.codes))
    findings = change.findings
    if findings is None and change.kind in ("save", "approve"):
        findings = _findings(store, segment_id, change.text)
    change = replace(change, findings=findings, keylog=log.to_json() if log is not None else None)
    view = change_segment(store, segment_id, change, editor=editor)
    if view.draft is not None and change.kind != "reopen":
        from mt.scoring import cache_pair_stats

        # Reports sum these statistics instead of re-scoring every segment (see scores.py);
        # TER can take tens of milliseconds, so it runs after the save has returned.
        store.defer(cache_pair_stats, store, [(view.draft.id, view.draft.text, view.target)])
    return view


def _findings(store: Store, segment_id: int, text: str | None) -> Findings | None:
    """QA findings of the segment with `text` (its target when None); None when there is no
    such segment (the write then says so). QA runs before the write lock is taken: its first
    call loads a sentence splitter."""
    from mt.desk import document_findings
    from mt.termbase import session_glossary

    with store.session() as session:
        place = segment_place(session, segment_id)
        if place is None:
            return None
        new_text = text if text is not None else place.target
        glossary = session_glossary(session)
        # Article-level QA (one rendering per name, house style): mt.desk.
        article = document_findings(session, place.document_id, place.position, new_text)
    return qa_findings(place.source, new_text, glossary) + article


def save_segment(
    store: Store,
    segment_id: int,
    text: str,
    *,
    editor: str,
    base_version: int,
    active_ms: int | None = None,
    idle_ms: int | None = None,
    opened_at: datetime | None = None,
    keystrokes: int | None = None,
    client: str = "web",
    findings: Findings | None = None,
    keylog: Any = None,
    mine_from: int | None = None,
) -> SegmentView:
    """Save `text` (NFC-normalised) as the segment's target; status becomes "edited".

    `mine_from` resolves a conflict by keeping this text: the version it was typed against,
    older than `base_version`, which must then be the newer version it goes on top of (the
    version the editor was shown). The edit log names both (`Resolution`).

    A save that changes nothing (same text, already edited) is logged with its timing but keeps
    the version. QA findings of the text (`mt.qa.check_pair` with the stored glossary, as
    dicts) are stored with the event, unless `findings` are given. `keylog` is the visit's
    keystroke log (see `mt.keystrokes.parse_keylog`), stored with the event. The editor's
    unsaved copy of the segment (`mt.store.drafts_wip`) is deleted. `keylog` stays `Any`: it
    is JSON as the browser sent it, checked by `parse_keylog` before anything is stored.

    Raises:
        ConflictError: `base_version` is not the current version (carries current_text,
            attempted_text, current_version); nothing is changed.
        PermissionDenied: accounts exist and `editor` has none, or an editor saves an
            approved segment (a reviewer must reopen it first).
        NotFound: no such segment.
    """
    if not isinstance(text, str):
        raise InputError("segment text must be a string")
    resolution = Resolution(mine_from) if mine_from is not None else None
    change = Change(  # checks the client, the text, the durations and the findings first
        "save",
        base_version,
        client,
        text,
        active_ms,
        idle_ms,
        opened_at,
        keystrokes,
        findings,
        resolution=resolution,
    )
    return _change(store, segment_id, change, editor=editor, keylog=keylog)


def approve_segment(
    store: Store,
    segment_id: int,
    *,
    editor: str,
    base_version: int,
    client: str = "web",
    text: str | None = None,
    active_ms: int | None = None,
    idle_ms: int | None = None,
    opened_at: datetime | None = None,
    keystrokes: int | None = None,
    findings: Findings | None = None,
    keylog: Any = None,
) -> SegmentView:
    """Approve the segment, optionally saving `text` in the same step (one `approve` event).

    The pair goes into the translation memory (`mt.tm`); QA findings are stored as on a save.

    Raises ConflictError as `save_segment`; PermissionDenied when accounts exist and `editor`
    is not a reviewer or admin.
    """
    change = Change(
        "approve", base_version, client, text, active_ms, idle_ms, opened_at, keystrokes, findings
    )
    return _change(store, segment_id, change, editor=editor, keylog=keylog)


def reopen_segment(
    store: Store, segment_id: int, *, editor: str, base_version: int, client: str = "web"
) -> SegmentView:
    """Take an approved segment back to "edited" (no-op for others). Needs reviewer or admin
    when accounts exist. Raises ConflictError as `save_segment`."""
    return _change(store, segment_id, Change("reopen", base_version, client), editor=editor)


def revert_to_mt(
    store: Store, segment_id: int, *, editor: str, base_version: int, client: str = "web"
) -> SegmentView:
    """Put the current MT draft back as the target; status becomes "draft".

    Raises ConflictError as `save_segment`; InputError when the segment has no draft.
    """
    return _change(store, segment_id, Change("revert", base_version, client), editor=editor)
