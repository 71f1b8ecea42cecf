"""Options and helpers shared by several commands: model loading with its warning, progress,
tables that stay readable in a narrow terminal."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from mt.engines import Engine, load_engine
from mt.models.build_test import TEST_MODEL_WARNING

_NUMERIC = re.compile(r"[-+\d.,/% ]*")


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


def print_records(console, title: str, records: list[dict[str, str]]) -> None:
    """Print rows of equal keys as one table when the terminal is wide enough for every column
    uncut; otherwise one two-column block per row (key: value), so nothing is cut to "e…".

    Arguments:
        console: a `rich.console.Console`.
        records: rows of already formatted cells; the first key names each row.
    """
    from rich.table import Table

    if not records:
        return
    columns = list(records[0])
    widths = [max(len(col), *(len(r[col]) for r in records)) for col in columns]
    # rich's default table: one space of padding either side and one rule between columns.
    if sum(widths) + 3 * len(columns) + 1 <= console.width:
        table = Table(title=title)
        for col in columns:
            numeric = all(_NUMERIC.fullmatch(r[col]) for r in records)
            table.add_column(col, justify="right" if numeric else "left", no_wrap=True)
        for record in records:
            table.add_row(*(record[col] for col in columns))
        console.print(table)
        return
    console.print(title, style="italic", highlight=False)
    for record in records:
        block = Table(title=f"{columns[0]}: {record[columns[0]]}", title_justify="left")
        block.add_column("measure")
        block.add_column("value", justify="right", overflow="fold")
        for col in columns[1:]:
            block.add_row(col, record[col])
        console.print(block)
