"""Korean segmentation: tricky sentences, exact rebuild, article layout, real NTREX lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mt.errors import TransdeskError
from mt.segment import Segmentation, join_translation, paragraphs, rebuild, segment
from tests.conftest import shared_lines

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
LINE_BREAK = re.compile(r"\r\n|\r|\n")
BLANK = re.compile(r"[\s\ufeff\u200b]*")


def sentences(text: str) -> list[str]:
    return [s.text for s in segment(text).segments]


def nonblank_lines(text: str) -> int:
    return sum(1 for line in LINE_BREAK.split(text) if not BLANK.fullmatch(line))


# Each case: source paragraph → the sentences expected. "kiwi:" notes what kiwipiepy 0.24 alone
# returns where `mt.segment` corrects it.
CASES = [
    pytest.param(
        "삼성전자 3분기 영업이익 10.5조…전년比 3.5% 증가",
        ["삼성전자 3분기 영업이익 10.5조…전년比 3.5% 증가"],
        id="headline-no-final-punctuation",
    ),
    pytest.param(
        "코스피가 2.35% 오른 2,650.12에 마감했다. 외국인은 1조2000억 원을 순매수했다.",
        ["코스피가 2.35% 오른 2,650.12에 마감했다.", "외국인은 1조2000억 원을 순매수했다."],
        id="decimals-and-amounts",
    ),
    pytest.param(
        "5월 22일 오전 9시 30분 현재 1달러는 1,365.5원이다. 영업이익은 10.5조 원이다.",
        ["5월 22일 오전 9시 30분 현재 1달러는 1,365.5원이다.", "영업이익은 10.5조 원이다."],
        id="dates-and-decimal-amounts",
    ),
    pytest.param(
        "2024. 5. 10.(금) 오후 3시 기준이다. 다음 회의는 2024. 6. 1. 열린다.",
        ["2024. 5. 10.(금) 오후 3시 기준이다.", "다음 회의는 2024. 6. 1. 열린다."],
        id="dotted-dates",
    ),
    pytest.param(
        "U.S. 연방준비제도(Fed)는 금리를 0.25%p 내렸다. Mr. Kim은 동의했다.",
        ["U.S. 연방준비제도(Fed)는 금리를 0.25%p 내렸다.", "Mr. Kim은 동의했다."],
        id="english-abbreviations",
    ),
    pytest.param(
        "Samsung Electronics Co.는 3.5% 올랐다고 밝혔다. 그러나 시장은 냉담했다.",
        ["Samsung Electronics Co.는 3.5% 올랐다고 밝혔다.", "그러나 시장은 냉담했다."],
        id="company-suffix",
    ),
    pytest.param(
        "오전 7시 반 U.N. 총회에서 Dr. Lee가 발표했다. 디오니시오 A. 린드가 연주했다.",
        ["오전 7시 반 U.N. 총회에서 Dr. Lee가 발표했다.", "디오니시오 A. 린드가 연주했다."],
        id="initials",
    ),
    pytest.param(
        '그는 "우리는 최선을 다했다. 결과는 하늘에 맡긴다"라고 말했다.',
        ['그는 "우리는 최선을 다했다. 결과는 하늘에 맡긴다"라고 말했다.'],
        id="quote-inside-sentence",
    ),
    pytest.param(
        "김 대표는 “올해 목표는 1조 원”이라며 “신제품 3종을 내겠다”고 말했다. 이어 떠났다.",
        ["김 대표는 “올해 목표는 1조 원”이라며 “신제품 3종을 내겠다”고 말했다.", "이어 떠났다."],
        id="two-quotes-one-sentence",
    ),
    pytest.param(
        # kiwi: ['한 관계자는 “계약은 … 않았습니다."', '라고 말했다.', …]
        '한 관계자는 “계약은 아직 끝나지 않았습니다."라고 말했다. 협상은 계속된다.',
        ['한 관계자는 “계약은 아직 끝나지 않았습니다."라고 말했다.', "협상은 계속된다."],
        id="quotative-split-off",
    ),
    pytest.param(
        # kiwi: ['당신은 “나는 아니야.', '나는 아프지 않을거야!"', '라고 생각할지도 모른다.']
        '당신은 “나는 아니야. 나는 아프지 않을거야!"라고 생각할지도 모른다.',
        ['당신은 “나는 아니야. 나는 아프지 않을거야!"라고 생각할지도 모른다.'],
        id="quotation-opened-mid-sentence",
    ),
    pytest.param(
        # kiwi: ['노동자들은 격앙됐다. "혁명의 환상에 휩쓸리는 중"', '이라고 장관은 경고했다.']
        '노동자들은 격앙됐다. "혁명의 환상에 휩쓸리는 중"이라고 장관은 경고했다.',
        ["노동자들은 격앙됐다.", '"혁명의 환상에 휩쓸리는 중"이라고 장관은 경고했다.'],
        id="quotation-starts-sentence",
    ),
    pytest.param(
        # kiwi: ['임금 상승은 희소식이다. "…때문"', '이다.']
        '임금 상승은 희소식이다. "소비자의 주머니가 두둑해지기 때문"이다.',
        ["임금 상승은 희소식이다.", '"소비자의 주머니가 두둑해지기 때문"이다.'],
        id="quotation-then-copula",
    ),
    pytest.param(
        # kiwi: ['공연은 끝났다. ‘지정생존자’', '는 대통령이 되는 장관의 이야기다.']
        "공연은 끝났다. ‘지정생존자’는 대통령이 되는 장관의 이야기다.",
        ["공연은 끝났다.", "‘지정생존자’는 대통령이 되는 장관의 이야기다."],
        id="quoted-title-then-particle",
    ),
    pytest.param(
        # kiwi: one sentence
        "정부는 금리를 동결했다. “물가가 아직 불안하다”고 총재는 말했다.",
        ["정부는 금리를 동결했다.", "“물가가 아직 불안하다”고 총재는 말했다."],
        id="sentence-merged-with-next-quotation",
    ),
    pytest.param(
        # kiwi: …, '"접근하는 … 있습니다.”', '라고 그가 말했습니다.', … (mismatched quotes)
        '시장은 멀다. "접근 문제는 이용되고 있습니다.”라고 그가 말했습니다. 그녀는 반박했다.',
        [
            "시장은 멀다.",
            '"접근 문제는 이용되고 있습니다.”라고 그가 말했습니다.',
            "그녀는 반박했다.",
        ],
        id="mismatched-quotes",
    ),
    pytest.param(
        # kiwi: ['“나무가 없어요.', '그 여자가 … 낚아챘거든."', '하고 대답했다.']
        '“나무가 없어요. 그 여자가 달려가서 우리가 골랐던 나무를 낚아챘거든." 하고 대답했다.',
        ["“나무가 없어요.", '그 여자가 달려가서 우리가 골랐던 나무를 낚아챘거든." 하고 대답했다.'],
        id="quotative-hago",
    ),
    pytest.param(
        '아이들은 “넌 정말 잘생겼어!" 또는 “넌 정말 예쁘구나!"와 같은 말을 듣는다.',
        ['아이들은 “넌 정말 잘생겼어!" 또는 “넌 정말 예쁘구나!"와 같은 말을 듣는다.'],
        id="quoted-exclamations-inside-sentence",
    ),
    pytest.param(
        "정말 힘드시겠어요. :( 내일은 괜찮을 거예요. ㅋㅋㅋ",
        ["정말 힘드시겠어요. :(", "내일은 괜찮을 거예요. ㅋㅋㅋ"],
        id="emoticons-stay-attached",
    ),
    pytest.param(
        # kiwi: ['그가 말했다.“', '우리는 이긴다.”', '그리고 떠났다.']
        "그가 말했다.“우리는 이긴다.” 그리고 떠났다.",
        ["그가 말했다.", "“우리는 이긴다.”", "그리고 떠났다."],
        id="opening-quote-left-behind",
    ),
    pytest.param(
        # kiwi: ['… 쓰다듬었다. "', '고마워, 꼬마야.', …] on the original WMT24++ line
        '그는 아이의 머리를 쓰다듬었다. "고마워, 꼬마야. 너를 보니 좋다."',
        ["그는 아이의 머리를 쓰다듬었다.", '"고마워, 꼬마야.', '너를 보니 좋다."'],
        id="straight-opening-quote",
    ),
    pytest.param(
        # kiwi: ['"우리는 잘하고 있습니다."', '그가 말했다.']
        '"우리는 잘하고 있습니다."그가 말했다.',
        ['"우리는 잘하고 있습니다."그가 말했다.'],
        id="closing-quote-glued-to-word",
    ),
    pytest.param(
        "“정말요?” “네, 맞아요.” 그녀가 웃었다.",
        ["“정말요?”", "“네, 맞아요.”", "그녀가 웃었다."],
        id="separate-quoted-sentences",
    ),
    pytest.param(
        '"오늘은 날씨가 좋다." 그가 말했다.',
        ['"오늘은 날씨가 좋다."', "그가 말했다."],
        id="quote-then-attribution",
    ),
    pytest.param(
        # kiwi: ['화이트 래', '더 핸들로 장식된 가방이 눈에 띄었다.']
        "화이트 래더 핸들로 장식된 가방이 눈에 띄었다.",
        ["화이트 래더 핸들로 장식된 가방이 눈에 띄었다."],
        id="cut-inside-word",
    ),
    pytest.param(
        # kiwi: ['그런데 이것은...', '정말 놀라운 결과다.']
        "그런데 이것은... 정말 놀라운 결과다.",
        ["그런데 이것은... 정말 놀라운 결과다."],
        id="ellipsis-mid-sentence",
    ),
    pytest.param(
        "매출은 1조 원이다... 그러나 이익은 줄었다. 그런데…그는 떠났다.",
        ["매출은 1조 원이다...", "그러나 이익은 줄었다.", "그런데…그는 떠났다."],
        id="ellipsis-after-sentence",
    ),
    pytest.param(
        # kiwi: ['트럼프 "관세 25% 부과하겠다"…', '한국 수출 비상']
        '트럼프 "관세 25% 부과하겠다"…한국 수출 비상',
        ['트럼프 "관세 25% 부과하겠다"…한국 수출 비상'],
        id="headline-quote-and-ellipsis",
    ),
    pytest.param(
        # kiwi: ['… 있어요(', '복도도 늦어지네요).', '끝났다.']
        "오늘 진행이 늦어지고 있어요(복도도 늦어지네요). 끝났다.",
        ["오늘 진행이 늦어지고 있어요(복도도 늦어지네요).", "끝났다."],
        id="bracket-left-behind",
    ),
    pytest.param(
        "매출은 약 3.5조 원(약 26억 달러)에 달한다(작년 기준). 순이익은 [표 참조] 줄었다.",
        ["매출은 약 3.5조 원(약 26억 달러)에 달한다(작년 기준).", "순이익은 [표 참조] 줄었다."],
        id="brackets",
    ),
    pytest.param(
        "(서울=연합뉴스) 김철수 기자 = 한국은행은 22일 기준금리를 연 3.5%로 동결했다.",
        ["(서울=연합뉴스) 김철수 기자 =", "한국은행은 22일 기준금리를 연 3.5%로 동결했다."],
        id="byline",
    ),
    pytest.param(
        "(서울=연합뉴스) 김철수 이영희 기자 = 정부는 발표했다. 시장은 반겼다.",
        ["(서울=연합뉴스) 김철수 이영희 기자 =", "정부는 발표했다.", "시장은 반겼다."],
        id="byline-two-reporters",
    ),
    pytest.param(
        "(사진=연합뉴스) 이재용 회장이 10일 출근하고 있다.",
        ["(사진=연합뉴스) 이재용 회장이 10일 출근하고 있다."],
        id="photo-credit-is-not-a-byline",
    ),
    pytest.param(
        "김철수 기자 kimcs@yna.co.kr",
        ["김철수 기자 kimcs@yna.co.kr"],
        id="email-line",
    ),
    pytest.param(
        "정부는 ▲일자리 창출 ▲물가 안정 ▲수출 확대를 목표로 제시했다.",
        ["정부는 ▲일자리 창출 ▲물가 안정 ▲수출 확대를 목표로 제시했다."],
        id="inline-bullets",
    ),
    pytest.param(
        "정부가 밝힌 과제는 다음과 같다.\n· 일자리 창출\n- 물가 안정\n"
        "• 수출 확대\n▲ 규제 완화\n■ 세제 지원",
        [
            "정부가 밝힌 과제는 다음과 같다.",
            "· 일자리 창출",
            "- 물가 안정",
            "• 수출 확대",
            "▲ 규제 완화",
            "■ 세제 지원",
        ],
        id="bullet-lines",
    ),
    pytest.param(
        "1. 첫 번째 항목은 금리다. 2. 두 번째는 물가다.",
        ["1. 첫 번째 항목은 금리다.", "2. 두 번째는 물가다."],
        id="numbered-items",
    ),
    pytest.param(
        '그녀는 "정말?"이라고 물었다. 그는 "응!"이라고 답했다.',
        ['그녀는 "정말?"이라고 물었다.', '그는 "응!"이라고 답했다.'],
        id="quoted-question-and-exclamation",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentences(text: str, expected: list[str]) -> None:
    seg = segment(text)
    assert [s.text for s in seg.segments] == expected
    assert rebuild(seg) == text


def test_bullet_lines_are_paragraphs() -> None:
    text = "과제는 다음과 같다.\n· 일자리\n- 물가\n\n■ 세제"
    seg = segment(text)
    assert [s.paragraph for s in seg.segments] == [0, 1, 2, 3]
    assert join_translation(seg, ["Tasks:", "· jobs", "- prices", "■ tax"]) == (
        "Tasks:\n· jobs\n- prices\n\n■ tax"
    )


def test_layout_is_kept_in_before_and_trailing() -> None:
    text = "\ufeff제목\r\n\r\n  첫 문장이다.  둘째 문장이다.\r셋째 줄\n\n\n넷째\n  "
    seg = segment(text)
    assert [(s.text, s.paragraph, s.before) for s in seg.segments] == [
        ("제목", 0, "\ufeff"),
        ("첫 문장이다.", 1, "\r\n\r\n  "),
        ("둘째 문장이다.", 1, "  "),
        ("셋째 줄", 2, "\r"),
        ("넷째", 3, "\n\n\n"),
    ]
    assert seg.trailing == "\n  "
    assert rebuild(seg) == text


def test_rebuild_substitutes_texts_keeping_separators() -> None:
    seg = segment("제목\n\n첫 문장이다.  둘째 문장이다.\r\n")
    assert rebuild(seg, ["Title", "One.", "Two."]) == "Title\n\nOne.  Two.\r\n"
    with pytest.raises(ValueError, match="2 texts for 3 segments"):
        rebuild(seg, ["Title", "One."])


def test_join_translation_layout() -> None:
    text = "\n  제목\n\n첫 문장이다. 둘째 문장이다.\n목록 하나\r\n \r\n\r\n마지막 줄\n\n"
    seg = segment(text)
    english = [" Title ", "First.", "Second.", "Item one", "Last line"]
    assert join_translation(seg, english) == "Title\n\nFirst. Second.\nItem one\n\nLast line\n"
    with pytest.raises(ValueError, match="4 texts for 5 segments"):
        join_translation(seg, english[:4])


def test_join_translation_without_final_newline_and_empty_sentences() -> None:
    seg = segment("첫 문장이다. 둘째 문장이다. 셋째 문장이다.")
    assert join_translation(seg, ["One.", "", "Three."]) == "One. Three."


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \r\n\t\r "])
def test_blank_text_has_no_segment(text: str) -> None:
    seg = segment(text)
    assert seg == Segmentation([], text)
    assert rebuild(seg) == text
    assert join_translation(seg, []) == ""
    assert paragraphs(seg) == []


def test_line_mode_keeps_each_line_whole() -> None:
    text = "제목\n\n  첫 문장이다. 둘째 문장이다.  \r\n셋째 줄"
    seg = segment(text, mode="line")
    assert [(s.text, s.paragraph) for s in seg.segments] == [
        ("제목", 0),
        ("첫 문장이다. 둘째 문장이다.", 1),
        ("셋째 줄", 2),
    ]
    assert rebuild(seg) == text


def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(TransdeskError, match=r"unknown segmentation mode 'word' \(choose from"):
        segment("문장이다.", mode="word")


def test_paragraphs_groups_segments() -> None:
    seg = segment("제목\n\n첫 문장이다. 둘째 문장이다.\n마지막")
    assert [[s.text for s in p] for p in paragraphs(seg)] == [
        ["제목"],
        ["첫 문장이다.", "둘째 문장이다."],
        ["마지막"],
    ]


def test_importing_does_not_load_kiwi() -> None:
    code = "import sys, mt.segment; assert 'kiwipiepy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=SAMPLES.parent)


# Property tests: any text at all comes back exactly.

KOREAN_BITS = [
    "다. ",
    "했다.",
    '"라고 ',
    "“",
    "”",
    "‘",
    "’",
    "'",
    '"',
    "...",
    "…",
    "(",
    ")",
    "[",
    "]",
    "3.5%",
    "1조2000억 원",
    "U.S. ",
    "Mr. Kim",
    "▲",
    "· ",
    "- ",
    "•",
    "■",
    "?",
    "!",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\t",
    "\u3000",
    "\xa0",
    "\u200b",
    "\ufeff",
    "😀",
    "👍🏽",
    "(서울=연합뉴스) 김철수 기자 = ",
    "이라고",
    "은",
    "는",
    "김지은",
    "abc",
    "10.5",
    "e-mail@x.kr",
]
texts = st.one_of(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
            st.sampled_from(list(" \n\r\t.,!?\"'“”‘’()[]…·-•▲■=@0123456789abcXYZ\u3000\xa0")),
            st.characters(codec="utf-8"),
        ),
        max_size=120,
    ),
    st.lists(st.sampled_from(KOREAN_BITS), max_size=40).map("".join),
)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(text=texts, mode=st.sampled_from(["sentence", "line"]))
def test_rebuild_is_exact(text: str, mode: str) -> None:
    seg = segment(text, mode=mode)
    assert rebuild(seg) == text
    for s in seg.segments:
        assert s.text and not BLANK.fullmatch(s.text[0]) and not BLANK.fullmatch(s.text[-1])
        assert "\n" not in s.text and "\r" not in s.text
        assert BLANK.fullmatch(s.before)
    assert BLANK.fullmatch(seg.trailing)
    numbers = [s.paragraph for s in seg.segments]
    assert numbers == sorted(numbers)
    assert sorted(set(numbers)) == list(range(nonblank_lines(text)))


@PROPERTY
@given(text=texts)
def test_join_translation_keeps_paragraphs(text: str) -> None:
    seg = segment(text)
    english = [f"s{i}." for i in range(len(seg.segments))]
    joined = join_translation(seg, english)
    assert [line for line in joined.split("\n") if line] == [
        " ".join(f"s{i}." for i in range(len(seg.segments)) if seg.segments[i].paragraph == p)
        for p in range(nonblank_lines(text))
    ]
    assert joined.endswith("\n") == bool(seg.segments and LINE_BREAK.search(seg.trailing))


# Real data.


def test_ntrex_lines_rebuild_and_split_plausibly() -> None:
    ko = shared_lines("ntrex128", "ko")
    en = shared_lines("ntrex128", "en")
    total = 0
    for line in ko:
        seg = segment(line)
        assert rebuild(seg) == line
        assert seg.segments, line
        # No sentence starts with the quotative that belongs to the previous quotation, and no
        # sentence ends with the opening quote of the next one.
        for s in seg.segments:
            assert not re.match(r"(라고|이라고|라며|라는)\s", s.text), line
            assert s.text[-1] not in "“‘(", line
        total += len(seg.segments)
    # The English side was written first; Korean translators rarely merge or split sentences, so
    # the counts should be close (a rough count of English sentence ends).
    ends = re.compile(r"[.!?][\"”')]*(?:\s|$)")
    english = sum(max(1, len(ends.findall(e))) for e in en)
    assert 0.9 * english <= total <= 1.2 * english


def test_ntrex_as_one_article() -> None:
    ko = shared_lines("ntrex128", "ko", limit=400)
    text = "\n\n".join(ko) + "\n"
    seg = segment(text)
    assert rebuild(seg) == text
    assert len(paragraphs(seg)) == len(ko)
    joined = join_translation(seg, [s.text for s in seg.segments])
    assert joined.count("\n\n") == len(ko) - 1 and joined.endswith("\n")


@pytest.mark.parametrize("name", ["economy", "tech", "culture"])
def test_sample_articles(name: str) -> None:
    text = (SAMPLES / f"{name}.txt").read_bytes().decode("utf-8")
    seg = segment(text)
    assert rebuild(seg) == text
    paras = paragraphs(seg)
    headline = paras[0]
    assert len(headline) == 1 and headline[0].text[-1] not in ".!?"
    assert re.fullmatch(r"\(\w+=트랜스데스크\) \w+ 기자 =", paras[1][0].text)
    blank_separated = [p[0] for p in paras[1:] if p[0].before.count("\n") >= 2]
    assert 4 <= len(blank_separated) <= 8
    assert 150 <= len(text.split()) <= 300
    assert re.search(r"\d+월 \d+일", text) and ('"' in text or "“" in text)


def test_one_sample_has_a_bullet_list() -> None:
    bullets = [
        s.text
        for name in ("economy", "tech", "culture")
        for s in segment((SAMPLES / f"{name}.txt").read_text(encoding="utf-8")).segments
        if s.text[0] in "·-•▲■" and s.before == "\n"
    ]
    assert len(bullets) >= 2
