"""`transdesk import-xliff`: a CAT tool's edited XLIFF back in (`mt.exchange.xliff_import`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mt.commands.common import (
    DbOption,
)


def import_xliff(
    file: Annotated[Path, typer.Argument(help="XLIFF exported by transdesk and edited.")],
    editor: Annotated[str, typer.Option(help="Who edited the file in the CAT tool.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Record each target changed in a CAT tool as an edit (client xliff), as if made on the web."""
    from mt.exchange.xliff_import import import_xliff as run
    from mt.formats.base import read_path
    from mt.store import open_store

    read_path(file)  # missing, a folder, a FIFO or too big: refused before the database opens
    with open_store(db) as store:
        result = run(store, file, editor=editor)
    summary = {
        "documents": list(result.document_ids),
        "saved": len(result.saved),
        "approved": len(result.approved),
        "unchanged": len(result.unchanged),
        "comments": len(result.comments),
    }
    if as_json:
        print(json.dumps(summary))
    else:
        print(
            f"{file.name}: {summary['saved']} saved, {summary['approved']} approved, "
            f"{summary['unchanged']} unchanged, {summary['comments']} comments"
        )


def register(app: typer.Typer) -> None:
    app.command("import-xliff")(import_xliff)
