"""Speed of the article-level QA (#19): `transdesk check` on a 2,000-segment article, and the
editor's aids of one segment once the article's entities are computed.

Targets: `check` on a 2,000-segment article <= 10 s on 2 cores (the whole command: start-up,
reading, every check including consistency and style); a segment's aids <= 50 ms after the
article's entities are computed.

    .venv/bin/python benchmarks/consistency_speed.py [--runs 3] [--segments 2000] [--aids 100]

The article is the first 2,000 NTREX-128 + JHE sentence pairs taken as one article (real
Korean news and its English), with the 82 planted name variants of tests/data/planted_names.json
applied where they fall inside it. The aids are timed through `mt.aids.segment_aids` on a
SQLite store holding that article, for segments chosen at random with an edited text in the box
(a consistency variant planted into it), after one call has built the article's index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def article(n: int) -> tuple[list[str], list[str]]:
    ko, en = [], []
    for name in ("ntrex128", "jhe"):
        ko += (DATA / name / "ko.txt").read_text(encoding="utf-8").splitlines()
        en += (DATA / name / "en.txt").read_text(encoding="utf-8").splitlines()
    ids = (DATA / "ntrex128" / "docids.txt").read_text(encoding="utf-8").splitlines()
    from tests.data.build_planted_names import apply_case

    cases = json.loads((ROOT / "tests" / "data" / "planted_names.json").read_text("utf-8"))
    for case in cases:
        lines, src, tgt = apply_case(case, ko, en, ids)
        for i, s, t in zip(lines, src, tgt, strict=True):
            ko[i], en[i] = s, t
    return ko[:n], en[:n]


def bench_check(ko: list[str], en: list[str], runs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        src, tgt = Path(folder) / "ko.txt", Path(folder) / "en.txt"
        src.write_text("\n".join(ko) + "\n", encoding="utf-8")
        tgt.write_text("\n".join(en) + "\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "mt.cli", "check", "-s", str(src), "-t", str(tgt), "--json"]
        if sys.platform.startswith("linux"):
            cmd = ["taskset", "-c", "0,1", *cmd]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        times, cpu, out = [], [], ""
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            out = done.stdout
    records = [json.loads(line) for line in out.splitlines()]
    consistency = sum(1 for r in records for f in r["findings"] if f["check"] == "consistency")
    return {
        "segments": len(ko),
        "runs_s": [round(t, 2) for t in times],
        "median_s": round(statistics.median(times), 2),
        "cpu_s": [round(t, 2) for t in cpu],
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "consistency_findings": consistency,
    }


def bench_aids(ko: list[str], en: list[str], n_aids: int) -> dict:
    from mt.aids import segment_aids
    from mt.desk import article_index, segment_article_aids
    from mt.drafting import create_document
    from mt.store import list_segments, open_store
    from tests.store.conftest import TableEngine

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.db")
        doc = create_document(
            store,
            "\n".join(ko),
            title="bench",
            engine=TableEngine("ref", dict(zip(ko, en, strict=True))),
            created_by="bench",
            segment_mode="line",
        )
        segs = list_segments(store, doc)
        start = time.perf_counter()
        index = article_index(store, doc)
        build = time.perf_counter() - start
        rng = random.Random(19)
        with_names = [s for s in segs if index.mentions[s.position]]
        chosen = rng.sample(with_names, min(n_aids, len(with_names)))
        segment_aids(store, chosen[0])  # warm: first queries, lazy imports
        times, cpu_ms, article_ms = [], [], []
        for seg in chosen:
            text = seg.target.replace("a", "e", 1)  # an edit in the box
            start, cpu = time.perf_counter(), time.process_time()
            segment_aids(store, seg, text=text)
            times.append((time.perf_counter() - start) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
            start = time.perf_counter()
            segment_article_aids(store, doc, seg.position, text)
            article_ms.append((time.perf_counter() - start) * 1000)
        store.close()
    times.sort()
    return {
        "segments": len(segs),
        "entities_computed_s": round(build, 2),
        "aids_runs": len(times),
        "aids_median_ms": round(statistics.median(times), 1),
        "aids_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "aids_max_ms": round(times[-1], 1),
        "aids_cpu_median_ms": round(statistics.median(cpu_ms), 1),
        "article_part_median_ms": round(statistics.median(article_ms), 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--aids", type=int, default=100)
    args = parser.parse_args()
    ko, en = article(args.segments)
    result = {
        "date": date.today().isoformat(),
        "cpus": os.cpu_count(),
        "check": bench_check(ko, en, args.runs),
        "aids": bench_aids(ko, en, args.aids),
    }
    print(json.dumps(result, indent=1))
    out = ROOT / "benchmarks" / "results" / f"consistency-{result['date']}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
