"""A client's XLIFF as a document of the desk, and the client's own file written back.

Why one module (about 500 lines): reading a client's file and writing it back address segments the
same way (unit ids, keys, `<mrk>` and 2.0 segments) and map the same states, which must agree byte
for byte.

`read_client` lists the segments of an XLIFF 1.2, 2.0 or SDLXLIFF file as the desk stores them:
one per translatable segment (1.2 `<trans-unit>`, or each `<mrk mtype="seg">` of its
`<seg-source>`; 2.0 `<segment>`), keyed by the client's ids (`unit_id`, and `key`: the `mrk
mid`, or the 2.0 segment's id or number, "" for a unit of one segment; in a file of several
`<file>`s the unit id is prefixed "N:" with the file's number). Its source is the MT input with
inline codes taken out (`mt.formats.inline`), its target the existing translation's text, its
state the file's most binding state signal (`mt.formats.existing`), and `status` what that
means to the desk:

| the file says                                                   | `status`  |
|------------------------------------------------------------------|-----------|
| an approval or lock (`mt.formats.existing.APPROVALS`)           | approved  |
| no target text; `new`, `needs-translation`, `initial`, no state; an MT  | draft     |
| suggestion (`mt-suggestion`, SDL `Draft` from MT, memoQ `Pretranslated`) |           |
| any other target                                                 | edited    |

`write_like` writes that file back with the desk's texts in its targets. It edits the file as
text (`mt.formats.xmlspans`), so everything else (declaration, DOCTYPE, comments, ids, notes,
skeleton, other attributes, SDL and memoQ namespaces, quoting, line ends, encoding and BOM)
stays byte for byte as the client sent it. Per segment, with the desk's text, status and draft
origin (`Final`):

- edited or approved, text changed: the target gets the text with the source's inline codes
  projected into it; the state says translated (1.2 `state="translated"`, SDL
  `conf="Translated"`, memoQ `ManuallyConfirmed`, 2.0 `translated`) or approved (1.2
  `state="signed-off"` and `approved="yes"` once all the unit's segments are, SDL
  `ApprovedTranslation`, memoQ `Proofread`, 2.0 `final`); a stale 1.2 `state-qualifier` and 2.0
  `subState` go;
- edited or approved, text unchanged: the target is left as it is; only the state is set,
  where the file's own state meant something else;
- draft with a machine draft (MT, translation memory) where the file had no such text: the
  target gets it as an MT suggestion (1.2 `needs-review-translation` + `mt-suggestion`, SDL
  `Draft` with origin mt, memoQ `Pretranslated`, 2.0 `initial`);
- anything else (the client's own drafts, approvals the desk kept, empty slots): untouched.

Where the desk wrote a target, the file's target language becomes English.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from mt.errors import InputError
from mt.formats import inline, xmlspans
from mt.formats import xliff as x
from mt.formats.existing import APPROVALS
from mt.formats.xmlsafe import child, children, parse_xml

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_DRAFT_STATES = frozenset({"new", "needs-translation", "initial", "none"})
MACHINE_ORIGINS = frozenset({"mt", "tm", "fallback"})
_SDL_CONF = {"draft": "Draft", "edited": "Translated", "approved": "ApprovedTranslation"}


@dataclass(frozen=True)
class ClientSegment:
    """One segment of a client's file (see the module docstring)."""

    unit_id: str
    key: str
    source: str
    target: str
    state: str
    status: str
    notes: tuple[str, ...]
    unit: int  # the unit's number in the file, from 1 (the desk's paragraph)

    @property
    def place(self) -> tuple[str, str]:
        return (self.unit_id, self.key)

    @property
    def label(self) -> str:
        return self.unit_id + (f" segment {self.key}" if self.key else "")


@dataclass(frozen=True)
class ClientFile:
    """A client's XLIFF: its version ("1.2" or "2.0") and segments in document order."""

    name: str
    version: str
    segments: tuple[ClientSegment, ...]


@dataclass(frozen=True)
class Final:
    """What the desk has for a segment: its text, status, and its current draft's origin."""

    text: str
    status: str  # "draft" | "edited" | "approved"
    origin: str | None = None


