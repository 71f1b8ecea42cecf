"""Browser benchmark of the editing grid on a 2,000-segment article (issue #12).

Budgets (medians): grid drawn in a new tab <= 1.5 s; save round trip <= 200 ms; Ctrl+Enter to
the caret in the next box <= 250 ms; filter or search over 2,000 rows <= 300 ms.

What is timed, in Chromium against a real `transdesk ui` server:
- **new tab**: /editor?doc=ID&seg=N opened in a new tab of a browser that has been there
  before, until the grid is drawn with the caret in segment N's box (Python clock);
- **save round trip**: Ctrl+S in the box until the server's answer is back in the grid
  (in-page clock: `performance.now()` from the action to its acknowledgement);
- **Ctrl+Enter to caret**: the key until the caret is in the next box and a frame is painted
  (in-page clock); typing never waits for the server (the save goes on in the background);
- **filter / search**: typing a search term or toggling a filter until the filtered rows are
  painted (in-page clock).

The article is real Korean text (NTREX-128 sentences from tests/data when present, else the
sample articles repeated), one segment a line, five lines a paragraph. Drafts come from a stub
engine that copies the source: the benchmark is about the desk, not the model.

Usage: .venv/bin/python benchmarks/browser_editor.py [--segments 2000] [--saves 20] [--check]
       [--out benchmarks/.cache/browser_editor.json]

The machine's load average is printed with the results: on a shared machine, read the numbers
with it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mt import drafting  # noqa: E402
from mt import store as repo  # noqa: E402
from mt.engines.base import Translator  # noqa: E402
from mt.models.build_test import build_test_model  # noqa: E402
from mt.types import Hypothesis  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_desk, wait_idle  # noqa: E402

BUDGETS_MS = {"new_tab": 1500, "save": 200, "next_caret": 250, "filter": 300}


class CopyEngine(Translator):
    """A stand-in engine: each draft is its source (instant, so setup stays quick)."""

    name = "copy"
    model_id = "benchmark-copy"
    revision = None
    is_test_model = True

    def signature(self, beam_size=None):
        return {
            "engine": self.name,
            "model": self.model_id,
            "revision": None,
            "beam": 1,
            "test_model": True,
        }

    def translate(self, sentences, *, beam_size=None, batch_tokens=None, progress=None):
        if progress:
            progress(len(sentences), len(sentences))
        return [Hypothesis(text=s, score=0.0, time_ms=0.0) for s in sentences]


def korean_lines(n: int) -> list[str]:
    corpus = ROOT / "tests" / "data" / "ntrex128" / "ko.txt"
    if corpus.exists():
        lines = [x for x in corpus.read_text(encoding="utf-8").splitlines() if x.strip()]
    else:
        lines = [
            x.strip()
            for f in sorted((ROOT / "samples").glob("*.txt"))
            for x in f.read_text(encoding="utf-8").splitlines()
            if x.strip()
        ]
    return [lines[i % len(lines)] for i in range(n)]


def article(n: int) -> str:
    lines = korean_lines(n)
    return "\n\n".join("\n".join(lines[i : i + 5]) for i in range(0, n, 5)) + "\n"


def timed(action, until) -> float:
    start = time.perf_counter()
    action()
    until()
    return time.perf_counter() - start


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def run(segments: int, saves: int) -> dict:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="transdesk-bench-"))
    model_dir = build_test_model(tmp / "tiny", size="tiny")
    store = repo.open_store(f"sqlite:///{tmp / 'desk.db'}")
    t0 = time.perf_counter()
    doc_id = drafting.create_document(
        store,
        article(segments),
        title="Benchmark article",
        engine=CopyEngine(),
        created_by="bench",
        segment_mode="line",
    )
    setup_s = time.perf_counter() - t0
    total = repo.count_segments(store, doc_id)
    desk, proc = start_desk(tmp, model_dir, extra_env={"TRANSDESK_USER": "bench"})
    results: dict = {"segments": total, "setup_s": round(setup_s, 2)}
    caret = """(n) => { const g = window.__tdGrid; const a = g && g.parent.activeElement;
        return a && a.tagName === 'TEXTAREA' && Number(a.closest('.td-row').dataset.n) === n }"""
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            # warm the server (store, QA cache of the article, first script compile), untimed
            page.goto(f"{desk.url}/editor?doc={doc_id}&seg=1")
            page.wait_for_function(caret, arg=1, timeout=120_000)
            page.wait_for_function("() => !window.__tdGrid.pending", timeout=120_000)
            wait_idle(page)
            page.reload()
            page.wait_for_function(caret, arg=1, timeout=120_000)
            wait_idle(page)

            new_tab = []
            for i in range(5):
                n = 100 + 350 * i
                tab = context.new_page()
                start = time.perf_counter()
                tab.goto(f"{desk.url}/editor?doc={doc_id}&seg={n}")
                tab.wait_for_function(caret, arg=n, timeout=60_000)
                new_tab.append(time.perf_counter() - start)
                wait_idle(tab)
                tab.close()
            results["new_tab"] = summary(new_tab)

            page.goto(f"{desk.url}/editor?doc={doc_id}&seg=10")
            page.wait_for_function(caret, arg=10)
            wait_idle(page)
            idle = "() => !window.__tdGrid.inflight && !window.__tdGrid.queue.length"
            save, move = [], []
            for i in range(saves):
                page.keyboard.type(f" s{i}")
                page.evaluate("() => { window.__tdGrid.timings = {} }")
                page.keyboard.press("Control+s")
                page.wait_for_function("() => window.__tdGrid.timings.roundTrip !== undefined")
                save.append(page.evaluate("() => window.__tdGrid.timings.roundTrip") / 1000)
                page.wait_for_function(idle)
                n = page.evaluate("() => window.__tdGrid.byId.get(window.__tdGrid.active).n")
                page.keyboard.press("Control+Enter")
                page.wait_for_function(caret, arg=n + 1)
                page.wait_for_function("() => window.__tdGrid.timings.move !== undefined")
                move.append(page.evaluate("() => window.__tdGrid.timings.move") / 1000)
                page.wait_for_function(idle)
            results["save"] = summary(save)
            results["next_caret"] = summary(move)

            filters = []
            for term in ["위원", "의회", "2", "the", "", "정부", "x"]:
                page.keyboard.press("Alt+k")
                page.evaluate("() => { window.__tdGrid.timings = {} }")
                page.keyboard.press("Control+a")
                if term:
                    page.keyboard.type(term)
                else:
                    page.keyboard.press("Backspace")
                page.wait_for_function("() => window.__tdGrid.timings.filter !== undefined")
                filters.append(page.evaluate("() => window.__tdGrid.timings.filter") / 1000)
                page.keyboard.press("Escape")
            for _ in range(3):
                page.evaluate("() => { window.__tdGrid.timings = {} }")
                page.keyboard.press("Alt+q")
                page.wait_for_function("() => window.__tdGrid.timings.filter !== undefined")
                filters.append(page.evaluate("() => window.__tdGrid.timings.filter") / 1000)
                page.evaluate("() => { window.__tdGrid.timings = {} }")
                page.evaluate(
                    "() => { const g = window.__tdGrid;"
                    " g.fStatus.selectedIndex = (g.fStatus.selectedIndex + 1) % 6;"
                    " g.fStatus.dispatchEvent(new Event('change')); }"
                )
                page.wait_for_function("() => window.__tdGrid.timings.filter !== undefined")
                filters.append(page.evaluate("() => window.__tdGrid.timings.filter") / 1000)
            results["filter"] = summary(filters)
            page.screenshot(path=str(tmp / "grid.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        store.close()
    results["budgets"] = {
        name: {"budget_ms": budget, "ok": results[name]["median_ms"] <= budget}
        for name, budget in BUDGETS_MS.items()
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument("--out", type=Path, help="also write the results here (JSON)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium)")
    load_before = os.getloadavg()
    results = run(args.segments, args.saves)
    results["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    print(json.dumps(results, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.check and not all(b["ok"] for b in results["budgets"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
