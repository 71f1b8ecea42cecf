# ruff: noqa: E501  (XML fixtures are kept one element a line)
"""Files as CAT tools write them (#16): inline codes kept, human work kept, languages checked.

The corpus is generated here with real Korean news sentences (NTREX-128): XLIFF 1.2 with every
inline code (g, x, bx, ex, bpt, ept, ph, it, mrk), XLIFF 2.0 (pc, ph, sc, ec, sm, em, mrk),
SDLXLIFF confirmation levels and locks, memoQ statuses, every XLIFF state, wrong-language files
and MateCat's namespace with a space.
"""

from __future__ import annotations

import copy
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from mt.errors import InputError
from mt.formats import read_bytes, write
from mt.formats.existing import parse_overwrite
from mt.formats.language import NotKorean
from tests.conftest import shared_lines

X12 = "urn:oasis:names:tc:xliff:document:1.2"
X20 = "urn:oasis:names:tc:xliff:document:2.0"
N12 = {"x": X12}
N20 = {"x": X20}


@pytest.fixture(scope="module")
def ko() -> list[str]:
    return [escape(line) for line in shared_lines("ntrex128", "ko", 40)]


def local(el) -> str:
    return etree.QName(el).localname


def codes(el) -> list[tuple[str, str | None]]:
    """(name, id) of every inline element inside `el`, in document order."""
    return [(local(c), c.get("id") or c.get("startRef")) for c in el.iter() if c is not el]


def mt_text(el, drop=("ph", "bpt", "ept", "it", "x", "bx", "ex", "sc", "ec", "sm", "em")) -> str:
    twin = copy.deepcopy(el)
    for c in twin.iter():
        if c is not twin and local(c) in drop:
            c.text = None
            for inner in list(c):
                c.remove(inner)
    return "".join(twin.itertext())