def read_client(data: bytes, name: str) -> ClientFile:
    """The segments of a client's XLIFF file, with the client's ids (see the module docstring).

    Raises:
        InputError: not XLIFF, malformed, or two segments with the same ids.
    """
    tree = parse_xml(data, name)
    version = x._version(tree, name)
    placed = _placed(tree, version)
    segments = []
    seen: set[tuple[str, str]] = set()
    noted: set[int] = set()
    for slot, (unit_id, key, unit_no) in placed:
        if (unit_id, key) in seen:
            raise InputError(f"{name}: unit id {unit_id!r} is used twice")
        seen.add((unit_id, key))
        existing = x._existing_target(slot)
        target = _nfc(inline.parse(existing, char=x._char).text) if existing is not None else ""
        state = x._state(slot, version) if target.strip() else "none"
        notes: tuple[str, ...] = ()
        if unit_no not in noted:  # a unit's notes go with its first segment
            noted.add(unit_no)
            notes = _notes(_unit_of(slot, version), version)
        segments.append(
            ClientSegment(
                unit_id,
                key,
                _nfc(slot.inline.text),
                target,
                state,
                status_of(slot, version, target),
                notes,
                unit_no,
            )
        )
    if not segments:
        raise InputError(f"{name}: no translation units")
    return ClientFile(name, version, tuple(segments))


def status_of(slot: x._Slot, version: str, target: str) -> str:
    """The desk status the file's state means for a segment with `target` (module docstring)."""
    if not target.strip():
        return "draft"
    state = x._state(slot, version)
    if state in APPROVALS:
        return "approved"
    if state in _DRAFT_STATES or _machine_suggestion(slot, version, state):
        return "draft"
    return "edited"


def _machine_suggestion(slot: x._Slot, version: str, state: str) -> bool:
    if version == "2.0":
        return False
    if state == "pretranslated":
        return True
    sdl = x._sdl_seg(slot.owner, slot.mid)
    if sdl is not None:
        return state == "draft" and sdl.get("origin") in ("mt", "nmt", "machine-translation")
    target = child(slot.owner, "target")
    return target is not None and target.get("state-qualifier") == "mt-suggestion"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _placed(tree: etree._ElementTree, version: str) -> list[tuple[x._Slot, tuple[str, str, int]]]:
    """Each slot with its (unit id, key, unit number)."""
    root = tree.getroot()
    files = [f for f in root.iter("{*}file")]
    file_no = {f: n for n, f in enumerate(files, start=1)}
    units: dict[etree._Element, int] = {}
    out = []
    for slot in x._slots(tree, version):
        unit = _unit_of(slot, version)
        units.setdefault(unit, len(units) + 1)
        unit_id = unit.get("id", "")
        if len(files) > 1:
            owner_file = next(unit.iterancestors("{*}file"), None)
            unit_id = f"{file_no.get(owner_file, 0)}:{unit_id}"
        if version == "1.2":
            key = slot.mid or ""
        else:
            segments = children(unit, "segment")
            n = segments.index(slot.owner) + 1
            key = (slot.owner.get("id") or str(n)) if len(segments) > 1 else ""
        out.append((slot, (unit_id, key, units[unit])))
    return out


def _unit_of(slot: x._Slot, version: str) -> etree._Element:
    return slot.owner if version == "1.2" else slot.owner.getparent()


def _notes(unit: etree._Element, version: str) -> tuple[str, ...]:
    if version == "2.0":
        holder = child(unit, "notes")
        notes = [] if holder is None else children(holder, "note")
    else:
        notes = children(unit, "note")
    out = []
    for note in notes:
        text = _nfc(x._flat(note).strip())
        who = note.get("from") or note.get("category")
        if text and who != x.TOOL:
            out.append(f"{who}: {text}" if who else text)
    return tuple(out)


# ---- writing the client's file back ---------------------------------------------------------


def write_like(data: bytes, name: str, finals: Mapping[tuple[str, str], Final]) -> bytes:
    """The client's file `data` with the desk's texts in its targets (see the module docstring).

    Arguments:
        finals: per segment place (unit id, key), what the desk has; places not named are left
            as they are.

    Raises:
        InputError: not XLIFF, malformed, or an encoding that does not round-trip.
    """
    bom, codec, text = _decode(data, name)
    tree = parse_xml(data, name)
    version = x._version(tree, name)
    elements = [e for e in tree.getroot().iter() if isinstance(e.tag, str)]
    found = xmlspans.spans(text)
    if len(found) != len(elements):
        raise InputError(f"{name}: cannot locate its elements to write it back")
    where = {e: found[i] for i, e in enumerate(elements)}
    before = [dict(e.attrib) for e in elements]
    rewritten: list[etree._Element] = []
    inserted: list[tuple[etree._Element, etree._Element]] = []
    units: dict[etree._Element, list[tuple[x._Slot, str]]] = {}
    wrote = False
    for slot, (unit_id, key, _) in _placed(tree, version):
        final = finals.get((unit_id, key))
        existing = x._existing_target(slot)
        old = _nfc(inline.parse(existing, char=x._char).text) if existing is not None else ""
        file_status = status_of(slot, version, old)
        status = file_status
        if final is not None:
            status, changed = _write_slot(
                slot, version, final, old, file_status, where, rewritten, inserted
            )
            wrote = wrote or changed
        units.setdefault(_unit_of(slot, version), []).append((slot, status))
    if version == "1.2":
        for unit, statuses in units.items():
            _unit_approval(unit, [s for _, s in statuses])
    if wrote:
        x._set_target_language(tree, version)
    edits = _edits(text, elements, before, where, rewritten, inserted)
    out = bom + xmlspans.apply(text, edits).encode(codec, errors="xmlcharrefreplace")
    return out


