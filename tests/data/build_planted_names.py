"""Build tests/data/planted_names.json: Korean names planted into real NTREX-128 articles.

For each NTREX-128 article (docids), a Korean proper noun (kiwipiepy NNP) and a capitalised
English word that occur in exactly the same two or more lines are taken as one entity's
renderings (트럼프 / Trump). Entities are replaced, article-wide on both sides, by a Korean name
from `ENTITIES` (names, parties, companies, places; Korean particles fixed for the new final
consonant), and in the entity's last line (never its first) the English is replaced by a
realistic variant (Lee Myeong-bak for Lee Myung-bak, Pusan for Busan). tests/test_consistency.py
applies the plan to `shared_lines("ntrex128", ...)` and requires a ``consistency`` finding on
every planted line, and none on the substituted articles without the variant.

Run: PYTHONPATH=. python tests/data/build_planted_names.py
"""

from __future__ import annotations

import json
import re
from itertools import groupby
from pathlib import Path

from kiwipiepy import Kiwi

from tests.conftest import shared_lines

# (category, Korean, English, variant)
ENTITIES = [
    ("person", "이명박", "Lee Myung-bak", "Lee Myeong-bak"),
    ("person", "반기문", "Ban Ki-moon", "Ban Gi-mun"),
    ("person", "박근혜", "Park Geun-hye", "Pak Geun-hye"),
    ("person", "문재인", "Moon Jae-in", "Mun Jae-in"),
    ("person", "윤석열", "Yoon Suk Yeol", "Yoon Seok-yeol"),
    ("person", "정의선", "Chung Eui-sun", "Jung Eui-sun"),
    ("person", "이재명", "Lee Jae-myung", "Lee Jae-myeong"),
    ("person", "한덕수", "Han Duck-soo", "Han Deok-su"),
    ("party", "국민의힘", "People Power Party", "People's Power Party"),
    ("party", "조국혁신당", "Rebuilding Korea Party", "Rebuild Korea Party"),
    ("party", "개혁신당", "Reform Party", "Reformed Party"),
    ("company", "삼성전자", "Samsung Electronics", "Samseong Electronics"),
    ("company", "현대자동차", "Hyundai Motor", "Hyundae Motor"),
    ("company", "한화", "Hanwha", "Hanhwa"),
    ("place", "부산", "Busan", "Pusan"),
    ("place", "경기도", "Gyeonggi Province", "Kyonggi Province"),
    ("place", "제주", "Jeju", "Cheju"),
    ("place", "인천", "Incheon", "Inchon"),
    ("place", "광주", "Gwangju", "Kwangju"),
    ("place", "대구", "Daegu", "Taegu"),
]
OUT = Path(__file__).with_name("planted_names.json")
_CAP = re.compile(r"\b[A-Z][a-z]{2,}\b")


_PARTICLES = {"은": "는", "이": "가", "을": "를", "과": "와", "으로": "로"}
_AFTER_VOWEL = {**{v: v for v in _PARTICLES.values()}, **_PARTICLES}
_AFTER_CONSONANT = {v: k for k, v in _PARTICLES.items()} | {k: k for k in _PARTICLES}


def _fix_particles(text: str, name: str) -> str:
    """Particles right after `name` agree with its last syllable (이명박은, 부산은, 한화는)."""
    final = (ord(name[-1]) - 0xAC00) % 28 if "가" <= name[-1] <= "힣" else 0
    table = _AFTER_CONSONANT if final else _AFTER_VOWEL
    if final == 8:  # ㄹ takes 로, not 으로
        table = {**table, "으로": "로", "로": "로"}
    pattern = re.compile(
        re.escape(name) + "(으로|로|은|는|이|가|을|를|과|와)(?=[^가-힣]|$|[가-힣])"
    )

    def fix(m: re.Match[str]) -> str:
        return name + table.get(m.group(1), m.group(1))

    return pattern.sub(fix, text)


def apply_case(
    case: dict, ko: list[str], en: list[str], ids: list[str], *, plant: bool = True
) -> tuple[list[int], list[str], list[str]]:
    """The case's article (its line numbers, Korean, English) with the entity replaced and,
    with `plant`, the variant in its planted line."""
    lines = [i for i, d in enumerate(ids) if d == case["docid"]]
    word = re.compile(r"\b" + re.escape(case["en_from"]) + r"\b")
    src, tgt = [], []
    for i in lines:
        k = ko[i].replace(case["ko_from"], case["ko_to"])
        e = word.sub(case["en_to"], en[i])
        if plant and i == case["planted_line"]:
            e = e.replace(case["en_to"], case["variant"])
        src.append(_fix_particles(k, case["ko_to"]) if case["ko_to"] in k else k)
        tgt.append(e)
    return lines, src, tgt


def main() -> None:
    ko = shared_lines("ntrex128", "ko")
    en = shared_lines("ntrex128", "en")
    ids = shared_lines("ntrex128", "docids")
    kiwi = Kiwi()
    cases = []
    n = 0
    for docid, group in groupby(range(len(ids)), key=lambda i: ids[i]):
        lines = list(group)
        nnp: dict[str, set[int]] = {}
        for i in lines:
            for t in kiwi.tokenize(ko[i]):
                if t.tag == "NNP" and len(t.form) >= 2 and " " not in t.form:
                    nnp.setdefault(t.form, set()).add(i)
        words: dict[str, set[int]] = {}
        for i in lines:
            for w in set(_CAP.findall(en[i])):
                words.setdefault(w, set()).add(i)
        pairs = sorted(
            (len(segs), k, w)
            for k, segs in nnp.items()
            for w, wsegs in words.items()
            if segs == wsegs and len(segs) >= 2 and min(segs) != lines[0]
        )
        if not pairs:
            continue
        _count, ko_from, en_from = pairs[-1]
        segs = sorted(nnp[ko_from])
        category, ko_to, en_to, variant = ENTITIES[n % len(ENTITIES)]
        n += 1
        cases.append(
            {
                "docid": docid,
                "category": category,
                "ko_from": ko_from,
                "ko_to": ko_to,
                "en_from": en_from,
                "en_to": en_to,
                "variant": variant,
                "lines": segs,
                "planted_line": segs[-1],
            }
        )
    OUT.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} planted cases → {OUT}")


if __name__ == "__main__":
    main()
