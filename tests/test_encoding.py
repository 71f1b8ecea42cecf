"""Encoding detection on real Korean text: BOMs, UTF-8, UTF-16, CP949/EUC-KR, binary refusal."""

from __future__ import annotations

import codecs
import re

import pytest

from mt.errors import InputError
from mt.formats import decode, read_bytes
from tests.conftest import shared_lines

# A CP949-only syllable (똠, outside EUC-KR's 2,350) inside an otherwise ordinary sentence.
CP949_ONLY = "그는 동네에서 똠방각하라는 별명으로 불렸다고 회고했습니다."


@pytest.fixture(scope="module")
def korean() -> str:
    """Twenty real NTREX lines that EUC-KR can encode, as one text with a final newline."""
    lines = []
    for line in shared_lines("ntrex128", "ko"):
        try:
            line.encode("euc-kr")
        except UnicodeEncodeError:
            continue
        if all(len(c.encode("euc-kr")) <= 2 for c in line):
            lines.append(line)
        if len(lines) == 20:
            break
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16-le"),
        (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16-be"),
        (lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"), "utf-32-le"),
        (lambda t: t.encode("euc-kr"), "euc-kr"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-32-le-bom", "euc-kr"],
)
def test_each_encoding_decodes_real_korean(korean, encode, expected):
    text, encoding = decode(encode(korean), "news.txt")
    assert text == korean
    assert encoding == expected


def test_cp949_only_syllables_are_reported_as_cp949(korean):
    data = (korean + CP949_ONLY + "\n").encode("cp949")
    error = (
        r"^'euc_kr' codec can't decode byte 0x[0-9a-f]{2} in position \d+: illegal multibyte "
        r"sequence$"
    )
    with pytest.raises(UnicodeDecodeError, match=error):  # the file really needs CP949
        data.decode("euc-kr")
    text, encoding = decode(data, "news.txt")
    assert encoding == "cp949"
    assert text.endswith(CP949_ONLY + "\n")


def test_euc_kr_file_reads_as_units(korean):
    parsed = read_bytes(korean.encode("euc-kr"), "news.txt")
    assert parsed.encoding == "euc-kr"
    assert [u.text for u in parsed.units] == korean.splitlines()


def test_undecodable_bytes_name_the_first_bad_utf8_offset():
    data = "한국어 ".encode() + b"\x80\x80 tail"
    error = r"^a\.txt: not valid UTF-8, CP949 or EUC-KR \(byte offset 10\)$"
    with pytest.raises(InputError, match=error) as info:
        decode(data, "a.txt")
    assert str(info.value) == "a.txt: not valid UTF-8, CP949 or EUC-KR (byte offset 10)"


def test_latin1_that_happens_to_decode_as_cp949_is_refused_not_guessed():
    data = "Àla Âme Åse".encode("latin-1")
    data.decode("cp949")  # valid CP949 bytes, but not Korean
    error = (
        r"^a\.txt: not valid UTF-8 \(byte offset 0\) and not Korean CP949/EUC-KR text \(only "
        r"0 of its 3 non-ASCII letters are common Hangul\)$"
    )
    with pytest.raises(InputError, match=error) as info:
        decode(data, "a.txt")
    assert str(info.value).startswith(
        "a.txt: not valid UTF-8 (byte offset 0) and not Korean CP949/EUC-KR text"
    )


def test_hanja_abbreviations_in_a_headline_still_read_as_korean():
    text, encoding = decode("美 대통령, 北 핵 협상 재개 시사\n".encode("cp949"), "h.txt")
    assert (text, encoding) == ("美 대통령, 北 핵 협상 재개 시사\n", "euc-kr")


def test_bad_utf16_names_the_offset():
    data = codecs.BOM_UTF16_LE + "가나".encode("utf-16-le") + b"\x00\xd8"  # lone high surrogate
    with pytest.raises(InputError, match=r"^u\.txt: not valid UTF-16 \(byte offset 6\)$") as info:
        decode(data, "u.txt")
    assert str(info.value) == "u.txt: not valid UTF-16 (byte offset 6)"


def test_bad_utf8_after_bom_names_the_offset_in_the_file():
    data = codecs.BOM_UTF8 + b"ok \xff"
    with pytest.raises(InputError, match=r"^b\.txt: not valid UTF-8 \(byte offset 6\)$") as info:
        decode(data, "b.txt")
    assert str(info.value) == "b.txt: not valid UTF-8 (byte offset 6)"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.txt", "x.txt: empty file"),
        (codecs.BOM_UTF8, "x.txt", "x.txt: empty file"),
        (b" \r\n\t\n", "x.txt", "x.txt: no text to translate"),
        (codecs.BOM_UTF16_LE + "  \n".encode("utf-16-le"), "x.txt", "x.txt: no text to translate"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "x.png",
            "x.png: binary file (PNG image), not text",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "x.txt", "x.txt: binary file (PNG image), not text"),
        (b"GIF89a\x01\x00", "x.txt", "x.txt: binary file (GIF image), not text"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "x.txt", "x.txt: binary file (JPEG image), not text"),
        (b"%PDF-1.7\n%\xe2\xe3", "x.pdf", "x.pdf: binary file (PDF document), not text"),
        (b"PK\x03\x04\x14\x00", "x.txt", "x.txt: binary file (ZIP archive), not text"),
        (b"PK\x03\x04\x14\x00", "x.csv", "x.csv: binary file (ZIP archive), not text"),
        (
            b"abc\x00def",
            "x.txt",
            "x.txt: binary file (NUL byte at offset 3), not text; UTF-16 text needs a"
            " byte-order mark",
        ),
    ],
)
def test_refused_inputs_give_one_exact_line(data, name, message):
    with pytest.raises(InputError, match=f"^{re.escape(message)}$") as info:
        read_bytes(data, name, column="ko")
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_utf16_without_bom_is_refused_not_misread():
    with pytest.raises(InputError, match="NUL byte at offset 1"):
        decode("abc 기사".encode("utf-16-le"), "w.txt")
