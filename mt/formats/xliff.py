"""XLIFF 1.2 and 2.x: translating a CAT tool's file, and the store's bilingual export and import.

Why one module (about 650 lines): translating a CAT tool's file and the store's bilingual export
and import read the same two XLIFF versions through the same helpers (version detection, 1.2/2.x
segment slots, states, inline marks), which must agree.

Translating a file (`read` / `write`) keeps the whole original document and only fills targets.
A unit is, in XLIFF 1.2, a `<trans-unit>`'s `<source>` (or each `<mrk mtype="seg">` of its
`<seg-source>`), and in XLIFF 2.x a `<segment>`'s `<source>`. The writer sets, in 1.2,
`<target state="needs-review-translation" state-qualifier="mt-suggestion">` plus
`<note from="transdesk">MT: model</note>`, and in 2.x `<target>`, `<segment state="initial">`
plus `<note category="transdesk">MT: model</note>` in the unit's `<notes>`.

Units marked `translate="no"` and empty sources are skipped. Inline codes are taken out of the
MT input and projected back into the target (`mt.formats.inline`). A segment whose target has
text is human work and is kept unless its state is named in `overwrite` (`mt.formats.existing`:
XLIFF states, SDLXLIFF `conf` and `locked`, memoQ `mq:status`/`mq:locked`). Filled SDLXLIFF
segment definitions (`sdl:seg-defs`) are marked Draft with origin mt; the file's target language
becomes `en`. A declared or detected source language other than Korean is refused
(`mt.formats.language`).

Bilingual export (`write_xliff`) and import (`read_xliff`) map the store's segment status:

| status   | 1.2 `<target>`                                          | 2.0 `<segment state>` |
|----------|---------------------------------------------------------|-----------------------|
| draft    | state="needs-review-translation" state-qualifier="mt-suggestion" | initial      |
| edited   | state="translated"                                      | translated            |
| approved | state="signed-off", and approved="yes" on the trans-unit | final                |

Reading back also accepts what CAT tools write: approved="yes", "final" and "signed-off" mean
approved; "new", "needs-translation", a missing target and the draft pair above mean draft; any
other state ("reviewed", "needs-review-l10n", a tool's own, or none) with a target means edited.
Consecutive segments of one paragraph are grouped (`<group id="p3" restype="x-paragraph">`,
2.0 `type="transdesk:paragraph"`) so the paragraph number survives the round trip. A unit that
a tool split into several segments is read back as one unit, its segments' texts joined.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from pathlib import Path

from lxml import etree

from mt.errors import InputError
from mt.formats import inline
from mt.formats.base import (
    ParsedFile,
    TextUnit,
    atomic_write,
    check_size,
    check_targets,
    read_path,
    require_units,
)
from mt.formats.existing import may_replace
from mt.formats.language import TARGET_LANGUAGE, check_source, is_english
from mt.formats.xmlsafe import _code_point as _cp_char
from mt.formats.xmlsafe import (
    child,
    children,
    flat_text,
    local_name,
    parse_xml,
    serialize,
    xml_text,
)

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
_SDL = "{http://sdl.com/FileTypes/SdlXliff/1.0}"
_MQ = "{MQXliff}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TOOL = "transdesk"
VERSIONS = ("1.2", "2.0")
STATUSES = ("draft", "edited", "approved")

# Inline elements that stand for native codes: their content is not translatable text.
_CODES = frozenset({"bpt", "ept", "ph", "it", "x", "bx", "ex", "sub", "sc", "ec", "sm", "em"})
_APPROVED_STATES = {"signed-off", "final"}
_DRAFT_STATES = {"new", "needs-translation", "initial"}
_PARAGRAPH_GROUP = re.compile(r"p(\d+)(?:\.\d+)?")

_STATE_12 = {
    "draft": "needs-review-translation",
    "edited": "translated",
    "approved": "signed-off",
}
_STATE_20 = {"draft": "initial", "edited": "translated", "approved": "final"}


@dataclass(frozen=True)
class BilingualUnit:
    """One segment of a bilingual file: the store's id, texts, status and paragraph number."""

    id: str
    source: str
    target: str
    state: str  # "draft" | "edited" | "approved"
    note: str = ""
    paragraph: int | None = None


