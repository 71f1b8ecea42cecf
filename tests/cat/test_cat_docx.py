# ruff: noqa: E501  (XML fixtures are kept one element a line)
"""Word files with links, comments, tracked changes, fields and bookmarks keep them (#16)."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml import parse_xml
from lxml import etree

from mt.formats import read_bytes, write
from tests.conftest import shared_lines

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W}


@pytest.fixture(scope="module")
def ko() -> list[str]:
    return shared_lines("ntrex128", "ko", 12)


def run(text: str, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def make(ko: list[str]) -> bytes:
    document = docx.Document()
    body = document.element.body
    rid = document.part.relate_to(
        "https://example.com/", docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, is_external=True
    )
    paragraphs = [
        # a link in the middle of a sentence
        f'{run(ko[0][:6] + " ")}<w:hyperlink r:id="{rid}">{run("KBS 뉴스")}</w:hyperlink>{run(" " + ko[0][6:])}',
        # tracked insertion, deletion and a move
        f'{run(ko[1])}<w:ins w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">{run(" " + ko[2])}</w:ins>'
        f'<w:del w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>삭제된 문장이다.</w:delText></w:r></w:del>',
        f'<w:moveFrom w:id="3" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:t>{ko[3]}</w:t></w:r></w:moveFrom>{run(ko[4])}',
        f'{run(ko[5])}<w:moveTo w:id="4" w:author="A" w:date="2024-01-01T00:00:00Z">{run(" " + ko[3])}</w:moveTo>',
        # bookmark, simple field, bold run, complex field
        f'<w:bookmarkStart w:id="5" w:name="top"/>{run(ko[6][:5] + " ")}<w:bookmarkEnd w:id="5"/>'
        f'{run(ko[6][5:] + " ", bold=True)}<w:fldSimple w:instr=" PAGE ">{run("3")}</w:fldSimple>'
        f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{run("2024")}<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    for xml in paragraphs:
        body.append(parse_xml(f'<w:p xmlns:w="{W}" xmlns:r="{R}">{xml}</w:p>'))
    # a comment on a range in the middle of a paragraph
    p = document.add_paragraph()
    first = p.add_run(ko[7][:8] + " ")
    middle = p.add_run(ko[7][8:20])
    p.add_run(ko[7][20:])
    document.add_comment(middle, text=ko[8], author="Editor")
    buffer = io.BytesIO()
    document.save(buffer)
    assert first is not None
    return buffer.getvalue()


def paragraph_xml(data: bytes) -> list[etree._Element]:
    document = docx.Document(io.BytesIO(data))
    return [p for p in document.element.body.iter(f"{{{W}}}p")]


def test_word_structure_survives_translation(ko):
    data = make(ko)
    parsed = read_bytes(data, "story.docx")
    wheres = [u.where for u in parsed.units]
    assert wheres[-1].startswith("comment ")  # the comment's body is translated too
    texts = {u.where: u.text for u in parsed.units}
    # deleted text and the old place of a move are not translated; the moved text once
    joined = "\n".join(texts.values())
    assert "삭제된" not in joined and joined.count(ko[3]) == 1
    targets = [f"Words {n} KBS and some more words." for n in range(len(parsed.units))]
    out = write(parsed, targets, None)
    ps = paragraph_xml(out)

    def find(xpath: str) -> list:
        return [e for p in ps for e in etree.ElementBase.xpath(p, xpath, namespaces=NS)]

    link = find(".//w:hyperlink")
    assert len(link) == 1 and "".join(link[0].itertext()).strip()  # the link keeps text
    assert len(find(".//w:ins//w:t")) == 1  # the insertion is translated inside w:ins
    assert [t.text for t in find(".//w:del//w:delText")] == ["삭제된 문장이다."]
    assert [t.text for t in find(".//w:moveFrom//w:t")] == [ko[3]]
    assert len(find(".//w:moveTo//w:t")) == 1
    assert len(find(".//w:bookmarkStart")) == len(find(".//w:bookmarkEnd")) == 1
    assert [f.get(f"{{{W}}}instr") for f in find(".//w:fldSimple")] == [" PAGE "]
    assert [t.text for t in find(".//w:instrText")] == [" DATE "]
    assert len(find(".//w:fldChar")) == 3
    assert len(find(".//w:b")) == 1  # the bold run is still there
    starts, ends = find(".//w:commentRangeStart"), find(".//w:commentRangeEnd")
    assert len(starts) == len(ends) == len(find(".//w:commentReference")) == 1
    # the comment range still covers text: its start and end are not adjacent
    p = starts[0].getparent()
    between = p[p.index(starts[0]) + 1 : p.index(ends[0])]
    assert "".join("".join(e.itertext()) for e in between).strip()
    comments = docx.Document(io.BytesIO(out)).comments
    assert [c.text for c in comments] == [targets[-1]]
    # every w:t sits in a run
    assert all(etree.QName(t.getparent()).localname == "r" for t in find(".//w:t"))
    again = read_bytes(out, "again.docx", force_source_language=True)
    assert [u.text for u in again.units] == targets
