"""Batch translation throughput: plain transformers, bare CTranslate2 and `transdesk translate`.

On identical Korean inputs (NTREX-128 lines from tests/data, else the project's samples) and
with the same per-sentence output limit (`DecodingOptions.max_output_tokens`), greedy and beam 4:

  (a) transformers fp32, `generate` on batches of 16 in file order, as users commonly write it;
  (b) bare CTranslate2 int8 `translate_batch` on the same tokens and the same batches as (c)
      (tokenisation and planning done before the clock starts);
  (c) `transdesk translate in.txt -o out.txt --segment line`, end to end, as a separate process.

Each system runs in its own process, so its peak resident memory (`ru_maxrss` from `wait4`) is
its own. (c) is timed twice: the whole process ("wall"), and without its fixed start-up (Python
imports and model load, measured by the same command on a one-line file): "job". The ratios use
the job time; the wall time is shown beside it. Output tokens are the sentencepiece pieces of the
output texts, counted the same way for all three. Random-weight models rarely emit </s>, so every
sentence decodes to its limit: all three decode the same lengths.

Usage:
    python benchmarks/throughput.py                       # 300 sentences, 3 runs, beams 1 and 4
    python benchmarks/throughput.py --sentences 200 --runs 1
    python benchmarks/throughput.py --memory-check        # (c) alone on 10,000 sentences

Results are printed as a table and written to benchmarks/results/throughput-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

CACHE = HERE / ".cache"
RESULTS = HERE / "results"
MODEL_DIR = CACHE / "opus-mt-ko-en-shape"
SHARED = ROOT / "tests" / "data"
HF_BATCH = 16
MEMORY_LIMIT_MB = 1024
TARGETS = {"c/a": 4.5, "c/b": 0.95}


# -- inputs ------------------------------------------------------------------------------------


def korean_lines(n: int) -> tuple[list[str], str]:
    """`n` distinct Korean sentences spread over NTREX-128 (else the project's samples)."""
    path = SHARED / "ntrex128" / "ko.txt"
    if path.exists():
        lines = _distinct(path.read_text(encoding="utf-8").splitlines())
        source = "NTREX-128 ko"
    else:
        from mt.segment import segment

        lines = []
        for sample in sorted((ROOT / "samples").glob("*.txt")):
            text = sample.read_text(encoding="utf-8")
            lines.extend(s.text for s in segment(text).segments)
        lines = _distinct(lines)
        source = "samples/*.txt (sentences)"
    if n >= len(lines):
        return lines, source
    step = len(lines) / n  # spread over the corpus: every document and length is represented
    return [lines[int(i * step)] for i in range(n)], source


def memory_lines(n: int) -> tuple[list[str], str]:
    """`n` distinct lines from every corpus in tests/data, then pairs of lines joined until `n`."""
    corpora = [SHARED / c / "ko.txt" for c in ("ntrex128", "jhe", "wmt24pp")]
    base = _distinct(
        line for p in corpora if p.exists() for line in p.read_text(encoding="utf-8").splitlines()
    )
    if not base:
        return korean_lines(n)
    lines = list(base)
    seen = set(lines)
    for gap in range(1, len(base)):
        for k in range(len(base) - gap):
            if len(lines) >= n:
                return lines, "NTREX-128 + JHE + WMT24++ ko, and pairs of their lines"
            joined = f"{base[k]} {base[k + gap]}"
            if joined not in seen:
                seen.add(joined)
                lines.append(joined)
    return lines, "NTREX-128 + JHE + WMT24++ ko, and pairs of their lines"


def _distinct(lines) -> list[str]:
    seen: dict[str, None] = {}
    for line in lines:
        line = line.strip()
        if line:
            seen.setdefault(line, None)
    return list(seen)


def ensure_model() -> Path:
    """The full-size (opus-mt-ko-en shape) test model and its int8 conversion, built once."""
    from mt.models.build_test import build_test_model

    if not (MODEL_DIR / "config.json").exists():
        print(f"building the full-size test model in {MODEL_DIR} …", file=sys.stderr)
        build_test_model(MODEL_DIR, size="full")
    from mt.engines.ct2 import convert_model

    convert_model(MODEL_DIR, quantization="int8")
    return MODEL_DIR


# -- the three systems, each run in its own process ----------------------------------------------


def worker_transformers(lines: list[str], beam: int, args: argparse.Namespace) -> dict:
    """(a) transformers fp32 `generate`, batches of 16 in file order."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from mt.engines.base import DecodingOptions

    torch.set_num_threads(args.threads)
    device = "cuda" if args.device == "cuda" else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(str(MODEL_DIR))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(MODEL_DIR), dtype=torch.float32)
    model.to(device).eval()
    options = DecodingOptions()
    limits = [options.max_output_tokens(len(ids)) for ids in tokenizer(lines)["input_ids"]]
    outputs: list[str] = []
    start = time.perf_counter()
    for i in range(0, len(lines), HF_BATCH):
        batch, batch_limits = lines[i : i + HF_BATCH], limits[i : i + HF_BATCH]
        encoded = tokenizer(batch, return_tensors="pt", padding=True).to(device)
        with torch.inference_mode():
            generated = model.generate(
                **encoded, num_beams=beam, do_sample=False, max_new_tokens=max(batch_limits)
            )
        for row, limit in zip(generated, batch_limits, strict=True):
            outputs.append(tokenizer.decode(row[1 : 1 + limit], skip_special_tokens=True))
    return {"seconds": time.perf_counter() - start, "outputs": outputs}


def worker_ctranslate2(lines: list[str], beam: int, args: argparse.Namespace) -> dict:
    """(b) bare CTranslate2 (int8 on CPU) on the engine's own batches and tokens, prepared
    before the clock starts."""
    from mt.engines import load_engine

    engine = load_engine(
        str(MODEL_DIR),
        engine="ctranslate2",
        device=args.device,
        threads=args.threads,
        batch_tokens=args.batch_tokens,
    )
    plan = engine.prepare(lines)
    jobs = []
    for batch in plan.batches:
        texts = [plan.pieces[i] for i in batch.indices]
        limits = [engine.options.max_output_tokens(plan.piece_lengths[i]) for i in batch.indices]
        jobs.append((engine.tokens.encode_tokens(texts), limits))
    raw = []
    start = time.perf_counter()
    for source, limits in jobs:
        raw.append(engine.translate_tokens(source, beam_size=beam, max_output_tokens=limits))
    seconds = time.perf_counter() - start
    by_piece = {}
    for batch, results, (_, limits) in zip(plan.batches, raw, jobs, strict=True):
        for i, result, limit in zip(batch.indices, results, limits, strict=True):
            by_piece[i] = engine.tokens.decode_tokens(result.hypotheses[0][:limit])
    outputs = [by_piece[plan.parts[u][0]] if u >= 0 else "" for u in plan.unique_of]
    return {"seconds": seconds, "outputs": outputs}


WORKERS = {"a": worker_transformers, "b": worker_ctranslate2}


def run_worker(system: str, input_path: Path, beam: int, args: argparse.Namespace) -> dict:
    """Run (a) or (b) in a child process; its result plus its peak RSS."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result_path = Path(f.name)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        system,
        "--input",
        str(input_path),
        "--beams",
        str(beam),
        "--threads",
        str(args.threads),
        "--device",
        args.device,
        "--batch-tokens",
        str(args.batch_tokens),
        "--worker-result",
        str(result_path),
    ]
    _, rss_mb = _run_child(cmd)
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result_path.unlink()
    result["peak_rss_mb"] = rss_mb
    return result