@dataclass
class _Slot:
    """One translatable source in a tree and where its target goes."""

    owner: etree._Element  # 1.2 trans-unit, 2.x segment
    source: etree._Element  # 1.2 source or seg-source mrk, 2.x source
    mid: str | None  # the mrk's id when the source is a seg-source segment
    where: str

    @cached_property
    def inline(self) -> inline.Inline:
        return inline.parse(self.source, char=_char)

    @cached_property
    def text(self) -> str:
        """The MT input text (`inline.text`), without keeping the codes."""
        return inline.parse_text(self.source, char=_char)


# ---- translating a file -------------------------------------------------------------------


@dataclass
class _Payload:
    """What `write` needs: the tree, its version, and which of its slots get a translation."""

    tree: etree._ElementTree
    version: str
    chosen: list[int]
    kept: int


def read(
    data: bytes,
    name: str,
    *,
    overwrite: frozenset[str] = frozenset(),
    force_source_language: bool = False,
) -> ParsedFile:
    """Read an XLIFF 1.x or 2.x file; each unit's `where` is "unit id=…".

    A unit's text is its source with inline codes taken out (`mt.formats.inline`); a segment
    whose target is not empty is left out unless its state is in `overwrite`
    (`mt.formats.existing`).

    Raises:
        NotKorean: the declared or detected source language is not Korean (unless forced).
        InputError: not XLIFF, malformed, or nothing left to translate.
    """
    tree = parse_xml(data, name)
    version = _version(tree, name)
    slots = _slots(tree, version)
    chosen = [i for i, slot in enumerate(slots) if _may_fill(slot, version, overwrite)]
    units = [TextUnit(slots[i].text, slots[i].where) for i in chosen]
    if not force_source_language:
        check_source(name, _declared_sources(tree, version), [u.text for u in units])
    if slots and not chosen:
        raise InputError(
            f"{name}: nothing to translate: all {len(slots)} segments already have a"
            " translation, kept (name their states to overwrite them)"
        )
    encoding = (tree.docinfo.encoding or "utf-8").lower()
    payload = _Payload(tree, version, chosen, len(slots) - len(chosen))
    return ParsedFile(name, "xliff", encoding, require_units(name, units), payload)


def write(
    parsed: ParsedFile, targets: Sequence[str], *, model_id: str | None = None, **_: object
) -> bytes:
    """The original document with the translations as MT-suggested targets, codes restored."""
    check_targets(parsed, targets)
    payload = parsed.payload
    assert isinstance(payload, _Payload)
    tree = copy.deepcopy(payload.tree)
    slots = _slots(tree, payload.version)
    for index, target in zip(payload.chosen, targets, strict=True):
        if payload.version == "1.2":
            _fill_12(slots[index], target, model_id)
        else:
            _fill_20(slots[index], target, model_id)
    if payload.chosen:
        _set_target_language(tree, payload.version)
    return serialize(tree)


def create(
    sources: Sequence[str],
    targets: Sequence[str],
    *,
    name: str = "text",
    model_id: str | None = None,
    **_: object,
) -> bytes:
    """A new XLIFF 1.2 file of MT drafts (ids 1, 2, …) from another format's units."""
    units = [
        BilingualUnit(str(n), s, t, "draft")
        for n, (s, t) in enumerate(zip(sources, targets, strict=True), start=1)
    ]
    return build_xliff(units, original=name, model_id=model_id)


def _declared_sources(tree: etree._ElementTree, version: str) -> list[str | None]:
    root = tree.getroot()
    if version == "2.0":
        return [root.get("srcLang")]
    return [f.get("source-language") for f in root.iter("{*}file")]


def _set_target_language(tree: etree._ElementTree, version: str) -> None:
    """The file says English where the desk wrote English."""
    root = tree.getroot()
    if version == "2.0":
        if not is_english(root.get("trgLang")):
            root.set("trgLang", TARGET_LANGUAGE)
        return
    for file in root.iter("{*}file"):
        if not is_english(file.get("target-language")):
            file.set("target-language", TARGET_LANGUAGE)


