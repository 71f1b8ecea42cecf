"""A small OpenAI-compatible chat-completions server on 127.0.0.1, for tests and benchmarks.

It answers each request with a fixed English sentence derived from the Korean sentence in the
prompt (the line "Korean: ..."), so runs are reproducible, and can be told to misbehave:
`errors` are served to the first requests in order (an HTTP status, or "malformed" for a body
that is not JSON, or "drop" to close the connection), `delay` holds every reply, sentences in
`echo_once` get the prompt echoed on their first ask (a retry gets the right answer), sentences
in `always_bad` always get chatter. With `key`, a request without that bearer token gets 401.

Hostile modes, for the robustness tests: `raw` is the body of every 200 reply, as given (odd
logprobs, lone surrogates, deep nesting); `huge` pads the reply's content to that many bytes,
streamed in 1 MiB pieces and never held (`chunked` sends it without a Content-Length);
`trickle` sends the reply one byte every `trickle` seconds (the status line and headers too,
unless `trickle_head` is False);
`echo_key` puts the bearer token the request carried into the reply's content ("content") or
into an HTTP 400 error message ("error").

Run it alone (for the benchmark or by hand): ``python -m tests.llm_server --port 8000``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_KOREAN = re.compile(r"^Korean: (.*)$", re.MULTILINE)
RETRY_MARK = "broke the output contract"


def answer_for(sentence: str) -> str:
    """The server's English for a Korean sentence: fixed, and different per sentence."""
    digest = hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:8]
    return f"Sentence {digest} reads well in English."


class FakeLLM:
    """The server's behaviour and what it saw (requests, most requests in flight at once)."""

    def __init__(
        self,
        *,
        key: str | None = None,
        delay: float = 0.0,
        errors: Iterable[int | str] = (),
        echo_once: Iterable[str] = (),
        always_bad: Iterable[str] = (),
        raw: bytes | None = None,
        huge: int = 0,
        chunked: bool = False,
        trickle: float = 0.0,
        trickle_head: bool = True,
        echo_key: str | None = None,
    ) -> None:
        self.key = key
        self.delay = delay
        self.errors = list(errors)
        self.echo_once = set(echo_once)
        self.always_bad = set(always_bad)
        self.raw = raw
        self.huge = huge
        self.chunked = chunked
        self.trickle = trickle
        self.trickle_head = trickle_head
        self.echo_key = echo_key
        self.sent = 0  # body bytes written (huge replies: how much the client took)
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.bodies: list[dict] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def reply(self, body: dict) -> tuple[int, bytes]:
        messages = body.get("messages") or []
        users = [m["content"] for m in messages if m.get("role") == "user"]
        found = _KOREAN.findall(users[0]) if users else []
        sentence = found[-1].strip() if found else ""
        retry = len(users) > 1 and RETRY_MARK in users[-1]
        if sentence in self.always_bad:
            text = f"Here is the translation: {answer_for(sentence)}"
        elif sentence in self.echo_once and not retry:
            text = users[0]
        else:
            text = answer_for(sentence)
        payload = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        }
        return 200, json.dumps(payload).encode("utf-8")

    def start(self, port: int = 0) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                with fake.lock:
                    fake.requests += 1
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                    error = fake.errors.pop(0) if fake.errors else None
                try:
                    if fake.delay:
                        time.sleep(fake.delay)
                    if fake.key and self.headers.get("Authorization") != f"Bearer {fake.key}":
                        self._send(401, b'{"error": {"message": "invalid api key"}}')
                        return
                    if error == "drop":
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if error == "malformed":
                        self._send(200, b'{"choices": [{"message": ')
                        return
                    if isinstance(error, int):
                        self._send(error, b'{"error": {"message": "try later"}}', retry_after="0")
                        return
                    body = json.loads(raw.decode("utf-8"))
                    with fake.lock:
                        fake.bodies.append(body)
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if fake.echo_key == "error":
                        message = f"Incorrect API key provided: {token}. Check it."
                        self._send(400, json.dumps({"error": {"message": message}}).encode())
                    elif fake.huge:
                        self._send_huge(fake.huge)
                    elif fake.raw is not None:
                        self._send(200, fake.raw)
                    else:
                        status, data = fake.reply(body)
                        if fake.echo_key == "content":
                            reply = json.loads(data)
                            reply["choices"][0]["message"]["content"] += f" {token}"
                            data = json.dumps(reply).encode()
                        self._send(status, data)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

            def _send_trickle(self, status: int, data: bytes) -> None:
                whole = (
                    f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n"
                ).encode() + data
                at_once = 0 if fake.trickle_head else len(whole) - len(data)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(whole[:at_once])
                    for i in range(at_once, len(whole)):
                        self.wfile.write(whole[i : i + 1])
                        time.sleep(fake.trickle)

            def _send_huge(self, size: int) -> None:
                head, tail = b'{"choices": [{"message": {"content": "', b'"}}]}'
                pad = size - len(head) - len(tail)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if fake.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(size))
                self.end_headers()
                piece = b"a" * (1 << 20)
                parts = [head, *([piece] * (pad // len(piece))), piece[: pad % len(piece)], tail]
                parts = [p for p in parts if p]
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for part in parts:
                        if fake.chunked:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        else:
                            self.wfile.write(part)
                        with fake.lock:
                            fake.sent += len(part)
                    if fake.chunked:
                        self.wfile.write(b"0\r\n\r\n")

            def _send(self, status: int, data: bytes, retry_after: str | None = None) -> None:
                if fake.trickle:
                    self._send_trickle(status, data)
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                # The client may have been killed or given up (a test of exactly that).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--huge", type=int, default=0, help="reply of this many bytes")
    parser.add_argument("--chunked", action="store_true", help="huge reply without a length")
    parser.add_argument("--trickle", type=float, default=0.0, help="seconds between bytes")
    args = parser.parse_args()
    fake = FakeLLM(delay=args.delay, huge=args.huge, chunked=args.chunked, trickle=args.trickle)
    fake.start(args.port)
    print(fake.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
