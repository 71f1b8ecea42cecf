"""Rendering helpers for the pages: they take `mt` objects and draw them, nothing else.

Text from documents (sources, drafts, targets, titles, comments, names) is shown with `st.text`,
in tables, or through `st.html` after `html.escape`: it never reaches Markdown, so `**bold**`,
`<script>` and `:red[...]` in an article stay the characters they are.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import streamlit as st

from mt.textdiff import DiffOp

if TYPE_CHECKING:
    from mt.qa.findings import Finding
    from mt.qa.glossary import TermMatch
    from mt.tm import TMMatch

STATUS_COLORS = {"draft": "gray", "edited": "blue", "approved": "green"}
STATUS_LABELS = {"draft": "MT draft", "edited": "Edited", "approved": "Approved"}

TEST_MODEL_MESSAGE = (
    "These drafts come from an offline **test model** with random weights. "
    "They are not translations: use them only to try the desk out."
)


def escaped(text: str) -> str:
    """`text` made inert for HTML: every <, >, & and quote escaped."""
    return html.escape(text, quote=True)


def md_literal(text: str) -> str:
    """`text` made literal inside our own Markdown (labels, captions): every ASCII punctuation
    mark is backslash-escaped, as CommonMark allows, and line breaks become spaces."""
    flat = " ".join(str(text).split())
    return "".join("\\" + c if c.isascii() and not c.isalnum() and c != " " else c for c in flat)


def message(kind: str, text: str) -> None:
    """A status message (error, success, info, warning or toast) whose text may hold names,
    titles, file names or terms a person typed: shown literally, never as Markdown, so
    `[x](http://…)`, `![](…)`, `<a>` and bare URLs stay text. Every page's messages go
    through here (tests/robustness/test_markup.py walks the pages)."""
    show = {
        "error": st.error,
        "success": st.success,
        "info": st.info,
        "warning": st.warning,
        "toast": st.toast,
    }[kind]
    show(md_literal(text))


def error(text: str) -> None:
    """`message("error", text)`."""
    message("error", text)


def success(text: str) -> None:
    """`message("success", text)`."""
    message("success", text)


def heading(text: str, *, level: int = 2, key: str | None = None) -> None:
    """A heading whose words come from a document (escaped, never Markdown)."""
    tag = f"h{min(max(level, 1), 6)}"
    st.html(f'<{tag} style="margin:0 0 .25rem 0">{escaped(text)}</{tag}>')


def label(text: str) -> None:
    """A small grey label above a block of text."""
    st.caption(text)


def text_block(text: str, *, empty: str = "(empty)") -> None:
    """Document text shown as-is, line breaks kept; `empty` when there is none."""
    if text:
        st.text(text)
    else:
        st.caption(empty)


def status_badge(status: str) -> None:
    """A coloured badge for a segment status (draft, edited, approved)."""
    st.badge(STATUS_LABELS.get(status, status), color=STATUS_COLORS.get(status, "gray"))


def when(moment: datetime | None) -> str:
    """A short local-time label for a moment ("" when unknown)."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def test_model_warning(model_id: str | None = None, *, note: str = "") -> None:
    """The plain warning every page shows when drafts come from the offline test model."""
    extra = f" ({note}.)" if note else ""
    where = f" Model: `{model_id}`." if model_id and "`" not in model_id else ""
    st.warning(TEST_MODEL_MESSAGE + extra + where, icon=":material/warning:")


def diff_html(ops: Sequence[DiffOp]) -> str:
    """The diff as escaped HTML: deletions struck through in red, insertions in green."""
    parts: list[str] = []
    for op in ops:
        if op.kind == "equal":
            parts.append(escaped(op.after))
            continue
        if op.before:
            parts.append(
                '<del style="background:#ffe0e0;color:#8a1f1f">' + escaped(op.before) + "</del>"
            )
        if op.after:
            parts.append(
                '<ins style="background:#dcf5dc;color:#1b5e20;text-decoration:none">'
                + escaped(op.after)
                + "</ins>"
            )
    body = "".join(parts) or '<span style="color:#888">(both empty)</span>'
    return (
        '<div class="td-diff" style="white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.6">'
        f"{body}</div>"
    )


def diff_view(ops: Sequence[DiffOp]) -> None:
    """Show a word-level diff (MT draft → current English)."""
    st.html(diff_html(ops))


