"""One QA finding: which check, how bad, what it says, and where in the target it sits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One QA problem. `span` is the (start, end) character range in the target, where the
    problem has a place there (an extra number, Korean text, a doubled space); `suggestion`,
    where there is one, is the text that should replace that span (an established name)."""

    check: str
    severity: Severity
    message: str
    span: tuple[int, int] | None = None
    suggestion: str | None = None
