"""`transdesk tm`: the translation memory from the shell (TMX import and export)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from mt.commands.common import DbOption

tm_app = typer.Typer(
    help="Translation memory: approved pairs reused in drafts, TMX import and export.",
    no_args_is_help=True,
)


@tm_app.command("import")
def tm_import(
    file: Annotated[Path, typer.Argument(help="TMX file with Korean (ko) and English (en).")],
    keep_existing: Annotated[
        bool,
        typer.Option("--keep-existing", help="Keep the English of sources already in the memory."),
    ] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Add a TMX file's Korean-English units to the memory (a source's latest English wins)."""
    from mt.formats.base import read_path
    from mt.store import open_store
    from mt.tm import import_tmx

    read_path(file)  # missing, a folder, a FIFO or too big: refused before the database opens
    with open_store(db) as store:
        result = import_tmx(store, file, replace_existing=not keep_existing)
    counts = {
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "kept": result.kept,
    }
    if as_json:
        print(json.dumps(counts))
    else:
        print(f"{file.name}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


@tm_app.command("export")
def tm_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="TMX file to write.")],
    db: DbOption = None,
) -> None:
    """Write the whole memory as a TMX 1.4 file."""
    from mt.store import open_store
    from mt.tm import export_tmx

    with open_store(db) as store:
        count = export_tmx(store, output)
    print(f"{count} entries → {output}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.add_typer(tm_app, name="tm")
