"""Speed and memory of `transdesk adapt` training: one epoch on 1,000 real NTREX-128 pairs with
the opus-mt-ko-en-shaped model (`mt/models/build_test.py` size "full", 78M parameters).

    PYTHONPATH=. python benchmarks/adapt_speed.py [--pairs 1000] [--device auto] [--model DIR]

Prints one JSON line: seconds for the epoch, steps, tokens per second, peak RSS of the process
(weights, gradients, AdamW moments and activations), the device, and the 1-minute load
average before and after (the machine is shared; a loaded machine is slower). The model is
built once into benchmarks/.cache/adapt-model-full (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _pairs(n: int):
    """`n` real Korean–English pairs: NTREX-128, then WMT24++ and JHE news when more are needed."""
    from mt.adapt.data import Pair

    ko: list[str] = []
    en: list[str] = []
    for corpus in ("ntrex128", "wmt24pp", "jhe"):
        ko += (ROOT / f"tests/data/{corpus}/ko.txt").read_text(encoding="utf-8").splitlines()
        en += (ROOT / f"tests/data/{corpus}/en.txt").read_text(encoding="utf-8").splitlines()
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [
        Pair(k, e, i // 15, i, "mt", t0 + timedelta(minutes=i))
        for i, (k, e) in enumerate(zip(ko, en, strict=True))
    ][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--dev", type=int, default=50)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-tokens", type=int, default=2048)
    parser.add_argument("--model", type=Path, default=ROOT / "benchmarks/.cache/adapt-model-full")
    args = parser.parse_args()

    from mt.adapt.data import Split
    from mt.adapt.train import TrainSettings, train
    from mt.models.build_test import build_test_model, is_test_model

    if not is_test_model(args.model):
        started = time.monotonic()
        build_test_model(args.model, size="full")
        print(f"built {args.model} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    pairs = _pairs(args.pairs + args.dev)
    split = Split(train=pairs[: args.pairs], dev=pairs[args.pairs :], heldout=[])
    load_before = os.getloadavg()[0]
    steps: list[float] = []
    settings = TrainSettings(
        epochs=1, seed=0, device=args.device, batch_tokens=args.batch_tokens, eval_every=10**9
    )
    with tempfile.TemporaryDirectory() as work:
        started = time.monotonic()
        result = train(
            args.model,
            split,
            Path(work),
            settings,
            progress=lambda s, t, loss, note: steps.append(time.monotonic()) if not note else None,
        )
        seconds = time.monotonic() - started
    epoch = steps[-1] - steps[0] if len(steps) > 1 else seconds
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(args.model))
    tokens = sum(
        len(a) + len(b)
        for a, b in zip(
            tok([p.source for p in split.train])["input_ids"],
            tok(text_target=[p.target for p in split.train])["input_ids"],
            strict=True,
        )
    )
    print(
        json.dumps(
            {
                "pairs": args.pairs,
                "parameters": result.parameters,
                "method": result.method,
                "device": result.device,
                "steps": result.steps,
                "train_seconds_total": round(seconds, 1),
                "epoch_steps_seconds": round(epoch * len(steps) / max(1, len(steps) - 1), 1),
                "tokens": tokens,
                "tokens_per_second": round(tokens / max(epoch, 1e-9), 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "load_1min_before": round(load_before, 2),
                "load_1min_after": round(os.getloadavg()[0], 2),
                "cpus": len(os.sched_getaffinity(0)),
            }
        )
    )


if __name__ == "__main__":
    main()
