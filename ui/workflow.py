"""An article's workflow controls (state moves, assignee, deadline, title, archive), its
handover downloads and the "copy article" button; shared by the Documents and Copy desk pages.

Buttons a role may not use are hidden or disabled (`mt.permissions` through `auth.Identity.can`);
the store checks every change again.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timezone

import streamlit as st

from mt import permissions
from mt import store as repo
from mt.errors import TransdeskError
from mt.store import workflow as wf
from ui import auth, downloads, state
from ui import components as ui

STATE_LABELS = {
    "drafted": "Drafted",
    "editing": "Editing",
    "review": "Copy desk",
    "ready": "Ready",
    "published": "Published",
}
_STATE_STYLE = {
    "drafted": "background:#eceff3;color:#4a5160",
    "editing": "background:#fdebd3;color:#8a4b08",
    "review": "background:#e1ecfb;color:#1d4f91",
    "ready": "background:#dff3e3;color:#1b6b2f",
    "published": "background:#1b6b2f;color:#fff",
}
HANDOVER_FORMATS = [
    ("html", "HTML for the CMS", ".en.html", "text/html"),
    ("md", "Markdown", ".en.md", "text/markdown"),
    *downloads.ARTICLE_FORMATS,
]
_MESSAGE = "workflow_message"
COPY_AT_ONCE = 2_000  # segments: a longer article's "Copy article" is prepared on request


def state_badge_html(state_name: str) -> str:
    style = _STATE_STYLE.get(state_name, "")
    label = ui.escaped(STATE_LABELS.get(state_name, state_name))
    return (
        f'<span class="td-state td-state-{ui.escaped(state_name)}" '
        f'style="{style};padding:1px 8px;border-radius:8px;font-size:0.85em">{label}</span>'
    )


def _say(kind: str, text: str) -> None:
    st.session_state[_MESSAGE] = (kind, text)


def show_message() -> None:
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        ui.message(message[0], message[1])


def _act(fn, *args, done: str, **kwargs) -> None:
    """Run a store change as a button callback; its outcome is shown on the next run."""
    try:
        identity = auth.current()
        fn(state.store(), *args, by=identity.name, **kwargs)
        _say("success", done)
    except TransdeskError as e:
        _say("error", str(e))


def _move(doc_id: int, target: str) -> None:
    note = (st.session_state.get(f"wf_note_{doc_id}") or "").strip() or None
    override = bool(st.session_state.get(f"wf_override_{doc_id}"))
    _act(wf.set_state, doc_id, target, note=note, override=override and target == "ready",
         done=f"Moved to {STATE_LABELS[target]}.")  # fmt: skip


def _assign(doc_id: int) -> None:
    name = st.session_state.get(f"wf_assignee_{doc_id}")
    _act(wf.assign, doc_id, None if name == "—" else name, done=f"Assigned to {name}.")


def _rename(doc_id: int) -> None:
    title = st.session_state.get(f"wf_title_{doc_id}") or ""
    _act(wf.rename, doc_id, title, done="Renamed.")


def _deadline(doc_id: int) -> None:
    day = st.session_state.get(f"wf_deadline_{doc_id}")
    when = datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc) if day else None
    _act(wf.set_deadline, doc_id, when, done="Deadline set." if when else "Deadline cleared.")


def _archive(doc_id: int, archived: bool) -> None:
    _act(wf.archive if archived else wf.restore, doc_id,
         done="Archived." if archived else "Restored.")  # fmt: skip


def controls(identity: auth.Identity, row: wf.ArticleRow, *, key: str) -> None:
    """State moves, assignee, deadline, title and archive of one article."""
    accounts = identity.mode != "single"
    doc_id = row.id
    st.html(
        f"<div>State: {state_badge_html(row.state)} · {row.approved} of {row.segments} "
        f"segments approved</div>"
    )
    moves = wf.MOVES[row.state]
    with st.container(horizontal=True, key=f"{key}_moves"):
        for target in moves:
            allowed = wf.can_move(identity.role, row.state, target, accounts=accounts)
            label = (
                "Reopen for a correction"
                if row.state == "published"
                else (f"Move to {STATE_LABELS[target]}")
            )
            st.button(label, key=f"{key}_move_{target}", disabled=not allowed,
                      on_click=_move, args=(doc_id, target))  # fmt: skip
    if identity.can("state"):
        st.text_input("Note for the log (optional)", key=f"wf_note_{doc_id}")
    if "ready" in moves and row.approved < row.segments and identity.can("override"):
        st.checkbox(
            f"Override: ready with {row.segments - row.approved} segments not approved (logged)",
            key=f"wf_override_{doc_id}",
        )
    if not identity.can("assign"):
        return
    users = repo.list_users(state.store())
    people = ["—", *(u.name for u in users if permissions.assignable(u.role))]
    left, mid, right = st.columns(3, vertical_alignment="bottom")
    current = row.assignee if row.assignee in people else "—"
    left.selectbox("Assignee", people, index=people.index(current), key=f"wf_assignee_{doc_id}")
    left.button("Assign", key=f"{key}_assign", on_click=_assign, args=(doc_id,))
    mid.date_input(
        "Deadline", value=row.deadline.date() if row.deadline else None,
        key=f"wf_deadline_{doc_id}",
    )  # fmt: skip
    mid.button("Set deadline", key=f"{key}_deadline", on_click=_deadline, args=(doc_id,))
    right.text_input("Title", value=row.title, key=f"wf_title_{doc_id}")
    right.button("Rename", key=f"{key}_rename", on_click=_rename, args=(doc_id,))
    if identity.can("archive"):
        archived = row.archived_at is not None
        st.button("Restore" if archived else "Archive", key=f"{key}_archive",
                  on_click=_archive, args=(doc_id, not archived))  # fmt: skip


def handover(store: repo.Store, row: wf.ArticleRow, *, key: str) -> None:
    """Downloads of the English article (unapproved segments marked) and "copy article"."""
    from mt.exchange.article import load_article, render_plain
    from ui.downloads import file_stem

    left = row.segments - row.approved
    if left:
        st.caption(
            f"{left} of {row.segments} segments are not approved yet: downloads mark them "
            "[UNAPPROVED: …], and “Copy article” leaves them out."
        )
    stem = file_stem(row.title, row.id)
    with st.container(horizontal=True, key=f"{key}_downloads"):
        for fmt, label, suffix, mime in HANDOVER_FORMATS:
            st.download_button(
                label if label.startswith("Download") else f"Download {label}",
                data=downloads.exporter(store, row.id, fmt),
                file_name=stem + suffix,
                mime=mime,
                key=f"{key}_download_{fmt}",
                on_click="ignore",
                icon=":material/download:",
            )
    if row.segments > COPY_AT_ONCE and not st.session_state.pop(f"{key}_copy_ready", False):
        # A long article's text is read only when asked for, not on every run of the page.
        st.button("Prepare “Copy article”", key=f"{key}_copy_prepare",
                  on_click=st.session_state.__setitem__, args=(f"{key}_copy_ready", True),
                  help="Reads the whole article once; then “Copy article” puts it on the "
                       "clipboard.")  # fmt: skip
        return
    article = load_article(store, row.id)
    approved_only = _approved_only(article)
    copy_button(render_plain(approved_only), key=f"{key}_copy")


def _approved_only(article):
    from dataclasses import replace

    def keep(pieces):
        return [p for p in pieces if p.approved]

    return replace(
        article,
        headline=keep(article.headline),
        byline=keep(article.byline) if article.byline else None,
        body=[keep(p) for p in article.body],
    )


_COPY_SCRIPT = """<script>
(() => {
  if (window.__tdCopyArticle) return;
  window.__tdCopyArticle = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".td-copy-article");
    if (!button) return;
    navigator.clipboard.writeText(JSON.parse(button.dataset.text))
      .then(() => { button.textContent = "Copied"; });
  });
})();
</script>"""


def copy_button(text: str, *, key: str) -> None:
    """A button that puts `text` on the clipboard (in the browser; no server round trip)."""
    payload = ui.escaped(json.dumps(text))
    st.html(
        f'<button class="td-copy-article" id="{key}" data-text="{payload}">Copy article</button>'
        + _COPY_SCRIPT,
        unsafe_allow_javascript=True,
    )
