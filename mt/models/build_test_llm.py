"""Build offline causal-LM test models: sentencepiece trained on real text, a Llama config, random
weights and a chat template.

The folder has the layout of a Hugging Face instruction model (``config.json``,
``generation_config.json``, ``model.safetensors``, ``tokenizer.json``, ``tokenizer_config.json``
with a ``chat_template``, and the sentencepiece ``tokenizer.model`` the tokenizer was made from),
so it loads through the code path a hub model such as Qwen2.5-Instruct takes. The tokenizer is the
sentencepiece unigram model expressed as a `tokenizers` Unigram model (the same pieces and
scores, Metaspace pre-tokenisation), which is how transformers loads sentencepiece models.
``config.json`` carries ``"transdesk_test_model": true`` and ``TEST_MODEL.txt`` says in words that
the output is random text, not a translation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mt.errors import TransdeskError
from mt.models.build_test import (
    TEST_MODEL_FLAG,
    TEST_MODEL_WARNING,
    _train_sentencepiece,
    model_folder,
    save_quietly,
    training_lines,
)


@dataclass(frozen=True)
class CausalLMSize:
    """Shape of a built causal LM; `small` has Qwen2.5-0.5B-Instruct's shape (~0.5B parameters)."""

    vocab_size: int
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    max_positions: int
    init_std: float = 0.02


CAUSAL_SIZES: dict[str, CausalLMSize] = {
    "tiny": CausalLMSize(
        vocab_size=2000,
        hidden=32,
        layers=2,
        heads=2,
        kv_heads=1,
        intermediate=64,
        max_positions=2048,
        init_std=0.2,
    ),
    "small": CausalLMSize(
        vocab_size=151936,
        hidden=896,
        layers=24,
        heads=14,
        kv_heads=2,
        intermediate=4864,
        max_positions=4096,
    ),
}

# A ChatML-like template (as Qwen uses), with the roles spelled out for the random model.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '</s>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)
_EOS, _UNK, _PAD, _BOS = "</s>", "<unk>", "<pad>", "<s>"
_ROLE_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>")


def _tokenizer(spm_bytes: bytes, size: int):
    """A transformers fast tokenizer holding the sentencepiece unigram model, padded to `size`."""
    import sentencepiece as spm
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    sp = spm.SentencePieceProcessor(model_proto=spm_bytes)
    vocab = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    specials = [_PAD, _BOS, *_ROLE_TOKENS]
    vocab += [(token, 0.0) for token in specials]
    # Fillers make the embedding and output layer the model's real size (the softmax matters
    # for speed); encoding never produces them.
    filler = 0
    while len(vocab) < size:
        vocab.append((f"<filler_{filler}>", -100.0))
        filler += 1
    model = models.Unigram(vocab, unk_id=sp.unk_id(), byte_fallback=False)
    tok = Tokenizer(model)
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token=_UNK,
        eos_token=_EOS,
        pad_token=_PAD,
        bos_token=_BOS,
        additional_special_tokens=list(_ROLE_TOKENS),
        clean_up_tokenization_spaces=False,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_test_causal_lm(
    out_dir: Path,
    *,
    size: str = "tiny",
    text_files: Sequence[Path] | None = None,
    seed: int = 1234,
    max_lines: int = 20000,
) -> Path:
    """Train sentencepiece and save a randomly initialised Llama-style chat model to `out_dir`.

    Arguments:
        out_dir: folder to write; replaced atomically if it exists.
        size: a key of `CAUSAL_SIZES`.
        text_files: UTF-8 text to train sentencepiece on; default `default_training_text()`.
        seed: random seed for sampling lines and for the weights.

    Returns:
        The folder, loadable with `mt.engines.load_engine(str(out_dir))` (an LLM engine).
    """
    if size not in CAUSAL_SIZES:
        raise TransdeskError(
            f"unknown test model size {size!r}; choose one of {', '.join(CAUSAL_SIZES)}"
        )
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    shape = CAUSAL_SIZES[size]
    files, lines = training_lines(text_files, seed=seed, max_lines=max_lines)
    spm_bytes = _train_sentencepiece(lines, min(shape.vocab_size - 8, 4000))
    tokenizer = _tokenizer(spm_bytes, shape.vocab_size)

    with model_folder(out_dir) as tmp:
        (tmp / "tokenizer.model").write_bytes(spm_bytes)
        tokenizer.save_pretrained(tmp)
        eos, pad, bos = (tokenizer.convert_tokens_to_ids(t) for t in (_EOS, _PAD, _BOS))
        extra: dict[str, Any] = {TEST_MODEL_FLAG: True, "transdesk_test_model_size": size}
        config = LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=shape.hidden,
            intermediate_size=shape.intermediate,
            num_hidden_layers=shape.layers,
            num_attention_heads=shape.heads,
            num_key_value_heads=shape.kv_heads,
            max_position_embeddings=shape.max_positions,
            initializer_range=shape.init_std,
            tie_word_embeddings=False,
            bos_token_id=bos,
            eos_token_id=eos,
            pad_token_id=pad,
            architectures=["LlamaForCausalLM"],
            **extra,
        )
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
        model.eval()
        model.generation_config = GenerationConfig(
            bos_token_id=bos, eos_token_id=eos, pad_token_id=pad, do_sample=False
        )
        save_quietly(model, tmp)
        (tmp / "TEST_MODEL.txt").write_text(
            f"Transdesk {size} causal-LM test model: {TEST_MODEL_WARNING}.\n"
            f"Sentencepiece trained on: {', '.join(str(f) for f in files)}\n",
            encoding="utf-8",
        )
        json.loads((tmp / "config.json").read_text(encoding="utf-8"))  # written and readable
    return Path(out_dir)
