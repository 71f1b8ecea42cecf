"""mt.metrics and `transdesk eval` against sacrebleu itself, on real NTREX sentences."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sacrebleu

from mt import metrics
from tests.conftest import run_cli, shared_lines

SACREBLEU = Path(sys.executable).parent / "sacrebleu"


def _post_edits(lines: list[str]) -> list[str]:
    """Deterministic 'drafts' of real sentences: case changes, dropped and moved words."""
    out = []
    for i, line in enumerate(lines):
        words = line.split()
        if i % 3 == 0 and len(words) > 3:
            words[1] = words[1].upper()
        if i % 4 == 1 and len(words) > 4:
            del words[2]
        if i % 5 == 2 and len(words) > 5:
            words = words[3:] + words[:3]
        out.append(" ".join(words))
    return out


@pytest.fixture(scope="module")
def pairs() -> tuple[list[str], list[str]]:
    finals = shared_lines("ntrex128", "en", 400)
    return _post_edits(finals), finals


def test_hter_is_case_sensitive_corpus_ter(pairs):
    drafts, finals = pairs
    ours = metrics.hter(drafts, finals)
    direct = sacrebleu.metrics.TER(case_sensitive=True).corpus_score(drafts, [finals])
    assert ours.score == direct.score
    assert "case:mixed" in ours.signature
    # Case matters: the upper-cased words are edits.
    assert ours.score > sacrebleu.metrics.TER().corpus_score(drafts, [finals]).score


def test_summed_statistics_equal_sacrebleu_corpus_scores(pairs):
    drafts, finals = pairs
    stats = metrics.batch_pair_stats(drafts, finals)
    summed = metrics.scores_from_stats(stats)
    assert (
        summed["hter"].score
        == sacrebleu.metrics.TER(case_sensitive=True).corpus_score(drafts, [finals]).score
    )
    assert summed["chrf"].score == sacrebleu.corpus_chrf(drafts, [finals]).score
    assert summed["bleu"].score == sacrebleu.corpus_bleu(drafts, [finals]).score
    bleu = sacrebleu.metrics.BLEU()
    bleu.corpus_score(drafts, [finals])
    assert summed["bleu"].signature == bleu.get_signature().format()
    # Sentence level: BLEU with effective order, as sacrebleu's sentence_bleu.
    one = metrics.scores_from_stats([stats[7]], sentence=True)
    assert one["bleu"].score == sacrebleu.sentence_bleu(drafts[7], [finals[7]]).score
    assert one["chrf"].score == sacrebleu.sentence_chrf(drafts[7], [finals[7]]).score


def test_corpus_scores_with_two_references():
    refs_a = shared_lines("ntrex128", "en", 50)
    hyps = _post_edits(refs_a)
    refs_b = [r.lower() for r in refs_a]
    ours = metrics.corpus_bleu(hyps, [refs_a, refs_b])
    assert ours.score == sacrebleu.corpus_bleu(hyps, [refs_a, refs_b]).score
    assert "nrefs:2" in ours.signature


def test_unknown_metric():
    from mt.errors import InvalidValue

    with pytest.raises(InvalidValue, match="unknown metric 'meteor'"):
        metrics.corpus_score("meteor", ["a"], [["a"]])


def _cli_scores(ref: Path, hyp: Path) -> list[float]:
    result = subprocess.run(
        [str(SACREBLEU), str(ref), "-i", str(hyp), "-m", "bleu", "chrf", "ter", "-b", "-w", "6"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [float(x) for x in re.findall(r"-?\d+\.\d+", result.stdout)]


@pytest.mark.skipif(not SACREBLEU.exists(), reason="sacrebleu CLI not installed")
def test_eval_equals_sacrebleu_cli(tmp_path, pairs):
    drafts, finals = pairs
    ref, hyp = tmp_path / "ref.en", tmp_path / "hyp.en"
    ref.write_text("\n".join(finals) + "\n", encoding="utf-8")
    hyp.write_text("\n".join(drafts) + "\n", encoding="utf-8")
    result = run_cli("eval", "--hyp", str(hyp), "--ref", str(ref), "--json")
    assert result.exit_code == 0, result.output
    ours = json.loads(result.output)
    expected = _cli_scores(ref, hyp)
    assert [round(ours[m]["score"], 6) for m in ("bleu", "chrf", "ter")] == expected
    assert "case:lc" in ours["ter"]["signature"]  # the CLI's TER default
    text = run_cli("eval", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "chrf")
    assert text.exit_code == 0
    assert text.output.startswith("chrF2|nrefs:1|") and text.output.count("\n") == 1


def test_eval_refuses_misaligned_files(tmp_path):
    ref, hyp = tmp_path / "ref.en", tmp_path / "hyp.en"
    ref.write_text("a\nb\n", encoding="utf-8")
    hyp.write_text("a\n", encoding="utf-8")
    result = run_cli("eval", "--hyp", str(hyp), "--ref", str(ref))
    assert result.exit_code != 0
    assert "2 lines, but" in result.stderr
