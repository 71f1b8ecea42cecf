"""The only door to the database for the CLI and the web app: documents, segments, edits, people.

Every function takes a `Store` (from `open_store`) first and returns frozen views (see
`mt.store.views`), never ORM objects. Saves name the version they started from; a stale one
raises `ConflictError` and changes nothing. The edit log is append-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from mt.store.db import Store, default_url, open_store
from mt.store.views import (
    CLIENTS,
    EVENT_KINDS,
    ROLES,
    STATUSES,
    CommentView,
    DocumentSummary,
    DraftView,
    EditEventView,
    EditorView,
    SegmentView,
    XliffImportResult,
)

__all__ = [
    "CLIENTS",
    "EVENT_KINDS",
    "ROLES",
    "STATUSES",
    "CommentView",
    "DocumentSummary",
    "DraftView",
    "EditEventView",
    "EditorView",
    "SegmentView",
    "Store",
    "XliffImportResult",
    "add_comment",
    "add_user",
    "approve_segment",
    "authenticate",
    "count_segments",
    "create_document",
    "default_url",
    "document_text",
    "drafts",
    "edit_events",
    "ensure_editor",
    "export_document",
    "get_document",
    "get_segment",
    "has_accounts",
    "import_file",
    "import_xliff",
    "list_comments",
    "list_documents",
    "list_segments",
    "list_users",
    "next_segment",
    "open_segment",
    "open_store",
    "reopen_segment",
    "report",
    "retranslate_document",
    "revert_to_mt",
    "save_segment",
    "set_password",
    "set_role",
]

Progress = Callable[[int, int], None]


# --- people -------------------------------------------------------------------------------


def add_user(
    store: Store, name: str, *, role: str = "editor", password: str | None = None
) -> EditorView:
    """Create an account (argon2id hash of `password`; None makes a password-less editor).

    Raises:
        InputError: the name is empty, the role unknown, or the name already taken.
    """
    raise NotImplementedError


def authenticate(store: Store, name: str, password: str) -> EditorView | None:
    """The editor when `password` matches their argon2 hash, else None (never raises)."""
    raise NotImplementedError


def list_users(store: Store) -> list[EditorView]:
    """Every editor, by name."""
    raise NotImplementedError


def set_role(store: Store, name: str, role: str) -> EditorView:
    """Change an editor's role. Raises NotFound for an unknown name, InputError for a bad role."""
    raise NotImplementedError


def set_password(store: Store, name: str, password: str) -> EditorView:
    """Set or replace an editor's password. Raises NotFound for an unknown name."""
    raise NotImplementedError


def has_accounts(store: Store) -> bool:
    """True when any editor has a password: role checks then apply to every action."""
    raise NotImplementedError


def ensure_editor(store: Store, name: str, *, role: str = "editor") -> EditorView:
    """The editor called `name`, created (without password) if missing."""
    raise NotImplementedError


# --- documents ----------------------------------------------------------------------------


def create_document(
    store: Store,
    text: str,
    *,
    title: str,
    engine: Any,
    created_by: str,
    filename: str | None = None,
    file_format: str = "txt",
    segment_mode: str = "sentence",
    progress: Progress | None = None,
) -> int:
    """Segment `text`, draft every segment with `engine`, store it all; returns the document id.

    Arguments:
        text: the Korean article; paragraphs are kept (see `mt.segment`).
        engine: an `mt.engines` engine (its `translate`, `model_id`, `revision`, `name` are
            used), or None to store the document without drafts (targets start empty).
        created_by: editor name (created if missing, unless accounts exist).
        segment_mode: "sentence" (kiwipiepy) or "line".
        progress: called with (done, total) while translating.

    Raises:
        InputError: the text has no segment.
    """
    raise NotImplementedError


def import_file(
    store: Store,
    path: str | Path,
    *,
    title: str | None = None,
    engine: Any,
    created_by: str,
    segment_mode: str = "sentence",
    progress: Progress | None = None,
    format: str | None = None,
    field: str | None = None,
    column: str | None = None,
) -> int:
    """Read a file with `mt.formats` (each unit a paragraph) and `create_document` from it."""
    raise NotImplementedError


def list_documents(store: Store) -> list[DocumentSummary]:
    """Every document with its progress, newest first."""
    raise NotImplementedError


def get_document(store: Store, doc_id: int) -> DocumentSummary:
    """One document's summary. Raises NotFound."""
    raise NotImplementedError


