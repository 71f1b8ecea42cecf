"""What the store refuses before it writes: text it cannot store (not NFC-normalisable, a NUL,
a lone surrogate), an unknown client, a negative duration; and non-finite model scores."""

from __future__ import annotations

import math
import unicodedata

from mt.errors import InputError, InvalidValue
from mt.store.views import CLIENTS
from mt.textsafe import refuse_unstorable


def nfc(text: str, what: str = "text") -> str:
    """`text` NFC-normalised; InputError when it is not valid Unicode (a lone surrogate, which
    neither SQLite nor PostgreSQL can store as UTF-8) or holds a NUL, which PostgreSQL cannot
    store (`what` names the text in that message)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InputError(
            f"text holds an unpaired surrogate (U+{ord(e.object[e.start]):04X}) at character "
            f"{e.start + 1}: not valid Unicode"
        ) from None
    return unicodedata.normalize("NFC", refuse_unstorable(text, what))


def check_client(client: str) -> str:
    """`client` when it is one of `CLIENTS`; InvalidValue otherwise."""
    if client not in CLIENTS:
        raise InvalidValue(f"unknown client {client!r} (choose from: {', '.join(CLIENTS)})")
    return client


def check_ms(value: int | float | None, what: str) -> int | None:
    """A duration or count as an int (None stays None); InvalidValue when negative."""
    if value is None:
        return None
    if value < 0:
        raise InvalidValue(f"{what} is negative ({value})")
    return int(value)


def finite(value: float | None) -> float | None:
    """A model score as stored: None for a missing, NaN or infinite one."""
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return float(value)
