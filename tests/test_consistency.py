"""One rendering per name: romanization, entities, article and desk consistency, term mining.

The measurements (README): planted variants in real NTREX-128 articles
(tests/data/planted_names.json, built by tests/data/build_planted_names.py) are every one
caught, and clean reference articles get consistency findings on at most 5% of articles.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from pathlib import Path

import pytest

from mt.qa.article import check_article
from mt.qa.consistency import ArticleIndex, DeskForms
from mt.qa.entities import english_candidates, find_mentions, is_variant
from mt.qa.glossary import Glossary
from mt.qa.romanize import romanization_key, romanize_person, romanize_place
from mt.qa.terms import mine_terms
from tests.conftest import shared_lines
from tests.data.build_planted_names import apply_case

PLANTED = json.loads(
    (Path(__file__).parent / "data" / "planted_names.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def ntrex():
    return (
        shared_lines("ntrex128", "ko"),
        shared_lines("ntrex128", "en"),
        shared_lines("ntrex128", "docids"),
    )


# --- romanization -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("이명박", "Lee Myeong-bak"),
        ("박근혜", "Park Geun-hye"),
        ("최태원", "Choi Tae-won"),
        ("정의선", "Jung Ui-seon"),
        ("노무현", "Roh Mu-hyeon"),
        ("윤석열", "Yoon Seok-yeol"),
        ("강경화", "Kang Gyeong-hwa"),
    ],
)
def test_person_in_news_style(korean: str, english: str) -> None:
    assert romanize_person(korean) == english


def test_north_korean_style_is_configurable() -> None:
    assert romanize_person("김정은", north_korean=True) == "Kim Jong-un"
    assert romanize_person("김정은", north_korean=True, north_style="spaced") == "Kim Jong Un"
    assert romanize_person("이설주", north_korean=True).startswith("Ri ")


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("부산", "Busan"),
        ("경기도", "Gyeonggi Province"),
        ("인천", "Incheon"),
        ("신라", "Silla"),
        ("종로", "Jongno"),
        ("독립문", "Dongnimmun"),
        ("왕십리", "Wangsimni"),
        ("해운대구", "Haeundae-gu"),
        ("충청북도", "North Chungcheong Province"),
        ("울릉도", "Ulleungdo"),
    ],
)
def test_places_in_revised_romanization(korean: str, english: str) -> None:
    assert romanize_place(korean) == english


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ban Ki-moon", "Ban Gi-mun"), ("Busan", "Pusan"), ("Gyeonggi", "Kyonggi"),
     ("Park Geun-hye", "Pak Geun-hye"), ("Jeju", "Cheju"), ("Chung Eui-sun", "Jung Eui-sun")],
)  # fmt: skip
def test_romanization_key_joins_spellings(a: str, b: str) -> None:
    assert romanization_key(a) == romanization_key(b)


# --- entities and variants ----------------------------------------------------------------------


def test_mentions_names_titles_and_surname_references() -> None:
    found = [
        (m.korean, m.kind) for m in find_mentions("이명박 대통령은 국민의힘과 부산에서 이 대통령과")
    ]
    assert found == [
        ("이명박", "person"),
        ("국민의힘", "organisation"),
        ("부산", "place"),
        ("이", "surname"),
    ]


def test_candidates_drop_titles_and_possessives() -> None:
    texts = {c.text for c in english_candidates("President Lee Myung-bak's visit to Busan.")}
    assert {"Lee Myung-bak", "Busan"} <= texts
    assert not any(t.startswith("President") for t in texts)


@pytest.mark.parametrize(
    ("a", "b", "variant"),
    [
        ("Lee Myung-bak", "Lee Myeong-bak", True),
        ("People Power Party", "People's Power Party", True),
        ("Busan", "Pusan", True),
        ("Lee", "Lee Myung-bak", False),  # surname on second reference
        ("Democratic Party", "Democratic Party of Korea", False),  # short form
        ("Korea", "Korean", False),
        ("North Korea", "South Korea", False),
        ("Labour MP", "Labour MPs", False),
        ("US", "USA", False),
        ("NIGEL FARAGE", "Nigel Farage", False),
    ],
)
def test_is_variant(a: str, b: str, variant: bool) -> None:
    assert is_variant(a, b) is variant


# --- article consistency ------------------------------------------------------------------------

SOURCES = [
    "이명박 대통령은 반기문 유엔 사무총장과 부산에서 만났다.",
    "이 대통령은 반 총장에게 감사를 표했다.",
    "국민의힘은 부산에서 대회를 열었다.",
    "국민의힘은 이명박 대통령을 비판했다.",
]
TARGETS = [
    "President Lee Myung-bak met UN Secretary-General Ban Ki-moon in Busan.",
    "Lee thanked Ban.",
    "The People Power Party held a rally in Busan.",
    "The People Power Party criticised the president.",
]


def test_second_references_pass() -> None:
    assert not any(ArticleIndex(SOURCES, TARGETS).findings())


@pytest.mark.parametrize(
    ("line", "old", "new"),
    [
        (1, "Lee thanked Ban.", "Lee Myeong-bak thanked Ban Gi-mun."),
        (2, "in Busan", "in Pusan"),
        (3, "The People Power Party", "The People's Power Party"),
    ],
)
def test_variant_is_flagged_with_the_established_form(line: int, old: str, new: str) -> None:
    targets = list(TARGETS)
    targets[line] = targets[line].replace(old, new)
    findings = ArticleIndex(SOURCES, targets).check_segment(line)
    assert findings, targets[line]
    f = findings[0]
    assert f.check == "consistency" and f.span is not None
    assert targets[line][f.span[0] : f.span[1]] in new
    assert f.suggestion in TARGETS[0] + TARGETS[2]


def test_glossary_short_forms_pass() -> None:
    glossary = Glossary.from_dict({"더불어민주당": ["Democratic Party", "DP"]})
    sources = ["더불어민주당은 반대했다.", "더불어민주당은 찬성했다."]
    targets = ["The Democratic Party opposed it.", "The DP supported it."]
    assert not any(check_article(sources, targets, glossary=glossary, checks=["consistency"]))


def test_desk_form_is_suggested() -> None:
    desk = DeskForms.build(mined={"반기문": "Ban Ki-moon"})
    found = ArticleIndex(["반기문 총장이 왔다."], ["Ban Gi-mun came."], desk=desk).findings()[0]
    assert [(f.check, f.span, f.suggestion) for f in found] == [
        ("consistency", (0, 10), "Ban Ki-moon")
    ]


def test_editing_one_segment_is_checked_against_the_others() -> None:
    index = ArticleIndex(SOURCES, TARGETS)
    assert index.check_segment(2, "The People Power Party held a rally in Pusan.")
    assert not index.check_segment(2)  # the stored text is unchanged
    index.set_target(0, TARGETS[0].replace("Busan", "Pusan"))  # a tie: the earlier line wins
    assert [f.suggestion for f in index.check_segment(2)] == ["Pusan"]


def test_name_suggestions_only_without_established_form() -> None:
    index = ArticleIndex(
        ["김정은 국무위원장과 이명박 대통령"], ["x"], desk=DeskForms.build(mined={"이명박": "Lee"})
    )
    assert [(n.korean, n.english) for n in index.name_suggestions(0)] == [("김정은", "Kim Jong-un")]


# --- measurements on NTREX-128 ------------------------------------------------------------------


def test_every_planted_variant_is_caught(ntrex) -> None:
    ko, en, ids = ntrex
    caught: Counter[str] = Counter()
    missed = []
    for case in PLANTED:
        lines, src, tgt = apply_case(case, ko, en, ids)
        row = lines.index(case["planted_line"])
        findings = ArticleIndex(src, tgt).check_segment(row)
        spans = [tgt[row][f.span[0] : f.span[1]] for f in findings if f.span]
        if any(case["variant"] in s or s in case["variant"] for s in spans):
            caught[case["category"]] += 1
        else:
            missed.append((case["docid"], case["variant"], tgt[row]))
    print(f"planted variants caught: {sum(caught.values())}/{len(PLANTED)} {dict(caught)}")
    assert len(PLANTED) >= 80
    assert set(caught) == {"person", "party", "company", "place"}
    assert not missed


def test_substituted_articles_without_variants_stay_clean(ntrex) -> None:
    ko, en, ids = ntrex
    flagged = []
    for case in PLANTED:
        _lines, src, tgt = apply_case(case, ko, en, ids, plant=False)
        if any(ArticleIndex(src, tgt).findings()):
            flagged.append(case["docid"])
    print(f"substituted clean articles with findings: {len(flagged)}/{len(PLANTED)}")
    assert len(flagged) <= 0.05 * len(PLANTED)


def test_clean_references_at_most_5_percent_of_articles(ntrex) -> None:
    ko, en, ids = ntrex
    articles = [list(g) for _d, g in groupby(range(len(ids)), key=lambda i: ids[i])]
    flagged = 0
    for lines in articles:
        found = check_article(
            [ko[i] for i in lines], [en[i] for i in lines], checks=["consistency"]
        )
        flagged += any(found)
    print(f"clean NTREX-128 articles with consistency findings: {flagged}/{len(articles)}")
    assert flagged <= 0.05 * len(articles)


# --- term mining --------------------------------------------------------------------------------


def test_mining_prefers_the_full_consistent_name() -> None:
    pairs = [
        ("반기문 총장이 왔다.", "UN chief Ban Ki-moon came."),
        ("반기문 총장은 웃었다.", "Ban Ki-moon smiled, Ban said."),
        ("반기문 총장은 떠났다.", "Ban Ki-moon left."),
        ("서울에서 비가 왔다.", "It rained in Seoul."),
    ]
    found = mine_terms(pairs, min_count=2)
    assert [(s.korean, s.english, s.count, s.total) for s in found] == [
        ("반기문", "Ban Ki-moon", 3, 3)
    ]
    assert found[0].examples[0] == pairs[0]
    assert mine_terms(pairs, min_count=4) == []
    assert mine_terms(pairs, known={"반기문": ["Ban Ki-moon"]}) == []


def test_mining_real_news(ntrex) -> None:
    ko, en, _ids = ntrex
    found = {s.korean: s.english for s in mine_terms(zip(ko, en, strict=True), min_count=5)}
    assert found["트럼프"] == "Trump"
    assert found["캐버노"] == "Kavanaugh"
    assert found["백악관"] == "White House"
