"""CTranslate2 backend: the transformers model converted once, cached next to it, int8 on CPU."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.engines.base import DecodingOptions, Engine
from mt.engines.tokens import Tokens
from mt.errors import ModelError
from mt.types import Hypothesis

if TYPE_CHECKING:
    import ctranslate2

_MARKER = "transdesk-source.json"
# Hypothesis tokens (sentences × beam × (source + output length)) decoded together per CPU
# replica: about 32 hypotheses of a typical 30-token news sentence. Larger sub-batches push the
# 65k-wide score rows and the decoder caches out of the CPU cache, and long sentences' caches
# grow memory (benchmarks/README.md).
SUB_BATCH_HYPOTHESIS_TOKENS = 3200


def cpu_threads() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cuda_available() -> bool:
    import ctranslate2

    return ctranslate2.get_cuda_device_count() > 0


def default_quantization(device: str) -> str:
    """int8 on CPU; float16 weights on CUDA (computed as int8_float16 or float16)."""
    return "float16" if device == "cuda" else "int8"


def _source_fingerprint(model_dir: Path) -> str:
    """Names, sizes and mtimes of the source weights and config: a stale conversion is redone."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.iterdir()):
        if path.is_file() and path.suffix in (".json", ".safetensors", ".bin", ".spm", ".model"):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()


def converted_dir(model_dir: Path, quantization: str, cache_root: Path | None = None) -> Path:
    """Where the conversion of `model_dir` lives: inside the model folder, or the user cache
    when that folder is read-only (the Hugging Face cache, a shared mount)."""
    local = model_dir / f"ctranslate2-{quantization}"
    if cache_root is None and os.access(model_dir, os.W_OK):
        return local
    from platformdirs import user_cache_dir

    root = cache_root or Path(user_cache_dir("transdesk")) / "ctranslate2"
    key = hashlib.sha256(str(model_dir.resolve()).encode()).hexdigest()[:16]
    return root / f"{model_dir.name}-{key}-{quantization}"


