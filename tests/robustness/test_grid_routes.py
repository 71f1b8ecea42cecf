"""The editing grid's HTTP routes at the boundary (#24), against a real `transdesk ui` on SQLite
and PostgreSQL: another origin, another content type, an oversized or malformed body, a key
that is forged, for another article or of a sign-in that ended are each refused in one line;
a valid key keeps the editor's unsaved copy and reads others' changes, with the same checks as
the grid's other events."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import pytest

from mt import revising
from mt import store as repo
from mt.store import sessions
from mt.store.drafts_wip import get_wip
from mt.store.grid_keys import issue_grid_key
from tests.browser.conftest import start_desk
from tests.store.conftest import TableEngine
from ui.server_routes import CHANGES_ROUTE, WIP_ROUTE

pytestmark = pytest.mark.slow

KO = ["서울시는 내년부터 버스 요금을 올린다.", "시민들의 반응은 엇갈렸다."]


@pytest.fixture
def desk(store, store_url, tmp_path, tiny_model_dir):
    from mt.drafting import create_document

    for name, role in (("ana", "editor"), ("vic", "viewer")):
        repo.add_user(store, name, role=role, password=f"{name}-password-1")
    engine = TableEngine("table", {k: f"Draft {i}." for i, k in enumerate(KO)})
    doc = create_document(store, "\n".join(KO), title="A", engine=engine, created_by="ana")
    other = create_document(store, KO[0], title="B", engine=engine, created_by="ana")
    running, proc = start_desk(tmp_path, tiny_model_dir, db_url=store_url)
    running.store, running.doc, running.other = store, doc, other
    yield running
    proc.terminate()
    proc.wait(timeout=20)


def key_for(store, name: str, doc: int) -> tuple[str, str]:
    """A signed-in browser session of `name` and its grid key for `doc`: (key, cookie token)."""
    editor = repo.authenticate(store, name, f"{name}-password-1")
    pending = sessions.begin_session(store, editor.id)
    token, _ = sessions.redeem_code(store, pending.code)
    key = issue_grid_key(
        store,
        editor_id=editor.id,
        document_id=doc,
        mode="local",
        web_session=pending.session_id,
        hours=1,
    )
    return key, token


def post(desk, path: str, body: bytes | dict | int, **headers: str) -> tuple[int, dict]:
    """POST `body` (an int: only headers declaring that many bytes, as the server answers
    before reading; sending them would meet a closed connection)."""
    sent = {"Content-Type": "application/json", "Origin": desk.url, **headers}
    if isinstance(body, int):
        host, port = desk.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.putrequest("POST", path)
            for name, value in sent.items() | {"Content-Length": str(body)}.items():
                connection.putheader(name, value)
            connection.endheaders()
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            connection.close()
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(desk.url + path, data=data, headers=sent, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_boundary_refuses_in_one_line(desk):
    key, _ = key_for(desk.store, "ana", desk.doc)
    seg = repo.list_segments(desk.store, desk.doc)[0]
    good = {"key": key, "doc": desk.doc, "seg": seg.id, "version": seg.version, "text": "typed"}
    port = desk.url.rsplit(":", 1)[1]
    refused = [
        (WIP_ROUTE, good, {"Origin": f"http://127.0.0.1:{int(port) + 1}"}, 403, "cross-origin"),
        (WIP_ROUTE, good, {"Origin": "http://evil.example"}, 403, "cross-origin"),
        (WIP_ROUTE, good, {"Content-Type": "text/plain"}, 415, "must be JSON"),
        (WIP_ROUTE, (1 << 20) + 1, {}, 413, "over 1,048,576 bytes"),
        (WIP_ROUTE, b"{not json", {}, 400, "not valid JSON"),
        (WIP_ROUTE, b"[" * 100_000 + b"]" * 100_000, {}, 400, "not valid JSON"),
        (WIP_ROUTE, b"[1, 2]", {}, 400, "must be a JSON object"),
        (WIP_ROUTE, good | {"key": key[:-1] + "x"}, {}, 401, "sign in again"),
        (WIP_ROUTE, good | {"doc": desk.other}, {}, 401, "sign in again"),
        (WIP_ROUTE, good | {"text": "x" * 100_001}, {}, 400, "at most 100,000"),
        (WIP_ROUTE, good | {"version": "1"}, {}, 400, "whole number"),
        (CHANGES_ROUTE, {"key": key, "doc": desk.doc, "since": "yesterday"}, {}, 400, "since"),
        (CHANGES_ROUTE, {"key": key, "doc": desk.doc, "since": None, "mine": []}, {}, 400, "mine"),
        (CHANGES_ROUTE, {"key": key, "doc": desk.doc, "ids": [True]}, {}, 400, "ids must"),
        (CHANGES_ROUTE, {"key": key, "doc": desk.doc, "ids": list(range(1, 600))}, {}, 400, "ids"),
    ]
    for path, body, headers, status, message in refused:
        code, answer = post(desk, path, body, **headers)
        assert (code, answer["ok"]) == (status, False), (path, headers, answer)
        assert message in answer["error"] and "\n" not in answer["error"]
        assert answer.get("signed_out", False) is (status == 401)
    assert get_wip(desk.store, seg.id, editor="ana") is None  # nothing was kept


def test_a_valid_key_keeps_the_copy_and_reads_changes_until_sign_out(desk):
    key, token = key_for(desk.store, "ana", desk.doc)
    first, second = repo.list_segments(desk.store, desk.doc)
    body = {"key": key, "doc": desk.doc, "seg": first.id, "version": 1, "text": "Half typed"}
    assert post(desk, WIP_ROUTE, body) == (200, {"ok": True})
    assert get_wip(desk.store, first.id, editor="ana").text == "Half typed"
    # back to the saved text: no unsaved copy any more, and still no new version
    assert post(desk, WIP_ROUTE, body | {"text": first.target}) == (200, {"ok": True})
    assert get_wip(desk.store, first.id, editor="ana") is None
    # a segment of another article through this article's key: refused
    alien = repo.list_segments(desk.store, desk.other)[0]
    code, answer = post(desk, WIP_ROUTE, body | {"seg": alien.id})
    assert code == 400 and "not in the article you have open" in answer["error"]

    code, start = post(desk, CHANGES_ROUTE, {"key": key, "doc": desk.doc, "since": None})
    assert code == 200 and start["rows"] == []
    revising.save_segment(desk.store, second.id, "Ana saved.", editor="ana", base_version=1)
    query = {"key": key, "doc": desk.doc, "since": start["now"], "mine": {str(second.id): "Mine"}}
    code, answer = post(desk, CHANGES_ROUTE, query)
    row = {r["id"]: r for r in answer["rows"]}[second.id]
    assert (row["target"], row["version"], row["by"]) == ("Ana saved.", 2, "ana")
    assert row["diff"]

    sessions.revoke_session(desk.store, token=token)  # signed out in another tab
    for path, payload in ((WIP_ROUTE, body), (CHANGES_ROUTE, query)):
        code, answer = post(desk, path, payload)
        assert (code, answer["signed_out"]) == (401, True)


def test_a_viewer_key_reads_but_keeps_no_copy(desk):
    key, _ = key_for(desk.store, "vic", desk.doc)
    seg = repo.list_segments(desk.store, desk.doc)[0]
    body = {"key": key, "doc": desk.doc, "seg": seg.id, "version": 1, "text": "viewer typed"}
    code, answer = post(desk, WIP_ROUTE, body)
    assert code == 400 and "may not edit" in answer["error"]
    assert get_wip(desk.store, seg.id, editor="vic") is None
    code, answer = post(desk, CHANGES_ROUTE, {"key": key, "doc": desk.doc, "since": None})
    assert code == 200 and answer["ok"]
