"""Options and helpers shared by several commands: model loading with its warning, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from mt.engines import Engine, load_engine
from mt.models.build_test import TEST_MODEL_WARNING


def warn(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def open_engine(
    model: str | None,
    *,
    engine: str = "auto",
    device: str = "auto",
    beam: int = 4,
    batch_tokens: int = 2048,
    quiet: bool = False,
) -> Engine:
    """Load the model; say plainly on stderr when it is an offline test model."""
    loaded = load_engine(
        model, engine=engine, device=device, beam_size=beam, batch_tokens=batch_tokens
    )
    if loaded.is_test_model:
        warn(f"{loaded.model_id}: {TEST_MODEL_WARNING}")
    elif not quiet:
        print(f"Model: {loaded.model_id} ({loaded.name}, {loaded.device})", file=sys.stderr)
    return loaded


@contextmanager
def progress_bar(description: str, *, enabled: bool) -> Iterator:
    """A rich progress bar on stderr when it is a terminal; yields a `(done, total)` callback."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
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
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