def convert_model(
    model_dir: Path, *, quantization: str = "int8", out_dir: Path | None = None, force: bool = False
) -> Path:
    """Convert a transformers checkpoint to CTranslate2, once; later calls reuse the result.

    Arguments:
        model_dir: a transformers model folder (Marian, NLLB or M2M100).
        quantization: CTranslate2 weight type: int8, int8_float16, float16, float32.
        out_dir: where to write; default `converted_dir(model_dir, quantization)`.
        force: convert again even when an up-to-date conversion exists.

    Returns:
        The converted folder. The conversion is written to a temporary folder and renamed, so
        an interrupted conversion never looks complete.
    """
    model_dir = Path(model_dir)
    target = Path(out_dir) if out_dir else converted_dir(model_dir, quantization)
    fingerprint = _source_fingerprint(model_dir)
    marker = target / _MARKER
    if not force and marker.exists():
        try:
            if json.loads(marker.read_text(encoding="utf-8")).get("fingerprint") == fingerprint:
                return target
        except ValueError:
            pass
    # Imported only to convert: the converters import torch, which a cached model never needs.
    from ctranslate2.converters import TransformersConverter

    from mt.engines.tokens import quiet_transformers

    quiet_transformers()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        TransformersConverter(str(model_dir), low_cpu_mem_usage=True).convert(
            str(tmp / "model"), quantization=quantization, force=True
        )
        (tmp / "model" / _MARKER).write_text(
            json.dumps(
                {"source": str(model_dir), "fingerprint": fingerprint, "quantization": quantization}
            ),
            encoding="utf-8",
        )
        if target.exists():
            shutil.rmtree(target)
        (tmp / "model").rename(target)
    except Exception as e:
        raise ModelError(f"{model_dir}: conversion to CTranslate2 failed ({e})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def open_replicas(
    kind: type[ctranslate2.Translator] | type[ctranslate2.Generator],
    ct2_dir: Path,
    *,
    device: str,
    compute_type: str,
    threads: int,
    replicas: int | None = None,
) -> tuple[Any, int]:
    """A CTranslate2 `Translator` or `Generator` (`kind`) on `ct2_dir`, and its replica count:
    on CPU one replica per core (at most `replicas`) sharing the weights, the threads split
    between them; on CUDA one replica.

    Raises:
        ModelError: CTranslate2 cannot load the folder.
    """
    if device == "cpu":
        count = max(1, min(replicas or threads, threads))
        intra_threads = max(1, threads // count)
    else:
        count, intra_threads = 1, 0
    try:
        model = kind(
            str(ct2_dir),
            device=device,
            compute_type=compute_type,
            inter_threads=count,
            intra_threads=intra_threads,
        )
    except (RuntimeError, ValueError) as e:
        raise ModelError(f"{ct2_dir}: CTranslate2 cannot load it ({e})") from None
    return model, count


class CT2Engine(Engine):
    """Translate with a CTranslate2 `Translator` on tokens from the model's own tokenizer."""

    name = "ctranslate2"

    def __init__(
        self,
        model_dir: Path,
        *,
        model_id: str,
        revision: str | None = None,
        is_test_model: bool = False,
        device: str = "auto",
        compute_type: str | None = None,
        quantization: str | None = None,
        options: DecodingOptions | None = None,
        batch_tokens: int = 2048,
        threads: int | None = None,
        replicas: int | None = None,
        read_only: bool = False,
    ) -> None:
        """`read_only`: never write into `model_dir`; a conversion not already there goes to
        the user cache (used where the folder must stay byte for byte as it is)."""
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
            options=options,
            batch_tokens=batch_tokens,
        )
        self.tokens = Tokens(model_dir)
        self.quantization = quantization or default_quantization(device)
        self.compute_type = compute_type or (
            "int8_float16"
            if device == "cuda" and self.quantization.startswith("int8")
            else "default"
        )
        out_dir = None
        if read_only:
            local = converted_dir(Path(model_dir), self.quantization)
            try:
                marker = json.loads((local / _MARKER).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                marker = {}
            if marker.get("fingerprint") != _source_fingerprint(Path(model_dir)):
                from platformdirs import user_cache_dir

                cache = Path(user_cache_dir("transdesk")) / "ctranslate2"
                out_dir = converted_dir(Path(model_dir), self.quantization, cache_root=cache)
        self.ct2_dir = convert_model(
            Path(model_dir), quantization=self.quantization, out_dir=out_dir
        )
        self.threads = threads or cpu_threads()
        # On CPU, one model replica per core (the weights are shared): a batch is cut into
        # sub-batches that decode side by side, which beats splitting each small decoding step
        # over threads. On CUDA, one replica takes the whole batch.
        self.translator, self.replicas = open_replicas(
            ctranslate2.Translator,
            self.ct2_dir,
            device=device,
            compute_type=self.compute_type,
            threads=self.threads,
            replicas=replicas,
        )

    def signature(self, beam_size: int | None = None) -> dict[str, object]:
        return {
            **super().signature(beam_size),
            "quantization": self.quantization,
            "compute_type": self.translator.compute_type,
        }

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return self.tokens.count(sentences)

    def sub_batch_size(self, n: int, beam_size: int, sentence_tokens: int = 100) -> int:
        """Sentences per sub-batch of a batch of `n` (all of them on CUDA). On CPU: at least
        two sub-batches, for the replicas to share, each of at most
        `SUB_BATCH_HYPOTHESIS_TOKENS` hypothesis tokens, where a sentence's hypotheses hold
        `beam_size × sentence_tokens` (longest source plus decoding limit). A function of the
        batch alone, not of the thread count, so every machine cuts a batch the same way."""
        if self.device != "cpu" or n <= 1:
            return max(1, n)
        per_sentence = max(1, beam_size) * max(1, sentence_tokens)
        parts = max(2, -(-n * per_sentence // SUB_BATCH_HYPOTHESIS_TOKENS))
        return -(-n // parts)

    def translate_tokens(
        self, source: Sequence[Sequence[str]], *, beam_size: int, max_output_tokens: Sequence[int]
    ) -> list:
        """The bare CTranslate2 calls for one batch: `TranslationResult`s in input order, the
        target prefix kept. The batch is sorted by length and cut into sub-batches, all queued
        at once so the replicas share them. Every sub-batch decodes up to the batch's longest
        limit, as one call would: a hypothesis' score (mean log-probability of what was
        decoded) must not depend on how the batch was cut."""
        prefix = self.tokens.target_prefix
        extra = 1 if prefix else 0  # the target-language token counts as decoded
        order = sorted(range(len(source)), key=lambda i: (len(source[i]), i))
        limit = max(max_output_tokens) + extra
        longest = max(len(tokens) for tokens in source)
        size = self.sub_batch_size(len(order), beam_size, longest + limit)
        pending = []
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            pending.append(
                self.translator.translate_batch(
                    [list(source[i]) for i in chunk],
                    target_prefix=[prefix] * len(chunk) if prefix else None,
                    beam_size=beam_size,
                    max_batch_size=0,
                    max_decoding_length=limit,
                    min_decoding_length=1 + extra,
                    no_repeat_ngram_size=self.options.no_repeat_ngram_size,
                    return_scores=True,
                    asynchronous=True,
                )
            )
        results: list = [None] * len(order)
        for start, futures in zip(range(0, len(order), size), pending, strict=True):
            for i, future in zip(order[start : start + size], futures, strict=True):
                results[i] = future.result()
        return results

    def translate_batch(
        self, sentences: Sequence[str], *, beam_size: int, max_output_tokens: Sequence[int]
    ) -> list[Hypothesis]:
        if not sentences:
            return []
        start = time.perf_counter()
        results = self.translate_tokens(
            self.tokens.encode_tokens(sentences),
            beam_size=beam_size,
            max_output_tokens=max_output_tokens,
        )
        extra = 1 if self.tokens.target_prefix else 0
        elapsed_ms = (time.perf_counter() - start) * 1000 / len(sentences)
        return [
            Hypothesis(
                # Each sentence is cut to its own limit (the batch decodes to the largest).
                text=self.tokens.decode_tokens(r.hypotheses[0][: limit + extra]),
                score=float(r.scores[0]) if r.scores else 0.0,
                time_ms=elapsed_ms,
            )
            for r, limit in zip(results, max_output_tokens, strict=True)
        ]
