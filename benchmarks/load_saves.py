"""Load: 20 editors (processes) each save 500 edits through the repository functions, at once.

Issue #6: on SQLite and on PostgreSQL, zero lost edits, zero unhandled errors, every conflict
reported as a conflict, and saves per second.

    .venv/bin/python benchmarks/load_saves.py                 # 20 x 500, 3 runs on each database
    .venv/bin/python benchmarks/load_saves.py --db sqlite --editors 20 --edits 500 --runs 3

PostgreSQL comes from --pg or TRANSDESK_TEST_PG_URL (each run in a fresh schema); without one
only SQLite runs. The script exits 1 when any run loses an edit or hits an unhandled error.

Each editor is a separate process that saves as the web app's editor page does: read the
segment, then `save_segment` with the version it read and the editing time. Editors pick among
40 segments of one document at random, so two of them often start from the same version: the
later save must fail with `ConflictError` (counted as a conflict, then retried from a fresh
read, so every one of the 500 edits is saved in the end). Any other exception is an unhandled
error. The document's segments have MT drafts, so every save also caches its TER/chrF/BLEU
statistics in the background, as in the app. Time runs from a common start signal (the
processes are started and connected before it) until the last editor finishes.

After each run the edit log is checked against what every editor was told: every acknowledged
save is in the log with its version and text, there are exactly editors x edits save events,
and every segment's current version and text are those of its last change in the log, its
changes an unbroken chain of versions (1, 2, 3, …) and texts — a lost update breaks it.

Measured here (2 CPU cores shared with other work, load average 5 to 28; 3 runs of 20 x 500):

| database   | saves/s (median, range) | conflicts per run | lost edits | unhandled errors |
|------------|-------------------------|-------------------|------------|------------------|
| SQLite     | 57 (50-62)              | 1,775-1,867       | 0          | 0                |
| PostgreSQL | 25 (20-26)              | 4,285-4,368       | 0          | 0                |

Twenty processes share two cores, so this measures CPU per save more than the databases: one
editor alone does about 45 saves/s here (a save and its read are some 14 statements through
SQLAlchemy). PostgreSQL runs its 20 server processes on the same two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mt.engines.base import Translator  # noqa: E402

CHANGE_KINDS = ("import", "save", "approve", "reopen", "revert")
STATUS_AFTER = {"import": "draft", "save": "edited", "approve": "approved", "revert": "draft"}
# Editing time sent with each save, as the editor page sends it.
_TIMING = {"active_ms": 4_000, "idle_ms": 0}


class EchoEngine(Translator):
    """Drafts with known text ("EN: " + source), so the document has drafts as in the app."""

    name = "echo"
    model_id = "echo"
    revision = None
    is_test_model = True

    def translate(self, sentences: Sequence[str], *, progress=None, **_) -> list:
        from mt.types import Hypothesis

        return [Hypothesis(f"EN: {s}", -0.5, 1.0) for s in sentences]


def create_document(url: str, segments: int) -> int:
    """A document of `segments` one-sentence segments with drafts; returns its id."""
    from mt.drafting import create_document as create
    from mt.store import open_store

    text = "\n".join(f"부하 시험 문장 {i}번입니다." for i in range(segments))
    with open_store(url) as store:
        return create(
            store, text, title="load", engine=EchoEngine(), created_by="setup", segment_mode="line"
        )


# --- one editor (a process of its own) --------------------------------------------------------


def editor(
    url: str,
    doc_id: int,
    name: str,
    *,
    edits: int,
    seed: int,
    mix: str,
    ready: Path,
    go: Path,
    out: Path | None,
    acks: Path | None,
) -> None:
    """Save `edits` edits (0: until killed) as `name`, then write a JSON summary to `out`.

    `mix` "save": only saves; "app": what the editor page does (open, then save, approve,
    reopen or revert to MT). With `acks`, each change the store confirmed is appended to that
    file (flushed and fsynced) before the next one starts.
    """
    from mt.errors import ConflictError
    from mt.revising import approve_segment, reopen_segment, revert_to_mt, save_segment
    from mt.store import get_segment, list_segments, open_segment, open_store

    rng = random.Random(seed)
    store = open_store(url, migrate_schema=False)
    segment_ids = [s.id for s in list_segments(store, doc_id)]
    ack_file = open(acks, "a", encoding="utf-8") if acks else None  # noqa: SIM115
    ready.touch()
    while not go.exists():
        time.sleep(0.002)
    saved: list[tuple[int, int, str, str]] = []
    conflicts = 0
    errors: list[str] = []
    n = 0
    while edits == 0 or len(saved) < edits:
        seg_id = rng.choice(segment_ids)
        kind = "save"
        if mix == "app":
            kind = rng.choices(["save", "approve", "reopen", "revert"], [7, 1, 1, 1])[0]
        text = f"{name} edit {n}"
        try:
            seg = open_segment(store, seg_id, editor=name) if mix == "app" else None
            seg = seg or get_segment(store, seg_id)
            base = seg.version
            if kind == "save":
                view = save_segment(store, seg_id, text, editor=name, base_version=base, **_TIMING)
            elif kind == "approve":
                view = approve_segment(store, seg_id, editor=name, base_version=base, text=text)
            elif kind == "reopen":
                view = reopen_segment(store, seg_id, editor=name, base_version=base)
            else:
                view = revert_to_mt(store, seg_id, editor=name, base_version=base)
        except ConflictError:
            conflicts += 1
            continue
        except Exception as e:  # any other failure is what this benchmark exists to find
            errors.append(f"{type(e).__name__}: {e}"[:500])
            if len(errors) > 20:
                break
            continue
        n += 1
        if view.version == base:
            continue  # nothing changed (a reopen of a segment that was not approved)
        saved.append((seg_id, view.version, view.target, kind))
        if ack_file:
            ack_file.write(json.dumps([seg_id, view.version, view.target, kind]) + "\n")
            ack_file.flush()
            os.fsync(ack_file.fileno())
    finished = time.time()
    store.close()  # waits for the background statistics of the last saves
    if out:
        out.write_text(
            json.dumps(
                {
                    "editor": name,
                    "saved": saved,
                    "conflicts": conflicts,
                    "errors": errors,
                    "finished": finished,
                }
            ),
            encoding="utf-8",
        )


# --- checks -----------------------------------------------------------------------------------


def check_segments(store, doc_id: int) -> list[str]:
    """Problems with the document's segments against its edit log (empty when consistent).

    The changes of a segment (events that raised its version) must form one unbroken chain
    1 → 2 → … → its current version, each starting from the text the one before left, and the
    segment must hold the text and status of the last. Event ids follow insertion, not commit
    order (on PostgreSQL a no-op logged at version 1 may get a higher id than the change to
    version 2 that committed after it), so the chain is followed by version.
    """
    from mt.store import edit_events, list_segments

    events = defaultdict(list)
    for e in edit_events(store, document_id=doc_id):
        if e.kind in CHANGE_KINDS:
            events[e.segment_id].append(e)
    problems = []
    for seg in list_segments(store, doc_id):
        changes = events.get(seg.id, [])
        imports = [e for e in changes if e.kind == "import"]
        if len(imports) != 1 or imports[0].version_after != 1:
            problems.append(f"segment {seg.id}: log does not start with one import")
            continue
        steps = sorted(
            (e for e in changes if e.kind != "import" and e.version_after != e.version_before),
            key=lambda e: e.version_before,
        )
        befores = [e.version_before for e in steps]
        if befores != list(range(1, seg.version)):
            problems.append(
                f"segment {seg.id} is at version {seg.version} but its logged changes start "
                f"from versions {befores}"
            )
            continue
        previous = imports[0]
        for e in steps:
            if e.version_after != e.version_before + 1:
                problems.append(f"segment {seg.id}: event {e.id} jumps to {e.version_after}")
            if e.text_before != previous.text_after:
                problems.append(
                    f"segment {seg.id}: event {e.id} started from {e.text_before!r}, version "
                    f"{e.version_before} held {previous.text_after!r}"
                )
            previous = e
        for e in changes:
            if e.version_after == e.version_before and not 1 <= e.version_before <= seg.version:
                problems.append(f"segment {seg.id}: event {e.id} at unknown version")
        if seg.target != previous.text_after:
            problems.append(
                f"segment {seg.id}: holds {seg.target!r} at version {seg.version}, its last "
                f"change left {previous.text_after!r}"
            )
        expected = STATUS_AFTER.get(previous.kind, "edited")  # a reopen leaves it edited
        if seg.status != expected:
            problems.append(f"segment {seg.id}: status {seg.status} after a {previous.kind}")
    return problems


def check_acknowledged(store, doc_id: int, acks: Sequence[Sequence]) -> list[str]:
    """Every (segment, version, text, kind) the store confirmed is in the edit log."""
    from mt.store import edit_events

    logged = {
        (e.segment_id, e.version_after, e.text_after, e.kind)
        for e in edit_events(store, document_id=doc_id)
    }
    return [f"acknowledged {tuple(a)} is not in the log" for a in acks if tuple(a) not in logged]


# --- one run ------------------------------------------------------------------------------------


@dataclass
class RunResult:
    database: str
    editors: int
    edits: int
    saves: int
    conflicts: int
    seconds: float
    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def saves_per_second(self) -> float:
        return self.saves / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems and self.saves == self.editors * self.edits


def run(
    url: str, *, editors: int = 20, edits: int = 500, segments: int = 40, seed: int = 0
) -> RunResult:
    """One load run on the (empty) database at `url`."""
    from mt.store import edit_events, open_store

    open_store(url).close()  # migrate once, before the editors start
    doc_id = create_document(url, segments)
    with tempfile.TemporaryDirectory(prefix="transdesk-load-") as folder:
        work = Path(folder)
        go = work / "go"
        procs = []
        for i in range(editors):
            args = [sys.executable, __file__, "editor", url, str(doc_id), f"editor{i:02d}"]
            args += ["--edits", str(edits), "--seed", str(seed * 1000 + i), "--mix", "save"]
            args += ["--ready", str(work / f"ready{i}"), "--go", str(go)]
            args += ["--out", str(work / f"out{i}.json")]
            procs.append(subprocess.Popen(args, stderr=subprocess.PIPE))
        deadline = time.monotonic() + 600
        while not all((work / f"ready{i}").exists() for i in range(editors)):
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        started = time.time()
        go.touch()
        outcomes = [p.communicate(timeout=3600) for p in procs]
        results, errors = [], []
        for i, (p, (_, stderr)) in enumerate(zip(procs, outcomes, strict=True)):
            out = work / f"out{i}.json"
            if p.returncode != 0 or not out.exists():
                errors.append(f"editor {i} exited {p.returncode}: {stderr.decode()[-2000:]}")
                continue
            results.append(json.loads(out.read_text(encoding="utf-8")))
    saved = [tuple(s) for r in results for s in r["saved"]]
    errors += [e for r in results for e in r["errors"]]
    finished = max((r["finished"] for r in results), default=started)
    with open_store(url, migrate_schema=False) as store:
        problems = check_segments(store, doc_id) + check_acknowledged(store, doc_id, saved)
        logged = sum(
            1
            for e in edit_events(store, document_id=doc_id)
            if e.kind == "save" and e.editor.startswith("editor")
        )
    if logged != len(saved):
        problems.append(f"{logged} save events in the log, {len(saved)} saves acknowledged")
    return RunResult(
        database=url.split(":", 1)[0].split("+", 1)[0],
        editors=editors,
        edits=edits,
        saves=len(saved),
        conflicts=sum(r["conflicts"] for r in results),
        seconds=finished - started,
        errors=errors,
        problems=problems,
    )


# --- fresh databases ----------------------------------------------------------------------------


@contextmanager
def fresh_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="transdesk-load-db-") as folder:
        yield f"sqlite:///{Path(folder) / 'load.db'}"


@contextmanager
def fresh_postgres(base: str) -> Iterator[str]:
    """A new schema on the server at `base`, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from mt.store.db import normalise_url

    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    schema = f"td_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(normalise_url(base)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    worker = sub.add_parser("editor", help="(internal) one editor process")
    worker.add_argument("url")
    worker.add_argument("doc_id", type=int)
    worker.add_argument("name")
    worker.add_argument("--edits", type=int, default=500)
    worker.add_argument("--seed", type=int, default=0)
    worker.add_argument("--mix", choices=["save", "app"], default="save")
    worker.add_argument("--ready", type=Path, required=True)
    worker.add_argument("--go", type=Path, required=True)
    worker.add_argument("--out", type=Path)
    worker.add_argument("--acks", type=Path)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default=os.environ.get("TRANSDESK_TEST_PG_URL"))
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the runs as JSON lines")
    args = parser.parse_args(argv)
    if args.command == "editor":
        editor(
            args.url, args.doc_id, args.name, edits=args.edits, seed=args.seed, mix=args.mix,
            ready=args.ready, go=args.go, out=args.out, acks=args.acks,
        )  # fmt: skip
        return 0

    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in databases and not args.pg:
        print("PostgreSQL: no --pg or TRANSDESK_TEST_PG_URL; skipped", file=sys.stderr)
        databases.remove("postgresql")
    failed = False
    for database in databases:
        rates = []
        for n in range(args.runs):
            fresh = fresh_sqlite() if database == "sqlite" else fresh_postgres(args.pg)
            with fresh as url:
                result = run(
                    url, editors=args.editors, edits=args.edits, segments=args.segments, seed=n
                )
            rates.append(result.saves_per_second)
            failed |= not result.ok
            if args.json:
                print(json.dumps({**result.__dict__, "saves_per_second": rates[-1]}))
            print(
                f"{database} run {n + 1}: {result.saves} saves by {result.editors} editors in "
                f"{result.seconds:.1f} s = {rates[-1]:.0f} saves/s; {result.conflicts} conflicts "
                f"reported; {len(result.errors)} unhandled errors; "
                f"{len(result.problems)} problems in the log",
                file=sys.stderr,
            )
            for line in (result.errors + result.problems)[:10]:
                print(f"  {line}", file=sys.stderr)
        print(
            f"{database}: median {statistics.median(rates):.0f} saves/s over {args.runs} runs "
            f"({args.editors} editors x {args.edits} edits)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
