"""Fine-tune a translation model on approved pairs with transformers, resumably, on a budget.

Why one module (about 540 lines): `train` is one resumable loop whose checkpoint holds the state of
every helper here (batches, loss, best weights, random state); split, that state would cross
modules.

`train(base_dir, split, work_dir, settings)` trains from the base model's weights (read, never
written) and returns the best weights' folder inside `work_dir`:

- **Method**: ``full`` fine-tuning (every weight) for models up to `LORA_ABOVE` parameters (the
  78M opus-mt-ko-en, the 240M tc-big), LoRA adapters (`peft`) for larger ones (NLLB-600M, ...);
  the adapters are merged into the weights before saving, since CTranslate2 cannot load them.
- **Defaults**: AdamW, learning rate 5e-5 (full) or 5e-4 (LoRA) with 10% linear warm-up and
  linear decay, label smoothing 0.1, gradient clipping 1.0, batches of about 2,048 tokens
  sorted by length, at most 5 epochs, early stopping when the development loss has not
  improved for 2 evaluations (each epoch and every `eval_every` steps). Seeded: the same
  data, settings and seed give the same batches.
- **Budget**: `max_minutes` stops training (the best weights so far are kept); `max_steps`
  caps optimiser steps (0: the base model unchanged, a control).
- **Resumption**: a checkpoint (weights, optimiser, scheduler, position, best loss, random
  state) is written atomically to `work_dir` every `checkpoint_minutes` and when training is
  interrupted (Ctrl-C); `train(..., resume=True)` continues from it, on the split saved with it.
- **Memory**: fp32 weights, gradients and two AdamW moments (16 bytes a parameter: 1.25 GB for
  78M) plus one batch's activations; the output layer's logits are computed 512 tokens at a time
  and recomputed for the backward pass, so a 65k vocabulary does not multiply the batch's memory;
  the development loss runs without gradients.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.errors import InvalidValue, ModelError, TransdeskError

if TYPE_CHECKING:
    from mt.adapt.data import Split


__all__ = ["LORA_ABOVE", "TrainResult", "TrainSettings", "train"]

LORA_ABOVE = 400_000_000
_CHECKPOINT = "checkpoint.pt"
_STATE = "state.json"
_BEST = "best"
METHODS = ("auto", "full", "lora")

# (step, total steps, last loss, note) — note says what the run is doing ("dev loss 2.31").
Progress = Callable[[int, int, float | None, str], None]


@dataclass(frozen=True)
class TrainSettings:
    """How to fine-tune; recorded in the model card."""

    method: str = "auto"
    learning_rate: float | None = None
    epochs: int = 5
    batch_tokens: int = 2048
    max_steps: int | None = None
    max_minutes: float | None = None
    patience: int = 2
    eval_every: int = 200
    warmup: float = 0.1
    label_smoothing: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 256
    seed: int = 0
    device: str = "auto"
    lora_r: int = 16
    lora_alpha: int = 32
    checkpoint_minutes: float = 5.0

    def check(self) -> TrainSettings:
        """The settings, validated; InvalidValue naming the first bad one."""
        if self.method not in METHODS:
            raise InvalidValue(f"method {self.method!r}: choose {', '.join(METHODS)}")
        if self.learning_rate is not None and not 0 < self.learning_rate < 1:
            raise InvalidValue(f"learning rate {self.learning_rate:g} must be between 0 and 1")
        if self.epochs < 1:
            raise InvalidValue("epochs must be at least 1")
        if self.batch_tokens < 16:
            raise InvalidValue("batch tokens must be at least 16")
        if self.max_steps is not None and self.max_steps < 0:
            raise InvalidValue("max steps cannot be negative")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise InvalidValue("max minutes must be more than 0")
        return self


@dataclass(frozen=True)
class TrainResult:
    """What training produced: the best weights' folder and how it got there."""

    model_dir: Path
    method: str
    parameters: int
    trainable: int
    steps: int
    epochs_done: float
    best_dev_loss: float | None
    first_dev_loss: float | None
    stopped: str  # "completed", "early stopping", "time budget", "max steps"
    seconds: float
    device: str
    settings: dict[str, Any]


def _device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"device {requested!r} requested but no CUDA device is available")
    if requested != "cpu" and not requested.startswith("cuda"):
        raise InvalidValue(f"device {requested!r}: choose auto, cpu or cuda")
    return requested


def _encode(
    tokenizer: Any, pairs: Sequence[Any], max_length: int, barred: set[int]
) -> list[tuple[list, list, list]]:
    """Token ids of each pair (source, target to predict, full target); target tokens the
    model is barred from producing (`barred`) are not predicted (-100)."""
    enc = tokenizer(
        [p.source for p in pairs],
        text_target=[p.target for p in pairs],
        truncation=True,
        max_length=max_length,
    )
    return [
        (src, [-100 if t in barred else t for t in tgt], tgt)
        for src, tgt in zip(enc["input_ids"], enc["labels"], strict=True)
    ]


