"""`transdesk adapt`: fine-tune the drafting model on approved post-edits, evaluate, promote."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from mt.commands.common import DbOption


def _stop_on_sigterm() -> None:
    """SIGTERM stops a run the way Ctrl-C does: checkpoint kept, desk model unchanged."""

    def handler(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def adapt(
    model: Annotated[
        str | None,
        typer.Option(
            help="Model to adapt: registry name, hub id, folder or 'test' (default: the desk's "
            "drafting model)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Folder for the new model (default: user data)."),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only segments approved on or after DATE (YYYY-MM-DD).")
    ] = None,
    documents: Annotated[
        str | None, typer.Option(help="Only these documents, e.g. 3,5,8-12.")
    ] = None,
    origins: Annotated[
        str,
        typer.Option(help="Draft origins to learn from: mt, tm, scratch (comma-separated)."),
    ] = "mt,tm,scratch",
    min_pairs: Annotated[
        int, typer.Option("--min-pairs", help="Refuse to train on fewer approved pairs.")
    ] = 100,
    holdout: Annotated[
        float,
        typer.Option(help="Share of pairs (most recent documents) held out; at least 20."),
    ] = 0.1,
    method: Annotated[
        str, typer.Option(help="auto (full up to 400M parameters, else LoRA), full or lora.")
    ] = "auto",
    epochs: Annotated[int, typer.Option(help="Most epochs (early stopping may end sooner).")] = 5,
    learning_rate: Annotated[
        float | None,
        typer.Option("--learning-rate", help="Default 5e-5 (full) or 5e-4 (LoRA)."),
    ] = None,
    batch_tokens: Annotated[int, typer.Option(help="Tokens per training batch.")] = 2048,
    max_steps: Annotated[
        int | None, typer.Option(help="Most optimiser steps (0: none, a control run).")
    ] = None,
    max_minutes: Annotated[
        float | None, typer.Option(help="Training time budget; the best weights are kept.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (batches, dropout, bootstrap).")] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    engine: Annotated[
        str,
        typer.Option(
            help="Engine that drafts the held-out segments: auto, transformers or ctranslate2."
        ),
    ] = "auto",
    beam: Annotated[int, typer.Option(min=1, max=16, help="Beam size of those drafts.")] = 4,
    promote: Annotated[
        str,
        typer.Option(help="never, if-better (HTER significantly lower, chrF not lower) or always."),
    ] = "if-better",
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run.")] = False,
    by: Annotated[
        str | None, typer.Option(help="Who runs it (an admin, once accounts exist).")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
) -> None:
    """Fine-tune the drafting model on approved post-edits; promote it only if it needs fewer
    edits on held-out documents."""
    from mt.adapt.data import parse_documents, parse_since
    from mt.adapt.run import AdaptOptions
    from mt.adapt.run import adapt as run_adapt
    from mt.adapt.train import TrainSettings
    from mt.commands.common import warn
    from mt.errors import InvalidValue
    from mt.store import open_store

    chosen = tuple(o.strip() for o in origins.split(",") if o.strip())
    if min_pairs < 1:
        raise InvalidValue("--min-pairs must be at least 1")
    options = AdaptOptions(
        model=model,
        output=output,
        since=parse_since(since),
        documents=parse_documents(documents),
        origins=chosen,
        min_pairs=min_pairs,
        holdout=holdout,
        train=TrainSettings(
            method=method,
            learning_rate=learning_rate,
            epochs=epochs,
            batch_tokens=batch_tokens,
            max_steps=max_steps,
            max_minutes=max_minutes,
            seed=seed,
            device=device,
        ).check(),
        promote=promote,
        engine=engine,
        beam=beam,
        resume=resume,
        by=by,
    )
    _stop_on_sigterm()
    note = None if quiet or as_json else (lambda m: print(m, file=sys.stderr))
    with open_store(db) as store, _training_bar(enabled=not quiet) as progress:
        try:
            result = run_adapt(store, options, progress=progress, note=note)
        except KeyboardInterrupt:
            warn("adaptation stopped; the desk's model is unchanged (continue with --resume)")
            raise
    if as_json:
        keys = ("before", "after", "improvement", "significant", "promoted", "model")
        print(json.dumps({k: result[k] for k in keys}, indent=2, ensure_ascii=False))
        return
    _print_result(result)


def _training_bar(*, enabled: bool):
    """A rich progress bar (steps, loss, time left) on stderr when it is a terminal."""
    import contextlib

    if not enabled or not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        with Progress(
            TextColumn("training"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[loss]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        ) as progress:
            task = progress.add_task("training", total=None, loss="")

            def update(step: int, total: int, loss: float | None, note: str) -> None:
                text = note or (f"loss {loss:.3f}" if loss is not None else "")
                progress.update(task, completed=step, total=total, loss=text)

            yield update

    return bar()


def _print_result(result: dict) -> None:
    before, after = result["before"], result["after"]
    print(f"{'':8} {'HTER':>8} {'chrF':>8} {'BLEU':>8}")
    for label, side in (("before", before), ("after", after)):
        print(
            f"{label:8} {side['hter']:8.2f} {side['chrf']:8.2f} {side['bleu']:8.2f}  "
            f"{side['model']}"
        )
    hter = result["improvement"]["hter"]
    print(
        f"HTER {hter['difference']:+.2f} points better (p = {hter['p_value']}); "
        f"{'significant' if result['significant'] else 'not significant'}; "
        f"{'promoted: the desk now drafts with it' if result['promoted'] else 'not promoted'}"
    )
    print(f"Model: {result['model']}")
    print(f"Signature: {after['signatures']['hter']}")


def register(app: typer.Typer) -> None:
    app.command("adapt")(adapt)
