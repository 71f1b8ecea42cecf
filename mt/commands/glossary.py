"""`transdesk glossary`: the desk's glossary from the shell (import, list, delete, suggest)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from mt.commands.common import DbOption

glossary_app = typer.Typer(
    help="Glossary: Korean terms and the English drafts and QA must use.", no_args_is_help=True
)


@glossary_app.command("import")
def glossary_import(
    file: Annotated[Path, typer.Argument(help="CSV/TSV (columns ko, en; optional avoid) or TBX.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Add a glossary file's terms; a term already in the glossary takes the file's English."""
    from mt.qa.glossary import load_glossary
    from mt.store import open_store
    from mt.termbase import import_glossary

    load_glossary(file)  # a bad file is refused before the database opens
    with open_store(db) as store:
        result = import_glossary(store, file)
    counts = {"added": result.added, "updated": result.updated, "unchanged": result.unchanged}
    if as_json:
        print(json.dumps(counts))
    else:
        print(f"{file.name}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


@glossary_app.command("list")
def glossary_list(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the glossary: Korean term, then its English (first preferred) and wrong renderings."""
    from mt.store import list_glossary, open_store

    with open_store(db) as store:
        terms = list_glossary(store)
    for t in terms:
        if as_json:
            print(
                json.dumps(
                    {"ko": t.korean, "en": list(t.english), "avoid": list(t.avoid),
                     "case_sensitive": t.case_sensitive, "note": t.note},
                    ensure_ascii=False,
                )
            )  # fmt: skip
        else:
            avoid = f"\tnot: {' | '.join(t.avoid)}" if t.avoid else ""
            print(f"{t.korean}\t{' | '.join(t.english)}{avoid}")


@glossary_app.command("delete")
def glossary_delete(
    term: Annotated[str, typer.Argument(help="The Korean term to remove.")],
    db: DbOption = None,
) -> None:
    """Remove a term from the glossary."""
    from mt.store import delete_glossary_term, open_store

    with open_store(db) as store:
        delete_glossary_term(store, term)
    print(f"removed {term}", file=sys.stderr)


@glossary_app.command("suggest")
def glossary_suggest(
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count", min=1, help="Suggest a term seen with its English at least N times."
        ),
    ] = 2,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Suggest glossary terms: Korean names and the English they were given consistently in
    approved segments (the translation memory), with counts and examples; terms already in the
    glossary with that English are left out. Accept them in Settings → Glossary."""
    from mt.desk import suggest_terms
    from mt.store import open_store

    with open_store(db) as store:
        found = suggest_terms(store, min_count=min_count)
    for s in found:
        if as_json:
            print(
                json.dumps(
                    {"ko": s.korean, "en": s.english, "count": s.count, "total": s.total,
                     "examples": [{"ko": k, "en": e} for k, e in s.examples]},
                    ensure_ascii=False,
                )
            )  # fmt: skip
        else:
            example = s.examples[0][1] if s.examples else ""
            print(f"{s.korean}\t{s.english}\t{s.count}/{s.total}\t{example}")
    print(f"{len(found)} suggestion(s) (seen at least {min_count} times)", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.add_typer(glossary_app, name="glossary")
