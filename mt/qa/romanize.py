"""Korean names in Latin letters, news style, and a key for comparing romanizations.

Library: `korean-romanizer` (Revised Romanization). Measured against hangul-romanize 0.1.0 on 40
place names and given names with their official Revised Romanization (Busan, Gyeonggi, Jeolla,
Dongnimmun, Wangsimni, …): korean-romanizer 0.28.0 got 30/40 right, hangul-romanize 19/40 (it
writes the academic transliteration: doglibmun, gang-won); both take microseconds a word.
korean-romanizer's misses are consonant assimilation across syllables (신라 → Silla, 종로 →
Jongno, 독립문 → Dongnimmun), which `_assimilate` applies first for places: 40/40 with it.

News style for people (`romanize_person`), as Korea's English-language papers write them:
family name first, with its customary spelling (이 Lee, 박 Park, 최 Choi, 정 Jung, 강 Kang,
윤 Yoon, 노 Roh, …); the given name in Revised Romanization without assimilation, hyphenated
(Lee Myeong-bak); North Korean names in the configured style, "hyphen" (Kim Jong-un) or "spaced"
(Kim Jong Un). Places (`romanize_place`): Revised Romanization (Gyeonggi Province, Busan,
Haeundae-gu).

`romanization_key` maps spellings of one Korean name onto one string (Ban Ki-moon and Ban Gi-mun,
Busan and Pusan, Gyeonggi and Kyonggi), so that variants can be recognised as the same name.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "SURNAMES",
    "is_korean_person",
    "romanization_key",
    "romanize",
    "romanize_person",
    "romanize_place",
    "split_name",
]

# Customary English spellings of family names (Korea Herald / Yonhap usage).
SURNAMES: dict[str, str] = {
    "김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang",
    "조": "Cho", "윤": "Yoon", "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh", "서": "Seo",
    "신": "Shin", "권": "Kwon", "황": "Hwang", "안": "Ahn", "송": "Song", "류": "Ryu",
    "유": "Yoo", "전": "Jeon", "홍": "Hong", "고": "Ko", "문": "Moon", "양": "Yang",
    "손": "Son", "배": "Bae", "백": "Baek", "허": "Heo", "남": "Nam", "심": "Shim", "노": "Roh",
    "하": "Ha", "곽": "Kwak", "성": "Sung", "차": "Cha", "주": "Joo", "우": "Woo", "구": "Koo",
    "민": "Min", "진": "Jin", "나": "Na", "지": "Ji", "엄": "Eom", "채": "Chae", "원": "Won",
    "천": "Chun", "방": "Bang", "공": "Kong", "현": "Hyun", "함": "Ham", "변": "Byun",
    "염": "Yeom", "여": "Yeo", "추": "Choo", "도": "Do", "소": "So", "석": "Seok", "선": "Sun",
    "설": "Seol", "마": "Ma", "길": "Gil", "연": "Yeon", "위": "Wi", "표": "Pyo", "명": "Myung",
    "기": "Ki", "반": "Ban", "왕": "Wang", "금": "Keum", "옥": "Ok", "육": "Yook", "인": "In",
    "맹": "Maeng", "제": "Je", "모": "Mo", "탁": "Tak", "국": "Kook", "어": "Eo", "은": "Eun",
    "편": "Pyeon", "용": "Yong", "예": "Ye", "봉": "Bong", "경": "Kyung", "사": "Sa",
    "남궁": "Namgoong", "선우": "Sunwoo", "제갈": "Jegal", "황보": "Hwangbo", "독고": "Dokgo",
}  # fmt: skip
_NORTH_SURNAMES = {
    "이": "Ri", "박": "Pak", "최": "Choe", "정": "Jong", "노": "Ro", "임": "Rim", "류": "Ryu",
    "윤": "Yun", "조": "Jo", "신": "Sin", "문": "Mun", "오": "O", "양": "Ryang", "현": "Hyon",
}  # fmt: skip
_COMPOUND_SURNAMES = {k for k in SURNAMES if len(k) == 2}

# Syllables that end many place and organisation names, never a given name's last syllable in
# practice; they keep "부산시" or "청와대" from being read as a person.
_NOT_GIVEN_NAME_END = set("시도군구읍면동리산강섬항역당부청회관대사처단소크트프스즈드브쿠르")


def _is_hangul(text: str) -> bool:
    return bool(text) and all("가" <= ch <= "힣" for ch in text)


def split_name(name: str) -> tuple[str, str] | None:
    """(family name, given name) of a Korean personal name written in Hangul, or None."""
    if not _is_hangul(name) or not 2 <= len(name) <= 5:
        return None
    if len(name) >= 4 and name[:2] in _COMPOUND_SURNAMES:
        return name[:2], name[2:]
    if name[0] in SURNAMES and len(name) <= 4:
        return name[0], name[1:]
    return None


def is_korean_person(name: str) -> bool:
    """Whether a Hangul proper noun looks like a Korean personal name (surname + 2 syllables)."""
    parts = split_name(name)
    return (
        parts is not None
        and len(parts[1]) == 2
        and parts[1][-1] not in _NOT_GIVEN_NAME_END
        and name not in _NOT_PERSONS
    )


# Three-syllable proper nouns that start with a surname syllable but name something else.
_NOT_PERSONS = {
    "한반도", "이태원", "한나라", "한미일", "조지아", "신세계", "현대차", "기아차", "한겨레",
    "이집트", "오만", "정의당", "남북한", "조선족", "한강변", "고구려", "신라면", "하이닉",
}  # fmt: skip


@lru_cache(maxsize=4096)
def romanize(hangul: str) -> str:
    """Revised Romanization of a Hangul string (lowercase), as korean-romanizer writes it."""
    from korean_romanizer.romanizer import Romanizer  # delayed: only names need it

    return Romanizer(hangul).romanize()


# --- consonant assimilation across syllables (for places) ---------------------------------------

_BASE, _INITIALS, _FINALS = 0xAC00, 19, 28
# Final (jongseong) and next initial (choseong) indices.
_F = {"ㄱ": 1, "ㄴ": 4, "ㄷ": 7, "ㄹ": 8, "ㅁ": 16, "ㅂ": 17, "ㅇ": 21}
_I = {"ㄴ": 2, "ㄹ": 5, "ㅁ": 6}


def _decompose(ch: str) -> tuple[int, int, int]:
    code = ord(ch) - _BASE
    return code // (21 * _FINALS), (code // _FINALS) % 21, code % _FINALS


def _compose(initial: int, vowel: int, final: int) -> str:
    return chr(_BASE + (initial * 21 + vowel) * _FINALS + final)


def _assimilate(hangul: str) -> str:
    """Hangul rewritten as pronounced where consonants meet: 신라 → 실라, 독립 → 동닙."""
    chars = list(hangul)
    for i in range(len(chars) - 1):
        a, b = chars[i], chars[i + 1]
        if not (_is_hangul(a) and _is_hangul(b)):
            continue
        ai, av, af = _decompose(a)
        bi, bv, bf = _decompose(b)
        if bi == _I["ㄹ"]:
            if af == _F["ㄴ"]:
                af = _F["ㄹ"]  # 신라 → 실라
            elif af in (_F["ㅁ"], _F["ㅇ"]):
                bi = _I["ㄴ"]  # 종로 → 종노
            elif af == _F["ㄱ"]:
                af, bi = _F["ㅇ"], _I["ㄴ"]  # 독립 → 동닙, 속리 → 송니
            elif af == _F["ㅂ"]:
                af, bi = _F["ㅁ"], _I["ㄴ"]  # 십리 → 심니
        elif bi == _I["ㄴ"] and af == _F["ㄹ"]:
            bi = _I["ㄹ"]  # 칼날 → 칼랄
        elif bi in (_I["ㄴ"], _I["ㅁ"]):
            if af == _F["ㄱ"]:
                af = _F["ㅇ"]  # 백마 → 뱅마
            elif af == _F["ㅂ"]:
                af = _F["ㅁ"]
            elif af == _F["ㄷ"]:
                af = _F["ㄴ"]
        chars[i], chars[i + 1] = _compose(ai, av, af), _compose(bi, bv, bf)
    return "".join(chars)


def _rr(hangul: str, *, assimilate: bool) -> str:
    text = romanize(_assimilate(hangul) if assimilate else hangul)
    return text.replace("lr", "ll")  # 울릉 → ulleung: ㄹ+ㄹ is "ll" in RR


# --- people and places -------------------------------------------------------------------------


def romanize_person(name: str, *, north_korean: bool = False, north_style: str = "hyphen") -> str:
    """A Korean personal name in news style: "Lee Myeong-bak", "Kim Jong-un" / "Kim Jong Un".

    Raises:
        ValueError: `name` is not a Hangul personal name (surname + given name).
    """
    parts = split_name(name)
    if parts is None:
        raise ValueError(f"not a Korean personal name: {name!r}")
    family, given = parts
    syllables = [_rr(s, assimilate=False) for s in given]
    surname = SURNAMES[family]
    if north_korean:  # North Korean usage: eo → o, eu → u (Jong-un, Kyong-hui), Ri, Pak, Choe
        syllables = [s.replace("eo", "o").replace("eu", "u") for s in syllables]
        surname = _NORTH_SURNAMES.get(family, surname)
    if north_korean and north_style == "spaced":
        given_en = " ".join(s.capitalize() for s in syllables)
    else:
        given_en = "-".join(syllables).capitalize()
    return f"{surname} {given_en}"


_PLACE_SUFFIXES = (
    ("특별자치도", " Province"), ("특별자치시", ""), ("특별시", ""), ("광역시", ""),
    ("도", " Province"), ("시", ""), ("군", " County"), ("구", "-gu"), ("읍", "-eup"),
    ("면", "-myeon"), ("동", "-dong"),
)  # fmt: skip
_PROVINCE_SHORT = {
    "경기": "Gyeonggi", "강원": "Gangwon", "충북": "North Chungcheong", "충남": "South Chungcheong",
    "전북": "North Jeolla", "전남": "South Jeolla", "경북": "North Gyeongsang",
    "경남": "South Gyeongsang", "제주": "Jeju", "충청북": "North Chungcheong",
    "충청남": "South Chungcheong", "전라북": "North Jeolla", "전라남": "South Jeolla",
    "경상북": "North Gyeongsang", "경상남": "South Gyeongsang",
}  # fmt: skip


def romanize_place(name: str) -> str:
    """A Korean place name in Revised Romanization, news style: 경기도 → "Gyeonggi Province",
    부산시 → "Busan", 해운대구 → "Haeundae-gu", 종로 → "Jongno"."""
    for suffix, english in _PLACE_SUFFIXES:
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and len(stem) >= 2:
            if suffix == "도" and stem not in _PROVINCE_SHORT:
                return _rr(name, assimilate=True).capitalize()  # an island: Ulleungdo
            base = _PROVINCE_SHORT.get(stem) or _rr(stem, assimilate=True).capitalize()
            return base + english
    if name in _PROVINCE_SHORT:
        return _PROVINCE_SHORT[name]
    return _rr(name, assimilate=True).capitalize()


# --- comparing spellings -------------------------------------------------------------------------

# Surname spellings that are one name: Lee/Yi/Rhee/I, Park/Pak/Bak, Choi/Choe, …
_SURNAME_KEYS = {
    "lee": "i", "yi": "i", "rhee": "i", "rhie": "i", "ri": "i",
    "park": "bak", "pak": "bak", "bahk": "bak", "choi": "ce", "choe": "ce", "chey": "ce",
    "jung": "jug", "chung": "jug", "jeong": "jug", "cheong": "jug",
    "roh": "no", "noh": "no", "ro": "no", "yoon": "yun", "yun": "yun", "kang": "gag",
    "oh": "o", "shin": "sin", "sin": "sin", "ahn": "an", "woo": "u", "yoo": "yu", "ryu": "yu",
}  # fmt: skip
_KEY_RULES = [
    (r"[^a-z]", ""), ("sh", "s"), ("ch", "j"), ("ck", "k"), ("c", "k"), ("x", "ks"),
    ("kh", "k"), ("th", "t"), ("ph", "p"),
    ("eo", "u"), ("oo", "u"), ("ou", "u"), ("eu", "u"), ("ee", "i"), ("ae", "e"), ("wo", "u"),
    ("k", "g"), ("p", "b"), ("t", "d"), ("r", "l"), ("o", "u"), ("h", ""), ("w", ""),
    ("ng", "g"), (r"(.)\1", r"\1"),
]  # fmt: skip


@lru_cache(maxsize=8192)
def romanization_key(text: str) -> str:
    """A rough sound key: spellings of one Korean name (Ban Ki-moon / Ban Gi-mun, Busan /
    Pusan, Kyonggi / Gyeonggi) get the same or a near key; case, hyphens and spaces ignored."""
    words = text.lower().replace("’", "'").split()
    if words and words[0] in _SURNAME_KEYS and len(words) > 1:
        head, words = _SURNAME_KEYS[words[0]], words[1:]
    else:
        head = ""
    key = "".join(words)
    for pattern, repl in _KEY_RULES:
        key = re.sub(pattern, repl, key)
    return head + key
