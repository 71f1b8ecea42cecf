"""Word-level diff of an MT draft against its post-edit."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mt.textdiff import changed_words, diff_words, tokenize


def kinds(before: str, after: str) -> list[tuple[str, str, str]]:
    return [(op.kind, op.before, op.after) for op in diff_words(before, after)]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("same text.", "same text.", [("equal", "same text.", "same text.")]),
        (
            "The minister said on Monday.",
            "The minister said Monday.",
            [
                ("equal", "The minister said ", "The minister said "),
                ("delete", "on ", ""),
                ("equal", "Monday.", "Monday."),
            ],
        ),
        (
            "Seoul stocks fell",
            "Seoul stocks fell sharply",
            [("equal", "Seoul stocks fell", "Seoul stocks fell"), ("insert", "", " sharply")],
        ),
        # neighbouring changes read as one replacement, not word-space-word fragments
        (
            "a b c d",
            "a x y d",
            [("equal", "a ", "a "), ("replace", "b c", "x y"), ("equal", " d", " d")],
        ),
        # punctuation is its own token: only the comma changes
        (
            "He said, yes",
            "He said; yes",
            [("equal", "He said", "He said"), ("replace", ",", ";"), ("equal", " yes", " yes")],
        ),
        ("", "new", [("insert", "", "new")]),
        ("old", "", [("delete", "old", "")]),
    ],
)
def test_diff_words(before, after, expected):
    assert kinds(before, after) == expected


def test_words_keep_apostrophes_and_hyphens():
    assert tokenize("don't state-run 서울시는") == ["don't", " ", "state-run", " ", "서울시는"]


def test_markup_is_just_text():
    ops = diff_words("<b>hi</b>", "<script>alert(1)</script>")
    assert "".join(op.after for op in ops) == "<script>alert(1)</script>"


def test_changed_words_counts_words_not_spaces():
    assert changed_words(diff_words("a b c d", "a x y z d e")) == (2, 4)


@given(st.text(alphabet="ab c,.\n가나", max_size=40), st.text(alphabet="ab c,.\n가나", max_size=40))
def test_diff_reconstructs_both_texts(before, after):
    ops = diff_words(before, after)
    assert "".join(op.before for op in ops) == before
    assert "".join(op.after for op in ops) == after
    assert all(op.before == op.after for op in ops if op.kind == "equal")
    assert all(op.before != op.after for op in ops if op.kind != "equal")
    # no two changes in a row: they are always merged
    assert all(not (x.kind != "equal" and y.kind != "equal") for x, y in itertools.pairwise(ops))