def xliff12(ko: list[str], lang: str = "ko-KR", target_lang: str = "fr") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="{X12}">
<file original="a.html" source-language="{lang}" target-language="{target_lang}" datatype="html">
<body>
<trans-unit id="g"><source>{ko[0][:8]} <g id="1" ctype="bold">{ko[0][8:]}</g></source></trans-unit>
<trans-unit id="x"><source>{ko[1][:6]}<x id="1" ctype="image"/> {ko[1][6:]}</source></trans-unit>
<trans-unit id="bx"><source><bx id="1" rid="r1"/>{ko[2]}<ex id="2" rid="r1"/></source></trans-unit>
<trans-unit id="bpt"><source><bpt id="1" ctype="italic">&lt;i&gt;</bpt>{ko[3][:5]}<ept id="1">&lt;/i&gt;</ept>{ko[3][5:]}</source></trans-unit>
<trans-unit id="lb"><source>{ko[4]}<ph id="1" ctype="lb">&lt;br/&gt;</ph>{ko[5]}</source></trans-unit>
<trans-unit id="it"><source>{ko[6]}<it id="1" pos="open">&lt;span&gt;</it></source></trans-unit>
<trans-unit id="mrk"><source>{ko[7][:4]} <mrk mtype="term">{ko[7][4:9]}</mrk>{ko[7][9:]}</source></trans-unit>
<trans-unit id="protected"><source>{ko[8]} <mrk mtype="protected">KOSPI 2,600</mrk></source></trans-unit>
<trans-unit id="nested"><source><g id="1">{ko[9][:6]} <g id="2">BTS</g> {ko[9][6:]}</g></source></trans-unit>
<trans-unit id="no" translate="no"><source>{ko[10]}</source></trans-unit>
</body></file></xliff>""".encode()


def test_every_xliff12_code_is_kept_and_paired(ko):
    parsed = read_bytes(xliff12(ko), "codes.xlf")
    ids = [u.where.split("=")[1] for u in parsed.units]
    assert ids == ["g", "x", "bx", "bpt", "lb", "it", "mrk", "protected", "nested"]
    # no markup in the MT input; the line break is a space, so words are not glued
    unit = dict(zip(ids, parsed.units, strict=True))
    assert "<" not in "".join(u.text for u in parsed.units)
    assert unit["lb"].text == f"{ko[4]} {ko[5]}"
    assert "KOSPI" not in unit["protected"].text  # protected content never goes to MT
    targets = [f"Sentence {n} about BTS and more words here." for n in range(len(ids))]
    out = write(parsed, targets, None)
    root = etree.fromstring(out)
    for tu in root.iterfind(".//x:trans-unit", N12):
        if tu.get("id") == "no":
            assert tu.find("x:target", N12) is None
            continue
        source, target = tu.find("x:source", N12), tu.find("x:target", N12)
        assert codes(target) == codes(source), tu.get("id")  # all codes, same order, same ids
        assert target.get("state") == "needs-review-translation"
    t = {tu.get("id"): tu.find("x:target", N12) for tu in root.iterfind(".//x:trans-unit", N12)}
    assert mt_text(t["g"]) == targets[0]
    # the protected region is copied as it is
    assert t["protected"].find("x:mrk", N12).text == "KOSPI 2,600"
    # a code wrapping copied text wraps it in the target
    assert t["nested"].find("x:g/x:g", N12).text == "BTS"
    # the line break takes the place of a space: no doubled or lost spacing
    lb = t["lb"].find("x:ph", N12)
    before = (lb.getprevious().tail if lb.getprevious() is not None else t["lb"].text) or ""
    assert not before.endswith(" ") and not (lb.tail or "").startswith(" ")
    assert mt_text(t["lb"]).replace(" ", "") == targets[4].replace(" ", "")
    assert b'target-language="en"' in out  # the desk writes English


def test_xliff20_codes_and_sm_translate_no(ko):
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="{X20}" version="2.0" srcLang="ko" trgLang="de">
<file id="f"><unit id="u1"><originalData><data id="d1">&lt;b&gt;</data></originalData>
<segment id="s1"><source><pc id="1" dataRefStart="d1" canDelete="no">{ko[11][:5]}</pc> {ko[11][5:]}<ph id="2" canDelete="no"/></source></segment></unit>
<unit id="u2"><segment state="translated" subState="x:done"><source><sc id="1"/>{ko[12]}<ec startRef="1"/> <sm id="m1" translate="no"/>CODE-7 {ko[13][:3]}<em startRef="m1"/> {ko[13][3:]}</source><target>Human work.</target></segment></unit>
<unit id="u3"><segment><source>{ko[14]}<ph id="3" subType="xlf:lb" type="fmt"/>{ko[15]} <mrk id="m2" translate="no">삼성</mrk>.</source></segment></unit>
</file></xliff>""".encode()
    parsed = read_bytes(data, "two.xlf")
    assert [u.where for u in parsed.units] == ["unit id=u1", "unit id=u3"]  # u2: human
    assert "삼성" not in parsed.units[1].text
    out = write(parsed, ["One two three four.", "Five six seven eight."], None)
    root = etree.fromstring(out)
    assert root.get("trgLang") == "en"
    for unit in root.iterfind(".//x:unit", N20):
        if unit.get("id") == "u2":
            continue  # kept as the translator left it
        segment = unit.find("x:segment", N20)
        assert codes(segment.find("x:target", N20)) == codes(segment.find("x:source", N20))
    u2 = root.find(".//x:unit[@id='u2']/x:segment", N20)
    assert (u2.get("state"), u2.get("subState")) == ("translated", "x:done")
    assert u2.find("x:target", N20).text == "Human work."
    again = read_bytes(data, "two.xlf", overwrite=parse_overwrite("translated"))
    assert len(again.units) == 3
    # the protected range between sm and em is never sent to MT and is copied as it is
    assert "CODE-7" not in again.units[1].text
    out = write(again, ["a b.", "Some words here now.", "c d."], None)
    u2 = etree.fromstring(out).find(".//x:unit[@id='u2']/x:segment", N20)
    assert u2.get("state") == "initial" and u2.get("subState") is None  # stale subState gone
    target = u2.find("x:target", N20)
    sm = target.find("x:sm", N20)
    assert sm.tail.startswith("CODE-7 ") and codes(target)[-2:] == [("sm", "m1"), ("em", "m1")]


STATES_12 = [
    ("new", True),
    ("needs-translation", True),
    ("needs-review-translation", False),
    ("needs-review-l10n", False),
    ("translated", False),
    ("signed-off", False),
    ("final", False),
    (None, False),
]


