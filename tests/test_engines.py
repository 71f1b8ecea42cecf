"""Both backends on the same built model: agreement, the shared workflow, model loading."""

from __future__ import annotations

import json
import shutil

import pytest

from mt.engines import load_engine, pick_engine
from mt.engines.base import DecodingOptions, plan_batches, split_long
from mt.engines.ct2 import convert_model
from mt.errors import ModelError, TransdeskError
from mt.models.hub import resolve_model
from tests.conftest import shared_lines


@pytest.fixture(scope="module")
def hf_engine(tiny_model_dir):
    return load_engine(str(tiny_model_dir), engine="transformers", beam_size=1)


@pytest.fixture(scope="module")
def ct2_float32(tiny_model_dir):
    return load_engine(
        str(tiny_model_dir), engine="ctranslate2", beam_size=1, quantization="float32"
    )


def test_backends_agree_on_ntrex_greedy(hf_engine, ct2_float32):
    sentences = shared_lines("ntrex128", "ko", 200)
    hf = hf_engine.translate(sentences)
    ct2 = ct2_float32.translate(sentences)
    assert len(hf) == len(ct2) == 200
    same = sum(a.text == b.text for a, b in zip(hf, ct2, strict=True))
    assert same / 200 >= 0.95, f"only {same}/200 identical"
    # The model really depends on its input: drafts are not all the same string.
    assert len({h.text for h in hf}) > 20
    # Scores are mean token log-probabilities from both backends.
    for a, b in zip(hf, ct2, strict=True):
        assert a.score < 0 and b.score < 0
        if a.text == b.text:
            assert a.score == pytest.approx(b.score, abs=0.05)


def test_beam_search_runs_on_both(tiny_model_dir):
    sentences = shared_lines("ntrex128", "ko", 12)
    for name in ("transformers", "ctranslate2"):
        engine = load_engine(str(tiny_model_dir), engine=name, beam_size=4)
        hyps = engine.translate(sentences)
        assert [bool(h.text) for h in hyps] == [True] * 12


class CountingEngine:
    """Wraps a real engine and records what reaches the model."""

    def __init__(self, engine):
        self.engine = engine
        self.seen: list[str] = []
        original = engine.translate_batch

        def spy(sentences, **kw):
            self.seen.extend(sentences)
            return original(sentences, **kw)

        engine.translate_batch = spy


def test_blank_input_never_reaches_the_model_and_duplicates_once(tiny_model_dir):
    engine = load_engine(str(tiny_model_dir), engine="ctranslate2", beam_size=1)
    counter = CountingEngine(engine)
    inputs = ["삼성전자 주가가 올랐다.", "", "   ", "삼성전자 주가가 올랐다.", "비가 온다."]
    hyps = engine.translate(inputs)
    assert counter.seen.count("삼성전자 주가가 올랐다.") == 1
    assert all(s.strip() for s in counter.seen)
    assert len(counter.seen) == 2
    assert [h.origin for h in hyps] == ["mt", "blank", "blank", "mt", "mt"]
    assert hyps[0] == hyps[3]
    assert hyps[1].text == ""


def test_order_is_kept_across_length_sorting(tiny_model_dir, hf_engine):
    sentences = shared_lines("ntrex128", "ko", 40)
    together = hf_engine.translate(sentences)
    one_by_one = [hf_engine.translate([s])[0].text for s in sentences[:5]]
    assert [h.text for h in together[:5]] == one_by_one


def test_over_long_sentence_is_split_not_truncated(tiny_model_dir):
    engine = load_engine(str(tiny_model_dir), engine="ctranslate2", beam_size=1)
    engine.options = DecodingOptions(beam_size=1, max_input_tokens=40)
    counter = CountingEngine(engine)
    clause = "정부는 오늘 새로운 경제 정책을 발표했고, "
    long_sentence = (clause * 12).strip()
    hyp = engine.translate([long_sentence])[0]
    assert len(counter.seen) > 1
    assert all(n <= 40 for n in engine.count_tokens(counter.seen))
    # Every character of the source reached the model (pieces rejoin to the sentence).
    assert "".join(counter.seen).replace(" ", "") == long_sentence.replace(" ", "")
    assert hyp.text


def test_split_long_prefers_clause_boundaries():
    text = "첫 번째 문장이다. 두 번째 문장은 길고, 세 번째 부분도 있다"
    pieces = split_long(text, lambda t: len(t), 20)
    assert all(len(p) <= 20 for p in pieces)
    assert pieces[0].endswith("문장이다.")


