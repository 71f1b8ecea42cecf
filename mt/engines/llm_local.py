"""Local LLM drafting through transformers: AutoModelForCausalLM with the model's chat template."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mt.engines.hf import _torch_device
from mt.engines.llm import LLMEngine, LLMSettings, chat_prompt, needs_chat_template
from mt.engines.tokens import quiet_transformers
from mt.errors import ModelError


def load_chat_tokenizer(model_dir: Path, *, trust_remote_code: bool = False):
    """The model's tokenizer, padding on the left (generation continues each prompt)."""
    from transformers import AutoTokenizer

    quiet_transformers()
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            str(model_dir), trust_remote_code=trust_remote_code
        )
    except (OSError, ValueError) as e:
        raise ModelError(f"{model_dir}: cannot load its tokenizer ({e})") from None
    needs_chat_template(tokenizer, model_dir)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def stop_ids(tokenizer, model_dir: Path) -> set[int]:
    """Token ids that end a reply: the tokenizer's EOS and the generation config's."""
    ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    try:
        from transformers import GenerationConfig

        eos = GenerationConfig.from_pretrained(str(model_dir)).eos_token_id
        ids.update(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    except (OSError, ValueError):
        pass
    return ids


class LocalLLMEngine(LLMEngine):
    """Draft with a causal LM through transformers `generate` (fp32 on CPU, fp16 on CUDA)."""

    name = "llm-transformers"

    def __init__(
        self,
        model_dir: Path,
        *,
        model_id: str,
        settings: LLMSettings,
        revision: str | None = None,
        is_test_model: bool = False,
        device: str = "auto",
        batch_tokens: int = 2048,
        threads: int | None = None,
        trust_remote_code: bool = False,
        **_ignored: object,
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM

        device = _torch_device(device)
        super().__init__(
            model_id=model_id,
            revision=revision,
            is_test_model=is_test_model,
            device=device,
            settings=settings,
            batch_tokens=batch_tokens,
        )
        if threads:
            torch.set_num_threads(threads)
        self.tokenizer = load_chat_tokenizer(model_dir, trust_remote_code=trust_remote_code)
        self.stop = stop_ids(self.tokenizer, model_dir)
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        try:
            self.model = AutoModelForCausalLM.from_pretrained(
                str(model_dir), dtype=dtype, trust_remote_code=trust_remote_code
            )
        except (OSError, ValueError) as e:
            raise ModelError(f"{model_dir}: cannot load the model weights ({e})") from None
        # transformers wraps `to` with functools.wraps, whose stub loses the bound `self`.
        self.model.to(device).eval()  # type: ignore[arg-type]

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return [
            len(ids)
            for ids in self.tokenizer(list(sentences), add_special_tokens=False)["input_ids"]
        ]

    def generate(
        self, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: Sequence[int]
    ) -> list[tuple[str, float]]:
        import torch

        prompts = [chat_prompt(self.tokenizer, m) for m in conversations]
        enc = self.tokenizer(
            prompts, add_special_tokens=False, padding=True, return_tensors="pt"
        ).to(self.device)
        temperature = self.settings.temperature
        sampling: dict[str, Any] = {
            "do_sample": False,
            "temperature": None,
            "top_p": None,
            "top_k": None,
        }
        if temperature > 0:
            torch.manual_seed(self.settings.seed)
            sampling = {"do_sample": True, "temperature": temperature}
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                max_new_tokens=max(max_new_tokens),
                min_new_tokens=1,
                num_beams=1,
                eos_token_id=sorted(self.stop) or None,
                pad_token_id=self.tokenizer.pad_token_id,
                output_scores=True,
                return_dict_in_generate=True,
                **sampling,
            )
            # transformers types the auto model's `self` apart from GenerationMixin's.
            scores = self.model.compute_transition_scores(  # type: ignore[misc]
                out.sequences, out.scores, normalize_logits=True
            )
        prompt_len = enc["input_ids"].shape[1]
        results = []
        self.generated_tokens = 0
        for seq, seq_scores, limit in zip(out.sequences, scores, max_new_tokens, strict=True):
            generated = seq[prompt_len:].tolist()
            kept: list[int] = []
            for token in generated[:limit]:
                if token in self.stop:
                    break
                kept.append(token)
            self.generated_tokens += len(kept)
            values = [float(v) for v in seq_scores[: max(1, len(kept))] if math.isfinite(float(v))]
            score = sum(values) / len(values) if values else math.nan
            text = self.tokenizer.decode(
                kept, skip_special_tokens=True, clean_up_tokenization_spaces=False
            )
            results.append((text.strip(), score))
        return results