def _version(tree: etree._ElementTree, name: str) -> str:
    root = tree.getroot()
    if local_name(root) != "xliff":
        raise InputError(f"{name}: not an XLIFF file (root element <{local_name(root)}>)")
    namespace = etree.QName(root).namespace
    if namespace == NS20 or root.get("version", "").startswith("2"):
        return "2.0"
    return "1.2"


def _slots(tree: etree._ElementTree, version: str) -> list[_Slot]:
    """Every translatable source with text, in document order."""
    slots = _slots_12(tree.getroot()) if version == "1.2" else _slots_20(tree.getroot())
    return [s for s in slots if s.text.strip()]


def _slots_12(root: etree._Element) -> Iterator[_Slot]:
    for tu in root.iter("{*}trans-unit"):
        if tu.get("translate") == "no":
            continue
        where = f"unit id={tu.get('id', '?')}"
        seg_source = child(tu, "seg-source")
        marks = [] if seg_source is None else _segment_marks(seg_source)
        if marks:
            for mrk in marks:
                yield _Slot(tu, mrk, mrk.get("mid", ""), f"{where} segment {mrk.get('mid')}")
        elif (source := child(tu, "source")) is not None:
            yield _Slot(tu, source, None, where)


def _slots_20(root: etree._Element) -> Iterator[_Slot]:
    for unit in root.iter("{*}unit"):
        if unit.get("translate") == "no":
            continue
        segments = children(unit, "segment")
        for n, segment in enumerate(segments, start=1):
            source = child(segment, "source")
            if source is None:
                continue
            where = f"unit id={unit.get('id', '?')}"
            if len(segments) > 1:
                where += f" segment {segment.get('id', n)}"
            yield _Slot(segment, source, None, where)


def _existing_target(slot: _Slot) -> etree._Element | None:
    """The target (1.2 segment: its `<mrk>`) that a translation of `slot` would replace."""
    target = child(slot.owner, "target")
    if target is None or slot.mid is None:
        return target
    return next((m for m in _segment_marks(target) if m.get("mid") == slot.mid), None)


def _state(slot: _Slot, version: str) -> str:
    """The segment's state name, from its most binding signal (`mt.formats.existing`)."""
    if version == "2.0":
        return (slot.owner.get("state") or "initial").lower()
    tu = slot.owner
    sdl = _sdl_seg(tu, slot.mid)
    if (sdl is not None and sdl.get("locked") == "true") or tu.get(f"{_MQ}locked") == "locked":
        return "locked"
    if tu.get("approved") == "yes":
        return "approved"
    if sdl is not None and sdl.get("conf"):
        return sdl.get("conf", "").lower()
    if tu.get(f"{_MQ}status"):
        return tu.get(f"{_MQ}status", "").lower()
    target = child(tu, "target")
    state = target.get("state") if target is not None else None
    return (state or "none").lower()


def _may_fill(slot: _Slot, version: str, overwrite: frozenset[str]) -> bool:
    existing = _existing_target(slot)
    if existing is None or not inline.parse(existing).text.strip():
        return True
    return may_replace(_state(slot, version), overwrite)


def _sdl_seg(tu: etree._Element, mid: str | None) -> etree._Element | None:
    if mid is None:
        return None
    return next((seg for seg in tu.iter(f"{_SDL}seg") if seg.get("id") == mid), None)


def _fill_12(slot: _Slot, text: str, model_id: str | None) -> None:
    tu = slot.owner
    target = child(tu, "target")
    if target is None:
        anchor = child(tu, "seg-source") if slot.mid is not None else None
        anchor = anchor if anchor is not None else child(tu, "source")
        assert anchor is not None  # the slot was read from it
        target = _new_sibling_after(anchor, "target")
        if slot.mid is not None:  # copy the segment structure; each mrk is filled below
            target.text = anchor.text
            target.extend(copy.deepcopy(list(anchor)))
    container = target if slot.mid is None else _target_mark(target, slot)
    inline.fill(container, slot.inline, text)
    if slot.mid is not None:
        _mark_sdl_draft(tu, slot.mid)
    if tu.get("approved") == "yes":  # an approval named in overwrite no longer holds
        del tu.attrib["approved"]
    if tu.get(f"{_MQ}status"):
        tu.set(f"{_MQ}status", "Pretranslated")
    target.set("state", _STATE_12["draft"])
    target.set("state-qualifier", "mt-suggestion")
    if target.get(_XML_LANG) is not None:
        target.set(_XML_LANG, TARGET_LANGUAGE)
    if model_id:
        notes = [n for n in children(tu, "note") if n.get("from") == TOOL]
        note = notes[0] if notes else _new_sibling_after(target, "note")
        note.set("from", TOOL)
        note.text = xml_text(f"MT: {model_id}")