@pytest.mark.parametrize(("state", "_"), STATES_12)
def test_xliff12_existing_targets_are_kept_unless_named(ko, state, _):
    attr = f' state="{state}"' if state else ""
    data = f"""<xliff version="1.2" xmlns="{X12}"><file source-language="ko" datatype="x"
original="a"><body><trans-unit id="1"><source>{ko[16]}</source><target{attr}>Human.</target>
</trans-unit><trans-unit id="2"><source>{ko[17]}</source></trans-unit></body></file></xliff>"""
    parsed = read_bytes(data.encode(), "s.xlf")
    assert [u.where for u in parsed.units] == ["unit id=2"]  # a target with text is human work
    out = write(parsed, ["MT."], None)
    assert b">Human.</target>" in out
    named = parse_overwrite(state or "none")
    assert len(read_bytes(data.encode(), "s.xlf", overwrite=named).units) == 2
    if state not in ("signed-off", "final"):
        assert len(read_bytes(data.encode(), "s.xlf", overwrite=parse_overwrite("any")).units) == 2
    else:  # approvals are replaced only when named
        assert len(read_bytes(data.encode(), "s.xlf", overwrite=parse_overwrite("any")).units) == 1


SDL_CONF = ["Draft", "Translated", "ApprovedTranslation", "ApprovedSignOff", "RejectedTranslation"]


def sdlxliff(ko: list[str], conf: str, locked: bool = False) -> bytes:
    lock = ' locked="true"' if locked else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<xliff xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0" xmlns="{X12}" version="1.2"
 sdl:version="1.0"><file original="a.docx" datatype="x-sdlfilterframework2"
 source-language="ko-KR" target-language="en-US"><body>
<trans-unit id="t1"><source>{ko[18]} {ko[19]}</source>
<seg-source><mrk mtype="seg" mid="1">{ko[18]}</mrk> <mrk mtype="seg" mid="2">{ko[19]}</mrk></seg-source>
<target><mrk mtype="seg" mid="1">Human one.</mrk> <mrk mtype="seg" mid="2"></mrk></target>
<sdl:seg-defs><sdl:seg id="1" conf="{conf}"{lock}/><sdl:seg id="2" conf="Draft"/></sdl:seg-defs>
</trans-unit></body></file></xliff>""".encode()


@pytest.mark.parametrize("conf", SDL_CONF)
def test_sdlxliff_confirmed_segments_are_kept(ko, conf):
    parsed = read_bytes(sdlxliff(ko, conf), "t.sdlxliff")
    assert [u.where for u in parsed.units] == ["unit id=t1 segment 2"]
    out = write(parsed, ["MT two."], None)
    root = etree.fromstring(out)
    marks = root.findall(".//x:target/x:mrk", N12)
    assert [m.text for m in marks] == ["Human one.", "MT two."]
    segs = root.findall(".//{http://sdl.com/FileTypes/SdlXliff/1.0}seg")
    assert segs[0].get("conf") == conf and segs[0].get("origin") is None
    assert (segs[1].get("conf"), segs[1].get("origin")) == ("Draft", "mt")
    overwrite = parse_overwrite(conf.lower())
    assert len(read_bytes(sdlxliff(ko, conf), "t.sdlxliff", overwrite=overwrite).units) == 2
    if conf.startswith("Approved"):  # "any" never reaches an approval
        assert (
            len(
                read_bytes(sdlxliff(ko, conf), "t.sdlxliff", overwrite=parse_overwrite("any")).units
            )
            == 1
        )


def test_sdlxliff_locked_segment_needs_naming_locked(ko):
    data = sdlxliff(ko, "Translated", locked=True)
    assert (
        len(read_bytes(data, "t.sdlxliff", overwrite=parse_overwrite("translated,any")).units) == 1
    )
    assert len(read_bytes(data, "t.sdlxliff", overwrite=parse_overwrite("locked")).units) == 2


def test_memoq_status_and_lock(ko):
    data = f"""<xliff version="1.2" xmlns="{X12}" xmlns:mq="MQXliff"><file source-language="ko"
