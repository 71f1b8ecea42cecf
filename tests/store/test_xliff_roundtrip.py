"""XLIFF round trip: export, targets changed by a script (as a CAT tool would), import, report."""

from __future__ import annotations

import json

import pytest
import sacrebleu
from lxml import etree

from mt.drafting import create_document
from mt.errors import ConflictError, InputError, PermissionDenied
from mt.exchange.export import export_document
from mt.exchange.xliff_import import import_xliff
from mt.report import report
from mt.revising import save_segment
from mt.store import add_user, edit_events, get_segment, list_segments
from tests.conftest import run_cli, shared_lines

NS12 = "urn:oasis:names:tc:xliff:document:1.2"


def _edit_xliff(path, changes: dict[int, str], states: dict[int, str] | None = None) -> None:
    """Change the targets of units (by position) the way a CAT tool saves a file."""
    tree = etree.parse(str(path))
    units = [u for u in tree.iter() if etree.QName(u).localname in ("trans-unit", "unit")]
    for i, unit in enumerate(units):
        target = next(t for t in unit.iter() if etree.QName(t).localname == "target")
        if i in changes:
            target.text = changes[i]
        if states and i in states:
            if etree.QName(unit).localname == "trans-unit":
                target.set("state", states[i])
            else:
                next(s for s in unit.iter() if etree.QName(s).localname == "segment").set(
                    "state", states[i]
                )
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def doc(store, tiny_engine):
    ko = shared_lines("ntrex128", "ko", 10)
    return create_document(
        store,
        "\n".join(ko),
        title="news",
        engine=tiny_engine,
        created_by="kim",
        segment_mode="line",
    )


@pytest.mark.parametrize("fmt", ["xliff", "xliff2"])
def test_round_trip_records_exactly_the_changed_targets(store, doc, tmp_path, fmt):
    en = shared_lines("ntrex128", "en", 10)
    before = list_segments(store, doc)
    out = tmp_path / f"news.{fmt}.xlf"
    out.write_bytes(export_document(store, doc, fmt))
    changed = {1: en[1], 4: en[4], 7: en[7]}
    _edit_xliff(out, changed)
    result = import_xliff(store, out, editor="omegat-user")
    assert sorted(result.saved) == sorted(before[i].id for i in changed)
    assert result.approved == () and len(result.unchanged) == 7
    assert result.document_ids == (doc,)
    after = list_segments(store, doc)
    for i, s in enumerate(after):
        if i in changed:
            assert (s.target, s.status, s.version) == (en[i], "edited", 2)
        else:
            assert (s.target, s.status, s.version) == (before[i].target, "draft", 1)
    events = [e for e in edit_events(store, document_id=doc) if e.kind != "import"]
    assert [(e.segment_id, e.kind, e.client, e.editor) for e in events] == [
        (before[i].id, "save", "xliff", "omegat-user") for i in sorted(changed)
    ]
    r = report(store, document_id=doc)
    drafts = [before[i].target for i in sorted(changed)]
    refs = [en[i] for i in sorted(changed)]
    assert r["scored"] == 3
    assert (
        r["hter"] == sacrebleu.metrics.TER(case_sensitive=True).corpus_score(drafts, [refs]).score
    )
    # Importing the same file again changes nothing more.
    again = import_xliff(store, out, editor="omegat-user")
    assert again.saved == () and len(again.unchanged) == 10


def test_states_approve_and_confirm(store, doc, tmp_path):
    before = list_segments(store, doc)
    out = tmp_path / "news.xlf"
    out.write_bytes(export_document(store, doc, "xliff"))
    # 0: unchanged, signed off -> approved; 1: changed and final -> approved with the text;
    # 2: unchanged but confirmed (translated) -> saved as edited; 3: unchanged draft -> nothing.
    _edit_xliff(out, {1: "Changed and final."}, {0: "signed-off", 1: "final", 2: "translated"})
    result = import_xliff(store, out, editor="rev")
    assert sorted(result.approved) == [before[0].id, before[1].id]
    assert result.saved == (before[2].id,)
    assert get_segment(store, before[1].id).target == "Changed and final."
    assert get_segment(store, before[2].id).status == "edited"
    assert get_segment(store, before[3].id).status == "draft"


