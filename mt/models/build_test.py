"""Build offline test models: sentencepiece trained on real text, a Marian config, random weights.

The folder has the layout of a Hugging Face OPUS-MT checkpoint (``config.json``,
``model.safetensors``, ``source.spm``, ``target.spm``, ``vocab.json``, ``tokenizer_config.json``)
so it loads through exactly the code path a hub model takes. ``config.json`` carries
``"transdesk_test_model": true`` and a ``TEST_MODEL.txt`` says in words that the output of such a
model is not a translation.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mt.errors import InputError, TransdeskError

TEST_MODEL_FLAG = "transdesk_test_model"
TEST_MODEL_WARNING = (
    "this is an offline TEST model with random weights: its output is not a translation"
)


@dataclass(frozen=True)
class TestModelSize:
    """Shape of a built model; `full` mirrors Helsinki-NLP/opus-mt-ko-en.

    `draft_like` models are for people to try the desk with: their output is limited to English
    word pieces (no filler, special or Hangul pieces) and runs about as many pieces as the source
    has tokens, so a draft looks like a draft while still being random. Benchmark models keep the
    unrestricted output of a plain random model.
    """

    vocab_size: int
    d_model: int
    layers: int
    heads: int
    ffn_dim: int
    max_position_embeddings: int
    init_std: float = 0.02
    draft_like: bool = False


SIZES: dict[str, TestModelSize] = {
    "tiny": TestModelSize(
        vocab_size=2000,
        d_model=32,
        layers=2,
        heads=2,
        ffn_dim=64,
        max_position_embeddings=512,
        init_std=0.2,
        draft_like=True,
    ),
    "full": TestModelSize(
        vocab_size=65001, d_model=512, layers=6, heads=8, ffn_dim=2048, max_position_embeddings=512
    ),
}

# Special tokens in the order OPUS-MT uses: </s>=0, <unk>=1, pad last.
_EOS, _UNK, _PAD = "</s>", "<unk>", "<pad>"

# Config keys of a built model: the decoding settings its engines use (`DecodingOptions` fields;
# for draft-like models the output length in pieces per source token, and no piece repeated), and
# the version of the build recipe (a cached model of an older recipe is rebuilt).
DECODING_KEYS = {
    "transdesk_max_length_ratio": "max_length_ratio",
    "transdesk_max_length_extra": "max_length_extra",
    "transdesk_no_repeat_ngram_size": "no_repeat_ngram_size",
}
_DRAFT_LIKE_DECODING = {
    "transdesk_max_length_ratio": 1.0,
    "transdesk_max_length_extra": 0,
    "transdesk_no_repeat_ngram_size": 1,
}
RECIPE_KEY = "transdesk_test_model_recipe"
RECIPE = 2

# Logit bias that keeps a piece out of every output (large, finite: safe in int8 CTranslate2).
_NEVER = -1.0e4
_WORD_PIECE = re.compile(r"▁[A-Za-z]+")


def default_training_text(project_root: Path | None = None) -> list[Path]:
    """Korean and English text to train sentencepiece on: the checkout's tests/data (real
    parallel text), else the samples/ articles."""
    root = project_root or Path(__file__).resolve().parents[2]
    data = root / "tests" / "data"
    files = sorted(data.glob("*/ko.txt")) + sorted(data.glob("*/en.txt"))
    if files:
        return files
    return sorted((root / "samples").glob("*.txt"))


def _read_lines(paths: Iterable[Path]) -> list[str]:
    lines: list[str] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except UnicodeDecodeError as e:
            raise InputError(f"{path}: not UTF-8 text (byte offset {e.start})") from None
        lines.extend(line.strip() for line in text.splitlines() if line.strip())
    if not lines:
        raise InputError("no training text: every given file is empty")
    return lines


def training_lines(
    text_files: Sequence[Path] | None, *, seed: int, max_lines: int
) -> tuple[list[Path], list[str]]:
    """The files a test model's sentencepiece trains on (default `default_training_text()`) and
    their lines, at most `max_lines` of them, sampled with `seed`."""
    files = list(text_files) if text_files else default_training_text()
    lines = _read_lines(files)
    if len(lines) > max_lines:
        lines = random.Random(seed).sample(lines, max_lines)
    return files, lines


@contextmanager
def model_folder(out_dir: Path) -> Iterator[Path]:
    """A hidden folder beside `out_dir` to build a model in; on success it replaces `out_dir`
    (which is never left half-written), on any failure it is removed."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _train_sentencepiece(lines: Sequence[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=0.9995,
        hard_vocab_limit=False,  # small corpora cannot fill a 65k vocabulary
        unk_id=1,
        bos_id=-1,
        eos_id=0,
        pad_id=-1,
        unk_piece=_UNK,
        eos_piece=_EOS,
        num_threads=2,
        minloglevel=2,
    )
    return model.getvalue()


