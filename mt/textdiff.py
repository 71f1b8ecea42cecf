"""Word-level difference between an MT draft and its post-edit, as a list of operations.

Texts are split into words, punctuation marks and runs of whitespace, and aligned with
`difflib.SequenceMatcher` (no junk heuristic, so repeated words in long sentences still align).
Joining the `before` parts of the operations gives back the first text exactly, and joining the
`after` parts gives the second, so a view can render the diff without losing a character.

Example:
    >>> [(op.kind, op.before, op.after) for op in diff_words("the cat sat", "the dog sat")]
    [('equal', 'the ', 'the '), ('replace', 'cat', 'dog'), ('equal', ' sat', ' sat')]
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

OpKind = Literal["equal", "insert", "delete", "replace"]

# A word keeps inner apostrophes and hyphens ("don't", "state-run"); each other mark stands alone.
_TOKEN = re.compile(r"\s+|\w+(?:['’\-]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class DiffOp:
    """One stretch of the alignment: `before` is from the first text, `after` from the second."""

    kind: OpKind
    before: str
    after: str


def tokenize(text: str) -> list[str]:
    """Words, single punctuation marks and whitespace runs; `"".join(tokenize(t)) == t`."""
    return _TOKEN.findall(text)


def diff_words(before: str, after: str) -> list[DiffOp]:
    """Align two texts word by word.

    Arguments:
        before: the reference side, usually the MT draft.
        after: the edited side, usually the editor's current English.

    Returns:
        Operations in text order. A whitespace-only `equal` between two changes is folded into
        one `replace`, so "a b c" → "x y z" reads as one change rather than three.
    """
    a, b = tokenize(before), tokenize(after)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw = [
        DiffOp(tag, "".join(a[i1:i2]), "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    return _fold_whitespace(raw)


def _fold_whitespace(ops: list[DiffOp]) -> list[DiffOp]:
    out: list[DiffOp] = []
    for i, op in enumerate(ops):
        between_changes = (
            op.kind == "equal"
            and op.before.isspace()
            and 0 < i < len(ops) - 1
            and ops[i + 1].kind != "equal"
            and out
            and out[-1].kind != "equal"
        )
        if between_changes or (op.kind != "equal" and out and out[-1].kind != "equal"):
            prev = out.pop()
            out.append(DiffOp("replace", prev.before + op.before, prev.after + op.after))
        else:
            out.append(op)
    return [_kind(op) for op in out]


def _kind(op: DiffOp) -> DiffOp:
    if op.kind == "equal":
        return op
    if not op.before:
        return DiffOp("insert", "", op.after)
    if not op.after:
        return DiffOp("delete", op.before, "")
    return DiffOp("replace", op.before, op.after)


def changed_words(ops: list[DiffOp]) -> tuple[int, int]:
    """(words removed, words added) over the changes, counting words and marks, not spaces."""
    removed = sum(_word_count(op.before) for op in ops if op.kind != "equal")
    added = sum(_word_count(op.after) for op in ops if op.kind != "equal")
    return removed, added


def _word_count(text: str) -> int:
    return sum(1 for t in tokenize(text) if not t.isspace())
