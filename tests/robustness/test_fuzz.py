"""Fuzzing: every reader keeps every text and puts every translation back in its place; the
segmenter loses nothing, also on paragraphs long enough to reach Kiwi in pieces; the store
gives back exactly the article it was given.

tests/test_formats.py and tests/test_xliff_tmx.py already feed the readers random bytes (only
`InputError` may come out). Here the files are well formed, written by independent writers
(json, csv, lxml, python-docx) from random texts (any script, emoji and ZWJ sequences, NFD
jamo, controls, markup characters), so a reader that drops, trims, merges or moves text fails.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from mt.csvsafe import csv_safe
from mt.formats import read_bytes, write
from mt.formats.encoding import binary_kind
from mt.formats.xmlsafe import xml_text
from mt.segment import _KIWI_CHUNK, join_translation, rebuild, segment
from tests.conftest import shared_lines

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SPECIALS = [
    "서울은 맑다.",
    "한국은행",
    unicodedata.normalize("NFD", "한글 자모"),
    "ᄒᆞᆫ",  # old Hangul: no precomposed syllable
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇰🇷",
    "👍🏽",
    "\u200b",
    "\u2028",
    "\u00a0",
    "\u3000",
    "<b>&amp;</b>",
    "]]>",
    '"',
    "'",
    ",",
    "\t",
    "=1+2",
    "…",
    "“인용”",
]
_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00\ufeff")
TEXT = st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(_CHARS, max_size=8)), max_size=6).map(
    "".join
)
ONE_LINE = TEXT.map(lambda t: re.sub(r"[\r\n]", " ", t))
XML_TEXT = TEXT.map(xml_text)
TEXTS = st.lists(TEXT, min_size=1, max_size=6)


def _units(parsed) -> list[str]:
    return [u.text for u in parsed.units]


def _marks(n: int) -> list[str]:
    """Targets that say where they belong."""
    return [f"T{i}·번역" for i in range(n)]


# --- readers: every text in, every translation back in its place ----------------------------


@FUZZ
@given(texts=st.lists(ONE_LINE, min_size=1, max_size=8), newline=st.sampled_from(["\n", "\r\n"]))
def test_txt_keeps_every_line(texts, newline):
    data = newline.join(texts).encode()
    assume(binary_kind(data) is None)
    expected = [t.strip() for t in texts if t.strip()]
    assume(expected)
    parsed = read_bytes(data, "f.txt", force_source_language=True)
    assert _units(parsed) == expected
    out = write(parsed, _marks(len(expected)), None).decode().split(newline)
    marks = iter(_marks(len(expected)))
    for line, text in zip(out, texts, strict=True):
        if text.strip():
            assert line.strip() == next(marks)
            assert line[: len(line) - len(line.lstrip())] == text[: len(text) - len(text.lstrip())]
        else:
            assert line == text  # blank lines stay exactly as they were


@FUZZ
@given(texts=TEXTS)
def test_jsonl_keeps_every_field(texts):
    rows = [{"id": i, "ko": t} for i, t in enumerate(texts)]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    expected = [t for t in texts if t.strip()]
    assume(expected)
    parsed = read_bytes(data, "f.jsonl", field="ko", force_source_language=True)
    assert _units(parsed) == expected
    out = [json.loads(line) for line in write(parsed, _marks(len(expected)), None).splitlines()]
    assert [{k: v for k, v in o.items() if k != "translation"} for o in out] == rows
    assert [o["translation"] for o in out if o["ko"].strip()] == _marks(len(expected))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@FUZZ
@given(texts=TEXTS)
def test_csv_and_tsv_keep_every_cell(fmt, texts):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\r\n")
    writer.writerows([["id", "ko"], *[[str(i), t] for i, t in enumerate(texts)]])
    data = buffer.getvalue().encode()
    assume(binary_kind(data) is None)
    expected = [t for t in texts if t.strip()]
    assume(expected)
    parsed = read_bytes(data, f"f.{fmt}", column="ko", force_source_language=True)
    assert _units(parsed) == expected
    out = write(parsed, _marks(len(expected)), None).decode()
    rows = list(csv.reader(io.StringIO(out, newline=""), delimiter="," if fmt == "csv" else "\t"))
    assert rows[0] == ["id", "ko", "translation"]
    # Every cell goes through the one CSV writer (#13): formulas come back neutralised.
    assert [r[1] for r in rows[1:]] == [csv_safe(t) for t in texts]
    translated = [r[2] for r, t in zip(rows[1:], texts, strict=True) if t.strip()]
    assert translated == _marks(len(expected))


XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF20 = "urn:oasis:names:tc:xliff:document:2.0"


def _xliff(texts: list[str], version: str) -> bytes:
    if version == "1.2":
        root = etree.Element(f"{{{XLIFF12}}}xliff", version="1.2", nsmap={None: XLIFF12})
        file = etree.SubElement(root, f"{{{XLIFF12}}}file", original="f", datatype="plaintext")
        file.set("source-language", "ko")
        body = etree.SubElement(file, f"{{{XLIFF12}}}body")
        for i, text in enumerate(texts):
            unit = etree.SubElement(body, f"{{{XLIFF12}}}trans-unit", id=str(i))
            etree.SubElement(unit, f"{{{XLIFF12}}}source").text = text
    else:
        root = etree.Element(f"{{{XLIFF20}}}xliff", version="2.0", nsmap={None: XLIFF20})
        root.set("srcLang", "ko")
        file = etree.SubElement(root, f"{{{XLIFF20}}}file", id="f")
        for i, text in enumerate(texts):
            unit = etree.SubElement(file, f"{{{XLIFF20}}}unit", id=str(i))
            seg = etree.SubElement(unit, f"{{{XLIFF20}}}segment")
            etree.SubElement(seg, f"{{{XLIFF20}}}source").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("version", ["1.2", "2.0"])
@FUZZ
@given(texts=st.lists(XML_TEXT, min_size=1, max_size=6))
def test_xliff_keeps_every_source(version, texts):
    expected = [t for t in texts if t.strip()]
    assume(expected)
    parsed = read_bytes(_xliff(texts, version), "f.xlf", force_source_language=True)
    assert _units(parsed) == expected
    out = etree.fromstring(write(parsed, _marks(len(expected)), None, model_id="m"))
    targets = {}
    for unit in out.iter("{*}trans-unit", "{*}unit"):
        target = next(unit.iter("{*}target"), None)
        targets[int(unit.get("id"))] = None if target is None else target.text
    assert [targets[i] for i, t in enumerate(texts) if t.strip()] == _marks(len(expected))
    assert all(targets[i] is None for i, t in enumerate(texts) if not t.strip())


@FUZZ
@given(texts=st.lists(XML_TEXT, min_size=1, max_size=6))
def test_tmx_keeps_every_korean_segment(texts):
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", srclang="ko", datatype="plaintext", segtype="sentence")
    body = etree.SubElement(root, "body")
    for text in texts:
        tuv = etree.SubElement(etree.SubElement(body, "tu"), "tuv")
        tuv.set("{http://www.w3.org/XML/1998/namespace}lang", "ko-KR")
        etree.SubElement(tuv, "seg").text = text
    expected = [t for t in texts if t.strip()]
    assume(expected)
    parsed = read_bytes(etree.tostring(root, encoding="UTF-8"), "f.tmx", force_source_language=True)
    assert _units(parsed) == expected
    out = etree.fromstring(write(parsed, _marks(len(expected)), None))
    english = []
    for tu in out.iter("tu"):
        for tuv in tu.iter("tuv"):
            if tuv.get("{http://www.w3.org/XML/1998/namespace}lang") == "en":
                english.append(tuv.findtext("seg"))
    assert english == _marks(len(expected))


@FUZZ
@given(texts=st.lists(XML_TEXT.map(lambda t: t.replace("\r", " ")), min_size=1, max_size=5))
def test_docx_keeps_every_paragraph(texts):
    import docx

    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    expected = [t.strip() for t in texts if t.strip()]
    assume(expected)
    parsed = read_bytes(buffer.getvalue(), "f.docx", force_source_language=True)
    # A tab is a <w:tab/> code: a space in the MT input, kept as a tab in the translation.
    assert [_words(u) for u in _units(parsed)] == [_words(t) for t in expected]
    out = docx.Document(io.BytesIO(write(parsed, _marks(len(expected)), None)))
    # tabs and line breaks are codes: they come back placed in the translation, the rest of
    # each paragraph is its translation
    shown = [re.sub(r"[\t\n]", "", p.text).strip() for p in out.paragraphs if p.text.strip()]
    assert shown == _marks(len(expected))


def _words(text: str) -> str:
    return " ".join(text.split())


# --- the segmenter ----------------------------------------------------------------------------

_INVISIBLE = re.compile(r"[\s\ufeff\u200b]+")


def _visible(text: str) -> str:
    return _INVISIBLE.sub("", text)


SENTENCES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "코스피가 3.5% 올랐다.",
                '그는 "물가가 불안하다. 금리는 동결한다"고 말했다.',
                "정말요?",
                "(서울=연합뉴스) 김철수 기자 =",
                "이것은... 정말 놀랍다!",
                "“인용이 길게 이어진다.",
                "U.S. 시장은 Mr. Kim 의 말에 반응했다.",
                "👨‍👩‍👧‍👦 가족.",
                unicodedata.normalize("NFD", "자모로 쓴 문장이다."),
                "띄어쓰기없이이어지는아주긴문장" * 3,
            ]
        ),
        TEXT,
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentences=SENTENCES, repeat=st.integers(1, 400), glue=st.sampled_from([" ", "", "\n"]))
def test_segmenter_loses_nothing_short_or_long(sentences, repeat, glue):
    """Texts up to tens of thousands of characters: long paragraphs go to Kiwi in pieces."""
    text = glue.join(sentences * repeat)
    seg = segment(text)
    assert rebuild(seg) == text
    translation = join_translation(seg, [s.text for s in seg.segments])
    assert _visible(translation) == _visible(text)


def test_a_long_paragraph_without_any_space_is_cut_only_by_length():
    text = "가나다라마바사" * (_KIWI_CHUNK // 2)  # 3.5 pieces, no space to cut at
    seg = segment(text)
    assert rebuild(seg) == text and len(seg.segments) >= 1


@pytest.mark.parametrize("mode", ["sentence", "line"])
def test_long_paragraph_is_split_like_its_sentences(mode):
    """Kiwi sees a long paragraph in pieces; the sentences are those of the short text."""
    short = "코스피가 3.5% 올랐다. 외국인이 1조 원을 샀다. 반도체가 상승을 이끌었다."
    long = " ".join([short] * 400)  # about 16,000 characters: eight or more pieces
    assert len(long) > 4 * _KIWI_CHUNK
    seg = segment(long, mode=mode)
    if mode == "line":
        assert [s.text for s in seg.segments] == [long]
    else:
        assert [s.text for s in seg.segments] == [s.text for s in segment(short).segments] * 400


@pytest.mark.slow
def test_news_joined_into_one_line_keeps_its_sentences():
    """NTREX-128 as one 318,000-character line: Kiwi alone found 65% of the sentences it finds
    line by line (and took three times as long); in pieces it finds nearly all of them."""
    lines = shared_lines("ntrex128", "ko")
    joined = " ".join(lines)
    found = len(segment(joined).segments)
    line_by_line = sum(len(s.segments) for s in map(segment, lines))
    # Lines that end without a full stop (headlines, captions) rightly merge with the next.
    assert found >= 0.85 * line_by_line


# --- the store: the article comes back as given --------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(TEXT, min_size=1, max_size=5),
    breaks=st.sampled_from(["\n", "\n\n", "\r\n", "\r"]),
    mode=st.sampled_from(["sentence", "line"]),
)
def test_store_gives_back_the_exact_article(paragraphs, breaks, mode, tmp_path_factory):
    from mt.drafting import create_document, document_text
    from mt.errors import InputError
    from mt.store import open_store

    text = breaks.join(paragraphs)
    if not _visible(text):
        return  # nothing to store: create_document refuses (tested in the input table)
    path = tmp_path_factory.mktemp("fz") / "s.db"
    with open_store(f"sqlite:///{path}") as store:
        try:
            doc = create_document(
                store, text, title="t", engine=None, created_by="fuzz", segment_mode=mode
            )
        except InputError:
            assert not segment(unicodedata.normalize("NFC", text), mode=mode).segments
            return
        assert document_text(store, doc, which="source") == unicodedata.normalize("NFC", text)
