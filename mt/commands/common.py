"""Options and helpers shared by several commands: model loading with its warning, progress,
tables that stay readable in a narrow terminal."""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from mt.engines import Engine, LLMOptions, load_engine
from mt.models.build_test import TEST_MODEL_WARNING

_NUMERIC = re.compile(r"[-+\d.,/% ]*")

# LLM options shared by `translate` and `import` (ignored for translation models).
_LLM = "LLM drafting"
EndpointOption = Annotated[
    str | None,
    typer.Option(
        help="OpenAI-compatible endpoint base URL (e.g. http://127.0.0.1:8000/v1); --model is "
        "then its model name. The API key is read from TRANSDESK_API_KEY.",
        rich_help_panel=_LLM,
    ),
]
PromptOption = Annotated[
    Path | None,
    typer.Option(
        help="Prompt template file (default: the model family's template).",
        rich_help_panel=_LLM,
    ),
]
StyleOption = Annotated[
    Path | None,
    typer.Option(help="House-style notes for the prompt (text file).", rich_help_panel=_LLM),
]
TemperatureOption = Annotated[
    float,
    typer.Option(min=0.0, max=2.0, help="Sampling temperature (0 = greedy).", rich_help_panel=_LLM),
]
ContextOption = Annotated[
    int,
    typer.Option(min=0, max=20, help="Previous sentences given as context.", rich_help_panel=_LLM),
]
FallbackOption = Annotated[
    str | None,
    typer.Option(
        "--fallback-model",
        help="NMT model for sentences whose LLM reply fails validation twice (default: "
        "opus-mt-ko-en; 'none' makes such a sentence an error).",
        rich_help_panel=_LLM,
    ),
]
ConcurrencyOption = Annotated[
    int,
    typer.Option(min=1, max=64, help="Endpoint requests in flight.", rich_help_panel=_LLM),
]
TimeoutOption = Annotated[
    float,
    typer.Option(min=1.0, help="Seconds to wait for one endpoint reply.", rich_help_panel=_LLM),
]


def llm_options(
    *,
    endpoint: str | None = None,
    prompt: Path | None = None,
    style: Path | None = None,
    temperature: float = 0.0,
    context: int = 3,
    fallback_model: str | None = None,
    concurrency: int = 4,
    timeout: float = 60.0,
) -> LLMOptions:
    """The CLI's LLM options as `LLMOptions`."""
    return LLMOptions(
        endpoint=endpoint,
        prompt=str(prompt) if prompt else None,
        style=str(style) if style else None,
        temperature=temperature,
        context=context,
        fallback_model=fallback_model,
        concurrency=concurrency,
        timeout=timeout,
    )


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
    llm: LLMOptions | None = None,
) -> Engine:
    """Load the model; say plainly on stderr when it is an offline test model."""
    loaded = load_engine(
        model, engine=engine, device=device, beam_size=beam, batch_tokens=batch_tokens, llm=llm
    )
    if loaded.is_test_model:
        warn(f"{loaded.model_id}: {TEST_MODEL_WARNING}")
    elif not quiet:
        where = getattr(loaded, "endpoint", None) or loaded.device
        print(f"Model: {loaded.model_id} ({loaded.name}, {where})", file=sys.stderr)
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


ForceSourceOption = Annotated[
    bool,
    typer.Option(
        "--force-source-language",
        help="Translate even when the file declares, or its text is in, another language than"
        " Korean.",
    ),
]
OverwriteOption = Annotated[
    str | None,
    typer.Option(
        "--overwrite",
        metavar="STATES",
        help="Comma-separated states whose existing targets (XLIFF, TMX) are translated again,"
        " e.g. needs-review-translation,translated or 'any' (every state but approvals and"
        " locked); default: only empty targets are filled.",
    ),
]


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (SQLAlchemy; default: env TRANSDESK_DB, else the local SQLite file).",
        show_default=False,
    ),
]


def editor_default() -> str:
    """Who runs the command when --editor is not given: the login name, else "local"."""
    try:
        return getpass.getuser()
    except Exception:
        return "local"
