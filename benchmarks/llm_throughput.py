"""LLM drafting throughput: CTranslate2 Generator int8 vs transformers fp32, and the endpoint
engine at concurrency 8 vs 1.

Local engines, on two random-weight Llama-style chat models built offline
(`mt.models.build_test_llm`) and cached in benchmarks/.cache/: "tiny" (the test model) and "small"
(Qwen2.5-0.5B-Instruct's shape: 24 layers, hidden 896, 14 heads / 2 KV heads, 151,936-token
vocabulary, ~0.5B parameters). Both engines get the same prompts (the generic template with each
sentence's article context, rendered by the model's chat template) in the same batches, greedy,
with the same per-batch reply limit; random weights rarely stop early, so both decode the same
lengths. Tokens/s counts generated tokens (prompt excluded), each engine timed on `generate`
after a warm-up batch, so model loading and conversion are not in the figure.

Endpoint engine, against tests/llm_server.py on 127.0.0.1 with a fixed per-request delay standing
in for a server's generation time: sentences/s at concurrency 1 and 8 on the same sentences.

Usage:
    python benchmarks/llm_throughput.py                    # tiny + small, endpoint
    python benchmarks/llm_throughput.py --sizes tiny --sentences 16

Results are printed and written to benchmarks/results/llm-throughput-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

CACHE = HERE / ".cache"
RESULTS = HERE / "results"
SHARED = ROOT.parent / "shared" / "data"
TARGET = 3.0


def korean_article(n: int) -> list[str]:
    """`n` consecutive Korean sentences (NTREX-128 is whole articles), else the samples."""
    path = SHARED / "ntrex128" / "ko.txt"
    if path.exists():
        lines = [s for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
    else:
        lines = [
            s
            for p in sorted((ROOT / "samples").glob("*.txt"))
            for s in p.read_text(encoding="utf-8").splitlines()
            if s.strip()
        ]
    return lines[:n]


def model_dir(size: str) -> Path:
    from mt.models.build_test_llm import build_test_causal_lm

    folder = CACHE / f"causal-lm-{size}"
    if not (folder / "config.json").exists():
        print(f"building the {size} causal LM in {folder} ...", file=sys.stderr)
        build_test_causal_lm(folder, size=size)
    return folder


def _time_engine(engine, conversations, batch: int, max_new: int) -> dict[str, float]:
    """Generated tokens/s of `engine.generate` on `conversations` in batches of `batch`."""
    engine.generate(conversations[:batch], max_new_tokens=[4] * min(batch, len(conversations)))
    tokens = 0
    start = time.perf_counter()
    for i in range(0, len(conversations), batch):
        chunk = conversations[i : i + batch]
        engine.generate(chunk, max_new_tokens=[max_new] * len(chunk))
        tokens += engine.generated_tokens
    seconds = time.perf_counter() - start
    return {
        "tokens": tokens,
        "seconds": round(seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
    }


def local(size: str, sentences: int, batch: int, max_new: int) -> dict:
    from mt.engines import LLMOptions, load_engine

    folder = model_dir(size)
    article = korean_article(sentences)
    options = LLMOptions(validate=False, fallback_model="none")
    row: dict = {"size": size, "sentences": len(article), "batch": batch, "max_new_tokens": max_new}
    for backend in ("ctranslate2", "transformers"):
        t0 = time.perf_counter()
        engine = load_engine(str(folder), engine=backend, llm=options)
        load_s = time.perf_counter() - t0
        contexts = engine.plan_contexts(article)
        conversations = [
            engine.settings.prompt.messages(s, c) for s, c in zip(article, contexts, strict=True)
        ]
        row[backend] = {
            "load_s": round(load_s, 1),
            **_time_engine(engine, conversations, batch, max_new),
        }
        del engine
    row["ratio"] = round(
        row["ctranslate2"]["tokens_per_s"] / row["transformers"]["tokens_per_s"], 2
    )
    return row


def endpoint(sentences: int, delay: float) -> dict:
    from mt.engines import LLMOptions, load_engine
    from tests.llm_server import FakeLLM

    article = korean_article(sentences)
    row: dict = {"sentences": len(article), "server_delay_s": delay}
    for concurrency in (1, 8):
        fake = FakeLLM(delay=delay).start()
        try:
            engine = load_engine(
                "bench",
                llm=LLMOptions(endpoint=fake.url, concurrency=concurrency, fallback_model="none"),
            )
            start = time.perf_counter()
            engine.translate(article)
            seconds = time.perf_counter() - start
        finally:
            fake.stop()
        row[f"c{concurrency}"] = {
            "seconds": round(seconds, 2),
            "sentences_per_s": round(len(article) / seconds, 1),
            "max_in_flight": fake.max_in_flight,
        }
    row["ratio"] = round(row["c8"]["sentences_per_s"] / row["c1"]["sentences_per_s"], 2)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "small"])
    parser.add_argument("--sentences", type=int, default=32, help="tiny model sentences")
    parser.add_argument("--small-sentences", type=int, default=8)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--max-new", type=int, default=32)
    parser.add_argument("--endpoint-sentences", type=int, default=64)
    parser.add_argument("--endpoint-delay", type=float, default=0.05)
    args = parser.parse_args()

    import ctranslate2
    import torch
    import transformers

    load_before = os.getloadavg()
    results: dict = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "ctranslate2": ctranslate2.__version__,
        },
        "load_before": [round(x, 2) for x in load_before],
        "local": [],
    }
    for size in args.sizes:
        n = args.sentences if size == "tiny" else args.small_sentences
        row = local(size, n, args.batch, args.max_new)
        results["local"].append(row)
        print(
            f"{size:6s} CTranslate2 int8 {row['ctranslate2']['tokens_per_s']:8.1f} tok/s | "
            f"transformers fp32 {row['transformers']['tokens_per_s']:8.1f} tok/s | "
            f"ratio {row['ratio']:.2f} (target >= {TARGET})",
            flush=True,
        )
    row = endpoint(args.endpoint_sentences, args.endpoint_delay)
    results["endpoint"] = row
    print(
        f"endpoint ({args.endpoint_delay * 1000:.0f} ms/request) concurrency 1 "
        f"{row['c1']['sentences_per_s']:.1f} sent/s | concurrency 8 "
        f"{row['c8']['sentences_per_s']:.1f} sent/s | ratio {row['ratio']:.2f}",
        flush=True,
    )
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"llm-throughput-{dt.date.today().isoformat()}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"→ {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
