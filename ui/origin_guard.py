"""The server's first gate: every HTTP request and WebSocket handshake, Streamlit's own
(`/_stcore/stream`, `/_stcore/upload_file`, `/media`, components) and the desk's `/api` routes
alike, is accepted only from the app's own origin or a configured one (`mt.web_origins`).

Streamlit's own check admits any port of localhost, 127.0.0.1, 0.0.0.0 and the machine's
addresses, and the sign-in cookie (SameSite=Strict) is sent to them all, since pages on other
ports of a host are the same *site*: a page on 127.0.0.1:19999 could open the app's WebSocket
as the signed-in editor. Here:

- a request with an `Origin` passes when that origin is the one the browser reached (the
  request's scheme and `Host`; uvicorn already applies `X-Forwarded-Proto` from a local proxy)
  or one of `TRANSDESK_ALLOWED_ORIGINS`; `null` and anything else are refused;
- a request without one (a non-browser client, a same-origin GET) is judged by
  `Sec-Fetch-Site` where the browser sends it: same-origin and none (typed, bookmarked) pass,
  and from another site only a top-level page load passes (a link followed to the desk);
- a refused HTTP request gets 403 and one line of JSON; a refused WebSocket handshake is
  closed before it is accepted (code 1008, which the server answers as HTTP 403), so no
  Streamlit session ever exists for another origin.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.logger import get_logger

from mt.web_origins import ENV, normalize_origin

_LOGGER = get_logger(__name__)
_HTTP_SCHEMES = {"ws": "http", "wss": "https"}
_LOGGED_MAX = 100  # distinct refused origins logged, so refusals cannot fill the log


def own_origin(scope: Scope) -> str | None:
    """The origin the browser reached: the request's scheme (ws → http) and `Host`."""
    host = Headers(scope=scope).get("host")
    if not host:
        return None
    scheme = str(scope.get("scheme", "http"))
    return normalize_origin(f"{_HTTP_SCHEMES.get(scheme, scheme)}://{host}")


def refusal(scope: Scope, allowed: frozenset[str]) -> str | None:
    """Why the request must be refused (one line), or None when it may go on."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is not None:
        spelled = normalize_origin(origin)
        if spelled is not None and (spelled in allowed or spelled == own_origin(scope)):
            return None
        return f"cross-origin request refused: {origin[:80]!r} is not this desk's origin"
    site = headers.get("sec-fetch-site")
    if site is None or site in ("same-origin", "none"):
        return None
    if headers.get("sec-fetch-mode") == "navigate" and headers.get("sec-fetch-dest") == "document":
        return None  # a link to the desk followed from another site: the page loads as itself
    return f"cross-origin request refused: Sec-Fetch-Site {site[:20]!r}"


class OriginGuard:
    """Pure ASGI middleware refusing requests and WebSocket handshakes from other origins."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset(allowed)
        self._logged: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        reason = refusal(scope, self.allowed)
        if reason is None:
            await self.app(scope, receive, send)
            return
        self._log(scope, reason)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await JSONResponse({"ok": False, "error": reason}, 403)(scope, receive, send)

    def _log(self, scope: Scope, reason: str) -> None:
        line = f"{reason} ({scope['type']} {str(scope.get('path', ''))[:80]})"
        if line in self._logged or len(self._logged) >= _LOGGED_MAX:
            return
        self._logged.add(line)
        _LOGGER.warning("%s; a reverse proxy's public origin goes in %s", line, ENV)
