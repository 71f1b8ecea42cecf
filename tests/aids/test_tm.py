"""Translation memory on NTREX sentences: exact reuse in drafts, fuzzy matches, TMX round trip."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz, process

from mt.drafting import create_document, retranslate_document
from mt.errors import PermissionDenied
from mt.formats import read_tmx, write_tmx
from mt.report import report
from mt.revising import approve_segment, reopen_segment, save_segment
from mt.store import add_user, drafts, list_segments, open_store
from mt.store.tm import add_pairs, exact_matches, tm_key, tm_size
from mt.tm import FUZZY_CUTOFF, export_tmx, fuzzy_matches, import_tmx
from tests.conftest import run_cli


def _doc(store, engine, lines, title="news") -> int:
    return create_document(
        store, "\n".join(lines), title=title, engine=engine, created_by="kim", segment_mode="line"
    )


def test_approved_segment_is_reused_without_the_model(store, recording, ntrex):
    ko, en = ntrex
    first = _doc(store, recording, ko[:3])
    seg = list_segments(store, first)[1]
    approve_segment(store, seg.id, editor="kim", base_version=seg.version, text=en[1])

    recording.calls.clear()
    second = _doc(store, recording, [ko[10], ko[1], ko[11]], title="follow-up")
    drafts = [s.draft for s in list_segments(store, second)]
    assert [d.origin for d in drafts] == ["mt", "tm", "mt"]
    reused = list_segments(store, second)[1]
    assert reused.target == en[1] and reused.draft.text == en[1]
    assert reused.draft.model_id == "translation-memory" and reused.draft.score is None
    assert drafts[0].model_id == recording.model_id  # the model's drafts keep its id
    assert recording.sent == [ko[10], ko[11]]  # the reused sentence never reached the model

    # A document made only of remembered sentences makes no model call at all.
    recording.calls.clear()
    only = _doc(store, recording, [ko[1]], title="repeat")
    assert recording.calls == []
    assert list_segments(store, only)[0].draft.origin == "tm"

    # TM drafts are no model's: the model comparison leaves them out.
    assert "translation-memory" not in {m["model"] for m in report(store)["models"]}
    assert report(store)["tm_segments"] == 2


def test_reapproval_updates_the_entry(store, tiny_engine, ntrex):
    ko, en = ntrex
    doc = _doc(store, tiny_engine, ko[20:22])
    seg = list_segments(store, doc)[0]
    v = approve_segment(store, seg.id, editor="kim", base_version=seg.version, text=en[20])
    assert exact_matches(store, [ko[20]])[ko[20]].target == en[20]
    v = reopen_segment(store, seg.id, editor="kim", base_version=v.version)
    better = en[20] + " (updated)"
    approve_segment(store, seg.id, editor="kim", base_version=v.version, text=better)
    entry = exact_matches(store, [ko[20]])[ko[20]]
    assert entry.target == better and entry.origin == "approved" and entry.segment_id == seg.id
    assert tm_size(store) == 1
    # A save is not an approval: nothing new is remembered.
    other = list_segments(store, doc)[1]
    save_segment(store, other.id, en[21], editor="kim", base_version=other.version)
    assert tm_size(store) == 1


def test_exact_lookup_ignores_spacing_and_normalisation(store, ntrex):
    ko, en = ntrex
    add_pairs(store, [(ko[30], en[30])])
    spaced = "  " + ko[30].replace(" ", " \t ", 2) + "\n"
    assert tm_key(spaced) == tm_key(ko[30])
    # NFD (decomposed Hangul jamo) finds the NFC entry.
    import unicodedata

    decomposed = unicodedata.normalize("NFD", ko[30])
    assert decomposed != ko[30]
    found = exact_matches(store, [spaced, decomposed, ko[31]])
    assert set(found) == {spaced, decomposed}
    assert found[spaced].target == en[30]


def test_retranslation_reuses_memory_only_for_untouched_segments(store, recording, ntrex):
    ko, en = ntrex
    other = _doc(store, recording, [ko[40]], title="earlier")
    seg = list_segments(store, other)[0]
    approve_segment(store, seg.id, editor="kim", base_version=seg.version, text=en[40])

    doc = _doc(store, None, [ko[40], ko[41], ko[40]], title="undrafted")
    *_, third = list_segments(store, doc)
    save_segment(store, third.id, "Edited by hand.", editor="kim", base_version=third.version)
    recording.calls.clear()
    retranslate_document(store, doc, engine=recording)
    after = list_segments(store, doc)
    assert [d.origin for s in after for d in drafts(store, s.id)] == ["tm", "mt", "mt"]
    assert after[0].target == en[40] and after[2].target == "Edited by hand."
    assert recording.sent == [ko[41], ko[40]]  # the edited one is drafted for comparison
    # A document's own approvals are not offered back to it when it is drafted again.
    approve_segment(store, after[1].id, editor="kim", base_version=after[1].version, text=en[41])
    recording.calls.clear()
    retranslate_document(store, doc, engine=recording)
    assert ko[41] in recording.sent


def test_fuzzy_matches_on_edited_ntrex_sentences(store, ntrex):
    ko, en = ntrex
    pairs = list(zip(ko[:600], en[:600], strict=True))
    add_pairs(store, pairs)
    everything = {i: tm_key(k) for i, k in enumerate(ko[:600])}
    queries = [
        ko[7].rsplit(" ", 1)[0] + " 밝혔다.",  # the last word replaced
        ko[52].replace("는", "은", 1),  # a particle changed
        "속보: " + ko[123],  # a prefix added
        ko[300][: len(ko[300]) * 4 // 5],  # the end cut off
    ]
    for query in queries:
        matches = fuzzy_matches(store, query)
        assert matches, query
        assert all(m.score >= FUZZY_CUTOFF for m in matches)
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
        for m in matches:
            assert m.score == pytest.approx(fuzz.ratio(tm_key(m.source), tm_key(query)), abs=0.05)
            # The diff takes the memory's source to the current one, losing nothing.
            assert "".join(op.before for op in m.diff) == m.source
            assert "".join(op.after for op in m.diff) == query
        # The length prefilter loses nothing: the same best entries as scoring every entry.
        brute = process.extract(
            tm_key(query), everything, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
        )
        assert {round(s, 1) for _, s, _ in brute} == {m.score for m in matches}
        assert matches[0].target == en[brute[0][2]]
    changed = fuzzy_matches(store, queries[0])[0]
    last_word = ko[7].rsplit(" ", 1)[1].rstrip(".")
    assert [(op.before, op.after) for op in changed.diff if op.kind != "equal"] == [
        (last_word, "밝혔다")
    ]
    assert fuzzy_matches(store, "전혀 관계없는 아주 짧은 문장.") == []
    # An exact match scores 100.
    assert fuzzy_matches(store, ko[5])[0].score == 100.0


def test_fuzzy_matches_leave_out_the_segments_own_entry(store, tiny_engine, ntrex):
    ko, en = ntrex
    doc = _doc(store, tiny_engine, [ko[60]])
    seg = list_segments(store, doc)[0]
    approve_segment(store, seg.id, editor="kim", base_version=seg.version, text=en[60])
    assert fuzzy_matches(store, ko[60])[0].target == en[60]
    assert fuzzy_matches(store, ko[60], exclude_segment=seg.id) == []


def test_tmx_round_trip(store, ntrex, tmp_path):
    ko, en = ntrex
    pairs = list(zip(ko[100:150], en[100:150], strict=True))
    path = tmp_path / "memory.tmx"
    write_tmx(pairs, path)
    result = import_tmx(store, path)
    assert (result.added, result.updated, result.unchanged, result.kept) == (50, 0, 0, 0)
    assert import_tmx(store, path).unchanged == 50

    out = tmp_path / "export.tmx"
    assert export_tmx(store, out) == 50
    assert read_tmx(out) == pairs

    # Into another database and back out: the same pairs.
    with open_store(f"sqlite:///{tmp_path / 'other.db'}") as other:
        assert import_tmx(other, out).added == 50
        export_tmx(other, tmp_path / "again.tmx")
    assert read_tmx(tmp_path / "again.tmx") == pairs

    # A changed English replaces the entry, unless existing entries are kept.
    changed = [(k, e + " [rev]") if i == 3 else (k, e) for i, (k, e) in enumerate(pairs)]
    write_tmx(changed, path)
    kept = import_tmx(store, path, replace_existing=False)
    assert (kept.kept, kept.unchanged) == (1, 49)
    assert exact_matches(store, [pairs[3][0]])[pairs[3][0]].target == pairs[3][1]
    assert import_tmx(store, path).updated == 1
    assert exact_matches(store, [pairs[3][0]])[pairs[3][0]].target == pairs[3][1] + " [rev]"


def test_tm_import_needs_an_admin_once_accounts_exist(store, ntrex, tmp_path):
    ko, en = ntrex
    path = tmp_path / "m.tmx"
    write_tmx([(ko[0], en[0])], path)
    add_user(store, "boss", role="admin", password="a long password")
    add_user(store, "lee", role="editor", password="another password")
    with pytest.raises(PermissionDenied, match="needs an admin"):
        import_tmx(store, path, by="lee")
    assert tm_size(store) == 0
    assert import_tmx(store, path, by="boss").added == 1


def test_tm_commands(store_url, ntrex, tmp_path):
    ko, en = ntrex
    path = tmp_path / "in.tmx"
    write_tmx(list(zip(ko[:5], en[:5], strict=True)), path)
    code, out, _ = run_cli("tm", "import", str(path), "--db", store_url)
    assert (code, out) == (0, "in.tmx: 5 added, 0 updated, 0 unchanged, 0 kept\n")
    code, out, _ = run_cli("tm", "import", str(path), "--db", store_url, "--json")
    assert out == '{"added": 0, "updated": 0, "unchanged": 5, "kept": 0}\n'
    out_path = tmp_path / "out.tmx"
    code, _, err = run_cli("tm", "export", "-o", str(out_path), "--db", store_url)
    assert code == 0 and err == f"5 entries → {out_path}\n"
    assert read_tmx(out_path) == list(zip(ko[:5], en[:5], strict=True))
    code, _, err = run_cli("tm", "import", str(tmp_path / "no.tmx"))
    assert code == 3 and err == f"Error: {tmp_path / 'no.tmx'}: no such file\n"
