"""Streamlit's upload endpoint against a running `transdesk ui` (#13, item 2).

A real server is started (as tests/browser does) and spoken to like a browser, without one:
the page's XSRF cookie, a WebSocket session that runs the app once, then `PUT
/_stcore/upload_file/<session>/<id>` requests with multipart bodies. Before the fix a signed-out
visitor parked 60 × 19 MB (204 each) and the server kept them. Now a session holds at most two
uploads of the maximum size, the server at most TRANSDESK_MAX_HELD_UPLOADS_MB, and while
accounts exist a session whose person has not signed in may not upload at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import urllib.request
import uuid

import pytest

from mt import store as repo
from tests.browser.conftest import start_desk

pytestmark = pytest.mark.slow

MB = 2**20


class Visitor:
    """One browser-like client: a cookie jar and a live app session over a WebSocket."""

    def __init__(self, url: str) -> None:
        self.url = url
        with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as page:  # XSRF cookie
            cookies = page.headers.get_all("Set-Cookie") or []
        self.xsrf = next(
            c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("_streamlit_xsrf=")
        )
        self.loop = asyncio.new_event_loop()
        self.ws = None
        self.session_id = self.loop.run_until_complete(self._connect())

    async def _connect(self) -> str:
        import websockets
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit", self.xsrf],
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf}"},
            max_size=None,
        )
        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = ""
        await self.ws.send(back.SerializeToString())
        session_id = ""
        while True:  # the session id arrives first; then wait for the run to finish
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), 120))
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                session_id = msg.new_session.initialize.session_id or session_id
            if kind == "script_finished" and session_id:
                return session_id

    def put(self, size: int, file_id: str | None = None) -> int:
        """PUT a file of `size` bytes as this session; the HTTP status."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
            ).encode()
            + b"a" * size
            + f"\r\n--{boundary}--\r\n".encode()
        )
        host = self.url.removeprefix("http://")
        conn = http.client.HTTPConnection(host, timeout=120)
        path = f"/_stcore/upload_file/{self.session_id}/{file_id or uuid.uuid4().hex}"
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": self.xsrf,
            "Cookie": f"_streamlit_xsrf={self.xsrf}",
        }
        try:
            # Refused before the whole body was sent: the answer is still there to read.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                conn.request("PUT", path, body=body, headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()

    def close(self) -> None:
        if self.ws is not None:
            self.loop.run_until_complete(self.ws.close())
        self.loop.close()


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.fixture
def server(tmp_path, tiny_model_dir):
    desk, proc = start_desk(
        tmp_path, tiny_model_dir, extra_env={"TRANSDESK_MAX_HELD_UPLOADS_MB": "100"}
    )
    yield desk, proc
    proc.terminate()
    proc.wait(timeout=30)


def test_a_session_holds_at_most_two_uploads_of_the_maximum_size(server):
    desk, proc = server
    visitor = Visitor(desk.url)
    try:
        before = _rss_mb(proc.pid)
        codes = [visitor.put(19 * MB) for _ in range(10)]
        assert codes[:2] == [204, 204], codes
        assert set(codes[2:]) == {413}, codes
        assert visitor.put(19 * MB, file_id="again") == 413
        assert visitor.put(21 * MB) == 413  # one file over server.maxUploadSize
        grown = _rss_mb(proc.pid) - before
        assert grown < 200, f"server grew by {grown:.0f} MB"
    finally:
        visitor.close()


def test_the_server_holds_at_most_its_global_cap(server):
    desk, _ = server
    visitors = [Visitor(desk.url) for _ in range(4)]
    try:
        codes = [v.put(19 * MB) for v in visitors for _ in range(2)]
        # 100 MB cap: five 19 MB files fit, the rest are refused.
        assert codes.count(204) == 5 and codes.count(413) == 3, codes
    finally:
        for v in visitors:
            v.close()


def test_signed_out_sessions_may_not_upload_once_accounts_exist(server):
    desk, _ = server
    with repo.open_store(desk.db_url) as store:
        repo.add_user(store, "rita", role="editor", password="correct horse")
    visitor = Visitor(desk.url)
    try:
        assert visitor.put(1 * MB) == 403
        assert visitor.put(10) == 403
    finally:
        visitor.close()
