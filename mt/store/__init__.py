"""The document store: documents, segments, MT drafts, the append-only edit log and editors."""

from __future__ import annotations

from mt.store.repository import *  # noqa: F403
from mt.store.repository import __all__  # noqa: F401
