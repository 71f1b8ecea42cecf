"""The two big inputs of issue #6, built from the project's own sample article.

- A 5 MB single line: the article's sentences, joined by spaces into one line and repeated.
  Translated sentence by sentence, it must come out as the translation of one repetition
  repeated the same number of times, on one line.
- 200,000 short lines, cycling through a pool of 100 distinct lines: line N of the output must
  be the translation of line N of the input (checked against a translation of the pool alone).
"""

from __future__ import annotations

from tests.robustness.cases import ARTICLE

FIVE_MB = 5 * 2**20
LINE_COUNT = 200_000


def sentence_cycle() -> str:
    """The article's paragraphs that end a sentence, on one line: no headline, no bullets, and
    not the lead, whose wire-service byline is a segment of its own only at a paragraph start."""
    lines = ARTICLE.splitlines()[2:]
    return " ".join(line for line in lines if line.endswith(".") and line[0] not in "(▲")


def five_mb_line() -> tuple[str, int]:
    """(the text, how many times the cycle repeats): one line of at least 5 MB, then "\\n"."""
    cycle = sentence_cycle()
    repeats = -(-FIVE_MB // len((cycle + " ").encode()))
    return " ".join([cycle] * repeats) + "\n", repeats


def line_pool() -> list[str]:
    """100 distinct short lines (three words of the article each)."""
    words = ARTICLE.split()
    pool = list(dict.fromkeys(" ".join(words[i : i + 3]) for i in range(0, len(words) - 2)))
    assert len(pool) >= 100
    return pool[:100]


def many_lines() -> str:
    pool = line_pool()
    return "".join(pool[i % len(pool)] + "\n" for i in range(LINE_COUNT))
