"""Effort measured right (#15): planted edit logs whose true figures are known by construction.

- Two editors and a reviewer on the same segments: each is credited with their own step.
- Two models each drafting half of the segments (model A/B): per-draft provenance, intervals,
  the comparison's verdict.
- A from-scratch share with fixed timings: words per hour with and without MT, the gain.
"""

from __future__ import annotations

import random
import re

import pytest
import sacrebleu

from mt.drafting import assign, create_document, retranslate_document
from mt.errors import InvalidValue
from mt.report import report
from mt.revising import approve_segment, save_segment
from mt.store import drafts, list_segments
from tests.conftest import run_cli, shared_lines
from tests.store.conftest import TableEngine

N = 8
TER = sacrebleu.metrics.TER(case_sensitive=True)


@pytest.fixture
def lines() -> tuple[list[str], list[str]]:
    return shared_lines("ntrex128", "ko", N), shared_lines("ntrex128", "en", N)


def _drop_word(text: str, i: int = 1) -> str:
    words = text.split()
    return " ".join(words[:i] + words[i + 1 :])


@pytest.fixture
def chain(store, lines):
    """Segments 0-3: ann rewrites the draft, ben revises ann's text, rev approves unchanged.
    The drafts are the references with two words dropped; root only ran the import."""
    ko, en = lines
    table = {k: _drop_word(_drop_word(e, 2), 0) for k, e in zip(ko, en, strict=True)}
    engine = TableEngine("table-mt", table)
    doc = create_document(
        store, "\n".join(ko), title="chain", engine=engine, created_by="root", segment_mode="line"
    )
    segs = list_segments(store, doc)
    texts = {"draft": [], "ann": [], "ben": []}
    for i, s in enumerate(segs[:4]):
        words = len(s.source.split())
        ann_text = _drop_word(en[i], 0)  # one word still missing
        v = save_segment(store, s.id, ann_text, editor="ann", base_version=1,
                         active_ms=3000 * words, keystrokes=10)  # fmt: skip
        v = save_segment(store, s.id, en[i], editor="ben", base_version=v.version,
                         active_ms=1000 * words)  # fmt: skip
        approve_segment(store, s.id, editor="rev", base_version=v.version, active_ms=500)
        texts["draft"].append(s.target)
        texts["ann"].append(ann_text)
        texts["ben"].append(en[i])
    return doc, segs, texts


def test_each_step_is_credited_to_whoever_made_it(store, chain):
    doc, segs, texts = chain
    result = report(store, document_id=doc, by="editor")
    groups = {g["editor"]: g for g in result["groups"]}
    assert set(groups) == {"ann", "ben", "rev"}  # root drafted nothing: the machine did
    ann, ben, rev = groups["ann"], groups["ben"], groups["rev"]
    assert (ann["segments_edited"], ann["segments_approved"]) == (4, 0)
    assert (ben["segments_edited"], ben["segments_approved"]) == (4, 0)
    assert (rev["segments_edited"], rev["segments_approved"]) == (0, 4)
    words = [len(s.source.split()) for s in segs[:4]]
    assert ann["active_seconds"] == pytest.approx(3 * sum(words))
    assert ben["active_seconds"] == pytest.approx(sum(words))
    assert rev["active_seconds"] == pytest.approx(2.0) and rev["review_seconds"] == 2.0
    assert rev["edit_seconds"] == 0 and rev["hter"] is None and rev["scored_steps"] == 0
    # Own-step HTER: the text each found against the text each left.
    assert ann["hter"] == TER.corpus_score(texts["draft"], [texts["ann"]]).score
    assert ben["hter"] == TER.corpus_score(texts["ann"], [texts["ben"]]).score
    assert ann["chrf"] == sacrebleu.corpus_chrf(texts["draft"], [texts["ann"]]).score
    assert ann["seconds_per_word"] == pytest.approx(3.0)
    assert ben["seconds_per_word"] == pytest.approx(1.0)
    assert ann["seconds_per_word_ci95"] == [3.0, 3.0]  # every segment at 3 s/word
    assert "case:mixed" in ann["signatures"]["hter"]
    low, high = ann["hter_ci95"]
    assert low <= ann["hter"] <= high
    # Overall HTER stays MT draft -> final.
    assert result["hter"] == TER.corpus_score(texts["draft"], [texts["ben"]]).score
    assert result["unchanged"] == 0 and result["unchanged_of"] == 4


def test_report_by_step_follows_the_chain(store, chain):
    doc, _, texts = chain
    steps = {g["step"]: g for g in report(store, document_id=doc, by="step")["groups"]}
    assert list(steps) == ["MT", "R1", "R2", "R3"]
    assert steps["MT"]["segments"] == N and steps["MT"]["origins"] == {"mt": N}
    assert steps["R1"]["editors"] == ["ann"] and steps["R2"]["editors"] == ["ben"]
    assert steps["R3"]["editors"] == ["rev"]
    assert (steps["R3"]["review_steps"], steps["R3"]["segments_changed"]) == (4, 0)
    assert steps["R3"]["segments_approved"] == 4 and steps["R3"]["hter"] is None
    assert steps["R2"]["hter"] == TER.corpus_score(texts["ann"], [texts["ben"]]).score


