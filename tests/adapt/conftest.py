"""Adaptation fixtures: a desk whose editors approved real NTREX-128 English for real Korean
news, document by document, drafted by the tiny offline model."""

from __future__ import annotations

from collections.abc import Sequence

from tests.conftest import shared_lines


def ntrex_documents(limit_docs: int | None = None) -> list[tuple[str, list[str], list[str]]]:
    """(document id, Korean lines, English lines) of NTREX-128, in corpus order."""
    ko, en = shared_lines("ntrex128", "ko"), shared_lines("ntrex128", "en")
    ids = shared_lines("ntrex128", "docids")
    docs: dict[str, tuple[list[str], list[str]]] = {}
    for doc, k, e in zip(ids, ko, en, strict=True):
        docs.setdefault(doc, ([], []))
        docs[doc][0].append(k)
        docs[doc][1].append(e)
    out = [(name, k, e) for name, (k, e) in docs.items()]
    return out[:limit_docs] if limit_docs else out


def approve_documents(
    desk, engine, documents: Sequence[tuple[str, list[str], list[str]]], editor: str = "kim"
) -> list[int]:
    """Import each document (one segment per line, drafted by `engine`) and approve every
    segment with the reference English, as an editor would; returns the document ids."""
    from mt.drafting import create_document
    from mt.revising import approve_segment
    from mt.store import list_segments

    ids = []
    for title, ko, en in documents:
        doc = create_document(
            desk, "\n".join(ko), title=title, engine=engine, created_by=editor,
            segment_mode="line",
        )  # fmt: skip
        segments = list_segments(desk, doc)
        assert len(segments) == len(en), title
        for seg, final in zip(segments, en, strict=True):
            approve_segment(desk, seg.id, editor=editor, base_version=seg.version, text=final)
        ids.append(doc)
    return ids
