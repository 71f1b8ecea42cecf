"""`transdesk export`: a stored document out as a file (`mt.exchange.export`), atomically."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mt.commands.common import (
    DbOption,
)
from mt.errors import InvalidValue


def export(
    document: Annotated[int, typer.Argument(help="Document id.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="txt, docx, html, md, xliff, xliff2, tmx, jsonl or csv."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    allow_unapproved: Annotated[
        bool,
        typer.Option(
            "--allow-unapproved",
            help="txt/docx/html/md: export segments not yet approved (refused otherwise).",
        ),
    ] = False,
    mark_unapproved: Annotated[
        bool,
        typer.Option(
            "--mark-unapproved",
            help="txt/docx/html/md: export them marked [UNAPPROVED: ...].",
        ),
    ] = False,
    like: Annotated[
        Path | None,
        typer.Option(
            "--like",
            help="With --format xliff: write the client's own XLIFF back (this file, the one "
            "the document was imported from) with the desk's translations in its targets and "
            "everything else as it was.",
            show_default=False,
        ),
    ] = None,
    original: Annotated[
        bool,
        typer.Option(
            "--original",
            help="As --like, with the copy of the client's file kept at import.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Export a document: the article (txt, docx, HTML or Markdown for the CMS), XLIFF for a
    CAT tool, TMX, or JSONL/CSV records."""
    from mt.exchange.export import export_document
    from mt.formats.base import atomic_write
    from mt.store import open_store

    if (like is not None or original) and fmt not in ("xliff", "xliff2"):
        raise InvalidValue(f"--like and --original write XLIFF, not {fmt}")
    if like is not None:
        from mt.formats.base import read_path

        read_path(like)  # missing, a folder or too big: refused before the database opens
    unapproved = "mark" if mark_unapproved else "allow" if allow_unapproved else "refuse"
    with open_store(db) as store:
        if like is not None or original:
            from mt.exchange.client import export_like

            data = export_like(store, document, like=like)
        else:
            data = export_document(store, document, fmt, unapproved=unapproved)
    atomic_write(output, data)
    print(f"document {document} → {output} ({fmt})", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
