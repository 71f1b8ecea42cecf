"""The bad-input table of issue #6: each input file, and the outcome it must have everywhere.

Every case is answered in one of two ways, by the CLI (`transdesk translate`, `transdesk import`)
and by the web upload alike:

- `Translated`: the file is translated. Where the case is the article in another encoding,
  line ending or Unicode normal form, the translation must equal that of the plain UTF-8
  article (`same_as`), with the input's own line breaks;
- `Refused`: one error line that starts with the file's name and matches `message` (which
  names the line or byte offset where there is one), exit code 3 (bad input, README), and no
  output file or document at all.

The web upload only takes .txt, .docx and XLIFF (`UPLOAD_TYPES` of the Documents page); other
extensions never reach the app's reader (`web_type_refused`): the browser does not offer them
and Streamlit's server refuses a forged one by extension.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXIT_BAD_INPUT = 3

# A short article written for the project (samples/README.md); EUC-KR can encode all of it.
ARTICLE = (ROOT / "samples" / "economy.txt").read_text(encoding="utf-8")
# 똠 is outside EUC-KR's 2,350 syllables: a file holding it needs CP949.
CP949_LINE = "그는 동네에서 똠방각하라는 별명으로 불렸다고 회고했습니다."
# Scripts, emoji, ZWJ sequences, flags, skin tones, variation selectors, RTL text, old Hangul
# jamo that have no precomposed syllable, a zero-width space, and NFD Hangul.
MIXED = "\n".join(
    [
        "삼성전자(Samsung Electronics)는 東京·北京·Москва·القاهرة에 지사를 둔다.",
        "가족 이모지 👨‍👩‍👧‍👦 와 무지개 깃발 🏳️‍🌈, 국기 🇰🇷🇺🇸, 피부색 👍🏽 를 썼다.",
        "옛 한글 ᄒᆞᆫ글 과 아래아 ᆞ 는 조합형으로만 쓴다.",
        "제로\u200b너비 공백과 \u2028 줄 구분자가 있는 문장이다.",
        unicodedata.normalize("NFD", "풀어 쓴 한글 자모로 적힌 문장이다."),
        "수식 x² + y² = z², 화폐 ₩1,000 과 €5, 단위 ㎞ 와 ℃.",
    ]
)
# A "secret" an XXE payload would try to pull into the output.
SECRET_MARKER = "TOPSECRET-robustness-7a1f"


@dataclass(frozen=True)
class Translated:
    """The file is translated; `same_as` names the case whose translation it must equal."""

    same_as: str | None = None


@dataclass(frozen=True)
class Refused:
    """One error line `<name>: …` matching `message`, exit code 3, no output."""

    message: str


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    data: bytes
    outcome: Translated | Refused
    web_type_refused: bool = False

    @property
    def refused(self) -> bool:
        return isinstance(self.outcome, Refused)

    def message(self, name: str) -> re.Pattern:
        """The error line (without "Error: ") for a file called `name`, matched from its start."""
        assert isinstance(self.outcome, Refused)
        return re.compile(re.escape(name) + r": " + self.outcome.message)


def _png() -> bytes:
    header = b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
    return b"\x89PNG\r\n\x1a\n" + header + bytes(40)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _invalid_utf8() -> tuple[bytes, int]:
    prefix = "첫 줄은 멀쩡하다.\n둘째 줄에서 ".encode()
    return prefix + b"\xff\xfe\xfd" + " 깨진다.\n".encode(), len(prefix)


def _nul() -> tuple[bytes, int]:
    prefix = "서울은 맑다.\n".encode()
    return prefix + b"\x00\x00" + "부산은 흐리다.\n".encode(), len(prefix)


MALFORMED_XLIFF_LINE = 6
MALFORMED_XLIFF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
    '<file original="a.txt" source-language="ko" target-language="en" datatype="plaintext">\n'
    "<body>\n"
    '<trans-unit id="1"><source>서울은 맑다.</source></trans-unit>\n'
    '<trans-unit id="2"><source>부산은 흐리다.</target></trans-unit>\n'
    "</body></file></xliff>\n"
).encode()


def xxe_xliff(secret_path: Path) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret_path}">]>\n'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        '<file original="a.txt" source-language="ko" target-language="en" datatype="plaintext">'
        '<body><trans-unit id="1"><source>비밀: &xxe;</source></trans-unit></body></file>'
        "</xliff>\n"
    ).encode()


def billion_laughs() -> bytes:
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY l0 "lol">' + levels + "]>\n"
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
        'source-language="ko" datatype="plaintext"><body><trans-unit id="1"><source>&l9;'
        "</source></trans-unit></body></file></xliff>\n"
    ).encode()


WRONG_LANGUAGE_TMX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="x" '
    'creationtoolversion="1" datatype="plaintext" segtype="sentence" adminlang="en" '
    'srclang="ja" o-tmf="x"/><body>\n'
    '<tu><tuv xml:lang="ja"><seg>東京は晴れ。</seg></tuv><tuv xml:lang="zh-CN"><seg>东京晴。</seg>'
    "</tuv></tu>\n</body></tmx>\n"
).encode()

# XLIFF 2 writes characters XML cannot hold as <cp hex="…"/>; a surrogate is no character at all
# (and once decoded, nothing downstream could encode it as UTF-8).
CP_SURROGATE_XLIFF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ko">'
    '<file id="f"><unit id="1"><segment><source>서울은 <cp hex="D800"/>맑다.</source></segment>'
    '</unit><unit id="2"><segment><source>종<cp hex="1"/>이 울린다.</source></segment></unit>'
    "</file></xliff>\n"
).encode()

BROKEN_JSONL = (
    '{"id": 1, "ko": "서울은 맑다."}\n'
    '{"id": 2, "ko": "부산은 흐리다."}\n'
    '{"id": 3, "ko": "대구는 덥다.\n'
    '{"id": 4, "ko": "광주는 비가 온다."}\n'
).encode()


def entity_docx() -> bytes:
    """A Word file whose document.xml declares an entity and uses it in its second paragraph
    (#13: it was read as one paragraph, the other silently dropped)."""
    import docx

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY e "부산은 흐리다.">]>'
        f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>서울은 맑다.</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    base = io.BytesIO()
    docx.Document().save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    return _zip(
        {
            info.filename: document if info.filename == "word/document.xml" else source.read(info)
            for info in source.infolist()
        }
    )


