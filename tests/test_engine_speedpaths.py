"""CTranslate2 speed paths: replicas per core, sub-batches, cached conversion; output unchanged."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mt.engines import load_engine
from mt.engines.ct2 import SUB_BATCH_HYPOTHESIS_TOKENS
from mt.errors import ModelError
from tests.conftest import ROOT, shared_lines


@pytest.fixture(scope="module")
def ct2_engine(tiny_model_dir):
    return load_engine(str(tiny_model_dir), engine="ctranslate2", device="cpu", threads=2)


def test_one_replica_per_core_sharing_the_weights(ct2_engine):
    assert ct2_engine.translator.num_translators == 2
    assert ct2_engine.replicas == 2


def test_sub_batches_depend_on_the_batch_not_the_machine(tiny_model_dir, ct2_engine):
    one_core = load_engine(str(tiny_model_dir), engine="ctranslate2", device="cpu", threads=1)
    assert one_core.translator.num_translators == 1
    for n in (1, 2, 7, 16, 33, 64):
        for beam in (1, 2, 4, 8):
            size = ct2_engine.sub_batch_size(n, beam)
            assert size == one_core.sub_batch_size(n, beam)
            assert 1 <= size <= n
            if n > 1:
                assert size < n  # at least two sub-batches, for two replicas
            if size > 1:
                assert size * beam <= 2 * 32  # hypotheses per sub-batch stay small
    # Long sentences (decoder caches of hundreds of positions) go in smaller sub-batches.
    typical = ct2_engine.sub_batch_size(64, 4, sentence_tokens=30 + 70)
    long = ct2_engine.sub_batch_size(64, 4, sentence_tokens=256 + 512)
    assert long < typical
    assert long * 4 * (256 + 512) <= 2 * SUB_BATCH_HYPOTHESIS_TOKENS


def test_sub_batched_output_equals_one_plain_call(ct2_engine):
    """Cutting a batch into sub-batches decoded on two replicas changes nothing: same
    hypotheses and scores as one CTranslate2 call on the whole batch."""
    sentences = shared_lines("ntrex128", "ko", 40)
    tokens = ct2_engine.tokens.encode_tokens(sentences)
    limits = [ct2_engine.options.max_output_tokens(len(t)) for t in tokens]
    for beam in (1, 4):
        assert ct2_engine.sub_batch_size(len(tokens), beam) < len(tokens)
        split = ct2_engine.translate_tokens(tokens, beam_size=beam, max_output_tokens=limits)
        whole = ct2_engine.translator.translate_batch(
            tokens,
            beam_size=beam,
            max_batch_size=0,
            max_decoding_length=max(limits),
            min_decoding_length=1,
            no_repeat_ngram_size=ct2_engine.options.no_repeat_ngram_size,
            return_scores=True,
        )
        assert [r.hypotheses[0] for r in split] == [r.hypotheses[0] for r in whole]
        assert [r.scores[0] for r in split] == pytest.approx([r.scores[0] for r in whole])


def test_engine_output_is_the_same_on_one_core_and_two(tiny_model_dir, ct2_engine):
    one_core = load_engine(str(tiny_model_dir), engine="ctranslate2", device="cpu", threads=1)
    sentences = shared_lines("ntrex128", "ko", 60)
    two = [h.text for h in ct2_engine.translate(sentences, beam_size=2)]
    one = [h.text for h in one_core.translate(sentences, beam_size=2)]
    assert one == two


def test_loading_a_converted_model_does_not_import_the_converter(tiny_model_dir, ct2_engine):
    """The converters import torch; a model already converted must not pay for that."""
    code = (
        "import sys\n"
        "from mt.engines import load_engine\n"
        f"load_engine({str(tiny_model_dir)!r}, engine='ctranslate2', device='cpu')\n"
        "assert 'ctranslate2.converters' not in sys.modules, 'converter imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_cuda_requested_without_a_gpu_is_one_clear_error(tiny_model_dir):
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    with pytest.raises(ModelError, match="no CUDA device"):
        load_engine(str(tiny_model_dir), engine="ctranslate2", device="cuda")
