"""The web app's page logic through its entrypoint (AppTest), on a real store and the tiny model."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mt import store as repo
from mt.timing import SegmentClock, utcnow
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


def english(at):
    (box,) = [t for t in at.text_area if t.key and t.key.startswith("english_")]
    return box


def kinds(store, doc_id: int) -> list[str]:
    return [e.kind for e in repo.edit_events(store, document_id=doc_id)]


# --- documents ----------------------------------------------------------------------------


def test_single_user_desk_opens_on_documents_with_test_model_warning(db_url):
    at = new_app().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Documents"]
    banner = " ".join(i.value for i in at.info)
    assert "Single-user desk" in banner and "desk" in banner
    assert any("test model" in w.value for w in at.warning)


def test_paste_and_translate_creates_a_drafted_document(db_url, store):
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


def test_upload_is_read_in_memory_and_size_limited(db_url, store, monkeypatch):
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


def test_unreadable_upload_shows_the_one_line_error(db_url, store):
    at = new_app().run()
    at.file_uploader(key="new_upload").set_value(("bad.txt", b"\x00\x01\x02binary", "text/plain"))
    press(at, "Translate")
    assert at.error and shown(at.error[0].value).startswith("bad.txt:")
    assert repo.list_documents(store) == []


# --- editor -------------------------------------------------------------------------------


def test_editor_opens_first_segment_side_by_side(store, article):
    at = editor(article)
    first = repo.list_segments(store, article)[0]
    assert first.source in texts(at) and first.draft.text in texts(at)
    assert english(at).value == first.target
    assert any("test model" in w.value for w in at.warning)
    assert kinds(store, article).count("open") == 1


def test_save_logs_the_edit_with_server_side_timing(store, article):
    at = editor(article)
    first = repo.list_segments(store, article)[0]
    english(at).input("Seoul will raise city bus fares from next year.")
    at.button(key="act_save").click().run()
    assert not at.error, [e.value for e in at.error]
    saved = repo.get_segment(store, first.id)
    assert (saved.target, saved.status) == (
        "Seoul will raise city bus fares from next year.",
        "edited",
    )
    (event,) = [e for e in repo.edit_events(store, segment_id=first.id) if e.kind == "save"]
    assert event.editor == "desk" and event.client == "web"
    assert event.active_ms is not None and event.active_ms >= 0 and event.idle_ms == 0
    assert event.opened_at is not None and event.opened_at <= event.saved_at
    assert event.text_before == first.target


def test_idle_gap_over_five_minutes_is_left_out_and_recorded(store, article):
    at = editor(article)
    ses = at.session_state["editor_session"]
    started = utcnow() - timedelta(minutes=30)
    clock = SegmentClock(ses.segment_id, started)
    clock.touch(started + timedelta(seconds=20))  # 20 s of work, then a 30-minute gap
    ses.clock = clock
    english(at).input("Edited after a long break.")
    at.button(key="act_save").click().run()
    (event,) = [e for e in repo.edit_events(store, segment_id=ses.segment_id) if e.kind == "save"]
    assert 20_000 <= event.active_ms < 25_000
    assert event.idle_ms >= 29 * 60 * 1000


def test_save_and_next_moves_on_and_approve_needs_no_second_save(store, article):
    at = editor(article)
    first, second = repo.list_segments(store, article)[:2]
    english(at).input("First, edited.")
    at.button(key="act_save_next").click().run()
    assert english(at).value == second.target  # the next segment is active
    english(at).input("Second, approved.")
    at.button(key="act_approve").click().run()
    assert repo.get_segment(store, first.id).status == "edited"
    done = repo.get_segment(store, second.id)
    assert (done.status, done.target) == ("approved", "Second, approved.")
    assert kinds(store, article)[-1] == "approve"
    # reopen it, then revert it to the MT draft
    at.button(key="act_reopen").click().run()
    assert repo.get_segment(store, second.id).status == "edited"
    at.button(key="act_revert").click().run()
    reverted = repo.get_segment(store, second.id)
    assert reverted.target == second.draft.text and english(at).value == second.draft.text


def test_navigation_and_next_unapproved(store, article):
    segs = repo.list_segments(store, article)
    repo.approve_segment(store, segs[1].id, editor="desk", base_version=segs[1].version)
    at = editor(article)
    assert english(at).value == segs[0].target
    at.button(key="go_next_unapproved").click().run()
    assert at.session_state["editor_session"].segment_id == segs[2].id  # skips approved #2
    at.button(key="go_previous").click().run()
    assert at.session_state["editor_session"].segment_id == segs[1].id
    at.button(key="go_next").click().run()
    assert at.session_state["editor_session"].segment_id == segs[2].id
    at.button(key=f"open_{segs[0].id}").click().run()
    assert at.session_state["editor_session"].segment_id == segs[0].id


def test_stale_save_shows_both_texts_and_overwrites_nothing(store, article):
    at = editor(article)
    seg = repo.list_segments(store, article)[0]
    repo.ensure_editor(store, "kim")
    repo.save_segment(store, seg.id, "Kim's version.", editor="kim", base_version=seg.version)
    english(at).input("My version.")
    at.button(key="act_save").click().run()
    assert repo.get_segment(store, seg.id).target == "Kim's version."
    assert "Kim's version." in texts(at) and "My version." in texts(at)
    assert any("Nothing was overwritten" in e.value for e in at.error)
    at.button(key="conflict_mine").click().run()
    final = repo.get_segment(store, seg.id)
    assert final.target == "My version." and final.version == seg.version + 2
    last = repo.edit_events(store, segment_id=seg.id)[-1]
    assert (last.kind, last.text_before, last.text_after) == (
        "save",
        "Kim's version.",
        "My version.",
    )


def test_conflict_keep_theirs_discards_mine(store, article):
    at = editor(article)
    seg = repo.list_segments(store, article)[0]
    repo.ensure_editor(store, "kim")
    repo.save_segment(store, seg.id, "Kim's version.", editor="kim", base_version=seg.version)
    english(at).input("Mine.")
    at.button(key="act_save").click().run()
    at.button(key="conflict_theirs").click().run()
    assert english(at).value == "Kim's version."
    assert repo.get_segment(store, seg.id).target == "Kim's version."


def test_comments(store, article):
    at = editor(article)
    at.text_input(key="new_comment").input("Check the **figure** <b>here</b>")
    at.button(key="add_comment").click().run()
    seg_id = at.session_state["editor_session"].segment_id
    (comment,) = repo.list_comments(store, seg_id)
    assert comment.text == "Check the **figure** <b>here</b>"
    assert comment.text in texts(at)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script> **bold** :red[x] $x$"])
def test_document_text_renders_as_text_never_markup(store, tiny_engine, hostile):
    doc_id = repo.create_document(
        store,
        f"{hostile}\n\n서울은 크다.",
        title=f"<img src=x onerror=alert(1)> {hostile}",
        engine=tiny_engine,
        created_by="desk",
        segment_mode="line",
    )
    seg = repo.list_segments(store, doc_id)[0]
    repo.save_segment(store, seg.id, hostile, editor="desk", base_version=seg.version)
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

    at = new_app()
    at.session_state["transdesk_identity"] = Identity(name, role, "local")
    return at.run()


def test_a_forged_session_identity_is_checked_against_the_store(store, article):
    repo.add_user(store, "rita", role="reviewer", password="correct horse")
    at = signed_in("mallory", "admin")  # not an account: back to the sign-in page
    assert any(s.value == "Sign in" for s in at.subheader)
    at = signed_in("rita", "admin")  # a real account, but the role is read from the store
    assert at.session_state["transdesk_identity"].role == "reviewer"


def test_roles_are_enforced_on_the_server(store, article):
    repo.add_user(store, "rita", role="reviewer", password="correct horse")
    repo.add_user(store, "ed", role="editor", password="battery staple")
    at = signed_in("rita", "reviewer")
    at.switch_page("views/editor.py").run()
    assert at.button(key="act_approve")  # a reviewer sees Approve
    repo.set_role(store, "rita", "editor")  # demoted while the page is open
    at.button(key="act_approve").click().run()
    assert any("rita" in e.value for e in at.error)  # refused by the store, shown as an error
    seg_id = at.session_state["editor_session"].segment_id
    assert repo.get_segment(store, seg_id).status != "approved"
    assert "act_approve" not in {b.key for b in at.button}  # and the button is gone now
    at = signed_in("ed", "editor")
    at.switch_page("views/settings.py").run()
    assert any("Only admins" in i.value for i in at.info)
    assert "user_name" not in {t.key for t in at.text_input}


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


def test_switching_articles_in_the_editor(store, article, tiny_engine):
    other = repo.create_document(
        store, "부산은 항구 도시다.", title="Busan", engine=tiny_engine, created_by="desk"
    )
    at = editor(article)
    at.selectbox(key="editor_doc_choice").set_value(other).run()
    ses = at.session_state["editor_session"]
    assert ses.doc_id == other
    assert repo.get_segment(store, ses.segment_id).document_id == other
    at.run()  # stays on the chosen article
    assert at.session_state["editor_session"].doc_id == other


def test_go_to_segment_number(store, article):
    at = editor(article)
    third = repo.list_segments(store, article)[2]
    at.number_input(key="goto_segment").set_value(3).run()
    assert at.session_state["editor_session"].segment_id == third.id
    assert at.number_input(key="goto_segment").value is None


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
    assert "act_approve" not in {b.key for b in at.button}  # new people are editors
    repo.set_role(store, "kim@paper.example", "reviewer")
    at.run()
    assert at.button(key="act_approve")


def test_a_sample_article_translates_with_its_headline(db_url, store):
    at = new_app().run()
    at.radio(key="new_source").set_value("Sample article").run()
    at.selectbox(key="new_sample").set_value("economy.txt")
    press(at, "Translate")
    assert not at.error, [e.value for e in at.error]
    (doc,) = repo.list_documents(store)
    headline = (ROOT / "samples" / "economy.txt").read_text(encoding="utf-8").splitlines()[0]
    assert doc.title == headline
    text = repo.document_text(store, doc.id, which="source")
    assert text.strip() == (ROOT / "samples" / "economy.txt").read_text(encoding="utf-8").strip()


def test_reports_show_scores_charts_and_downloads(store, article):
    segs = repo.list_segments(store, article)
    repo.save_segment(
        store,
        segs[0].id,
        "Seoul raises bus fares.",
        editor="desk",
        base_version=segs[0].version,
        active_ms=6000,
    )
    repo.approve_segment(
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
    rep = repo.report(store)
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
    doc = repo.create_document(store, "\n".join(sources), title="Fares", segment_mode="line",
                               engine=TableEngine("/srv/models/model-a", table),
                               created_by="desk", from_scratch=0.5, seed=1)  # fmt: skip
    for seg in repo.list_segments(store, doc):
        words = len(seg.source.split())
        repo.save_segment(store, seg.id, finals[seg.position], editor="desk",
                          base_version=seg.version, active_ms=3000 * words)  # fmt: skip
    repo.retranslate_document(store, doc, engine=TableEngine("model-b", table))
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


def test_import_form_leaves_a_random_share_from_scratch(db_url, store, tiny_model_dir):
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