def test_plan_batches_sorts_and_respects_token_budget():
    lengths = [50, 3, 20, 3, 49, 7]
    batches = plan_batches(lengths, batch_tokens=60)
    order = [i for b in batches for i in b.indices]
    assert sorted(order) == list(range(6))
    assert [lengths[i] for i in order] == sorted(lengths)
    for b in batches:
        assert b.longest * len(b.indices) <= 60 or len(b.indices) == 1


def test_ct2_conversion_is_cached_and_redone_when_stale(tiny_model_dir, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    first = convert_model(model, quantization="int8")
    assert first.parent == model
    marker = first / "transdesk-source.json"
    stamp = marker.stat().st_mtime_ns
    assert convert_model(model, quantization="int8") == first
    assert marker.stat().st_mtime_ns == stamp
    config = json.loads((model / "config.json").read_text())
    config["max_length"] = 300
    (model / "config.json").write_text(json.dumps(config))
    convert_model(model, quantization="int8")
    assert marker.stat().st_mtime_ns != stamp


def test_loading_from_the_hugging_face_cache(tiny_model_dir, tmp_path, monkeypatch):
    """A hub id resolves from the local cache offline, through the real hub client."""
    cache = tmp_path / "hub"
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--Helsinki-NLP--opus-mt-ko-en"
    shutil.copytree(tiny_model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    source = resolve_model("opus-mt-ko-en")
    assert source.model_id == "Helsinki-NLP/opus-mt-ko-en"
    assert source.path.name == commit
    pinned = resolve_model(f"Helsinki-NLP/opus-mt-ko-en@{commit}")
    assert pinned.revision == commit and pinned.path == source.path
    engine = load_engine("Helsinki-NLP/opus-mt-ko-en", engine="transformers")
    assert engine.is_test_model and engine.translate(["안녕하세요."])[0].text


def test_unreachable_hub_gives_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    error = (
        r"^model Helsinki-NLP/opus-mt-tc-big-ko-en is not in the local Hugging Face cache "
        r"and the hub cannot be reached( \(HF_HUB_OFFLINE is set\))?; pass a local model "
        r"folder with --model PATH, or run 'transdesk models download "
        r"Helsinki-NLP/opus-mt-tc-big-ko-en' on a connected machine and copy its cache here; "
        r"to try Transdesk offline, use --model test \(a random-weight test model: its "
        r"output is not a translation\)$"
    )
    with pytest.raises(ModelError, match=error) as err:
        resolve_model("Helsinki-NLP/opus-mt-tc-big-ko-en")
    message = str(err.value)
    assert "\n" not in message
    assert "not in the local Hugging Face cache" in message
    assert "--model PATH" in message and "transdesk models download" in message


def test_folder_without_a_model_is_refused(tmp_path):
    with pytest.raises(ModelError, match=r"no config\.json"):
        resolve_model(str(tmp_path))


def test_unknown_engine_name():
    with pytest.raises(TransdeskError, match="unknown engine 'fast'"):
        pick_engine("fast")
    assert pick_engine("auto") == "ctranslate2"


def test_marian_tokens_match_autotokenizer_and_ctranslate2_needs_no_torch(tiny_model_dir):
    """The Marian tokenizer is loaded without AutoTokenizer (whose lookup imports torch): same
    tokens and texts as AutoTokenizer, and a CTranslate2 translation never imports torch."""
    import subprocess
    import sys

    from transformers import AutoTokenizer

    from mt.engines.tokens import Tokens

    lines = [*shared_lines("ntrex128", "ko", 300), "", "</s> <unk> 특수", "“인용” … ①"]
    ours, auto = Tokens(tiny_model_dir), AutoTokenizer.from_pretrained(str(tiny_model_dir))
    assert type(ours.tokenizer) is type(auto)
    ids = auto(lines)["input_ids"]
    assert ours.encode_tokens(lines) == [auto.convert_ids_to_tokens(i) for i in ids]
    decoded = [
        auto.decode(i, skip_special_tokens=True, clean_up_tokenization_spaces=False) for i in ids
    ]
    assert [ours.decode_ids(i) for i in ids] == [d.strip() for d in decoded]

    convert_model(tiny_model_dir, quantization="int8")  # converting needs torch; loading must not
    script = (
        "import sys\n"
        "from mt.engines import load_engine\n"
        f"engine = load_engine({str(tiny_model_dir)!r}, engine='ctranslate2', device='cpu')\n"
        "assert engine.translate(['한국어 문장입니다.'])[0].text\n"
        "print('torch' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