def _vocabulary(spm_bytes: bytes, size: int) -> dict[str, int]:
    """OPUS-MT style vocab.json: every sentencepiece piece, padded to `size`, then <pad>."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=spm_bytes)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    # A 65k-entry embedding matters for speed (the output softmax), even where the text is too
    # small to learn that many pieces; fillers are never produced by encoding.
    filler = 0
    while len(vocab) < size - 1:
        vocab[f"<filler_{filler}>"] = len(vocab)
        filler += 1
    vocab[_PAD] = len(vocab)
    return vocab


def build_test_model(
    out_dir: Path,
    *,
    size: str = "tiny",
    text_files: Sequence[Path] | None = None,
    seed: int = 1234,
    max_lines: int = 20000,
) -> Path:
    """Train sentencepiece and save a randomly initialised Marian model to `out_dir`.

    Arguments:
        out_dir: folder to write; replaced atomically if it exists.
        size: a key of `SIZES`.
        text_files: UTF-8 text to train sentencepiece on; default `default_training_text()`.
        seed: random seed for sampling lines and for the weights.
        max_lines: at most this many lines are used to train sentencepiece.

    Returns:
        The folder, loadable with `mt.engines.load_engine(str(out_dir))`.
    """
    if size not in SIZES:
        raise TransdeskError(f"unknown test model size {size!r}; choose one of {', '.join(SIZES)}")
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    shape = SIZES[size]
    files, lines = training_lines(text_files, seed=seed, max_lines=max_lines)
    spm_vocab = min(shape.vocab_size - 1, 8000 if size == "tiny" else 32000)
    spm_bytes = _train_sentencepiece(lines, spm_vocab)
    vocab = _vocabulary(spm_bytes, shape.vocab_size)

    with model_folder(out_dir) as tmp:
        for name in ("source.spm", "target.spm"):
            (tmp / name).write_bytes(spm_bytes)
        (tmp / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(tmp / "source.spm"),
            target_spm=str(tmp / "target.spm"),
            vocab=str(tmp / "vocab.json"),
            source_lang="ko",
            target_lang="en",
            model_max_length=shape.max_position_embeddings,
        )
        tokenizer.save_pretrained(tmp)
        pad_id = vocab[_PAD]
        # Generation defaults and Transdesk's own keys: extra config attributes, not parameters.
        extra: dict[str, Any] = {
            "bad_words_ids": [[pad_id]],
            "num_beams": 4,
            "max_length": shape.max_position_embeddings,
            TEST_MODEL_FLAG: True,
            "transdesk_test_model_size": size,
            RECIPE_KEY: RECIPE,
            **(_DRAFT_LIKE_DECODING if shape.draft_like else {}),
        }
        config = MarianConfig(
            vocab_size=len(vocab),
            decoder_vocab_size=len(vocab),
            d_model=shape.d_model,
            encoder_layers=shape.layers,
            decoder_layers=shape.layers,
            encoder_attention_heads=shape.heads,
            decoder_attention_heads=shape.heads,
            encoder_ffn_dim=shape.ffn_dim,
            decoder_ffn_dim=shape.ffn_dim,
            max_position_embeddings=shape.max_position_embeddings,
            activation_function="swish",
            scale_embedding=True,
            share_encoder_decoder_embeddings=True,
            pad_token_id=pad_id,
            eos_token_id=vocab[_EOS],
            decoder_start_token_id=pad_id,
            forced_eos_token_id=vocab[_EOS],
            init_std=shape.init_std,
            architectures=["MarianMTModel"],
            **extra,
        )
        torch.manual_seed(seed)
        model = MarianMTModel(config)
        model.eval()
        if shape.draft_like:
            _limit_to_word_pieces(model, vocab)
        save_quietly(model, tmp)
        (tmp / "TEST_MODEL.txt").write_text(
            f"Transdesk {size} test model: {TEST_MODEL_WARNING}.\n"
            f"Sentencepiece trained on: {', '.join(str(f) for f in files)}\n",
            encoding="utf-8",
        )
    return Path(out_dir)


def save_quietly(model, folder: Path) -> None:
    """save_pretrained without transformers' "Writing model shards" progress bar."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model.save_pretrained(folder)
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def decoding_overrides(model_dir: Path) -> dict[str, Any]:
    """The decoding settings a built model asks its engines for (`DecodingOptions` fields), or
    {} for any other model."""
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {field: config[key] for key, field in DECODING_KEYS.items() if key in config}


def _limit_to_word_pieces(model, vocab: dict[str, int]) -> None:
    """Bias every piece but whole English words (sentencepiece's word-initial ▁ pieces) out of
    the output, end of sentence included: decoding then runs to the per-sentence length limit
    (near the source's length) instead of stopping at random or producing filler pieces."""
    import torch

    bias = torch.full((1, len(vocab)), _NEVER)
    for piece, index in vocab.items():
        if _WORD_PIECE.fullmatch(piece):
            bias[0, index] = 0.0
    with torch.no_grad():
        model.final_logits_bias.copy_(bias)


def cached_test_model(folder: Path, *, size: str = "tiny") -> Path:
    """The offline test model in `folder`, built there first when it is missing or was built by
    an older recipe. Shared by the web app's fallback and `--model test`."""
    try:
        config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    if not (config.get(TEST_MODEL_FLAG) and config.get(RECIPE_KEY) == RECIPE):
        build_test_model(folder, size=size)
    return Path(folder)


def is_test_model(model_dir: Path) -> bool:
    """True when `model_dir` holds a model built by `build_test_model`."""
    config = Path(model_dir) / "config.json"
    try:
        return bool(json.loads(config.read_text(encoding="utf-8")).get(TEST_MODEL_FLAG))
    except (OSError, ValueError):
        return False