def test_intervals_are_seeded_and_reproducible(store, chain):
    doc, _, _ = chain
    first = report(store, document_id=doc, by="editor", seed=7)
    again = report(store, document_id=doc, by="editor", seed=7)
    keys = ("hter_ci95", "chrf_ci95", "bleu_ci95", "seconds_per_word_ci95")
    assert [first[k] for k in keys] == [again[k] for k in keys]
    assert first["groups"] == again["groups"]
    assert first["bootstrap"] == {"seed": 7, "n_samples": 1000, "confidence": 0.95}
    with pytest.raises(InvalidValue, match="bootstrap"):
        report(store, document_id=doc, n_samples=0)


def test_model_ab_drafts_half_each(store, lines):
    ko, en = lines
    good = TableEngine("model-a", dict(zip(ko, en, strict=True)))
    bad = TableEngine("model-b", {k: _drop_word(e, 0) for k, e in zip(ko, en, strict=True)})
    doc = create_document(store, "\n".join(ko), title="ab", engine=[good, bad], created_by="root",
                          segment_mode="line", seed=11)  # fmt: skip
    plan = assign(N, models=2, seed=11)
    segs = list_segments(store, doc)
    assert sorted(plan) == [0] * (N // 2) + [1] * (N // 2)
    for s, k in zip(segs, plan, strict=True):
        assert s.draft.model_id == ("model-a", "model-b")[k] and len(drafts(store, s.id)) == 1
        v = save_segment(store, s.id, en[s.position], editor="ann", base_version=1,
                         active_ms=2000 * len(s.source.split()))  # fmt: skip
        approve_segment(store, s.id, editor="rev", base_version=v.version)
    result = report(store, document_id=doc, by="model")
    groups = {g["model"]: g for g in result["groups"]}
    assert groups["model-a"]["segments"] == groups["model-b"]["segments"] == N // 2
    assert groups["model-a"]["hter"] == 0 and groups["model-a"]["hter_ci95"] == [0.0, 0.0]
    b_segs = [s for s in segs if s.draft.model_id == "model-b"]
    assert groups["model-b"]["hter"] == (
        TER.corpus_score([s.draft.text for s in b_segs], [[en[s.position] for s in b_segs]]).score
    )
    (unpaired,) = result["comparisons"]
    assert unpaired["test"].startswith("unpaired") and unpaired["segments"] == [4, 4]
    assert unpaired["hter"]["difference"] == pytest.approx(groups["model-b"]["hter"], abs=1e-3)
    assert unpaired["hter"]["significant"] is True  # b needs an edit on every segment, a none
    # Both models draft every segment: the paired test on the shared segments applies.
    retranslate_document(store, doc, engine=good)
    retranslate_document(store, doc, engine=bad)
    result = report(store, document_id=doc, by="model")
    paired = [c for c in result["comparisons"] if c["test"].startswith("paired")]
    assert paired and paired[0]["segments"] == N
    assert paired[0]["baseline"] == "model-a" and paired[0]["model"] == "model-b"
    assert paired[0]["hter"]["significant"] is True and paired[0]["hter"]["p_value"] < 0.05
    models = {m["model"]: m for m in result["models"]}
    assert models["model-a"]["hter"] == 0 and models["model-b"]["signatures"]["hter"]


def test_same_model_twice_is_not_significant(store, lines):
    ko, en = lines
    one = TableEngine("model-a", {k: _drop_word(e, 0) for k, e in zip(ko, en, strict=True)})
    two = TableEngine("model-c", {k: _drop_word(e, 0) for k, e in zip(ko, en, strict=True)})
    doc = create_document(store, "\n".join(ko), title="same", engine=one, created_by="root",
                          segment_mode="line")  # fmt: skip
    for s in list_segments(store, doc):
        save_segment(store, s.id, en[s.position], editor="ann", base_version=1)
    retranslate_document(store, doc, engine=two)
    (paired,) = report(store, document_id=doc)["comparisons"]
    assert paired["hter"]["difference"] == 0 and paired["hter"]["significant"] is False


def test_from_scratch_share_and_productivity(store, lines):
    ko, en = lines
    engine = TableEngine("model-a", {k: _drop_word(e, 0) for k, e in zip(ko, en, strict=True)})
    doc = create_document(store, "\n".join(ko), title="scratch", engine=engine,
                          created_by="root", segment_mode="line", from_scratch=0.5,
                          seed=3)  # fmt: skip
    chosen = set(random.Random(3).sample(range(N), N // 2))
    segs = list_segments(store, doc)
    assert {s.position for s in segs if s.draft.origin == "scratch"} == chosen
    for s in segs:
        scratch = s.position in chosen
        assert (s.target == "") is scratch and (s.draft.text == "") is scratch
        words, chars = len(s.source.split()), len("".join(s.source.split()))
        # Fixed timings: 4 s per word from scratch, 2 s per word post-editing.
        save_segment(store, s.id, en[s.position], editor="ann", base_version=1,
                     active_ms=(4000 if scratch else 2000) * words,
                     keystrokes=(2 if scratch else 1) * chars)  # fmt: skip
    result = report(store, document_id=doc)
    prod = result["productivity"]
    assert prod["with_mt"]["words_per_hour"] == pytest.approx(1800)
    assert prod["from_scratch"]["words_per_hour"] == pytest.approx(900)
    assert prod["gain"] == pytest.approx(1.0) and prod["gain_ci95"] == [1.0, 1.0]
    assert prod["with_mt"]["keystrokes_per_char"] == 1.0
    assert prod["from_scratch"]["keystrokes_per_char"] == 2.0
    assert prod["with_mt"]["seconds_per_word"] == pytest.approx(2.0)
    (ann,) = prod["editors"]
    assert ann["editor"] == "ann" and ann["gain"] == pytest.approx(1.0)
    # Scratch segments are left out of HTER/chrF/BLEU and of the post-editing speed.
    mt_segs = [s for s in segs if s.position not in chosen]
    assert result["scratch_segments"] == N // 2 and result["scored"] == N // 2
    assert (
        result["hter"]
        == TER.corpus_score(
            [s.draft.text for s in mt_segs], [[en[s.position] for s in mt_segs]]
        ).score
    )
    assert result["seconds_per_word"] == pytest.approx(2.0)
    editors = report(store, document_id=doc, by="editor")["groups"]
    assert editors[0]["from_scratch_steps"] == N // 2 and editors[0]["scored_steps"] == N // 2
    with pytest.raises(InvalidValue, match="between 0 and 1"):
        create_document(store, "가", title="x", engine=engine, created_by="root",
                        from_scratch=1.5)  # fmt: skip


def test_keystrokes_are_null_when_not_logged(store, chain):
    doc, _, _ = chain
    prod = report(store, document_id=doc)["productivity"]
    assert prod["with_mt"]["keystrokes_per_char"] is not None  # ann logged keystrokes
    assert prod["from_scratch"]["segments"] == 0 and prod["gain"] is None


def test_import_command_from_scratch(store, tiny_model_dir, tmp_path, lines):
    ko, _ = lines
    article = tmp_path / "article.txt"
    article.write_text("\n".join(ko), encoding="utf-8")
    args = ["import", str(article), "--db", store.url, "--model", str(tiny_model_dir),
            "--segment", "line", "--from-scratch", "0.25", "--seed", "5", "--json",
            "-q"]  # fmt: skip
    out = run_cli(*args)
    assert out.exit_code == 0, out.output
    doc = int(re.search(r'"document_id": (\d+)', out.output).group(1))
    segs = list_segments(store, doc)
    chosen = set(random.Random(5).sample(range(N), 2))
    assert {s.position for s in segs if s.draft.origin == "scratch"} == chosen
    mt = [s.draft for s in segs if s.draft.origin == "mt"]
    # Provenance: the folder's name and content fingerprint, engine, compute type, beam.
    assert {d.model_id for d in mt} == {tiny_model_dir.name}
    assert all(d.revision.startswith("sha256:") and len(d.revision) == 71 for d in mt)
    assert all(d.engine == "ctranslate2" and d.compute_type and d.beam == 4 for d in mt)
    bad = run_cli(*args[:-4], "--from-scratch", "2", "--json")
    assert bad.exit_code == InvalidValue.exit_code and "between 0 and 1" in bad.stderr
    both = run_cli(*args, "--models", "a,b")
    assert both.exit_code == InvalidValue.exit_code and both.stderr.startswith("Error: ")
    assert "either --model or --models" in both.stderr
    export = tmp_path / "out.jsonl"
    assert run_cli("export", str(doc), "--db", store.url, "-f", "jsonl",
                   "-o", str(export)).exit_code == 0  # fmt: skip
    assert str(tiny_model_dir) not in export.read_text(encoding="utf-8")


def test_report_command_by_step_and_editor_csv(store, chain):
    table = run_cli("report", "--db", store.url, "--by", "step", "--samples", "200")
    assert table.exit_code == 0, table.output
    assert "R3" in table.output and "HTER" in table.output
    as_csv = run_cli("report", "--db", store.url, "--by", "editor", "--format", "csv")
    header, *rows = as_csv.output.splitlines()
    assert "hter_ci95_low" in header and "segments_approved" in header
    assert [r.split(",")[0] for r in rows] == ["(all)", "ann", "ben", "rev"]
