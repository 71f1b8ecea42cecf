"""QA checks: Korean/English number reading, each check on its own, planted errors in real
NTREX-128 references, and the false-alarm rate on the untouched references."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from mt.qa.checks import (
    CHECKS,
    check_pair,
    count_english_sentences,
    count_korean_sentences,
)
from mt.qa.findings import Finding
from mt.qa.numbers import compare, extract_english, extract_korean, parse_korean_number
from tests.conftest import shared_lines

# --- reading numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3조", 3 * 10**12),
        ("1만2000", 12_000),
        ("1만 2000", 12_000),
        ("1조2000억", 12 * 10**11),
        ("1조 2000억", 12 * 10**11),
        ("12억3000만", 1_230_000_000),
        ("1억 2500만", 125_000_000),
        ("3천5백만", 35_000_000),
        ("38만", 380_000),
        ("2.5억", 250_000_000),
        ("12,000", 12_000),
        ("3.5", Decimal("3.5")),
    ],
)
def test_parse_korean_number(text, value):
    assert parse_korean_number(text) == Decimal(value)


def test_parse_korean_number_refuses_other_text():
    with pytest.raises(ValueError, match="not a Korean number"):
        parse_korean_number("3조 원")


def _values(quantities):
    return [(q.kind, q.value) for q in quantities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("매출이 3조 원을 넘었다", [("number", 3 * 10**12)]),
        ("1만2000명이 모였다", [("number", 12_000)]),
        ("5월 22일에 열린다", [("month", 5), ("number", 22)]),
        ("2024년 3.5% 올랐다", [("number", 2024), ("percent", Decimal("3.5"))]),
        ("10퍼센트가 넘는다", [("percent", 10)]),
        ("헌법 제3조에 따르면", [("number", 3)]),  # an article number, not 3 trillion
        ("3조각으로 나뉘었다", [("number", 3)]),  # pieces, not trillion
        ("오전 7시 55분", [("number", 7), ("number", 55)]),
        ("3개월 동안", [("number", 3)]),  # months of duration are not a month name
        ("월요일에", []),
    ],
)
def test_extract_korean(text, expected):
    assert _values(extract_korean(text)) == [(k, Decimal(v)) for k, v in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sales topped 3 trillion won", [("number", 3 * 10**12)]),
        ("about 1.2 billion dollars", [("number", 1_200_000_000)]),
        ("12,000 people", [("number", 12_000)]),
        ("a £2.8bn market", [("number", 2_800_000_000)]),
        ("sold for £125m", [("number", 125_000_000)]),
        ("up 3.5%", [("percent", Decimal("3.5"))]),
        ("a 40 per cent stake", [("percent", 40)]),
        ("on May 22, 2018", [("month", 5), ("number", 22), ("number", 2018)]),
        ("you may go", []),
        ("the 2nd round in the 1930s", [("number", 2), ("number", 1930)]),
        ("found at 7.55am", [("number", 7), ("number", 55)]),
        ("per 247sports", [("number", 247)]),
    ],
)
def test_extract_english(text, expected):
    assert _values(extract_english(text)) == [(k, Decimal(v)) for k, v in expected]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("five", 5),
        ("twenty-five", 25),
        ("three million", 3_000_000),
        ("two decades", 20),
        ("a third", 3),
        ("half", Decimal("0.5")),
        ("Louis XIV", 14),
        ("teenagers", 10),
    ],
)
def test_extract_english_words_only_when_loose(text, value):
    assert Decimal(value) not in [q.value for q in extract_english(text)]
    assert Decimal(value) in [q.value for q in extract_english(text, loose=True)]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("매출이 3조 원을 넘었다.", "Sales topped 3 trillion won."),
        ("1만2000명이 참석했다.", "12,000 people attended."),
        ("행사는 5월 22일에 열린다.", "The event is on May 22."),
        ("시장 규모는 1조2000억 원이다.", "The market is worth 1.2 trillion won."),
        ("물가가 3.5% 올랐다.", "Prices rose 3.5 percent."),
        ("지지율이 10%p 떨어졌다.", "Support fell 10 percentage points."),
        ("3개월 만에 돌아왔다.", "He came back after three months."),
        ("세 명이 다쳤다.", "Three people were hurt."),
        ("열 다섯 마리를 팔았다.", "He sold 15 pigs."),
        ("인구는 38만 명이다.", "It has 380,000 people."),
        ("1년 동안 일했다.", "He worked for a year."),
        ("20년 동안 사고는 없었다.", "There were no crashes in two decades."),
        # Rounding in the target is accepted: 12억3000만 → 1.2 billion.
        ("12억3000만 달러를 벌었다.", "It earned $1.2 billion."),
        ("오후 3시에 시작한다.", "It starts at 15:00."),
    ],
)
def test_compare_accepts_equivalent_numbers(source, target):
    assert not compare(source, target), compare(source, target)


@pytest.mark.parametrize(
    ("source", "target", "missing", "extra"),
    [
        ("832명이 숨졌다.", "833 people died.", [832], [833]),
        ("매출이 3조 원을 넘었다.", "Sales topped 3 billion won.", [3 * 10**12], [3 * 10**9]),
        ("28억 파운드 규모", "a £2.8 trillion market", [28 * 10**8], [28 * 10**11]),
        ("6월에 발표했다.", "It was announced in May.", [6], [5]),
        ("12억3000만 달러", "$1.3 billion", [1_230_000_000], [1_300_000_000]),
        ("3.5% 올랐다.", "rose 4.5 percent", [Decimal("3.5")], [Decimal("4.5")]),
        ("2명이 체포됐다.", "Two people and 3 dogs were held.", [], [3]),
    ],
)
def test_compare_reports_disagreeing_numbers(source, target, missing, extra):
    diff = compare(source, target)
    assert [q.value for q in diff.missing] == [Decimal(v) for v in missing]
    assert [q.value for q in diff.extra] == [Decimal(v) for v in extra]


# --- each check -----------------------------------------------------------------------------


def _checks(findings: list[Finding]) -> list[str]:
    return [f.check for f in findings]


def test_number_findings_say_which_number_and_where():
    findings = check_pair("매출은 3조 원이다.", "Sales were 3 billion won.", checks=["numbers"])
    assert [f.message for f in findings] == [
        "3조 (= 3,000,000,000,000) in the source is missing from the target",
        "3 billion (= 3,000,000,000) in the target is not in the source",
    ]
    assert all(f.severity == "error" for f in findings)
    extra = findings[1]
    assert "Sales were 3 billion won."[slice(*extra.span)] == "3 billion"


def test_hangul_left_in_english():
    target = "Naver said 이해진 would attend."
    findings = check_pair("네이버는 이해진이 참석한다고 밝혔다.", target, checks=["hangul"])
    assert [(f.check, f.severity) for f in findings] == [("hangul", "error")]
    assert target[slice(*findings[0].span)] == "이해진"


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ('He said "we will win.', "unbalanced double quotes"),
        ("He said “we will win.", "unbalanced double quotes"),
        ("He called it 'a disaster.", "an opening single quote is not closed"),
    ],
)
def test_unbalanced_quotes(target, problem):
    source = "그는 “우리가 이길 것”이라고 말했다."
    assert [f.message for f in check_pair(source, target, checks=["quotes"])] == [problem]


def test_quotes_quiet_on_apostrophes_and_when_source_is_unbalanced():
    source = "그는 “우리가 이길 것”이라고 말했다."
    assert check_pair(source, "The players' union said it's 'fine'.", checks=["quotes"]) == []
    # A quotation that runs on to the next line is open on both sides: not the translator's.
    assert check_pair("그는 “우리가 이길 것이다.", 'He said "we will win.', checks=["quotes"]) == []


def test_unbalanced_brackets():
    source = "엔비디아(Nvidia)가 발표했다."
    findings = check_pair(source, "Nvidia (NVDA announced.", checks=["brackets"])
    assert [f.message for f in findings] == ["unbalanced bracket '('"]
    assert check_pair(source, "Nvidia (NVDA) announced.", checks=["brackets"]) == []
    assert check_pair(source, "Nvidia (NVDA] announced.", checks=["brackets"]) != []


def test_spaces():
    target = " Naver  announced it. "
    findings = check_pair("네이버가 발표했다.", target, checks=["spaces"])
    assert sorted(f.message for f in findings) == [
        "doubled space",
        "leading whitespace",
        "trailing whitespace",
    ]
    doubled = next(f for f in findings if f.message == "doubled space")
    assert target[slice(*doubled.span)] == "  "
    assert check_pair("네이버가 발표했다.", "Naver announced it.", checks=["spaces"]) == []


def test_sentence_counts():
    assert count_english_sentences("Mr. Kim arrived at 7 a.m. on Oct. 3. He left.") == 2
    assert count_english_sentences('The U.S. said "no." Then it agreed.') == 2
    assert count_korean_sentences("그는 도착했다. 그리고 떠났다. 아무도 몰랐다.") == 3


def test_sentences_missing_and_added():
    source = (
        "정부는 올해 예산을 크게 늘리겠다고 발표했다. 야당은 이 계획에 강하게 반대했다. "
        "전문가들은 재정 적자가 커질 것이라고 경고했다."
    )
    full = (
        "The government announced it would sharply increase this year's budget. "
        "The opposition strongly objected to the plan. "
        "Experts warned that the fiscal deficit would grow."
    )
    assert check_pair(source, full, checks=["sentences"]) == []
    dropped = "The government announced it would sharply increase this year's budget."
    assert [f.message.split(":")[0] for f in check_pair(source, dropped)] == [
        "a sentence may be missing"
    ]
    one = "정부는 올해 예산을 크게 늘리겠다고 발표했다."
    assert _checks(check_pair(one, full, checks=["sentences"])) == ["sentences"]
    assert _checks(check_pair(one, "", checks=["sentences"])) == ["sentences"]


def test_check_pair_selects_checks_and_refuses_unknown_names():
    source, target = "832명이 숨졌다.", "833 people  died."
    assert set(_checks(check_pair(source, target))) == {"numbers", "spaces"}
    assert _checks(check_pair(source, target, checks=["spaces"])) == ["spaces"]
    with pytest.raises(ValueError, match="unknown check 'typos'"):
        check_pair(source, target, checks=["typos"])
    assert set(CHECKS) == {
        "numbers", "hangul", "sentences", "quotes", "brackets", "spaces", "glossary",
    }  # fmt: skip


def test_check_pair_quiet_on_a_good_translation():
    source = "삼성전자는 2분기 영업이익이 10조4000억 원으로 작년보다 25% 늘었다고 7월 5일 밝혔다."
    target = (
        "Samsung Electronics said on July 5 that its second-quarter operating profit rose "
        "25% from a year earlier to 10.4 trillion won."
    )
    assert check_pair(source, target) == []


# --- real references: false alarms and planted errors ---------------------------------------


@pytest.fixture(scope="module")
def ntrex() -> list[tuple[str, str]]:
    return list(zip(shared_lines("ntrex128", "ko"), shared_lines("ntrex128", "en"), strict=True))


@pytest.fixture(scope="module")
def reference_findings(ntrex) -> list[list[Finding]]:
    return [check_pair(ko, en) for ko, en in ntrex]


def test_false_alarm_rate_on_ntrex_references_is_under_5_percent(ntrex, reference_findings):
    flagged = sum(1 for findings in reference_findings if findings)
    rate = flagged / len(ntrex)
    per_check = {
        name: sum(1 for fs in reference_findings if any(f.check == name for f in fs))
        for name in CHECKS
    }
    print(f"\nNTREX references with any finding: {flagged}/{len(ntrex)} = {rate:.1%}; {per_check}")
    assert len(ntrex) == 1997
    assert rate < 0.05
    # Human English references never contain Hangul or doubled spaces.
    assert per_check["hangul"] == 0
    assert per_check["spaces"] == 0


_DIGITS = re.compile(r"\d+")


def _digit_runs(text: str) -> set[str]:
    return set(_DIGITS.findall(text.replace(",", "")))


def _plant_number(source: str, target: str) -> str | None:
    """The target with the leading digit of its first number changed to one the source lacks."""
    m = _DIGITS.search(target)
    if not m:
        return None
    digits = m.group(0)
    for shift in (5, 3, 7):
        new = str((int(digits[0]) + shift) % 10 or 1) + digits[1:]
        if new != digits and new not in _digit_runs(source):
            return target[: m.start()] + new + target[m.end() :]
    return None


def test_every_planted_number_change_is_caught(ntrex, reference_findings):
    planted = caught = 0
    for (ko, en), findings in zip(ntrex, reference_findings, strict=True):
        if any(f.check == "numbers" for f in findings):
            continue  # the reference already disagrees; a planted error would prove nothing
        wrong = _plant_number(ko, en)
        if wrong is None:
            continue
        planted += 1
        if any(f.check == "numbers" for f in check_pair(ko, wrong, checks=["numbers"])):
            caught += 1
    print(f"\nplanted number changes caught: {caught}/{planted}")
    assert planted > 300
    assert caught == planted


_SCALE_SWAP = {"thousand": "million", "million": "billion", "billion": "trillion",
               "trillion": "billion", "bn": "tn", "m": "bn"}  # fmt: skip
_SCALE = re.compile(r"(?<=\d)\s?(thousand|million|billion|trillion|bn|m)\b")


def test_every_planted_unit_change_is_caught(ntrex, reference_findings):
    planted = caught = 0
    for (ko, en), findings in zip(ntrex, reference_findings, strict=True):
        m = _SCALE.search(en)
        if m is None or any(f.check == "numbers" for f in findings):
            continue
        wrong = en[: m.start(1)] + _SCALE_SWAP[m.group(1)] + en[m.end(1) :]
        planted += 1
        if check_pair(ko, wrong, checks=["numbers"]):
            caught += 1
    print(f"\nplanted unit changes (억→조 as billion→trillion, …) caught: {caught}/{planted}")
    assert planted >= 20
    assert caught == planted


def test_planted_hangul_quotes_brackets_and_spaces_are_caught(ntrex, reference_findings):
    results: dict[str, list[bool]] = {"hangul": [], "quotes": [], "brackets": [], "spaces": []}
    for (ko, en), findings in zip(ntrex, reference_findings, strict=True):
        if findings:
            continue
        korean_word = next((w for w in ko.split() if re.search("[가-힣]", w)), "기사")
        plants = {"hangul": re.sub(r"\w+", lambda _m, w=korean_word: w, en, count=1)}
        if " " in en:
            plants["spaces"] = en.replace(" ", "  ", 1)
        # Documented rule: quotes are judged only where the source's own are balanced.
        source_balanced = sum(ko.count(q) for q in '"“”') % 2 == 0 and (
            '"' in ko or ko.count("“") == ko.count("”")
        )
        if en.count('"') >= 2 and source_balanced:
            i = en.rfind('"')
            plants["quotes"] = en[:i] + en[i + 1 :]
        if ")" in en:
            plants["brackets"] = en.replace(")", "", 1)
        for check, wrong in plants.items():
            results[check].append(bool(check_pair(ko, wrong, checks=[check])))
    rates = {check: f"{sum(r)}/{len(r)}" for check, r in results.items()}
    print(f"\nplanted errors caught: {rates}")
    for check, r in results.items():
        assert len(r) >= 20, check
        assert all(r), check


def test_planted_missing_and_added_sentences(ntrex):
    docs = shared_lines("ntrex128", "docids")
    starts = [i for i in range(0, len(ntrex) - 2, 5) if docs[i] == docs[i + 2]]
    ko = [k for k, _ in ntrex]
    en = [e for _, e in ntrex]
    cases = {
        "two of three sentences dropped": [(" ".join(ko[i : i + 3]), en[i]) for i in starts],
        "two sentences added": [(ko[i], " ".join(en[i : i + 3])) for i in starts],
        "untouched three-sentence passages": [
            (" ".join(ko[i : i + 3]), " ".join(en[i : i + 3])) for i in starts
        ],
    }
    rates = {
        name: sum(1 for s, t in pairs if check_pair(s, t, checks=["sentences"])) / len(pairs)
        for name, pairs in cases.items()
    }
    print(f"\nsentence check over {len(starts)} passages: {rates}")
    assert rates["two of three sentences dropped"] >= 0.9
    assert rates["two sentences added"] >= 0.9
    assert rates["untouched three-sentence passages"] < 0.03
