"""The remaining cases of issue #13 through the real CLI (and the store under the web app).

1. Memory: a small .docx of ~40 million empty paragraphs and a 50 MB single line are refused
   with one line and exit 3, each read's peak RSS measured (`os.wait4`) under 1 GB; files just
   under the limits of `mt.formats.limits` are read under 1 GB too.
4. `report --format csv` neutralises formula names (ungrouped and by every grouping); no
   module but mt/csvsafe.py calls `csv.writer`.
5. NUL (U+0000) in a JSONL field, a UTF-16 text, an XLIFF 2 `<cp hex="0"/>`: refused before any
   model loads (a missing model would be exit 4), on SQLite and PostgreSQL imports alike.
7. Output into a missing folder, a folder nobody can write, and a disk that fills up: one line,
   checked before the model loads where it can be.
8. A FIFO as input to translate, import, check, eval, tm import, glossary import and
   import-xliff: refused at once, never read.
9. A .docx with entity declarations, in its document or any other part: refused.
11. The web app's glossary upload and XLIFF import read from memory: no temporary file.
"""

from __future__ import annotations

import io
import os
import re
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.termbase import import_glossary
from tests.conftest import TRANSDESK, run_cli_process
from tests.robustness.cases import ARTICLE, ROOT
from tests.robustness.conftest import model_options

GB = 2**30
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A Word file made by python-docx with its document.xml (and any part) replaced."""
    import docx

    base = io.BytesIO()
    docx.Document().save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = document_xml
            data = (extra or {}).get(info.filename, data)
            z.writestr(info.filename, data)
    return out.getvalue()


def _paragraph_bomb(paragraphs: int) -> bytes:
    """~`paragraphs` empty paragraphs, streamed into the zip (a 240 MB part, ~350 KB zipped)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w") as f:
            f.write(f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>'.encode())
            block = b"<w:p/>" * 100_000
            for _ in range(paragraphs // 100_000):
                f.write(block)
            f.write(b"</w:body></w:document>")
    return out.getvalue()


# Linux starts a forked child's peak RSS (ru_maxrss) at its parent's size, and exec keeps it: a
# command started straight from this test process (by then gigabytes, after the rest of the
# suite) would report that size. A small launcher process starts the command and reports the
# command's own peak, from os.wait4.
LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss * 1024))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _measured(
    command: list[str], peak_file: Path, **kwargs
) -> tuple[subprocess.CompletedProcess, int]:
    """Run `command` through the launcher: (its result, its peak RSS in bytes)."""
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(peak_file), *command], timeout=600, **kwargs
    )
    return result, int(peak_file.read_text())


def _peak(args: list[str], **kwargs) -> tuple[int, str, int]:
    """(exit code, stderr, peak RSS in bytes) of one CLI run, measured by the kernel."""
    err_path = Path(kwargs.pop("err"))
    with err_path.open("wb") as err:
        result, peak = _measured(
            [*TRANSDESK, *args], err_path.with_suffix(".peak"),
            stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT,
        )  # fmt: skip
    return result.returncode, err_path.read_text(), peak


