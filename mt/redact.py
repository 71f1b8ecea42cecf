"""Masking secrets (API keys) out of text before it reaches a message, a log line or a draft.

`mask(text, secrets)` replaces every run of 8 or more characters of a secret (the whole secret,
any long piece of it, in any letter case) by ``***``; a secret shorter than 8 characters is
masked whole. `register(secret)` adds a live secret (the endpoint's API key, once read) to the
set that `mask` uses by default, so a last-resort printer that does not know the key, such as
the CLI's error line and its traceback hook (`install_excepthook`), masks it too.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType

MASK = "***"
MIN_RUN = 8  # a piece of a secret this long is masked wherever it appears

_lock = threading.Lock()
_registered: set[str] = set()


def register(secret: str | None) -> None:
    """Mask `secret` in every later `mask(text)` call of this process (nothing for None/"")."""
    if secret:
        with _lock:
            _registered.add(secret)


def registered() -> tuple[str, ...]:
    """The secrets registered so far."""
    with _lock:
        return tuple(_registered)


@functools.lru_cache(maxsize=64)
def _pieces(secret: str) -> tuple[re.Pattern[str], int]:
    """A pattern that matches, at each position, the start of a `MIN_RUN` piece of `secret`
    (any letter case), and the length of such a piece."""
    run = min(MIN_RUN, len(secret))
    pieces = sorted({secret[i : i + run] for i in range(len(secret) - run + 1)})
    alternatives = "|".join(re.escape(p) for p in pieces)
    return re.compile(f"(?=(?:{alternatives}))", re.IGNORECASE), run


def _spans(text: str, secrets: Iterable[str]) -> list[tuple[int, int]]:
    """The merged (start, end) spans of `text` that belong to a long piece of a secret."""
    spans: list[tuple[int, int]] = []
    for secret in secrets:
        if not secret:
            continue
        pattern, run = _pieces(secret)
        spans.extend((m.start(), m.start() + run) for m in pattern.finditer(text))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask(text: str, secrets: Iterable[str] | None = None) -> str:
    """`text` with every piece of 8+ characters of a secret (any case) replaced by ``***``.

    `secrets` defaults to the registered ones; given, the registered ones are masked too.
    """
    every = {*registered(), *(secrets or ())}
    if not text or not every:
        return text
    spans = _spans(text, every)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def contains(text: str, secrets: Iterable[str] | None = None) -> bool:
    """Whether `text` holds a piece of 8+ characters of a secret (or a short secret whole)."""
    every = {*registered(), *(secrets or ())}
    return bool(text and every and _spans(text, every))


def install_excepthook() -> None:
    """Mask registered secrets in the traceback of an uncaught exception (idempotent)."""
    if getattr(sys.excepthook, "masks_secrets", False):
        return
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if not registered():
            previous(kind, value, tb)
            return
        sys.stderr.write(mask("".join(traceback.format_exception(kind, value, tb))))
        sys.stderr.flush()

    hook.masks_secrets = True  # type: ignore[attr-defined]
    sys.excepthook = hook