def _write_slot(
    slot: x._Slot,
    version: str,
    final: Final,
    old: str,
    file_status: str,
    where: dict,
    rewritten: list,
    inserted: list,
) -> tuple[str, bool]:
    """Put one segment's text and state into the tree: (the status it now has, whether the
    desk wrote anything)."""
    text = _nfc(final.text)
    changed = text.strip() != "" and text != old
    if final.status == "draft":
        if not (changed and final.origin in MACHINE_ORIGINS):
            return file_status, False
        machine = True
    else:
        machine = False
        if not changed and final.status == file_status:
            return file_status, False
    if changed:
        container = _target_container(slot, version, where, inserted)
        inline.fill(container, slot.inline, text)
        # An element of the client's file gets its content replaced; a segment mark new in an
        # existing target means that target's whole content is written.
        owner = container if container in where or slot.mid is None else container.getparent()
        if owner in where and owner not in rewritten:
            rewritten.append(owner)
    status = "draft" if machine else final.status
    if version == "1.2":
        _mark_12(slot, status, machine)
    else:
        _mark_20(slot, status)
    return status, True


def _target_container(slot: x._Slot, version: str, where: dict, inserted: list) -> etree._Element:
    """The element the segment's text goes into, created (and noted as new) when missing."""
    owner = slot.owner
    target = child(owner, "target")
    if target is None:
        if version == "1.2" and slot.mid is not None:
            anchor = child(owner, "seg-source")
        else:
            anchor = slot.source if version == "2.0" else child(owner, "source")
        assert anchor is not None  # the slot was read from it
        target = etree.Element(x._tag_like(anchor, "target"))
        anchor.addnext(target)
        target.tail = anchor.tail
        space = slot.source.get(x._XML_SPACE)
        if version == "2.0" and space is not None:
            target.set(x._XML_SPACE, space)
        if slot.mid is not None:  # the segment structure of seg-source, each mrk filled later
            target.text = anchor.text
            target.extend(_copy_children(anchor))
        inserted.append((anchor, target))
    if slot.mid is None:
        return target
    return x._target_mark(target, slot)


def _copy_children(element: etree._Element) -> list[etree._Element]:
    import copy

    return [copy.deepcopy(c) for c in element]


def _mark_12(slot: x._Slot, status: str, machine: bool) -> None:
    tu = slot.owner
    target = child(tu, "target")
    assert target is not None
    sdl = x._sdl_seg(tu, slot.mid)
    if machine:
        target.set("state", x._STATE_12["draft"])
        target.set("state-qualifier", "mt-suggestion")
    else:
        target.set("state", x._STATE_12[status])
        target.attrib.pop("state-qualifier", None)
    if target.get(x._XML_LANG) is not None:
        target.set(x._XML_LANG, "en")
    if sdl is not None:
        sdl.set(
            "conf", {"draft": "Draft", "edited": "Translated"}.get(status, "ApprovedTranslation")
        )
        if machine:
            sdl.set("origin", "mt")
    if tu.get(f"{x._MQ}status"):
        mq = {"draft": "Pretranslated", "edited": "ManuallyConfirmed", "approved": "Proofread"}
        tu.set(f"{x._MQ}status", mq[status])


def _unit_approval(tu: etree._Element, statuses: list[str]) -> None:
    """1.2 `approved="yes"` on a trans-unit exactly when all its segments are approved."""
    approved = bool(statuses) and all(s == "approved" for s in statuses)
    if approved and tu.get("approved") != "yes":
        if next(tu.iter(f"{x._SDL}seg"), None) is None:  # SDLXLIFF says it with conf
            tu.set("approved", "yes")
    elif not approved and tu.get("approved") == "yes":
        tu.set("approved", "no")


def _mark_20(slot: x._Slot, status: str) -> None:
    segment = slot.owner
    segment.set("state", x._STATE_20[status])
    segment.attrib.pop("subState", None)
    target = child(segment, "target")
    if target is not None and target.get(x._XML_LANG) is not None:
        target.set(x._XML_LANG, "en")


