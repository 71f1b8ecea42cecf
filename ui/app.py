"""The Transdesk web app: sign-in, then the Documents, Editor, Copy desk, Reports and Settings
pages.

Run with `transdesk ui` or `streamlit run ui/app.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` puts only ui/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from mt import store as repo  # noqa: E402
from mt.errors import DatabaseError, TransdeskError  # noqa: E402
from ui import auth, cookie, presence, state, upload_guard  # noqa: E402
from ui import components as ui  # noqa: E402

# Not "pages/": Streamlit still gives a folder of that name beside the main script its old
# multipage handling (a sidebar of its files could show while the page loads).
PAGES = Path(__file__).resolve().parent / "views"


def pages() -> dict[str, st.Page]:
    """The app's pages, by short name."""
    spec = [
        ("documents", "Documents", ":material/description:"),
        ("editor", "Editor", ":material/edit_note:"),
        ("copydesk", "Copy desk", ":material/fact_check:"),
        ("reports", "Reports", ":material/bar_chart:"),
        ("settings", "Settings", ":material/settings:"),
    ]
    return {
        name: st.Page(
            PAGES / f"{name}.py", title=title, icon=icon, url_path=name, default=name == "documents"
        )
        for name, title, icon in spec
    }


def _user_bar(identity: auth.Identity) -> None:
    with st.container(
        horizontal=True, horizontal_alignment="right", vertical_alignment="center", key="user_bar"
    ):
        st.caption(f"Signed in as **{ui.md_literal(identity.name)}** ({identity.role})")
        st.button(
            "Sign out",
            key="sign_out",
            on_click=auth.sign_out,
            type="tertiary",
            icon=":material/logout:",
        )


def run() -> None:
    """Render one run of the app."""
    st.set_page_config(page_title="Transdesk", page_icon="📝", layout="wide")
    try:
        store = state.store()
        # Before anything else: caps on the uploads the server holds (once per process).
        upload_guard.install(
            max_upload=state.max_upload_bytes(), accounts_exist=lambda: repo.has_accounts(store)
        )
        identity = auth.sign_in(store)
    except TransdeskError as e:
        ui.error(str(e))
        st.stop()
    cookie.render()
    if identity is None:
        # Only the sign-in page renders until someone signs in; it answers every page's URL
        # (query included), so a deep link such as /editor?doc=1&seg=4 opens where it pointed
        # once the sign-in succeeds.
        sign_in = [st.Page(auth.sign_in_page, title="Sign in", url_path="signin", default=True)]
        sign_in += [
            st.Page(auth.sign_in_page, title="Sign in", url_path=name)
            for name in pages()
            if name != "documents"
        ]
        st.navigation(sign_in, position="hidden").run()
        return
    if identity.mode == "single":
        st.info(
            "Single-user desk: no accounts exist yet, so you are working as "
            f"**{ui.md_literal(identity.name)}** with every right. To require sign-in, "
            "add accounts with `transdesk users add NAME --role admin`.",
            icon=":material/person:",
        )
    else:
        _user_bar(identity)
    page = st.navigation(list(pages().values()), position="top")
    presence.presence_bar(identity.name)  # who else has this article open (pages with ?doc=)
    try:
        page.run()
    except DatabaseError as e:  # full, read-only, unreachable: one line, nothing half-written
        ui.error(str(e))


run()
