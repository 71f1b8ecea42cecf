"""End to end in Chromium: sign in, upload, translate, edit, approve, conflict, download, log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mt import drafting
from mt import store as repo
from tests.browser.conftest import ROOT, start_desk, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = "<script>alert(1)</script> <b>태그</b> **굵게** 문장입니다."
PASSWORDS = {"rita": "rita-reviews-all", "ed": "ed-edits-drafts"}


@pytest.fixture
def desk(tmp_path, tiny_model_dir):
    store = repo.open_store(f"sqlite:///{tmp_path / 'desk.db'}")
    repo.add_user(store, "rita", role="reviewer", password=PASSWORDS["rita"])
    repo.add_user(store, "ed", role="editor", password=PASSWORDS["ed"])
    store.close()
    running, proc = start_desk(tmp_path, tiny_model_dir)
    yield running
    proc.terminate()
    proc.wait(timeout=20)


def article_file(tmp_path: Path) -> Path:
    """A sample article with one hostile paragraph, under a Korean file name."""
    text = (ROOT / "samples" / "culture.txt").read_text(encoding="utf-8").rstrip("\n")
    path = tmp_path / "문화 기사.txt"
    path.write_text(f"{text}\n\n{HOSTILE}\n", encoding="utf-8")
    return path


class Steps:
    """Screenshots named by step, in the order taken."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.n = folder, 0

    def shot(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"))


def sign_in(page, url: str, name: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Documents").wait_for()
    wait_idle(page)


def english(page):
    return page.get_by_role("textbox", name="English", exact=True)


def answer_dialog(seen: list[str]):
    """A dialog handler: confirms approving despite QA errors, dismisses anything else."""

    def answer(dialog) -> None:
        seen.append(dialog.message)
        if "QA found errors" in dialog.message:
            dialog.accept()
        else:
            dialog.dismiss()

    return answer


def grid_press(page, key: str, message: str) -> None:
    """Press `key` in the grid and wait for its answer (`message`), nothing left to send."""
    page.evaluate("() => { window.__tdGrid.msg.textContent = '' }")
    page.keyboard.press(key)
    page.get_by_test_id("td-message").get_by_text(message).wait_for()
    page.wait_for_function("() => !window.__tdGrid.inflight && !window.__tdGrid.queue.length")


def test_newsroom_day(browser, desk, tmp_path, artifacts):
    dialogs: list[str] = []
    rita_ctx = browser.new_context(viewport={"width": 1400, "height": 1500}, accept_downloads=True)
    rita_ctx.set_default_timeout(90_000)  # generous for a loaded CI machine; idle runs take <1 s
    rita = rita_ctx.new_page()
    rita.on("dialog", answer_dialog(dialogs))
    steps = Steps(artifacts)

    # 1. sign in (accounts exist, so nothing opens without it)
    rita.goto(desk.url)
    wait_idle(rita)
    assert rita.get_by_role("heading", name="Sign in").is_visible()
    steps.shot(rita, "sign-in")
    sign_in(rita, desk.url, "rita")
    assert rita.get_by_text("Signed in as").is_visible()
    steps.shot(rita, "documents")

    # 2. upload a Korean article and translate it
    upload = article_file(tmp_path)
    rita.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    rita.get_by_text("문화 기사.txt").wait_for()
    rita.get_by_role("button", name="Translate").click()
    rita.get_by_text("Translated into").wait_for(timeout=300_000)  # a busy CI machine
    wait_idle(rita)
    steps.shot(rita, "translated")
    store = repo.open_store(desk.db_url)
    (doc,) = repo.list_documents(store)
    segments = repo.list_segments(store, doc.id)
    assert doc.filename == "문화 기사.txt" and len(segments) > 5
    assert rita.get_by_text("test model").first.is_visible()

    # 3. open it in the editor: the whole article as a grid, the test-model warning
    rita.get_by_role("button", name="Open it in the editor").click()
    english(rita).wait_for()
    wait_idle(rita)
    assert rita.get_by_text(segments[0].source, exact=True).first.is_visible()
    assert rita.get_by_text("offline test model", exact=False).first.is_visible()
    steps.shot(rita, "editor")

    # 4. edit two segments, keyboard only: Ctrl+Enter on the first, Ctrl+S on the second
    english(rita).fill("Moonlight Alley festival draws record crowds")
    grid_press(rita, "Control+Enter", "Saved segment 1.")
    english(rita).fill("(Jeonju=Transdesk) By Park Min-ho")
    grid_press(rita, "Control+s", "Saved segment 2.")
    steps.shot(rita, "two-edited")
    assert repo.get_segment(store, segments[0].id).target.startswith("Moonlight Alley")
    assert repo.get_segment(store, segments[1].id).status == "edited"

    # 5. approve the first one (Alt+Up to it, Alt+A)
    rita.keyboard.press("Alt+ArrowUp")
    grid_press(rita, "Alt+a", "Approved segment 1.")
    assert repo.get_segment(store, segments[0].id).status == "approved"
    steps.shot(rita, "approved")

    # 6. a second editor saves segment 3 while rita has unsaved text in it: nothing of hers is
    # saved over his; she sees the conflict (by her grid's poll or her Ctrl+S), then keeps hers
    third = segments[2]
    rita.keyboard.press("Alt+g")
    rita.keyboard.type("3")
    rita.keyboard.press("Enter")
    english(rita).fill("Rita's version of the third sentence.")
    ed_ctx = browser.new_context(viewport={"width": 1400, "height": 1500})
    ed_ctx.set_default_timeout(90_000)
    ed = ed_ctx.new_page()
    ed.on("dialog", answer_dialog(dialogs))
    sign_in(ed, desk.url, "ed")
    ed.goto(f"{desk.url}/editor?doc={doc.id}&seg=3")
    english(ed).wait_for()
    wait_idle(ed)
    assert ed.evaluate("() => window.__tdGrid.can.approve") is False  # editors do not approve
    english(ed).fill("Ed's version of the third sentence.")
    grid_press(ed, "Control+s", "Saved segment 3.")
    steps.shot(ed, "second-editor-saved")

    english(rita).focus()
    grid_press(rita, "Control+s", "Segment 3 was changed by ed while you were editing it")
    assert repo.get_segment(store, third.id).target == "Ed's version of the third sentence."
    assert english(rita).input_value() == "Rita's version of the third sentence."  # kept
    assert rita.get_by_test_id("td-conflict").is_visible()
    steps.shot(rita, "conflict")
    grid_press(rita, "Alt+m", "Kept your text in segment 3.")  # knowingly, over ed's version
    assert repo.get_segment(store, third.id).target == "Rita's version of the third sentence."
    steps.shot(rita, "conflict-resolved")

    # 7. document text shows as text: no script ran, no tag or Markdown was interpreted
    hostile = next(s for s in segments if "<script>" in s.source)
    rita.keyboard.press("Alt+g")
    rita.keyboard.type(str(segments.index(hostile) + 1))
    rita.keyboard.press("Enter")
    assert rita.get_by_text(HOSTILE, exact=True).first.is_visible()
    assert rita.locator("b", has_text="태그").count() == 0
    assert rita.locator("strong", has_text="굵게").count() == 0
    steps.shot(rita, "markup-as-text")

    # 8. download the English article: paragraphs kept, edits in it
    with rita.expect_download() as got:
        rita.locator(".st-key-article_download_txt button:visible").click()
    txt = artifacts / "article.en.txt"
    got.value.save_as(txt)
    english_article = txt.read_text(encoding="utf-8")
    assert "Moonlight Alley festival draws record crowds" in english_article
    assert "Rita's version of the third sentence." in english_article
    source_paragraphs = drafting.document_text(store, doc.id, which="source").strip().split("\n\n")
    assert len(english_article.strip().split("\n\n")) == len(source_paragraphs)
    with rita.expect_download() as got:
        rita.locator(".st-key-article_download_docx button:visible").click()
    import docx

    word = docx.Document(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert any("Moonlight Alley" in p.text for p in word.paragraphs)
    steps.shot(rita, "downloaded")

    # 9. the edit log in the database
    events = repo.edit_events(store, document_id=doc.id)
    first = [(e.kind, e.editor) for e in events if e.segment_id == segments[0].id]
    assert ("save", "rita") in first and ("approve", "rita") in first
    saves = [e for e in events if e.kind == "save"]
    assert all(e.client == "web" and e.active_ms is not None and e.opened_at for e in saves)
    third_saves = [e for e in saves if e.segment_id == third.id]
    assert [(e.editor, e.text_after) for e in third_saves] == [
        ("ed", "Ed's version of the third sentence."),
        ("rita", "Rita's version of the third sentence."),
    ]
    # rita's save names the version ed made: nothing was overwritten silently
    assert third_saves[1].text_before == third_saves[0].text_after
    assert third_saves[1].version_before == third_saves[0].version_after
    assert {e.kind for e in events} >= {"open", "save", "approve"}
    # the only dialog: approving a text with QA errors asks first
    assert all("QA found errors" in message for message in dialogs)
    store.close()
    ed_ctx.close()
    rita_ctx.close()
