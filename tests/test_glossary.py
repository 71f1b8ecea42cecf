"""Glossaries: CSV/TSV/TBX import, term search with particles, QA findings, post-correction,
and `GlossaryEngine` on the tiny built model."""

from __future__ import annotations

import re

import pytest

from mt.errors import InputError, UnsupportedFormat
from mt.qa.checks import check_pair
from mt.qa.glossary import Glossary, GlossaryEngine, Term, load_glossary
from tests.conftest import shared_lines

CSV = """ko,en,avoid,note
네이버,Naver,Neighbor|Never,company
이해진,Lee Hae-jin,Lee Hae-jun,founder
엔비디아,Nvidia,,
재벌,chaebol,,
"""


@pytest.fixture
def glossary(tmp_path) -> Glossary:
    path = tmp_path / "terms.csv"
    path.write_text(CSV, encoding="utf-8")
    return load_glossary(path)


# --- loading --------------------------------------------------------------------------------


def test_load_csv(glossary):
    assert len(glossary) == 4
    naver = glossary["네이버"]
    assert naver == Term("네이버", ("Naver",), ("Neighbor", "Never"), True, "company")
    assert glossary["재벌"].case_sensitive is False  # lowercase English: any case
    assert glossary["엔비디아"].avoid == ()


def test_load_tsv_with_source_target_columns_and_cp949(tmp_path):
    path = tmp_path / "terms.tsv"
    text = "source\ttarget\tcase\n네이버\tNaver; NAVER\tinsensitive\n네이버\tNaver Corp.\t\n"
    path.write_bytes(text.encode("cp949"))  # as Korean Excel saves it
    g = load_glossary(path)
    assert g["네이버"].english == ("Naver", "NAVER", "Naver Corp.")
    assert g["네이버"].case_sensitive is False


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("g.csv", "korean_term,english_term\n네이버,Naver\n",
         "g.csv: no column 'ko' (or 'source') (columns: korean_term, english_term)"),
        ("g.csv", "ko,translation\n네이버,Naver\n",
         "g.csv: no column 'en' (or 'target') (columns: ko, translation)"),
        ("g.csv", "ko,en\n", "g.csv: no glossary entries after the header"),
        ("g.csv", "ko,en\n네이버,\n", "g.csv line 2: no English for '네이버'"),
        ("g.csv", "ko,en\n,Naver\n", "g.csv line 2: empty Korean term"),
        ("g.csv", "ko,en,case\n네이버,Naver,maybe\n",
         "g.csv line 2: case must be 'sensitive' or 'insensitive', not 'maybe'"),
    ],
)  # fmt: skip
def test_load_csv_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=f"^{re.escape(message)}$") as e:
        load_glossary(path)
    assert str(e.value) == message


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: glossary file not found"):
        load_glossary(tmp_path / "nope.csv")
    with pytest.raises(UnsupportedFormat, match=r"g\.docx: glossary must be \.csv, \.tsv or \.tbx"):
        load_glossary(tmp_path / "g.docx")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"ko,en\n" + "네이버".encode() + b"\xff\xfe,Naver\n")
    with pytest.raises(InputError, match=r"bad.csv: not valid UTF-8.*byte offset 15"):
        load_glossary(bad)


TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>newsroom terms</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="t1">
      <langSet xml:lang="ko"><tig><term>네이버</term></tig></langSet>
      <langSet xml:lang="en-US">
        <tig><term>Naver</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig><term>Neighbor</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
      </langSet>
      <langSet xml:lang="ja"><tig><term>ネイバー</term></tig></langSet>
    </termEntry>
    <termEntry id="t2">
      <langSet xml:lang="ko"><ntig><termGrp><term>이해진</term></termGrp></ntig></langSet>
      <langSet xml:lang="en"><ntig><termGrp><term>Lee Hae-jin</term></termGrp></ntig></langSet>
    </termEntry>
    <termEntry id="t3">
      <langSet xml:lang="ko"><tig><term>삼성</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>v3</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="ko"><termSec><term>엔비디아</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>Nvidia</term></termSec>
        <termSec><term>NVidia</term>
          <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_load_tbx_basic(tmp_path):
    path = tmp_path / "terms.tbx"
    path.write_text(TBX_BASIC, encoding="utf-8")
    g = load_glossary(path)
    assert sorted(t.korean for t in g) == ["네이버", "이해진"]  # 삼성 has no English
    assert g["네이버"].english == ("Naver",)
    assert g["네이버"].avoid == ("Neighbor",)
    assert g["이해진"].english == ("Lee Hae-jin",)


