"""Turn the bytes of a text file into text: binary refusal, BOMs, UTF-8, then Korean CP949/EUC-KR.

Detection never guesses: a file is UTF-8 if it decodes as strict UTF-8, Korean legacy text if
it decodes as strict CP949 and reads like Korean, and an error naming the byte offset of the
first bad UTF-8 byte otherwise. charset-normalizer is not used: on short Korean lines with a
few Latin words it names cp874 or iso8859_5 (tried on the shared test sets), the very silent
wrong guess to avoid.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

from mt.errors import InputError

# Leading bytes of common non-text files, checked before any decoding.
MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office document"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
]

# BOM → codec; UTF-32 first because its little-endian BOM starts with UTF-16's.
_BOMS: list[tuple[bytes, str, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
]

# Share of the non-ASCII letters that must be common Hangul for a CP949 decoding to be believed.
_MIN_HANGUL_SHARE = 0.7
_SAMPLE_CHARS = 200_000
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def binary_kind(data: bytes) -> str | None:
    """What binary file `data` starts like ("PNG image", ...), or None for anything else."""
    return next((kind for magic, kind in MAGIC if data.startswith(magic)), None)


def refuse_binary(data: bytes, name: str) -> None:
    """Raise InputError when `data` starts with the magic number of a known binary format."""
    kind = binary_kind(data)
    if kind:
        raise InputError(f"{name}: binary file ({kind}), not text")


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode a text file's bytes.

    Arguments:
        data: the whole file.
        name: the file name used in error messages.

    Returns:
        (text, encoding): text without any BOM; encoding is one of "utf-8", "utf-8-sig",
        "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "euc-kr" (bytes that are strict
        EUC-KR) or "cp949" (bytes that need Microsoft's extended Hangul).

    Raises:
        InputError: empty, whitespace-only, binary or undecodable input; the message names the
            file and, for undecodable bytes, the offset of the first bad byte.
    """
    if not data:
        raise InputError(f"{name}: empty file")
    refuse_binary(data, name)
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as e:
                offset = len(bom) + e.start
                raise InputError(f"{name}: not valid {label} (byte offset {offset})") from None
            return _require_text(text, name), "utf-8-sig" if codec == "utf-8" else codec
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"{name}: binary file (NUL byte at offset {nul}), not text;"
            " UTF-16 text needs a byte-order mark"
        )
    try:
        return _require_text(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e.start
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        raise InputError(
            f"{name}: not valid UTF-8, CP949 or EUC-KR (byte offset {utf8_error})"
        ) from None
    doubt = _not_korean(text)
    if doubt:
        raise InputError(
            f"{name}: not valid UTF-8 (byte offset {utf8_error}) and not Korean CP949/EUC-KR"
            f" text ({doubt})"
        )
    encoding = "cp949"
    try:
        data.decode("euc-kr")
        encoding = "euc-kr"
    except UnicodeDecodeError:
        pass
    return _require_text(text, name), encoding


def _not_korean(text: str) -> str | None:
    """Why text decoded as CP949 is probably not Korean after all; None if it reads as Korean.

    Latin-1 and GB2312 Chinese bytes can decode as CP949 too, but as a jumble of hanja and of
    Hangul outside EUC-KR's common 2,350 syllables, whereas the letters of real Korean text are
    nearly all common Hangul (every line of the NTREX, JHE and WMT24++ test sets: 100%).
    Headlines abbreviate with hanja (美, 北), hence a threshold well below 1. A few characters
    of Chinese that happen to be valid Korean cannot be told apart and pass.
    """
    # A sample is enough to judge, and keeps the check cheap on big files.
    counts = Counter(_NON_ASCII.findall(text, 0, _SAMPLE_CHARS))
    letters = {c: n for c, n in counts.items() if unicodedata.category(c).startswith("L")}
    total = sum(letters.values())
    hangul = sum(n for char, n in letters.items() if _is_common_hangul(char))
    if total and hangul / total < _MIN_HANGUL_SHARE:
        return f"only {hangul} of its {total} non-ASCII letters are common Hangul"
    return None


def _is_common_hangul(char: str) -> bool:
    """True for Hangul syllables and jamo that EUC-KR (KS X 1001) itself can encode."""
    if not unicodedata.name(char, "").startswith("HANGUL"):
        return False
    try:
        # Python's codec spells the other syllables as 8-byte KS X 1001 "make-up" sequences.
        return len(char.encode("euc-kr")) == 2
    except UnicodeEncodeError:
        return False


def _require_text(text: str, name: str) -> str:
    if not text:
        raise InputError(f"{name}: empty file")
    if not text.strip():
        raise InputError(f"{name}: no text to translate")
    return text
