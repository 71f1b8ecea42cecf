"""A house-style TOML nested thousands of levels deep is refused in one line naming the file,
before tomllib recurses into a RecursionError (#25, item 12): through `load_style`, and through
`transdesk check --style FILE` (exit non-zero, one "Error:" line, no traceback)."""

from __future__ import annotations

import re

import pytest

from mt.errors import InputError
from mt.qa.style import MAX_DEPTH, default_style_text, load_style, parse_style, toml_depth
from tests.conftest import run_cli

DEEP = 5_000
NESTED = {
    "arrays": "[percent]\nwrite = " + "[" * DEEP + "]" * DEEP + "\n",
    "inline_tables": "[percent]\nwrite = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
    "dotted_key": "[percent]\nwrite" + ".a" * DEEP + " = 1\n",
    "table_name": "[" + ".".join(["percent"] * DEEP) + "]\nx = 1\n",
    "array_of_tables": "[[" + ".".join(["a"] * DEEP) + "]]\n",
    "mixed": "[percent]\nwrite" + ".a" * 20 + " = " + "[" * 20 + "]" * 20 + "\n",
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_deep_style_is_refused_before_parsing(tmp_path, text):
    path = tmp_path / "deep.toml"
    path.write_text(text, encoding="utf-8")
    expected = rf"^{re.escape(str(path))}: not a style file: nested \d+ levels deep"
    with pytest.raises(InputError, match=expected):
        load_style(path)


def test_strings_and_comments_do_not_count():
    text = '[percent]\nwrite = "%"  # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n'
    text += "[headline]\ncase = '" + "[" * 100 + "'\n"
    assert toml_depth(text) <= 3
    with pytest.raises(InputError, match=r"\[headline\] case must be one of"):
        parse_style(text, "s.toml")  # reached the checks after parsing: not refused for depth
    assert toml_depth(default_style_text()) <= 3 < MAX_DEPTH
    assert parse_style('[percent]\nwrite = "%"\n').get("percent", "write") == "%"


def test_cli_refuses_deep_style_in_one_line(tmp_path):
    style = tmp_path / "deep.toml"
    style.write_text(NESTED["arrays"], encoding="utf-8")
    source, target = tmp_path / "ko.txt", tmp_path / "en.txt"
    source.write_text("물가가 5% 올랐다.\n", encoding="utf-8")
    target.write_text("Prices rose 5 percent.\n", encoding="utf-8")
    code, _, err = run_cli("check", "-s", str(source), "-t", str(target), "--style", str(style))
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "deep.toml" in lines[0], err
    assert "Traceback" not in err
