"""Safe XML parsing for XLIFF and TMX (no entities, DTD, network, huge trees); tree helpers."""

from __future__ import annotations

import re

from lxml import etree

from mt.errors import InputError
from mt.formats.encoding import refuse_binary
from mt.formats.limits import MAX_XML_MARKUP

# Characters XML 1.0 cannot hold (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _parser(*, recover: bool = False) -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state and are not safe to share across threads.
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=False,
    )


def parse_xml(data: bytes, name: str) -> etree._ElementTree:
    """Parse `data` as XML, refusing anything that could read files, hit the network or explode.

    Entities are never resolved and no DTD is loaded; a document whose DOCTYPE declares any
    entity (the XXE and "billion laughs" attacks need one) is refused before parsing, and libxml2's
    limits on depth and text size stay on (`huge_tree=False`).

    Raises:
        InputError: empty, binary, malformed (with the line number) or entity-declaring XML.
    """
    if not data.strip():
        raise InputError(f"{name}: empty file")
    refuse_binary(data, name)
    if _declares_entities(data):
        raise InputError(f"{name}: XML with entity declarations is refused")
    # Each element costs lxml 100-200 bytes however small it is in the file: count them first.
    tags = data.count(b"<")
    if tags > MAX_XML_MARKUP:
        raise InputError(f"{name}: XML with {tags:,} tags, over the limit of {MAX_XML_MARKUP:,}")
    parser = _parser()
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as e:
        # The parser's own log: the exception's is the thread's, holding earlier documents' errors.
        if not _only_uri_warnings(parser.error_log):
            raise InputError(f"{name}: malformed XML at line {e.lineno}: {_reason(e)}") from None
        tree = _parse_lenient_uris(data, name, e)
    except (etree.LxmlError, ValueError, LookupError) as e:
        raise InputError(f"{name}: malformed XML: {_first_line(str(e))}") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(f"{name}: XML with entity declarations is refused")
    return tree


# libxml2 refuses a namespace name that is not a valid URI ("urn:x 1.2", with a space); the
# Namespaces in XML spec only recommends URI syntax, and expat, .NET and Java parsers accept it.
_URI_WARNINGS = frozenset({"WAR_NS_URI", "WAR_NS_URI_RELATIVE"})


def _only_uri_warnings(log) -> bool:
    entries = list(log)
    return bool(entries) and all(entry.type_name in _URI_WARNINGS for entry in entries)


def _parse_lenient_uris(data: bytes, name: str, first: etree.XMLSyntaxError) -> etree._ElementTree:
    """Parse XML whose only fault is a namespace name that is no valid URI (kept as written)."""
    parser = _parser(recover=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as e:
        raise InputError(f"{name}: malformed XML: {_first_line(str(e))}") from None
    if root is None or not _only_uri_warnings(parser.error_log) or not _usable_uri(root):
        raise InputError(f"{name}: malformed XML at line {first.lineno}: {_reason(first)}")
    return etree.ElementTree(root)


def _usable_uri(root: etree._Element) -> bool:
    """Whether the document's own namespace (the one new targets and notes are made in) is one
    lxml can make elements in: only other namespaces (a tool's own, like MateCat's) may be lax."""
    namespace = etree.QName(root).namespace
    if namespace is None:
        return True
    try:
        etree.Element(f"{{{namespace}}}x")
    except ValueError:
        return False
    return True


def _declares_entities(data: bytes) -> bool:
    """True when the raw bytes hold a DOCTYPE and an entity declaration.

    Checked before parsing so an entity bomb is refused without libxml2 ever expanding it; the
    check after parsing catches the same in any other encoding.
    """
    return any(
        "<!DOCTYPE".encode(enc) in data and "<!ENTITY".encode(enc) in data
        for enc in ("utf-8", "utf-16-le", "utf-16-be")
    )


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot represent (lxml refuses them)."""
    return _XML_INVALID.sub("", text)


def serialize(tree: etree._ElementTree) -> bytes:
    """The whole document (DOCTYPE, comments, processing instructions kept) as UTF-8 bytes."""
    # lxml's own declaration uses single quotes, which some CAT tools' sniffers do not expect.
    # lxml reports an absent standalone flag like "no", so only "yes" is carried over.
    standalone = ' standalone="yes"' if tree.docinfo.standalone else ""
    declaration = f'<?xml version="1.0" encoding="UTF-8"{standalone}?>\n'.encode()
    return declaration + etree.tostring(tree, encoding="UTF-8", xml_declaration=False) + b"\n"


def local_name(element: etree._Element) -> str:
    """An element's tag without its namespace ("" for comments and processing instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child of `element` with local name `name`, in any namespace."""
    return next((c for c in element if local_name(c) == name), None)


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """The children of `element` with local name `name`, in any namespace."""
    return [c for c in element if local_name(c) == name]


def flat_text(element: etree._Element, codes: frozenset[str]) -> str:
    """The text inside `element`, without the content of inline elements named in `codes`.

    XLIFF and TMX mark native formatting codes with inline elements (`<bpt>`, `<ph>` …) whose
    content is not translatable text; other inline elements (`<g>`, `<mrk>`, `<hi>`) keep
    their text. XLIFF 2's `<cp hex="…"/>` becomes the character it stands for.
    """
    parts = [element.text or ""]
    for inner in element:
        name = local_name(inner)
        if name == "cp":
            parts.append(_code_point(inner.get("hex", "")))
        elif name and name not in codes:
            parts.append(flat_text(inner, codes))
        parts.append(inner.tail or "")
    return "".join(parts)


def _code_point(hex_value: str) -> str:
    """The character `<cp hex="…"/>` stands for; "" for a number that is no character.

    A surrogate (D800–DFFF) is not a character either: kept, it could not be stored or
    written as UTF-8 anywhere downstream.
    """
    try:
        code = int(hex_value, 16)
        return "" if 0xD800 <= code <= 0xDFFF else chr(code)
    except (ValueError, OverflowError):
        return ""


def _reason(error: etree.XMLSyntaxError) -> str:
    message = error.msg or str(error)
    return _first_line(re.sub(r", line \d+, column \d+$", "", message))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unreadable"
