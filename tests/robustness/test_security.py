"""Security (issue #6): sign-in and roles enforced on the server, hostile uploads harmless, CSV
exports inert in spreadsheets, passwords hashed with argon2id, secrets kept out of output and
logs. SECURITY.md states the threat model these tests hold the code to.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import subprocess
from pathlib import Path

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.errors import PermissionDenied, TransdeskError
from mt.exchange.export import export_document
from tests.conftest import run_cli_process, shown
from tests.robustness.cases import ROOT, SECRET_MARKER, xxe_xliff

APP = ROOT / "ui" / "app.py"
PAGES = ["documents", "editor", "reports", "settings"]
PASSWORD = "correct horse battery staple 42"
MARKER = "기밀문서표지"  # text of a stored article no signed-out visitor may see


def _all_values(at) -> str:
    """Every value and body rendered in an AppTest tree, as one string."""
    out = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        for attr in ("value", "label", "body"):
            try:
                value = getattr(node, attr, None)
            except Exception:  # some elements have no value until used
                value = None
            if isinstance(value, str):
                out.append(value)
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        stack.extend(getattr(node, "children", {}).values())
    return "\n".join(out)


@pytest.fixture
def desk(tmp_path, tiny_model_dir, monkeypatch):
    """A store with one article and accounts, and the app's environment pointing at it."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("TRANSDESK_DB", url)
    monkeypatch.setenv("TRANSDESK_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("TRANSDESK_USER", "desk")
    monkeypatch.delenv("TRANSDESK_MAX_UPLOAD_MB", raising=False)
    store = repo.open_store(url)
    yield store
    store.close()


@pytest.fixture
def accounts(desk):
    repo.add_user(desk, "ada", role="admin", password=PASSWORD)
    repo.add_user(desk, "rita", role="reviewer", password=PASSWORD)
    repo.add_user(desk, "ed", role="editor", password=PASSWORD)
    doc = drafting.create_document(
        desk, f"{MARKER} 서울은 맑다.", title=MARKER, engine=None, created_by="ada"
    )
    return desk, doc


def _app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)


# --- sign-in and roles ----------------------------------------------------------------------


