"""The Transdesk web app: sign-in, then the Documents, Editor, Reports and Settings pages.

Run with `transdesk ui` or `streamlit run ui/app.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` puts only ui/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from mt.errors import TransdeskError  # noqa: E402
from ui import auth, state  # noqa: E402
from ui import components as ui  # noqa: E402

PAGES = Path(__file__).resolve().parent / "pages"


def pages() -> dict[str, st.Page]:
    """The app's pages, by short name (used by `st.switch_page` from other pages)."""
    return {
        "documents": st.Page(
            PAGES / "documents.py",
            title="Documents",
            icon="📄",
            url_path="documents",
            default=True,
        ),
        "editor": st.Page(PAGES / "editor.py", title="Editor", icon="✏️", url_path="editor"),
        "reports": st.Page(PAGES / "reports.py", title="Reports", icon="📊", url_path="reports"),
        "settings": st.Page(PAGES / "settings.py", title="Settings", icon="⚙️", url_path="settings"),
    }


def _sidebar(identity: auth.Identity) -> None:
    with st.sidebar:
        st.caption("Signed in as")
        st.text(f"{identity.name} ({identity.role})")
        if identity.mode != "single":
            st.button("Sign out", key="sign_out", on_click=auth.sign_out)


def run() -> None:
    """Render one run of the app."""
    st.set_page_config(page_title="Transdesk", page_icon="📝", layout="wide")
    try:
        store = state.store()
        identity = auth.sign_in(store)
    except TransdeskError as e:
        st.error(str(e))
        st.stop()
    if identity is None:
        # Only the sign-in page exists until someone signs in, so no other URL renders.
        st.navigation([st.Page(auth.sign_in_page, title="Sign in", url_path="signin")]).run()
        return
    if identity.mode == "single":
        st.info(
            "Single-user desk: no accounts exist yet, so you are working as "
            f"**{ui.md_literal(identity.name)}** with every right. To require sign-in, "
            "add accounts with `transdesk users add NAME --role admin`.",
            icon="👤",
        )
    _sidebar(identity)
    st.navigation(list(pages().values()), position="top").run()


run()
