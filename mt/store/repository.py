"""Three wrappers left here until their callers are re-pointed (issue #14): the export, the
XLIFF import and the report, implemented in `mt.store.export`, `mt.store.xliff_import` and
`mt.report`. Everything else the store offers lives in its modules by subject (documents,
segments, comments, accounts, ...) and is re-exported by `mt.store`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mt.store.db import Store
from mt.store.views import XliffImportResult

__all__ = ["export_document", "import_xliff", "report"]


def export_document(
    store: Store, doc_id: int, fmt: str, out_path: str | Path, *, unapproved: str = "refuse"
) -> None:
    """Write the document as txt, docx, html, md, xliff, xliff2, tmx, jsonl or csv (see
    mt.store.export); `unapproved`: "refuse", "mark" or "allow" for the article formats."""
    from mt.store.export import export_document as _export

    _export(store, doc_id, fmt, out_path, unapproved=unapproved)


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
    store: Store,
    *,
    document_id: int | None = None,
    by: str | None = None,
    seed: int = 12345,
    n_samples: int = 1000,
) -> dict[str, Any]:
    """Post-editing report (see mt.report.report): keys segments, approved, unchanged_rate, hter,
    chrf, bleu (each with `_ci95`), signatures, seconds_per_word, seconds_per_char,
    words_per_hour, outliers, groups (by editor, step, model, document or day), models,
    comparisons, productivity, notes."""
    from mt.report import report as _report

    return _report(store, document_id=document_id, by=by, seed=seed, n_samples=n_samples)
