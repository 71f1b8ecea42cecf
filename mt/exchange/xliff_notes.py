"""Comments travel with XLIFF: out as notes with author and time, back in as comments.

Export (`add_comment_notes`, on the bytes `mt.exchange.export` built): each comment on a
segment becomes a note of its unit, after the tool's own "MT: model" note:

- XLIFF 1.2: ``<note from="AUTHOR" td:author="AUTHOR" td:created="ISO time"
  td:event="ID">text</note>`` in the ``trans-unit`` (``from`` is the standard author field);
- XLIFF 2.0: ``<note category="comment" td:author=… td:created=… td:event=…>text</note>`` in
  the unit's ``<notes>`` (created as the unit's first child when missing).

``td`` is the namespace ``urn:transdesk:xliff`` (attributes of other namespaces are allowed on
notes by both versions). ``td:event`` is the comment's edit-log id.

Import (`import_notes`, after `mt.exchange.xliff_import` recorded the targets): every note of a
unit that is not the tool's own, not a comment exported from this database (its ``td:event``
is one of the segment's comments, or its text equals one of them) becomes a comment by the
editor importing the file (client "xliff"). The comments are read and written by
`mt.store.records`.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mt.store.db import Store
from mt.store.views import XliffImportResult

TD = "urn:transdesk:xliff"
TOOL = "transdesk"


@dataclass(frozen=True)
class NoteIn:
    """A note read from a unit: its text, and the comment id when it was exported by us."""

    unit_id: str
    text: str
    event_id: int | None


def _segment_of(unit_id: str) -> int | None:
    from mt.exchange.unit_ids import UNIT_ID

    match = UNIT_ID.fullmatch((unit_id or "").strip())
    return int(match.group(1)) if match else None


def _units(root: Any, version: str) -> list[Any]:
    from mt.formats.xmlsafe import local_name

    wanted = "trans-unit" if version == "1.2" else "unit"
    return [e for e in root.iter() if isinstance(e.tag, str) and local_name(e) == wanted]


def add_comment_notes(store: Store, doc_id: int, data: bytes) -> bytes:
    """The exported XLIFF `data` with the document's comments added as notes."""
    from lxml import etree

    from mt.formats.xmlsafe import child, parse_xml, serialize, xml_text
    from mt.store.records import comments_by_segment

    comments = comments_by_segment(store, doc_id)
    if not comments:
        return data
    tree = parse_xml(data, f"document {doc_id}.xlf")
    root = tree.getroot()
    version = "1.2" if root.get("version", "").startswith("1") else "2.0"
    ns = etree.QName(root).namespace
    for unit in _units(root, version):
        segment_id = _segment_of(unit.get("id", ""))
        for c in comments.get(segment_id, []) if segment_id is not None else []:
            attrs = {
                f"{{{TD}}}author": c.author,
                f"{{{TD}}}created": c.saved_at.isoformat(),
                f"{{{TD}}}event": str(c.id),
            }
            if version == "1.2":
                note = etree.SubElement(unit, f"{{{ns}}}note", {"from": c.author, **attrs},
                                        nsmap={"td": TD})  # fmt: skip
            else:
                notes = child(unit, "notes")
                if notes is None:
                    notes = etree.Element(f"{{{ns}}}notes")
                    unit.insert(0, notes)
                note = etree.SubElement(notes, f"{{{ns}}}note", {"category": "comment", **attrs},
                                        nsmap={"td": TD})  # fmt: skip
            note.text = xml_text(c.text or "")
            _indent_like_siblings(note)
    etree.cleanup_namespaces(root, top_nsmap={"td": TD})
    return serialize(tree)


def _indent_like_siblings(note: Any) -> None:
    """Give an appended element the layout of its siblings (only whitespace tails change)."""
    parent = note.getparent()
    before = note.getprevious()
    if before is None or not (parent.text or "").isspace():
        return
    if (before.tail or "").isspace() or before.tail is None:
        note.tail = before.tail
        before.tail = parent.text


def read_notes(path: str | Path, data: bytes | None = None) -> list[NoteIn]:
    """Every note of every unit except the tool's own MT note, in document order."""
    from mt.formats.base import read_path
    from mt.formats.xmlsafe import child, children, local_name, parse_xml

    name = Path(str(path)).name
    raw = data if data is not None else read_path(path)
    root = parse_xml(raw, name).getroot()
    version = "1.2" if root.get("version", "").startswith("1") else "2.0"
    out = []
    for unit in _units(root, version):
        if version == "1.2":
            notes = children(unit, "note")
        else:
            holder = child(unit, "notes")
            notes = children(holder, "note") if holder is not None else []
        for note in notes:
            if note.get("from") == TOOL or note.get("category") == TOOL:
                continue
            text = unicodedata.normalize("NFC", "".join(note.itertext())).strip()
            if not text or local_name(note) != "note":
                continue
            event = note.get(f"{{{TD}}}event")
            out.append(
                NoteIn(unit.get("id", ""), text, int(event) if event and event.isdigit() else None)
            )
    return out


def import_notes(
    store: Store, path: str | Path, data: bytes | None, editor: str, result: XliffImportResult
) -> XliffImportResult:
    """Record the file's new notes as comments by `editor`; `result` comes back with their
    edit-log ids in `comments`."""
    from mt.store.records import add_new_comments

    notes = read_notes(path, data)
    if not notes:
        return result
    by_segment = [
        (segment_id, note.text, note.event_id)
        for note in notes
        if (segment_id := _segment_of(note.unit_id)) is not None
    ]
    added = add_new_comments(store, editor, by_segment, client="xliff")
    return dataclasses.replace(result, comments=tuple(added))
