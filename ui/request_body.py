"""Reading a JSON request body at the server's boundary, within bounds set before a byte is
kept: a size cap per route (from `Content-Length`, then while the body streams in, so a chunked
body of any size costs at most the cap) and a nesting depth counted on the bytes before
`json.loads`, which would otherwise recurse until a RecursionError. Every refusal is a
`Refused` with one line and its HTTP status (413 too large, 415 not JSON, 400 malformed)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

MAX_DEPTH = 8  # the desk's bodies nest two levels ({"mine": {...}}, {"ids": [...]})

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class Refused(Exception):
    """A request refused at the boundary: its one-line reason and HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def nested_deeper(body: bytes, limit: int) -> bool:
    """Whether the arrays and objects of JSON text `body` nest more than `limit` levels.

    Brackets inside strings are text: escaped backslashes and quotes go first, then every other
    piece between quotes. Each pass then removes the innermost empty pairs (one level, however
    the two kinds mix), so a value nested `limit` deep is gone after `limit` passes; what is
    left holds a pair only when it was deeper (unbalanced brackets hold none, and `json.loads`
    refuses them). Only `bytes` methods, so a 1 MiB body takes milliseconds.
    """
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.split(b'"')[::2]).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"\0").replace(b"{}", b"\0").replace(b"\0", b"")
    return b"[]" in brackets or b"{}" in brackets


async def read_body(request: Request, cap: int) -> bytes:
    """The request's body, refused (413) as soon as it is known to exceed `cap` bytes."""
    declared = request.headers.get("content-length", "")
    too_large = Refused(f"request body over {cap:,} bytes refused", 413)
    if declared and (not declared.isdigit() or int(declared) > cap):
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise too_large
    return bytes(body)


async def read_json_object(
    request: Request, cap: int, max_depth: int = MAX_DEPTH
) -> dict[str, Any]:
    """The request's JSON object: Content-Type application/json, at most `cap` bytes, nested at
    most `max_depth` levels; `Refused` otherwise."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Refused("the body must be JSON (Content-Type: application/json)", 415)
    body = await read_body(request, cap)
    if nested_deeper(body, max_depth):
        raise Refused(f"the body is not valid JSON here: nested deeper than {max_depth} levels")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise Refused("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Refused("the body must be a JSON object")
    return data
