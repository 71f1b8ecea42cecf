"""The document store: documents, segments, MT drafts, the append-only edit log and editors.

The only door to the database: every function takes a `Store` (from `open_store`) first and
returns frozen views (see `mt.store.views`), never ORM objects. Changes name the version they
started from; a stale one raises `ConflictError` and changes nothing. The edit log is
append-only. Persistence only: drafting and revising rules are `mt.drafting` and `mt.revising`.
"""

from __future__ import annotations

from mt.store.accounts import (
    add_user,
    authenticate,
    editor_by_id,
    ensure_editor,
    has_accounts,
    list_users,
    remove_user,
    rename_user,
    set_password,
    set_role,
)
from mt.store.comments import add_comment, list_comments
from mt.store.db import Store, default_url, open_store
from mt.store.documents import get_document, list_documents
from mt.store.glossary import *  # noqa: F403
from mt.store.glossary import __all__ as _glossary_all
from mt.store.segments import (
    count_segments,
    drafts,
    edit_events,
    get_segment,
    list_segments,
    next_segment,
    open_segment,
)
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
    "authenticate",
    "count_segments",
    "default_url",
    "drafts",
    "edit_events",
    "editor_by_id",
    "ensure_editor",
    "get_document",
    "get_segment",
    "has_accounts",
    "list_comments",
    "list_documents",
    "list_segments",
    "list_users",
    "next_segment",
    "open_segment",
    "open_store",
    "remove_user",
    "rename_user",
    "set_password",
    "set_role",
    *_glossary_all,
]