def test_conflict_with_a_web_edit_changes_nothing(store, doc, tmp_path):
    before = list_segments(store, doc)
    out = tmp_path / "news.xlf"
    out.write_bytes(export_document(store, doc, "xliff"))
    save_segment(store, before[2].id, "Edited on the web.", editor="lee", base_version=1)
    _edit_xliff(out, {0: "Edited in OmegaT.", 2: "Also edited in OmegaT."})
    with pytest.raises(ConflictError, match="1 segment") as info:
        import_xliff(store, out, editor="omegat-user")
    assert info.value.current_text == "Edited on the web."
    assert info.value.attempted_text == "Also edited in OmegaT."
    assert get_segment(store, before[0].id).version == 1  # the clean change was not applied
    # A web edit to a segment the file leaves alone is no conflict, and is not reverted.
    export_again = tmp_path / "fresh.xlf"
    export_again.write_bytes(export_document(store, doc, "xliff"))
    _edit_xliff(export_again, {0: "Edited in OmegaT."})
    import_xliff(store, export_again, editor="omegat-user")
    assert get_segment(store, before[2].id).target == "Edited on the web."


def test_foreign_or_tampered_files_are_refused(store, doc, tmp_path):
    out = tmp_path / "news.xlf"
    out.write_bytes(export_document(store, doc, "xliff"))
    text = out.read_text(encoding="utf-8")
    first = list_segments(store, doc)[0]
    tampered = tmp_path / "tampered.xlf"
    tampered.write_text(text.replace(first.source, "다른 문장", 1), encoding="utf-8")
    with pytest.raises(InputError, match="source differs"):
        import_xliff(store, tampered, editor="x")
    foreign = tmp_path / "foreign.xlf"
    foreign.write_text(text.replace(f'id="s{first.id}-v1"', 'id="s999-v1"'), encoding="utf-8")
    with pytest.raises(InputError, match="no segment 999"):
        import_xliff(store, foreign, editor="x")


def test_approvals_need_a_reviewer_with_accounts(store, doc, tmp_path):
    add_user(store, "ed", role="editor", password="ed-password")
    out = tmp_path / "news.xlf"
    out.write_bytes(export_document(store, doc, "xliff"))
    _edit_xliff(out, {0: "Done."}, {0: "final"})
    error = r"^ed is an editor; to approve needs a reviewer or admin$"
    with pytest.raises(PermissionDenied, match=error):
        import_xliff(store, out, editor="ed")
    assert get_segment(store, list_segments(store, doc)[0].id).version == 1


@pytest.mark.slow
def test_done_when_300_korean_news_lines(store, tiny_model_dir, tmp_path):
    """The issue's acceptance run, through the commands: import 300 lines, export XLIFF, replace
    every target with the reference, import-xliff, report: HTER equals sacrebleu's TER."""
    ko, en = shared_lines("ntrex128", "ko", 300), shared_lines("ntrex128", "en", 300)
    source = tmp_path / "news.ko.txt"
    source.write_text("\n".join(ko) + "\n", encoding="utf-8")
    db = ["--db", store.url]
    imported = run_cli(
        "import",
        str(source),
        "--segment",
        "line",
        "--model",
        str(tiny_model_dir),
        "--engine",
        "ctranslate2",
        "--json",
        "--quiet",
        *db,
    )
    assert imported.exit_code == 0, imported.output
    doc = json.loads(imported.stdout.strip().splitlines()[-1])["document_id"]
    xlf = tmp_path / "news.xlf"
    exported = run_cli("export", str(doc), "--format", "xliff", "-o", str(xlf), *db)
    assert exported.exit_code == 0, exported.output
    drafts = [s.target for s in list_segments(store, doc)]
    assert len(drafts) == 300
    _edit_xliff(xlf, dict(enumerate(en)))
    done = run_cli("import-xliff", str(xlf), "--editor", "translator", "--json", *db)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["saved"] == sum(d != e for d, e in zip(drafts, en, strict=True))
    result = run_cli("report", "--document", str(doc), "--format", "json", *db)
    assert result.exit_code == 0, result.output
    hter = json.loads(result.stdout)["hter"]
    expected = sacrebleu.metrics.TER(case_sensitive=True).corpus_score(drafts, [en]).score
    assert abs(hter - expected) <= 1e-6
