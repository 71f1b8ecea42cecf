"""`transdesk translate` and `transdesk models` end to end, on the tiny built model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from mt.checkpoint import checkpoint_path
from tests.conftest import ROOT, TRANSDESK, run_cli_process, shared_lines


def _cp949_ok(line: str) -> bool:
    try:
        line.encode("cp949")
    except UnicodeEncodeError:
        return False
    return True


@pytest.fixture(scope="module")
def news_2600(tmp_path_factory) -> Path:
    """A 2,600-line Korean news file from NTREX-128 and WMT24++, lines CP949 can encode (so the
    same file can also be saved as CP949)."""
    lines = [
        line
        for line in shared_lines("ntrex128", "ko") + shared_lines("wmt24pp", "ko")
        if _cp949_ok(line)
    ]
    assert len(lines) >= 2600
    path = tmp_path_factory.mktemp("news") / "news.txt"
    path.write_text("\n".join(lines[:2600]) + "\n", encoding="utf-8")
    return path


def test_2600_line_news_file_one_output_line_per_input_line(news_2600, tiny_model_dir, tmp_path):
    out = tmp_path / "out.txt"
    result = run_cli_process(
        "translate",
        str(news_2600),
        "-o",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--beam",
        "1",
        "--segment",
        "line",
        check=True,
    )
    assert "test model" in result.stderr.decode().lower()
    source = news_2600.read_text(encoding="utf-8").splitlines()
    target = out.read_text(encoding="utf-8").splitlines()
    assert len(source) == len(target) == 2600
    assert all(line.strip() for line in target)
    assert not checkpoint_path(out).exists()

    # The same text saved as CP949 and as UTF-16 gives byte-identical output.
    for encoding in ("cp949", "utf-16"):
        encoded = tmp_path / f"news-{encoding}.txt"
        encoded.write_bytes(news_2600.read_text(encoding="utf-8").encode(encoding, errors="strict"))
        other = tmp_path / f"out-{encoding}.txt"
        run_cli_process(
            "translate",
            str(encoded),
            "-o",
            str(other),
            "--model",
            str(tiny_model_dir),
            "--beam",
            "1",
            "--segment",
            "line",
            "--quiet",
            check=True,
        )
        assert other.read_bytes() == out.read_bytes(), encoding


def test_blank_line_paragraphs_come_back_as_paragraphs(tiny_model_dir, tmp_path):
    article = (ROOT / "samples").glob("*.txt")
    source = next(iter(sorted(article)))
    text = source.read_text(encoding="utf-8")
    out = tmp_path / "article.en.txt"
    run_cli_process(
        "translate",
        str(source),
        "-o",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--beam",
        "1",
        check=True,
    )
    english = out.read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert len([p for p in english.split("\n\n") if p.strip()]) == len(paragraphs)
    assert len(english.splitlines()) == len(text.splitlines())


def test_stdin_to_stdout(tiny_model_dir):
    result = run_cli_process(
        "translate",
        "-",
        "--model",
        str(tiny_model_dir),
        "--beam",
        "1",
        stdin="첫 문단이다.\n\n둘째 문단이다. 문장이 두 개다.\n".encode(),
        check=True,
    )
    lines = result.stdout.decode("utf-8").split("\n")
    assert lines[1] == "" and lines[0] and lines[2] and lines[3] == ""


def test_folder_in_folder_out(tiny_model_dir, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text("가나다 기사이다.\n", encoding="utf-8")
    (inbox / "sub" / "b.jsonl").write_text(
        json.dumps({"id": 1, "ko": "서울은 맑다."}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    outbox = tmp_path / "outbox"
    run_cli_process(
        "translate",
        str(inbox),
        "-o",
        str(outbox),
        "--model",
        str(tiny_model_dir),
        "--beam",
        "1",
        "--field",
        "ko",
        check=True,
    )
    assert (outbox / "a.txt").read_text(encoding="utf-8").strip()
    row = json.loads((outbox / "sub" / "b.jsonl").read_text(encoding="utf-8"))
    assert row["id"] == 1 and row["ko"] == "서울은 맑다."


def _checkpoint_batches(path: Path) -> int:
    if not path.exists():
        return 0
    return max(0, len(path.read_text(encoding="utf-8", errors="replace").splitlines()) - 1)


def test_sigkill_then_resume_is_byte_identical(tiny_model_dir, tmp_path):
    lines = shared_lines("ntrex128", "ko", 600)
    source = tmp_path / "big.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    common = [
        "--model",
        str(tiny_model_dir),
        "--beam",
        "1",
        "--batch-tokens",
        "200",
        "--engine",
        "ctranslate2",
    ]
    reference = tmp_path / "reference.txt"
    run_cli_process("translate", str(source), "-o", str(reference), *common, "--quiet", check=True)

    out = tmp_path / "resumed.txt"
    proc = subprocess.Popen(
        [*TRANSDESK, "translate", str(source), "-o", str(out), *common, "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    ckpt = checkpoint_path(out)
    deadline = time.monotonic() + 300
    while _checkpoint_batches(ckpt) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "job finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "a killed job must not leave an output file that looks complete"
    done = _checkpoint_batches(ckpt)
    assert done >= 5

    result = run_cli_process(
        "translate", str(source), "-o", str(out), *common, "--resume", check=True
    )
    assert f"(resumed {done}/" in result.stderr.decode()
    assert out.read_bytes() == reference.read_bytes()
    assert not ckpt.exists()


def test_resume_refuses_a_checkpoint_of_another_job(tiny_model_dir, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("하나.\n", encoding="utf-8")
    out = tmp_path / "a.en.txt"
    checkpoint_path(out).write_text(json.dumps({"fingerprint": "other"}) + "\n")
    result = run_cli_process(
        "translate",
        str(source),
        "-o",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--resume",
        check=False,
    )
    assert result.returncode == 1
    assert "belongs to a different job" in result.stderr.decode()
    assert not out.exists()


def _resume(source: Path, out: Path, model_dir: Path) -> subprocess.CompletedProcess:
    return run_cli_process(
        "translate", str(source), "-o", str(out), "--model", str(model_dir), "--resume"
    )


def test_resume_with_an_empty_checkpoint_starts_over(tiny_model_dir, tmp_path):
    """A kill between creating the checkpoint and writing its first line leaves it empty."""
    source = tmp_path / "a.txt"
    source.write_text("하나.\n", encoding="utf-8")
    out = tmp_path / "a.en.txt"
    checkpoint_path(out).write_bytes(b"")
    result = _resume(source, out, tiny_model_dir)
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert (
        f"Warning: {checkpoint_path(out)}: the checkpoint is empty (the job was stopped before "
        "it finished a batch); starting over\n" in err
    )
    assert "different job" not in err
    assert out.read_text(encoding="utf-8").strip() and not checkpoint_path(out).exists()


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b'["x"]\n', 1),  # valid JSON, not a checkpoint header
        (b"{not json\n", 1),
    ],
)
def test_resume_with_a_malformed_checkpoint_is_one_line(content, line, tiny_model_dir, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("하나.\n", encoding="utf-8")
    out = tmp_path / "a.en.txt"
    checkpoint_path(out).write_bytes(content)
    result = _resume(source, out, tiny_model_dir)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    errors = [e for e in err.splitlines() if not e.startswith("Warning: ")]  # the test model's
    assert len(errors) == 1 and "Traceback" not in err, err
    assert errors[0].startswith(f"Error: {checkpoint_path(out)}: line {line} of the checkpoint ")
    assert checkpoint_path(out).read_bytes() == content  # left as it is
    assert not out.exists()


def test_resume_with_an_unreadable_checkpoint_is_one_line(tiny_model_dir, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("하나.\n", encoding="utf-8")
    out = tmp_path / "a.en.txt"
    checkpoint_path(out).mkdir()  # root reads any file: a folder is what cannot be read
    result = _resume(source, out, tiny_model_dir)
    assert result.returncode == 1
    errors = [e for e in result.stderr.decode().splitlines() if not e.startswith("Warning: ")]
    assert errors == [f"Error: {checkpoint_path(out)}: cannot read checkpoint (Is a directory)"]
    assert checkpoint_path(out).is_dir() and not out.exists()


def test_a_run_without_resume_says_it_discards_a_checkpoint(tiny_model_dir, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("하나.\n", encoding="utf-8")
    out = tmp_path / "a.en.txt"
    checkpoint_path(out).write_text(json.dumps({"fingerprint": "interrupted"}) + "\n")
    result = run_cli_process(
        "translate", str(source), "-o", str(out), "--model", str(tiny_model_dir), check=True
    )
    assert (
        f"Warning: {checkpoint_path(out)}: an interrupted job's checkpoint is discarded"
        in result.stderr.decode()
    )
    assert out.exists() and not checkpoint_path(out).exists()
    again = run_cli_process(
        "translate", str(source), "-o", str(out), "--model", str(tiny_model_dir), check=True
    )
    assert "checkpoint" not in again.stderr.decode()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "empty.txt: empty file"),
        ("blank.txt", b"  \n\n \t\n", "blank.txt: no text to translate"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image.txt: binary file"),
        ("bad.txt", "좋다".encode() + b"\xff\xfe\xfa" + b"abc", "bad.txt: not valid"),
        ("table.csv", "id,text\n1,안녕\n".encode(), "table.csv: no column 'ko'"),
        ("notes.pdfx", b"hello", "notes.pdfx: unsupported file type"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_output(
    tiny_model_dir, tmp_path, name, content, expected
):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out.txt"
    result = run_cli_process(
        "translate",
        str(path),
        "-o",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--column",
        "ko",
        check=False,
    )
    stderr = result.stderr.decode()
    assert result.returncode == 3, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and expected in errors[0], stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_missing_input_file(tiny_model_dir, tmp_path):
    result = run_cli_process(
        "translate", str(tmp_path / "nope.txt"), "--model", str(tiny_model_dir), check=False
    )
    assert result.returncode == 3
    assert (
        result.stderr.decode().strip() == f"Error: {tmp_path / 'nope.txt'}: no such file or folder"
    )


def test_a_bad_file_fails_before_the_model_loads(tmp_path):
    """One input: it is read and parsed first, so a broken file is reported at once (exit 3),
    not after loading a model; here the model does not even exist and is never reached."""
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip archive")
    result = run_cli_process(
        "translate", str(bad), "--model", str(tmp_path / "no-such-model"), check=False
    )
    stderr = result.stderr.decode()
    assert result.returncode == 3, stderr
    assert stderr.startswith(f"Error: {bad}") and "model" not in stderr, stderr

    good = tmp_path / "good.txt"
    good.write_text("한국어 문장입니다.\n", encoding="utf-8")
    result = run_cli_process(
        "translate",
        str(good),
        "-o",
        str(tmp_path / "out.unknown"),
        "--model",
        str(tmp_path / "no-such-model"),
        check=False,
    )
    stderr = result.stderr.decode()
    assert result.returncode == 3, stderr
    assert "out.unknown: unsupported file type '.unknown'" in stderr, stderr


def test_models_build_test_command(tmp_path):
    text = tmp_path / "corpus.txt"
    text.write_text(
        "\n".join(shared_lines("jhe", "ko", 300) + shared_lines("jhe", "en", 300)), encoding="utf-8"
    )
    result = run_cli_process(
        "models",
        "build-test",
        str(tmp_path / "m"),
        "--size",
        "tiny",
        "--text",
        str(text),
        check=True,
    )
    assert "not a translation" in result.stderr.decode()
    assert "Writing model shards" not in result.stderr.decode()  # no transformers progress bar
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["transdesk_test_model"] is True and config["d_model"] == 32
    assert (tmp_path / "m" / "TEST_MODEL.txt").exists()


def test_every_command_has_help():
    from typer.main import get_command

    from mt.cli import app

    group = get_command(app)

    def walk(command, path):
        assert command.help, f"{path} is missing its help"
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(group, "transdesk")