datatype="x" original="a"><body>
<trans-unit id="1" mq:status="ManuallyConfirmed"><source>{ko[20]}</source><target>Human.</target></trans-unit>
<trans-unit id="2" mq:locked="locked" mq:status="Pretranslated"><source>{ko[21]}</source><target>Locked.</target></trans-unit>
</body></file></xliff>""".encode()
    with pytest.raises(Exception, match="nothing to translate"):
        read_bytes(data, "m.mqxliff.xlf")
    assert len(read_bytes(data, "m.xlf", overwrite=parse_overwrite("any")).units) == 1
    parsed = read_bytes(data, "m.xlf", overwrite=parse_overwrite("manuallyconfirmed"))
    out = write(parsed, ["MT."], None)
    assert b'mq:status="Pretranslated"' in out and b">Locked.</target>" in out


NOT_KOREAN_TAIL = (
    r"Transdesk translates Korean \(force the source language to translate it anyway\)"
)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The president met reporters on Monday."),
        ("it", "Il presidente ha incontrato i giornalisti lunedì."),
        ("es", "El presidente se reunió con los periodistas el lunes."),
        ("hy", "Նախագահը երկուշաբթի հանդիպեց լրագրողների հետ։"),
    ],
)
def test_wrong_source_language_is_refused_in_one_line(lang, text):
    declared = f"""<xliff version="1.2" xmlns="{X12}"><file source-language="{lang}" datatype="x"
original="a"><body><trans-unit id="1"><source>{text}</source></trans-unit></body></file></xliff>"""
    error = f"^w\\.xlf: source language is '{lang}', not Korean \\(ko\\); {NOT_KOREAN_TAIL}$"
    with pytest.raises(NotKorean, match=error) as info:
        read_bytes(declared.encode(), "w.xlf")
    assert str(info.value).startswith(f"w.xlf: source language is '{lang}', not Korean (ko)")
    undeclared = declared.replace(f'source-language="{lang}"', 'source-language="ko"')
    error = (
        rf"^w\.xlf: source text is not Korean \(0% of its letters are Hangul\); {NOT_KOREAN_TAIL}$"
    )
    with pytest.raises(NotKorean, match=error) as info:
        read_bytes(undeclared.encode(), "w.xlf")
    assert str(info.value).startswith("w.xlf: source text is not Korean (0% of its letters")
    assert "\n" not in str(info.value)
    assert len(read_bytes(declared.encode(), "w.xlf", force_source_language=True).units) == 1
    error = (
        rf"^w\.txt: source text is not Korean \(0% of its letters are Hangul\); {NOT_KOREAN_TAIL}$"
    )
    with pytest.raises(NotKorean, match=error):
        read_bytes(f"{text}\n".encode(), "w.txt")


def test_namespace_uri_with_a_space_is_accepted(ko):
    # as in MateCat's own test files; expat, .NET and Java parsers accept it
    data = xliff12(ko).replace(b"<xliff ", b'<xliff xmlns:mtc="https://www.matecat.com x" ', 1)
    with pytest.raises(InputError, match="malformed XML"):  # errors of an earlier document...
        read_bytes(xliff12(ko).replace(b"</body>", b"</bdy>"), "broken.xlf")
    assert len(read_bytes(data, "m.xlf").units) == 9  # ...do not count against this one
    with pytest.raises(InputError, match="malformed XML"):
        read_bytes(data.replace(b"</body>", b"</bdy>"), "m.xlf")


def test_a_format_namespace_that_is_no_uri_is_refused(ko):
    # the targets would be made in it, and lxml makes no element in such a namespace
    data = xliff12(ko).replace(b"urn:oasis:names:tc:xliff:document:1.2", b"urn:oasis x", 1)
    with pytest.raises(InputError, match=r"m\.xlf: malformed XML at line .*not a valid URI"):
        read_bytes(data, "m.xlf")


def test_tmx_existing_english_is_kept(ko):
    data = f"""<tmx version="1.4"><header srclang="ko" datatype="x" segtype="sentence" o-tmf="x"
adminlang="en" creationtool="OmegaT" creationtoolversion="6"/><body>
<tu><tuv xml:lang="ko"><seg>{ko[22]}</seg></tuv><tuv xml:lang="en"><seg>Human.</seg></tuv></tu>
<tu><tuv xml:lang="ko"><seg>{ko[23]}<ph x="1">&lt;br/&gt;</ph>{ko[24]}</seg></tuv></tu>
</body></tmx>""".encode()
    parsed = read_bytes(data, "o.tmx")
    assert [u.where for u in parsed.units] == ["tu 2"]
    out = write(parsed, ["One two. Three four."], None)
    assert b"<seg>Human.</seg>" in out and out.count(b"<ph") == 2
    wrong = data.replace(b'srclang="ko"', b'srclang="en-US"')
    with pytest.raises(NotKorean, match="source language is 'en-US'"):
        read_bytes(wrong, "o.tmx")
