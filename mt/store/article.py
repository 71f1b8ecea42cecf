"""The English article for handover: headline, byline and body, as txt, docx, HTML or Markdown.

- **Headline.** A news article opens with its headline: when the first paragraph is one short
  segment (at most `HEADLINE_CHARS` source characters) and more paragraphs follow, its English
  is the headline and the body starts after it; otherwise the document's title is.
- **Byline.** The first body paragraph is a byline when its English starts with "By " and is
  short, or its Korean is a short line ending in 기자 (reporter) or 특파원 (correspondent).
- **HTML** (`render_html`) is a fragment for a CMS: ``<h1>`` headline, ``<p class="byline">``,
  ``<p>`` per paragraph; every text is escaped, nothing else is written (no script, no style).
- **Markdown** (`render_markdown`): ``# headline``, the byline in italics, paragraphs; text is
  backslash-escaped so a segment holding ``<script>`` or ``*`` stays text.
- **Unapproved segments** (`UNAPPROVED_MODES`): "refuse" raises `WorkflowError` naming how many
  are not approved; "mark" wraps each in ``[UNAPPROVED: …]``; "allow" writes them plainly.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from mt.errors import InvalidValue, WorkflowError
from mt.store.db import Store

UNAPPROVED_MODES = ("refuse", "mark", "allow")
HEADLINE_CHARS = 150
_BYLINE_EN = re.compile(r"^By\s+\S")
_BYLINE_KO = re.compile(r"(기자|특파원)\s*$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


@dataclass(frozen=True)
class Piece:
    """One segment's English in the article and whether it is approved."""

    text: str
    approved: bool


@dataclass
class Article:
    """The article as handed over: headline, optional byline, body paragraphs of pieces."""

    title: str
    headline: list[Piece]
    byline: list[Piece] | None
    body: list[list[Piece]] = field(default_factory=list)

    def pieces(self) -> list[Piece]:
        return [*self.headline, *(self.byline or []), *(p for para in self.body for p in para)]


def check_mode(mode: str) -> str:
    if mode not in UNAPPROVED_MODES:
        raise InvalidValue(
            f"unknown handling of unapproved segments {mode!r} (choose from: "
            f"{', '.join(UNAPPROVED_MODES)})"
        )
    return mode


