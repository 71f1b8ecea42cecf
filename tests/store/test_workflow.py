"""The newsroom workflow (#18): every state rule by role, assignment, deadline, rename,
archive, the viewer's read-only rights in the store, presence expiry, handover exports and
comments through XLIFF, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

import docx
import pytest
from lxml import etree

from mt.drafting import create_document
from mt.errors import InvalidValue, NotFound, PermissionDenied, WorkflowError
from mt.exchange.article import load_article, render_html
from mt.exchange.export import export_document
from mt.exchange.xliff_import import import_xliff
from mt.report import report
from mt.revising import approve_segment, reopen_segment, save_segment
from mt.store import (
    add_comment,
    add_user,
    list_comments,
    list_documents,
    list_segments,
    set_role,
)
from mt.store import presence as pres
from mt.store import workflow as wf
from mt.store.layers import copy_desk_layers
from tests.store.conftest import TableEngine

TO_READY = "to move an article to ready or published needs a reviewer or admin"

HEADLINE_KO = "서울 버스 요금 인상"
BODY_KO = ["시는 요금을 올린다고 밝혔다.", "시민들은 반대했다."]
TABLE = {
    HEADLINE_KO: "Seoul raises bus fares",
    BODY_KO[0]: "The city said it would raise <script>alert('x')</script> fares & more.",
    BODY_KO[1]: "Citizens objected.",
}


@pytest.fixture
def team(store):
    """Accounts exist: one of each role."""
    for name, role in (("vera", "viewer"), ("eddie", "editor"), ("rita", "reviewer"),
                       ("ada", "admin")):  # fmt: skip
        add_user(store, name, role=role, password="a long password")
    return store


@pytest.fixture
def doc(team):
    text = f"{HEADLINE_KO}\n\n{BODY_KO[0]}\n\n{BODY_KO[1]}\n"
    return create_document(team, text, title="bus", engine=TableEngine("table", TABLE),
                           created_by="eddie", segment_mode="line")  # fmt: skip


def _approve_all(store, doc_id, who="rita"):
    for s in list_segments(store, doc_id):
        if s.status != "approved":
            approve_segment(store, s.id, editor=who, base_version=s.version)


def _to(store, doc_id, *states, by="rita"):
    for state in states:
        wf.set_state(store, doc_id, state, by=by)


def test_new_article_is_drafted_with_created_and_updated_times(doc, team):
    row = wf.get_article(team, doc)
    assert (row.state, row.assignee, row.deadline, row.segments, row.approved) == (
        "drafted", None, None, 3, 0,
    )  # fmt: skip
    assert row.created_at <= row.updated_at
    assert wf.history(team, doc) == []


@pytest.mark.parametrize(
    ("role_name", "path", "allowed"),
    [
        ("eddie", ["editing"], True),
        ("eddie", ["editing", "review"], True),
        ("eddie", ["editing", "review", "editing"], True),
        ("rita", ["editing", "review"], True),
        ("ada", ["editing", "review"], True),
        ("vera", ["editing"], False),
    ],
)
def test_editorial_moves_by_role(doc, team, role_name, path, allowed):
    if not allowed:
        with pytest.raises(PermissionDenied, match="vera is a viewer"):
            wf.set_state(team, doc, path[0], by=role_name)
        assert wf.get_article(team, doc).state == "drafted"
        return
    _to(team, doc, *path, by=role_name)
    assert wf.get_article(team, doc).state == path[-1]
    log = [(e.editor, e.from_value, e.to_value) for e in wf.history(team, doc)]
    assert log == [(role_name, a, b) for a, b in zip(["drafted", *path], path, strict=False)]


@pytest.mark.parametrize("who", ["eddie", "vera"])
def test_only_reviewer_or_admin_moves_to_ready_and_published(doc, team, who):
    _to(team, doc, "editing", "review", by="eddie")
    _approve_all(team, doc)
    with pytest.raises(PermissionDenied, match="move an article to ready or published"):
        wf.set_state(team, doc, "ready", by=who)
    _to(team, doc, "ready", by="rita")
    with pytest.raises(PermissionDenied, match=rf"^{who} is (an editor|a viewer); {TO_READY}$"):
        wf.set_state(team, doc, "published", by=who)
    _to(team, doc, "published", by="ada")
    error = rf"^{who} is (an editor|a viewer); {TO_READY}$"
    with pytest.raises(PermissionDenied, match=error):  # reopening for a correction too
        wf.set_state(team, doc, "editing", by=who)
    assert wf.get_article(team, doc).state == "published"


def test_moves_the_workflow_does_not_allow(doc, team):
    with pytest.raises(WorkflowError, match="cannot move from drafted to published"):
        wf.set_state(team, doc, "published", by="ada")
    with pytest.raises(WorkflowError, match="already drafted"):
        wf.set_state(team, doc, "drafted", by="ada")
    with pytest.raises(InvalidValue, match="unknown state 'done'"):
        wf.set_state(team, doc, "done", by="ada")
    with pytest.raises(NotFound, match="no document 999"):
        wf.set_state(team, doc + 999 - doc, "editing", by="ada")


def test_ready_needs_every_segment_approved_or_an_admins_logged_override(doc, team):
    _to(team, doc, "editing", "review", by="eddie")
    first = list_segments(team, doc)[0]
    approve_segment(team, first.id, editor="rita", base_version=first.version)
    with pytest.raises(WorkflowError, match="2 of 3 segments not approved"):
        wf.set_state(team, doc, "ready", by="rita")
    with pytest.raises(PermissionDenied, match="needs an admin"):  # override is admin's
        wf.set_state(team, doc, "ready", by="rita", override=True)
    row = wf.set_state(team, doc, "ready", by="ada", override=True, note="breaking news")
    assert row.state == "ready"
    last = wf.history(team, doc)[-1]
    assert (last.editor, last.to_value, last.override, last.note) == (
        "ada", "ready", True, "breaking news",
    )  # fmt: skip


def test_published_reopens_to_editing_and_keeps_history(doc, team):
    _to(team, doc, "editing", "review", by="eddie")
    _approve_all(team, doc)
    _to(team, doc, "ready", "published")
    seg = list_segments(team, doc)[1]
    with pytest.raises(WorkflowError, match="is published"):
        reopen_segment(team, seg.id, editor="rita", base_version=seg.version)
    with pytest.raises(WorkflowError, match="cannot move from published to review"):
        wf.set_state(team, doc, "review", by="rita")
    wf.set_state(team, doc, "editing", by="rita", note="correction: fare amount")
    reopen_segment(team, seg.id, editor="rita", base_version=seg.version)
    moves = [(e.from_value, e.to_value) for e in wf.history(team, doc) if e.kind == "state"]
    assert moves == [
        ("drafted", "editing"), ("editing", "review"), ("review", "ready"),
        ("ready", "published"), ("published", "editing"),
    ]  # fmt: skip
    assert wf.history(team, doc)[-1].note == "correction: fare amount"


def test_segments_move_the_state(doc, team):
    seg = list_segments(team, doc)[0]
    save_segment(team, seg.id, "Bus fares go up in Seoul", editor="eddie", base_version=1)
    first = wf.history(team, doc)[0]
    assert (first.editor, first.from_value, first.to_value, first.note) == (
        "eddie", "drafted", "editing", "first change",
    )  # fmt: skip
    _to(team, doc, "review", by="eddie")
    _approve_all(team, doc)
    _to(team, doc, "ready")
    seg = list_segments(team, doc)[2]
    reopen_segment(team, seg.id, editor="rita", base_version=seg.version)
    last = wf.history(team, doc)[-1]
    assert (last.from_value, last.to_value, last.editor) == ("ready", "review", "rita")


def test_document_log_is_append_only(doc, team):
    from sqlalchemy import text

    _to(team, doc, "editing", by="eddie")
    for sql in ("UPDATE document_event SET note = 'x'", "DELETE FROM document_event"):
        with pytest.raises(Exception, match="append-only"), team.engine.begin() as conn:
            conn.execute(text(sql))
    assert len(wf.history(team, doc)) == 1


def test_assign_deadline_rename_archive_restore(doc, team):
    with pytest.raises(NotFound, match="no person named 'nobody'"):
        wf.assign(team, doc, "nobody", by="rita")
    with pytest.raises(InvalidValue, match="vera is a viewer"):
        wf.assign(team, doc, "vera", by="rita")
    assert wf.assign(team, doc, "eddie", by="rita").assignee == "eddie"
    row = wf.set_deadline(team, doc, "2026-12-24", by="eddie")
    assert row.deadline == datetime(2026, 12, 24, 23, 59, 59, tzinfo=timezone.utc)
    row = wf.set_deadline(team, doc, "2026-12-24T18:30+09:00", by="eddie")
    assert row.deadline == datetime(2026, 12, 24, 9, 30, tzinfo=timezone.utc)
    with pytest.raises(InvalidValue, match="not an ISO date"):
        wf.set_deadline(team, doc, "next friday", by="eddie")
    assert wf.rename(team, doc, "Seoul bus fares", by="eddie").title == "Seoul bus fares"
    with pytest.raises(InvalidValue, match="title is empty"):
        wf.rename(team, doc, "  ", by="eddie")
    error = r"^eddie is an editor; to archive needs a reviewer or admin$"
    with pytest.raises(PermissionDenied, match=error):
        wf.archive(team, doc, by="eddie")
    wf.archive(team, doc, by="rita", note="duplicate")
    assert doc not in [r.id for r in wf.list_articles(team)]
    assert [r.id for r in wf.list_articles(team, archived=True)] == [doc]
    assert doc in [d.id for d in list_documents(team)]  # reports keep it
    assert report(team, document_id=doc, n_samples=10)["segments"] == 3
    with pytest.raises(WorkflowError, match="already archived"):
        wf.archive(team, doc, by="rita")
    wf.restore(team, doc, by="ada")
    assert doc in [r.id for r in wf.list_articles(team)]
    kinds = [(e.kind, e.editor, e.from_value, e.to_value) for e in wf.history(team, doc)]
    assert kinds[0] == ("assign", "rita", None, "eddie")
    assert ("rename", "eddie", "bus", "Seoul bus fares") in kinds
    assert [k[0] for k in kinds[-2:]] == ["archive", "restore"]


def test_list_filters_and_my_articles_first(team, doc):
    other = create_document(team, "다른 기사.", title="other", engine=TableEngine("t", {}),
                            created_by="eddie", segment_mode="line")  # fmt: skip
    wf.assign(team, doc, "eddie", by="rita")
    wf.assign(team, other, "rita", by="rita")
    assert [r.id for r in wf.list_articles(team, me="eddie")] == [doc, other]
    assert [r.id for r in wf.list_articles(team, me="rita")] == [other, doc]
    assert [r.id for r in wf.list_articles(team, assignee="rita")] == [other]
    _to(team, doc, "editing", by="eddie")
    assert [r.id for r in wf.list_articles(team, state="editing")] == [doc]
    error = (
        r"^unknown state 'finished' \(choose from: drafted, editing, review, ready, "
        r"published\)$"
    )
    with pytest.raises(InvalidValue, match=error):
        wf.list_articles(team, state="finished")
    with pytest.raises(NotFound, match=r"^no person named 'nobody'$"):
        wf.list_articles(team, assignee="nobody")


def test_viewer_changes_nothing_in_the_store(doc, team):
    seg = list_segments(team, doc)[0]
    attempts = [
        lambda: save_segment(team, seg.id, "x", editor="vera", base_version=1),
        lambda: approve_segment(team, seg.id, editor="vera", base_version=1),
        lambda: add_comment(team, seg.id, "a note", editor="vera"),
        lambda: wf.assign(team, doc, "eddie", by="vera"),
        lambda: wf.rename(team, doc, "mine", by="vera"),
        lambda: wf.set_deadline(team, doc, "2026-12-01", by="vera"),
        lambda: wf.archive(team, doc, by="vera"),
        lambda: add_user(team, "newbie", password="a long password", by="vera"),
        lambda: set_role(team, "eddie", "admin", by="vera"),
        lambda: create_document(team, "기사.", title="x", engine=None, created_by="vera"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="vera is a viewer"):
            attempt()
    assert list_segments(team, doc)[0].version == 1 and wf.history(team, doc) == []
    # reading is allowed
    assert wf.get_article(team, doc).title == "bus" and list_segments(team, doc)


def test_viewer_without_accounts_is_still_read_only(store):
    from mt.store import ensure_editor

    ensure_editor(store, "guest", role="viewer")
    doc = create_document(store, "기사.", title="x", engine=None, created_by="local")
    wf.set_state(store, doc, "editing", by="local")  # single-user desk: roles not enforced
    with pytest.raises(PermissionDenied, match="guest is a viewer"):
        wf.set_state(store, doc, "review", by="guest")


def test_presence_heartbeats_expire(doc, team):
    segs = list_segments(team, doc)
    now = datetime.now(timezone.utc)
    pres.heartbeat(team, "tab-a", doc, editor="eddie", segment_id=segs[1].id, typing=True, now=now)
    pres.heartbeat(team, "tab-b", doc, editor="rita", now=now)
    pres.heartbeat(team, "tab-v", doc, editor="vera", now=now)  # viewers are seen reading
    seen = pres.who_is_here(team, doc, exclude_client="tab-b", now=now)
    assert [(p.editor, p.segment_number, p.typing) for p in seen] == [
        ("eddie", 2, True), ("vera", None, False),
    ]  # fmt: skip
    later = now + timedelta(seconds=pres.EXPIRY_S + 1)
    pres.heartbeat(team, "tab-b", doc, editor="rita", now=later)
    assert [p.editor for p in pres.who_is_here(team, doc, now=later)] == ["rita"]
    pres.leave(team, "tab-b")
    assert pres.who_is_here(team, doc, now=later) == []
    other = create_document(team, "기사.", title="x", engine=None, created_by="eddie")
    with pytest.raises(NotFound, match=f"^no segment {segs[0].id} in document {other}$"):
        pres.heartbeat(team, "tab-a", other, editor="eddie", segment_id=segs[0].id)


def test_copy_desk_layers(doc, team):
    segs = list_segments(team, doc)
    v = save_segment(team, segs[1].id, "The city will raise fares.", editor="eddie",
                     base_version=1)  # fmt: skip
    approve_segment(team, v.id, editor="rita", base_version=v.version,
                    text="The city will raise bus fares.")  # fmt: skip
    layers = {s.segment_id: s for s in copy_desk_layers(team, doc)}
    one = layers[segs[1].id]
    assert one.mt == TABLE[BODY_KO[0]]
    assert (one.editor_text, one.editor) == ("The city will raise fares.", "eddie")
    assert (one.reviewer_text, one.reviewer) == ("The city will raise bus fares.", "rita")
    untouched = layers[segs[2].id]
    assert untouched.mt == untouched.editor_text == untouched.reviewer_text == "Citizens objected."


def test_html_export_escapes_and_refuses_unapproved(doc, team, tmp_path):
    out = tmp_path / "a.html"
    with pytest.raises(WorkflowError, match="3 of 3 segments not approved"):
        out.write_bytes(export_document(team, doc, "html"))
    assert not out.exists()
    out.write_bytes(export_document(team, doc, "html", unapproved="mark"))
    assert out.read_text(encoding="utf-8").startswith("<h1>[UNAPPROVED: Seoul raises bus fares]")
    _approve_all(team, doc)
    out.write_bytes(export_document(team, doc, "html"))
    fragment = out.read_text(encoding="utf-8")
    assert fragment == (
        "<h1>Seoul raises bus fares</h1>\n"
        "<p>The city said it would raise &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; "
        "fares &amp; more.</p>\n"
        "<p>Citizens objected.</p>\n"
    )
    root = etree.fromstring(f"<div>{fragment}</div>".encode())  # well-formed, only h1 and p
    assert {e.tag for e in root.iter()} == {"div", "h1", "p"}
    assert html.unescape(root[1].text) == TABLE[BODY_KO[0]]


def test_markdown_and_docx_start_with_the_headline(doc, team, tmp_path):
    _approve_all(team, doc)
    md, word = tmp_path / "a.md", tmp_path / "a.docx"
    md.write_bytes(export_document(team, doc, "md"))
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Seoul raises bus fares\n\n")
    assert "\\<script\\>" in text and "<script>" not in text
    word.write_bytes(export_document(team, doc, "docx"))
    paragraphs = docx.Document(str(word)).paragraphs
    assert (paragraphs[0].text, paragraphs[0].style.name) == ("Seoul raises bus fares", "Heading 1")
    assert [p.text for p in paragraphs[1:]] == [TABLE[BODY_KO[0]], "Citizens objected."]


def test_byline_is_its_own_paragraph(team):
    table = {"제목": "Headline", "김지은 기자": "By Kim Ji-eun", "본문.": "Body."}
    doc = create_document(team, "제목\n\n김지은 기자\n\n본문.", title="t",
                          engine=TableEngine("t", table), created_by="eddie",
                          segment_mode="line")  # fmt: skip
    fragment = render_html(load_article(team, doc))
    assert fragment == '<h1>Headline</h1>\n<p class="byline">By Kim Ji-eun</p>\n<p>Body.</p>\n'


@pytest.mark.parametrize("fmt", ["xliff", "xliff2"])
def test_comments_travel_with_xliff_both_ways(doc, team, tmp_path, fmt):
    segs = list_segments(team, doc)
    add_comment(team, segs[1].id, "Check the fare <amount> & date", editor="rita")
    out = tmp_path / f"a.{fmt}.xlf"
    out.write_bytes(export_document(team, doc, fmt))
    root = etree.parse(str(out)).getroot()
    td = "urn:transdesk:xliff"
    notes = [
        n for n in root.iter() if etree.QName(n).localname == "note" and n.get(f"{{{td}}}author")
    ]
    assert [(n.text, n.get(f"{{{td}}}author")) for n in notes] == [
        ("Check the fare <amount> & date", "rita"),
    ]
    created = datetime.fromisoformat(notes[0].get(f"{{{td}}}created"))
    assert abs(created - list_comments(team, segs[1].id)[0].created_at) < timedelta(seconds=1)
    if fmt == "xliff":
        assert notes[0].get("from") == "rita"
    else:
        assert notes[0].get("category") == "comment"
    # the translator adds a note in the CAT tool to another unit
    unit = next(u for u in root.iter() if u.get("id", "").startswith(f"s{segs[2].id}-"))
    ns = etree.QName(root).namespace
    if fmt == "xliff":
        etree.SubElement(unit, f"{{{ns}}}note").text = "Source says 'citizens', not residents"
    else:
        holder = next((c for c in unit if etree.QName(c).localname == "notes"), None)
        if holder is None:
            holder = etree.Element(f"{{{ns}}}notes")
            unit.insert(0, holder)
        etree.SubElement(holder, f"{{{ns}}}note").text = "Source says 'citizens', not residents"
    etree.ElementTree(root).write(str(out), xml_declaration=True, encoding="UTF-8")
    result = import_xliff(team, out, editor="eddie")
    assert len(result.comments) == 1
    came_back = list_comments(team, segs[2].id)
    assert [(c.editor, c.text) for c in came_back] == [
        ("eddie", "Source says 'citizens', not residents")
    ]
    assert len(list_comments(team, segs[1].id)) == 1  # our own note is not duplicated
    again = import_xliff(team, out, editor="eddie")  # importing twice adds nothing
    assert again.comments == ()
