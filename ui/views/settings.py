"""Settings page: the model and database in use, the model versions, the glossary and
suggested terms, the house style, a document's from-scratch share (reviewers and admins),
the LLM prompt and (for admins) the people who use the desk."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from mt import desk
from mt import store as repo
from mt.errors import TransdeskError
from mt.models.provenance import describe
from mt.qa.style import default_style_text
from mt.store.db import masked_url
from mt.store.views import ROLES
from mt.termbase import import_glossary
from ui import auth, state
from ui import components as ui


def _setup() -> None:
    default = state.default_model()
    st.subheader("Model")
    if default.is_test_model:
        ui.test_model_warning(note=default.note)
    st.text(f"Default model: {describe(default.model)}")  # a folder by name, not its path
    st.caption(
        "Set another with `transdesk ui --model NAME` (a registry name, hub id or local folder). "
        "The model is loaded once per server process and shared by every editor."
    )
    st.subheader("Database")
    st.text(masked_url(state.db_url()))
    st.caption(f"Uploads are limited to {state.max_upload_bytes() / 1024 / 1024:.0f} MB.")


def _switch_model(rollback: bool = False) -> None:
    from mt.adapt import versions

    try:
        identity = auth.current()
        auth.require(identity, "manage_users")  # the page's check; the store checks again
        if rollback:
            v = versions.rollback(state.store(), by=identity.name)
        else:
            v = versions.switch_version(
                state.store(), int(st.session_state["model_version_choice"]), by=identity.name
            )
        st.session_state["versions_message"] = ("success", f"The desk now drafts with {v.label}.")
    except TransdeskError as e:
        st.session_state["versions_message"] = ("error", str(e))


def _score_pair(scores: dict | None, metric: str) -> str:
    if not scores or "after" not in scores:
        return ""
    return f"{scores['before'][metric]:.1f} → {scores['after'][metric]:.1f}"


def _model_versions(identity: auth.Identity) -> None:
    from mt.adapt import versions

    st.subheader("Model versions")
    st.caption(
        "Models adapted to this desk's approved post-edits by `transdesk adapt`, with their "
        "held-out scores before → after (HTER: lower is better). A version is promoted only "
        "when it needs significantly fewer edits; every draft records the version that made it."
    )
    message = st.session_state.pop("versions_message", None)
    if message:
        ui.message(message[0], message[1])
    rows = versions.list_versions(state.store())
    if not rows:
        st.caption("No versions yet: the desk drafts with the default model.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Current": "✓" if v.current else "",
                    "Version": v.label,  # name and fingerprint, never the server's path
                    "Kind": v.kind,
                    "HTER": _score_pair(v.scores, "hter"),
                    "chrF": _score_pair(v.scores, "chrf"),
                    "Significant": {True: "yes", False: "no"}.get(
                        (v.scores or {}).get("significant"), ""
                    ),
                    "Created": ui.when(v.created_at),
                }
                for v in rows
            ]
        ),
        hide_index=True,
        key="model_versions_table",
    )
    if not identity.can("manage_users"):
        st.info("Only admins switch the drafting model.")
        return
    labels = {v.id: v.label for v in rows}
    with st.container(horizontal=True, vertical_alignment="bottom", key="model_versions_switch"):
        st.selectbox("Draft with", list(labels), format_func=labels.get, key="model_version_choice")
        st.button("Switch", key="model_version_switch", on_click=_switch_model)
        st.button("Roll back", key="model_version_rollback", on_click=_switch_model, args=(True,))


def _add_user() -> None:
    name = (st.session_state.get("user_name") or "").strip()
    password = st.session_state.get("user_password") or ""
    role = st.session_state.get("user_role") or "editor"
    try:
        auth.require(auth.current(), "manage_users")  # the page's check; the store checks again
        identity = auth.current()
        repo.add_user(state.store(), name, role=role, password=password, by=identity.name)
        st.session_state["user_name"] = st.session_state["user_password"] = ""
        st.session_state["settings_message"] = ("success", f"Added {name} as {role}.")
    except TransdeskError as e:
        st.session_state["settings_message"] = ("error", str(e))


def _change_role(name: str) -> None:
    role = st.session_state.get(f"role_{name}")
    try:
        identity = auth.current()
        auth.require(identity, "manage_users")
        repo.set_role(state.store(), name, role, by=identity.name)
        st.session_state["settings_message"] = ("success", f"{name} is now {role}.")
    except TransdeskError as e:
        st.session_state["settings_message"] = ("error", str(e))


def _users(identity: auth.Identity) -> None:
    st.subheader("People")
    if not identity.can("manage_users"):
        st.info("Only admins manage people.")
        return
    message = st.session_state.pop("settings_message", None)
    if message:
        ui.message(message[0], message[1])
    users = repo.list_users(state.store())
    if users:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Name": u.name,
                        "Role": u.role,
                        "Can sign in": u.has_password,
                        "Since": ui.when(u.created_at),
                    }
                    for u in users
                ]
            ),
            hide_index=True,
        )
    with st.expander("Change a role"):
        for u in users:
            st.selectbox(
                ui.md_literal(u.name),
                ROLES,
                index=ROLES.index(u.role) if u.role in ROLES else 0,
                key=f"role_{u.name}",
                on_change=_change_role,
                args=(u.name,),
            )
    if identity.mode == "single":
        # The first account should be the person at the desk, as an admin, or they lock
        # themselves out of the people page.
        st.session_state.setdefault("user_name", identity.name)
        st.session_state.setdefault("user_role", "admin")
    with st.form("add_user"):
        st.caption("Add a person who signs in with a name and password.")
        st.text_input("Name", key="user_name")
        st.text_input("Password", type="password", key="user_password")
        st.selectbox("Role", ROLES, key="user_role")
        st.form_submit_button("Add person", on_click=_add_user)
    if identity.mode == "single":
        st.caption(
            "Once the first person with a password exists, everyone must sign in, so add "
            "yourself first, as an admin."
        )


def _import_glossary() -> None:
    upload = st.session_state.get("glossary_upload")
    if upload is None:
        st.session_state["glossary_message"] = ("error", "Choose a glossary file first.")
        return
    try:
        identity = auth.current()
        auth.require(identity, "glossary")
        result = import_glossary(
            state.store(), upload.name, data=upload.getvalue(), by=identity.name
        )
        st.session_state["glossary_message"] = (
            "success",
            f"{upload.name}: {result.added} added, {result.updated} updated, "
            f"{result.unchanged} unchanged.",
        )
    except TransdeskError as e:
        st.session_state["glossary_message"] = ("error", str(e))


def _delete_term() -> None:
    term = st.session_state.get("glossary_delete_choice")
    if not term:
        return
    try:
        identity = auth.current()
        auth.require(identity, "glossary")
        repo.delete_glossary_term(state.store(), term, by=identity.name)
        st.session_state["glossary_message"] = ("success", f"Removed {term}.")
    except TransdeskError as e:
        st.session_state["glossary_message"] = ("error", str(e))


def _glossary(identity: auth.Identity) -> None:
    st.subheader("Glossary")
    st.caption(
        "Korean terms and the English every draft and translation must use: MT drafts are "
        "corrected to them, the editor highlights them in the source, and QA warns when one is "
        "missing."
    )
    message = st.session_state.pop("glossary_message", None)
    if message:
        ui.message(message[0], message[1])
    terms = repo.list_glossary(state.store())
    if terms:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Korean": t.korean,
                        "English": " | ".join(t.english),
                        "Not": " | ".join(t.avoid),
                        "Note": t.note,
                        "From": t.source or "",
                        "Changed": ui.when(t.updated_at),
                    }
                    for t in terms
                ]
            ),
            hide_index=True,
        )
    else:
        st.caption("The glossary is empty.")
    if not identity.can("glossary"):
        st.info("Only admins change the glossary.")
        return
    with st.container(border=True, key="glossary_import"):
        st.file_uploader(
            "Import a glossary: CSV or TSV (columns ko, en; optional avoid, case, note) or TBX",
            type=["csv", "tsv", "txt", "tbx", "xml"],
            key="glossary_upload",
            max_upload_size=max(1, state.max_upload_bytes() // (1024 * 1024)),
        )
        st.button("Import glossary", key="glossary_import_button", on_click=_import_glossary)
    if terms:
        with st.container(horizontal=True, vertical_alignment="bottom", key="glossary_delete"):
            st.selectbox("Remove a term", [t.korean for t in terms], key="glossary_delete_choice")
            st.button("Remove term", key="glossary_delete_button", on_click=_delete_term)


def _accept_terms() -> None:
    table = st.session_state.get("suggest_table")
    found = st.session_state.get("suggest_found") or []
    if table is None:
        return
    edited = table.get("edited_rows", {})
    chosen = [found[int(i)] for i, row in edited.items() if row.get("Add") and int(i) < len(found)]
    if not chosen:
        st.session_state["suggest_message"] = ("error", "Tick the terms to add first.")
        return
    try:
        identity = auth.current()
        auth.require(identity, "glossary")
        n = desk.accept_suggestions(state.store(), chosen, by=identity.name)
        st.session_state["suggest_message"] = ("success", f"{n} term(s) added to the glossary.")
    except TransdeskError as e:
        st.session_state["suggest_message"] = ("error", str(e))


def _suggestions(identity: auth.Identity) -> None:
    st.subheader("Suggested terms")
    st.caption(
        "Korean names and the English the desk gave them consistently in approved segments "
        "(translation memory), with counts; tick the ones to add to the glossary."
    )
    message = st.session_state.pop("suggest_message", None)
    if message:
        ui.message(message[0], message[1])
    min_count = st.number_input("Seen at least", min_value=1, value=2, key="suggest_min")
    found = desk.suggest_terms(state.store(), min_count=int(min_count))
    st.session_state["suggest_found"] = found
    if not found:
        st.caption("No suggestions: approve more segments, or lower the count.")
        return
    frame = pd.DataFrame(
        [
            {
                "Add": False,
                "Korean": s.korean,
                "English": s.english,
                "Seen": f"{s.count} of {s.total}",
                "Example": s.examples[0][1] if s.examples else "",
            }
            for s in found
        ]
    )
    if not identity.can("glossary"):
        st.dataframe(frame.drop(columns=["Add"]), hide_index=True)
        st.info("Only admins change the glossary.")
        return
    st.data_editor(
        frame,
        hide_index=True,
        disabled=["Korean", "English", "Seen", "Example"],
        key="suggest_table",
    )
    st.button("Add ticked terms to the glossary", key="suggest_accept", on_click=_accept_terms)


def _save_desk_text(
    prefix: str,
    action: str,
    setter: Callable[..., None],
    what: str,
    reset: bool = False,
) -> None:
    """Store the desk text typed in the `{prefix}_text` box (or the default, on `reset`) through
    `setter`, once the permission table allows `action` (the store checks again); the outcome
    goes to `{prefix}_message` for the next run of the page."""
    try:
        identity = auth.current()
        auth.require(identity, action)
        text = None if reset else st.session_state.get(f"{prefix}_text", "")
        setter(state.store(), text, by=identity.name)
        st.session_state[f"{prefix}_message"] = (
            "success",
            f"{what} reset to the default." if reset else f"{what} saved.",
        )
        if reset:
            st.session_state.pop(f"{prefix}_text", None)
    except TransdeskError as e:
        st.session_state[f"{prefix}_message"] = ("error", str(e))


_STYLE = ("style", "house_style", desk.set_desk_style, "House style")
_PROMPT = ("prompt", "llm_prompt", desk.set_desk_prompt, "LLM prompt")


def _house_style(identity: auth.Identity) -> None:
    st.subheader("House style")
    stored = desk.desk_style_text(state.store())
    st.caption(
        "The rules QA applies to every save and in `transdesk check`: won amounts with a dollar "
        "equivalent, percent, dates, headlines, titles, North Korean names. "
        + ("This desk uses its own style." if stored else "This desk uses the default style.")
    )
    message = st.session_state.pop("style_message", None)
    if message:
        ui.message(message[0], message[1])
    if not identity.can("house_style"):
        ui.text_block(stored or default_style_text())
        return
    if "style_text" not in st.session_state:
        st.session_state["style_text"] = stored or default_style_text()
    st.text_area("Style (TOML)", key="style_text", height=300)
    with st.container(horizontal=True):
        st.button("Save house style", key="style_save", on_click=_save_desk_text, args=_STYLE)
        st.button(
            "Reset to default", key="style_reset", on_click=_save_desk_text, args=(*_STYLE, True)
        )


def _apply_scratch() -> None:
    from mt.drafting import apply_scratch

    doc = st.session_state.get("scratch_doc")
    share = st.session_state.get("scratch_share") or 0
    seed = int(st.session_state.get("scratch_seed") or 0)
    try:
        identity = auth.current()
        auth.require(identity, "scratch")  # the page's check; the store checks again
        changed = apply_scratch(
            state.store(), int(doc), share / 100, seed=seed, by=identity.name, client="web"
        )
        st.session_state["scratch_message"] = (
            "success",
            f"{changed} {'segment' if changed == 1 else 'segments'} of document {doc} "
            f"now from scratch with seed {seed}.",
        )
    except TransdeskError as e:
        st.session_state["scratch_message"] = ("error", str(e))


def _from_scratch(identity: auth.Identity) -> None:
    from mt.store.scratch import untouched_segments
    from mt.store.workflow import list_articles

    st.subheader("From scratch")
    if not identity.can("scratch"):
        st.info("Only reviewers and admins choose a document's from-scratch share.")
        return
    st.caption(
        "Leave a random share of a document's untouched segments without a draft (origin "
        "scratch, empty target): the editor translates them without MT, and the report "
        "compares words per hour with and without it. The same share and seed pick the same "
        "segments as `transdesk import --from-scratch`. Segments already opened, edited, "
        "commented or approved are never changed."
    )
    message = st.session_state.pop("scratch_message", None)
    if message:
        ui.message(message[0], message[1])
    articles = {a.id: a for a in list_articles(state.store())}
    if not articles:
        st.info("No documents yet.")
        return
    doc = st.selectbox(
        "Document",
        list(articles),
        format_func=lambda i: f"{i}: {articles[i].title}",
        key="scratch_doc",
    )
    with state.store().session() as session:
        untouched = len(untouched_segments(session, int(doc)))
    st.caption(f"{untouched} of {articles[doc].segments} segments untouched.")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.number_input("Share (%)", 0, 100, 30, step=5, key="scratch_share")
        st.number_input("Seed", 0, 2**31 - 1, 0, step=1, key="scratch_seed")
        st.button("Apply", key="scratch_apply", on_click=_apply_scratch)


def _prompt_family() -> str:
    """The prompt family of the model the desk drafts with ("generic" when unknown)."""
    from pathlib import Path

    from mt.engines import causal_lm_family
    from mt.models.registry import lookup

    model = state.desk_model() or state.default_model().model
    info = lookup(model)
    if info is not None and info.prompt:
        return info.prompt
    return (Path(model).is_dir() and causal_lm_family(Path(model))) or "generic"


def _llm_prompt(identity: auth.Identity) -> None:
    from mt.engines.prompting import family_template_text

    st.subheader("LLM prompt")
    stored = desk.desk_prompt_text(state.store())
    family = _prompt_family()
    st.caption(
        "The prompt template every LLM draft uses (`transdesk import --prompt FILE` still wins): "
        "a `=== system` and a `=== user` section; the user section must use `$sentence`, and "
        "may use `$instruction`, `$headline`, `$context`, `$glossary` and `$style`. "
        + (
            "This desk uses its own prompt."
            if stored
            else f"This desk uses the default prompt for the {family} family."
        )
    )
    message = st.session_state.pop("prompt_message", None)
    if message:
        ui.message(message[0], message[1])
    current = stored or family_template_text(family)
    if not identity.can("llm_prompt"):
        ui.text_block(current)
        st.info("Only admins change the LLM prompt.")
        return
    if "prompt_text" not in st.session_state:
        st.session_state["prompt_text"] = current
    st.text_area("Prompt template", key="prompt_text", height=300)
    with st.container(horizontal=True):
        st.button("Save LLM prompt", key="prompt_save", on_click=_save_desk_text, args=_PROMPT)
        st.button(
            "Reset to default", key="prompt_reset", on_click=_save_desk_text, args=(*_PROMPT, True)
        )


def main() -> None:
    """Render the settings page."""
    st.title("Settings")
    try:
        identity = auth.page_identity()  # before anything is shown: no settings to strangers
        _setup()
        _model_versions(identity)
        _glossary(identity)
        _suggestions(identity)
        _house_style(identity)
        _from_scratch(identity)
        _llm_prompt(identity)
        _users(identity)
    except TransdeskError as e:
        ui.error(str(e))


main()
