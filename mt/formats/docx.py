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

import copy
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence

from lxml import etree

from mt.errors import InputError
from mt.formats import inline
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
    """Read a .docx file; `where` of a unit is "paragraph N" (counting empty ones too),
    "footnote N", "endnote N" or "comment N"."""
    document = _open(data, name)
    units = [
        TextUnit(inline_text.strip(), where)
        for where, p in _paragraphs(document)
        if (inline_text := _parse(p).text).strip()
    ]
    return ParsedFile(name, "docx", "binary", require_units(name, units), data)


def write(parsed: ParsedFile, targets: Sequence[str], **_: object) -> bytes:
    """Rebuild the Word file with each non-empty paragraph's text replaced by its translation,
    its runs, links, tracked changes, comment ranges, notes and fields kept in place."""
    check_targets(parsed, targets)
    assert isinstance(parsed.payload, bytes)
    document = _open(parsed.payload, parsed.name)
    chosen = [
        (p, parsed_p) for _, p in _paragraphs(document) if (parsed_p := _parse(p)).text.strip()
    ]
    for (p, parsed_p), target in zip(chosen, targets, strict=True):
        _fill(p, parsed_p, xml_text(target))
    _store_parts(document)
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


# ---- paragraphs and their runs ---------------------------------------------------------------

_NOTE_PARTS = {
    "/word/footnotes.xml": ("footnote", "w:footnote"),
    "/word/endnotes.xml": ("endnote", "w:endnote"),
    "/word/comments.xml": ("comment", "w:comment"),
}
# Containers whose runs are translated in place (a link, a tracked insertion, a move's new place).
_CONTAINERS = {"hyperlink", "ins", "moveTo", "smartTag", "fldSimple", "customXml", "dir", "bdo"}
# Kept as they are, untranslated: a tracked deletion, the old place of a move, content controls.
_KEPT = {"del", "moveFrom", "sdt"}
_SPACES = {"tab", "cr", "ptab"}


def _paragraphs(document) -> list[tuple[str, etree._Element]]:
    """Body, table-cell, footnote, endnote and comment paragraphs in order, with locators;
    not those inside text boxes."""
    body = document.element.body
    found = [(f"paragraph {n}", p) for n, p in enumerate(_outer_paragraphs(body), start=1)]
    for part in _note_parts(document):
        kind, tag = _NOTE_PARTS[str(part.partname)]
        root = _part_root(part)
        for note in root.iter(_qn(tag)):
            if note.get(_qn("w:type")) in ("separator", "continuationSeparator"):
                continue
            ident = note.get(_qn("w:id"))
            for p in _outer_paragraphs(note):
                found.append((f"{kind} {ident}", p))
    return found


def _outer_paragraphs(element: etree._Element) -> list[etree._Element]:
    run = _qn("w:r")
    return [p for p in element.iter(_qn("w:p")) if not any(True for _ in p.iterancestors(run))]


def _note_parts(document) -> list:
    return [p for p in document.part.package.iter_parts() if str(p.partname) in _NOTE_PARTS]


def _part_root(part) -> etree._Element:
    """The XML of a part; a part python-docx keeps as bytes is parsed once (safely) and kept."""
    element = getattr(part, "_element", None)
    if element is not None:
        return element
    cached = getattr(part, "_transdesk_root", None)
    if cached is None:
        from mt.formats.xmlsafe import parse_xml

        cached = parse_xml(part.blob, str(part.partname)).getroot()
        part._transdesk_root = cached
    return cached


def _store_parts(document) -> None:
    for part in _note_parts(document):
        root = getattr(part, "_transdesk_root", None)
        if root is not None:
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )


def _parse(p: etree._Element) -> inline.Inline:
    """A paragraph as MT text and codes: each run a pair of codes around its text."""
    builder = inline._Builder()
    for kid in p:
        if kid.tag != _qn("w:pPr"):
            _walk(kid, builder)
    return builder.result()


def _walk(element: etree._Element, out) -> None:
    name = inline.local_name(element)
    if name == "r" and not _is_field_code(element):
        if not any(_is_text(c) or inline.local_name(c) in _SPACES for c in element):
            out.code(inline.Code("standalone", fragment=[copy.deepcopy(element)]))
            return
        shell = _shell(element)
        opened = out.code(inline.Code("open", element=shell))
        for c in element:
            local = inline.local_name(c)
            if c.tag == _qn("w:rPr"):
                continue
            if c.tag == _qn("w:t"):
                out.text(c.text or "")
            elif local in _SPACES or (local == "br" and _is_text(c)):
                out.code(inline.Code("standalone", fragment=[copy.deepcopy(c)], space=True))
            else:
                out.code(inline.Code("standalone", fragment=[copy.deepcopy(c)]))
        out.code(inline.Code("close", pair=opened))
    elif name in _CONTAINERS:
        opened = out.code(inline.Code("open", element=_shell(element)))
        for c in element:
            if not inline.local_name(c).endswith("Pr"):
                _walk(c, out)
        out.code(inline.Code("close", pair=opened))
    else:  # deletions, bookmarks, comment ranges, field code runs, math…: kept as they are
        out.code(inline.Code("standalone", fragment=[copy.deepcopy(element)]))


def _shell(element: etree._Element) -> etree._Element:
    """`element` with its attributes and property children (`w:rPr`…) but no content."""
    shell = copy.deepcopy(element)
    for c in list(shell):
        if not inline.local_name(c).endswith("Pr"):
            shell.remove(c)
    shell.tail = None  # (python-docx's CT_R.text setter would take None for text)
    return shell


def _is_field_code(run: etree._Element) -> bool:
    return any(c.tag in (_qn("w:instrText"), _qn("w:fldChar")) for c in run)


def _fill(p: etree._Element, parsed_p: inline.Inline, target: str) -> None:
    """Write the projected translation into paragraph `p`, text inside runs (`w:t`)."""
    for kid in [k for k in p if k.tag != _qn("w:pPr")]:
        p.remove(kid)
    events = inline.project(parsed_p, target)
    stack = [p]
    props = _first_run_props(parsed_p)
    for event in events:
        if isinstance(event, str):
            top = stack[-1]
            if top.tag != _qn("w:r"):  # text between runs: a run of its own, like its neighbour
                run = etree.SubElement(top, _qn("w:r"))
                if props is not None:
                    run.append(copy.deepcopy(props))
                top = run
            _add_text(top, event)
        elif event.kind == "open":
            assert event.element is not None
            element = copy.deepcopy(event.element)
            stack[-1].append(element)
            stack.append(element)
            if element.tag == _qn("w:r"):
                props = element.find(_qn("w:rPr"))
        elif event.kind == "close":
            if len(stack) > 1:
                stack.pop()
        else:
            for piece in event.fragment:
                assert not isinstance(piece, str)
                stack[-1].append(copy.deepcopy(piece))


def _first_run_props(parsed_p: inline.Inline) -> etree._Element | None:
    for _, code in parsed_p.codes:
        if code.kind == "open" and code.element is not None and code.element.tag == _qn("w:r"):
            return code.element.find(_qn("w:rPr"))
    return None


def _add_text(run: etree._Element, text: str) -> None:
    t = etree.SubElement(run, _qn("w:t"))
    t.text = text
    if text != text.strip() or "  " in text:
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


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