def _barred(model: Any) -> set[int]:
    """Output tokens a fixed logit bias keeps out of every output (Marian's
    `final_logits_bias`, a buffer training does not change): the offline test model bars all
    but English word pieces, real models bar nothing."""
    bias = getattr(model, "final_logits_bias", None)
    if bias is None:
        return set()
    return {int(i) for i in (bias.reshape(-1) <= -1e3).nonzero().reshape(-1).tolist()}


def _batches(
    examples: Sequence[tuple], batch_tokens: int, rng: random.Random | None
) -> list[list[int]]:
    """Indices cut into batches of similar length whose padded size fits `batch_tokens`;
    shuffled (a seeded `rng`) within length buckets and in batch order."""
    order = list(range(len(examples)))
    if rng is not None:
        rng.shuffle(order)
    size = lambda i: max(len(examples[i][0]), len(examples[i][1]))  # noqa: E731
    # Sort within windows of 50 batches' worth: similar lengths together, order still random.
    window = max(1, 50 * batch_tokens // 32)
    order = [
        i for s in range(0, len(order), window) for i in sorted(order[s : s + window], key=size)
    ]
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        n = size(i)
        if current and max(longest, n) * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, n)
    if current:
        batches.append(current)
    if rng is not None:
        rng.shuffle(batches)
    return batches


def _collate(examples: Sequence[tuple], idx: Sequence[int], pad: int, device: str, start: int):
    import torch

    src = [examples[i][0] for i in idx]
    tgt = [examples[i][1] for i in idx]
    ls, lt = max(map(len, src)), max(map(len, tgt))
    input_ids = torch.full((len(idx), ls), pad, dtype=torch.long)
    attention = torch.zeros((len(idx), ls), dtype=torch.long)
    labels = torch.full((len(idx), lt), -100, dtype=torch.long)
    decoder_input = torch.full((len(idx), lt), pad, dtype=torch.long)
    decoder_input[:, 0] = start
    for row, (s, t) in enumerate(zip(src, tgt, strict=True)):
        input_ids[row, : len(s)] = torch.tensor(s)
        attention[row, : len(s)] = 1
        labels[row, : len(t)] = torch.tensor(t)
    # Teacher forcing shifts the full target right after the decoder start token,
    # barred tokens included: they are read as context, only not predicted.
    full = [examples[i][2] for i in idx]
    for row, t in enumerate(full):
        decoder_input[row, 1 : len(t)] = torch.tensor(t[:-1])
    return {
        "input_ids": input_ids.to(device),
        "attention_mask": attention.to(device),
        "decoder_input_ids": decoder_input.to(device),
        "labels": labels.to(device),
    }


# Target tokens whose output-layer logits are computed at a time. A 65k vocabulary makes the
# logits of a 2,048-token batch 0.5 GB (and as much again for softmax and gradient); computed in
# chunks and recomputed in the backward pass (activation checkpointing) they stay ~0.1 GB.
_LOGIT_CHUNK = 512


def _loss(model: Any, batch: dict, smoothing: float):
    """Mean token cross-entropy of the batch's labels (-100 ignored)."""
    import torch
    from torch.utils.checkpoint import checkpoint

    net = model.get_base_model() if hasattr(model, "get_base_model") else model
    head = getattr(net, "lm_head", None)
    if head is None or not hasattr(net, "model"):  # not an encoder-decoder with an output head
        out = model(**batch)
        return torch.nn.functional.cross_entropy(
            out.logits.reshape(-1, out.logits.shape[-1]).float(),
            batch["labels"].reshape(-1),
            ignore_index=-100,
            label_smoothing=smoothing,
        )
    hidden = net.model(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        decoder_input_ids=batch["decoder_input_ids"],
    ).last_hidden_state
    labels = batch["labels"]
    keep = labels != -100
    states, targets = hidden[keep], labels[keep]
    bias = getattr(net, "final_logits_bias", None)

    def chunk_loss(h: Any, y: Any) -> Any:
        logits = head(h)
        if bias is not None:
            logits = logits + bias
        return torch.nn.functional.cross_entropy(
            logits.float(), y, reduction="sum", label_smoothing=smoothing
        )

    total = hidden.new_zeros(())
    for at in range(0, targets.shape[0], _LOGIT_CHUNK):
        h, y = states[at : at + _LOGIT_CHUNK], targets[at : at + _LOGIT_CHUNK]
        if torch.is_grad_enabled():
            total = total + checkpoint(chunk_loss, h, y, use_reentrant=False)
        else:
            total = total + chunk_loss(h, y)
    return total / max(1, targets.shape[0])


