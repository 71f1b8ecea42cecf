"""Download buttons for a document (English article as txt, docx, XLIFF) and its preview."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from mt import drafting
from mt import store as repo
from mt.exchange.export import export_document
from ui import components as ui

# (format, button label, file suffix, MIME type)
ARTICLE_FORMATS = [
    ("txt", "Download .txt", ".en.txt", "text/plain"),
    (
        "docx",
        "Download .docx",
        ".en.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xliff", "Download XLIFF", ".xlf", "application/x-xliff+xml"),
]
DATA_FORMATS = [
    ("csv", "Download CSV", ".csv", "text/csv"),
    ("jsonl", "Download JSONL", ".jsonl", "application/jsonl"),
]


def file_stem(title: str, doc_id: int) -> str:
    """A safe file name for a document: letters (any script), digits, dashes; never a path."""
    stem = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-_")[:60]
    return stem or f"article-{doc_id}"


def exporter(store: repo.Store, doc_id: int, fmt: str) -> Callable[[], bytes]:
    """A callable that exports the document when the button is pressed (not on every run).
    Article formats (txt, docx, html, md) mark each segment not yet approved as such."""

    def export() -> bytes:
        return export_document(store, doc_id, fmt, unapproved="mark")

    return export


def download_row(
    store: repo.Store,
    doc: repo.DocumentSummary,
    formats: list[tuple[str, str, str, str]],
    *,
    key: str,
) -> None:
    """One download button per format, side by side."""
    stem = file_stem(doc.title, doc.id)
    with st.container(horizontal=True, key=f"{key}_downloads"):
        for fmt, label, suffix, mime in formats:
            st.download_button(
                label,
                data=exporter(store, doc.id, fmt),
                file_name=stem + suffix,
                mime=mime,
                key=f"{key}_download_{fmt}",
                on_click="ignore",
                icon=":material/download:",
            )


def article_section(store: repo.Store, doc: repo.DocumentSummary) -> None:
    """The English article: downloads, and a preview rebuilt with its paragraphs on request."""
    st.subheader("The English article")
    st.caption(
        "Downloads hold the current English of every segment, with the article's paragraphs; "
        "segments not yet approved are marked [UNAPPROVED: …] in the article formats."
    )
    download_row(store, doc, ARTICLE_FORMATS, key="article")
    if st.toggle("Show the English article", key="article_preview"):
        ui.article_preview(drafting.document_text(store, doc.id, which="target"))
