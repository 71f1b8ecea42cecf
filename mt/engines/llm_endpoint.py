"""Remote LLM drafting through an OpenAI-compatible chat-completions endpoint.

vLLM, llama.cpp's server, Ollama and hosted APIs speak this protocol:
``POST <url>/chat/completions`` with ``{"model", "messages", "temperature", "max_tokens",
"seed"}``, answered by
``{"choices": [{"message": {"content": ...}}]}``. The client uses only the standard library
(`http.client`) and runs only when an endpoint is named: nothing else in Transdesk opens a network
connection.

The API key is read from the ``TRANSDESK_API_KEY`` environment variable and sent as a bearer token;
it is never part of a signature, checkpoint, draft, log line or error message (a URL with a
password in it is refused). Requests time out; 429, 5xx, timeouts, dropped connections and
malformed JSON are retried with exponential backoff (``Retry-After`` is honoured, up to a cap);
at most `concurrency` requests are in flight.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from mt.engines.llm import LLMEngine, LLMSettings
from mt.errors import ModelError, TransdeskError

API_KEY_ENV = "TRANSDESK_API_KEY"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 30.0


class EndpointError(ModelError):
    """The endpoint failed or answered something unusable (after retries where that helps)."""


def _parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path of chat/completions) of an endpoint base URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransdeskError(f"endpoint {url!r}: expected an http:// or https:// URL")
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
        key = os.environ.get(API_KEY_ENV)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        reason = "no reply"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self._delay(attempt, reason))
            try:
                conn = self._connection(fresh=attempt > 0)
                conn.request("POST", self.path, body=body, headers=headers)
                reply = conn.getresponse()
                status, data = reply.status, reply.read()
                retry_after = reply.getheader("Retry-After")
            except TimeoutError:
                reason = f"no reply within {self.timeout:g} s"
                continue
            except (OSError, http.client.HTTPException) as e:
                reason = f"connection failed ({type(e).__name__})"
                continue
            if status == 200:
                try:
                    return _content(data)
                except ValueError as e:
                    reason = str(e)
                    continue
            if status in RETRY_STATUS:
                reason = f"HTTP {status}"
                self._local.retry_after = retry_after
                continue
            if status in (401, 403):
                raise EndpointError(
                    f"endpoint {self.endpoint}: HTTP {status}, the API key was refused "
                    f"(set {API_KEY_ENV})"
                )
            raise EndpointError(
                f"endpoint {self.endpoint}: HTTP {status} for model {self.model_id!r}"
                f"{_error_message(data, key)}"
            )
        raise EndpointError(
            f"endpoint {self.endpoint}: {reason} after {self.retries + 1} tries; nothing was "
            "written"
        )

    def _delay(self, attempt: int, reason: str) -> float:
        retry_after = getattr(self._local, "retry_after", None)
        self._local.retry_after = None
        if retry_after:
            try:
                return min(MAX_RETRY_AFTER_S, max(0.0, float(retry_after)))
            except ValueError:
                pass
        base = self.backoff * (2 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)  # jitter: parallel retries spread out


def _content(data: bytes) -> tuple[str, float]:
    """(text, mean token log-probability or NaN) of a chat-completions reply."""
    try:
        reply = json.loads(data.decode("utf-8"))
        choice = reply["choices"][0]
        text = choice["message"]["content"]
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError):
        raise ValueError("malformed JSON in the reply") from None
    if not isinstance(text, str):
        raise ValueError("malformed JSON in the reply (content is not text)")
    score = math.nan
    tokens = ((choice.get("logprobs") or {}).get("content")) or []
    logprobs = [t.get("logprob") for t in tokens if isinstance(t, dict)]
    values = [float(v) for v in logprobs if isinstance(v, (int, float))]
    if values:
        score = sum(values) / len(values)
    return text, score


def _error_message(data: bytes, key: str | None) -> str:
    """The server's own error message, short, on one line, with the key masked."""
    try:
        message = json.loads(data.decode("utf-8"))["error"]["message"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return ""
    if not isinstance(message, str):
        return ""
    message = " ".join(message.split())[:200]
    if key:
        message = message.replace(key, "***")
    return f": {message}"
