"""One view of the copy desk on a very long article: time and memory (#25, item 17).

`build` stores an article of N segments straight in a SQLite store (no model: each segment has
an MT draft, every fiftieth an editor's save on top, so the layers differ). `measure` opens the app
in Streamlit's AppTest (single-user desk), runs the Documents page with `?doc=ID`, then times
one run of the Copy desk page. It reports the wall time of that run, the process's resident
memory before it and its peak (`ru_maxrss`) after it; with `--tracemalloc`, the peak of Python
allocations during that run instead (tracemalloc slows the run, so its time is not comparable).

    python benchmarks/copydesk_view.py build /tmp/cd.db --segments 100000
    python benchmarks/copydesk_view.py measure /tmp/cd.db
    python benchmarks/copydesk_view.py measure /tmp/cd.db --tracemalloc
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(path: Path, segments: int) -> int:
    """A document of `segments` one-line paragraphs; returns its id."""
    from mt import store as repo
    from mt.store.documents import NewDraft, insert_document
    from mt.types import SourceSegment

    url = f"sqlite:///{path}"
    with repo.open_store(url) as store:
        repo.ensure_editor(store, "desk", role="admin")
        repo.ensure_editor(store, "ed", role="editor")
        source = [
            SourceSegment(f"서울시는 {i}번째 문장에서 버스 요금을 올린다.", i, "\n\n" if i else "")
            for i in range(segments)
        ]
        drafts = [
            NewDraft(f"Seoul raises bus fares in sentence {i}.", "mt", "table", "bench-table")
            for i in range(segments)
        ]
        doc = insert_document(store, title="Very long article", created_by="desk",
                              segments=source, trailing="\n", drafts=drafts,
                              model_id="bench-table")  # fmt: skip
        from mt import revising

        for seg in repo.list_segments(store, doc)[::50]:  # findings=[]: no QA (it indexes all)
            revising.save_segment(store, seg.id, f"Seoul will raise bus fares ({seg.position}).",
                                  editor="ed", base_version=seg.version,
                                  findings=[])  # fmt: skip
    return doc


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def measure(path: Path, *, trace: bool) -> dict[str, float | int | str]:
    """Time (and memory) of one Copy desk run on the store's first document."""
    from streamlit.testing.v1 import AppTest

    os.environ["TRANSDESK_DB"] = f"sqlite:///{path}"
    os.environ.setdefault("TRANSDESK_USER", "desk")
    from mt import store as repo

    with repo.open_store(os.environ["TRANSDESK_DB"]) as store:
        doc = repo.list_documents(store)[0]
    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=600)
    at.query_params["doc"] = str(doc.id)
    at.run()
    before = _rss_mb()
    if trace:
        import tracemalloc

        tracemalloc.start()
    start = time.perf_counter()
    at.switch_page("views/copydesk.py").run()
    seconds = time.perf_counter() - start
    out: dict[str, float | int | str] = {
        "segments": doc.segments,
        "copydesk_run_s": round(seconds, 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1),
        "rows_drawn": sum(h.proto.body.count('class="td-layers"') for h in at.get("html")),
        "exception": str(at.exception[0].message) if at.exception else "",
    }
    if trace:
        import tracemalloc

        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
        tracemalloc.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("db", type=Path)
    b.add_argument("--segments", type=int, default=100_000)
    m = sub.add_parser("measure")
    m.add_argument("db", type=Path)
    m.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    if args.command == "build":
        start = time.perf_counter()
        doc = build(args.db, args.segments)
        print(json.dumps({"doc": doc, "build_s": round(time.perf_counter() - start, 1)}))
    else:
        print(json.dumps(measure(args.db, trace=args.tracemalloc)))


if __name__ == "__main__":
    main()
