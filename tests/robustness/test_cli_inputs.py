"""Every bad input of the table through the real CLI: `transdesk translate` and `transdesk import`.

`translate` gets the whole table in one run (one model load): each refused file must give its
one error line and no output, while every other file is still translated, and the run exits 3.
`import` reads before it loads a model, so each refused case runs on its own and must exit 3
with exactly one line on stderr and nothing stored.
"""

from __future__ import annotations

import json

import pytest
from lxml import etree

from mt.formats import read_bytes
from tests.conftest import run_cli_process
from tests.robustness.cases import EXIT_BAD_INPUT, SECRET_MARKER, Case, Translated, case_ids
from tests.robustness.conftest import error_lines, model_options

ALL = case_ids()
REFUSED = case_ids(refused=True)


@pytest.fixture(scope="module")
def batch(table, tiny_model_dir, tmp_path_factory):
    """One `transdesk translate` run over every case file, into an output folder."""
    inbox = tmp_path_factory.mktemp("inbox")
    outbox = tmp_path_factory.mktemp("outbox")
    paths = {}
    for case in table.values():
        paths[case.id] = inbox / case.name
        paths[case.id].write_bytes(case.data)
    result = run_cli_process(
        "translate",
        *map(str, paths.values()),
        "-o",
        str(outbox),
        *model_options(tiny_model_dir),
        "--field",
        "ko",
        "--column",
        "ko",
        "--quiet",
    )
    return result, paths, outbox


def _output(outbox, case: Case):
    return outbox / case.name


def test_the_run_exits_3_without_a_traceback(batch, table):
    result, _, outbox = batch
    stderr = result.stderr.decode()
    assert result.returncode == EXIT_BAD_INPUT, stderr
    assert "Traceback" not in stderr
    # Only whole outputs of the translated files: no partial file, temporary file or checkpoint.
    translated = {c.name for c in table.values() if not c.refused}
    assert {p.name for p in outbox.iterdir()} == translated


@pytest.mark.parametrize("case_id", ALL)
def test_translate_answers_the_case(batch, table, case_id):
    result, paths, outbox = batch
    case = table[case_id]
    path = paths[case_id]
    mine = [line for line in error_lines(result.stderr) if line.startswith(f"Error: {path}:")]
    if case.refused:
        assert len(mine) == 1, result.stderr.decode()
        assert case.message(str(path)).match(mine[0].removeprefix("Error: ")), mine[0]
        assert not _output(outbox, case).exists()
        return
    assert mine == []
    out = _output(outbox, case).read_bytes()
    assert isinstance(case.outcome, Translated)
    if case.outcome.same_as is None:
        # Read back in its own format: one translation for every unit, none empty.
        source = read_bytes(case.data, case.name, force_source_language=True)
        if case.name.endswith(".txt"):  # line for line, blank lines where they were
            # (English now: whether a source is Korean is not what is tested here)
            back = read_bytes(out, case.name, force_source_language=True)
            assert len(back.units) == len(source.units)
            lines, source_lines = out.decode().split("\n"), case.data.decode().split("\n")
            assert [bool(a.strip()) for a in lines] == [bool(b.strip()) for b in source_lines]
        else:  # XLIFF: every unit has its target now
            targets = [t.text for t in etree.fromstring(out).iter("{*}target")]
            assert len(targets) == len(source.units) and all(targets)
        return
    reference = _output(outbox, table[case.outcome.same_as]).read_bytes()
    newline = b"\r\n" if b"\r\n" in case.data else b"\r" if b"\r" in case.data else b"\n"
    assert out == reference.replace(b"\n", newline)  # UTF-8, with the input's own line breaks


def test_xxe_secret_never_reaches_any_output(batch):
    result, _, outbox = batch
    assert SECRET_MARKER not in result.stderr.decode() + result.stdout.decode()
    for path in outbox.iterdir():
        assert SECRET_MARKER.encode() not in path.read_bytes()


# --- transdesk import ---------------------------------------------------------------------


@pytest.mark.parametrize("case_id", REFUSED)
def test_import_refuses_with_one_line_and_stores_nothing(table, tiny_model_dir, tmp_path, case_id):
    case = table[case_id]
    path = tmp_path / case.name
    path.write_bytes(case.data)
    db = tmp_path / "store.db"
    result = run_cli_process(
        "import",
        str(path),
        "--db",
        f"sqlite:///{db}",
        "--model",
        str(tiny_model_dir),
        "--field",
        "ko",
        "--column",
        "ko",
    )
    stderr = result.stderr.decode()
    assert result.returncode == EXIT_BAD_INPUT, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("Error: "), stderr
    assert case.message(str(path)).match(stderr.strip().removeprefix("Error: ")), stderr
    assert result.stdout == b""
    assert not db.exists()  # refused before the database (or the model) is even opened


@pytest.mark.slow
@pytest.mark.parametrize("case_id", ["cp949"])
def test_import_stores_the_same_article_as_translate_writes(
    batch, table, tiny_model_dir, tmp_path, case_id
):
    from mt.drafting import document_text
    from mt.store import open_store

    _, _, outbox = batch
    case = table[case_id]
    path = tmp_path / case.name
    path.write_bytes(case.data)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    result = run_cli_process(
        "import", str(path), "--db", db, *model_options(tiny_model_dir), "--json", "--quiet"
    )
    assert result.returncode == 0, result.stderr.decode()
    doc_id = json.loads(result.stdout)["document_id"]
    reference = table[case.outcome.same_as]
    with open_store(db) as store:
        source = document_text(store, doc_id, which="source")
        target = document_text(store, doc_id, which="target")
    assert source.replace("\r", "\n") == reference.data.decode("utf-8")
    written = _output(outbox, reference).read_text(encoding="utf-8")
    assert target == written