def _dev_loss(
    model: Any, examples: Sequence, batch_tokens: int, pad: int, device: str, start: int
) -> float:
    """Mean token cross-entropy (no smoothing) of the development pairs."""
    import torch

    if not examples:
        return float("nan")
    model.eval()
    total, tokens = 0.0, 0
    with torch.inference_mode():
        for idx in _batches(examples, batch_tokens, None):
            batch = _collate(examples, idx, pad, device, start)
            n = int((batch["labels"] != -100).sum())
            total += float(_loss(model, batch, 0.0)) * n
            tokens += n
    model.train()
    return total / max(tokens, 1)


def _atomic_save(obj: Any, path: Path) -> None:
    import torch

    from mt.formats.base import atomic_output

    with atomic_output(path) as f:
        torch.save(obj, f)


def _write_json(path: Path, data: dict) -> None:
    from mt.formats.base import atomic_write

    atomic_write(path, json.dumps(data, indent=2).encode("utf-8"))


def _save_best(model: Any, tokenizer: Any, base_dir: Path, work_dir: Path, lora: bool) -> None:
    """The current weights as a complete model folder `work_dir/best` (atomic replace)."""
    from transformers.utils import logging as hf_logging

    tmp = work_dir / ".best.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    # The base folder's tokenizer and config files travel with the weights (copied, read only).
    for f in base_dir.iterdir():
        if (
            f.is_file()
            and f.suffix in (".json", ".spm", ".model", ".txt")
            and f.name != "README.md"
        ):
            shutil.copy2(f, tmp / f.name)
    hf_logging.disable_progress_bar()
    if lora:
        import copy

        merged = copy.deepcopy(model).merge_and_unload()
        merged.save_pretrained(tmp)
        del merged
    else:
        model.save_pretrained(tmp)
    best = work_dir / _BEST
    old = work_dir / ".best.old"
    shutil.rmtree(old, ignore_errors=True)
    if best.exists():
        best.rename(old)
    tmp.rename(best)
    shutil.rmtree(old, ignore_errors=True)


def _method(requested: str, parameters: int) -> str:
    if requested != "auto":
        return requested
    return "lora" if parameters > LORA_ABOVE else "full"


