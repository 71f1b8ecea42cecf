"""The web app's page logic through its entrypoint (AppTest), on a real store and the tiny model."""

from __future__ import annotations

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.report import report
from tests.conftest import shown
from tests.ui.conftest import ARTICLE, ROOT, new_app

pytestmark = pytest.mark.slow


def texts(at) -> list[str]:
    return [t.value for t in at.text]


def markdown(at) -> str:
    return "\n".join(
        str(m.value)
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for m in getattr(at, kind)
    )


def press(at, label: str) -> None:
    """Click the (form submit) button called `label` and rerun."""
    buttons = [*at.button, *at.get("form_submit_button")]
    next(b for b in buttons if b.label == label).click().run()


def html_bodies(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def editor(doc_id: int | None = None):
    at = new_app()
    if doc_id is not None:
        at.query_params["doc"] = str(doc_id)
    at.run()  # AppTest learns the st.navigation pages on a first run
    at.switch_page("views/editor.py").run()
    assert not at.exception, at.exception
    return at


def grid_data(at) -> dict:
    """The data the editing grid component was drawn with."""
    import json

    (grid,) = [e for e in at.get("bidi_component") if "transdesk_grid" in e.proto.component_name]
    return json.loads(grid.proto.json)


def grid_session(at):
    return at.session_state["transdesk_grid"]


def kinds(store, doc_id: int) -> list[str]:
    return [e.kind for e in repo.edit_events(store, document_id=doc_id)]


# --- documents ----------------------------------------------------------------------------


def test_single_user_desk_opens_on_documents_with_test_model_warning(store_url):
    at = new_app().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Documents"]
    banner = " ".join(i.value for i in at.info)
    assert "Single-user desk" in banner and "desk" in banner
    assert any("test model" in w.value for w in at.warning)


def test_paste_and_translate_creates_a_drafted_document(store_url, store):
    at = new_app().run()
    at.radio(key="new_source").set_value("Paste text").run()
    at.text_area(key="new_text").input(ARTICLE)
    at.text_input(key="new_title").input("버스 요금")
    press(at, "Translate")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    (doc,) = repo.list_documents(store)
    assert doc.title == "버스 요금"
    segments = repo.list_segments(store, doc.id)
    from mt.segment import segment

    assert len(segments) == len(segment(ARTICLE).segments)
    assert all(s.draft is not None and s.draft.is_test_model for s in segments)
    assert any("Translated into" in s.value for s in at.success)
    assert "버스 요금" in texts(at)  # listed, as text


def test_upload_is_read_in_memory_and_size_limited(store_url, store, monkeypatch):
    at = new_app().run()
    at.file_uploader(key="new_upload").set_value(
        ("기사.txt", ARTICLE.encode("cp949"), "text/plain")
    )
    press(at, "Translate")
    assert not at.error, [e.value for e in at.error]
    (doc,) = repo.list_documents(store)
    assert doc.title == ARTICLE.splitlines()[0] and doc.segments >= 3

    monkeypatch.setenv("TRANSDESK_MAX_UPLOAD_MB", "0.001")  # about 1 kB
    at = new_app().run()
    at.file_uploader(key="new_upload").set_value(("big.txt", ARTICLE.encode() * 10, "text/plain"))
    press(at, "Translate")
    assert any("upload limit" in e.value for e in at.error)
    assert len(repo.list_documents(store)) == 1


def test_upload_without_title_takes_the_one_default_title(store_url, store):
    """An upload whose first line is no headline is named after its file, as `transdesk
    import` names it (`mt.drafting.default_title`)."""
    at = new_app().run()
    long_first = "가" * 121 + "\n\n" + ARTICLE
    at.file_uploader(key="new_upload").set_value(
        ("버스 기사.txt", long_first.encode("utf-8"), "text/plain")
    )
    press(at, "Translate")
    assert not at.error, [e.value for e in at.error]
    (doc,) = repo.list_documents(store)
    assert doc.title == "버스 기사" and doc.filename == "버스 기사.txt"


def test_unreadable_upload_shows_the_one_line_error(store_url, store):
    at = new_app().run()
    at.file_uploader(key="new_upload").set_value(("bad.txt", b"\x00\x01\x02binary", "text/plain"))
    press(at, "Translate")
    assert at.error and shown(at.error[0].value).startswith("bad.txt:")
    assert repo.list_documents(store) == []


# --- editor -------------------------------------------------------------------------------


def test_editor_draws_the_whole_article_and_the_active_aids(store, article):
    at = editor(article)
    segs = repo.list_segments(store, article)
    data = grid_data(at)
    assert [r[0] for r in data["rows"]] == [s.id for s in segs]
    assert [r[1] for r in data["rows"]] == list(range(1, len(segs) + 1))
    assert data["rows"][0][3:6] == [segs[0].source, segs[0].target, "draft"]
    assert data["start"] == segs[0].id and data["me"] == "desk"
    assert data["can"] == {"edit": True, "approve": True, "reopen": True, "change_approved": True}
    assert segs[0].source in markdown(at) + html_bodies(at) + "\n".join(texts(at))
    assert any("test model" in w.value for w in at.warning)
    assert any("Editor keyboard" in str(m.value) for m in at.markdown)  # the help popover


def test_deep_link_puts_the_caret_in_that_segment(store, article):
    at = new_app()
    at.query_params["doc"] = str(article)
    at.query_params["seg"] = "3"
    at.run()
    at.switch_page("views/editor.py").run()
    assert grid_data(at)["focus"]["n"] == 3


def test_grid_actions_save_refuse_and_are_not_done_twice(store, article):
    from ui import grid
    from ui.auth import Identity

    at = editor(article)
    ses = grid_session(at)
    seg = repo.list_segments(store, article)[1]
    me = Identity("desk", "admin", "single", repo.ensure_editor(store, "desk").id)
    event = {"op": "save", "seg": seg.id, "version": seg.version, "text": "Saved.", "nonce": 5,
             "keys": {"t": [10, 20], "c": "ll"}, "elapsed": 900}  # fmt: skip
    ack = grid.handle_action(store, ses, event, me)
    assert ack["ok"] and ack["row"]["target"] == "Saved." and ack["row"]["version"] == 2
    assert grid.handle_action(store, ses, event, me) is ack  # resent: answered, not redone
    assert [e.kind for e in repo.edit_events(store, segment_id=seg.id)].count("save") == 1
    stale = grid.handle_action(store, ses, {**event, "nonce": 6, "text": "Late."}, me)
    assert not stale["ok"] and "version 1" in stale["error"] and stale["row"]["version"] == 2
    ed = Identity("desk", "editor", "local", me.editor_id)
    refused = grid.handle_action(
        store, ses, {"op": "approve", "seg": seg.id, "version": 2, "nonce": 7}, ed
    )
    assert not refused["ok"] and "may not approve" in refused["error"]
    assert repo.get_segment(store, seg.id).target == "Saved."


def test_switching_articles_starts_a_new_grid(store, article, tiny_engine):
    other = drafting.create_document(
        store, "두 번째 기사입니다.", title="Second", engine=tiny_engine, created_by="desk"
    )
    at = editor(article)
    assert grid_session(at).doc_id == article
    at.selectbox(key="editor_doc_choice").set_value(other).run()
    assert grid_session(at).doc_id == other
    assert at.query_params["doc"] in (str(other), [str(other)])


def test_comments_in_the_aids(store, article):
    at = editor(article)
    at.text_input(key="new_comment").input("Check the date.").run()
    at.button(key="add_comment").click().run()
    first = repo.list_segments(store, article)[0]
    assert [c.text for c in repo.list_comments(store, first.id)] == ["Check the date."]


def test_a_role_change_signs_the_browser_out(store, article):
    from mt.store import sessions

    repo.add_user(store, "rita", role="reviewer", password="correct horse")
    at = new_app().run()
    at.text_input(key="sign_in_name").input("rita")
    at.text_input(key="sign_in_password").input("correct horse")
    press(at, "Sign in")
    assert at.session_state["transdesk_identity"].name == "rita"
    kind, session_id = at.session_state["transdesk_web_session"]
    assert kind == "id" and sessions.session_live_by_id(store, session_id)
    repo.set_role(store, "rita", "editor")
    at.run()
    assert any(s.value == "Sign in" for s in at.subheader)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script> **bold** :red[x] $x$"])
def test_document_text_renders_as_text_never_markup(store, tiny_engine, hostile):
    doc_id = drafting.create_document(
        store,
        f"{hostile}\n\n서울은 크다.",
        title=f"<img src=x onerror=alert(1)> {hostile}",
        engine=tiny_engine,
        created_by="desk",
        segment_mode="line",
    )
    seg = repo.list_segments(store, doc_id)[0]
    revising.save_segment(store, seg.id, hostile, editor="desk", base_version=seg.version)
    at = editor(doc_id)
    assert hostile in texts(at)  # the source and the English, shown as plain text
    assert hostile not in markdown(at) and "<script>" not in markdown(at)
    bodies = html_bodies(at)  # the diff goes through html.escape
    assert "<script>" not in bodies and "&lt;script&gt;" in bodies
    title = f"<img src=x onerror=alert(1)> {hostile}"
    assert any(title in option for option in at.selectbox(key="editor_doc_choice").options)
    assert "<img" not in markdown(at) and "<img" not in bodies
    at.toggle(key="article_preview").set_value(True).run()
    assert "<script>" not in html_bodies(at)


def test_downloads_are_offered_for_the_article(store, article):
    at = editor(article)
    labels = {d.label for d in at.get("download_button")}
    assert {"Download .txt", "Download .docx", "Download XLIFF"} <= labels


def test_preview_rebuilds_paragraphs(store, article):
    at = editor(article)
    at.toggle(key="article_preview").set_value(True).run()
    body = html_bodies(at)
    assert body.count("<p ") == 2  # the article's two paragraphs


# --- people -------------------------------------------------------------------------------


def test_accounts_require_sign_in(store, article):
    repo.add_user(store, "rita", role="reviewer", password="correct horse")
    at = new_app().run()
    assert not at.title or at.title[0].value != "Documents"
    assert any(s.value == "Sign in" for s in at.subheader)
    at.text_input(key="sign_in_name").input("rita")
    at.text_input(key="sign_in_password").input("wrong")
    press(at, "Sign in")
    assert any("Wrong name or password" in e.value for e in at.error)
    at.text_input(key="sign_in_password").input("correct horse")
    press(at, "Sign in")
    assert [t.value for t in at.title] == ["Documents"]
    assert not any("Single-user" in i.value for i in at.info)


def signed_in(name: str, role: str):
    """An app whose session already signed in as `name` (the form itself is tested above)."""
    from ui.auth import Identity
    from ui.state import store

    at = new_app()
    ids = {u.name: u.id for u in repo.list_users(store())}  # -1: no such editor
    at.session_state["transdesk_identity"] = Identity(name, role, "local", ids.get(name, -1))
    return at.run()


def test_a_forged_session_identity_is_checked_against_the_store(store, article):
    repo.add_user(store, "rita", role="reviewer", password="correct horse")
    at = signed_in("mallory", "admin")  # not an account: back to the sign-in page
    assert any(s.value == "Sign in" for s in at.subheader)
    at = signed_in("rita", "admin")  # a real account, but the role is read from the store
    assert at.session_state["transdesk_identity"].role == "reviewer"


def test_settings_lets_admins_add_people(store):
    at = new_app().run()
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    at.text_input(key="user_name").input("ann")
    at.text_input(key="user_password").input("long enough pw")
    at.selectbox(key="user_role").set_value("reviewer")
    press(at, "Add person")
    assert [(u.name, u.role) for u in repo.list_users(store) if u.name == "ann"] == [
        ("ann", "reviewer")
    ]


def test_settings_refuses_a_short_password_with_the_stores_policy(store):
    at = new_app().run()
    at.switch_page("views/settings.py").run()
    at.text_input(key="user_name").input("ann")
    at.text_input(key="user_password").input("short")
    press(at, "Add person")
    assert "a password needs at least 8 characters" in markdown(at)
    assert "ann" not in [u.name for u in repo.list_users(store)]


OIDC = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret",
        "client_id": "transdesk",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://sso.example.invalid/.well-known/openid-configuration",
    }
}


