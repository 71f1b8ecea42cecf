"""Word (.docx) files through python-docx: one unit per non-empty paragraph.

Paragraphs are those of the body and of its tables (nested tables included), in document
order; text boxes, headers and footers are left alone. A paragraph's text is that of its runs,
hyperlinks included. Writing puts the whole translation into the paragraph's first run that
holds text (preferring a run outside a hyperlink) and empties the text of its other runs, so the
paragraph style and the first run's character formatting carry over while images, fields and
page breaks stay where they were. A file made from another format has one paragraph per unit.

Before python-docx parses anything, every XML part is streamed and checked (`_check_parts`): a
DTD or entity declaration anywhere refuses the file, as for XLIFF, and the main document is
counted as it streams against the limits of `mt.formats.limits` (paragraphs, characters, tags,
unpacked bytes), so a small zip of millions of empty paragraphs costs a few megabytes to refuse.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence

from lxml import etree

from mt.errors import InputError
from mt.formats.base import ParsedFile, TextUnit, check_targets, require_units
from mt.formats.limits import (
    MAX_DOCX_PARAGRAPHS,
    MAX_DOCX_PARTS,
    MAX_DOCX_TEXT_CHARS,
    MAX_DOCX_UNPACKED_BYTES,
    MAX_XML_MARKUP,
)
from mt.formats.xmlsafe import xml_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CHUNK = 1 << 20
# A DTD is the door to entity expansion and external entities; Word never writes one.
_DTD_MARKS = tuple(
    mark.encode(enc)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for enc in ("utf-8", "utf-16-le", "utf-16-be")
)


def read(data: bytes, name: str) -> ParsedFile:
    """Read a .docx file; `where` of each unit is "paragraph N" (counting empty ones too)."""
    document = _open(data, name)
    units = [
        TextUnit(text, f"paragraph {n}")
        for n, p in enumerate(_paragraphs(document), start=1)
        if (text := _text(p).strip())
    ]
    return ParsedFile(name, "docx", "binary", require_units(name, units), data)


def write(parsed: ParsedFile, targets: Sequence[str], **_: object) -> bytes:
    """Rebuild the Word file with each non-empty paragraph's text replaced by its translation."""
    check_targets(parsed, targets)
    assert isinstance(parsed.payload, bytes)
    document = _open(parsed.payload, parsed.name)
    paragraphs = [p for p in _paragraphs(document) if _text(p).strip()]
    for p, target in zip(paragraphs, targets, strict=True):
        _set_text(p, xml_text(target))
    return _save(document)


def create(sources: Sequence[str], targets: Sequence[str], **_: object) -> bytes:
    """A new Word file with one paragraph per translation, from another format's units."""
    import docx

    document = docx.Document()
    for target in targets:
        document.add_paragraph(xml_text(target))
    return _save(document)


def _open(data: bytes, name: str):
    import docx

    if not data:
        raise InputError(f"{name}: empty file")
    not_word = InputError(f"{name}: not a Word (.docx) file")
    if not data.startswith(b"PK"):
        raise not_word
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive, name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        raise not_word from None
    except RuntimeError:  # an encrypted part
        raise not_word from None
    try:
        return docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many types (KeyError, ValueError, lxml, zip errors)
        raise not_word from None


