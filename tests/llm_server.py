"""A small OpenAI-compatible chat-completions server on 127.0.0.1, for tests and benchmarks.

It answers each request with a fixed English sentence derived from the Korean sentence in the
prompt (the line "Korean: ..."), so runs are reproducible, and can be told to misbehave:
`errors` are served to the first requests in order (an HTTP status, or "malformed" for a body
that is not JSON, or "drop" to close the connection), `delay` holds every reply, sentences in
`echo_once` get the prompt echoed on their first ask (a retry gets the right answer), sentences
in `always_bad` always get chatter. With `key`, a request without that bearer token gets 401.

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
    ) -> None:
        self.key = key
        self.delay = delay
        self.errors = list(errors)
        self.echo_once = set(echo_once)
        self.always_bad = set(always_bad)
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
                    self._send(*fake.reply(body))
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

            def _send(self, status: int, data: bytes, retry_after: str | None = None) -> None:
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
    args = parser.parse_args()
    fake = FakeLLM(delay=args.delay).start(args.port)
    print(fake.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