def test_oidc_sign_in_when_configured(store, article):
    at = new_app()
    at.secrets = OIDC
    at.user = {"is_logged_in": False}
    at.run()
    assert any(s.value == "Sign in" for s in at.subheader)
    assert at.button(key="oidc_sign_in")
    assert not any("Single-user" in i.value for i in at.info)


def test_oidc_people_get_their_role_from_the_store(store, article):
    at = new_app()
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "kim@paper.example", "name": "Kim"}
    at.run()
    assert [t.value for t in at.title] == ["Documents"]
    assert at.session_state["transdesk_identity"].mode == "oidc"
    at.switch_page("views/editor.py").run()
    assert grid_data(at)["can"]["approve"] is False  # new people are editors
    repo.set_role(store, "kim@paper.example", "reviewer")
    at.run()
    assert grid_data(at)["can"]["approve"] is True


def test_a_sample_article_translates_with_its_headline(store_url, store):
    at = new_app().run()
    at.radio(key="new_source").set_value("Sample article").run()
    at.selectbox(key="new_sample").set_value("economy.txt")
    press(at, "Translate")
    assert not at.error, [e.value for e in at.error]
    (doc,) = repo.list_documents(store)
    headline = (ROOT / "samples" / "economy.txt").read_text(encoding="utf-8").splitlines()[0]
    assert doc.title == headline
    text = drafting.document_text(store, doc.id, which="source")
    assert text.strip() == (ROOT / "samples" / "economy.txt").read_text(encoding="utf-8").strip()