def _check_parts(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a Word file whose parts would cost too much to parse, or that declares a DTD.

    Sizes come from the zip directory first (cheap, but a liar's directory is not trusted:
    each XML part is then streamed and its real bytes counted). Every XML part is scanned for
    DOCTYPE and ENTITY declarations; the main document is stream-parsed with lxml (entities
    off, no DTD, no network), counting tags, paragraphs and characters as they go by and
    dropping each element once read, so memory stays flat however many elements arrive.
    """
    infos = archive.infolist()
    if len(infos) > MAX_DOCX_PARTS:
        raise InputError(
            f"{name}: Word file has {len(infos)} parts, over the limit of {MAX_DOCX_PARTS}"
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise InputError(
            f"{name}: Word file unpacks to {unpacked // 2**20} MB, over the"
            f" {MAX_DOCX_UNPACKED_BYTES // 2**20} MB limit"
        )
    budget = [MAX_DOCX_UNPACKED_BYTES]
    for info in infos:
        part = info.filename
        if not part.lower().endswith((".xml", ".rels")):
            continue
        with archive.open(info) as stream:
            if part == "word/document.xml":
                _stream_document(stream, name, budget)
            else:
                for _ in _chunks(stream, name, part, budget):
                    pass


def _chunks(stream, name: str, part: str, budget: list[int]) -> Iterator[bytes]:
    """The part's bytes in 1 MB chunks, refusing DTD/entity declarations and unpacked bytes
    past the budget (the zip directory's sizes may lie)."""
    tail = b""
    markup = 0
    while chunk := stream.read(_CHUNK):
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise InputError(
                f"{name}: Word file unpacks to more than {MAX_DOCX_UNPACKED_BYTES // 2**20} MB"
            )
        window = tail + chunk
        if any(mark in window for mark in _DTD_MARKS):
            raise InputError(f"{name}: Word file part {part} declares a DTD or entities; refused")
        markup += chunk.count(b"<")
        if markup > MAX_XML_MARKUP:
            raise InputError(
                f"{name}: Word file part {part} has over {MAX_XML_MARKUP:,} tags, over the limit"
            )
        tail = window[-32:]
        yield chunk


def _stream_document(stream, name: str, budget: list[int]) -> None:
    """Stream-parse word/document.xml, refusing it past the paragraph and text limits."""
    parser = etree.XMLPullParser(
        events=("end",),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
    )
    paragraph, text_tags = f"{{{W_NS}}}p", {f"{{{W_NS}}}t", f"{{{W_NS}}}delText"}
    paragraphs = chars = 0
    try:
        for chunk in _chunks(stream, name, "word/document.xml", budget):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                if element.tag == paragraph:
                    paragraphs += 1
                    if paragraphs > MAX_DOCX_PARAGRAPHS:
                        raise InputError(
                            f"{name}: Word document has over {MAX_DOCX_PARAGRAPHS:,} paragraphs,"
                            " over the limit"
                        )
                elif element.tag in text_tags:
                    chars += len(element.text or "")
                    if chars > MAX_DOCX_TEXT_CHARS:
                        raise InputError(
                            f"{name}: Word document has over {MAX_DOCX_TEXT_CHARS:,} characters"
                            " of text, over the limit"
                        )
                # Read elements are dropped, with the siblings before them: memory stays flat.
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
        parser.close()
    except etree.XMLSyntaxError as e:
        raise InputError(f"{name}: Word file's document.xml is malformed XML ({e.msg})") from None


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _paragraphs(document) -> list[etree._Element]:
    """Body and table-cell paragraphs in document order, without those inside text boxes."""
    body = document.element.body
    run = _qn("w:r")
    return [p for p in body.iter(_qn("w:p")) if not any(True for _ in p.iterancestors(run))]


def _runs(p: etree._Element) -> Iterator[etree._Element]:
    """The runs whose text belongs to paragraph `p` (not a text box's, not a fallback copy)."""
    stop = {_qn("w:p"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
    for r in p.iter(_qn("w:r")):
        for ancestor in r.iterancestors():
            if ancestor is p:
                yield r
                break
            if ancestor.tag in stop:
                break


def _text(p: etree._Element) -> str:
    # CT_R.text maps w:tab to "\t" and a line break to "\n", as Paragraph.text does.
    return "".join(r.text for r in _runs(p))


def _is_text(element: etree._Element) -> bool:
    if element.tag == _qn("w:br"):
        return element.get(_qn("w:type"), "textWrapping") == "textWrapping"
    return element.tag in {
        _qn("w:t"),
        _qn("w:tab"),
        _qn("w:cr"),
        _qn("w:noBreakHyphen"),
        _qn("w:ptab"),
    }


def _set_text(p: etree._Element, text: str) -> None:
    from docx.oxml import OxmlElement

    text_runs = [r for r in _runs(p) if any(_is_text(c) for c in r)]
    direct = [r for r in text_runs if r.getparent() is p]
    first = (direct or text_runs)[0]
    anchor = next(i for i, c in enumerate(first) if _is_text(c))
    for r in text_runs:
        for child in [c for c in r if _is_text(c)]:
            r.remove(child)
    scratch = OxmlElement("w:r")
    scratch.text = text  # python-docx turns "\t" and "\n" into w:tab and w:br here
    for offset, child in enumerate(list(scratch)):
        first.insert(anchor + offset, child)
