"""The Documents and Copy desk pages' workflow (#18) through the app's entrypoint (AppTest):
list with state, assignee, deadline and progress; filters; moves by role; the viewer's
read-only rights; the three layers; handover downloads."""

from __future__ import annotations

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.errors import PermissionDenied
from mt.store import workflow as wf
from tests.ui.conftest import new_app

pytestmark = pytest.mark.slow


def signed_in(name: str, role: str, page: str | None = None, doc: int | None = None):
    from ui.auth import Identity
    from ui.state import store

    at = new_app()
    ids = {u.name: u.id for u in repo.list_users(store())}  # -1: no such editor
    at.session_state["transdesk_identity"] = Identity(name, role, "local", ids.get(name, -1))
    if doc is not None:
        at.query_params["doc"] = str(doc)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def html_bodies(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def messages(at) -> str:
    kinds = ("error", "success", "info")
    return "\n".join(str(m.value) for kind in kinds for m in getattr(at, kind))


@pytest.fixture
def team(store, article):  # the article first: "desk" has no account
    for name, role in (("vera", "viewer"), ("eddie", "editor"), ("rita", "reviewer")):
        repo.add_user(store, name, role=role, password="a long password")
    return store


def test_documents_list_shows_workflow_and_puts_my_articles_first(team, article, tiny_engine):
    other = drafting.create_document(team, "다른 기사입니다.", title="Other story",
                                 engine=tiny_engine, created_by="eddie")  # fmt: skip
    wf.assign(team, other, "eddie", by="rita")
    wf.set_deadline(team, other, "2026-12-24", by="rita")
    at = signed_in("eddie", "editor")
    titles = [t.value for t in at.text if t.value in ("Bus fares", "Other story ★")]
    assert titles == ["Other story ★", "Bus fares"]  # mine first
    assert "td-state-drafted" in html_bodies(at)
    values = {t.value for t in at.text}
    assert {"eddie", "2026-12-24 23:59"} & values or any("2026-12-24" in v for v in values)
    at.selectbox(key="docs_assignee").set_value("eddie").run()
    assert [t.value for t in at.text if t.value.startswith(("Bus", "Other"))] == ["Other story ★"]
    at.selectbox(key="docs_assignee").set_value("Everyone").run()
    at.selectbox(key="docs_state").set_value("review").run()
    assert any("No articles match" in i.value for i in at.info)


def test_moves_follow_the_rules_by_role(team, article):
    at = signed_in("eddie", "editor")
    at.selectbox(key="docs_manage").set_value(article).run()
    at.button(key="docs_move_editing").click().run()
    assert wf.get_article(team, article).state == "editing"
    at.button(key="docs_move_review").click().run()
    assert wf.get_article(team, article).state == "review"
    assert at.button(key="docs_move_ready").disabled  # an editor cannot make it ready
    at = signed_in("rita", "reviewer")
    at.selectbox(key="docs_manage").set_value(article).run()
    at.button(key="docs_move_ready").click().run()  # segments not approved: refused
    assert "not approved" in messages(at)
    assert wf.get_article(team, article).state == "review"
    assert "wf_override_" + str(article) not in {c.key for c in at.checkbox}  # admins only
    at.text_input(key=f"wf_title_{article}").input("Seoul bus fares rise")
    at.button(key="docs_rename").click().run()
    assert wf.get_article(team, article).title == "Seoul bus fares rise"
    at.selectbox(key=f"wf_assignee_{article}").set_value("eddie")
    at.button(key="docs_assign").click().run()
    assert wf.get_article(team, article).assignee == "eddie"
    log = [(e.editor, e.kind) for e in wf.history(team, article)]
    assert log == [("eddie", "state"), ("eddie", "state"), ("rita", "rename"), ("rita", "assign")]


def test_viewer_reads_and_downloads_but_changes_nothing(team, article):
    at = signed_in("vera", "viewer")
    assert any("You can read articles" in i.value for i in at.info)
    assert "new_text" not in {t.key for t in at.text_area}  # no "add an article" form
    at.selectbox(key="docs_manage").set_value(article).run()
    assert all(b.disabled for b in at.button if b.key and b.key.startswith("docs_move_"))
    assert "docs_assign" not in {b.key for b in at.button}
    labels = {d.label for d in at.get("download_button")}
    assert {"Download HTML for the CMS", "Download Markdown", "Download .docx"} <= labels
    desk = signed_in("vera", "viewer", "views/copydesk.py", doc=article)
    assert "td-layers" in html_bodies(desk)
    assert "copydesk_pick" not in {s.key for s in desk.selectbox}  # no edit box
    # the store refuses even when the page is bypassed
    error = r"^vera is a viewer; to state needs an editor or reviewer or admin$"
    with pytest.raises(PermissionDenied, match=error):
        wf.set_state(team, article, "editing", by="vera")
    assert wf.history(team, article) == []


def test_copy_desk_shows_three_layers_and_saves_the_reviewers_text(team, article):
    segs = repo.list_segments(team, article)
    revising.save_segment(team, segs[0].id, "Seoul will raise bus fares next year.", editor="eddie",
                      base_version=segs[0].version)  # fmt: skip
    at = signed_in("rita", "reviewer", "views/copydesk.py", doc=article)
    body = html_bodies(at)
    assert "MT → editor (eddie)" in body and "editor → reviewer" in body
    assert "Seoul will raise bus fares next year." in body
    at.selectbox(key="copydesk_pick").set_value(segs[0].id).run()
    at.text_area(key=f"copydesk_text_{segs[0].id}").input("Seoul will raise its bus fares.")
    at.button(key="copydesk_approve").click().run()
    assert not at.exception, at.exception
    seg = repo.get_segment(team, segs[0].id)
    assert (seg.status, seg.target) == ("approved", "Seoul will raise its bus fares.")
    assert "editor → reviewer (rita)" in html_bodies(at)
    assert 'class="td-copy-article"' in html_bodies(at)


def test_settings_from_scratch_panel(team, article):
    """Reviewers apply a seeded from-scratch share to a document's untouched segments; the
    panel says how many changed; editors are told they cannot."""
    at = signed_in("eddie", "editor", "views/settings.py")
    assert not any(b.key == "scratch_apply" for b in at.button)
    assert "Only reviewers and admins" in messages(at)
    segs = repo.list_segments(team, article)
    revising.save_segment(team, segs[0].id, "Seoul raises bus fares.", editor="eddie",
                      base_version=1)  # fmt: skip
    at = signed_in("rita", "reviewer", "views/settings.py")
    n = len(segs) - 1
    captions = "\n".join(c.value for c in at.caption)
    assert f"{n} of {len(segs)} segments untouched" in captions
    at.selectbox(key="scratch_doc").set_value(article)
    at.number_input(key="scratch_share").set_value(100)
    at.number_input(key="scratch_seed").set_value(4)
    at.button(key="scratch_apply").click().run()
    assert not at.exception, at.exception
    assert f"{n} segments of document {article} now from scratch with seed 4" in messages(at)
    after = repo.list_segments(team, article)
    assert after[0].target == "Seoul raises bus fares." and after[0].draft.origin == "mt"
    assert all(s.draft.origin == "scratch" and s.target == "" for s in after[1:])
    at.button(key="scratch_apply").click().run()  # the same draw again changes nothing
    assert f"0 segments of document {article} now from scratch" in messages(at)
