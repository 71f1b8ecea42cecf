"""`transdesk report`: the post-editing report (HTER, chrF, BLEU with intervals, effort,
who did what, models compared) as a table, CSV or JSON."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from mt.commands.common import print_records
from mt.errors import InvalidValue

REPORT_FORMATS = ("table", "csv", "json")
# Columns of the CSV report and the table's rows, in order (intervals: `<metric>_ci95`).
SUMMARY_KEYS = (
    "segments", "approved", "edited", "scored", "unchanged_rate", "unchanged", "unchanged_of",
    "hter", "hter_ci95", "chrf", "chrf_ci95", "bleu", "bleu_ci95", "seconds_per_word",
    "seconds_per_word_ci95", "seconds_per_char", "words_per_hour", "timed_segments", "outliers",
    "active_seconds", "tm_segments", "scratch_segments",
)  # fmt: skip
# Columns of the groups of `--by editor` and `--by step` (each person's or position's steps).
EDITOR_KEYS = (
    "role", "steps", "segments", "segments_edited", "segments_approved", "active_seconds",
    "edit_seconds", "review_seconds", "scored_steps", "hter", "hter_ci95", "chrf", "chrf_ci95",
    "bleu", "bleu_ci95", "seconds_per_word", "seconds_per_word_ci95", "words_per_hour",
    "timed_steps", "outliers",
)  # fmt: skip
STEP_KEYS = (
    "position", "segments", "editors", "origins", "edit_steps", "review_steps",
    "segments_changed", "segments_approved", "edit_seconds", "review_seconds", "scored_steps",
    "hter", "hter_ci95", "chrf", "chrf_ci95", "bleu", "bleu_ci95", "seconds_per_word",
    "seconds_per_word_ci95", "words_per_hour",
)  # fmt: skip
GROUP_KEYS = {"editor": EDITOR_KEYS, "step": STEP_KEYS}
PRODUCTIVITY_KEYS = (
    "segments", "timed_segments", "outliers", "words", "edit_seconds", "seconds_per_word",
    "words_per_hour", "words_per_hour_ci95", "keystrokes_per_char",
)  # fmt: skip


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def _with_interval(row: dict[str, Any], key: str) -> str:
    """A figure with its interval, e.g. "23.41 [20.12, 26.80]"."""
    interval = row.get(f"{key}_ci95")
    text = _fmt(row.get(key))
    return f"{text} {_fmt(interval)}" if interval and row.get(key) is not None else text


def _table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    scope = f"document {result['document_id']}" if result["document_id"] else "all documents"
    table = Table(title=f"Post-editing report: {scope}")
    table.add_column("measure")
    table.add_column("value [95% interval]", justify="right")
    for key in SUMMARY_KEYS:
        if not key.endswith("_ci95"):
            table.add_row(key, _with_interval(result, key))
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
    if result["groups"]:
        keys = [k for k in GROUP_KEYS.get(by, SUMMARY_KEYS) if not k.endswith("_ci95")]
        print_records(
            console,
            f"By {by}",
            [{by: str(g[by]), **{k: _with_interval(g, k) for k in keys}} for g in result["groups"]],
        )
    print_records(
        console,
        "Models on the same segments (drafts against the same finals)",
        [
            {
                "model": m["model"],
                "segments": _fmt(m["segments"]),
                **{k: _with_interval(m, k) for k in _METRIC_KEYS},
            }
            for m in result["models"]
        ],
    )
    print_records(
        console,
        "Model comparisons (difference to the baseline, p-value)",
        [
            {
                "baseline": c["baseline"],
                "model": c["model"],
                "test": c["test"],
                **{k: _verdict(c[k]) for k in _METRIC_KEYS},
            }
            for c in result["comparisons"]
        ],
    )
    _productivity_table(console, result["productivity"])
    for name, signature in result["signatures"].items():
        console.print(f"{name}: {signature}", highlight=False)
    for note in result["notes"].values():
        console.print(f"Note: {note}", highlight=False, style="dim")


_METRIC_KEYS = ("hter", "chrf", "bleu")


def _verdict(test: dict[str, Any]) -> str:
    word = "significant" if test["significant"] else "not significant"
    return f"{test['difference']:+.2f} (p={test['p_value']:.3f}, {word})"


def _productivity_table(console: Any, prod: dict[str, Any]) -> None:
    if not prod["from_scratch"]["segments"]:
        return
    keys = [k for k in PRODUCTIVITY_KEYS if not k.endswith("_ci95")]
    print_records(
        console,
        "Post-editing MT vs translating from scratch (first person's step)",
        [
            {
                "who / side": f"{who} / {side}",
                **{k: _with_interval(part[side], k) for k in keys},
                "gain [95% interval]": _with_interval(part, "gain") if side == "with_mt" else "",
            }
            for who, part in [("(all)", prod), *((e["editor"], e) for e in prod["editors"])]
            for side in ("with_mt", "from_scratch")
        ],
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def _csv(result: dict[str, Any]) -> str:
    by = result["by"] or "scope"
    keys = GROUP_KEYS.get(by, SUMMARY_KEYS)
    columns: list[str] = []
    for key in keys:  # an interval takes two columns, low and high
        columns += [f"{key}_low", f"{key}_high"] if key.endswith("_ci95") else [key]

    def cells(row: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        for key in keys:
            value = row.get(key)
            if key.endswith("_ci95"):
                out += list(value) if value else ["", ""]
            else:
                out.append(_cell(value))
        return out

    from mt.csvsafe import write_csv

    rows = [[by, *columns], ["(all)", *cells(result)]]
    rows += [[g[by], *cells(g)] for g in result["groups"]]
    return write_csv(rows, lineterminator="\n")  # names (editors, models) are neutralised


def report(
    document: Annotated[int | None, typer.Option("--document", help="Only this document.")] = None,
    by: Annotated[
        str | None,
        typer.Option(help="Also break down by editor, step (MT, R1, R2...), model, document, day."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    seed: Annotated[
        int, typer.Option(help="Seed of the bootstrap intervals and tests (reproducible).")
    ] = 12345,
    samples: Annotated[
        int, typer.Option(min=1, help="Bootstrap resamples per interval and test.")
    ] = 1000,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: env TRANSDESK_DB, else local SQLite)."),
    ] = None,
) -> None:
    """Post-editing report: HTER, chrF, BLEU with 95% intervals, effort, who did what, models
    compared, MT vs from scratch."""
    from mt.report import report as build
    from mt.store import open_store

    if fmt not in REPORT_FORMATS:
        raise InvalidValue(f"unknown report format {fmt!r} (choose from: table, csv, json)")
    with open_store(db) as store:
        result = build(store, document_id=document, by=by, seed=seed, n_samples=samples)
    if fmt == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        sys.stdout.write(_csv(result))
    else:
        _table(result)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
