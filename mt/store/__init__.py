"""The document store: documents, segments, MT drafts, the append-only edit log and editors."""

from __future__ import annotations

from mt.store.glossary import *  # noqa: F403
from mt.store.glossary import __all__ as _glossary_all
from mt.store.repository import *  # noqa: F403
from mt.store.repository import __all__ as _repository_all

__all__ = [*_repository_all, *_glossary_all]
