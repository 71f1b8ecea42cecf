"""Sentencepiece tokenisation shared by both backends, with each model family's language codes."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from mt.errors import ModelError
from mt.models.registry import LANGUAGE_CODES


def model_family(model_dir: Path) -> str:
    """ "marian", "nllb" or "m2m100", from the folder's config and tokenizer files."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{model_dir}: unreadable config.json ({e})") from None
    model_type = config.get("model_type", "")
    if model_type == "marian":
        return "marian"
    if model_type == "m2m_100":
        tok_config = model_dir / "tokenizer_config.json"
        text = tok_config.read_text(encoding="utf-8") if tok_config.exists() else ""
        return "nllb" if "Nllb" in text or "eng_Latn" in text else "m2m100"
    raise ModelError(
        f"{model_dir}: model type {model_type!r} is not a supported translation "
        "model (Marian, NLLB or M2M100)"
    )


def quiet_transformers() -> None:
    """Keep transformers' load-time chatter (progress bars, length notices) off the user's terminal;
    over-long inputs are split by the engine, so the length notice does not apply."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


class Tokens:
    """A model folder's tokenizer, set up for Korean→English."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = Path(model_dir)
        self.family = model_family(self.model_dir)
        self.source_code, self.target_code = LANGUAGE_CODES[self.family]

    @cached_property
    def tokenizer(self):
        if self.family == "marian":
            # The class AutoTokenizer picks for Marian, loaded directly: AutoTokenizer's
            # lookup imports torch, which cost `transdesk translate` 1.5 s of start-up and
            # about 190 MB of memory on the CTranslate2 path, which never uses torch.
            from transformers.models.marian.tokenization_marian import MarianTokenizer

            load: Callable[..., Any] = MarianTokenizer.from_pretrained
        else:
            from transformers import AutoTokenizer

            load = AutoTokenizer.from_pretrained

        quiet_transformers()

        kwargs = {}
        if self.family in ("nllb", "m2m100"):
            kwargs = {"src_lang": self.source_code, "tgt_lang": self.target_code}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            try:
                return load(str(self.model_dir), **kwargs)
            except (OSError, ValueError) as e:
                raise ModelError(f"{self.model_dir}: cannot load its tokenizer ({e})") from None

    @cached_property
    def target_prefix(self) -> list[str] | None:
        """The token the decoder must start with (NLLB/M2M100 target language), or None."""
        if self.family == "nllb":
            return [self.target_code]
        if self.family == "m2m100":
            return [f"__{self.target_code}__"]
        return None

    @cached_property
    def forced_bos_token_id(self) -> int | None:
        prefix = self.target_prefix
        return self.tokenizer.convert_tokens_to_ids(prefix[0]) if prefix else None

    def encode_ids(self, sentences: Sequence[str]) -> list[list[int]]:
        """Token ids with the family's special tokens (Marian appends </s>; NLLB adds kor_Hang)."""
        return self.tokenizer(list(sentences), add_special_tokens=True)["input_ids"]

    def encode_tokens(self, sentences: Sequence[str]) -> list[list[str]]:
        """Token strings for CTranslate2, which takes tokens, not ids."""
        return [self.tokenizer.convert_ids_to_tokens(ids) for ids in self.encode_ids(sentences)]

    def count(self, sentences: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self.encode_ids(sentences)]

    def decode_ids(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(
            ids, skip_special_tokens=True, clean_up_tokenization_spaces=False
        ).strip()

    def decode_tokens(self, tokens: Sequence[str]) -> str:
        if self.target_prefix and tokens and tokens[0] == self.target_prefix[0]:
            tokens = tokens[1:]
        return self.decode_ids(self.tokenizer.convert_tokens_to_ids(list(tokens)))
