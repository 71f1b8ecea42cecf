"""TMX 1.4 translation memories: translating a memory's Korean side, and the store's TMX export.

A `<tu>` holds one `<tuv>` per language; the language is `xml:lang` (TMX 1.4) or `lang`
(TMX 1.1–1.3), matched by primary subtag, case-insensitively ("ko" matches "ko-KR"). The text of
a `<seg>` is its content with native codes (`<bpt>`, `<ept>`, `<ph>`, `<it>`, `<ut>`) dropped and
`<hi>` kept. Translating a file takes the Korean `<tuv>` of each `<tu>` as a unit and writes the
translation into the English `<tuv>`, replacing its `<seg>` or adding `<tuv xml:lang="en">`;
everything else of the file is kept.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

from lxml import etree

from mt.errors import InputError
from mt.formats import inline
from mt.formats.base import (
    ParsedFile,
    TextUnit,
    atomic_write,
    check_targets,
    read_path,
    require_units,
    tool_version,
)
from mt.formats.existing import may_replace
from mt.formats.language import check_source
from mt.formats.xmlsafe import (
    child,
    children,
    flat_text,
    local_name,
    parse_xml,
    serialize,
    xml_text,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOURCE_LANG = "ko"
TARGET_LANG = "en"
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut", "sub"})
_WRAPPERS = frozenset({"hi"})


def read(
    data: bytes,
    name: str,
    *,
    overwrite: frozenset[str] = frozenset(),
    force_source_language: bool = False,
) -> ParsedFile:
    """Read a TMX file; each Korean segment is a unit, `where` is "tu N" or "tu tuid=…".

    A `<tu>` that already has English text keeps it unless `overwrite` names "translated"
    (or "any"); inline codes (`<bpt>`, `<ph>`, `<hi>` …) are taken out of the unit's text and
    restored in the translation (`mt.formats.inline`).
    """
    tree = parse_xml(data, name)
    tus = _tus(tree, name)
    if not tus:
        raise InputError(f"{name}: no text to translate (no <tu> elements)")
    korean = list(_units(tus))
    if not korean:
        found = sorted({lang.lower() for tu in tus for tuv in _tuvs(tu) if (lang := _lang(tuv))})
        raise InputError(
            f"{name}: no Korean ({SOURCE_LANG}) segments;"
            f" languages found: {', '.join(found) or 'none'}"
        )
    pairs = [(where, tuv) for where, tuv in korean if _seg_inline(tuv).text.strip()]
    chosen = [n for n, (_where, tuv) in enumerate(pairs) if _may_fill(tuv.getparent(), overwrite)]
    units = [TextUnit(_seg_inline(pairs[n][1]).text, pairs[n][0]) for n in chosen]
    if not force_source_language:
        header = child(tree.getroot(), "header")
        declared = header.get("srclang") if header is not None else None
        check_source(name, [None if declared == "*all*" else declared], [u.text for u in units])
    if pairs and not chosen:
        raise InputError(
            f"{name}: nothing to translate: all {len(pairs)} Korean segments already have an"
            " English translation, kept (name their state to overwrite them)"
        )
    encoding = (tree.docinfo.encoding or "utf-8").lower()
    return ParsedFile(name, "tmx", encoding, require_units(name, units), (tree, chosen))


def write(parsed: ParsedFile, targets: Sequence[str], **_: object) -> bytes:
    """The original memory with an English `<tuv>` holding each translation."""
    check_targets(parsed, targets)
    original, chosen = cast("tuple[etree._ElementTree, list[int]]", parsed.payload)
    tree = copy.deepcopy(original)
    pairs = [
        (tu, tuv) for tu, tuv in _korean(_tus(tree, parsed.name)) if _seg_inline(tuv).text.strip()
    ]
    for n, target in zip(chosen, targets, strict=True):
        tu, ko_tuv = pairs[n]
        tuv = _find_tuv(tu, TARGET_LANG)
        if tuv is None:
            tuv = etree.Element("tuv", {XML_LANG: TARGET_LANG})
            tuv.tail = ko_tuv.tail
            tu.insert(tu.index(ko_tuv) + 1, tuv)
        seg = child(tuv, "seg")
        if seg is None:
            seg = etree.SubElement(tuv, "seg")
        inline.fill(seg, _seg_inline(ko_tuv), target)
    return serialize(tree)


def _may_fill(tu: etree._Element, overwrite: frozenset[str]) -> bool:
    english = _find_tuv(tu, TARGET_LANG)
    if english is None or not _seg_text(english).strip():
        return True
    return may_replace("translated", overwrite)


def _seg_inline(tuv: etree._Element) -> inline.Inline:
    seg = child(tuv, "seg")
    return inline.Inline("") if seg is None else inline.parse(seg, wrappers=_WRAPPERS)


def create(sources: Sequence[str], targets: Sequence[str], **_: object) -> bytes:
    """A new memory of (Korean, English) pairs from another format's units."""
    return build_tmx(list(zip(sources, targets, strict=True)))