def load_article(store: Store, doc_id: int) -> Article:
    """The stored document as an `Article` (see the module docstring). Raises NotFound."""
    from sqlalchemy import select

    from mt.store.documents import require_document
    from mt.store.models import Segment

    with store.session() as session:
        doc = require_document(session, doc_id)
        title = doc.title
        rows = session.execute(
            select(Segment.paragraph, Segment.source, Segment.target, Segment.status)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
    paragraphs: list[list[tuple[str, Piece]]] = []
    last = None
    for paragraph, source, target, status in rows:
        if paragraph != last or not paragraphs:
            paragraphs.append([])
            last = paragraph
        paragraphs[-1].append((source, Piece(target.strip(), status == "approved")))
    first = paragraphs[0] if paragraphs else []
    if len(paragraphs) > 1 and len(first) == 1 and len(first[0][0]) <= HEADLINE_CHARS:
        headline = [first[0][1]]
        paragraphs = paragraphs[1:]
    else:
        headline = [Piece(title, True)]
    byline = None
    if len(paragraphs) > 1 and _is_byline(paragraphs[0]):
        byline = [p for _, p in paragraphs[0]]
        paragraphs = paragraphs[1:]
    body = [[p for _, p in para] for para in paragraphs]
    return Article(title, headline, byline, body)


def _is_byline(paragraph: list[tuple[str, Piece]]) -> bool:
    source = " ".join(s for s, _ in paragraph).strip()
    english = " ".join(p.text for _, p in paragraph).strip()
    short_en = len(english.split()) <= 12
    return bool(
        (_BYLINE_EN.match(english) and short_en)
        or (len(source) <= 40 and _BYLINE_KO.search(source))
    )


def prepare(store: Store, doc_id: int, unapproved: str) -> Article:
    """`load_article`, refusing (mode "refuse") when any segment is not approved."""
    check_mode(unapproved)
    article = load_article(store, doc_id)
    if unapproved == "refuse":
        from mt.store.segments import count_segments, list_segments

        n = count_segments(store, doc_id)
        left = sum(1 for s in list_segments(store, doc_id) if s.status != "approved")
        if left:
            raise WorkflowError(
                f"document {doc_id} has {left} of {n} segments not approved; approve them "
                "before handing the article over, or allow unapproved segments (marked or not)"
            )
    return article


def _text(pieces: list[Piece], mode: str) -> str:
    out = []
    for p in pieces:
        if not p.text:
            continue
        out.append(p.text if p.approved or mode != "mark" else f"[UNAPPROVED: {p.text}]")
    return " ".join(out)


def render_html(article: Article, *, unapproved: str = "allow") -> str:
    """A clean HTML fragment: <h1>, <p class="byline">, <p>; every text escaped."""
    lines = [f"<h1>{html.escape(_text(article.headline, unapproved))}</h1>"]
    if article.byline:
        lines.append(f'<p class="byline">{html.escape(_text(article.byline, unapproved))}</p>')
    for para in article.body:
        text = _text(para, unapproved)
        if text:
            lines.append(f"<p>{html.escape(text)}</p>")
    return "\n".join(lines) + "\n"


def md_escape(text: str) -> str:
    """`text` with Markdown's active characters backslash-escaped (HTML tags stay text)."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def render_markdown(article: Article, *, unapproved: str = "allow") -> str:
    """`# headline`, the byline in italics, one paragraph per block."""
    blocks = [f"# {md_escape(_text(article.headline, unapproved))}"]
    if article.byline:
        blocks.append(f"*{md_escape(_text(article.byline, unapproved))}*")
    blocks.extend(md_escape(t) for para in article.body if (t := _text(para, unapproved)))
    return "\n\n".join(blocks) + "\n"


def render_plain(article: Article, *, unapproved: str = "allow") -> str:
    """The approved English to paste anywhere: headline, byline and paragraphs, blank lines
    between them (the web app's "copy article" button)."""
    blocks = [_text(article.headline, unapproved)]
    if article.byline:
        blocks.append(_text(article.byline, unapproved))
    blocks.extend(t for para in article.body if (t := _text(para, unapproved)))
    return "\n\n".join(b for b in blocks if b) + "\n"


def render_docx(article: Article, *, unapproved: str = "allow") -> bytes:
    """A Word file that starts with the headline as Heading 1, then byline and paragraphs."""
    import io

    import docx

    from mt.formats.xmlsafe import xml_text

    document = docx.Document()
    document.add_heading(xml_text(_text(article.headline, unapproved)), level=1)
    if article.byline:
        document.add_paragraph(xml_text(_text(article.byline, unapproved)))
    for para in article.body:
        text = _text(para, unapproved)
        if text:
            document.add_paragraph(xml_text(text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_txt(store: Store, doc_id: int, *, unapproved: str = "allow") -> str:
    """The article as plain text with the source's layout (`document_text`), unapproved
    segments marked in mode "mark"."""
    from sqlalchemy import select

    from mt.segment import Segmentation, join_translation
    from mt.store.documents import require_document
    from mt.store.models import Segment
    from mt.types import SourceSegment

    with store.session() as session:
        doc = require_document(session, doc_id)
        rows = session.execute(
            select(
                Segment.source, Segment.paragraph, Segment.before, Segment.target, Segment.status
            )
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
        trailing = doc.trailing
    seg = Segmentation([SourceSegment(r[0], r[1], r[2]) for r in rows], trailing)
    texts = [
        r[3] if r[4] == "approved" or unapproved != "mark" or not r[3].strip()
        else f"[UNAPPROVED: {r[3].strip()}]"
        for r in rows
    ]  # fmt: skip
    return join_translation(seg, texts)


def render(store: Store, doc_id: int, fmt: str, *, unapproved: str = "refuse") -> bytes:
    """The article in `fmt` (txt, docx, html, md) as bytes, after the unapproved check."""
    article = prepare(store, doc_id, unapproved)
    if fmt == "txt":
        return render_txt(store, doc_id, unapproved=unapproved).encode("utf-8")
    if fmt == "docx":
        return render_docx(article, unapproved=unapproved)
    if fmt == "html":
        return render_html(article, unapproved=unapproved).encode("utf-8")
    if fmt == "md":
        return render_markdown(article, unapproved=unapproved).encode("utf-8")
    raise InvalidValue(f"not an article format: {fmt!r}")
