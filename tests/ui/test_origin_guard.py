"""The server's origin gate and body limits (#25), against a real `transdesk ui`: a WebSocket
or request from another origin (another port of the same host included) is refused in one line
while the app's own origin and a configured proxy origin are served; a page on another port
cannot open the app's WebSocket as the signed-in editor, who keeps working on the app's own
page; sign-in bodies are capped before they are read (a 10 MB chunked body costs the server no
memory) and a deeply nested body is a 400, not a RecursionError."""

from __future__ import annotations

import http.server
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from functools import partial

import psutil
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from mt import store as repo
from mt.commands.ui import streamlit_command
from mt.errors import InvalidValue
from mt.store import sessions
from mt.web_origins import configured_origins, normalize_origin, parse_origins
from tests.browser.conftest import free_port, require_chromium, start_desk, wait_idle
from tests.conftest import run_cli_process
from ui.request_body import nested_deeper
from ui.server_routes import SESSION_ROUTE, SIGNOUT_ROUTE, WIP_ROUTE

pytestmark = pytest.mark.slow

PROXY = "https://desk.example.com"
PASSWORD = "ana-password-1"


@pytest.fixture(scope="module")
def desk(tmp_path_factory, tiny_model_dir):
    tmp = tmp_path_factory.mktemp("origin_guard")
    store = repo.open_store(f"sqlite:///{tmp / 'desk.db'}")
    repo.add_user(store, "ana", role="editor", password=PASSWORD)
    env = {"TRANSDESK_ALLOWED_ORIGINS": f" {PROXY}/ ,"}  # spelled loosely on purpose
    running, proc = start_desk(tmp, tiny_model_dir, extra_env=env)
    running.store, running.proc = store, proc
    running.port = int(running.url.rsplit(":", 1)[1])
    yield running
    proc.terminate()
    proc.wait(timeout=20)
    store.close()


def handshake(desk, origin: str | None) -> int:
    """The HTTP status of a WebSocket handshake to Streamlit's stream from `origin`."""
    options = {"origin": origin} if origin else {}
    try:
        with connect(f"ws://127.0.0.1:{desk.port}/_stcore/stream", open_timeout=30, **options):
            return 101
    except InvalidStatus as e:
        return e.response.status_code