def _decode(data: bytes, name: str) -> tuple[bytes, str, str]:
    """(byte-order mark, codec, text) of an XML file, checked to encode back to `data`."""
    boms = (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    bom, codec = b"", ""
    for mark, name_ in boms:
        if data.startswith(mark):
            bom, codec = mark, name_
            break
    body = data[len(bom) :]
    if not codec:
        head = body[:200].decode("ascii", errors="replace")
        start = head.find("encoding=")
        codec = "utf-8"
        if body[:2] == b"<\x00":
            codec = "utf-16-le"
        elif body[:2] == b"\x00<":
            codec = "utf-16-be"
        elif start >= 0:
            quote = head[start + 9 : start + 10]
            codec = head[start + 10 :].split(quote, 1)[0] or "utf-8"
    try:
        text = body.decode(codec)
        if text.encode(codec) != body:
            raise ValueError(codec)
    except (LookupError, ValueError):
        raise InputError(f"{name}: its encoding cannot be written back byte for byte") from None
    return bom, codec, text


def _edits(
    text: str,
    elements: list[etree._Element],
    before: list[dict],
    where: dict,
    rewritten: list[etree._Element],
    inserted: list[tuple[etree._Element, etree._Element]],
) -> list[xmlspans.Edit]:
    edits: list[xmlspans.Edit] = []
    whole = {e for e in rewritten if where[e].empty}
    for element, attrs in zip(elements, before, strict=True):
        if element in whole:
            continue
        if dict(element.attrib) != attrs:
            span = where[element]
            tag = text[span.start : span.open_end]
            new = xmlspans.edit_start_tag(tag, _attr_changes(element, attrs))
            edits.append(xmlspans.Edit(span.start, span.open_end, new))
    for element in rewritten:
        span = where[element]
        content = _content(element)
        if element in whole:
            tag = text[span.start : span.open_end]
            tag = xmlspans.edit_start_tag(
                tag, _attr_changes(element, before[elements.index(element)])
            )
            opening = tag[:-2].rstrip() + ">"
            closing = f"</{xmlspans.tag_name(text, span)}>"
            edits.append(xmlspans.Edit(span.start, span.end, opening + content + closing))
        else:
            edits.append(xmlspans.Edit(span.open_end, span.close_start, content))
    for anchor, new in inserted:
        span = where[anchor]
        indent = _indent_before(text, span.start)
        edits.append(xmlspans.Edit(span.end, span.end, indent + _element(new, anchor.nsmap)))
    return edits


def _indent_before(text: str, start: int) -> str:
    """The whitespace between the previous markup and `start`, if that is all there is."""
    previous = text.rfind(">", 0, start)
    gap = text[previous + 1 : start]
    return gap if not gap.strip() else ""


def _qname(element: etree._Element, name: str) -> str:
    """An attribute's name as the file writes it (Clark notation → prefix:local)."""
    if not name.startswith("{"):
        return name
    namespace, _, local = name[1:].partition("}")
    if namespace == _XML_NS:
        return f"xml:{local}"
    prefix = next(
        (p for p, uri in element.nsmap.items() if uri == namespace and p is not None), None
    )
    return f"{prefix}:{local}" if prefix else local


def _attr_changes(element: etree._Element, before: dict) -> dict[str, str | None]:
    after = dict(element.attrib)
    changes: dict[str, str | None] = {}
    for key in before:
        if key not in after:
            changes[_qname(element, key)] = None
    for key, value in after.items():
        if before.get(key) != value:
            changes[_qname(element, key)] = value
    return changes


def _content(element: etree._Element) -> str:
    """An element's content as XML text, in the namespaces in scope where it stands."""
    parts = [xmlspans.escape_text(element.text or "")]
    for inner in element:
        parts.append(_element(inner, element.nsmap))
        parts.append(xmlspans.escape_text(inner.tail or ""))
    return "".join(parts)


def _element(element: etree._Element, scope: Mapping[str | None, str]) -> str:
    """One element (no tail), declaring only the namespaces `scope` does not already hold."""
    if isinstance(element, etree._Comment):
        return f"<!--{element.text or ''}-->"
    if isinstance(element, etree._ProcessingInstruction):
        return f"<?{element.target} {element.text or ''}?>"
    if not isinstance(element.tag, str):
        return ""
    local = etree.QName(element).localname
    name = f"{element.prefix}:{local}" if element.prefix else local
    attrs = []
    for prefix, uri in element.nsmap.items():
        if scope.get(prefix) != uri:
            attrs.append(f' xmlns{":" + prefix if prefix else ""}="{xmlspans.escape_attr(uri)}"')
    for key, value in element.attrib.items():
        attrs.append(f' {_qname(element, key)}="{xmlspans.escape_attr(value)}"')
    body = _content(element)
    if not body and len(element) == 0:
        return f"<{name}{''.join(attrs)}/>"
    return f"<{name}{''.join(attrs)}>{body}</{name}>"
