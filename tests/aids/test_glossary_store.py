"""The stored glossary, QA findings stored with saves and counted in reports, draft confidence."""

from __future__ import annotations

import re
from dataclasses import asdict

import pandas as pd
import pytest
from sacrebleu.metrics import TER

from mt.confidence import LOW_SCORE, document_confidence, low_confidence, spearman
from mt.drafting import create_document
from mt.engines.base import Translator
from mt.errors import InputError, NotFound, PermissionDenied
from mt.qa import check_pair, load_glossary
from mt.qa.glossary import Glossary, Term
from mt.report import report
from mt.revising import approve_segment, revert_to_mt, save_segment
from mt.store import add_user, delete_glossary_term, edit_events, list_glossary, list_segments
from mt.termbase import check_segment, import_glossary, store_glossary
from mt.types import Hypothesis
from tests.conftest import run_cli
from tests.store.conftest import TableEngine

GLOSSARY_CSV = (
    "ko,en,avoid\n"
    "이해진,Lee Hae-jin,Lee Hae-jun\n"
    "네이버,Naver,NAVER\n"
    "엔비디아,Nvidia,\n"
    "웨일스,Welsh|Wales,\n"
)


@pytest.fixture
def glossary_file(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text(GLOSSARY_CSV, encoding="utf-8")
    return path


def _doc(store, engine, lines, title="news") -> int:
    return create_document(
        store, "\n".join(lines), title=title, engine=engine, created_by="kim", segment_mode="line"
    )


def _stored(findings) -> list[dict]:
    """Findings as they come back from the database (JSON: spans are lists)."""
    return [{**asdict(f), "span": list(f.span) if f.span else None} for f in findings]


# --- import, list, delete ---------------------------------------------------------------------


def test_import_list_update_delete(store, glossary_file, tmp_path):
    assert store_glossary(store) is None
    result = import_glossary(store, glossary_file)
    assert (result.added, result.updated, result.unchanged) == (4, 0, 0)
    terms = {t.korean: t for t in list_glossary(store)}
    assert set(terms) == {"이해진", "네이버", "엔비디아", "웨일스"}
    assert terms["웨일스"].english == ("Welsh", "Wales")
    assert terms["이해진"].avoid == ("Lee Hae-jun",) and terms["이해진"].source == "terms.csv"
    assert len(store_glossary(store)) == 4

    # An upload (bytes) in TBX: 네이버 changes, a term is added; messages name the upload.
    tbx = (
        '<?xml version="1.0" encoding="UTF-8"?><martif type="TBX"><text><body>'
        '<termEntry><langSet xml:lang="ko"><tig><term>네이버</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>Naver Corp.</term></tig></langSet></termEntry>'
        '<termEntry><langSet xml:lang="ko"><tig><term>카카오</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>Kakao</term></tig></langSet></termEntry>'
        "</body></text></martif>"
    )
    result = import_glossary(store, "upload.tbx", data=tbx.encode())
    assert (result.added, result.updated, result.unchanged) == (1, 1, 0)
    assert store_glossary(store)["네이버"].english == ("Naver Corp.",)
    assert import_glossary(store, glossary_file).unchanged == 3
    with pytest.raises(InputError, match=r"^bad\.csv: no column 'en'"):
        import_glossary(store, "bad.csv", data=b"ko,english_name\n\xeb\x84\xa4,x\n")

    delete_glossary_term(store, "카카오")
    assert "카카오" not in {t.korean for t in list_glossary(store)}
    assert "카카오" not in store_glossary(store)  # the cached Glossary follows the change
    with pytest.raises(NotFound, match="no glossary term '카카오'"):
        delete_glossary_term(store, "카카오")


def test_only_admins_change_the_glossary_once_accounts_exist(store, glossary_file):
    import_glossary(store, glossary_file)  # no accounts yet: anyone may
    add_user(store, "boss", role="admin", password="a long password")
    add_user(store, "lee", role="reviewer", password="another password")
    with pytest.raises(PermissionDenied, match="lee is a reviewer; to change the glossary"):
        import_glossary(store, glossary_file, by="lee")
    error = r"^lee is a reviewer; to change the glossary needs an admin$"
    with pytest.raises(PermissionDenied, match=error):
        delete_glossary_term(store, "네이버", by="lee")
    with pytest.raises(PermissionDenied, match="no account named 'nobody'"):
        delete_glossary_term(store, "네이버", by="nobody")
    delete_glossary_term(store, "네이버", by="boss")
    assert import_glossary(store, glossary_file, by="boss").added == 1
    assert {t.korean: t.updated_by for t in list_glossary(store)}["네이버"] == "boss"


# --- drafts from the built model respect the glossary ------------------------------------------


def test_drafts_from_the_tiny_model_respect_the_stored_glossary(
    store, tiny_engine, ntrex, tmp_path
):
    ko, _ = ntrex
    lines = [line for line in ko[:13] if re.search(r"(?<!\w)웨일스(?!어|인)", line)][:5]
    assert len(lines) >= 3
    raw = tiny_engine.translate(lines)
    plain = _doc(store, tiny_engine, lines, title="without glossary")
    assert [s.draft.text for s in list_segments(store, plain)] == [h.text for h in raw]

    # The random model's first word of its first draft stands in for a wrong rendering.
    wrong = re.findall(r"\w+", raw[0].text)[0]
    path = tmp_path / "wales.csv"
    path.write_text(f"ko,en,avoid\n웨일스,Welsh|Wales,{wrong}\n", encoding="utf-8")
    import_glossary(store, path)
    doc = _doc(store, tiny_engine, lines, title="with glossary")
    segments = list_segments(store, doc)
    expected = load_glossary(path)
    for seg, hyp in zip(segments, raw, strict=True):
        assert seg.draft.text == expected.post_correct(seg.source, hyp.text)
        assert seg.draft.score == pytest.approx(hyp.score)  # the model's own score
        assert seg.draft.origin == "mt" and seg.draft.model_id == tiny_engine.model_id
    assert "Welsh" in segments[0].draft.text and wrong not in segments[0].draft.text.split()
    # Where no safe correction exists, QA says so rather than the draft inventing text.
    for seg in segments:
        findings = check_segment(store, seg.source, seg.draft.text)
        missing = "Welsh" not in seg.draft.text and "Wales" not in seg.draft.text
        assert any(f.check == "glossary" for f in findings) == missing


# --- QA findings stored with saves, counted in the report --------------------------------------


def test_qa_findings_are_stored_with_saves_and_counted(store, ntrex, glossary_file):
    ko, en = ntrex
    lines = ko[:6]
    doc = _doc(store, TableEngine("ref", dict(zip(ko[:6], en[:6], strict=True))), lines)
    import_glossary(store, glossary_file)
    glossary = load_glossary(glossary_file)
    segs = list_segments(store, doc)

    texts = {
        0: en[0].replace("Welsh", "Walsh"),  # a glossary term lost
        1: en[1] + " 의원",  # Korean left in the English
        2: en[2].replace(".", "  ."),  # a doubled space
        3: en[3],
    }
    for i, text in texts.items():
        save_segment(store, segs[i].id, text, editor="kim", base_version=segs[i].version)
    segs = list_segments(store, doc)
    approve_segment(store, segs[3].id, editor="kim", base_version=segs[3].version)
    approve_segment(store, segs[4].id, editor="kim", base_version=segs[4].version, text=en[4])

    expected = {i: check_pair(ko[i], t, glossary=glossary) for i, t in texts.items()}
    expected[4] = check_pair(ko[4], en[4], glossary=glossary)
    assert {f.check for f in expected[0]} >= {"glossary"}
    assert {f.check for f in expected[1]} >= {"hangul"}
    assert {f.check for f in expected[2]} >= {"spaces"}
    for i, findings in expected.items():
        last = [e for e in edit_events(store, segment_id=segs[i].id) if e.kind != "open"][-1]
        pair = [f for f in last.findings if f["check"] not in ("consistency", "style")]
        assert pair == _stored(findings), i
        article = [f for f in last.findings if f["check"] in ("consistency", "style")]
        # The glossary's rendering is the desk's established form: offered for one-key accept.
        expect = [("consistency", [0, 5], "Welsh")] if i == 0 else []
        assert [(f["check"], f["span"], f["suggestion"]) for f in article] == expect, i

    # Segment 0 goes back to its draft: the findings saved with the old text no longer count.
    revert_to_mt(store, segs[0].id, editor="kim", base_version=segs[0].version)
    counted = [f for i, fs in expected.items() if i != 0 for f in fs]
    qa = report(store, document_id=doc)["qa"]
    assert qa["findings"] == len(counted)
    assert qa["errors"] == sum(f.severity == "error" for f in counted)
    assert qa["warnings"] == sum(f.severity == "warning" for f in counted)
    by_check: dict[str, int] = {}
    for f in counted:
        by_check[f.check] = by_check.get(f.check, 0) + 1
    assert qa["by_check"] == by_check
    assert qa["segments_checked"] == 4  # 1, 2, 3 and 4; 0 was reverted, 5 never saved
    assert qa["segments_with_findings"] == sum(bool(expected[i]) for i in (1, 2, 3, 4))
    by_editor = report(store, document_id=doc, by="editor")["groups"]
    assert sum(g["qa"]["findings"] for g in by_editor) == qa["findings"]


# --- draft confidence -------------------------------------------------------------------------


def test_report_spearman_equals_pandas_on_the_same_pairs(store, tiny_engine, ntrex):
    ko, en = ntrex
    lines = ko[200:216]
    doc = _doc(store, tiny_engine, lines)
    for i, seg in enumerate(list_segments(store, doc)):
        approve_segment(store, seg.id, editor="kim", base_version=seg.version, text=en[200 + i])
    segs = list_segments(store, doc)
    scores = [s.draft.score for s in segs]
    ter = TER(case_sensitive=True)
    hters = [ter.sentence_score(s.draft.text, [s.target]).score for s in segs]
    # Spearman = Pearson correlation of the ranks (average ranks for ties).
    by_ranks = pd.Series(scores).rank().corr(pd.Series(hters).rank())

    confidence = report(store, document_id=doc)["confidence"]
    assert confidence["n"] == len(segs)
    assert confidence["spearman"] == pytest.approx(by_ranks, abs=1e-6)
    assert -1.0 <= confidence["spearman"] <= 1.0
    model_group = report(store, document_id=doc, by="model")["groups"][0]
    assert model_group["confidence"] == confidence

    # Drafts from the translation memory have no score and are left out.
    again = _doc(store, tiny_engine, lines, title="again")
    assert {s.draft.origin for s in list_segments(store, again)} == {"tm"}
    for seg in list_segments(store, again):
        approve_segment(store, seg.id, editor="kim", base_version=seg.version)
    assert report(store)["confidence"]["n"] == len(segs)


def test_spearman_edge_cases():
    assert spearman([1.0, 2.0], [3.0, 4.0]) is None  # too few pairs
    assert spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None  # constant scores
    assert spearman([1.0, 2.0, 3.0, 4.0], [40.0, 30.0, 20.0, 10.0]) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match=r"^spearman: 1 scores but 2 HTER values$"):
        spearman([1.0], [1.0, 2.0])


