"""Readers and writers of txt, docx, jsonl, csv/tsv: round trips, conversions, errors, atomicity."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mt.errors import InputError, TransdeskError, UnsupportedFormat
from mt.formats import (
    FORMATS,
    csv_safe,
    detect_format,
    read,
    read_bytes,
    write,
)
from tests.conftest import shared_lines

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, str]]:
    """Eight aligned (Korean, English) sentence pairs from NTREX-128."""
    ko, en = shared_lines("ntrex128", "ko", 8), shared_lines("ntrex128", "en", 8)
    return list(zip(ko, en, strict=True))


def units_of(parsed) -> list[str]:
    return [u.text for u in parsed.units]


# ---- format detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "explicit", "expected"),
    [
        ("a.txt", None, "txt"),
        ("A.TEXT", None, "txt"),
        ("a.docx", None, "docx"),
        ("a.ndjson", None, "jsonl"),
        ("a.tsv", None, "tsv"),
        ("a.xlf", None, "xliff"),
        ("a.sdlxliff", None, "xliff"),
        ("a.tmx", None, "tmx"),
        ("<stdin>", None, "txt"),
        ("README", None, "txt"),
        ("a.dat", "csv", "csv"),
        ("a.txt", ".XLF", "xliff"),
        ("a.txt", "jsonl", "jsonl"),
    ],
)
def test_detect_format(name, explicit, expected):
    assert detect_format(name, explicit) == expected


def test_every_registered_extension_has_a_known_format():
    assert set(FORMATS.values()) == {"txt", "docx", "jsonl", "csv", "tsv", "xliff", "tmx"}


def test_unknown_extension_and_format_are_one_line_errors():
    error = (
        r"^slides\.pptx: unsupported file type '\.pptx' \(supported: \.txt, \.text, \.docx, "
        r"\.jsonl, \.ndjson, \.csv, \.tsv, \.xlf, \.xliff, \.sdlxliff, \.tmx\)$"
    )
    with pytest.raises(UnsupportedFormat, match=error) as info:
        detect_format("slides.pptx")
    assert str(info.value).startswith("slides.pptx: unsupported file type '.pptx' (supported: ")
    error = r"^a\.txt: unknown format 'pdf' \(formats: txt, docx, jsonl, csv, tsv, xliff, tmx\)$"
    with pytest.raises(UnsupportedFormat, match=error) as info:
        detect_format("a.txt", "pdf")
    assert str(info.value) == (
        "a.txt: unknown format 'pdf' (formats: txt, docx, jsonl, csv, tsv, xliff, tmx)"
    )


def test_missing_file_and_folder(tmp_path):
    error = f"^{re.escape(str(tmp_path / 'gone.txt'))}: no such file$"
    with pytest.raises(InputError, match=error) as info:
        read(tmp_path / "gone.txt")
    assert str(info.value) == f"{tmp_path / 'gone.txt'}: no such file"
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(InputError, match=r"is a folder, not a file$"):
        read(tmp_path / "dir.txt")


# ---- txt ----------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "lone-cr"])
@pytest.mark.parametrize("final", [True, False], ids=["final-newline", "no-final-newline"])
def test_txt_round_trip_is_byte_exact(pairs, newline, final):
    ko = [k for k, _ in pairs[:4]]
    lines = ["", ko[0], "", "", "  " + ko[1] + " ", ko[2], "   ", ko[3]]
    data = (newline.join(lines) + (newline if final else "")).encode()
    parsed = read_bytes(data, "news.txt")
    assert units_of(parsed) == ko
    assert [u.where for u in parsed.units] == ["line 2", "line 5", "line 6", "line 8"]
    assert write(parsed, units_of(parsed), None) == data
    assert units_of(read_bytes(write(parsed, units_of(parsed), None), "again.txt")) == ko


def test_txt_translation_keeps_layout_line_for_line(pairs):
    ko = [k for k, _ in pairs]
    en = dict(pairs)
    data = ("\r\n\r\n".join(ko) + "\r\n").encode("cp949", errors="strict")
    parsed = read_bytes(data, "news.txt")
    out = write(parsed, [en[u.text] for u in parsed.units], None)
    expected = "\r\n\r\n".join(en[k] for k in ko) + "\r\n"
    assert out == expected.encode("utf-8")  # UTF-8 out whatever came in, CRLF kept
    assert units_of(read_bytes(out, "news.en.txt", force_source_language=True)) == [
        en[k] for k in ko
    ]


def test_txt_translation_line_breaks_become_spaces():
    parsed = read_bytes("가\n나\n".encode(), "t.txt")
    assert write(parsed, ["A\nB", "C\r\nD"], None) == b"A B\nC D\n"


def test_wrong_number_of_targets_is_a_programming_error():
    parsed = read_bytes("가\n나\n".encode(), "t.txt")
    with pytest.raises(ValueError, match=r"t\.txt: 1 translations for 2 units"):
        write(parsed, ["A"], None)


# ---- jsonl --------------------------------------------------------------------------------


def test_jsonl_round_trip_and_translation_key(pairs):
    rows = [
        {"id": n, "ko": ko, "meta": {"src": "ntrex", "ok": True}}
        for n, (ko, _) in enumerate(pairs[:3])
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode() + b"\n\n"
    parsed = read_bytes(data, "news.jsonl", field="ko")
    assert units_of(parsed) == [r["ko"] for r in rows]
    assert [u.where for u in parsed.units] == ["line 1", "line 2", "line 3"]

    en = dict(pairs)
    out = write(parsed, [en[u.text] for u in parsed.units], None)
    lines = out.decode().split("\n")
    objects = [json.loads(line) for line in lines if line]
    assert [list(o) for o in objects] == [["id", "ko", "meta", "translation"]] * 3
    assert [o["translation"] for o in objects] == [en[r["ko"]] for r in rows]
    assert [o["meta"] for o in objects] == [r["meta"] for r in rows]
    assert lines[3] == ""  # the blank line stays
    assert units_of(read_bytes(out, "o.jsonl", field="ko", force_source_language=True)) == units_of(
        parsed
    )
    assert units_of(
        read_bytes(out, "o.jsonl", field="translation", force_source_language=True)
    ) == [en[r["ko"]] for r in rows]


def test_jsonl_replaces_an_existing_translation_in_place_and_skips_empty_fields():
    data = b'{"translation": "old", "ko": "\xea\xb0\x80"}\n{"ko": "", "x": 1}\n{"ko": null}\n'
    parsed = read_bytes(data, "t.jsonl", field="ko")
    assert units_of(parsed) == ["가"]
    out = write(parsed, ["new"], None).decode().splitlines()
    assert out == [
        '{"translation": "new", "ko": "가"}',
        '{"ko": "", "x": 1, "translation": ""}',
        '{"ko": null, "translation": null}',
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (b'{"ko": "a"}\n{"en": "b"}\n', "ko", "x.jsonl: line 2 has no field 'ko'"),
        (
            b'{"ko": "a"}\n{"ko": "b",}\n',
            "ko",
            "x.jsonl: line 2 is not valid JSON (Expecting property name enclosed in double"
            " quotes at column 12)",
        ),
        (b'{"ko": "a"}\n["b"]\n', "ko", "x.jsonl: line 2 is an array, not a JSON object"),
        (b'{"ko": 5}\n', "ko", "x.jsonl: line 1: field 'ko' is a number, not text"),
        (
            b'{"id": 1, "ko": "a"}\n',
            None,
            "x.jsonl: no field named for the text to translate (fields in line 1: id, ko)",
        ),
        (
            b'{"ko": ""}\n',
            "ko",
            "x.jsonl: no text to translate (field 'ko' is empty on every line)",
        ),
        (b"[" * 100_000 + b"\n", "ko", "x.jsonl: line 1 is not valid JSON (nested too deeply)"),
    ],
)
def test_jsonl_errors(data, field, message):
    with pytest.raises(InputError, match=f"^{re.escape(message)}$") as info:
        read_bytes(data, "x.jsonl", field=field)
    assert str(info.value) == message


# ---- csv / tsv ----------------------------------------------------------------------------


def test_csv_round_trip_with_quoting(pairs):
    ko = [k for k, _ in pairs[:3]]
    cells = [ko[0], f'{ko[1]}, "인용"', f"{ko[2]}\n둘째 줄"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "ko", "note"])
    writer.writerows([[str(n), c, "x,y"] for n, c in enumerate(cells)])
    data = buffer.getvalue().encode()
    parsed = read_bytes(data, "news.csv", column="ko")
    assert units_of(parsed) == cells
    assert [u.where for u in parsed.units] == ["row 2", "row 3", "row 4"]

    out = write(parsed, units_of(parsed), None)
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    assert rows[0] == ["id", "ko", "note", "translation"]
    assert [r[:3] for r in rows[1:]] == [[str(n), c, "x,y"] for n, c in enumerate(cells)]
    assert [r[3] for r in rows[1:]] == cells
    assert b"\r\n" in out  # line endings follow the input
    assert units_of(read_bytes(out, "again.csv", column="ko")) == cells


def test_tsv_translation_and_conversion_to_csv(pairs):
    en = dict(pairs)
    ko = [k for k, _ in pairs[:3]]
    data = ("id\tko\n" + "".join(f"{n}\t{k}\n" for n, k in enumerate(ko))).encode()
    parsed = read_bytes(data, "news.tsv", column="ko")
    assert parsed.format == "tsv"
    targets = [en[k] for k in units_of(parsed)]
    out = write(parsed, targets, None)
    assert (
        units_of(read_bytes(out, "o.tsv", column="translation", force_source_language=True))
        == targets
    )
    as_csv = write(parsed, targets, None, format="csv")
    assert (
        units_of(read_bytes(as_csv, "o.csv", column="translation", force_source_language=True))
        == targets
    )
    assert units_of(read_bytes(as_csv, "o.csv", column="ko")) == ko


def test_csv_fills_an_existing_translation_column_and_short_rows():
    data = "ko,translation,id\n가,,1\n나\n,,3\n".encode()
    parsed = read_bytes(data, "t.csv", column="ko")
    assert units_of(parsed) == ["가", "나"]
    out = write(parsed, ["A", "B"], None).decode().splitlines()
    assert out == ["ko,translation,id", "가,A,1", "나,B", ",,3"]


def test_csv_missing_column_lists_the_columns():
    data = "id,text\n1,가\n".encode()
    error = r"^news\.csv: no column 'ko' \(columns: id, text\)$"
    with pytest.raises(InputError, match=error) as info:
        read_bytes(data, "news.csv", column="ko")
    assert str(info.value) == "news.csv: no column 'ko' (columns: id, text)"
    error = r"^news\.csv: no column named for the text to translate \(columns: id, text\)$"
    with pytest.raises(InputError, match=error) as info:
        read_bytes(data, "news.csv")
    assert str(info.value) == (
        "news.csv: no column named for the text to translate (columns: id, text)"
    )


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("The = sign", "The = sign"),
        ("", ""),
    ],
)
def test_csv_safe(cell, safe):
    assert csv_safe(cell) == safe


def test_csv_output_neutralises_formulas_in_translations():
    parsed = read_bytes("ko\n가\n나\n다\n".encode(), "t.csv", column="ko")
    out = write(parsed, ["=1+1", "@x", "-5"], None).decode().splitlines()
    assert out == ["ko,translation", "가,'=1+1", "나,'@x", "다,-5"]


# ---- docx ---------------------------------------------------------------------------------


def make_docx(pairs) -> bytes:
    """A real Word file: a heading, mixed-format runs, an empty paragraph, a table."""
    import docx
    from docx.enum.text import WD_BREAK

    ko = [k for k, _ in pairs]
    document = docx.Document()
    document.add_heading(ko[0], level=1)
    p = document.add_paragraph(style="List Bullet")
    first = p.add_run(ko[1][:10])
    first.bold = True
    second = p.add_run(ko[1][10:])
    second.italic = True
    document.add_paragraph("")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = ko[2]
    table.cell(0, 1).text = ko[3]
    last = document.add_paragraph(ko[4])
    last.add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_units_in_document_order(pairs):
    parsed = read_bytes(make_docx(pairs), "story.docx")
    ko = [k for k, _ in pairs]
    assert parsed.format == "docx" and parsed.encoding == "binary"
    assert units_of(parsed) == [ko[0], ko[1], ko[2], ko[3], ko[4]]
    assert [u.where for u in parsed.units][:2] == ["paragraph 1", "paragraph 2"]


def test_docx_translation_keeps_styles_and_first_run_format(pairs, tmp_path):
    import docx

    en = dict(pairs)
    parsed = read_bytes(make_docx(pairs), "story.docx")
    targets = [en[u.text] for u in parsed.units]
    out = tmp_path / "story.en.docx"
    assert write(parsed, targets, out) is None
    assert units_of(read(out, force_source_language=True)) == targets

    document = docx.Document(str(out))
    body = [p for p in document.paragraphs if p.text.strip()]
    assert body[0].style.name == "Heading 1"
    assert body[1].style.name == "List Bullet"
    runs = body[1].runs
    # each run keeps its formatting and gets its share of the translation (#16)
    assert "".join(r.text for r in runs) == targets[1]
    assert runs[0].bold and runs[0].text and runs[1].italic
    cells = document.tables[0].rows[0].cells
    assert [c.text for c in cells] == targets[2:4]
    page_break = 'w:br w:type="page"'
    assert page_break in body[2]._p.xml  # the page break survives the rewrite


def test_docx_round_trip_with_sources(pairs):
    parsed = read_bytes(make_docx(pairs), "story.docx")
    again = read_bytes(write(parsed, units_of(parsed), None), "again.docx")
    assert units_of(again) == units_of(parsed)


@pytest.mark.parametrize(
    "data",
    [
        b"plain text, not a zip",
        b"PK\x03\x04 truncated zip",
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_not_a_word_file(data):
    with pytest.raises(InputError, match=r"^x\.docx: not a Word \(\.docx\) file$") as info:
        read_bytes(data, "x.docx")
    assert str(info.value) == "x.docx: not a Word (.docx) file"


def test_zip_without_a_document_is_not_a_word_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"^x\.docx: not a Word \(\.docx\) file$") as info:
        read_bytes(buffer.getvalue(), "x.docx")
    assert str(info.value) == "x.docx: not a Word (.docx) file"


def test_docx_without_text():
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(InputError, match=r"^blank\.docx: no text to translate$") as info:
        read_bytes(buffer.getvalue(), "blank.docx")
    assert str(info.value) == "blank.docx: no text to translate"


# ---- conversions --------------------------------------------------------------------------


def test_docx_to_txt_and_txt_to_docx(pairs, tmp_path):
    en = dict(pairs)
    parsed = read_bytes(make_docx(pairs), "story.docx")
    targets = [en[u.text] for u in parsed.units]
    text = write(parsed, targets, tmp_path / "story.txt")
    assert text is None
    assert (tmp_path / "story.txt").read_text(encoding="utf-8") == "\n".join(targets) + "\n"

    txt = read(tmp_path / "story.txt", force_source_language=True)
    write(txt, [u.text.upper() for u in txt.units], tmp_path / "upper.docx")
    assert units_of(read(tmp_path / "upper.docx", force_source_language=True)) == [
        t.upper() for t in targets
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv", "xliff", "tmx"])
def test_txt_converts_to_every_bilingual_format(pairs, fmt):
    en = dict(pairs)
    parsed = read_bytes(("\n".join(en) + "\n").encode(), "news.txt")
    out = write(parsed, [en[u.text] for u in parsed.units], None, format=fmt)
    name = "out." + {"xliff": "xlf"}.get(fmt, fmt)
    options = {"field": "source", "column": "source"}
    assert units_of(
        read_bytes(out, name, **options, overwrite=frozenset({"any"}), force_source_language=True)
    ) == list(en)
    if fmt in ("jsonl", "csv", "tsv"):
        back = read_bytes(
            out, name, field="translation", column="translation", force_source_language=True
        )
        assert units_of(back) == list(en.values())


def test_output_format_from_the_out_extension_and_unknown_extension(tmp_path):
    parsed = read_bytes("가\n".encode(), "t.txt")
    write(parsed, ["A"], tmp_path / "t.jsonl")
    assert json.loads((tmp_path / "t.jsonl").read_text()) == {"source": "가", "translation": "A"}
    write(parsed, ["A"], tmp_path / "plain")  # no extension: the input's format
    assert (tmp_path / "plain").read_text() == "A\n"
    with pytest.raises(UnsupportedFormat, match=r"t\.pdf: unsupported file type '\.pdf'"):
        write(parsed, ["A"], tmp_path / "t.pdf")
    assert not (tmp_path / "t.pdf").exists()


# ---- atomic writes ------------------------------------------------------------------------


def test_write_leaves_no_temporary_file(tmp_path):
    parsed = read_bytes("가\n".encode(), "t.txt")
    write(parsed, ["A"], tmp_path / "out.txt")
    write(parsed, ["B"], tmp_path / "out.txt")  # replaces
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    assert (tmp_path / "out.txt").read_text() == "B\n"


def test_replaced_file_keeps_its_permissions(tmp_path):
    parsed = read_bytes("가\n".encode(), "t.txt")
    out = tmp_path / "out.txt"
    out.write_text("old")
    out.chmod(0o640)
    write(parsed, ["A"], out)
    assert out.stat().st_mode & 0o777 == 0o640


def test_failed_write_keeps_the_existing_file(tmp_path):
    parsed = read_bytes("가\n나\n".encode(), "t.txt")
    out = tmp_path / "out.txt"
    out.write_text("previous good output\n")
    with pytest.raises(ValueError, match=r"^t\.txt: 1 translations for 2 units$"):
        write(parsed, ["only one"], out)
    (tmp_path / "busy.txt").mkdir()  # a folder is refused before anything is written
    with pytest.raises(TransdeskError, match=r"busy\.txt: is a folder, not a file$"):
        write(parsed, ["A", "B"], tmp_path / "busy.txt")
    assert out.read_text() == "previous good output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy.txt", "out.txt"]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_write_failing_midway_keeps_the_existing_file(tmp_path):
    # A real short write: the file-size limit makes the kernel refuse bytes past 4 KiB.
    out = tmp_path / "out.txt"
    out.write_text("previous good output\n")
    script = textwrap.dedent(
        f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        from mt.errors import TransdeskError
        from mt.formats import read_bytes, write
        parsed = read_bytes("가\\n".encode(), "t.txt")
        try:
            write(parsed, ["x" * 100_000], {str(out)!r})
        except TransdeskError as e:
            print(e)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == f"{out}: cannot write (File too large)"
    assert out.read_text() == "previous good output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_new_file_gets_umask_permissions(tmp_path):
    parsed = read_bytes("가\n".encode(), "t.txt")
    write(parsed, ["A"], tmp_path / "new.txt")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o666 & ~umask


# ---- fuzz: any bytes, only InputError -----------------------------------------------------

TEXT_FORMATS = ["t.txt", "t.jsonl", "t.csv", "t.tsv", "t.docx"]


def only_input_errors(data: bytes, name: str) -> None:
    try:
        parsed = read_bytes(data, name, field="ko", column="ko")
    except InputError as e:
        assert "\n" not in str(e) and str(e).startswith(name)
        return
    # Whatever was read must write back without error.
    write(parsed, [u.text for u in parsed.units], None)


@pytest.mark.parametrize("name", TEXT_FORMATS)
@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_bytes(name, data):
    only_input_errors(data, name)


@pytest.mark.parametrize("name", TEXT_FORMATS)
@FUZZ
@given(text=st.text(max_size=200))
def test_fuzz_text(name, text):
    only_input_errors(text.encode("utf-8", errors="surrogatepass"), name)


@pytest.mark.parametrize("name", ["t.jsonl", "t.csv"])
@FUZZ
@given(
    rows=st.lists(
        st.dictionaries(st.sampled_from(["ko", "id", "x"]), st.text(max_size=20), max_size=3),
        max_size=5,
    ),
    cut=st.integers(min_value=0, max_value=200),
)
def test_fuzz_structured_near_misses(name, rows, cut):
    if name.endswith(".jsonl"):
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    else:
        text = "ko,id\n" + "\n".join(",".join(r.values()) for r in rows)
    only_input_errors(text.encode()[:cut], name)
    only_input_errors(text.encode(), name)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6))
def test_fuzz_corrupted_docx(flips, pairs):
    data = bytearray(_DOCX_CACHE.setdefault("docx", make_docx(pairs)))
    for position, value in flips:
        data[position % len(data)] = value
    only_input_errors(bytes(data), "t.docx")


_DOCX_CACHE: dict[str, bytes] = {}