def train(
    base_dir: Path,
    split: Split,
    work_dir: Path,
    settings: TrainSettings,
    *,
    resume: bool = False,
    progress: Progress | None = None,
) -> TrainResult:
    """Fine-tune the model in `base_dir` on `split.train`, early-stopping on `split.dev`.

    Arguments:
        base_dir: a transformers translation model folder; read only.
        split: an `mt.adapt.data.Split`.
        work_dir: the run's working folder (checkpoint, best weights); kept for resumption.
        resume: continue from the checkpoint in `work_dir`.
        progress: called after each step.

    Returns:
        A `TrainResult` whose `model_dir` (in `work_dir`) holds the best weights, merged.

    Raises:
        ModelError: the model cannot be loaded or trained (e.g. out of memory); InvalidValue:
            a bad setting; TransdeskError: LoRA requested and peft is not installed.
    """
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from mt.engines.tokens import quiet_transformers

    settings = settings.check()
    quiet_transformers()
    device = _device(settings.device)
    start = time.monotonic()
    work_dir.mkdir(parents=True, exist_ok=True)
    state_file, ckpt_file = work_dir / _STATE, work_dir / _CHECKPOINT
    state: dict[str, Any] = {}
    if resume and state_file.exists() and ckpt_file.exists():
        state = json.loads(state_file.read_text(encoding="utf-8"))
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
        model = AutoModelForSeq2SeqLM.from_pretrained(str(base_dir), dtype=torch.float32)
    except (OSError, ValueError) as e:
        raise ModelError(f"{base_dir}: cannot load the model to train ({e})") from None
    parameters = sum(p.numel() for p in model.parameters())
    method = _method(settings.method, parameters)
    lr = settings.learning_rate or (5e-4 if method == "lora" else 5e-5)
    settings = replace(settings, method=method, learning_rate=lr)
    if method == "lora":
        try:
            from peft import LoraConfig, TaskType, get_peft_model
        except ImportError:
            raise TransdeskError(
                "LoRA needs the peft package: pip install 'transdesk[adapt]' (or peft)"
            ) from None
        model = get_peft_model(
            model,
            LoraConfig(
                task_type=TaskType.SEQ_2_SEQ_LM,
                r=settings.lora_r,
                lora_alpha=settings.lora_alpha,
                lora_dropout=0.05,
                target_modules=["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"],
            ),
        )
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    model.to(device).train()
    random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    pad = tokenizer.pad_token_id
    barred = _barred(model.get_base_model() if method == "lora" else model)
    start_id = model.config.decoder_start_token_id
    start_id = pad if start_id is None else int(start_id)
    train_ex = _encode(tokenizer, split.train, settings.max_length, barred)
    dev_ex = _encode(tokenizer, split.dev, settings.max_length, barred)
    per_epoch = len(_batches(train_ex, settings.batch_tokens, random.Random(settings.seed)))
    total = per_epoch * settings.epochs
    if settings.max_steps is not None:
        total = min(total, settings.max_steps)
    params = [p for p in model.parameters() if p.requires_grad]
    # foreach=False: the multi-tensor update allocates temporaries the size of all weights.
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=settings.weight_decay, foreach=False)
    warm = max(1, int(settings.warmup * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))),
    )
    step = int(state.get("step", 0))
    best = state.get("best_dev_loss")
    first = state.get("first_dev_loss")
    bad_evals = int(state.get("bad_evals", 0))
    spent = float(state.get("seconds", 0.0))
    if state:
        ckpt = torch.load(ckpt_file, map_location=device, weights_only=False)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        torch.set_rng_state(ckpt["torch_rng"])
    elif first is None:
        first = _dev_loss(model, dev_ex, settings.batch_tokens, pad, device, start_id)
        best = first
        _save_best(model, tokenizer, base_dir, work_dir, method == "lora")  # step 0 = the base
    stopped = "completed"

    def checkpoint() -> None:
        _atomic_save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "torch_rng": torch.get_rng_state(),
            },
            ckpt_file,
        )
        _write_json(
            state_file,
            {
                "step": step,
                "best_dev_loss": best,
                "first_dev_loss": first,
                "bad_evals": bad_evals,
                "seconds": spent + time.monotonic() - start,
                "settings": asdict(settings),
                "base": str(base_dir),
            },
        )

    def evaluate() -> bool:
        """Development loss now; True when training should stop early."""
        nonlocal best, bad_evals
        loss = _dev_loss(model, dev_ex, settings.batch_tokens, pad, device, start_id)
        if progress:
            progress(step, total, None, f"dev loss {loss:.3f}")
        if best is None or math.isnan(best) or loss < best - 1e-4:
            best, bad_evals = loss, 0
            _save_best(model, tokenizer, base_dir, work_dir, method == "lora")
            return False
        bad_evals += 1
        return bad_evals >= settings.patience

    last_ckpt = time.monotonic()
    budget = settings.max_minutes * 60 if settings.max_minutes else None
    try:
        while step < total:
            epoch, offset = divmod(step, per_epoch)
            batches = _batches(
                train_ex, settings.batch_tokens, random.Random(settings.seed * 1000 + epoch)
            )
            for idx in batches[offset:]:
                if step >= total:
                    break
                loss = _loss(
                    model, _collate(train_ex, idx, pad, device, start_id), settings.label_smoothing
                )
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                if progress:
                    progress(step, total, float(loss.detach()), "")
                end_of_epoch = step % per_epoch == 0
                if (
                    end_of_epoch or step % settings.eval_every == 0 or step == total
                ) and evaluate():
                    stopped = "early stopping"
                    break
                if budget is not None and spent + time.monotonic() - start > budget:
                    if not end_of_epoch and step % settings.eval_every and step != total:
                        evaluate()
                    stopped = "time budget"
                    break
                if time.monotonic() - last_ckpt > settings.checkpoint_minutes * 60:
                    checkpoint()
                    last_ckpt = time.monotonic()
            if stopped != "completed":
                break
    except KeyboardInterrupt:
        checkpoint()  # resumable from here
        raise
    except torch.OutOfMemoryError:
        raise ModelError(
            "out of memory while training: lower the batch tokens, or use LoRA"
        ) from None
    if stopped == "completed" and settings.max_steps is not None and step >= settings.max_steps:
        stopped = "max steps" if settings.max_steps < per_epoch * settings.epochs else stopped
    checkpoint()
    seconds = spent + time.monotonic() - start
    return TrainResult(
        model_dir=work_dir / _BEST,
        method=method,
        parameters=parameters,
        trainable=trainable,
        steps=step,
        epochs_done=round(step / per_epoch, 3) if per_epoch else 0.0,
        best_dev_loss=None if best is None or math.isnan(best) else round(best, 4),
        first_dev_loss=None if first is None or math.isnan(first) else round(first, 4),
        stopped=stopped,
        seconds=round(seconds, 1),
        device=device,
        settings=asdict(settings),
    )


def clear_work_dir(work_dir: Path) -> None:
    """Remove a run's working folder (after success, or when a new run starts afresh)."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(work_dir)
