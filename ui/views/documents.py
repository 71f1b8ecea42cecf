"""Documents page: add an article (upload or paste), translate it, see every article's state,
assignee, deadline and progress (yours first), filter them, and move them through the workflow."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mt import drafting
from mt import store as repo
from mt.errors import InputError, TransdeskError
from mt.models.provenance import describe
from mt.permissions import assignable
from mt.store import workflow as wf
from ui import auth, state, workflow
from ui import components as ui

HOW_IT_WORKS = """
1. **Add an article** below: upload a Korean file, paste text, or pick a sample, then
   **Translate**. Each sentence gets a machine-translated English draft.
2. **Open it in the editor**: the Korean sentence and its draft sit side by side; correct the
   English in the box. **Save & next** (Ctrl+Enter) keeps your text and moves on; Alt+↑ and
   Alt+↓ go to the previous and next sentence. Reviewers **Approve** finished sentences.
3. **Download the English article** (.txt, .docx or XLIFF) at the bottom of the editor, with the
   article's paragraphs. **Reports** show how much the drafts needed changing and how long it took.
"""
UPLOAD_TYPES = ["txt", "docx", "xlf", "xliff"]
SEGMENT_MODES = {"sentence": "One segment per sentence", "line": "One segment per line"}


def _model_label(choice: str) -> str:
    if choice == state.desk_model():
        return f"{describe(choice)} (desk model)"
    default = state.default_model()
    if choice == default.model:
        kind = "offline test model" if default.is_test_model else "default"
        return f"{describe(choice)} ({kind})"
    return describe(choice)


def _samples() -> dict[str, str]:
    """The sample articles shipped in samples/ (a source checkout), by file name."""
    folder = Path(__file__).resolve().parents[2] / "samples"
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}


def _upload_bytes(upload) -> bytes:
    """The uploaded file's bytes, read in memory (never saved under its name); InputError over
    the upload limit."""
    limit = state.max_upload_bytes()
    data = upload.getvalue()
    if len(data) > limit:
        raise InputError(
            f"{upload.name}: {len(data) / 1e6:.1f} MB is over the {limit / 1024 / 1024:.0f} MB "
            "upload limit"
        )
    return data


def _new_document(identity: auth.Identity) -> None:
    st.subheader("Add an article")
    st.caption(
        "Upload a Korean article (.txt, .docx or XLIFF) or paste its text. Transdesk splits it "
        "into sentences and drafts an English translation of each with the model you pick."
    )
    samples = _samples()
    source = st.radio(
        "Korean text",
        ["Upload a file", "Paste text", *(["Sample article"] if samples else [])],
        horizontal=True,
        key="new_source",
        label_visibility="collapsed",
    )
    with st.form("new_document", border=True):
        upload = pasted = None
        if source == "Upload a file":
            upload = st.file_uploader(
                "Article file",
                type=UPLOAD_TYPES,
                key="new_upload",
                max_upload_size=max(1, state.max_upload_bytes() // (1024 * 1024)),
            )
        elif source == "Sample article":
            sample = st.selectbox(
                "Sample article",
                list(samples),
                key="new_sample",
                help="Short Korean news articles written for trying Transdesk out (samples/).",
            )
            pasted = samples[sample]
        else:
            pasted = st.text_area(
                "Korean article",
                height=200,
                key="new_text",
                placeholder="기사 본문을 여기에 붙여 넣으세요…",
            )
        title = st.text_input(
            "Title", key="new_title", placeholder="Leave empty to use the headline (first line)"
        )
        left, right = st.columns(2)
        choices = state.model_choices()
        model = left.selectbox("Model", choices, format_func=_model_label, key="new_model")
        mode = right.selectbox(
            "Segments", list(SEGMENT_MODES), format_func=SEGMENT_MODES.get, key="new_mode"
        )
        left, right = st.columns(2)
        scratch = left.number_input(
            "From scratch (% of segments)",
            min_value=0,
            max_value=100,
            value=0,
            step=5,
            key="new_scratch",
            help="A random share of segments gets no MT draft: editors translate them from "
            "scratch, and Reports compare words per hour with and without MT.",
        )
        seed = right.number_input(
            "Seed", min_value=0, value=0, step=1, key="new_seed",
            help="The same seed draws the same segments again.",
        )  # fmt: skip
        submitted = st.form_submit_button("Translate", type="primary", icon=":material/translate:")
    if submitted:
        _translate(identity, upload=upload, pasted=pasted, title=title, model=model, mode=mode,
                   from_scratch=scratch / 100, seed=int(seed))  # fmt: skip
    created = st.session_state.get("documents_created")
    if created:
        st.success(
            f"Translated into {created['segments']} segments.", icon=":material/check_circle:"
        )
        if st.button("Open it in the editor", key="open_created", type="primary"):
            _open_in_editor(created["id"])


def _translate(
    identity: auth.Identity,
    *,
    upload,
    pasted,
    title: str,
    model: str,
    mode: str,
    from_scratch: float = 0.0,
    seed: int = 0,
) -> None:
    store = state.store()
    try:
        auth.require(identity, "translate")
        if upload is not None:
            data = _upload_bytes(upload)
        elif not (pasted and pasted.strip()):
            st.error("Choose a file or paste some Korean text first.")
            return
        engine = state.drafting_engine(model)
        bar = st.progress(0.0, text="Translating…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0, text=f"Translating: {done} of {total}")

        options = {"title": title, "engine": engine, "created_by": identity.name,
                   "segment_mode": mode, "progress": progress, "from_scratch": from_scratch,
                   "seed": seed}  # fmt: skip
        if upload is not None:  # as `transdesk import` reads a file (one default title)
            doc_id = drafting.import_file(store, data, name=upload.name, **options)
        else:
            doc_id = drafting.create_document(store, pasted, **options)
        bar.progress(1.0, text="Done")
    except TransdeskError as e:
        ui.error(str(e))
        return
    doc = repo.get_document(store, doc_id)
    st.session_state["documents_created"] = {"id": doc_id, "segments": doc.segments}


def _open_in_editor(doc_id: int) -> None:
    st.session_state.pop("documents_created", None)
    st.session_state.pop("transdesk_grid", None)
    st.switch_page("views/editor.py", query_params={"doc": str(doc_id)})


def _open_copy_desk(doc_id: int) -> None:
    st.session_state.pop("copydesk_segment", None)
    st.switch_page("views/copydesk.py", query_params={"doc": str(doc_id)})


def _filters(store: repo.Store) -> tuple[str | None, str | None, bool]:
    left, mid, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    states = ["All states", *wf.STATES]
    chosen = left.selectbox(
        "State", states, key="docs_state",
        format_func=lambda s: workflow.STATE_LABELS.get(s, s),
    )  # fmt: skip
    people = ["Everyone", *(u.name for u in repo.list_users(store) if assignable(u.role))]
    who = mid.selectbox("Assignee", people, key="docs_assignee")
    archived = right.toggle("Archived", key="docs_archived")
    return (
        None if chosen == "All states" else chosen,
        None if who == "Everyone" else who,
        archived,
    )


def _document_list(store: repo.Store, identity: auth.Identity) -> None:
    st.subheader("Articles")
    workflow.show_message()
    state_filter, assignee, archived = _filters(store)
    rows = wf.list_articles(
        store, state=state_filter, assignee=assignee, me=identity.name, archived=archived
    )
    if not rows:
        st.info("No articles match." if (state_filter or assignee or archived) else
                "No articles yet: add one above.")  # fmt: skip
        return
    docs = {d.id: d for d in repo.list_documents(store)}
    if (
        any(d.test_model or state.is_test_model_id(d.model_id) for d in docs.values())
        and not state.default_model().is_test_model
    ):
        ui.test_model_warning()  # (when the default is a test model, the page top says so)
    widths = [3.5, 1.3, 1.5, 1.5, 1.8, 1.8, 1, 1.2]
    header = st.columns(widths)
    names = ["Title", "State", "Assignee", "Deadline", "Approved", "Last change", "", ""]
    for col, name in zip(header, names, strict=True):
        col.caption(name)
    for row in rows:
        with st.container(key=f"doc_{row.id}"):
            cols = st.columns(widths, vertical_alignment="center")
            mine = " ★" if row.assignee == identity.name else ""
            cols[0].text(row.title + mine)
            cols[1].html(workflow.state_badge_html(row.state))
            cols[2].text(row.assignee or "—")
            cols[3].text(ui.when(row.deadline) or "—")
            cols[4].progress(row.percent_approved / 100, text=f"{row.approved}/{row.segments}")
            who = f" ({row.last_editor})" if row.last_editor else ""
            cols[5].text((ui.when(row.updated_at) or "—") + who)
            if cols[6].button("Open", key=f"open_doc_{row.id}"):
                _open_in_editor(row.id)
            if cols[7].button("Copy desk", key=f"desk_doc_{row.id}"):
                _open_copy_desk(row.id)
    st.subheader("Manage an article")
    labels = {r.id: f"{r.title} (#{r.id})" for r in rows}
    picked = st.selectbox("Article", list(labels), format_func=labels.get, key="docs_manage")
    row = next(r for r in rows if r.id == picked)
    workflow.controls(identity, row, key="docs")
    workflow.handover(store, row, key="docs")


def main() -> None:
    """Render the documents page."""
    st.title("Documents")
    identity, store = auth.page_identity(), state.store()
    default = state.default_model()
    if default.is_test_model:
        ui.test_model_warning(note=default.note)
    try:
        with st.expander("How it works", expanded=not repo.list_documents(store)):
            st.markdown(HOW_IT_WORKS)
        if identity.can("translate"):
            _new_document(identity)
        else:
            st.info("You can read articles and reports and download them; adding articles "
                    "needs an editor, reviewer or admin.")  # fmt: skip
        st.divider()
        _document_list(store, identity)
    except TransdeskError as e:
        ui.error(str(e))


main()