# --- 1. bounded memory ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["docx_bomb", "line_50mb"])
def test_huge_inputs_are_refused_in_bounded_memory(kind, tmp_path):
    if kind == "docx_bomb":
        path = tmp_path / "bomb.docx"
        path.write_bytes(_paragraph_bomb(40_000_000))
        assert path.stat().st_size < 1_000_000
        message = r"Word document has over 50,000 paragraphs, over the limit"
    else:
        path = tmp_path / "line.txt"
        line = "서울은 맑고 부산은 흐리다. "
        path.write_bytes((line * (50 * 2**20 // len(line.encode()) + 1)).encode())
        message = r"file of 50(\.\d+)? MB is over the 32 MB limit"
    db = tmp_path / "store.db"
    code, err, peak = _peak(
        ["import", str(path), "--db", f"sqlite:///{db}", "--model", "/nonexistent"],
        err=tmp_path / "err",
    )
    assert code == 3, err
    assert err.count("\n") == 1 and re.fullmatch(
        rf"Error: {re.escape(str(path))}: {message}\n", err
    ), err
    assert peak < GB, f"peak RSS {peak / 2**20:.0f} MB"
    assert not db.exists()


READ = """
import sys
from mt.formats import read
print(len(read(sys.argv[1], field="ko").units))
"""


def _near_limit_files(folder: Path) -> dict[str, Path]:
    """Files just under the limits: a 32 MB line, a 32 MB JSONL, an XLIFF and a Word file of
    nearly 2,000,000 tags."""
    line = "서울은 맑고 부산은 흐리다. "
    files = {}
    files["line.txt"] = (line * ((32 * 2**20 - 64) // len(line.encode()))).encode() + b"\n"
    row = ('{"ko": "' + line * 20 + '"}\n').encode()
    files["rows.jsonl"] = row * ((32 * 2**20 - 64) // len(row))
    unit = "".join(f'{c}<x id="{i}"/>' for i, c in enumerate("가나다라마바사"))
    units = "".join(
        f'<trans-unit id="{n}"><source>{unit}</source></trans-unit>' for n in range(108_000)
    )
    files["tags.xlf"] = (
        '<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        f'<file original="a" source-language="ko" datatype="plaintext"><body>{units}'
        "</body></file></xliff>"
    ).encode()
    para = "<w:p>" + "<w:r><w:t>가나다</w:t></w:r>" * 19 + "</w:p>"
    files["big.docx"] = _docx(
        f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>{para * 24_500}'
        "</w:body></w:document>".encode()
    )
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


@pytest.mark.slow
def test_files_just_under_the_limits_are_read_under_1_gb(tmp_path):
    for name, path in _near_limit_files(tmp_path).items():
        result, peak = _measured(
            [sys.executable, "-c", READ, str(path)], tmp_path / f"{name}.peak",
            capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert result.returncode == 0, (name, result.stderr.decode()[-2000:])
        assert int(result.stdout) > 0
        assert peak < GB, f"{name}: peak RSS {peak / 2**20:.0f} MB"


# --- 4. one CSV writer ----------------------------------------------------------------------


def test_report_by_editor_csv_neutralises_formula_names(store_url, tmp_path):
    from tests.store.conftest import TableEngine

    name = '=HYPERLINK("http://evil.example","x")'
    with repo.open_store(store_url) as store:
        doc = drafting.create_document(
            store, "한 문장이다.", title="t", created_by=name,
            engine=TableEngine("@model+1", {"한 문장이다.": "A sentence."}),
        )  # fmt: skip
        (seg,) = repo.list_segments(store, doc)
        revising.save_segment(store, seg.id, "One sentence.", editor=name, base_version=1)
    for by in ("editor", "model"):
        result = run_cli_process("report", "--by", by, "--format", "csv", "--db", store_url)
        assert result.returncode == 0, result.stderr.decode()
        import csv

        cells = [c for row in csv.reader(io.StringIO(result.stdout.decode())) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], cells
        assert any(c.startswith("'=HYPERLINK") or c.startswith("'@model") for c in cells)


@pytest.mark.parametrize("by", [None, "editor", "step", "model", "document", "day"])
def test_report_csv_cells_are_inert_whatever_the_grouping(store_url, by):
    """`report --format csv` goes through the one CSV writer for every grouping: a person's or
    a model's name that looks like a formula (also inside a list cell, the editors of a step)
    comes out with a leading "'"; only plain numbers may start with "-" or "+"."""
    from mt.csvsafe import csv_safe
    from tests.store.conftest import TableEngine

    name = "=cmd|' /C calc'!A0"
    with repo.open_store(store_url) as store:
        doc = drafting.create_document(
            store, "한 문장이다.", title="=1+1", created_by=name,
            engine=TableEngine("+model", {"한 문장이다.": "A sentence."}),
        )  # fmt: skip
        (seg,) = repo.list_segments(store, doc)
        revising.save_segment(store, seg.id, "One sentence.", editor=name, base_version=1)
    result = run_cli_process(
        "report", *(["--by", by] if by else []), "--format", "csv", "--db", store_url
    )
    assert result.returncode == 0, result.stderr.decode()
    import csv

    cells = [c for row in csv.reader(io.StringIO(result.stdout.decode())) for c in row]
    assert [c for c in cells if csv_safe(c) != c] == [], cells  # nothing left to neutralise
    assert not [c for c in cells if c.startswith(("=", "@", "\t", "\r"))], cells
    if by in ("editor", "step", "model"):
        assert any(c.startswith(("'=cmd", "'+model")) for c in cells), cells


def test_no_module_writes_csv_but_the_one_writer():
    writers = []
    for path in [*ROOT.joinpath("mt").rglob("*.py"), *ROOT.joinpath("ui").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.writer|DictWriter|\.to_csv\(", text):
            writers.append(path.relative_to(ROOT).as_posix())
    assert writers == ["mt/csvsafe.py"]


# --- 5. NUL and other characters a database cannot store -----------------------------------

NUL_INPUTS = {
    "news.jsonl": ('{"ko": "서울은 맑다."}\n{"ko": "부산은\\u0000 흐리다."}\n'.encode(), "line 2"),
    "utf16.txt": ("\ufeff서울은 맑다.\n부산은\x00 흐리다.\n".encode("utf-16-le"), "line 2"),
    "codes.xlf": (
        b'<?xml version="1.0"?><xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" '
        b'version="2.0" srcLang="ko"><file id="f"><unit id="1"><segment><source>'
        b'\xec\x84\x9c\xec\x9a\xb8<cp hex="0"/></source></segment></unit></file></xliff>',
        "unit id=1",
    ),
}


@pytest.mark.parametrize("name", sorted(NUL_INPUTS))
def test_nul_is_refused_before_the_model_loads(name, store_url, tmp_path):
    data, where = NUL_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    for command in (["translate", str(path), "-o", str(tmp_path / f"out-{name}")],
                    ["import", str(path), "--db", store_url]):  # fmt: skip
        result = run_cli_process(*command, "--model", "/nonexistent", "--field", "ko")
        err = result.stderr.decode()
        assert result.returncode == 3, err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert err.startswith(f"Error: {path}: {where}") and "NUL character (U+0000)" in err, err
    assert not (tmp_path / f"out-{name}").exists()
    with repo.open_store(store_url) as store:
        assert repo.list_documents(store) == []


def test_the_store_refuses_nul_at_every_entry(store_url):
    from mt.errors import InputError
    from tests.store.conftest import TableEngine

    with repo.open_store(store_url) as store:
        doc = drafting.create_document(store, "한 문장이다.", title="t", created_by="kim",
                                   engine=TableEngine("m", {"한 문장이다.": "A."}))  # fmt: skip
        (seg,) = repo.list_segments(store, doc)
        calls = {
            "sign-in name": lambda: repo.add_user(store, "ki\x00m", password="long enough"),
            "save": lambda: revising.save_segment(
                store, seg.id, "A\x00.", editor="kim", base_version=1
            ),
            "comment": lambda: repo.add_comment(store, seg.id, "a\x00b", editor="kim"),
            "title": lambda: drafting.create_document(
                store, "둘.", title="t\x00", engine=None, created_by="kim"
            ),
            "glossary": lambda: import_glossary(
                store, "g.csv", data="ko,en\n서울,Seo\x00ul\n".encode("utf-16")
            ),
        }
        for what, call in calls.items():
            with pytest.raises(InputError, match=r"NUL character \(U\+0000\)"):
                call()
            assert repo.get_segment(store, seg.id).version == 1, what
        assert repo.authenticate(store, "ki\x00m", "long enough") is None  # no DataError


# --- 7. output locations and write errors ---------------------------------------------------


def test_output_into_a_missing_folder_fails_before_the_model_loads(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "missing" / "a.en.txt"
    result = run_cli_process("translate", str(src), "-o", str(out), "--model", "/nonexistent")
    assert result.returncode == 1
    assert result.stderr.decode() == f"Error: {out}: folder {out.parent} does not exist\n"


def _unwritable_folder(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "readonly"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    folder = Path("/sys")  # root ignores permission bits; sysfs refuses new files to anyone
    try:
        (folder / "transdesk-probe").open("w").close()
    except OSError:
        return folder
    pytest.skip("no folder here refuses root")


def test_output_into_an_unwritable_folder_fails_before_the_model_loads(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    out = _unwritable_folder(tmp_path) / "a.en.txt"
    result = run_cli_process("translate", str(src), "-o", str(out), "--model", "/nonexistent")
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert re.fullmatch(rf"Error: {re.escape(str(out))}: cannot write in .*\n", err), err


def _limit_file_size(limit: int):
    def apply() -> None:  # a "full disk": writes past `limit` bytes fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
@pytest.mark.parametrize("limit", [0, 2000])
def test_a_full_disk_is_one_line(limit, tiny_model_dir, tmp_path):
    """0: the checkpoint's first record fails; 2000: the output file itself fails."""
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE * 3, encoding="utf-8")
    out = tmp_path / "out" / "a.en.txt"
    out.parent.mkdir()
    # Once without a limit, so the model's CTranslate2 conversion is cached before the disk fills.
    warm = run_cli_process("translate", str(src), "-o", str(tmp_path / "warm.txt"),
                   *model_options(tiny_model_dir), "--quiet")  # fmt: skip
    assert warm.returncode == 0, warm.stderr.decode()
    result = subprocess.run(
        [*TRANSDESK, "translate", str(src), "-o", str(out), *model_options(tiny_model_dir),
         "--quiet"],
        capture_output=True, cwd=ROOT, preexec_fn=_limit_file_size(limit), timeout=600,
    )  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 1, err
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert "File too large" in errors[0] and str(out) in errors[0], errors
    assert not out.exists()


# --- 8. FIFOs -------------------------------------------------------------------------------

FIFO_COMMANDS = {
    "translate": lambda f, db: ["translate", f, "-o", f + ".out", "--model", "/nonexistent"],
    "import": lambda f, db: ["import", f, "--db", db, "--model", "/nonexistent"],
    "check": lambda f, db: ["check", "--source", f, "--target", f],
    "eval": lambda f, db: ["eval", "--hyp", f, "--ref", f],
    "tm import": lambda f, db: ["tm", "import", f, "--db", db],
    "glossary import": lambda f, db: ["glossary", "import", f, "--db", db],
    "import-xliff": lambda f, db: ["import-xliff", f, "--editor", "kim", "--db", db],
}
FIFO_SUFFIX = {"tm import": ".tmx", "glossary import": ".csv", "import-xliff": ".xlf"}


@pytest.mark.parametrize("command", sorted(FIFO_COMMANDS))
def test_a_fifo_is_refused_at_once(command, tmp_path):
    fifo = tmp_path / f"pipe{FIFO_SUFFIX.get(command, '.txt')}"
    os.mkfifo(fifo)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    result = run_cli_process(*FIFO_COMMANDS[command](str(fifo), db), timeout=60)
    err = result.stderr.decode()
    assert result.returncode == 3, err
    assert err == f"Error: {fifo}: not a regular file (a FIFO)\n", err


# --- 9. Word files with DTDs or entities ----------------------------------------------------

ENTITY_DOCUMENT = (
    '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY e "서울은 맑다.">]>'
    f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>부산은 흐리다.</w:t></w:r></w:p>'
    "<w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>"
).encode()


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "[Content_Types].xml"])
def test_a_docx_declaring_entities_in_any_part_is_refused(part, tmp_path):
    from mt.errors import InputError
    from mt.formats import read_bytes

    plain = (
        f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>서울은 맑다.'
        "</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    data = _docx(ENTITY_DOCUMENT) if part == "word/document.xml" else _docx(plain, {part: dtd})
    with pytest.raises(InputError, match=re.escape(f"part {part} declares a DTD or entities")):
        read_bytes(data, "entities.docx")
    path = tmp_path / "entities.docx"
    path.write_bytes(data)
    result = run_cli_process(
        "translate", str(path), "-o", str(tmp_path / "o.docx"), "--model", "/x"
    )
    assert result.returncode == 3 and result.stderr.decode().count("\n") == 1


# --- 11. uploads never touch the disk --------------------------------------------------------


def test_glossary_and_xliff_uploads_write_no_file(tmp_path, monkeypatch):
    import tempfile

    def no_temp_files(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    for name in ("TemporaryDirectory", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, no_temp_files)
    with repo.open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        result = import_glossary(store, "terms.csv", data="ko,en\n서울,Seoul\n".encode())
        assert result.added == 1
        from mt.errors import InputError
        from mt.exchange.xliff_import import import_xliff

        with pytest.raises(InputError, match=r"upload\.xlf"):
            import_xliff(store, "upload.xlf", editor="kim", data=b"<xliff/>")