def _fill_20(slot: _Slot, text: str, model_id: str | None) -> None:
    segment = slot.owner
    target = child(segment, "target")
    if target is None:
        target = _new_sibling_after(slot.source, "target")
        space = slot.source.get(_XML_SPACE)
        if space is not None:
            target.set(_XML_SPACE, space)
    inline.fill(target, slot.inline, text)
    segment.set("state", _STATE_20["draft"])
    segment.attrib.pop("subState", None)  # a tool's sub-state described the replaced target
    if target.get(_XML_LANG) is not None:
        target.set(_XML_LANG, TARGET_LANGUAGE)
    if model_id:
        _set_note_20(segment.getparent(), f"MT: {model_id}")


def _target_mark(target: etree._Element, slot: _Slot) -> etree._Element:
    for mrk in _segment_marks(target):
        if mrk.get("mid") == slot.mid:
            return mrk
    mrk = etree.SubElement(target, slot.source.tag, dict(slot.source.attrib))
    return mrk


def _mark_sdl_draft(tu: etree._Element, mid: str) -> None:
    for seg in tu.iter(f"{_SDL}seg"):
        if seg.get("id") == mid:
            seg.set("conf", "Draft")
            seg.set("origin", "mt")


def _set_note_20(unit: etree._Element, text: str) -> None:
    notes = child(unit, "notes")
    if notes is None:
        notes = etree.Element(_tag_like(unit, "notes"))
        first = next(
            (
                i
                for i, c in enumerate(unit)
                if local_name(c) in {"originalData", "segment", "ignorable"}
            ),
            len(unit),
        )
        unit.insert(first, notes)
    ours = [n for n in children(notes, "note") if n.get("category") == TOOL]
    note = ours[0] if ours else etree.SubElement(notes, _tag_like(unit, "note"))
    note.set("category", TOOL)
    note.text = xml_text(text)


# ---- bilingual export and import ----------------------------------------------------------


def write_xliff(
    units: Sequence[BilingualUnit],
    out: Path | str,
    *,
    version: str = "1.2",
    source_lang: str = "ko",
    target_lang: str = "en",
    original: str,
    model_id: str | None = None,
) -> None:
    """Write the store's segments as a bilingual XLIFF file for a CAT tool (atomically).

    Arguments:
        units: the segments, in document order; `state` is "draft", "edited" or "approved".
        out: the file to write.
        version: "1.2" (OmegaT, Trados, memoQ) or "2.0".
        original: the source document's name, recorded in `<file original=…>`.
        model_id: the MT model, recorded in a note on each unit.
    """
    atomic_write(
        out,
        build_xliff(
            units,
            version=version,
            source_lang=source_lang,
            target_lang=target_lang,
            original=original,
            model_id=model_id,
        ),
    )


def build_xliff(
    units: Sequence[BilingualUnit],
    *,
    version: str = "1.2",
    source_lang: str = "ko",
    target_lang: str = "en",
    original: str,
    model_id: str | None = None,
) -> bytes:
    """The bytes `write_xliff` writes."""
    if version not in VERSIONS:
        raise ValueError(f"XLIFF version must be one of {', '.join(VERSIONS)}, not {version!r}")
    for unit in units:
        if unit.state not in STATUSES:
            raise ValueError(f"unit {unit.id}: state must be one of {STATUSES}, not {unit.state!r}")
    if version == "1.2":
        root = _build_12(units, source_lang, target_lang, original, model_id)
    else:
        root = _build_20(units, source_lang, target_lang, original, model_id)
    etree.indent(root, space="  ")
    return serialize(etree.ElementTree(root))