# U+0000 as XLIFF 2 writes it (#13: PostgreSQL cannot store it).
CP_NUL_XLIFF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ko">'
    '<file id="f"><unit id="1"><segment><source>서울은 맑다.</source></segment></unit>'
    '<unit id="2"><segment><source>종<cp hex="0"/>이 울린다.</source></segment></unit>'
    "</file></xliff>\n"
).encode()
NUL_CHAR = r"contains a NUL character \(U\+0000\) at character {}, which cannot be stored$"


def _utf16(text: str, order: str) -> bytes:
    bom = codecs.BOM_UTF16_LE if order == "le" else codecs.BOM_UTF16_BE
    return bom + text.encode(f"utf-16-{order}")


def _lines(text: str, newline: str) -> bytes:
    return text.replace("\n", newline).encode("utf-8")


def _refused(id_: str, name: str, data: bytes, message: str, *, web_type: bool = False) -> Case:
    return Case(id_, name, data, Refused(message), web_type_refused=web_type)


BINARY = r"binary file \({}\), not text$"
NOT_WORD = r"not a Word \(\.docx\) file$"
ENTITIES = r"XML with entity declarations is refused$"


def cases(secret_path: Path) -> list[Case]:
    """The whole table; `secret_path` is a file the XXE case tries to read.

    The CLI gets `--field ko --column ko` for the JSONL and CSV cases.
    """
    invalid, invalid_at = _invalid_utf8()
    nul, nul_at = _nul()
    cp949_text = ARTICLE + CP949_LINE + "\n"
    article = ARTICLE.encode()
    return [
        # The reference translations.
        Case("article", "article.txt", article, Translated()),
        Case("cp949_reference", "cp949_reference.txt", cp949_text.encode(), Translated()),
        Case("mixed", "mixed.txt", (MIXED + "\n").encode(), Translated()),
        Case("xliff_cp_surrogate", "codes.xlf", CP_SURROGATE_XLIFF, Translated()),
        # Encodings, BOMs, line endings and normal forms of the same article.
        Case("utf8_bom", "utf8_bom.txt", codecs.BOM_UTF8 + article, Translated("article")),
        Case("euc_kr", "euc_kr.txt", ARTICLE.encode("euc-kr"), Translated("article")),
        Case("cp949", "cp949.txt", cp949_text.encode("cp949"), Translated("cp949_reference")),
        Case("utf16_le", "utf16_le.txt", _utf16(ARTICLE, "le"), Translated("article")),
        Case("utf16_be", "utf16_be.txt", _utf16(ARTICLE, "be"), Translated("article")),
        Case("crlf", "crlf.txt", _lines(ARTICLE, "\r\n"), Translated("article")),
        Case("lone_cr", "lone_cr.txt", _lines(ARTICLE, "\r"), Translated("article")),
        # Combining jamo: the same Korean, decomposed.
        Case(
            "nfd", "nfd.txt", unicodedata.normalize("NFD", ARTICLE).encode(), Translated("article")
        ),
        # Refused.
        _refused("empty", "empty.txt", b"", r"empty file$"),
        _refused(
            "whitespace", "whitespace.txt", " \n\t\r\n\u3000\n".encode(), r"no text to translate$"
        ),
        _refused("png", "photo.png", _png(), BINARY.format("PNG image"), web_type=True),
        _refused("png_named_txt", "photo.txt", _png(), BINARY.format("PNG image")),
        _refused(
            "zip", "archive.zip", _zip({"a.txt": b"x"}), BINARY.format("ZIP archive"), web_type=True
        ),
        _refused("pdf", "report.pdf", _pdf(), BINARY.format("PDF document"), web_type=True),
        _refused("pdf_named_txt", "report.txt", _pdf(), BINARY.format("PDF document")),
        _refused(
            "invalid_utf8",
            "invalid_utf8.txt",
            invalid,
            rf"not valid UTF-8\b.*\(byte offset {invalid_at}\)",
        ),
        _refused("nul", "nul.txt", nul, rf"binary file \(NUL byte at offset {nul_at}\)"),
        _refused(
            "malformed_xliff",
            "malformed.xlf",
            MALFORMED_XLIFF,
            rf"malformed XML at line {MALFORMED_XLIFF_LINE}: ",
        ),
        _refused("xxe", "xxe.xlf", xxe_xliff(secret_path), ENTITIES),
        _refused("billion_laughs", "laughs.xlf", billion_laughs(), ENTITIES),
        _refused(
            "tmx_wrong_languages",
            "memory.tmx",
            WRONG_LANGUAGE_TMX,
            r"no Korean \(ko\) segments; languages found: ja, zh-cn$",
            web_type=True,
        ),
        _refused(
            "csv_no_column",
            "table.csv",
            "id,text\n1,서울은 맑다.\n".encode(),
            r"no column 'ko' \(columns: id, text\)$",
            web_type=True,
        ),
        _refused(
            "jsonl_broken_line",
            "news.jsonl",
            BROKEN_JSONL,
            r"line 3 is not valid JSON \(.*\)$",
            web_type=True,
        ),
        # Issue #13: entities in a Word file; NUL, which no database here can store.
        _refused(
            "docx_entities",
            "entities.docx",
            entity_docx(),
            r"Word file part word/document\.xml declares a DTD or entities; refused$",
        ),
        _refused(
            "utf16_nul",
            "utf16_nul.txt",
            _utf16("서울은 맑다.\n부산은\x00 흐리다.\n", "le"),
            "line 2: " + NUL_CHAR.format(4),
        ),
        _refused("xliff_cp_nul", "cp_nul.xlf", CP_NUL_XLIFF, "unit id=2: " + NUL_CHAR.format(2)),
        _refused("docx_not_word", "letter.docx", "워드 파일이 아니다.".encode(), NOT_WORD),
        _refused("docx_zip_not_word", "archive.docx", _zip({"readme.txt": b"hello"}), NOT_WORD),
    ]


def case_ids(*, refused: bool | None = None) -> list[str]:
    """Case ids to parametrize tests with (the XXE case's secret path does not matter here)."""
    return [c.id for c in cases(Path("/nonexistent")) if refused is None or c.refused == refused]
