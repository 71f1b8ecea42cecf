"""Word (.docx) files through python-docx: one unit per non-empty paragraph.

Paragraphs are those of the body and of its tables (nested tables included), in document
order; text boxes, headers and footers are left alone. A paragraph's text is that of its runs,
hyperlinks included. Writing puts the whole translation into the paragraph's first run that
holds text (preferring a run outside a hyperlink) and empties the text of its other runs, so the
paragraph style and the first run's character formatting carry over while images, fields and
page breaks stay where they were. A file made from another format has one paragraph per unit.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence

from lxml import etree

from mt.errors import InputError
from mt.formats.base import ParsedFile, TextUnit, check_targets, require_units
from mt.formats.xmlsafe import xml_text

# Refuse "zip bombs" before python-docx unpacks them; real articles are a few megabytes.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024


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
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_word from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"{name}: Word file unpacks to {unpacked // 2**20} MB, over the"
            f" {MAX_UNPACKED_BYTES // 2**20} MB limit"
        )
    try:
        return docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many types (KeyError, ValueError, lxml, zip errors)
        raise not_word from None


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