class ScoredEngine(Translator):
    """Drafts with chosen model scores (the test is about flagging, not translating)."""

    name, model_id, revision, is_test_model = "scored", "scored", None, True

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def translate(self, sentences, **_):
        return [Hypothesis(f"draft {i}", self.scores[s], 1.0) for i, s in enumerate(sentences)]


def test_low_confidence_drafts_are_flagged(store, ntrex):
    ko, _ = ntrex
    lines = ko[300:310]
    scores = {line: -0.1 * (i + 1) for i, line in enumerate(lines)}  # -0.1 ... -1.0
    doc = _doc(store, ScoredEngine(scores), lines)
    segs = list_segments(store, doc)
    flagged = document_confidence(store, doc).flagged
    assert flagged == {segs[8].id, segs[9].id}  # the lowest 20%

    few = {ko[320]: -0.2, ko[321]: LOW_SCORE - 0.5, ko[322]: -0.4}
    small = _doc(store, ScoredEngine(few), list(few), title="short")
    segs = list_segments(store, small)
    assert document_confidence(store, small).flagged == {segs[1].id}  # only the absolute floor
    assert low_confidence({}) == frozenset()
    assert low_confidence({1: -0.3, 2: -0.3, 3: -0.3, 4: -0.3, 5: -0.3}) == frozenset()


