"""Every query parameter in the address is validated (#25, item 11), through the app's
entrypoint (AppTest, SQLite and PostgreSQL): a huge, negative, non-numeric, repeated, non-ASCII
or very long `doc` (and the editor's `seg`) on any page, signed in or not, raises nothing; the
pages that read it say so in one short line (never repeating a long value) and go on with the
article they would open anyway; the others ignore it. Real store, no mocks."""

from __future__ import annotations

import pytest

from mt import store as repo
from tests.conftest import shown
from tests.ui.conftest import new_app

pytestmark = pytest.mark.slow

LONG = "9" * 100_000
BAD = [
    "99999999999999999999",  # past every 64-bit integer (OverflowError in SQLite before)
    str(2**31),  # past PostgreSQL's INTEGER id columns
    str(2**62 + 1),
    "-5",
    "0",
    "abc",
    "1e3",
    "٣",  # an Arabic-Indic digit: int() takes it
    "²",  # str.isdigit() takes it, int() does not
    "\x00",
    ["1", "2"],  # repeated with different values
    LONG,
    "x" * 100_000,
]
PAGES = ["documents", "editor", "copydesk", "reports", "settings"]
READS_DOC = {"editor", "copydesk"}  # the pages that open the article named in the address


def _ids(value) -> str:
    text = "&".join(value) if isinstance(value, list) else value
    return repr(text[:12] + ("…" if len(text) > 12 else ""))


def _texts(at) -> list[str]:
    """Every string the page shows that can repeat an address value."""
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "text", "toast")
    return [str(e.value) for kind in kinds for e in at.get(kind)] + [
        h.proto.body for h in at.get("html")
    ]


def _about_address(at) -> list[str]:
    """The warnings about the address (others, such as the test model's, are not counted)."""
    said = [shown(str(w.value)) for w in at.warning]
    return [w for w in said if "address" in w or "no article" in w]


def _visit(at, page: str, params: dict) -> None:
    at.query_params.clear()
    at.query_params.update(params)
    if page == "documents":
        at.switch_page("views/documents.py").run()
    else:
        at.switch_page(f"views/{page}.py").run()


def _check(at, page: str, name: str, value) -> None:
    assert not at.exception, f"{page} {name}={_ids(value)}: {at.exception}"
    warnings = _about_address(at)
    about = [w for w in warnings if f"{name}=" in w or f"gives {name} more" in w]
    if page in READS_DOC or name == "seg":
        assert len(about) == 1, f"{page} {name}={_ids(value)}: {warnings}"
        assert "\n" not in about[0] and len(about[0]) < 120, about[0]
        assert about[0].endswith("it was ignored.")
    else:
        assert about == [], f"{page} {name}={_ids(value)}: {warnings}"
    assert not at.error, f"{page} {name}={_ids(value)}: {[e.value for e in at.error]}"
    for text in _texts(at):  # a long value is cut short wherever it is repeated
        assert LONG[:40] not in text and "x" * 40 not in text


@pytest.mark.parametrize("page", PAGES)
def test_every_page_survives_any_doc_value(store, article, page):
    at = new_app()
    at.query_params["doc"] = str(article)
    at.run()
    assert not at.exception, at.exception
    for value in BAD:
        _visit(at, page, {"doc": value})
        _check(at, page, "doc", value)
        if page in READS_DOC:  # the article opened anyway, and the address names it now
            assert at.query_params.get("doc") == str(article)
    # a number in range that names no article: one line on the pages that read it
    _visit(at, page, {"doc": str(2**31 - 1)})
    assert not at.exception, at.exception
    said = [shown(str(w.value)) for w in at.warning]
    if page in READS_DOC:
        assert any(f"There is no article {2**31 - 1}" in w for w in said), said
    # and a good one still opens its article
    _visit(at, page, {"doc": str(article)})
    assert not at.exception, at.exception
    assert not _about_address(at), _about_address(at)


def test_the_editors_seg_is_validated_too(store, article):
    at = new_app()
    at.query_params["doc"] = str(article)
    at.run()
    for value in BAD:
        # a fresh grid session each time: `seg` is read on an article's first drawing
        at.session_state["transdesk_grid"] = None
        _visit(at, "editor", {"doc": str(article), "seg": value})
        _check(at, "editor", "seg", value)
    at.session_state["transdesk_grid"] = None
    _visit(at, "editor", {"doc": str(article), "seg": "2"})
    assert not at.exception, at.exception
    assert not _about_address(at), _about_address(at)


def test_the_sign_in_page_ignores_the_address(store, article):
    repo.add_user(store, "rita", role="reviewer", password="a long password")
    for value in BAD:
        at = new_app()
        at.query_params["doc"] = value
        at.query_params["seg"] = value
        at.run()
        assert not at.exception, f"doc={_ids(value)}: {at.exception}"
        assert [t.label for t in at.text_input] == ["Name", "Password"]
        assert not _about_address(at) and not at.error