def retranslate_document(
    store: Store, doc_id: int, *, engine: Any, progress: Progress | None = None
) -> None:
    """Draft every segment again with `engine`, keeping the earlier drafts.

    Segments nobody has touched (status "draft") take the new draft as their target (logged as
    an `import` event); edited and approved segments keep their text and the draft they were
    edited from, and the new draft is kept for model comparison.
    """
    raise NotImplementedError


# --- segments -----------------------------------------------------------------------------


def list_segments(
    store: Store, doc_id: int, *, offset: int = 0, limit: int | None = None
) -> list[SegmentView]:
    """A document's segments in order (a page of them with offset/limit). Raises NotFound."""
    raise NotImplementedError


def count_segments(store: Store, doc_id: int) -> int:
    """How many segments the document has. Raises NotFound."""
    raise NotImplementedError


def get_segment(store: Store, segment_id: int) -> SegmentView:
    """One segment. Raises NotFound."""
    raise NotImplementedError


def open_segment(store: Store, segment_id: int, *, editor: str, client: str = "web") -> SegmentView:
    """Log that `editor` opened the segment for editing and return it."""
    raise NotImplementedError


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
    findings: list[dict] | None = None,
) -> SegmentView:
    """Save `text` (NFC-normalised) as the segment's target; status becomes "edited".

    Raises:
        ConflictError: `base_version` is not the current version (carries current_text,
            attempted_text, current_version); nothing is changed.
        PermissionDenied: accounts exist and `editor` has none, or an editor saves an
            approved segment (a reviewer must reopen it first).
    """
    raise NotImplementedError


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
    findings: list[dict] | None = None,
) -> SegmentView:
    """Approve the segment, optionally saving `text` in the same step (one `approve` event).

    Raises ConflictError as `save_segment`; PermissionDenied when accounts exist and `editor`
    is not a reviewer or admin.
    """
    raise NotImplementedError


def reopen_segment(
    store: Store, segment_id: int, *, editor: str, base_version: int, client: str = "web"
) -> SegmentView:
    """Take an approved segment back to "edited". Needs reviewer or admin when accounts exist."""
    raise NotImplementedError


def revert_to_mt(
    store: Store, segment_id: int, *, editor: str, base_version: int, client: str = "web"
) -> SegmentView:
    """Put the current MT draft back as the target; status becomes "draft"."""
    raise NotImplementedError


def add_comment(
    store: Store, segment_id: int, text: str, *, editor: str, client: str = "web"
) -> None:
    """Attach a comment to the segment (a `comment` event; the version does not change)."""
    raise NotImplementedError


def list_comments(store: Store, segment_id: int) -> list[CommentView]:
    """The segment's comments, oldest first."""
    raise NotImplementedError


def next_segment(
    store: Store, doc_id: int, *, after_position: int, unapproved_only: bool = True
) -> SegmentView | None:
    """The first segment after `after_position` (not yet approved, by default), or None."""
    raise NotImplementedError


def document_text(store: Store, doc_id: int, *, which: str = "target") -> str:
    """The whole article with its paragraphs: `which` is "target", "draft" or "source"."""
    raise NotImplementedError


def edit_events(
    store: Store, *, document_id: int | None = None, segment_id: int | None = None
) -> list[EditEventView]:
    """The edit log (optionally of one document or segment), oldest first."""
    raise NotImplementedError


def drafts(store: Store, segment_id: int) -> list[DraftView]:
    """Every draft of the segment (all models, all runs), oldest first."""
    raise NotImplementedError


# --- exchange and reports (implemented in export.py, xliff_import.py, mt/report.py) ------------


def export_document(store: Store, doc_id: int, fmt: str, out_path: str | Path) -> None:
    """Write the document as txt, docx, xliff, xliff2, tmx, jsonl or csv (see mt.store.export)."""
    from mt.store.export import export_document as _export

    _export(store, doc_id, fmt, out_path)


def import_xliff(
    store: Store, path: str | Path, *, editor: str, data: bytes | None = None
) -> XliffImportResult:
    """Record every target changed in an exported XLIFF as an edit (client "xliff").

    See `mt.store.xliff_import`. Raises ConflictError (changing nothing) when a changed target's
    segment was also changed in Transdesk since the export.
    """
    from mt.store.xliff_import import import_xliff as _import

    return _import(store, path, editor=editor, data=data)


def report(
    store: Store, *, document_id: int | None = None, by: str | None = None
) -> dict[str, Any]:
    """Post-editing report (see mt.report.report): keys segments, approved, unchanged_rate, hter,
    chrf, bleu, signatures, seconds_per_word, seconds_per_char, words_per_hour, outliers, groups,
    models."""
    from mt.report import report as _report

    return _report(store, document_id=document_id, by=by)