def _build_12(units, source_lang, target_lang, original, model_id) -> etree._Element:
    x = f"{{{NS12}}}"
    root = etree.Element(f"{x}xliff", nsmap={None: NS12}, version="1.2")
    file = etree.SubElement(
        root,
        f"{x}file",
        {
            "original": original,
            "source-language": source_lang,
            "target-language": target_lang,
            "datatype": "plaintext",
            "tool-id": TOOL,
        },
    )
    header = etree.SubElement(file, f"{x}header")
    etree.SubElement(header, f"{x}tool", {"tool-id": TOOL, "tool-name": "Transdesk"})
    body = etree.SubElement(file, f"{x}body")
    for parent, unit in _grouped(body, units, f"{x}group", {"restype": "x-paragraph"}):
        tu = etree.SubElement(parent, f"{x}trans-unit", {"id": unit.id})
        tu.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        if unit.state == "approved":
            tu.set("approved", "yes")
        etree.SubElement(tu, f"{x}source").text = xml_text(unit.source)
        target = etree.SubElement(tu, f"{x}target", {"state": _STATE_12[unit.state]})
        if unit.state == "draft":
            target.set("state-qualifier", "mt-suggestion")
        target.text = xml_text(unit.target)
        if unit.note:
            etree.SubElement(tu, f"{x}note").text = xml_text(unit.note)
        if model_id:
            etree.SubElement(tu, f"{x}note", {"from": TOOL}).text = xml_text(f"MT: {model_id}")
    return root


def _build_20(units, source_lang, target_lang, original, model_id) -> etree._Element:
    x = f"{{{NS20}}}"
    space = "{http://www.w3.org/XML/1998/namespace}space"
    root = etree.Element(
        f"{x}xliff", nsmap={None: NS20}, version="2.0", srcLang=source_lang, trgLang=target_lang
    )
    file = etree.SubElement(root, f"{x}file", {"id": "f1", "original": original})
    for parent, unit in _grouped(file, units, f"{x}group", {"type": f"{TOOL}:paragraph"}):
        xu = etree.SubElement(parent, f"{x}unit", {"id": unit.id})
        if unit.note or model_id:
            notes = etree.SubElement(xu, f"{x}notes")
            if model_id:
                note = etree.SubElement(notes, f"{x}note", {"category": TOOL})
                note.text = xml_text(f"MT: {model_id}")
            if unit.note:
                etree.SubElement(notes, f"{x}note").text = xml_text(unit.note)
        segment = etree.SubElement(xu, f"{x}segment", {"state": _STATE_20[unit.state]})
        etree.SubElement(segment, f"{x}source", {space: "preserve"}).text = xml_text(unit.source)
        etree.SubElement(segment, f"{x}target", {space: "preserve"}).text = xml_text(unit.target)
    return root


def _grouped(
    container: etree._Element, units: Sequence[BilingualUnit], group_tag: str, attrs: dict
) -> Iterator[tuple[etree._Element, BilingualUnit]]:
    """(parent, unit) pairs: runs of units of one paragraph go into one paragraph group."""
    used: dict[int, int] = {}
    for paragraph, run in groupby(units, key=lambda u: u.paragraph):
        parent = container
        if paragraph is not None:
            used[paragraph] = used.get(paragraph, 0) + 1
            suffix = f".{used[paragraph]}" if used[paragraph] > 1 else ""
            parent = etree.SubElement(container, group_tag, {"id": f"p{paragraph}{suffix}"})
            for key, value in attrs.items():
                parent.set(key, value)
        for unit in run:
            yield parent, unit


