"""Store speed: segment saves on a 5,000-segment document, and a report over 100,000 edit events.

Targets (issue #3): save median <= 20 ms on SQLite with a 5,000-segment document; report over
100,000 edit events <= 5 s.

    .venv/bin/python benchmarks/store_speed.py [--saves 300] [--pg postgresql+psycopg://...]

Texts are real: Korean sources and English references from tests/data (NTREX-128, JHE,
WMT24++), drafts are the references with machine-like damage (dropped, swapped, re-cased
words), so TER has real work to do.

The save benchmark goes through `create_document` and `save_segment` exactly as the web app does
(with the metric statistics each save caches). The report benchmark inserts its 100,000 events
directly (saving them one by one would take minutes), then times: the report with an empty
statistics cache ("cold": every draft/final pair scored by sacrebleu in the report), and the
report as it runs in normal use, where each save has already cached its pair's statistics
("warm").
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data"

from mt.engines.base import Translator  # noqa: E402


def corpus() -> tuple[list[str], list[str]]:
    ko, en = [], []
    for name in ("ntrex128", "jhe", "wmt24pp"):
        ko += (DATA / name / "ko.txt").read_text(encoding="utf-8").splitlines()
        en += (DATA / name / "en.txt").read_text(encoding="utf-8").splitlines()
    return ko, en


def damage(sentence: str, rng: random.Random) -> str:
    """A draft-like variant of a reference: a few words dropped, swapped or re-cased."""
    words = sentence.split()
    for _ in range(max(1, len(words) // 6)):
        if len(words) < 3:
            break
        i = rng.randrange(len(words) - 1)
        action = rng.random()
        if action < 0.35:
            del words[i]
        elif action < 0.7:
            words[i], words[i + 1] = words[i + 1], words[i]
        else:
            words[i] = words[i].lower() if words[i][:1].isupper() else words[i].capitalize()
    return " ".join(words)


class TableEngine(Translator):
    """Drafts looked up from a table (the benchmark is about the store, not the model)."""

    name, revision, is_test_model = "table", None, False

    def __init__(self, model_id: str, table: dict[str, str]) -> None:
        self.model_id, self.table = model_id, table

    def translate(self, sentences, **_):
        from mt.types import Hypothesis

        return [Hypothesis(self.table[s], -0.4, 1.0) for s in sentences]


def bench_saves(url: str, n_segments: int, n_saves: int) -> dict:
    from mt.drafting import create_document
    from mt.revising import save_segment
    from mt.store import list_segments, open_store

    ko, en = corpus()
    rng = random.Random(1)
    sources = [f"{ko[i % len(ko)]} ({i})" for i in range(n_segments)]  # unique lines
    finals = {s: en[i % len(en)] for i, s in enumerate(sources)}
    drafts = {s: damage(finals[s], rng) for s in sources}
    with open_store(url) as store:
        t0 = time.perf_counter()
        doc = create_document(
            store,
            "\n".join(sources),
            title="bench",
            created_by="bench",
            engine=TableEngine("bench-model", drafts),
            segment_mode="line",
        )
        create_s = time.perf_counter() - t0
        segments = list_segments(store, doc)
        assert len(segments) == n_segments, len(segments)
        picks = rng.sample(segments, n_saves)
        times = []
        for s in picks:
            t0 = time.perf_counter()
            save_segment(
                store,
                s.id,
                finals[s.source],
                editor="editor",
                base_version=s.version,
                active_ms=30_000,
            )
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "database": url.split(":")[0],
        "document_segments": n_segments,
        "create_document_s": round(create_s, 2),
        "saves": n_saves,
        "save_ms_median": round(statistics.median(times), 2),
        "save_ms_p95": round(times[int(0.95 * len(times)) - 1], 2),
        "save_ms_max": round(times[-1], 2),
    }


def fill_events(url: str, n_docs: int, per_doc: int) -> int:
    """Documents whose every segment was opened, saved twice and approved (5 events each)."""
    from sqlalchemy import insert, update

    from mt.store import open_store
    from mt.store.models import Document, Draft, EditEvent, Editor, Segment, utcnow

    ko, en = corpus()
    rng = random.Random(2)
    now = utcnow()
    events = 0
    with open_store(url) as store, store.session(write=True) as s:
        editors = [Editor(name=f"editor{i}", role="editor", created_at=now) for i in range(8)]
        s.add_all(editors)
        s.flush()
        for d in range(n_docs):
            doc = Document(
                title=f"doc {d}",
                created_by_id=editors[0].id,
                created_at=now,
                trailing="",
                model_id="bench-model",
            )
            s.add(doc)
            s.flush()
            rows = [
                (ko[(d * per_doc + i) % len(ko)], en[(d * per_doc + i) % len(en)])
                for i in range(per_doc)
            ]
            seg_ids = (
                s.execute(
                    insert(Segment).returning(Segment.id, sort_by_parameter_order=True),
                    [
                        {
                            "document_id": doc.id,
                            "position": i,
                            "paragraph": i,
                            "before": "\n",
                            "source": src,
                            "target": ref,
                            "status": "approved",
                            "version": 4,
                            "updated_at": now,
                            "updated_by_id": editors[i % 8].id,
                        }
                        for i, (src, ref) in enumerate(rows)
                    ],
                )
                .scalars()
                .all()
            )
            draft_texts = [damage(ref, rng) for _, ref in rows]
            draft_ids = (
                s.execute(
                    insert(Draft).returning(Draft.id, sort_by_parameter_order=True),
                    [
                        {
                            "segment_id": sid,
                            "run": 1,
                            "engine": "table",
                            "model_id": "bench-model",
                            "text": t,
                            "score": -0.4,
                            "origin": "mt",
                            "is_test_model": False,
                            "created_at": now,
                        }
                        for sid, t in zip(seg_ids, draft_texts, strict=True)
                    ],
                )
                .scalars()
                .all()
            )
            s.execute(
                update(Segment),
                [{"id": a, "draft_id": b} for a, b in zip(seg_ids, draft_ids, strict=True)],
            )
            batch = []
            for i, (sid, did) in enumerate(zip(seg_ids, draft_ids, strict=True)):
                ed = editors[i % 8].id
                src, ref = rows[i]
                words = max(1, len(src.split()))
                half = damage(ref, rng)
                for kind, before, after, v0, v1, ms in (
                    ("import", None, draft_texts[i], None, 1, None),
                    ("open", draft_texts[i], draft_texts[i], 1, 1, None),
                    ("save", draft_texts[i], half, 1, 2, 1500 * words),
                    ("save", half, ref, 2, 3, 1500 * words),
                    ("approve", ref, ref, 3, 4, 400),
                ):
                    batch.append(
                        {
                            "document_id": doc.id,
                            "segment_id": sid,
                            "editor_id": ed,
                            "kind": kind,
                            "text_before": before,
                            "text_after": after,
                            "version_before": v0,
                            "version_after": v1,
                            "draft_id": did,
                            "saved_at": now,
                            "active_ms": ms,
                            "client": "web",
                        }
                    )
            s.execute(insert(EditEvent), batch)
            events += len(batch)
    return events


def bench_report(url: str, n_docs: int, per_doc: int) -> dict:
    from mt.report import report
    from mt.store import open_store

    t0 = time.perf_counter()
    events = fill_events(url, n_docs, per_doc)
    fill_s = time.perf_counter() - t0
    with open_store(url) as store:
        t0 = time.perf_counter()
        cold = report(store, by="editor")
        cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = report(store, by="editor")
        warm_s = time.perf_counter() - t0
        one = report(store, document_id=1)
        assert warm["hter"] == cold["hter"] and one["segments"] == per_doc
    return {
        "database": url.split(":")[0],
        "edit_events": events,
        "segments": n_docs * per_doc,
        "fill_s": round(fill_s, 1),
        "report_cold_s": round(cold_s, 2),
        "report_warm_s": round(warm_s, 2),
        "hter": round(warm["hter"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=5000)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--per-doc", type=int, default=1000)
    parser.add_argument("--pg", help="also run on this PostgreSQL URL (an empty database)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(bench_saves(f"sqlite:///{tmp}/saves.db", args.segments, args.saves))
        results.append(bench_report(f"sqlite:///{tmp}/report.db", args.docs, args.per_doc))
    if args.pg:
        results.append(bench_saves(args.pg, args.segments, args.saves))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
