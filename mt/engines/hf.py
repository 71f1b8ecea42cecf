"""Hugging Face transformers backend: MarianMT, NLLB-200 and M2M100 through `generate`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from mt.engines.base import DecodingOptions, Engine
from mt.engines.tokens import Tokens, quiet_transformers
from mt.errors import ModelError
from mt.types import Hypothesis


def _torch_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"device {device!r} requested but no CUDA device is available")
    return device


class HFEngine(Engine):
    """Translate with `transformers` `generate` (fp32 on CPU, fp16 on CUDA)."""

    name = "transformers"

    def __init__(
        self,
        model_dir: Path,
        *,
        model_id: str,
        revision: str | None = None,
        is_test_model: bool = False,
        device: str = "auto",
        options: DecodingOptions | None = None,
        batch_tokens: int = 2048,
        threads: int | None = None,
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM

        device = _torch_device(device)
        super().__init__(
            model_id=model_id,
            revision=revision,
            is_test_model=is_test_model,
            device=device,
            options=options,
            batch_tokens=batch_tokens,
        )
        if threads:
            torch.set_num_threads(threads)
        quiet_transformers()
        self.tokens = Tokens(model_dir)
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        self.compute_type = "float16" if device.startswith("cuda") else "float32"
        try:
            self.model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir), dtype=dtype)
        except (OSError, ValueError) as e:
            raise ModelError(f"{model_dir}: cannot load the model weights ({e})") from None
        self.model.to(device).eval()

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return self.tokens.count(sentences)

    def translate_batch(
        self, sentences: Sequence[str], *, beam_size: int, max_output_tokens: Sequence[int]
    ) -> list[Hypothesis]:
        import torch

        if not sentences:
            return []
        start = time.perf_counter()
        tok = self.tokens.tokenizer
        enc = tok(list(sentences), return_tensors="pt", padding=True).to(self.device)
        # No forced </s> at the length limit: CTranslate2 simply stops there, and the two
        # backends must give the same text for the same model.
        kwargs: dict[str, object] = {"forced_eos_token_id": None}
        if beam_size > 1:
            kwargs["early_stopping"] = True
        if self.options.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = self.options.no_repeat_ngram_size
        if self.tokens.forced_bos_token_id is not None:
            kwargs["forced_bos_token_id"] = self.tokens.forced_bos_token_id
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                num_beams=beam_size,
                do_sample=False,
                max_new_tokens=max(max_output_tokens),
                min_new_tokens=1,
                output_scores=True,
                return_dict_in_generate=True,
                num_return_sequences=1,
                **kwargs,
            )
            scores = self.model.compute_transition_scores(
                out.sequences,
                out.scores,
                getattr(out, "beam_indices", None),
                normalize_logits=beam_size == 1,
            )
        elapsed_ms = (time.perf_counter() - start) * 1000 / len(sentences)
        results = []
        pad = tok.pad_token_id
        for seq, seq_scores, limit in zip(out.sequences, scores, max_output_tokens, strict=True):
            # Transition scores cover the generated tokens (after the decoder start token). The
            # score is the mean over everything decoded, as CTranslate2 reports it, even where
            # the text is then cut to this sentence's own length limit.
            generated = seq[1:]
            mask = generated[: seq_scores.shape[0]] != pad
            kept = seq_scores[mask]
            kept = kept[torch.isfinite(kept)]
            score = float(kept.mean()) if kept.numel() else 0.0
            text = self.tokens.decode_ids(generated[:limit].tolist())
            results.append(Hypothesis(text=text, score=score, time_ms=elapsed_ms))
        return results