def test_reports_show_scores_charts_and_downloads(store, article):
    segs = repo.list_segments(store, article)
    revising.save_segment(
        store,
        segs[0].id,
        "Seoul raises bus fares.",
        editor="desk",
        base_version=segs[0].version,
        active_ms=6000,
    )
    revising.approve_segment(
        store,
        segs[1].id,
        editor="desk",
        base_version=segs[1].version,
        text="Reactions were mixed.",
        active_ms=4000,
    )
    at = new_app().run()
    at.switch_page("views/reports.py").run()
    assert not at.exception, at.exception
    rep = report(store)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Approved"] == f"{rep['approved']} / {rep['segments']}"
    assert metrics["HTER"] == f"{rep['hter']:.1f}"
    assert len(at.get("vega_lite_chart")) == 3  # HTER histogram, editors, models
    labels = {d.label for d in at.get("download_button")}
    assert {"Segments (CSV)", "Segments (JSONL)", "Report (JSON)"} <= labels
    at.selectbox(key="report_doc").set_value(article).run()
    assert not at.exception and not at.error
    assert {"Download CSV", "Download JSONL"} <= {d.label for d in at.get("download_button")}


def test_reports_show_error_bars_not_significant_and_productivity(store):
    """#15: intervals as error bars, "not significant" where two models do not differ, the
    from-scratch comparison, and a local model named by folder, never by its path."""
    from tests.store.conftest import TableEngine

    sources = ["서울 버스 요금이 오른다.", "시민 반응은 엇갈렸다.", "시는 적자를 설명했다.",
               "요금은 내년에 오른다."]  # fmt: skip
    finals = ["Seoul bus fares rise.", "Reactions were mixed.", "The city explained the deficit.",
              "Fares rise next year."]  # fmt: skip
    table = {s: f.replace(".", "") for s, f in zip(sources, finals, strict=True)}
    doc = drafting.create_document(store, "\n".join(sources), title="Fares", segment_mode="line",
                               engine=TableEngine("/srv/models/model-a", table),
                               created_by="desk", from_scratch=0.5, seed=1)  # fmt: skip
    for seg in repo.list_segments(store, doc):
        words = len(seg.source.split())
        revising.save_segment(store, seg.id, finals[seg.position], editor="desk",
                          base_version=seg.version, active_ms=3000 * words)  # fmt: skip
    drafting.retranslate_document(store, doc, engine=TableEngine("model-b", table))
    at = new_app().run()
    at.switch_page("views/reports.py").run()
    assert not at.exception, at.exception
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]  # Vega-Lite JSON
    model_chart = next(s for s in specs if '"title": "HTER"' in s and "errorbar" in s)
    assert "not significant" in model_chart and "/srv/models" not in " ".join(specs)
    assert any("errorbar" in s and "Seconds per source word" in s for s in specs)
    metrics = {m.label for m in at.metric}
    assert {"Words per hour with MT", "Words per hour from scratch", "Gain"} <= metrics
    assert "/srv/models" not in str([d.value for d in at.dataframe])


def test_import_form_leaves_a_random_share_from_scratch(store_url, store, tiny_model_dir):
    """#15: the import form's from-scratch share and seed; the model is named by its folder."""
    import random

    at = new_app().run()
    at.radio(key="new_source").set_value("Paste text").run()
    at.text_area(key="new_text").input(ARTICLE)
    at.number_input(key="new_scratch").set_value(50)
    at.number_input(key="new_seed").set_value(4)
    press(at, "Translate")
    assert not at.exception and not at.error, [e.value for e in at.error]
    (doc,) = repo.list_documents(store)
    segs = repo.list_segments(store, doc.id)
    chosen = set(random.Random(4).sample(range(len(segs)), round(0.5 * len(segs))))
    assert {s.position for s in segs if s.draft.origin == "scratch"} == chosen
    assert str(tiny_model_dir) not in str([s.options for s in at.selectbox])  # as shown
    at.switch_page("views/settings.py").run()
    shown = " ".join(texts(at))
    assert str(tiny_model_dir) not in shown and f"{tiny_model_dir.name}@sha256:" in shown
