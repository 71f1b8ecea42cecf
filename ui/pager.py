"""A pager for a long list read a page at a time: Previous, the page number (type one and
press Enter) and Next, each reachable by Tab; the page shown is kept in the session."""

from __future__ import annotations

import streamlit as st


def page_count(total: int, size: int) -> int:
    """How many pages of `size` items `total` items fill (at least one)."""
    return max(1, -(-total // size))


def current_page(key: str, pages: int) -> int:
    """The page kept under `key` in this session (1 at first, kept within 1..`pages`)."""
    page = st.session_state.get(key)
    if not isinstance(page, int) or not 1 <= page <= pages:
        page = min(max(page, 1), pages) if isinstance(page, int) else 1
        st.session_state[key] = page
    return page


def _turn(key: str, step: int, pages: int) -> None:
    """Previous / Next (a button callback, before the page number is drawn)."""
    page = st.session_state.get(key)
    st.session_state[key] = min(max((page if isinstance(page, int) else 1) + step, 1), pages)


def pager(
    key: str, page: int, pages: int, total: int, size: int, *, prefix: str, where: str
) -> None:
    """The pager's widgets (`prefix`_prev_`where`, ...); only the top one has the page number,
    the bottom one repeats Previous and Next."""
    first, last = (page - 1) * size + 1, min(page * size, total)
    with st.container(horizontal=True, vertical_alignment="center", key=f"{prefix}_pager_{where}"):
        st.button("Previous", key=f"{prefix}_prev_{where}", icon=":material/chevron_left:",
                  disabled=page <= 1, on_click=_turn, args=(key, -1, pages))  # fmt: skip
        if where == "top":
            st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key=key,
                            width=140)  # fmt: skip
        st.button("Next", key=f"{prefix}_next_{where}", icon=":material/chevron_right:",
                  icon_position="right", disabled=page >= pages, on_click=_turn,
                  args=(key, 1, pages))  # fmt: skip
        st.caption(f"Segments {first:,}–{last:,} of {total:,}")