def cli_command(
    input_path: Path,
    output: Path,
    beam: int,
    args: argparse.Namespace,
    *,
    ray: bool = False,
    segment: str = "line",
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mt.cli",
        "translate",
        str(input_path),
        "-o",
        str(output),
        "--model",
        str(MODEL_DIR),
        "--engine",
        "ctranslate2",
        "--device",
        args.device,
        "--batch-tokens",
        str(args.batch_tokens),
        "--beam",
        str(beam),
        "--segment",
        segment,
        "--quiet",
        *(["--ray"] if ray else []),
    ]


def run_cli(
    input_path: Path,
    beam: int,
    out_dir: Path,
    args: argparse.Namespace,
    *,
    ray: bool = False,
    segment: str = "line",
) -> dict:
    """(c) `transdesk translate --segment line` as a user runs it: wall time and peak RSS of the
    process. With `ray`, (d): the same with `--ray` on a local Ray instance the command starts.
    With `segment="sentence"`, (e): the command's default, kiwipiepy sentence splitting."""
    output = out_dir / f"{input_path.stem}.beam{beam}.en.txt"
    output.unlink(missing_ok=True)
    command = cli_command(input_path, output, beam, args, ray=ray, segment=segment)
    seconds, rss_mb = _run_child(command)
    outputs = output.read_text(encoding="utf-8").splitlines()
    return {"seconds": seconds, "outputs": outputs, "peak_rss_mb": rss_mb}


