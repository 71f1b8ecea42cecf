"""`transdesk eval` (hypotheses vs references) and `transdesk report` (post-editing metrics)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mt.commands.common import print_records
from mt.errors import InputError, InvalidValue

REPORT_FORMATS = ("table", "csv", "json")
# Columns of the CSV report and the table's rows, in order.
SUMMARY_KEYS = (
    "segments", "approved", "edited", "scored", "unchanged_rate", "hter", "chrf", "bleu",
    "seconds_per_word", "seconds_per_char", "words_per_hour", "timed_segments", "outliers",
    "active_seconds",
)  # fmt: skip


def _lines(path: Path) -> list[str]:
    from mt.metrics import read_lines

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        return read_lines(str(path))
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not valid UTF-8 (byte offset {e.start})") from None


def eval_(
    hyp: Annotated[Path, typer.Option("--hyp", help="System output, one sentence a line.")],
    ref: Annotated[
        list[Path], typer.Option("--ref", help="Reference file (repeat for several references).")
    ],
    metrics: Annotated[
        str, typer.Option(help="Comma-separated: bleu, chrf, ter.")
    ] = "bleu,chrf,ter",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Corpus BLEU, chrF and TER with sacrebleu signatures (the sacrebleu CLI's numbers)."""
    from mt.metrics import METRIC_NAMES, corpus_score

    names = [m.strip().lower() for m in metrics.split(",") if m.strip()]
    unknown = [m for m in names if m not in METRIC_NAMES]
    if unknown or not names:
        raise InputError(
            f"unknown metric {', '.join(unknown) or '(none)'} (choose from: "
            f"{', '.join(METRIC_NAMES)})"
        )
    hypotheses = _lines(hyp)
    references = [_lines(r) for r in ref]
    for path, lines in zip(ref, references, strict=True):
        if len(lines) != len(hypotheses):
            raise InputError(
                f"{path}: {len(lines)} lines, but {hyp} has {len(hypotheses)}; they must align"
            )
    scores = [corpus_score(name, hypotheses, references) for name in names]
    if as_json:
        print(json.dumps({s.name: s.to_dict() for s in scores}, indent=2))
        return
    for s in scores:
        print(s.text)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"
    return str(value)


def _table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    scope = f"document {result['document_id']}" if result["document_id"] else "all documents"
    table = Table(title=f"Post-editing report: {scope}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in SUMMARY_KEYS:
        table.add_row(key, _fmt(result[key]))
    qa, confidence = result["qa"], result["confidence"]
    table.add_row("qa_findings", _fmt(qa["findings"]))
    table.add_row("qa_segments_with_findings", _fmt(qa["segments_with_findings"]))
    table.add_row("score_hter_spearman", f"{_fmt(confidence['spearman'])} (n={confidence['n']})")
    keys = result.get("keystrokes")
    if keys and keys["segments"]:
        table.add_row("keystrokes", _fmt(keys["keystrokes"]))
        table.add_row("keystrokes_per_char", _fmt(keys["keystrokes_per_char"]))
        table.add_row("pauses_300", f"{keys['pauses_300']} ({_fmt(keys['pauses_300_seconds'])} s)")
        table.add_row(
            "pauses_1000", f"{keys['pauses_1000']} ({_fmt(keys['pauses_1000_seconds'])} s)"
        )
    console.print(table)
    by = result["by"]
    print_records(
        console,
        f"By {by}",
        [{by: str(g[by]), **{k: _fmt(g[k]) for k in SUMMARY_KEYS}} for g in result["groups"]],
    )
    print_records(
        console,
        "Models on the same segments (drafts against the same finals)",
        [
            {"model": m["model"], **{k: _fmt(m[k]) for k in ("segments", "hter", "chrf", "bleu")}}
            for m in result["models"]
        ],
    )
    for name, signature in result["signatures"].items():
        console.print(f"{name}: {signature}", highlight=False)


def _csv(result: dict[str, Any]) -> str:
    by = result["by"] or "scope"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([by, *SUMMARY_KEYS])
    writer.writerow(["(all)", *("" if result[k] is None else result[k] for k in SUMMARY_KEYS)])
    for g in result["groups"]:
        writer.writerow([g[by], *("" if g[k] is None else g[k] for k in SUMMARY_KEYS)])
    return buffer.getvalue()


def report(
    document: Annotated[int | None, typer.Option("--document", help="Only this document.")] = None,
    by: Annotated[
        str | None, typer.Option(help="Also break down by editor, model, document or day.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: env TRANSDESK_DB, else local SQLite)."),
    ] = None,
) -> None:
    """Post-editing report: HTER, chrF, BLEU of drafts vs finals, effort, model comparison."""
    from mt.store import open_store
    from mt.store import report as build

    if fmt not in REPORT_FORMATS:
        raise InvalidValue(f"unknown report format {fmt!r} (choose from: table, csv, json)")
    with open_store(db) as store:
        result = build(store, document_id=document, by=by)
    if fmt == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        sys.stdout.write(_csv(result))
    else:
        _table(result)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_)
    app.command("report")(report)
