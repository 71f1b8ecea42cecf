"""Data types shared by every reader and writer, and the atomic file write they all use."""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mt.errors import InputError, TransdeskError


@dataclass(frozen=True)
class TextUnit:
    """One piece of source text to translate, with a locator for messages.

    `where` reads like "line 12", "row 5", "paragraph 3" or "unit id=7".
    """

    text: str
    where: str


@dataclass
class ParsedFile:
    """A read input file: its units to translate and what the writer needs to rebuild it.

    `payload` is private to the format module that made it (the layout of a text file, the
    original XML tree, the table rows, the Word document bytes).
    """

    name: str
    format: str
    encoding: str
    units: list[TextUnit]
    payload: object


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """(lines, breaks): each line without its break, and the break after it ("" after the last).

    Only CRLF, LF and a lone CR end a line; unlike `str.splitlines`, U+2028 and friends do not,
    as they may sit inside a JSON string or a sentence.
    """
    parts = _LINE_BREAK.split(text)
    return parts[0::2], [*parts[1::2], ""]


def one_line(text: str) -> str:
    """`text` with its line breaks turned into spaces, for outputs that are one unit a line."""
    return _LINE_BREAK.sub(" ", text)


def require_units(name: str, units: list[TextUnit], detail: str = "") -> list[TextUnit]:
    """Return `units`, or raise InputError when a file holds nothing to translate."""
    if not units:
        raise InputError(f"{name}: no text to translate{f' ({detail})' if detail else ''}")
    return units


def check_targets(parsed: ParsedFile, targets: Sequence[str]) -> None:
    """Raise ValueError unless there is exactly one target per unit (a caller's bug)."""
    if len(targets) != len(parsed.units):
        raise ValueError(
            f"{parsed.name}: {len(targets)} translations for {len(parsed.units)} units"
        )


def tool_version() -> str:
    """Transdesk's installed version, recorded in the files it writes."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("transdesk")
    except PackageNotFoundError:
        return "unknown"


def read_path(path: Path | str, *, limit: int | None = None) -> bytes:
    """The bytes of the regular file at `path`, or InputError naming it.

    A FIFO, socket or device is refused at once (reading one could block forever or never
    end), and so is a file over `limit` bytes (default `MAX_INPUT_BYTES`), before it is read.
    """
    from mt.formats.limits import MAX_INPUT_BYTES, megabytes

    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        # O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a folder, not a file")
        raise InputError(f"{path}: not a regular file ({_file_kind(info.st_mode)})")
    with os.fdopen(fd, "rb") as f:
        size = info.st_size
        if size > limit:
            raise InputError(
                f"{path}: file of {megabytes(size)} is over the {megabytes(limit)} limit"
            )
        try:
            os.set_blocking(fd, True)
            data = f.read(limit + 1)
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    if len(data) > limit:  # it grew while being read
        raise InputError(f"{path}: file is over the {megabytes(limit)} limit")
    return data


def check_size(data: bytes, name: str, *, limit: int | None = None) -> None:
    """InputError when `data` (an upload, stdin) is over `limit` bytes (default MAX_INPUT_BYTES)."""
    from mt.formats.limits import MAX_INPUT_BYTES, megabytes

    limit = MAX_INPUT_BYTES if limit is None else limit
    if len(data) > limit:
        raise InputError(
            f"{name}: file of {megabytes(len(data))} is over the {megabytes(limit)} limit"
        )


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def check_output(path: Path | str) -> None:
    """Raise TransdeskError unless a new file can be written at `path`.

    Its folder must exist, be a folder, and accept a new file (tried with a probe file, which
    also answers for read-only mounts and for root, whom permission bits do not stop).
    """
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise TransdeskError(f"{path}: is a folder, not a file")
    if not folder.exists():
        raise TransdeskError(f"{path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise TransdeskError(f"{path}: {folder} is not a folder")
    probe = folder / f".{path.name}.{secrets.token_hex(4)}.probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as e:
        raise TransdeskError(f"{path}: cannot write in {folder} ({e.strerror or e})") from None


def make_folder(folder: Path | str) -> None:
    """Create `folder` (and its parents) or raise TransdeskError naming it."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TransdeskError(f"{folder}: cannot create folder ({e.strerror or e})") from None


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` so that a reader never sees a half-written file.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the
    temporary file is renamed over `path` (`os.replace`, atomic on POSIX and Windows). On any
    failure the temporary file is removed and an existing `path` is left untouched. A new file
    gets the usual permissions (0666 less the umask); a replaced file keeps its mode.

    Raises:
        TransdeskError: the folder or file cannot be written (message names the path).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open applies the umask, which mkstemp (always 0600) would not.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if path.exists():
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise TransdeskError(f"{path}: cannot write ({e.strerror or e})") from e