def request(desk, path: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    method = "GET" if body is None else "POST"
    sent = urllib.request.Request(desk.url + path, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_the_websocket_opens_only_from_the_apps_own_or_a_configured_origin(desk):
    other_port = f"http://127.0.0.1:{desk.port + 1}"
    assert handshake(desk, desk.url) == 101
    assert handshake(desk, PROXY) == 101  # TRANSDESK_ALLOWED_ORIGINS: a reverse proxy's
    assert handshake(desk, None) == 101  # a non-browser client sends no Origin
    for origin in (other_port, f"http://localhost:{desk.port + 1}", "null", "http://evil.example"):
        assert handshake(desk, origin) == 403, origin
    assert handshake(desk, f"https://127.0.0.1:{desk.port}") == 403  # another scheme
    log = desk.log.read_text()
    assert f"cross-origin request refused: '{other_port}'" in log


def test_every_route_refuses_another_origin_in_one_line(desk):
    other = {"Origin": f"http://127.0.0.1:{desk.port + 1}"}
    for path in ("/_stcore/health", "/_stcore/host-config", "/", "/media/x.png", "/component/x"):
        code, body = request(desk, path, **other)
        answer = json.loads(body)
        assert (code, answer["ok"]) == (403, False), path
        assert answer["error"].startswith("cross-origin request refused")
        assert "\n" not in answer["error"]
    code, _ = request(desk, "/_stcore/upload_file/s/f", b"x", **other)
    assert code == 403
    code, body = request(desk, SESSION_ROUTE, b"{}", **other, **{"Content-Type": "text/plain"})
    assert code == 403 and b"cross-origin" in body
    # without Origin, what the browser says of the request's site decides
    assert request(desk, "/_stcore/health", **{"Sec-Fetch-Site": "same-site"})[0] == 403
    assert request(desk, "/_stcore/health", **{"Sec-Fetch-Site": "cross-site"})[0] == 403
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    assert request(desk, "/", **link, **{"Sec-Fetch-Dest": "iframe"})[0] == 403  # framed
    assert request(desk, "/", **link, **{"Sec-Fetch-Dest": "document"})[0] == 200  # a link
    for headers in ({}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}):
        assert request(desk, "/_stcore/health", **headers)[0] == 200
    assert request(desk, "/_stcore/health", Origin=desk.url)[0] == 200
    assert request(desk, "/_stcore/health", Origin=PROXY)[0] == 200


@pytest.mark.browser
def test_a_page_on_another_port_cannot_use_the_signed_in_app(desk, browser, tmp_path):
    """A page served on another port of 127.0.0.1 (the same site: the SameSite=Strict cookie
    goes with its requests) tries the app's WebSocket and the sign-out route; the editor,
    signed in on the app's own page, keeps working there."""
    page_port = free_port()
    (tmp_path / "index.html").write_text(
        "<script>window.result = {};"
        f"const ws = new WebSocket('ws://127.0.0.1:{desk.port}/_stcore/stream');"
        "ws.onopen = () => { window.result.ws = 'open'; };"
        "ws.onclose = () => { window.result.ws = window.result.ws || 'refused'; };"
        f"fetch('{desk.url}{SIGNOUT_ROUTE}', {{method: 'POST', mode: 'no-cors',"
        " credentials: 'include', body: '{}'})"
        ".finally(() => { window.result.fetch = 'done'; });</script>"
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", page_port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ctx = browser.new_context()
    ctx.set_default_timeout(90_000)
    try:
        app = ctx.new_page()
        app.goto(desk.url)
        wait_idle(app)
        app.get_by_role("textbox", name="Name").fill("ana")
        app.get_by_role("textbox", name="Password").fill(PASSWORD)
        app.keyboard.press("Enter")
        app.get_by_text("Signed in as").wait_for()  # sign-in route and WebSocket, same origin
        wait_idle(app)
        assert any(c["name"] == sessions.COOKIE_NAME for c in ctx.cookies(desk.url))

        hostile = ctx.new_page()
        hostile.goto(f"http://127.0.0.1:{page_port}/")
        hostile.wait_for_function("window.result.ws && window.result.fetch")
        assert hostile.evaluate("window.result.ws") == "refused"

        app.reload()  # the sign-in cookie still works on the app's own page
        app.get_by_text("Signed in as").wait_for()
        wait_idle(app)
    finally:
        ctx.close()
        server.shutdown()
        server.server_close()
    log = desk.log.read_text()
    assert f"'http://127.0.0.1:{page_port}' is not this desk's origin (websocket" in log
    assert f"'http://127.0.0.1:{page_port}' is not this desk's origin (http {SIGNOUT_ROUTE}" in log


@pytest.fixture
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def chunked_post(desk, path: str, total: int) -> tuple[bytes, int]:
    """POST `total` bytes of chunked body (no length told in advance); the answer's first
    bytes and how much of the body the server let through before answering."""
    with socket.create_connection(("127.0.0.1", desk.port), timeout=60) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{desk.port}\r\nOrigin: {desk.url}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk, sent = b" " * 65536, 0
        try:
            while sent < total:
                s.sendall(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may stop reading once it has answered
        return s.recv(4096), sent


def test_sign_in_bodies_are_capped_before_they_are_read(desk):
    server = psutil.Process(desk.proc.pid)
    chunked_post(desk, SESSION_ROUTE, 1 << 20)  # warm up: the route's code is loaded
    before = server.memory_info().rss
    answer, sent = chunked_post(desk, SESSION_ROUTE, 10 << 20)
    time.sleep(0.5)
    grown = server.memory_info().rss - before
    print(f"server RSS {before / 1e6:.1f} MB, +{grown / 1e6:.2f} MB after a {sent:,}-byte body")
    assert answer.startswith(b"HTTP/1.1 413")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"] == (
        "request body over 4,096 bytes refused"
    )
    assert grown < 4 << 20
    # told in advance: refused without reading
    body = json.dumps({"code": "x" * 5000}).encode()
    headers = {"Origin": desk.url, "Content-Type": "application/json"}
    code, answer = request(desk, SESSION_ROUTE, body, **headers)
    assert (code, json.loads(answer)["error"]) == (413, "request body over 4,096 bytes refused")
    assert request(desk, SIGNOUT_ROUTE, b"[" * 5000, **headers)[0] == 413
    # a sign-in body must be JSON now (a page on another origin cannot send it without asking)
    code, answer = request(desk, SESSION_ROUTE, b'{"code": "x"}', Origin=desk.url)
    assert code == 415 and "Content-Type: application/json" in json.loads(answer)["error"]
    code, answer = request(desk, SESSION_ROUTE, b'{"code": "x"}', **headers)
    assert (code, json.loads(answer)["error"]) == (400, "unknown or used sign-in code")


def test_deeply_nested_bodies_are_a_400_in_one_line(desk):
    headers = {"Origin": desk.url, "Content-Type": "application/json"}
    deep = b"[" * 100_000 + b"]" * 100_000
    for path, body in (
        (SESSION_ROUTE, b"[" * 2000 + b"]" * 2000),
        (WIP_ROUTE, deep),
        (WIP_ROUTE, b'{"key": ' + b"[" * 9 + b"]" * 9 + b"}"),
    ):
        code, answer = request(desk, path, body, **headers)
        error = json.loads(answer)["error"]
        assert code == 400, (path, answer[:200])
        assert error == "the body is not valid JSON here: nested deeper than 8 levels"
    code, answer = request(desk, WIP_ROUTE, b'{"key": "' + b"[" * 50 + b'"}', **headers)
    assert code == 401  # brackets inside a string are text: the body was read, the key refused


def test_nesting_is_counted_on_brackets_outside_strings():
    def depth(body: bytes) -> int:
        return next(n for n in range(200) if not nested_deeper(body, n))

    assert depth(b'"[[["') == depth(b"1") == 0
    assert depth(b'{"a": [1, {"b": "]]]}"}]}') == 3
    assert depth(b'["\\"[[", [[]]]') == 3  # an escaped quote does not end the string
    assert depth(b'["\\\\", [[]]]') == 3  # an escaped backslash does not escape the quote
    assert depth(b"{[{[{}]}]}") == 5  # one level a pass, however the kinds mix
    assert depth(b"[" * 150 + b"]" * 150) == 150
    assert nested_deeper(b"[" * (1 << 20), 8) is False  # unbalanced: json.loads refuses it


def test_origins_are_compared_in_one_spelling(monkeypatch):
    assert normalize_origin("HTTPS://Desk.Example.com:443/") == "https://desk.example.com"
    assert normalize_origin("http://[::1]:8501") == "http://[::1]:8501"
    for bad in ("null", "ftp://x", "https://x/path", "https://u@x", "https://x:99999", "x"):
        assert normalize_origin(bad) is None, bad
    assert parse_origins(" https://a.example , ,http://b:81") == {
        "https://a.example",
        "http://b:81",
    }
    with pytest.raises(InvalidValue, match=r"TRANSDESK_ALLOWED_ORIGINS: 'desk\.example\.com'"):
        parse_origins("desk.example.com")
    monkeypatch.setenv("TRANSDESK_ALLOWED_ORIGINS", "https://a.example")
    assert configured_origins() == {"https://a.example"}


def test_ui_refuses_a_bad_allowed_origin_in_one_line():
    """In a real process: were the origin accepted, `transdesk ui` would become the server."""
    env = {k: v for k, v in os.environ.items() if k != "TRANSDESK_ALLOWED_ORIGINS"}
    args = ("ui", "--no-browser", "--port", str(free_port()))
    result = run_cli_process(*args, "--allowed-origin", "https://x.example/app", env=env, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: --allowed-origin: 'https://x.example/app' is not an origin "
        "(scheme://host[:port], e.g. https://desk.example.com)"
    ]
    env["TRANSDESK_ALLOWED_ORIGINS"] = "desk.example.com"
    result = run_cli_process(*args, env=env, text=True, timeout=60)
    assert result.returncode == 1 and "TRANSDESK_ALLOWED_ORIGINS: 'desk.example.com'" in (
        result.stderr
    )


def test_streamlit_accepts_the_configured_origins_too():
    command = streamlit_command(
        port=8600, host=None, max_upload_mb=5, allowed_origins={"https://b.example", PROXY}
    )
    assert command[-4:] == [
        "--server.corsAllowedOrigins",
        "https://b.example",
        "--server.corsAllowedOrigins",
        PROXY,
    ]
