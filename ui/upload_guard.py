"""Caps on the upload bytes Streamlit's server holds in memory, enforced inside the app process.

Streamlit's `PUT /_stcore/upload_file/<session>/<file>` stores every upload in memory
(`MemoryUploadedFileManager`) until its session ends, and its only limit is the size of one
file (`server.maxUploadSize`). Without more, any visitor who opens a session, signed in or
not, can park files until the server runs out of memory. `install` wraps the manager's
`add_file`, the one place every upload passes, once per server process:

- while accounts exist, a session whose person has not signed in gets 403 and nothing is kept;
- a session holds at most `per_session` bytes of uploads (two uploaders of the maximum size);
- the whole server holds at most `total` bytes (TRANSDESK_MAX_HELD_UPLOADS_MB, default 16
  uploads of the maximum size); past either cap the request gets 413 and nothing is kept.

What cannot be done here (bodies in flight before the handler runs, request rates, many
sessions per visitor) is the reverse proxy's job; SECURITY.md says what to set.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

IDENTITY_KEY = "transdesk_identity"  # ui.auth's session key for the signed-in person
_installed: dict[int, Any] = {}
_lock = threading.Lock()
_add_lock = threading.Lock()


def held_total_bytes(max_upload: int) -> int:
    """The server-wide cap: TRANSDESK_MAX_HELD_UPLOADS_MB, else 16 uploads of the maximum size."""
    raw = os.environ.get("TRANSDESK_MAX_HELD_UPLOADS_MB", "")
    try:
        return int(float(raw) * 2**20) if raw else 16 * max_upload
    except ValueError:
        return 16 * max_upload


def install(*, max_upload: int, accounts_exist: Callable[[], bool]) -> bool:
    """Guard the running server's uploads (see the module docstring); False without a server
    (AppTest, bare mode). Safe to call on every script run: it installs once per process."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return False
    runtime = Runtime.instance()
    manager = runtime.uploaded_file_mgr
    with _lock:
        if id(manager) in _installed:
            return True
        original = manager.add_file
        per_session, total = 2 * max_upload, held_total_bytes(max_upload)

        def add_file(session_id: str, file: Any) -> None:
            from starlette.exceptions import HTTPException

            if not _signed_in(runtime, session_id) and _safe(accounts_exist):
                raise HTTPException(status_code=403, detail="Sign in before uploading")
            with _add_lock:  # one check-and-add at a time, so two uploads cannot both slip in
                held = manager.file_storage.get(session_id, {})
                replaced = len(held[file.file_id].data) if file.file_id in held else 0
                mine = sum(len(f.data) for f in held.values()) - replaced + len(file.data)
                everyone = _total(manager) - replaced + len(file.data)
                if mine > per_session or everyone > total:
                    raise HTTPException(status_code=413, detail="Too many uploads held")
                original(session_id=session_id, file=file)

        manager.add_file = add_file
        _installed[id(manager)] = manager
    return True


def _total(manager: Any) -> int:
    return sum(len(f.data) for files in manager.file_storage.values() for f in files.values())


def _signed_in(runtime: Any, session_id: str) -> bool:
    """True when the session's state holds a signed-in identity (ui.auth puts it there)."""
    try:
        info = runtime._session_mgr.get_session_info(session_id)
        return info is not None and IDENTITY_KEY in info.session.session_state
    except Exception:  # Streamlit internals moved: fail closed for this upload
        return False


def _safe(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:  # the database is unreachable: refuse rather than accept blindly
        return True
