"""Browser benchmark of the editor on a 2,000-segment article: page render and save round trip.

Budgets (issue #4): editor page render ≤ 1.5 s, save round trip ≤ 300 ms.

What is timed, in Chromium against a real `transdesk ui` server:
- **first visit / new tab**: /editor opened on the article (page load, websocket, script run)
  until the page is drawn down to the segment list's pager, in a fresh browser profile (first
  visit: every Streamlit script and font downloaded) and in a new tab of a browser that has
  been there before; `*_after_connect` leaves Streamlit's own page load out;
- **page switch**: Documents → Editor through the top navigation;
- **jump**: "Go to segment" far into the article, and paging the segment list;
- **save**: Save on the active segment until the app confirms it ("Saved segment N.");
- **save & next**: Save & next until the next segment is the active one.

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

from mt import store as repo  # noqa: E402
from mt.models.build_test import build_test_model  # noqa: E402
from mt.types import Hypothesis  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_desk, wait_idle  # noqa: E402

RENDER_BUDGET_S = 1.5
SAVE_BUDGET_S = 0.300


class CopyEngine:
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
    doc_id = repo.create_document(
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
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1500})
            page = context.new_page()
            english = page.get_by_role("textbox", name="English", exact=True)

            # warm the server (model, store, first script compile) once, untimed
            page.goto(f"{desk.url}/editor?doc={doc_id}")
            english.wait_for(timeout=120_000)
            wait_idle(page)

            def open_tab(tab) -> tuple[float, float]:
                """(page load to drawn, websocket open to drawn) of /editor in a new tab."""
                box = tab.get_by_role("textbox", name="English", exact=True)
                end = tab.locator(".st-key-list_pager")  # the last thing the page draws
                connected: list[float] = []
                tab.on("websocket", lambda _ws: connected.append(time.perf_counter()))
                start = time.perf_counter()
                tab.goto(f"{desk.url}/editor?doc={doc_id}")
                box.wait_for()
                end.wait_for()
                done = time.perf_counter()
                tab.close()
                return done - start, done - connected[0]

            # a first visit: a new browser profile, nothing cached
            first = [
                open_tab(browser.new_page(viewport={"width": 1400, "height": 1500}))
                for _ in range(5)
            ]
            results["first_visit"] = summary([a for a, _ in first])
            results["first_visit_after_connect"] = summary([b for _, b in first])
            # a returning editor: a new tab in the same browser (Streamlit's files cached)
            again = [open_tab(context.new_page()) for _ in range(5)]
            results["new_tab"] = summary([a for a, _ in again])
            results["new_tab_after_connect"] = summary([b for _, b in again])

            switch = []
            for _ in range(5):
                page.get_by_role("link", name="Documents").click()
                page.get_by_role("heading", name="Documents").wait_for()
                wait_idle(page)
                switch.append(
                    timed(
                        lambda: page.get_by_role("link", name="Editor").click(),
                        lambda: (english.wait_for(), wait_idle(page)),
                    )
                )
            results["page_switch"] = summary(switch)

            active = page.locator(".st-key-active_segment")
            jumps = []
            for number in (1500, 250, total - 1, 1000, 42):
                goto = page.get_by_role("spinbutton", name="Go to segment")
                jumps.append(
                    timed(
                        lambda g=goto, n=number: (g.fill(str(n)), g.press("Enter")),
                        lambda n=number: active.get_by_text(f"Segment {n} of").wait_for(),
                    )
                )
                wait_idle(page)
            results["jump_to_segment"] = summary(jumps)

            paging = []
            for _ in range(5):
                pager = page.locator(".st-key-list_pager")
                before = pager.inner_text()
                paging.append(
                    timed(
                        lambda: page.locator(".st-key-page_next button:visible").click(),
                        lambda b=before: page.wait_for_function(
                            "b => document.querySelector('.st-key-list_pager')?.innerText !== b",
                            arg=b,
                        ),
                    )
                )
                wait_idle(page)
            results["list_page"] = summary(paging)

            save, save_next = [], []
            for i in range(saves):
                english.fill(f"Benchmark edit {i}.")
                header = page.locator(".st-key-active_segment").get_by_text("Segment ", exact=False)
                current = header.first.inner_text().split()[1]
                saved = page.get_by_text(f"Saved segment {current}.").first
                save.append(
                    timed(
                        lambda: page.locator(".st-key-act_save button:visible").click(),
                        saved.wait_for,
                    )
                )
                wait_idle(page)
                english.fill(f"Benchmark edit {i}, then next.")
                following = int(current) + 1
                save_next.append(
                    timed(
                        lambda: page.locator(".st-key-act_save_next button:visible").click(),
                        lambda f=following: (
                            page.locator(".st-key-active_segment")
                            .get_by_text(f"Segment {f} of")
                            .wait_for()
                        ),
                    )
                )
                wait_idle(page)
            results["save"] = summary(save)
            results["save_and_next"] = summary(save_next)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        store.close()
    # "Editor page render": the app drawing the page, once its code is loaded in the browser.
    render = max(results["new_tab"]["median_ms"], results["page_switch"]["median_ms"])
    results["budgets"] = {
        "render_ms": RENDER_BUDGET_S * 1000,
        "render_ok": render <= RENDER_BUDGET_S * 1000,
        "save_ms": SAVE_BUDGET_S * 1000,
        "save_ok": results["save"]["median_ms"] <= SAVE_BUDGET_S * 1000,
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
    results = run(args.segments, args.saves)
    results["machine"] = {"cpus": os.cpu_count(), "load_average": os.getloadavg()}
    print(json.dumps(results, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.check and not (results["budgets"]["render_ok"] and results["budgets"]["save_ok"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