def test_load_tbx_v3(tmp_path):
    path = tmp_path / "terms.tbx"
    path.write_text(TBX_V3, encoding="utf-8")
    g = load_glossary(path)
    assert g["엔비디아"] == Term("엔비디아", ("Nvidia",), ("NVidia",), True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
         "<martif><text><body><termEntry><langSet xml:lang='ko'><tig><term>&x;</term></tig>"
         "</langSet></termEntry></body></text></martif>",
         "evil.tbx: XML with entity declarations is refused"),
        ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
         "<martif>&lol2;</martif>",
         "evil.tbx: XML with entity declarations is refused"),
        ("<martif><text><body></body></text></martif>",
         "evil.tbx: no Korean–English term pairs (langSet xml:lang 'ko' and 'en')"),
    ],
)  # fmt: skip
def test_load_tbx_refuses_entities_and_empty_files(tmp_path, content, message):
    path = tmp_path / "evil.tbx"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=f"^{re.escape(message)}$") as e:
        load_glossary(path)
    assert str(e.value) == message


def test_load_tbx_malformed(tmp_path):
    path = tmp_path / "broken.tbx"
    path.write_text("<martif><text>", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.tbx: malformed XML"):
        load_glossary(path)


# --- finding terms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("네이버는 밝혔다.", ["네이버"]),
        ("네이버의 이해진 창업자", ["네이버", "이해진"]),
        ("이해진이 네이버에서도 일했다.", ["이해진", "네이버"]),
        ("엔비디아와 네이버가 손잡았다.", ["엔비디아", "네이버"]),
        ("“네이버”라고 불렀다.", ["네이버"]),
        ("네이버(NAVER)는", ["네이버"]),
        ("재벌들은", ["재벌"]),
        ("네이버웹툰이 출시됐다.", []),  # another word, not 네이버 plus a particle
        ("새네이버", []),  # not at the start of a word
    ],
)
def test_find_terms_with_particles(glossary, source, found):
    matches = glossary.find_terms(source)
    assert [m.term for m in matches] == found
    for m in matches:
        assert source[m.start : m.end] == m.term
        assert m.english == glossary[m.term].preferred


def test_find_terms_prefers_the_longest_term():
    g = Glossary.from_dict({"네이버": "Naver", "네이버 웹툰": "Naver Webtoon"})
    matches = g.find_terms("네이버 웹툰은 네이버의 자회사다.")
    assert [(m.term, m.english) for m in matches] == [
        ("네이버 웹툰", "Naver Webtoon"),
        ("네이버", "Naver"),
    ]


# --- QA findings ----------------------------------------------------------------------------


def test_violations(glossary):
    source = "네이버의 이해진 창업자가 엔비디아와 재벌 문제를 논의했다."
    good = "Naver founder Lee Hae-jin discussed Nvidia and the Chaebol problem."
    assert glossary.violations(source, good) == []
    assert check_pair(source, good, glossary=glossary) == []
    bad = "Never founder Lee discussed NVIDIA and the chaebol problem."
    messages = [f.message for f in glossary.violations(source, bad)]
    assert messages == [
        "'Never' is a wrong rendering of '네이버'; use 'Naver'",
        "'이해진' should be translated as 'Lee Hae-jin'",
        "'엔비디아' should be translated as 'Nvidia'",  # case-sensitive: a name
    ]
    findings = check_pair(source, bad, glossary=glossary)
    assert {(f.check, f.severity) for f in findings} == {("glossary", "warning")}
    wrong = findings[0]
    assert bad[slice(*wrong.span)] == "Never"


def test_possessives_and_hyphenated_compounds_count():
    g = Glossary.from_dict({"트럼프": "Trump"})
    assert g.violations("트럼프의 발언", "Trump's remarks") == []
    assert g.violations("친 트럼프 시위", "a pro-Trump rally") == []
    assert g.violations("트럼프의 발언", "Trumpet remarks") != []


