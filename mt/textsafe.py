"""Characters no database can store, refused where text enters Transdesk.

PostgreSQL's text type cannot hold U+0000 (NUL): psycopg refuses such a parameter with a
DataError, whatever the column. A lone surrogate (U+D800–U+DFFF) is not a character at all and
cannot be written as UTF-8 by SQLite, PostgreSQL or any output file. Both are refused with one
line naming where the character is, before any work is done: by every file reader
(`mt.formats.read_bytes`), by the store's entry points (names, titles, saves, comments,
glossary and memory entries), and, as a backstop for any path not named here, by a check of
every SQL parameter (`mt.store.db`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mt.errors import InputError

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def find_unstorable(text: str) -> int:
    """The index of the first character no database can store, or -1."""
    match = UNSTORABLE.search(text)
    return match.start() if match else -1


def _describe(char: str) -> str:
    return "a NUL character (U+0000)" if char == "\x00" else f"a lone surrogate (U+{ord(char):04X})"


def refuse_unstorable(text: str, what: str) -> str:
    """Return `text`, or raise InputError when it holds a NUL or a lone surrogate.

    Arguments:
        what: names the text in the message ("news.jsonl: line 3", "comment").

    The message reads "title: contains a NUL character (U+0000) at character 2, which cannot
    be stored".
    """
    at = find_unstorable(text)
    if at >= 0:
        raise InputError(
            f"{what}: contains {_describe(text[at])} at character {at + 1}, which cannot be stored"
        )
    return text


def check_parameters(parameters: Any) -> None:
    """InputError when any text among SQL `parameters` (a dict, a sequence, or a list of
    either for executemany) holds a NUL or a lone surrogate. `parameters` is `Any`: whatever
    the database driver is about to send, of any value type."""
    for value in _values(parameters):
        if isinstance(value, str) and UNSTORABLE.search(value):
            refuse_unstorable(value, "text")


def _values(parameters: Any) -> Iterable[Any]:
    if isinstance(parameters, dict):
        for value in parameters.values():
            yield from _values(value) if isinstance(value, (list, tuple, dict)) else (value,)
    elif isinstance(parameters, (list, tuple)):
        for value in parameters:
            yield from _values(value) if isinstance(value, (list, tuple, dict)) else (value,)
    else:
        yield parameters
