"""Frozen views the store returns: plain data, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mt.permissions import ROLES as ROLES  # viewer, editor, reviewer, admin (re-exported)

STATUSES = ("draft", "edited", "approved")
EVENT_KINDS = ("open", "save", "approve", "reopen", "revert", "comment", "import")
CLIENTS = ("web", "xliff", "api", "cli")


@dataclass(frozen=True)
class EditorView:
    """A person who edits or reviews; `role` is one of editor, reviewer, admin."""

    id: int
    name: str
    role: str
    created_at: datetime
    has_password: bool = False


@dataclass(frozen=True)
class DraftView:
    """One MT (or translation-memory) draft of a segment.

    `score` is the model's mean token log-probability (None when unknown); `origin` is "mt",
    "tm" or "scratch" (no draft: translated from scratch); `beam` is the beam size used (None
    when the engine did not say); `revision` the hub commit hash or a local folder's
    ``sha256:`` fingerprint; `compute_type` the engine's (e.g. int8, float32).
    """

    id: int
    engine: str
    model_id: str
    revision: str | None
    beam: int | None
    text: str
    score: float | None
    time_ms: float | None
    origin: str
    is_test_model: bool
    created_at: datetime | None = None
    compute_type: str | None = None


@dataclass(frozen=True)
class SegmentView:
    """A segment as an editor sees it: source, current target, status, version, current draft."""

    id: int
    document_id: int
    position: int
    paragraph: int
    source: str
    target: str
    status: str
    version: int
    draft: DraftView | None
    comments: int
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class DocumentSummary:
    """A document with its progress; `status` is "in_progress" or "done"."""

    id: int
    title: str
    segments: int
    approved: int
    edited: int
    percent_approved: float
    last_editor: str | None
    last_edit_at: datetime | None
    status: str
    created_at: datetime
    model_id: str | None
    filename: str | None = None
    file_format: str | None = None
    created_by: str | None = None
    source_lang: str = "ko"
    target_lang: str = "en"
    test_model: bool = False  # some draft came from an offline test model (random text)


@dataclass(frozen=True)
class CommentView:
    """A comment on a segment."""

    id: int
    segment_id: int
    editor: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class EditEventView:
    """One row of the append-only edit log.

    For `comment` events `text_after` holds the comment; for `open` events both texts are the
    segment's target at opening. `findings` holds QA findings stored with a save (or None).
    """

    id: int
    segment_id: int
    editor: str
    kind: str
    text_before: str | None
    text_after: str | None
    version_before: int | None
    version_after: int | None
    opened_at: datetime | None
    saved_at: datetime
    active_ms: int | None
    idle_ms: int | None
    keystrokes: int | None
    client: str
    document_id: int | None = None
    findings: list[dict] | None = None
    keylog: dict | None = None
    resolution: dict | None = None


@dataclass(frozen=True)
class XliffImportResult:
    """What `import_xliff` did: segment ids saved, approved, and left unchanged, and the
    edit-log ids of the comments made from the file's new notes."""

    document_ids: tuple[int, ...]
    saved: tuple[int, ...]
    approved: tuple[int, ...]
    unchanged: tuple[int, ...]
    comments: tuple[int, ...] = ()