def read_xliff(path: Path | str, *, data: bytes | None = None) -> list[BilingualUnit]:
    """Read a bilingual XLIFF file (ours, or one saved by OmegaT, MateCat, Trados…).

    Returns one BilingualUnit per trans-unit (1.2) or unit (2.x) with a non-empty source, in
    document order; see the module docstring for the state mapping.

    Raises:
        InputError: unreadable, unsafe or malformed XML, not XLIFF, or no units.
    """
    name = str(path)
    if data is None:
        data = read_path(path)
    else:  # an upload: parsed from memory, never written to disk
        check_size(data, name)
    tree = parse_xml(data, name)
    version = _version(tree, name)
    root = tree.getroot()
    units = list(_bilingual_12(root) if version == "1.2" else _bilingual_20(root))
    if not units:
        raise InputError(f"{name}: no translation units")
    return units


def _bilingual_12(root: etree._Element) -> Iterator[BilingualUnit]:
    for tu in root.iter("{*}trans-unit"):
        source = child(tu, "source")
        if source is None or not _flat(source).strip():
            continue
        target = child(tu, "target")
        text = _flat(target) if target is not None else ""
        if tu.get("approved") == "yes" and text.strip():
            state = "approved"
        elif target is None or not text.strip():
            state = "draft"
        else:
            state = _state_12(target.get("state"), target.get("state-qualifier"))
        notes = [n for n in children(tu, "note") if n.get("from") != TOOL]
        yield BilingualUnit(
            tu.get("id", ""), _flat(source), text, state, _join_notes(notes), _paragraph(tu)
        )


def _state_12(state: str | None, qualifier: str | None) -> str:
    if state in _APPROVED_STATES:
        return "approved"
    if state in _DRAFT_STATES or (state == _STATE_12["draft"] and qualifier == "mt-suggestion"):
        return "draft"
    return "edited"


def _bilingual_20(root: etree._Element) -> Iterator[BilingualUnit]:
    for unit in root.iter("{*}unit"):
        parts = [c for c in unit if local_name(c) in {"segment", "ignorable"}]
        source = "".join(_flat(s) for p in parts if (s := child(p, "source")) is not None)
        if not source.strip():
            continue
        target = "".join(_flat(t) for p in parts if (t := child(p, "target")) is not None)
        segments = [p for p in parts if local_name(p) == "segment"]
        state = _state_20([s.get("state") for s in segments], target)
        notes_el = child(unit, "notes")
        notes = [] if notes_el is None else children(notes_el, "note")
        notes = [n for n in notes if n.get("category") != TOOL]
        yield BilingualUnit(
            unit.get("id", ""), source, target, state, _join_notes(notes), _paragraph(unit)
        )


def _state_20(states: list[str | None], target: str) -> str:
    """The least advanced state of a unit's segments."""
    if not target.strip() or any(s == "initial" for s in states):
        return "draft"
    if states and all(s == "final" for s in states):
        return "approved"
    return "edited"


def _paragraph(element: etree._Element) -> int | None:
    for group in element.iterancestors("{*}group"):
        marked = group.get("restype") == "x-paragraph" or group.get("type") == f"{TOOL}:paragraph"
        match = _PARAGRAPH_GROUP.fullmatch(group.get("id", ""))
        if marked and match:
            return int(match.group(1))
    return None


def _join_notes(notes: list[etree._Element]) -> str:
    return "\n".join(text for n in notes if (text := _flat(n).strip()))


# ---- tree helpers -------------------------------------------------------------------------


def _flat(element: etree._Element) -> str:
    return flat_text(element, _CODES)


def _char(element: etree._Element) -> str:
    return _cp_char(element.get("hex", ""))


def _segment_marks(element: etree._Element) -> list[etree._Element]:
    return [m for m in element.iter("{*}mrk") if m.get("mtype") == "seg"]


def _tag_like(element: etree._Element, name: str) -> str:
    """`name` in the namespace of `element`."""
    namespace = etree.QName(element).namespace
    return f"{{{namespace}}}{name}" if namespace else name


def _new_sibling_after(element: etree._Element, name: str) -> etree._Element:
    """A new element named `name` right after `element`, indented the same way."""
    new = etree.Element(_tag_like(element, name))
    parent = element.getparent()
    previous = element.getprevious()
    indent = parent.text if previous is None else previous.tail
    new.tail = element.tail
    if indent is not None and not indent.strip():  # a pretty-printed file stays pretty
        element.tail = indent
    parent.insert(parent.index(element) + 1, new)
    return new