@pytest.mark.slow
def test_signed_out_visitor_reaches_no_page_and_no_data(accounts):
    at = _app().run()
    assert [s.value for s in at.subheader] == ["Sign in"]
    assert MARKER not in _all_values(at)
    # Until someone signs in the router registers no page script: each page's URL (kept for
    # deep links) draws the sign-in form.
    for page in PAGES:
        with pytest.raises(ValueError, match=r"Known pages: \['Sign in'"):
            at.switch_page(f"views/{page}.py")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_each_page_checks_sign_in_itself(accounts, page):
    """Run on its own (as if the router were bypassed), a page shows no document data."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "ui" / "views" / f"{page}.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert [shown(e.value) for e in at.error] == ["sign in first."]
    assert MARKER not in _all_values(at)
    assert not at.button and not at.text_area and not at.get("download_button")


@pytest.mark.slow
def test_settings_page_shows_nothing_before_sign_in(accounts):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "ui" / "views" / "settings.py"), default_timeout=120).run()
    assert not at.text and not at.subheader


def _call(store, action: str, who: str, seg_id: int, version: int):
    calls = {
        "open": lambda: repo.open_segment(store, seg_id, editor=who),
        "save": lambda: revising.save_segment(store, seg_id, "x", editor=who, base_version=version),
        "approve": lambda: revising.approve_segment(
            store, seg_id, editor=who, base_version=version
        ),
        "reopen": lambda: revising.reopen_segment(store, seg_id, editor=who, base_version=version),
        "comment": lambda: repo.add_comment(store, seg_id, "c", editor=who),
        "add_user": lambda: repo.add_user(store, "new", password="pw pw pw pw", by=who),
        "set_role": lambda: repo.set_role(store, "ed", "admin", by=who),
        "create": lambda: drafting.create_document(
            store, "가.", title="t", engine=None, created_by=who
        ),
    }
    return calls[action]()


# (action, who, allowed) once accounts exist; every check runs in the store, under the UI.
RIGHTS = [
    *[(a, "mallory", False) for a in ["open", "save", "comment", "create", "add_user"]],
    ("approve", "ed", False),
    ("reopen", "ed", False),
    ("add_user", "ed", False),
    ("add_user", "rita", False),
    ("set_role", "rita", False),
    ("save", "ed", True),
    ("comment", "ed", True),
    ("create", "ed", True),
    ("approve", "rita", True),
    ("add_user", "ada", True),
    ("set_role", "ada", True),
]
# the store's one-line refusal of each (action, who) that is not allowed
REFUSALS = {
    **{(a, "mallory"): "no account named 'mallory'" for a, who, _ in RIGHTS if who == "mallory"},
    ("approve", "ed"): "ed is an editor; to approve needs a reviewer or admin",
    ("reopen", "ed"): "ed is an editor; to reopen needs a reviewer or admin",
    ("add_user", "ed"): "ed is an editor; to add users needs an admin",
    ("add_user", "rita"): "rita is a reviewer; to add users needs an admin",
    ("set_role", "rita"): "rita is a reviewer; to change roles needs an admin",
}


@pytest.mark.parametrize(("action", "who", "allowed"), RIGHTS)
def test_roles_are_checked_by_the_store(accounts, action, who, allowed):
    store, doc = accounts
    seg = repo.list_segments(store, doc)[0]
    events = len(repo.edit_events(store))
    if allowed:
        _call(store, action, who, seg.id, seg.version)
        return
    with pytest.raises(PermissionDenied, match=f"^{re.escape(REFUSALS[action, who])}$"):
        _call(store, action, who, seg.id, seg.version)
    assert len(repo.edit_events(store)) == events  # nothing logged, nothing changed
    assert repo.get_segment(store, seg.id) == seg


def test_an_editor_cannot_change_an_approved_segment(accounts):
    store, doc = accounts
    seg = repo.list_segments(store, doc)[0]
    seg = revising.approve_segment(store, seg.id, editor="rita", base_version=seg.version)
    approved = rf"^segment {seg.id} is approved; a reviewer must reopen it before ed can change it$"
    for action, refusal in (("save", approved), ("reopen", re.escape(REFUSALS["reopen", "ed"]))):
        with pytest.raises(PermissionDenied, match=refusal):
            _call(store, action, "ed", seg.id, seg.version)
    with pytest.raises(PermissionDenied, match=approved):
        revising.revert_to_mt(store, seg.id, editor="ed", base_version=seg.version)
    assert repo.get_segment(store, seg.id).status == "approved"


# --- uploads ---------------------------------------------------------------------------------


def _upload(at, name: str, data: bytes) -> None:
    at.file_uploader(key="new_upload").set_value((name, data, "text/plain"))
    next(b for b in at.get("form_submit_button") if b.label == "Translate").click().run()


def test_upload_limit_is_20_mb_by_default_and_configurable(desk, monkeypatch):
    from mt.commands.ui import streamlit_command
    from ui import state

    assert state.max_upload_bytes() == 20 * 1024 * 1024
    monkeypatch.setenv("TRANSDESK_MAX_UPLOAD_MB", "1")
    assert state.max_upload_bytes() == 1024 * 1024
    command = streamlit_command(port=1, host=None, max_upload_mb=20)
    assert command[command.index("--server.maxUploadSize") + 1] == "20"
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^maxUploadSize = 20$", config, re.M)


@pytest.mark.slow
def test_upload_over_the_limit_is_refused_before_reading(desk):
    at = _app().run()
    data = "가".encode() * (20 * 1024 * 1024 // 3 + 1)
    assert len(data) > 20 * 1024 * 1024
    _upload(at, "big.txt", data)
    assert [shown(e.value) for e in at.error] == ["big.txt: 21.0 MB is over the 20 MB upload limit"]
    assert repo.list_documents(desk) == []


@pytest.mark.slow
def test_hostile_upload_is_harmless(desk, tmp_path, secret_file):
    """XXE, a path-traversal name and script in the text: refused, ignored, escaped."""
    at = _app().run()
    # 1. An XLIFF whose entity would pull a local file into the document: refused, unread.
    _upload(at, "evil.xlf", xxe_xliff(secret_file))
    assert [shown(e.value) for e in at.error] == [
        "evil.xlf: XML with entity declarations is refused"
    ]
    assert repo.list_documents(desk) == []
    # 2. A name that climbs out of any folder, and script and Markdown in the text.
    target = tmp_path / "pwned"
    hostile = '<script>alert("x")</script> <img src=x onerror=alert(1)> **굵게** :red[빨강]'
    before = {p for p in tmp_path.rglob("*")}
    for name in (f"../../../..{target}.txt", f"/{target}.txt", "..\\..\\pwned.txt"):
        korean = "서울은 맑다. 부산은 흐리고 대구는 덥다. 광주에는 오후부터 비가 온다."
        _upload(at, name, f"{hostile}\n\n{korean}\n".encode())  # a Korean article
        assert not at.error, [e.value for e in at.error]
    assert not target.with_suffix(".txt").exists() and not Path("/pwned.txt").exists()
    assert {p for p in tmp_path.rglob("*")} - before <= {
        p for p in tmp_path.rglob("*") if p.name.startswith("desk.db")
    }  # the upload went to the database, nowhere else
    docs = repo.list_documents(desk)
    assert len(docs) == 3
    # 3. The editor shows the script as text: never as markup, never executed.
    editor = _app()
    editor.query_params["doc"] = str(docs[0].id)
    editor.run()
    editor.switch_page("views/editor.py").run()
    assert not editor.exception, editor.exception
    assert any(hostile in t.value for t in editor.text)
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        for element in getattr(editor, kind):
            assert "<script>" not in str(element.value) and "onerror" not in str(element.value)
    for element in editor.get("html"):
        assert "<script>" not in element.proto.body and "<img" not in element.proto.body
    everything = _all_values(editor) + _all_values(at)
    assert SECRET_MARKER not in everything


def test_download_names_are_never_paths():
    from ui.downloads import file_stem

    for title in ("../../etc/passwd", "/abs/path", "..\\..\\win", "a/b\\c", "..", "<x>"):
        stem = file_stem(title, 7)
        assert "/" not in stem and "\\" not in stem and not stem.startswith(".")
        assert stem


# --- exports ---------------------------------------------------------------------------------


FORMULAS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x")']


def test_csv_export_neutralises_formulas(desk, tmp_path):
    text = "\n".join(f"{f} 문장 {i}" for i, f in enumerate(["=A1", "+A1", "-A1", "@A1"]))
    doc = drafting.create_document(
        desk, text, title="t", engine=None, created_by="desk", segment_mode="line"
    )
    for seg, formula in zip(repo.list_segments(desk, doc), FORMULAS, strict=False):
        revising.save_segment(desk, seg.id, formula, editor="desk", base_version=seg.version)
    out = tmp_path / "out.csv"
    out.write_bytes(export_document(desk, doc, "csv"))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell == "'=1+2" for cell in cells)
    assert any(cell.startswith("'=A1") for cell in cells)  # sources too
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert all(re.fullmatch(r"[+-]?\d+(\.\d+)?", c) for c in dangerous), dangerous


# --- passwords and secrets -------------------------------------------------------------------


def test_passwords_are_argon2id_hashes_and_never_stored(tmp_path):
    from sqlalchemy import select

    from mt.store.models import Editor

    path = tmp_path / "pw.db"
    with repo.open_store(f"sqlite:///{path}") as store:
        repo.add_user(store, "ada", role="admin", password=PASSWORD)
        assert repo.authenticate(store, "ada", PASSWORD) is not None
        assert repo.authenticate(store, "ada", PASSWORD + "x") is None
        with store.session() as session:
            stored = session.execute(select(Editor.password_hash)).scalar_one()
    params = re.match(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert params, stored
    memory_kib, passes, _ = map(int, params.groups())
    assert memory_kib >= 19 * 1024 and passes >= 2  # at least OWASP's argon2id minimum
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # database, WAL, anything
    assert PASSWORD.encode() not in raw


def test_secrets_stay_out_of_output_and_logs(tmp_path, caplog):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    added = run_cli_process("users", "add", "ada", "--role", "admin", "--password-stdin",
                            "--db", db, stdin=f"{PASSWORD}\n".encode())  # fmt: skip
    assert added.returncode == 0, added.stderr.decode()
    assert PASSWORD not in added.stdout.decode() + added.stderr.decode()

    secret_url = "postgresql+psycopg://transdesk:s3cr3t-pw-9f2@127.0.0.1:9/nowhere"
    refused = run_cli_process("users", "list", "--db", secret_url)
    assert refused.returncode != 0 and refused.stderr.decode().startswith("Error: ")
    assert "s3cr3t-pw-9f2" not in refused.stdout.decode() + refused.stderr.decode()
    assert "Traceback" not in refused.stderr.decode()
    error = (
        r"^cannot open database "
        r"postgresql\+psycopg://transdesk:\*\*\*@127\.0\.0\.1:9/nowhere: connection failed: "
    )
    with pytest.raises(TransdeskError, match=error) as info:
        repo.open_store(secret_url)
    assert "s3cr3t-pw-9f2" not in str(info.value) and "***" in str(info.value)

    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "alembic"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    with repo.open_store(db) as store:
        assert repo.authenticate(store, "ada", PASSWORD) is not None
        repo.set_password(store, "ada", PASSWORD + "2")
        repo.add_user(store, "bob", password=PASSWORD + "3")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records  # the engine did log its statements
    assert PASSWORD not in logged


def test_audit_is_one_documented_command():
    """scripts/audit.sh needs the network, so the suite only checks it is there and sound."""
    script = ROOT / "scripts" / "audit.sh"
    assert script.stat().st_mode & 0o111
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    assert "scripts/audit.sh" in (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "pip-audit" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