# --- post-correction ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "corrected"),
    [
        # A case variant of the required English.
        ("NVIDIA and NAVER announced a deal.", "Nvidia and Naver announced a deal."),
        # A known wrong rendering.
        ("Neighbor and Nvidia announced a deal.", "Naver and Nvidia announced a deal."),
        # The Korean term left untranslated, particles and all.
        ("네이버는 and 엔비디아와 announced a deal.", "Naver and Nvidia announced a deal."),
        # A close misspelling.
        ("Naver and Nvida's chips.", "Naver and Nvidia's chips."),
        # Nothing to fix safely: left as it is, nothing appended.
        ("Two firms announced a deal.", "Two firms announced a deal."),
        ("Naver and Nvidia announced a deal.", "Naver and Nvidia announced a deal."),
    ],
)
def test_post_correct(glossary, draft, corrected):
    source = "네이버와 엔비디아가 제휴를 발표했다."
    assert glossary.post_correct(source, draft) == corrected


def test_post_correct_touches_only_terms_of_this_source(glossary):
    draft = "NAVER fell and Neighbor rose."
    assert glossary.post_correct("주가가 움직였다.", draft) == draft
    assert glossary.post_correct("이해진 창업자", "Lee Hae-jun said.") == "Lee Hae-jin said."


def test_glossary_on_ntrex_references_planted_drops_are_caught():
    """Names from NTREX: every dropped term is reported; untouched references stay quiet."""
    ko, en = shared_lines("ntrex128", "ko"), shared_lines("ntrex128", "en")
    g = Glossary.from_dict({
        "캐버노": "Kavanaugh", "첼시": "Chelsea", "리버풀": "Liverpool", "팔루": "Palu",
        "페이스북": "Facebook", "구글": "Google", "스터리지": "Sturridge", "폼페이오": "Pompeo",
        "미켈슨": "Mickelson", "롬복": "Lombok", "닐슨": "Nielsen", "트럼프": "Trump",
    })  # fmt: skip
    with_terms = [(k, e) for k, e in zip(ko, en, strict=True) if g.find_terms(k)]
    quiet = [(k, e) for k, e in with_terms if not g.violations(k, e)]
    false_alarms = len(with_terms) - len(quiet)
    planted = caught = 0
    for k, e in quiet:
        term = g.find_terms(k)[0]
        dropped = re.sub(rf"\b{re.escape(term.english)}\b", "the man", e)
        planted += 1
        caught += any(f.check == "glossary" for f in check_pair(k, dropped, glossary=g))
    print(
        f"\nglossary: {len(with_terms)} NTREX lines with terms, {false_alarms} flagged untouched; "
        f"planted drops caught {caught}/{planted}"
    )
    assert planted >= 100
    assert caught == planted
    assert false_alarms / len(with_terms) < 0.1


# --- the engine wrapper ---------------------------------------------------------------------


@pytest.mark.slow
def test_glossary_engine_on_the_tiny_model(tiny_engine):
    engine = tiny_engine
    sources = ["네이버는 엔비디아와 협력한다고 밝혔다.", "그는 아무 말도 하지 않았다.", ""]
    base = engine.translate(sources)
    # The random model's first output word stands in for a model's wrong rendering of 네이버.
    wrong = re.findall(r"\w+", base[0].text)[0]
    g = Glossary([
        Term("네이버", ("Naver",), avoid=(wrong,)),
        Term("엔비디아", ("Nvidia",)),
    ])  # fmt: skip
    wrapped = GlossaryEngine(engine, g)
    drafts = wrapped.translate(sources)

    assert len(drafts) == len(sources)
    assert drafts[0].text == re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", "Naver", base[0].text)
    assert "Naver" in drafts[0].text
    assert drafts[0].score == base[0].score  # the model's own score, untouched
    # No glossary term, or a blank line: the draft is the model's own.
    assert [(d.text, d.score, d.origin) for d in drafts[1:]] == [
        (b.text, b.score, b.origin) for b in base[1:]
    ]
    # Nvidia could not be enforced safely: nothing is invented, QA reports it.
    assert "Nvidia" not in drafts[0].text
    messages = [f.message for f in g.violations(sources[0], drafts[0].text)]
    assert messages == ["'엔비디아' should be translated as 'Nvidia'"]
    # The wrapper keeps the engine's interface and records itself in the signature.
    assert wrapped.model_id == engine.model_id
    assert wrapped.is_test_model is True
    assert [h.text for h in wrapped.translate_iterable(iter(sources))] == [d.text for d in drafts]
    assert wrapped.signature()["glossary"] == "2 terms, post-correction"