def _run_child(cmd: list[str]) -> tuple[float, float]:
    """Run `cmd`; (wall seconds, peak resident MB of that process alone). The parent stays
    small (no torch, no model), as the child's ru_maxrss starts from the parent's at the fork."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} … failed ({proc.returncode}):\n{err.decode()}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


# -- measuring and reporting ---------------------------------------------------------------------


def count_tokens(texts: list[str]) -> int:
    """Output tokens: sentencepiece pieces of the output texts (target.spm), each vocabulary
    filler of the test model (`<filler_N>`, decoded as that literal text) counted as one."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(MODEL_DIR / "target.spm"))
    fillers = sum(len(_FILLER.findall(text)) for text in texts)
    return fillers + sum(len(p) for p in sp.encode([_FILLER.sub("", t) for t in texts]))


_FILLER = re.compile(r"<filler_\d+>")


def measure(args: argparse.Namespace) -> dict:
    """Every system at every beam, `args.runs` times, interleaved so load spikes spread out."""
    lines, source = korean_lines(args.sentences)
    with tempfile.TemporaryDirectory(prefix="transdesk-bench-") as tmp:
        return _measure(lines, source, Path(tmp), args)


def _measure(lines: list[str], source: str, work: Path, args: argparse.Namespace) -> dict:
    input_path = work / "news.txt"
    input_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_line = work / "one.txt"
    one_line.write_text(lines[0] + "\n", encoding="utf-8")
    optional = ("d" if args.with_ray else "") + ("e" if args.with_sentence else "")
    systems = [s for s in "abc" + optional if s not in args.skip]
    _note(
        f"{len(lines)} sentences from {source}; beams {args.beams}; {args.runs} run(s); "
        f"{args.threads} threads, {args.device}; load average {os.getloadavg()[0]:.2f}"
    )
    runs: dict[str, list[dict]] = {}
    for run in range(args.runs):
        for beam in args.beams:
            for system in systems:
                if system in "cde":
                    how = {"ray": system == "d", "segment": "sentence" if system == "e" else "line"}
                    result = run_cli(input_path, beam, work, args, **how)
                    startup = run_cli(one_line, beam, work, args, **how)
                    result["startup_seconds"] = startup["seconds"]
                else:
                    result = run_worker(system, input_path, beam, args)
                result["tokens"] = count_tokens(result["outputs"])
                runs.setdefault(f"{system}/beam{beam}", []).append(result)
                _note(f"  run {run + 1} ({system}) beam {beam}: {_describe(result, len(lines))}")
    return summarise(runs, len(lines), source, args)


