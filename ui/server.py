"""The web app's server: Streamlit's app (ui/app.py) plus the two routes of the sign-in cookie.

`transdesk ui` runs `streamlit run ui/server.py`; Streamlit finds `app` (an `st.App`) and serves
the app with these routes beside it. A page's JavaScript cannot make an HttpOnly cookie, and
Streamlit's Python side cannot set cookies at all, so after a password check the page trades a
one-time code (`mt.store.sessions`) here for the session cookie:

- POST /api/transdesk/session  {"code": "..."} → sets `transdesk_session` (HttpOnly,
  SameSite=Strict, Secure on https, Max-Age = the session's remaining life);
- POST /api/transdesk/signout → revokes the cookie's session and deletes the cookie.

Both refuse requests from another origin (the Origin header must name this server).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from mt.store import sessions  # noqa: E402
from ui.server_routes import SESSION_ROUTE, SIGNOUT_ROUTE  # noqa: E402

APP = Path(__file__).resolve().parent / "app.py"
_stores: dict[str, Any] = {}


def _store() -> Any:
    from mt import store as repo

    url = repo.default_url()
    if url not in _stores:
        _stores[url] = repo.open_store(url)
    return _stores[url]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # same-origin fetches of some browsers omit it for POST? never for CORS
        return request.headers.get("sec-fetch-site", "same-origin") == "same-origin"
    return origin.rstrip("/") == f"{request.url.scheme}://{request.headers.get('host', '')}"


async def _session(request: Request) -> JSONResponse:
    if not _same_origin(request):
        return JSONResponse({"ok": False, "error": "cross-origin request refused"}, 403)
    try:
        body = await request.json()
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    found = await run_in_threadpool(sessions.redeem_code, _store(), code)
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
    if not _same_origin(request):
        return JSONResponse({"ok": False, "error": "cross-origin request refused"}, 403)
    token = request.cookies.get(sessions.COOKIE_NAME)
    if token:
        await run_in_threadpool(lambda: sessions.revoke_session(_store(), token=token))
    response = JSONResponse({"ok": True})
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


app = st.App(
    str(APP),
    routes=[
        Route(SESSION_ROUTE, _session, methods=["POST"]),
        Route(SIGNOUT_ROUTE, _signout, methods=["POST"]),
    ],
)
