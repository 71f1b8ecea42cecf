"""Names that do not show as what they are (#25, item 15): invisible characters, bidi
controls and look-alikes of an existing name are refused when an editor is created or renamed,
through the store (SQLite and PostgreSQL) and through `transdesk users` (one line, exit 1)."""

from __future__ import annotations

import pytest

from mt import store as repo
from mt.errors import InvalidValue
from mt.names import check_name, skeleton
from tests.conftest import run_cli

LOOKALIKES = {
    "zero_width_space": "adm\u200bin",
    "rlo_after": "admin\u202e",
    "soft_hyphen": "ad\u00admin",
    "isolates": "\u2066admin\u2069",
    "cyrillic_a": "\u0430dmin",
    "hangul_filler": "admin\u3164",
    "variation_selector": "admi\ufe0fn",
    "line_separator": "ad\u2028min",
    "rn_for_m": "adrnin",
}


@pytest.fixture
def admin(store):
    repo.add_user(store, "admin", role="admin", password="correct horse battery")
    return store


@pytest.mark.parametrize("name", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_store_refuses_lookalike_names(admin, name):
    before = [u.name for u in repo.list_users(admin)]
    with pytest.raises(InvalidValue, match="refused") as caught:
        repo.add_user(admin, name, role="editor", password="another long secret")
    assert "\n" not in str(caught.value)
    repo.ensure_editor(admin, "kim")
    with pytest.raises(InvalidValue, match="refused"):
        repo.rename_user(admin, "kim", name)
    with pytest.raises(InvalidValue, match="refused"):
        repo.ensure_editor(admin, name)
    assert [u.name for u in repo.list_users(admin)] == sorted([*before, "kim"])


def test_invisible_characters_are_named_not_shown(admin):
    with pytest.raises(InvalidValue) as caught:
        repo.add_user(admin, "admin\u202e", password="another long secret")
    message = str(caught.value)
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in message and "\u202e" not in message


def test_compatibility_forms_are_normalised(admin):
    # Full-width letters are NFKC-normalised to the plain name: that account exists.
    with pytest.raises(Exception, match="already exists"):
        repo.add_user(admin, "\uff41\uff44\uff4d\uff49\uff4e", password="another long secret")
    assert repo.add_user(admin, "\uff2b\uff49\uff4d").name == "Kim"


def test_a_lookalike_is_refused_whichever_came_first(store):
    repo.ensure_editor(store, "\u0430dmin")  # Cyrillic а first: nothing looks like it yet
    with pytest.raises(InvalidValue, match="looks like the existing editor"):
        repo.add_user(store, "admin", role="admin", password="correct horse battery")


def test_ordinary_names_and_renames_still_work(admin):
    for name in ("김민지", "이서연", "Anna Lee", "O'Brien", "Kim Min-ji"):
        assert repo.ensure_editor(admin, name).name == name
    assert repo.rename_user(admin, "김민지", "김민지 기자").name == "김민지 기자"
    # Renaming a row to its own name (or close variants of itself) is not a look-alike.
    assert repo.rename_user(admin, "Anna Lee", "Anna Lee").name == "Anna Lee"


def test_local_use_does_not_create_a_lookalike_editor(store):
    # Without accounts an unknown name acting is created as an editor: not a look-alike one.
    from mt.store.accounts import actor

    repo.ensure_editor(store, "admin")
    with (
        pytest.raises(InvalidValue, match="looks like the existing editor"),
        store.session(write=True) as session,
    ):
        actor(session, "\u0430dmin", "open")
    assert [u.name for u in repo.list_users(store)] == ["admin"]


@pytest.mark.parametrize("name", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_cli_refuses_lookalike_names_in_one_line(admin, name):
    code, _, err = run_cli("users", "add", name, "--no-password", "--db", admin.url)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "refused" in lines[0], err
    repo.ensure_editor(admin, "lee")
    code, _, err = run_cli("users", "rename", "lee", name, "--db", admin.url)
    assert code != 0 and len(err.strip().splitlines()) == 1, err
    assert sorted(u.name for u in repo.list_users(admin)) == ["admin", "lee"]


def test_skeleton_is_tr39():
    assert skeleton("\u0430dmin") == skeleton("admin") == skeleton("adrnin")
    assert skeleton("admin") != skeleton("adnin")
    assert check_name("  \uff4b\uff49\uff4d ") == "kim"
