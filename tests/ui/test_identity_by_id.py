"""#24: the signed-in person is the account's id, never its name (AppTest through ui/app.py, on
SQLite and PostgreSQL).

An open tab reads its account again by id on every run: a renamed account keeps its session
under its new name, a new account given the old name inherits nothing, and a removed account or
a changed role signs the tab out."""

from __future__ import annotations

import pytest

from mt import store as repo
from mt.errors import NotFound
from mt.store import sessions
from tests.ui.conftest import new_app

pytestmark = pytest.mark.slow

PASSWORD = "a long password"


def press(at, label: str) -> None:
    """Click the (form submit) button called `label` and rerun."""
    buttons = [*at.button, *at.get("form_submit_button")]
    next(b for b in buttons if b.label == label).click().run()


def sign_in_with_form(name: str):
    """An app signed in through the sign-in form, as a browser tab does it."""
    at = new_app().run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(PASSWORD)
    press(at, "Sign in")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Documents"]
    return at


def on_sign_in_page(at) -> bool:
    return any(s.value == "Sign in" for s in at.subheader) and (
        "transdesk_identity" not in at.session_state
    )


def user_bar(at) -> str:
    return "\n".join(str(c.value) for c in at.caption if "Signed in as" in str(c.value))


def add_person_offered(at) -> bool:
    return any(b.label == "Add person" for b in at.get("form_submit_button"))


def test_a_renamed_account_keeps_its_session_and_never_becomes_the_new_holder_of_its_name(store):
    eddie = repo.add_user(store, "eddie", role="editor", password=PASSWORD)
    at = sign_in_with_form("eddie")
    assert at.session_state["transdesk_identity"].editor_id == eddie.id
    repo.rename_user(store, "eddie", "edwin")
    admin = repo.add_user(store, "eddie", role="admin", password=PASSWORD)
    assert admin.id != eddie.id

    at.run()  # the open tab's next click
    assert not at.exception, at.exception
    me = at.session_state["transdesk_identity"]
    assert (me.name, me.role, me.mode, me.editor_id) == ("edwin", "editor", "local", eddie.id)
    assert "edwin" in user_bar(at) and "(editor)" in user_bar(at)
    assert "(admin)" not in user_bar(at)
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    assert any("Only admins manage people" in i.value for i in at.info)
    assert not add_person_offered(at)


def test_the_new_holder_of_a_name_gets_their_own_account_not_the_renamed_ones(store):
    repo.add_user(store, "eddie", role="editor", password=PASSWORD)
    repo.rename_user(store, "eddie", "edwin")
    admin = repo.add_user(store, "eddie", role="admin", password=PASSWORD)
    at = sign_in_with_form("eddie")
    assert at.session_state["transdesk_identity"].editor_id == admin.id
    at.switch_page("views/settings.py").run()
    assert add_person_offered(at)


def test_a_removed_accounts_open_session_is_signed_out(store):
    repo.add_user(store, "rita", role="admin", password=PASSWORD)  # accounts remain after
    repo.add_user(store, "eddie", role="editor", password=PASSWORD)
    at = sign_in_with_form("eddie")
    repo.remove_user(store, "eddie")
    at.run()
    assert not at.exception, at.exception
    assert on_sign_in_page(at)


def test_a_role_change_signs_the_open_session_out(store):
    repo.add_user(store, "eddie", role="editor", password=PASSWORD)
    at = sign_in_with_form("eddie")
    repo.set_role(store, "eddie", "reviewer")
    at.run()
    assert on_sign_in_page(at)


def test_a_web_session_of_another_account_is_not_this_persons(store):
    repo.add_user(store, "eddie", role="editor", password=PASSWORD)
    rita = repo.add_user(store, "rita", role="admin", password=PASSWORD)
    at = sign_in_with_form("eddie")
    ritas = sessions.begin_session(store, rita.id)  # live, but bound to rita's id
    at.session_state["transdesk_web_session"] = ("id", ritas.session_id)
    at.run()
    assert on_sign_in_page(at)


def test_an_identity_whose_id_is_gone_is_signed_out_even_when_its_name_is_an_admin(store):
    from ui.auth import Identity

    repo.add_user(store, "rita", role="admin", password=PASSWORD)
    at = new_app()
    at.session_state["transdesk_identity"] = Identity("rita", "admin", "local", 10**9)
    at.run()
    assert on_sign_in_page(at)


def test_single_user_and_oidc_carry_the_id_of_their_editor_row(store):
    at = new_app().run()
    me = at.session_state["transdesk_identity"]
    assert (me.mode, me.editor_id) == ("single", repo.ensure_editor(store, "desk").id)

    at = new_app()
    at.secrets = {
        "auth": {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "not-a-real-secret",
            "client_id": "transdesk",
            "client_secret": "not-a-real-secret",
            "server_metadata_url": "https://sso.example.invalid/.well-known/openid-configuration",
        }
    }
    at.user = {"is_logged_in": True, "email": "kim@paper.example", "name": "Kim"}
    at.run()
    me = at.session_state["transdesk_identity"]
    kim = repo.ensure_editor(store, "kim@paper.example")
    assert (me.name, me.mode, me.editor_id) == ("kim@paper.example", "oidc", kim.id)


def test_a_session_begun_by_id_follows_its_account_through_a_rename(store):
    eddie = repo.add_user(store, "eddie", role="editor", password=PASSWORD)
    pending = sessions.begin_session(store, eddie.id)
    repo.rename_user(store, "eddie", "edwin")
    repo.add_user(store, "eddie", role="admin", password=PASSWORD)
    found = sessions.live_session_editor(store, pending.session_id)
    assert found is not None and (found.id, found.name, found.role) == (eddie.id, "edwin", "editor")
    assert repo.editor_by_id(store, eddie.id) == found
    assert repo.editor_by_id(store, 10**9) is None
    with pytest.raises(NotFound, match="no editor with id 1000000000"):
        sessions.begin_session(store, 10**9)