def paragraphs_html(text: str) -> str:
    """An article as escaped HTML paragraphs (blank lines separate paragraphs)."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    style = "margin:0 0 .8rem 0;white-space:pre-wrap;overflow-wrap:anywhere"
    inner = "".join(f'<p style="{style}">{escaped(p)}</p>' for p in paras)
    return f'<div class="td-article">{inner or "<p>(empty)</p>"}</div>'


def article_preview(text: str) -> None:
    """An article rebuilt with its paragraphs, as text."""
    st.html(paragraphs_html(text))


# --- editor aids: glossary terms, translation-memory matches, QA findings ---------------------

_TEXT_STYLE = "white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.6"
_SEVERITY_STYLE = {
    "error": "background:#fde2e1;color:#8a1f1f",
    "warning": "background:#fff1d6;color:#7a4d00",
}


def source_terms_html(source: str, terms: Sequence[TermMatch]) -> str:
    """The Korean source as escaped HTML, glossary terms marked (their English on hover), and
    below it each term with the English it requires."""
    parts: list[str] = []
    at = 0
    for m in sorted(terms, key=lambda t: t.start):
        if m.start < at:  # overlapping matches: the first one wins
            continue
        parts.append(escaped(source[at : m.start]))
        parts.append(
            f'<mark class="td-term" title="{escaped(m.english)}" '
            'style="background:#fff3b0;padding:0 .1rem;border-radius:.2rem">'
            f"{escaped(source[m.start : m.end])}</mark>"
        )
        at = m.end
    parts.append(escaped(source[at:]))
    legend = ""
    required = dict.fromkeys((m.term, m.english) for m in terms)
    if required:
        items = " · ".join(f"{escaped(ko)} → <b>{escaped(en)}</b>" for ko, en in required)
        legend = (
            '<div class="td-terms" style="font-size:.85rem;color:#555;margin-top:.3rem">'
            f"Glossary: {items}</div>"
        )
    return f'<div class="td-source" style="{_TEXT_STYLE}">{"".join(parts)}</div>{legend}'


def source_with_terms(source: str, terms: Sequence[TermMatch]) -> None:
    """Show the Korean source with its glossary terms highlighted (plain text without any)."""
    if terms:
        st.html(source_terms_html(source, terms))
    else:
        text_block(source)


def tm_match_html(match: TMMatch) -> str:
    """One translation-memory match: its score, the memory's English, and where the memory's
    Korean differs from this segment's (struck through: only in the memory; green: only here)."""
    origin = "approved here" if match.entry.origin == "approved" else "imported TMX"
    return (
        '<div class="td-tm" style="margin-bottom:.6rem">'
        '<span style="background:#e1ecfb;color:#1d4f91;border-radius:.5rem;padding:.1rem .5rem;'
        f'font-size:.8rem">{match.score:.0f}% match</span> '
        f'<span style="font-size:.8rem;color:#777">{escaped(origin)}</span>'
        f'<div class="td-tm-target" style="{_TEXT_STYLE};margin:.2rem 0">'
        f"{escaped(match.target)}</div>"
        '<div style="font-size:.8rem;color:#777">Korean differences:</div>'
        f"{diff_html(match.diff)}</div>"
    )


def findings_html(findings: Sequence[Finding]) -> str:
    """QA findings as an escaped HTML list, errors first."""
    if not findings:
        return '<div class="td-qa td-qa-clean" style="color:#1b6b2f">QA: no problems found.</div>'
    ordered = sorted(findings, key=lambda f: f.severity != "error")
    items = "".join(
        '<li style="margin:.15rem 0">'
        f'<span style="{_SEVERITY_STYLE.get(f.severity, _SEVERITY_STYLE["warning"])};'
        f'border-radius:.4rem;padding:0 .4rem;font-size:.8rem">{escaped(f.severity)}</span> '
        f"<b>{escaped(f.check)}</b>: {escaped(f.message)}</li>"
        for f in ordered
    )
    return (
        '<div class="td-qa"><ul style="margin:0;padding-left:1.1rem;list-style:none">'
        f"{items}</ul></div>"
    )


# --- whole sentences and short times for messages ---------------------------------------------


def sentence(text: str) -> str:
    """`text` as a whole sentence: its first letter upper-case and a full stop at the end (kept
    when it already ends with ".", "!" or "?"). Service messages ("segment 3 was changed …;
    nothing was saved") become "Segment 3 was changed …; nothing was saved."."""
    words = " ".join(str(text).split())
    if not words:
        return ""
    words = words[0].upper() + words[1:]
    return words if words.endswith((".", "!", "?")) else words + "."


def clock(moment: datetime | None, *, now: datetime | None = None) -> str:
    """A moment as local time for a sentence: "14:02" today, "2026-12-07 14:02" on another day,
    "" when unknown."""
    if moment is None:
        return ""
    local = moment.astimezone()
    today = (now or datetime.now(local.tzinfo)).astimezone(local.tzinfo).date()
    return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")
