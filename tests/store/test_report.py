"""Post-editing reports: metrics equal sacrebleu on the same pairs, effort, groups, models."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sacrebleu

from mt.drafting import create_document, retranslate_document
from mt.errors import InvalidValue, NotFound
from mt.models.provenance import model_label
from mt.report import report
from mt.revising import approve_segment, save_segment
from mt.store import list_segments
from tests.conftest import run_cli, shared_lines
from tests.store.conftest import TableEngine

N = 12


@pytest.fixture
def lines() -> tuple[list[str], list[str]]:
    return shared_lines("ntrex128", "ko", N), shared_lines("ntrex128", "en", N)


@pytest.fixture
def edited(store, tiny_engine, lines):
    """A document of N real lines: 0-5 post-edited to the reference (with timings), 6-7
    approved unchanged, 8-11 untouched. Returns (doc id, segments before editing)."""
    ko, en = lines
    doc = create_document(
        store,
        "\n".join(ko),
        title="news",
        engine=tiny_engine,
        created_by="kim",
        segment_mode="line",
    )
    segments = list_segments(store, doc)
    for i, s in enumerate(segments[:6]):
        editor = "lee" if i % 2 else "park"
        v = save_segment(store, s.id, en[i], editor=editor, base_version=1,
                         active_ms=2000 * len(s.source.split()))  # fmt: skip
        if i < 3:
            approve_segment(store, s.id, editor=editor, base_version=v.version, active_ms=500)
    for s in segments[6:8]:
        approve_segment(store, s.id, editor="lee", base_version=1)
    return doc, segments


def test_scores_equal_sacrebleu_on_post_edited_segments(store, edited, lines):
    doc, segments = edited
    _, en = lines
    drafts = [s.draft.text for s in segments[:8]]
    finals = en[:6] + [s.target for s in segments[6:8]]
    result = report(store, document_id=doc)
    assert result["segments"] == N and result["approved"] == 5 and result["scored"] == 8
    assert (
        result["hter"]
        == sacrebleu.metrics.TER(case_sensitive=True).corpus_score(drafts, [finals]).score
    )
    assert result["chrf"] == sacrebleu.corpus_chrf(drafts, [finals]).score
    assert result["bleu"] == sacrebleu.corpus_bleu(drafts, [finals]).score
    assert set(result["signatures"]) == {"hter", "chrf", "bleu"}
    assert "case:mixed" in result["signatures"]["hter"]
    assert result["unchanged_rate"] == pytest.approx(2 / 5)


def test_effort_and_outliers(store, edited, lines):
    doc, segments = edited
    result = report(store, document_id=doc)
    words = [len(s.source.split()) for s in segments[:6]]
    seconds = [2 * w + (0.5 if i < 3 else 0) for i, w in enumerate(words)]
    assert result["timed_segments"] == 6 and result["outliers"] == 0
    assert result["seconds_per_word"] == pytest.approx(sum(seconds) / sum(words), abs=1e-6)
    chars = sum(sum(not c.isspace() for c in s.source) for s in segments[:6])
    assert result["seconds_per_char"] == pytest.approx(sum(seconds) / chars, abs=1e-6)
    assert result["words_per_hour"] == pytest.approx(3600 * sum(words) / sum(seconds), abs=0.01)
    # One far too fast, one far too slow: both counted as outliers and left out of the speeds.
    fast, slow = segments[8], segments[9]
    save_segment(store, fast.id, "x", editor="lee", base_version=1, active_ms=1)
    save_segment(store, slow.id, "y", editor="lee", base_version=1,
                 active_ms=31_000 * len(slow.source.split()))  # fmt: skip
    again = report(store, document_id=doc)
    assert again["outliers"] == 2 and again["timed_segments"] == 6
    assert again["seconds_per_word"] == result["seconds_per_word"]
    assert again["outlier_band"] == [0.25, 30.0]


def test_groups(store, edited):
    doc, _ = edited
    by_editor = {g["editor"]: g for g in report(store, document_id=doc, by="editor")["groups"]}
    # kim only ran the import: drafting is the machine's step, never an editor's (#15).
    assert set(by_editor) == {"lee", "park"}
    assert by_editor["park"]["segments"] == 3 and by_editor["lee"]["segments"] == 5
    assert (by_editor["park"]["segments_edited"], by_editor["park"]["segments_approved"]) == (3, 2)
    assert (by_editor["lee"]["segments_edited"], by_editor["lee"]["segments_approved"]) == (3, 3)
    days = report(store, by="day")["groups"]
    assert sum(g["segments"] for g in days) == N
    docs = report(store, by="document")["groups"]
    assert [(g["document"], g["title"]) for g in docs] == [(doc, "news")]
    with pytest.raises(InvalidValue, match="unknown grouping"):
        report(store, by="week")
    with pytest.raises(NotFound, match=f"^no document {doc + 100}$"):
        report(store, document_id=doc + 100)


def test_model_comparison_on_the_same_segments(store, edited, lines, tiny_engine):
    doc, segments = edited
    _, en = lines
    # A second "model" whose drafts we know: the English reference, with one word changed.
    second = TableEngine(
        "second-model", {s.source: en[i].replace(" the ", " a ", 1) for i, s in enumerate(segments)}
    )
    retranslate_document(store, doc, engine=second)
    result = report(store, document_id=doc, by="model")
    models = {m["model"]: m for m in result["models"]}
    # Models are (id, revision): the tiny folder by its name and content fingerprint (#15).
    tiny = model_label(tiny_engine.model_id, tiny_engine.revision)
    assert (
        tiny_engine.revision.startswith("sha256:") and tiny == f"tiny@{tiny_engine.revision[:19]}"
    )
    assert set(models) == {tiny, "second-model"}
    finals = en[:6] + [s.target for s in segments[6:8]]
    assert models[tiny]["segments"] == models["second-model"]["segments"] == 8
    ter = sacrebleu.metrics.TER(case_sensitive=True)
    assert (
        models[tiny]["hter"]
        == ter.corpus_score([s.draft.text for s in segments[:8]], [finals]).score
    )
    assert (
        models["second-model"]["hter"]
        == ter.corpus_score([en[i].replace(" the ", " a ", 1) for i in range(8)], [finals]).score
    )
    assert models["second-model"]["hter"] < models[tiny]["hter"]
    # The post-edited segments keep the draft they were edited from; the report's HTER too.
    assert result["hter"] == models[tiny]["hter"]
    by_model = {g["model"]: g for g in result["groups"]}
    assert by_model["second-model"]["segments"] == N - 8


def test_empty_store_report(store):
    result = report(store)
    assert (result["segments"], result["hter"], result["models"]) == (0, None, [])


def test_report_command_formats(store, edited):
    doc, _ = edited
    as_json = run_cli("report", "--db", store.url, "--document", str(doc), "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    for key in ("segments", "approved", "hter", "chrf", "bleu", "signatures"):
        assert key in data
    assert data["hter"] == report(store, document_id=doc)["hter"]
    as_csv = run_cli("report", "--db", store.url, "--by", "editor", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [r["editor"] for r in rows] == ["(all)", "lee", "park"]
    assert float(rows[0]["hter"]) == pytest.approx(data["hter"])
    table = run_cli("report", "--db", store.url, "--by", "model")
    assert table.exit_code == 0 and "hter" in table.output and "case:mixed" in table.output