def summarise(runs: dict[str, list[dict]], n: int, source: str, args) -> dict:
    """Medians over runs, ratios, and a check that (b) and (c) produced the same text."""
    rows: dict[str, dict] = {}
    for key, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        row = {
            "seconds": seconds,
            "sentences_per_s": n / seconds,
            "tokens_per_s": statistics.median(r["tokens"] / r["seconds"] for r in results),
            "output_tokens": results[0]["tokens"],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "runs_seconds": [round(r["seconds"], 3) for r in results],
        }
        if key[0] in "cde":
            jobs = [r["seconds"] - r["startup_seconds"] for r in results]
            row["wall_seconds"] = seconds
            row["startup_seconds"] = statistics.median(r["startup_seconds"] for r in results)
            row["seconds"] = statistics.median(jobs)
            row["sentences_per_s"] = n / row["seconds"]
            row["tokens_per_s"] = statistics.median(
                r["tokens"] / j for r, j in zip(results, jobs, strict=True)
            )
            row["wall_sentences_per_s"] = n / seconds
        rows[key] = row
    ratios: dict[str, dict] = {}
    for beam in args.beams:
        c, a, b = (rows.get(f"{s}/beam{beam}") for s in "cab")
        entry: dict[str, float | bool | None] = {}
        if c and a:
            entry["c/a"] = c["sentences_per_s"] / a["sentences_per_s"]
            entry["c/a_wall"] = c["wall_sentences_per_s"] / a["sentences_per_s"]
        if c and b:
            entry["c/b"] = c["sentences_per_s"] / b["sentences_per_s"]
            entry["c/b_wall"] = c["wall_sentences_per_s"] / b["sentences_per_s"]
            entry["c_output_equals_b"] = (
                runs[f"c/beam{beam}"][0]["outputs"] == runs[f"b/beam{beam}"][0]["outputs"]
            )
        d = rows.get(f"d/beam{beam}")
        if c and d:
            entry["d/c"] = d["sentences_per_s"] / c["sentences_per_s"]
            entry["d_output_equals_c"] = (
                runs[f"d/beam{beam}"][0]["outputs"] == runs[f"c/beam{beam}"][0]["outputs"]
            )
        e = rows.get(f"e/beam{beam}")
        if c and e:
            entry["e/c"] = e["sentences_per_s"] / c["sentences_per_s"]
            entry["e/c_wall"] = e["wall_sentences_per_s"] / c["wall_sentences_per_s"]
            entry["e_extra_rss_mb"] = e["peak_rss_mb"] - c["peak_rss_mb"]
        ratios[f"beam{beam}"] = entry
    return {
        "kind": "throughput",
        "sentences": n,
        "source": source,
        "runs": args.runs,
        "threads": args.threads,
        "device": args.device,
        "batch_tokens": args.batch_tokens,
        "rows": rows,
        "ratios": ratios,
        "targets": TARGETS,
    }


def memory_check(args: argparse.Namespace) -> dict:
    """(c) alone on `args.memory_sentences` distinct sentences: peak RSS against 1 GB."""
    lines, source = memory_lines(args.memory_sentences)
    beam = args.beams[-1]
    _note(f"memory check: {len(lines)} sentences from {source}, beam {beam}")
    with tempfile.TemporaryDirectory(prefix="transdesk-bench-") as tmp:
        input_path = Path(tmp) / "news.txt"
        input_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = run_cli(input_path, beam, Path(tmp), args)
    assert len(result["outputs"]) == len(lines)
    return {
        "kind": "memory",
        "sentences": len(lines),
        "source": source,
        "beam": beam,
        "seconds": result["seconds"],
        "sentences_per_s": len(lines) / result["seconds"],
        "peak_rss_mb": result["peak_rss_mb"],
        "limit_mb": MEMORY_LIMIT_MB,
        "ok": result["peak_rss_mb"] <= MEMORY_LIMIT_MB,
    }