def test_glossary_engine_is_not_applied_twice(store, tiny_engine, glossary_file):
    from mt.qa.glossary import GlossaryEngine
    from mt.tm import drafting_engine

    import_glossary(store, glossary_file)
    wrapped = GlossaryEngine(tiny_engine, Glossary([Term("네이버", ("Naver",))]))
    drafting = drafting_engine(store, wrapped)
    assert drafting.engine is wrapped
    assert isinstance(drafting_engine(store, tiny_engine).engine, GlossaryEngine)


def test_report_command_prints_qa_and_confidence(store, store_url, ntrex, monkeypatch):
    import json

    ko, en = ntrex
    doc = _doc(store, TableEngine("ref", dict(zip(ko[:3], en[:3], strict=True))), ko[:3])
    seg = list_segments(store, doc)[0]
    save_segment(store, seg.id, en[0] + " 의원", editor="kim", base_version=seg.version)
    for fmt in ("json", "table"):
        monkeypatch.setenv("COLUMNS", "200")
        code, out, _ = run_cli("report", "--db", store_url, "--format", fmt)
        assert code == 0
        if fmt == "json":
            result = json.loads(out)
            assert result["qa"]["by_check"] == {"hangul": 1}
            assert result["confidence"] == {"spearman": None, "n": 0}
        else:
            assert re.search(r"qa_findings\s+│\s+1\s", out), out
            assert re.search(r"score_hter_spearman\s+│\s+- \(n=0\)", out), out
