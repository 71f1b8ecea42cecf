"""Data types shared by every reader and writer, and the atomic file write they all use."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISCHR(mode):
        return "a device"
    return "not a plain file"


def _reached_through_proc(path: Path) -> bool:
    """Whether `path` names an open file of this process through /proc (/dev/stdout,
    /dev/fd/1, /proc/self/fd/1): written into where it is, never renamed over."""
    seen = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a chain of links
        if os.path.realpath(os.path.dirname(seen)).startswith("/proc/") or seen.startswith(
            "/proc/"
        ):
            return True
        try:
            link = os.readlink(seen)
        except OSError:
            return False
        seen = os.path.join(os.path.dirname(seen), link)
    return False


def output_target(path: Path | str) -> tuple[Path, bool]:
    """(the file a write to `path` replaces, False) or (`path`, True) when it is written into.

    A regular file or nothing at `path` is replaced whole by a rename (through a symbolic
    link, the file it points to); a FIFO or a character device (/dev/null, a terminal,
    /dev/stdout) cannot be renamed over and is written into instead.

    Raises:
        TransdeskError: `path` is a folder, a socket or a block device, or cannot be looked at.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return path, False  # nothing there (or a dangling link): a new file
    except OSError as e:
        raise TransdeskError(f"{path}: cannot write ({e.strerror or e})") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise TransdeskError(f"{path}: is a folder, not a file")
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return path, True
    if not stat.S_ISREG(mode):
        raise TransdeskError(f"{path}: is {_file_kind(mode)}, not a file")
    if _reached_through_proc(path):
        return path, True
    return (Path(os.path.realpath(path)) if path.is_symlink() else path), False


def check_output(path: Path | str) -> None:
    """Raise TransdeskError unless the file `path` can be written.

    A FIFO or character device must accept writes. For a file, its folder must exist, be a
    folder, and accept a new file (tried with a probe file, which also answers for read-only
    mounts and for root, whom permission bits do not stop); a folder, socket or block device is
    refused (`output_target`).
    """
    path = Path(path)
    target, into = output_target(path)
    if into:
        if not os.access(target, os.W_OK):
            raise TransdeskError(f"{path}: cannot write (permission denied)")
        return
    folder = target.parent
    if not folder.exists():
        raise TransdeskError(f"{path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise TransdeskError(f"{path}: {folder} is not a folder")
    probe = folder / f".{target.name}.{secrets.token_hex(4)}.probe"
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


@contextlib.contextmanager
def atomic_output(path: Path | str) -> Iterator[BinaryIO]:
    """A binary file to write `path`'s new content into; a reader never sees it half-written.

    The one way Transdesk writes a whole file. For a regular file or nothing at `path`, the
    bytes go to a temporary file in the same folder, are flushed to disk when the block ends,
    and the temporary file is renamed over the file (`os.replace`, atomic on POSIX and
    Windows). If the block raises, the temporary file is removed and the file is left
    untouched. A new file gets the usual permissions (0666 less the umask); a replaced file
    keeps its mode. A FIFO or character device (/dev/null, /dev/stdout) is written into, as a
    shell's `>` would: it is never replaced by a regular file (`output_target`).

    Raises:
        TransdeskError: `path` is a folder, socket or block device, or cannot be written
            (the message names it).
    """
    path = Path(path)
    target, into = output_target(path)
    if into:
        try:
            # No O_CREAT: what is there is written into, never made anew. Opening a FIFO waits
            # for its reader, as the shell's `>` does.
            fd = os.open(target, os.O_WRONLY | os.O_APPEND)
            with os.fdopen(fd, "wb") as stream:
                yield stream
        except OSError as e:
            raise TransdeskError(f"{path}: cannot write ({e.strerror or e})") from e
        return
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open applies the umask, which mkstemp (always 0600) would not.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            if target.exists():
                os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise TransdeskError(f"{path}: cannot write ({e.strerror or e})") from e


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (`atomic_output`).

    Raises:
        TransdeskError: the folder or file cannot be written (message names the path).
    """
    with atomic_output(path) as f:
        f.write(data)