def print_table(report: dict) -> None:
    if report["kind"] == "memory":
        verdict = "OK" if report["ok"] else "OVER"
        print(
            f"(c) transdesk translate, {report['sentences']} sentences, beam {report['beam']}: "
            f"{report['seconds']:.0f} s, {report['sentences_per_s']:.2f} sent/s, "
            f"peak RSS {report['peak_rss_mb']:.0f} MB (limit {report['limit_mb']} MB: {verdict})"
        )
        return
    ct2_type = "float16" if report["device"] == "cuda" else "int8"
    names = {
        "a": "(a) transformers fp32, generate, batches of 16",
        "b": f"(b) CTranslate2 {ct2_type} translate_batch (bare)",
        "c": "(c) transdesk translate, file to file (job)",
        "d": "(d) transdesk translate --ray, local instance (job; RSS of the driver)",
        "e": "(e) transdesk translate, default --segment sentence (job)",
    }
    print(
        f"\n{report['sentences']} sentences ({report['source']}), median of {report['runs']} "
        f"run(s), {report['threads']} threads, {report['device']}\n"
    )
    print("| system | beam | sentences/s | output tokens/s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for key, row in report["rows"].items():
        system, beam = key.split("/beam")
        print(
            f"| {names[system]} | {beam} | {row['sentences_per_s']:.2f} | "
            f"{row['tokens_per_s']:.0f} | {row['peak_rss_mb']:.0f} |"
        )
        if system in "cde":
            print(
                f"| ({system}) same, whole process incl. {row['startup_seconds']:.1f} s start-up | "
                f"{beam} | {row['wall_sentences_per_s']:.2f} | | |"
            )
    print()
    for beam, entry in report["ratios"].items():
        parts = []
        for name in ("c/a", "c/b"):
            if name in entry:
                verdict = "OK" if entry[name] >= TARGETS[name] else "BELOW TARGET"
                parts.append(
                    f"({name}) = {entry[name]:.2f} (target ≥ {TARGETS[name]}: {verdict}; "
                    f"whole process {entry[name + '_wall']:.2f})"
                )
        if "c_output_equals_b" in entry:
            parts.append(f"(c) text identical to (b): {entry['c_output_equals_b']}")
        if "d/c" in entry:
            parts.append(
                f"(d/c) = {entry['d/c']:.2f}, (d) text identical to (c): "
                f"{entry['d_output_equals_c']}"
            )
        if "e/c" in entry:
            parts.append(
                f"(e/c) = {entry['e/c']:.2f} by job, {entry['e/c_wall']:.2f} whole process; "
                f"(e) peak RSS {entry['e_extra_rss_mb']:+.0f} MB against (c)"
            )
        print(f"{beam}: " + "; ".join(parts))


def environment() -> dict:
    import importlib.metadata as md

    versions = {}
    for pkg in ("torch", "transformers", "ctranslate2", "sentencepiece"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "versions": versions,
    }


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _describe(result: dict, n: int) -> str:
    text = f"{result['seconds']:.1f} s, {n / result['seconds']:.2f} sent/s"
    if "startup_seconds" in result:
        text += f" (start-up {result['startup_seconds']:.1f} s)"
    return text + f", peak {result['peak_rss_mb']:.0f} MB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=300, help="inputs (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="runs; the table shows medians")
    parser.add_argument("--beams", default="1,4", help="beam sizes, comma-separated")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--device", choices=["cpu", "cuda"], default="cpu", help="where (b) and (c) run"
    )
    parser.add_argument(
        "--batch-tokens", type=int, default=2048, help="token budget per batch for (b), (c)"
    )
    parser.add_argument("--skip", default="", help="systems to leave out, e.g. 'a'")
    parser.add_argument("--with-ray", action="store_true", help="also (d): (c) with --ray")
    parser.add_argument(
        "--with-sentence",
        action="store_true",
        help="also (e): (c) with the default sentence segmentation instead of --segment line",
    )
    parser.add_argument("--memory-check", action="store_true", help="(c) on many sentences")
    parser.add_argument("--memory-sentences", type=int, default=10000)
    parser.add_argument("--json", type=Path, help="result file (default benchmarks/results/…)")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prepare-model", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.beams = [int(b) for b in str(args.beams).split(",")]

    if args.worker:
        lines = args.input.read_text(encoding="utf-8").splitlines()
        result = WORKERS[args.worker](lines, args.beams[0], args)
        args.worker_result.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return

    if args.prepare_model:
        ensure_model()
        return
    # Built in a child: Linux carries a process's peak RSS across fork+exec into its children's
    # ru_maxrss, so a parent that had loaded torch and the model would inflate every figure.
    _run_child([sys.executable, str(Path(__file__).resolve()), "--prepare-model"])
    load_before = os.getloadavg()
    report = memory_check(args) if args.memory_check else measure(args)
    report["environment"] = environment()
    report["load_average"] = {"before": load_before, "after": os.getloadavg()}
    print_table(report)
    # The load average after the run counts the benchmark's own threads; only the one before
    # says whether something else was running.
    if load_before[0] > 1.5:
        print(
            f"Note: the machine was busy before the run (load average {load_before[0]:.1f}); "
            "timings are pessimistic and noisy."
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "memory" if args.memory_check else "throughput"
    path = args.json or RESULTS / f"{name}-{dt.date.today().isoformat()}.json"
    for row in report.get("rows", {}).values():
        row.pop("outputs", None)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
