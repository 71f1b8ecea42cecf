"""Every bad input of the table through the web app's upload (the Documents page, via AppTest).

The page reads an upload in memory and turns it into a document with `mt.drafting.import_file`
(as `transdesk import` does). A refused file must show exactly one error naming it, and leave
no document; a translated one must become a document whose source is the file's text (a
client's XLIFF: its segments' sources) and whose English equals that of the plain article where
the case is the article in another form.
Extensions the uploader does not take are refused by Streamlit before the page sees them.
"""

from __future__ import annotations

import unicodedata

import pytest

from mt import drafting
from mt import store as repo
from mt.formats import decode, read_bytes
from tests.conftest import shown
from tests.robustness.cases import ROOT, Case, case_ids

pytestmark = pytest.mark.slow

APP = ROOT / "ui" / "app.py"
ALL = case_ids()


class Desk:
    """One AppTest session of the app on its own database, reused between uploads."""

    def __init__(self, url: str) -> None:
        self.store = repo.open_store(url)
        self.at = None
        self.documents: dict[str, int] = {}  # case id → document id

    def fresh(self):
        from streamlit.testing.v1 import AppTest

        self.at = AppTest.from_file(str(APP), default_timeout=900).run()
        assert not self.at.exception, self.at.exception
        return self.at

    def upload(self, name: str, data: bytes) -> tuple[list[str], list[str], list[int]]:
        """(errors shown, exceptions, ids of new documents) after uploading and translating."""
        at = self.at if self.at is not None and not self.at.exception else self.fresh()
        before = {d.id for d in repo.list_documents(self.store)}
        at.file_uploader(key="new_upload").set_value((name, data, "application/octet-stream"))
        submit = [b for b in at.get("form_submit_button") if b.label == "Translate"]
        submit[0].click().run()
        new = sorted({d.id for d in repo.list_documents(self.store)} - before)
        return [shown(e.value) for e in at.error], [e.message for e in at.exception], new

    def translated(self, case: Case) -> int:
        if case.id not in self.documents:
            errors, exceptions, new = self.upload(case.name, case.data)
            assert not errors and not exceptions, (errors, exceptions)
            assert len(new) == 1
            self.documents[case.id] = new[0]
        return self.documents[case.id]


@pytest.fixture(scope="module")
def desk(tmp_path_factory, tiny_model_dir):
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'desk.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSDESK_DB", url)
        mp.setenv("TRANSDESK_MODEL", str(tiny_model_dir))
        mp.setenv("TRANSDESK_USER", "desk")
        mp.delenv("TRANSDESK_MAX_UPLOAD_MB", raising=False)
        # The app shows unexpected errors by type only (.streamlit/config.toml); these tests
        # read Streamlit's own refusal of a file type, so they ask for its message.
        from streamlit import config

        shown = config.get_option("client.showErrorDetails")
        config.set_option("client.showErrorDetails", "full")
        opened = Desk(url)
        try:
            yield opened
        finally:
            opened.store.close()
            config.set_option("client.showErrorDetails", shown)


@pytest.mark.parametrize("case_id", ALL)
def test_upload_answers_the_case(desk, table, case_id):
    case = table[case_id]
    if case.web_type_refused:
        errors, exceptions, new = desk.upload(case.name, case.data)
        suffix = case.name.rsplit(".", 1)[1]
        assert any(f"Invalid file extension: `.{suffix}`" in e for e in exceptions), exceptions
        assert new == []
        return
    if case.refused:
        errors, exceptions, new = desk.upload(case.name, case.data)
        assert not exceptions, exceptions
        assert len(errors) == 1, errors
        assert case.message(case.name).match(errors[0]), errors[0]
        assert new == []
        return
    doc_id = desk.translated(case)
    segments = repo.list_segments(desk.store, doc_id)
    parsed = read_bytes(case.data, case.name)  # a text file as it is, else its units
    if parsed.format == "xliff":  # a client's file, kept as `transdesk import` keeps it
        from mt.formats.client import read_client

        client = read_client(case.data, case.name).segments
        assert [s.source for s in segments] == [
            unicodedata.normalize("NFC", c.source) for c in client
        ]
        assert all(s.draft is not None and s.target for s in segments)
        return
    text = (
        decode(case.data, case.name)[0]
        if parsed.format == "txt"
        else "\n\n".join(u.text for u in parsed.units)
    )
    source = drafting.document_text(desk.store, doc_id, which="source")
    assert source == unicodedata.normalize("NFC", text)  # every character kept, NFC
    assert segments and all(s.draft is not None and s.target for s in segments)
    if case.outcome.same_as is not None:
        reference = desk.translated(table[case.outcome.same_as])
        assert drafting.document_text(desk.store, doc_id, which="target") == drafting.document_text(
            desk.store, reference, which="target"
        )
