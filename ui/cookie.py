"""A tiny invisible component that asks the server to set or clear the sign-in cookie.

The cookie is HttpOnly, so page JavaScript never holds the token: it only posts the one-time
code from `mt.store.sessions.begin_session` to `ui.server`'s session route (or calls its
sign-out route), then reports back through the trigger "done".
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data || !data.url || parentElement.__tdDone === data.token) return;
  parentElement.__tdDone = data.token;
  fetch(data.url, {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data.body || {}),
  }).then((r) => r.json())
    .then((answer) => setTriggerValue("done", { token: data.token, ok: !!answer.ok }))
    .catch(() => setTriggerValue("done", { token: data.token, ok: false }));
}
"""

_component = st.components.v2.component("transdesk_cookie", js=_JS, isolate_styles=True)
_KEY = "transdesk_cookie_job"


def request(url: str, body: dict[str, Any] | None = None) -> None:
    """Have the browser POST `body` to `url` (on this server) on the next run."""
    import secrets

    st.session_state[_KEY] = {"url": url, "body": body or {}, "token": secrets.token_hex(8)}


def render() -> None:
    """Draw the component (call once per run, at the same place in every run).

    It is drawn even with nothing to do, so the app's element tree keeps its shape: an element
    appearing or going away above the editor would make the browser draw the grid afresh.
    """
    job = st.session_state.get(_KEY)

    def done() -> None:
        answer = st.session_state.get("transdesk_cookie_el", {}).get("done")
        if isinstance(answer, dict) and job and answer.get("token") == job["token"]:
            st.session_state.pop(_KEY, None)

    _component(key="transdesk_cookie_el", data=job, on_done_change=done)
