"""Local LLM drafting through a CTranslate2 `Generator` (int8 on CPU, float16 on CUDA).

The transformers checkpoint is converted once and cached next to it (`mt.engines.ct2`), as for
the NMT models. Prompts are rendered with the model's own chat template and tokenised by its own
tokenizer; CTranslate2 takes the token strings and returns ids, which the tokenizer decodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from mt.engines.ct2 import (
    convert_model,
    cpu_threads,
    cuda_available,
    default_quantization,
    open_replicas,
)
from mt.engines.llm import LLMEngine, LLMSettings, chat_prompt
from mt.engines.llm_local import load_chat_tokenizer, stop_ids
from mt.errors import ModelError


class CT2LLMEngine(LLMEngine):
    """Draft with a causal LM converted to CTranslate2; greedy at temperature 0."""

    name = "llm-ctranslate2"

    def __init__(
        self,
        model_dir: Path,
        *,
        model_id: str,
        settings: LLMSettings,
        revision: str | None = None,
        is_test_model: bool = False,
        device: str = "auto",
        compute_type: str | None = None,
        quantization: str | None = None,
        batch_tokens: int = 2048,
        threads: int | None = None,
        replicas: int | None = None,
        trust_remote_code: bool = False,
        **_ignored: object,
    ) -> None:
        import ctranslate2

        if device == "auto":
            device = "cuda" if cuda_available() else "cpu"
        elif device.startswith("cuda") and not cuda_available():
            raise ModelError(f"device {device!r} requested but no CUDA device is available")
        device = "cuda" if device.startswith("cuda") else device
        super().__init__(
            model_id=model_id,
            revision=revision,
            is_test_model=is_test_model,
            device=device,
            settings=settings,
            batch_tokens=batch_tokens,
        )
        self.tokenizer = load_chat_tokenizer(model_dir, trust_remote_code=trust_remote_code)
        self.stop = sorted(stop_ids(self.tokenizer, model_dir))
        self.quantization = quantization or default_quantization(device)
        self.compute_type = compute_type or "default"
        self.ct2_dir = convert_model(Path(model_dir), quantization=self.quantization)
        # One replica per core sharing the weights; a batch is split between them.
        self.generator, self.replicas = open_replicas(
            ctranslate2.Generator,
            self.ct2_dir,
            device=device,
            compute_type=self.compute_type,
            threads=threads or cpu_threads(),
            replicas=replicas,
        )

    def signature(self, beam_size: int | None = None) -> dict[str, object]:
        return {
            **super().signature(beam_size),
            "quantization": self.quantization,
            "compute_type": self.generator.compute_type,
        }

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        encoded = self.tokenizer(list(sentences), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def prompt_tokens(self, conversations: Sequence[list[dict[str, str]]]) -> list[list[str]]:
        """The rendered prompts as token strings, as the Generator takes them."""
        prompts = [chat_prompt(self.tokenizer, m) for m in conversations]
        ids = self.tokenizer(prompts, add_special_tokens=False)["input_ids"]
        return [self.tokenizer.convert_ids_to_tokens(row) for row in ids]

    def generate_tokens(
        self, prompts: Sequence[Sequence[str]], *, max_new_tokens: Sequence[int]
    ) -> list:
        """The bare CTranslate2 calls: `GenerationResult`s in input order (prompt excluded).
        The batch is sorted by prompt length and shared between the replicas."""
        temperature = self.settings.temperature
        sampling = (
            {"sampling_topk": 1}
            if temperature == 0
            else {"sampling_topk": 0, "sampling_temperature": temperature}
        )
        order = sorted(range(len(prompts)), key=lambda i: (len(prompts[i]), i))
        size = max(1, -(-len(order) // self.replicas))
        pending = []
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            pending.append(
                self.generator.generate_batch(
                    [list(prompts[i]) for i in chunk],
                    max_length=max(max_new_tokens),
                    min_length=1,
                    end_token=self.stop or None,
                    include_prompt_in_result=False,
                    return_scores=True,
                    asynchronous=True,
                    **sampling,
                )
            )
        results: list = [None] * len(order)
        for start, futures in zip(range(0, len(order), size), pending, strict=True):
            for i, future in zip(order[start : start + size], futures, strict=True):
                results[i] = future.result()
        return results

    def generate(
        self, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: Sequence[int]
    ) -> list[tuple[str, float]]:
        results = self.generate_tokens(
            self.prompt_tokens(conversations), max_new_tokens=max_new_tokens
        )
        out = []
        self.generated_tokens = 0
        for result, limit in zip(results, max_new_tokens, strict=True):
            ids = [t for t in result.sequences_ids[0][:limit] if t not in self.stop]
            self.generated_tokens += len(ids)
            score = float(result.scores[0]) if result.scores else math.nan
            text = self.tokenizer.decode(
                ids, skip_special_tokens=True, clean_up_tokenization_spaces=False
            )
            out.append((text.strip(), score))
        return out
