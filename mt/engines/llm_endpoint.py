"""Remote LLM drafting through an OpenAI-compatible chat-completions endpoint.

vLLM, llama.cpp's server, Ollama and hosted APIs speak this protocol:
``POST <url>/chat/completions`` with ``{"model", "messages", "temperature", "max_tokens",
"seed"}``, answered by
``{"choices": [{"message": {"content": ...}}]}``. The client uses only the standard library
(`http.client`) and runs only when an endpoint is named: nothing else in Transdesk opens a network
connection.

The API key is read once, when the engine is made, from the ``TRANSDESK_API_KEY`` environment
variable: surrounding whitespace (a ``.env`` file's CR/LF) and a byte-order mark are stripped, and
a key with whitespace, a control character or a non-ASCII character inside is refused in one
line that does not show it. It is sent as a bearer token, registered with `mt.redact` and masked
(any 8+ character piece, any case) in every message, including error text quoted from the
endpoint; it is never part of a signature, checkpoint, draft, log line or error message (a URL
with a password in it is refused).

The endpoint is not trusted:

- ``timeout`` is a deadline for each request as a whole (connect, send, status line, headers and
  every byte of the body): a reply that trickles in is cut when it passes, and the try counts
  as a timeout;
- a reply is read in pieces up to a size bound (`reply_limit`: ``max_tokens`` × 256 bytes plus
  64 KiB, at most 8 MiB), never held beyond it; a larger reply (by its Content-Length or as it
  streams) ends the job at once with one line, without being retried;
- the JSON is parsed only when it nests at most 32 levels deep, NaN/Infinity are refused, and
  each field used is checked for its type: a reply without text content, or with a lone
  surrogate in it, is malformed and retried like unparsable JSON. Token log-probabilities are
  optional: when ``logprobs`` is missing or not the expected shape, or a value is not a finite
  number ≤ 0, the reply's score is NaN (unknown) and its text is kept;
- a reply whose content quotes the API key is refused (not masked): the job ends with one line
  and the key never reaches a draft.

429, 5xx, timeouts, dropped connections and malformed replies are retried with exponential
backoff (``Retry-After`` is honoured, up to a cap); at most `concurrency` requests are in flight.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import random
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from mt import redact
from mt.engines.llm import LLMEngine, LLMSettings
from mt.errors import InvalidValue, ModelError, TransdeskError

API_KEY_ENV = "TRANSDESK_API_KEY"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 30.0
REPLY_BASE_BYTES = 64 * 1024  # the reply's JSON around the text
REPLY_BYTES_PER_TOKEN = 256  # a token as JSON-escaped text, with room for its log-probability
MAX_REPLY_BYTES = 8 * 1024 * 1024
MAX_JSON_DEPTH = 32  # a chat-completions reply nests about 6 levels deep

_KEY_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no space: what a bearer token holds
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class EndpointError(ModelError):
    """The endpoint failed or answered something unusable (after retries where that helps)."""


class _ReplyTooLarge(Exception):
    """The reply is larger than the bound for the request (not worth a retry)."""


class _Deadline(Exception):
    """The request did not finish within the timeout."""


def read_api_key() -> str | None:
    """The API key from `API_KEY_ENV`, stripped, or None when unset or empty.

    Raises:
        InvalidValue: the key holds whitespace, a control or a non-ASCII character inside; the
            message says where, never what.
    """
    raw = os.environ.get(API_KEY_ENV)
    if raw is None:
        return None
    key = raw.strip().strip("\ufeff").strip()
    if not key:
        return None
    if not _KEY_CHARS.fullmatch(key):
        bad = next(i for i, c in enumerate(key) if not _KEY_CHARS.fullmatch(c))
        raise InvalidValue(
            f"{API_KEY_ENV}: the API key holds whitespace, a control character or a non-ASCII "
            f"character inside it (character {bad + 1} of {len(key)}); the key is not shown, "
            "check where it was copied from"
        )
    return key


def reply_limit(max_tokens: int) -> int:
    """The most bytes a reply of at most `max_tokens` tokens may take."""
    return min(MAX_REPLY_BYTES, REPLY_BASE_BYTES + max(0, max_tokens) * REPLY_BYTES_PER_TOKEN)


def _parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path of chat/completions) of an endpoint base URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransdeskError(redact.mask(f"endpoint {url!r}: expected an http:// or https:// URL"))
    if parts.username or parts.password:
        raise TransdeskError(
            f"endpoint {parts.scheme}://{parts.hostname}: a URL must not carry credentials; "
            f"put the API key in {API_KEY_ENV}"
        )
    path = parts.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path = f"{path}/chat/completions"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname, port, path


class EndpointEngine(LLMEngine):
    """Draft with a model behind an OpenAI-compatible endpoint (`url`, `model`)."""

    name = "endpoint"
    family = "endpoint"

    def __init__(
        self,
        url: str,
        *,
        model: str,
        settings: LLMSettings,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 0.5,
        concurrency: int = 4,
        batch_tokens: int = 2048,
        **_ignored: object,
    ) -> None:
        if not model:
            raise TransdeskError("an endpoint needs a model name")
        if concurrency < 1:
            raise TransdeskError(f"concurrency must be at least 1, not {concurrency}")
        if not timeout > 0:
            raise TransdeskError(f"timeout must be more than 0 seconds, not {timeout}")
        self._key = read_api_key()
        redact.register(self._key)
        self.scheme, self.host, self.port, self.path = _parse_url(url)
        super().__init__(
            model_id=model,
            revision=None,
            is_test_model=False,
            device="remote",
            settings=settings,
            batch_tokens=batch_tokens,
        )
        self.endpoint = f"{self.scheme}://{self.host}:{self.port}"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.concurrency = concurrency
        self._local = threading.local()

    def __repr__(self) -> str:  # no key here, ever
        return f"EndpointEngine({self.endpoint!r}, model={self.model_id!r})"

    def generation_info(self) -> dict[str, object]:
        return {**super().generation_info(), "endpoint": self.endpoint}

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        # No tokenizer at hand: one token per character bounds Korean from above in the usual
        # LLM vocabularies, which is what the batch plan and the reply length limit need.
        return [max(1, len(s)) for s in sentences]

    def generate(
        self, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: Sequence[int]
    ) -> list[tuple[str, float]]:
        if len(conversations) == 1 or self.concurrency == 1:
            return [
                self._complete(c, n) for c, n in zip(conversations, max_new_tokens, strict=True)
            ]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(conversations))) as pool:
            return list(pool.map(self._complete, conversations, max_new_tokens))

    # -- one request -----------------------------------------------------------------------

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            cls = (
                http.client.HTTPSConnection
                if self.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = cls(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def _error(self, problem: str) -> EndpointError:
        """One line naming the endpoint and the problem, with the key masked."""
        return EndpointError(redact.mask(f"endpoint {self.endpoint}: {problem}", [self._key or ""]))

    def _complete(self, messages: list[dict[str, str]], max_tokens: int) -> tuple[str, float]:
        body = json.dumps(
            {
                "model": self.model_id,
                "messages": messages,
                "temperature": self.settings.temperature,
                "max_tokens": int(max_tokens),
                "seed": self.settings.seed,
                "n": 1,
                "stream": False,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        limit = reply_limit(int(max_tokens))
        reason = "no reply"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self._delay(attempt, reason))
            try:
                status, data, retry_after = self._exchange(body, headers, limit, attempt > 0)
            except _Deadline:
                reason = f"no reply within {self.timeout:g} s"
                continue
            except _ReplyTooLarge:
                raise self._error(
                    f"the reply is larger than {limit} bytes, the most a reply of "
                    f"{int(max_tokens)} tokens may take; nothing was written"
                ) from None
            except (OSError, http.client.HTTPException) as e:
                reason = f"connection failed ({type(e).__name__})"
                continue
            if status == 200:
                try:
                    text, score = _content(data)
                except ValueError as e:
                    reason = str(e)
                    continue
                if self._key and redact.contains(text, [self._key]):
                    raise self._error(
                        "the reply quotes the API key; it was refused and nothing was written"
                    )
                return text, score
            if status in RETRY_STATUS:
                reason = f"HTTP {status}"
                self._local.retry_after = retry_after
                continue
            if status in (401, 403):
                raise self._error(f"HTTP {status}, the API key was refused (set {API_KEY_ENV})")
            raise self._error(
                f"HTTP {status} for model {self.model_id!r}{_error_message(data, self._key)}"
            )
        raise self._error(f"{reason} after {self.retries + 1} tries; nothing was written")

    def _exchange(
        self, body: bytes, headers: dict[str, str], limit: int, fresh: bool
    ) -> tuple[int, bytes, str | None]:
        """(status, body, Retry-After) of one request finished within `self.timeout`.

        A watchdog shuts the socket down when the deadline passes, which ends any read or write
        in progress; reads stop at `limit` bytes.

        Raises:
            _Deadline: the deadline passed.
            _ReplyTooLarge: the reply is longer than `limit` bytes.
            OSError, http.client.HTTPException: the connection failed.
        """
        conn = self._connection(fresh)
        cut = threading.Event()

        def watchdog() -> None:
            cut.set()
            sock = conn.sock
            if sock is not None:
                # the plain socket's shutdown: also ends a TLS read, without unwrapping
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

        timer = threading.Timer(self.timeout, watchdog)
        timer.daemon = True
        timer.start()
        try:
            conn.request("POST", self.path, body=body, headers=headers)
            if cut.is_set():  # the deadline passed while connecting, before a socket existed
                raise _Deadline
            reply = conn.getresponse()
            if reply.length is not None and reply.length > limit:
                raise _ReplyTooLarge
            data = reply.read(limit + 1)
            if len(data) > limit:
                raise _ReplyTooLarge
            if cut.is_set():  # a reply without a length ends at EOF: it may be cut short
                raise _Deadline
            return reply.status, data, reply.getheader("Retry-After")
        except _ReplyTooLarge:
            self._drop_connection()
            raise
        except (TimeoutError, OSError, http.client.HTTPException, ValueError) as e:
            self._drop_connection()
            if cut.is_set() or isinstance(e, TimeoutError):
                raise _Deadline from None
            if isinstance(e, ValueError):  # http.client on a reply it cannot frame
                raise http.client.HTTPException(type(e).__name__) from None
            raise
        except _Deadline:
            self._drop_connection()
            raise
        finally:
            timer.cancel()
            if cut.is_set():  # fired at the last moment: the kept connection is shut down
                self._local.conn = None

    def _delay(self, attempt: int, reason: str) -> float:
        retry_after = getattr(self._local, "retry_after", None)
        self._local.retry_after = None
        if retry_after:
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = math.nan
            if not math.isnan(seconds):
                return min(MAX_RETRY_AFTER_S, max(0.0, seconds))
        base = self.backoff * (2 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)  # jitter: parallel retries spread out


def _nesting_ok(data: bytes, depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text `data` nests at most `depth` levels deep (strings skipped), checked
    without recursion: each pass removes the innermost bracket pairs; unmatched brackets left
    over count as levels too, as a parser would descend into them before failing."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    for peeled in range(depth + 1):
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if shorter == brackets:
            return peeled + len(brackets) <= depth
        brackets = shorter
    return False


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _malformed(what: str) -> ValueError:
    return ValueError(f"malformed JSON in the reply ({what})")


def _content(data: bytes) -> tuple[str, float]:
    """(text, mean token log-probability or NaN) of a chat-completions reply.

    Raises:
        ValueError: the reply is not JSON, nests too deeply, or lacks a text content; the
            message is the reason, without quoting the reply.
    """
    if not _nesting_ok(data):
        raise _malformed(f"nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        reply = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise ValueError("malformed JSON in the reply") from None
    if not isinstance(reply, dict):
        raise _malformed("not an object")
    choices = reply.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _malformed("no choices")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise _malformed("no message")
    text = message.get("content")
    if not isinstance(text, str):
        raise _malformed("content is not text")
    if _SURROGATE.search(text):
        raise _malformed("content holds a lone surrogate")
    return text, _mean_logprob(choice.get("logprobs"))


def _mean_logprob(logprobs: object) -> float:
    """The mean of ``logprobs.content[*].logprob``, or NaN unless every one is a finite number
    ≤ 0 in the expected shape (the score is optional: a doubtful one is no score)."""
    if not isinstance(logprobs, dict):
        return math.nan
    tokens = logprobs.get("content")
    if not isinstance(tokens, list) or not tokens:
        return math.nan
    total = 0.0
    for token in tokens:
        value = token.get("logprob") if isinstance(token, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return math.nan
        try:
            value = float(value)
        except OverflowError:  # an integer of hundreds of digits
            return math.nan
        if not (math.isfinite(value) and value <= 0.0):
            return math.nan
        total += value
    mean = total / len(tokens)
    return mean if math.isfinite(mean) else math.nan


def _error_message(data: bytes, key: str | None) -> str:
    """The server's own error message, short, on one line, with the key masked."""
    if not _nesting_ok(data):
        return ""
    try:
        message = json.loads(data.decode("utf-8"))["error"]["message"]
    except (ValueError, RecursionError, KeyError, IndexError, TypeError):
        return ""
    if not isinstance(message, str) or _SURROGATE.search(message):
        return ""
    message = redact.mask(" ".join(message.split()), [key or ""])[:200]
    return f": {message}"
