"""The web app's server: Streamlit's app (ui/app.py) plus the routes of the sign-in cookie and of
the editing grid.

`transdesk ui` runs `streamlit run ui/server.py`; Streamlit finds `app` (an `st.App`) and serves
the app with these routes beside it. A page's JavaScript cannot make an HttpOnly cookie, and
Streamlit's Python side cannot set cookies at all, so after a password check the page trades a
one-time code (`mt.store.sessions`) here for the session cookie:

- POST /api/transdesk/session  {"code": "..."} → sets `transdesk_session` (HttpOnly,
  SameSite=Strict, Secure on https, Max-Age = the session's remaining life);
- POST /api/transdesk/signout → revokes the cookie's session and deletes the cookie.

The editing grid (`ui/grid_assets/grid.js`) talks to two more, outside Streamlit's WebSocket, so
that what an editor typed reaches the server even while the page goes (`fetch` with
`keepalive`) and others' work reaches an idle grid within seconds:

- POST /api/transdesk/wip  {"key", "doc", "seg", "version", "text"} → the editor's unsaved copy
  of a segment (`mt.editing.apply_event`, op "wip": the same checks as the grid's other events);
- POST /api/transdesk/changes  {"key", "doc", "since", "mine": {seg: text}} → the article's
  segments changed since `since` (`mt.grid.changes_since`) and the next `since`.

`key` is the grid key the page was given (`mt.store.grid_keys`): it names the account by id and
the article, and stops working when the sign-in does (401 with "signed_out", so the page can
show the sign-in form).

Every request, Streamlit's own (its WebSocket `/_stcore/stream`, uploads, media, components)
and these routes, first passes `ui.origin_guard`: only the app's own origin (the scheme and
`Host` the browser reached) or one of `TRANSDESK_ALLOWED_ORIGINS` (a reverse proxy's public
origin; `transdesk ui --allowed-origin`) is served; another origin, another port of the same
host included, gets 403 in one line, and its WebSocket handshake is refused. Each route then
reads its body through `ui.request_body` with its own cap (`SIGN_IN_BODY` for the sign-in
pair, `MAX_BODY` for the grid's), before a byte beyond it is kept, and a nesting limit counted
before parsing: a body that is not a JSON object within them, or lacks the fields' types and
ranges, is refused in one line (413 too large, 415 not JSON, 400 otherwise).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from mt.store import sessions  # noqa: E402
from mt.web_origins import configured_origins  # noqa: E402
from ui.origin_guard import OriginGuard  # noqa: E402
from ui.request_body import Refused, read_json_object  # noqa: E402
from ui.server_routes import CHANGES_ROUTE, SESSION_ROUTE, SIGNOUT_ROUTE, WIP_ROUTE  # noqa: E402

MAX_BODY = 1 << 20  # bytes: a segment's text is at most 100,000 characters
SIGN_IN_BODY = 4096  # bytes: a one-time code (sign-in) or nothing (sign-out)
MAX_MINE = 500  # unsaved texts one changes request may name

APP = Path(__file__).resolve().parent / "app.py"
_stores: dict[str, Any] = {}


def _store() -> Any:
    from mt import store as repo

    url = repo.default_url()
    if url not in _stores:
        _stores[url] = repo.open_store(url)
    return _stores[url]


async def _session(request: Request) -> JSONResponse:
    try:
        body = await read_json_object(request, SIGN_IN_BODY)
    except Refused as e:
        return _refusal(e)
    code = body.get("code")
    found = await run_in_threadpool(
        sessions.redeem_code, _store(), code if isinstance(code, str) else ""
    )
    if found is None:
        return JSONResponse({"ok": False, "error": "unknown or used sign-in code"}, 400)
    token, expires_at = found
    from mt.store.models import utcnow

    response = JSONResponse({"ok": True})
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=max(1, int((expires_at - utcnow()).total_seconds())),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def _signout(request: Request) -> JSONResponse:
    try:
        await read_json_object(request, SIGN_IN_BODY)
    except Refused as e:
        return _refusal(e)
    token = request.cookies.get(sessions.COOKIE_NAME)
    if token:
        await run_in_threadpool(lambda: sessions.revoke_session(_store(), token=token))
    response = JSONResponse({"ok": True})
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


def _grid_holder(data: dict[str, Any]) -> Any:
    """Who holds the grid key of the request (`mt.store.grid_keys`); `Refused` (401) when the
    key is not valid for the article, e.g. its sign-in has ended."""
    from mt.store.grid_keys import grid_key_holder

    holder = grid_key_holder(_store(), data.get("key"), data.get("doc"))
    if holder is None:
        raise Refused("your sign-in has ended or this page's key is not valid: sign in again", 401)
    return holder


def _refusal(e: Refused) -> JSONResponse:
    return JSONResponse({"ok": False, "error": str(e), "signed_out": e.status == 401}, e.status)


async def _wip(request: Request) -> JSONResponse:
    from mt.editing import apply_event
    from mt.errors import TransdeskError

    try:
        data = await read_json_object(request, MAX_BODY)
        holder = await run_in_threadpool(_grid_holder, data)
        event = {k: data.get(k) for k in ("seg", "version", "text")} | {"op": "wip"}
        await run_in_threadpool(
            apply_event,
            _store(),
            event,
            editor=holder.editor.name,
            document_id=holder.document_id,
            can=_rights(holder),
        )
    except Refused as e:
        return _refusal(e)
    except TransdeskError as e:
        return JSONResponse({"ok": False, "error": str(e)}, 400)
    return JSONResponse({"ok": True})


def _rights(holder: Any) -> dict[str, bool]:
    from mt import permissions
    from mt.editing import GRID_RIGHTS

    accounts = holder.mode != "single"
    return {a: permissions.allowed(holder.editor.role, a, accounts=accounts) for a in GRID_RIGHTS}


def _changes_request(data: dict[str, Any]) -> tuple[datetime | None, dict[int, str], set[int]]:
    """`since` (an ISO time the server gave, or null), `mine` ({segment id: text}) and `ids`
    (segments to send whatever their time: unsaved copies found behind at load) checked."""
    from mt.editing import MAX_TEXT

    raw_since, raw_mine = data.get("since"), data.get("mine", {})
    since = None
    if raw_since is not None:
        try:
            since = datetime.fromisoformat(raw_since) if isinstance(raw_since, str) else None
        except ValueError:
            since = None
        if since is None or since.tzinfo is None:
            raise Refused(f"since must be a time this server gave, not {str(raw_since)[:40]!r}")
    if not isinstance(raw_mine, dict) or len(raw_mine) > MAX_MINE:
        raise Refused(f"mine must be an object of at most {MAX_MINE} unsaved texts")
    mine = {}
    for seg, text in raw_mine.items():
        if not seg.isdigit() or len(seg) > 12 or not isinstance(text, str) or len(text) > MAX_TEXT:
            raise Refused("mine must map segment ids to texts of at most 100,000 characters")
        mine[int(seg)] = text
    ids = data.get("ids", [])
    if (
        not isinstance(ids, list)
        or len(ids) > MAX_MINE
        or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)
    ):
        raise Refused(f"ids must be a list of at most {MAX_MINE} segment ids")
    return since, mine, set(ids)


async def _changes(request: Request) -> JSONResponse:
    from mt.errors import TransdeskError
    from mt.grid import changes_since

    try:
        data = await read_json_object(request, MAX_BODY)
        since, mine, ids = _changes_request(data)
        holder = await run_in_threadpool(_grid_holder, data)
        answer = await run_in_threadpool(
            changes_since, _store(), holder.document_id, since, mine, ids
        )
    except Refused as e:
        return _refusal(e)
    except TransdeskError as e:
        return JSONResponse({"ok": False, "error": str(e)}, 400)
    return JSONResponse({"ok": True, **answer})


app = st.App(
    str(APP),
    middleware=[Middleware(OriginGuard, allowed=configured_origins())],
    routes=[
        Route(SESSION_ROUTE, _session, methods=["POST"]),
        Route(SIGNOUT_ROUTE, _signout, methods=["POST"]),
        Route(WIP_ROUTE, _wip, methods=["POST"]),
        Route(CHANGES_ROUTE, _changes, methods=["POST"]),
    ],
)