def write_tmx(
    pairs: Sequence[tuple[str, str]],
    out: Path | str,
    *,
    source_lang: str = SOURCE_LANG,
    target_lang: str = TARGET_LANG,
) -> None:
    """Write (source, target) pairs as a TMX 1.4 memory (atomically), creationtool Transdesk."""
    atomic_write(out, build_tmx(pairs, source_lang=source_lang, target_lang=target_lang))


def build_tmx(
    pairs: Sequence[tuple[str, str]],
    *,
    source_lang: str = SOURCE_LANG,
    target_lang: str = TARGET_LANG,
) -> bytes:
    """The bytes `write_tmx` writes."""
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        {
            "creationtool": "Transdesk",
            "creationtoolversion": tool_version(),
            "creationdate": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
            "datatype": "plaintext",
            "segtype": "sentence",
            "adminlang": "en",
            "srclang": source_lang,
            "o-tmf": "Transdesk",
        },
    )
    body = etree.SubElement(root, "body")
    for source, target in pairs:
        tu = etree.SubElement(body, "tu")
        for lang, text in ((source_lang, source), (target_lang, target)):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = xml_text(text)
    etree.indent(root, space="  ")
    return serialize(etree.ElementTree(root))


def read_tmx(
    path: Path | str, *, source_lang: str = SOURCE_LANG, target_lang: str = TARGET_LANG
) -> list[tuple[str, str]]:
    """(source, target) pairs of every `<tu>` that has both languages with text, in order.

    Raises:
        InputError: unreadable, unsafe or malformed XML, or not TMX.
    """
    name = str(path)
    tree = parse_xml(read_path(path), name)
    pairs = []
    for tu in _tus(tree, name):
        source, target = _find_tuv(tu, source_lang), _find_tuv(tu, target_lang)
        if source is not None and target is not None:
            pair = (_seg_text(source), _seg_text(target))
            if pair[0].strip() and pair[1].strip():
                pairs.append(pair)
    return pairs


def _tus(tree: etree._ElementTree, name: str) -> list[etree._Element]:
    root = tree.getroot()
    if local_name(root) != "tmx":
        raise InputError(f"{name}: not a TMX file (root element <{local_name(root)}>)")
    return list(root.iter("{*}tu"))


def _korean(tus: list[etree._Element]) -> Iterator[tuple[etree._Element, etree._Element]]:
    for tu in tus:
        tuv = _find_tuv(tu, SOURCE_LANG)
        if tuv is not None:
            yield tu, tuv


def _units(tus: list[etree._Element]) -> Iterator[tuple[str, etree._Element]]:
    """("tu N" or "tu tuid=…", Korean tuv) for each tu that has one."""
    numbers = {id(tu): n for n, tu in enumerate(tus, start=1)}
    for tu, tuv in _korean(tus):
        tuid = tu.get("tuid")
        yield (f"tu tuid={tuid}" if tuid else f"tu {numbers[id(tu)]}"), tuv


def _tuvs(tu: etree._Element) -> list[etree._Element]:
    return children(tu, "tuv")


def _lang(tuv: etree._Element) -> str:
    return tuv.get(XML_LANG) or tuv.get("lang") or ""


def _find_tuv(tu: etree._Element, lang: str) -> etree._Element | None:
    lang = lang.lower()
    for tuv in _tuvs(tu):
        code = _lang(tuv).lower().replace("_", "-")
        if code == lang or code.startswith(lang + "-"):
            return tuv
    return None


def _seg_text(tuv: etree._Element) -> str:
    seg = child(tuv, "seg")
    return "" if seg is None else flat_text(seg, _CODES)
