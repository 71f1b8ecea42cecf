"""Web origins (scheme, host and port) the desk's server accepts requests from.

A browser names the page that sent a request in its `Origin` header, e.g.
`http://127.0.0.1:8501`; the server accepts only its own origin, plus the origins listed in
env `TRANSDESK_ALLOWED_ORIGINS` (comma-separated; `transdesk ui --allowed-origin` adds to it),
for a reverse proxy whose public address is not the one the server sees. Origins are compared
in one spelling: lower case, without a path, without the scheme's default port.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from mt.errors import InvalidValue

ENV = "TRANSDESK_ALLOWED_ORIGINS"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(text: str) -> str | None:
    """`text` as `scheme://host[:port]` (http or https; lower case, default port dropped), or
    None when it is not such an origin (a path, a query, user info, another scheme)."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if (
        scheme not in _DEFAULT_PORTS
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        return None
    shown = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        shown += f":{port}"
    return f"{scheme}://{shown}"


def parse_origins(text: str, *, source: str = ENV) -> frozenset[str]:
    """The origins of a comma-separated list (empty items skipped); `InvalidValue` naming
    `source` and the item when one is not an origin."""
    found = set()
    for item in text.split(","):
        if not item.strip():
            continue
        origin = normalize_origin(item)
        if origin is None:
            raise InvalidValue(
                f"{source}: {item.strip()[:80]!r} is not an origin "
                "(scheme://host[:port], e.g. https://desk.example.com)"
            )
        found.add(origin)
    return frozenset(found)


def configured_origins() -> frozenset[str]:
    """The extra origins of env `TRANSDESK_ALLOWED_ORIGINS` (none when it is unset)."""
    return parse_origins(os.environ.get(ENV, ""))
