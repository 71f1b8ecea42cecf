"""The one exception family the user can act on; the CLI and UI show its message as-is."""

from __future__ import annotations


class TransdeskError(Exception):
    """An error the user can fix; the message is shown as-is."""

    exit_code = 1


class InvalidValue(TransdeskError):
    """An option or field holds a value outside its choices or range (a role, a grouping, a
    segmentation mode, an empty name): a user error of exit 1, not a bad input file."""

    exit_code = 1


class InputError(TransdeskError):
    """An input file is empty, binary, undecodable or malformed."""

    exit_code = 3


class UnsupportedFormat(InputError):
    """A file suffix or format name has no reader or writer."""


class ModelError(TransdeskError):
    """A model cannot be found, downloaded or loaded."""

    exit_code = 4


class ConflictError(TransdeskError):
    """A save named a version that is no longer current."""

    exit_code = 5

    def __init__(
        self,
        message: str,
        *,
        current_text: str = "",
        attempted_text: str = "",
        current_version: int = 0,
    ) -> None:
        super().__init__(message)
        self.current_text = current_text
        self.attempted_text = attempted_text
        self.current_version = current_version


class ConcurrentChange(ConflictError):
    """Another writer held the same rows (a deadlock or serialization failure); nothing was
    saved, and the same request may simply be tried again."""


class NotFound(TransdeskError):
    """A document, segment or editor does not exist."""

    exit_code = 6


class PermissionDenied(TransdeskError):
    """The signed-in user's role does not allow the action."""

    exit_code = 7


class WorkflowError(TransdeskError):
    """An article cannot move to that state now (a move the workflow does not allow, `ready`
    with segments not approved, a change to a published article): exit 1, like a bad value."""

    exit_code = 1


class DatabaseError(TransdeskError):
    """The database cannot do the work asked of it (full, read-only, a disk I/O error, locked
    too long, damaged or unreachable): the transaction was rolled back whole, so nothing was
    half-written. The message names the database (password masked) and the problem, never the
    statement or its parameters."""

    exit_code = 8


class TooManySaves(TransdeskError):
    """An editor saved more often than `mt.store.limits.SAVES_PER_SECOND`; nothing was saved,
    and the same save may be sent again a moment later."""

    exit_code = 1


def shown(value: object) -> str:
    """A value from outside (a browser, a file) as a one-line error may show it: its repr, cut
    to 40 characters; a structure too deep or an int too long to print is named by its type."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a deep structure; an int of too many digits
        return f"a {type(value).__name__}"
    return text if len(text) <= 40 else f"{text[:37]}..."
