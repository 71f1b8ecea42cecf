"""The language pair a file declares and the language its source text is written in.

Transdesk translates Korean into English. A file that declares another source language
(XLIFF 1.2 `source-language`, XLIFF 2 `srcLang`, TMX `srclang`) or whose source text is not
Korean is refused with one line, unless the caller forces the source language. Korean is
detected by the share of Hangul among the letters of the source text: Korean news mixes in
Latin names, numbers and Hanja, so at least `MIN_HANGUL_SHARE` of the letters being Hangul
marks a Korean text, while English, Italian, Spanish or Armenian text has none.
"""

from __future__ import annotations

from collections.abc import Iterable

from mt.errors import InputError

SOURCE_LANGUAGE = "ko"
TARGET_LANGUAGE = "en"
MIN_HANGUL_SHARE = 0.3


class NotKorean(InputError):
    """The source language of a file is not Korean."""


def primary(tag: str | None) -> str:
    """The primary subtag of a language tag, lowercased ("ko-KR" → "ko", "ko_KR" → "ko")."""
    return (tag or "").strip().replace("_", "-").split("-")[0].lower()


def is_korean(tag: str | None) -> bool:
    return primary(tag) in {"ko", "kor"}


def is_english(tag: str | None) -> bool:
    return primary(tag) in {"en", "eng"}


def _is_hangul(ch: str) -> bool:
    code = ord(ch)
    return (
        0xAC00 <= code <= 0xD7A3  # syllables
        or 0x1100 <= code <= 0x11FF  # jamo
        or 0x3130 <= code <= 0x318F  # compatibility jamo
        or 0xA960 <= code <= 0xA97F
        or 0xD7B0 <= code <= 0xD7FF
    )


def hangul_share(texts: Iterable[str]) -> float | None:
    """Share of Hangul among the letters of `texts`; None when they hold no letter."""
    letters = hangul = 0
    for text in texts:
        for ch in text:
            if ch.isalpha():
                letters += 1
                hangul += _is_hangul(ch)
    return hangul / letters if letters else None


def check_source(name: str, declared: Iterable[str | None], texts: Iterable[str]) -> None:
    """Raise NotKorean unless every declared source language and the text itself are Korean.

    Arguments:
        name: the file, for the message.
        declared: the source languages the file declares (None or "" where it declares none).
        texts: the source texts to be translated.
    """
    for tag in declared:
        if tag and not is_korean(tag):
            raise NotKorean(
                f"{name}: source language is {tag.strip()!r}, not Korean (ko); Transdesk"
                " translates Korean (force the source language to translate it anyway)"
            )
    share = hangul_share(texts)
    if share is not None and share < MIN_HANGUL_SHARE:
        raise NotKorean(
            f"{name}: source text is not Korean ({share:.0%} of its letters are Hangul);"
            " Transdesk translates Korean (force the source language to translate it anyway)"
        )
