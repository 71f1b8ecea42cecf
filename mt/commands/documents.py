"""`transdesk documents`: list articles and move them through the newsroom workflow.

`list`, `show`, `assign`, `state`, `rename`, `deadline`, `archive`, `restore` and `scratch`
(a random share of the untouched segments made from scratch, `mt.store.scratch`); every change
is made by `--editor` (default: the login name) and checked by the store against
`mt.permissions` once accounts exist. Errors are one line (exit 1 bad value or move, 6 unknown
document or person, 7 not allowed).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from mt.commands.common import DbOption, editor_default

documents_app = typer.Typer(
    help="Articles: list them, assign them, move them from drafted to published.",
    no_args_is_help=True,
)
EditorOption = Annotated[
    str | None, typer.Option("--editor", help="Who makes the change (default: your login name).")
]
DocArg = Annotated[int, typer.Argument(help="Document id.")]


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "—"


def _print_row(row) -> None:
    print(f"document {row.id}: {row.title} — {row.state}", file=sys.stderr)


@documents_app.command("list")
def list_(
    state: Annotated[
        str | None,
        typer.Option(help="Only this state: drafted, editing, review, ready, published."),
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="Only articles assigned to NAME.")] = None,
    archived: Annotated[bool, typer.Option("--archived", help="List archived articles.")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows.")] = False,
) -> None:
    """List articles with state, assignee, deadline and progress (archived ones are hidden)."""
    from mt.store import open_store
    from mt.store.workflow import check_state, list_articles

    if state is not None:
        check_state(state)
    with open_store(db) as store:
        rows = list_articles(store, state=state, assignee=assignee, archived=archived)
    if as_json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False))
        return
    from rich.console import Console

    from mt.commands.common import print_records

    records = [
        {
            "id": str(r.id),
            "title": r.title,
            "state": r.state,
            "assignee": r.assignee or "—",
            "deadline": _when(r.deadline),
            "approved": f"{r.approved}/{r.segments}",
            "updated": _when(r.updated_at),
        }
        for r in rows
    ]
    if not records:
        print("no articles", file=sys.stderr)
        return
    print_records(Console(), "Articles", records)


@documents_app.command("show")
def show(
    doc: DocArg, db: DbOption = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Show one article (archived ones too) and its workflow log."""
    from mt.store import open_store
    from mt.store.workflow import get_article, history

    with open_store(db) as store:
        row, events = get_article(store, doc), history(store, doc)
    if as_json:
        out = row.as_json() | {
            "created_by": row.created_by,
            "history": [
                {
                    "at": e.at.isoformat(),
                    "editor": e.editor,
                    "kind": e.kind,
                    "from": e.from_value,
                    "to": e.to_value,
                    "note": e.note,
                    "override": e.override,
                }
                for e in events
            ],
        }
        print(json.dumps(out, ensure_ascii=False))
        return
    print(f"{row.id}\t{row.title}")
    print(f"state\t{row.state}{' (archived)' if row.archived_at else ''}")
    print(f"assignee\t{row.assignee or '—'}")
    print(f"deadline\t{_when(row.deadline)}")
    print(f"approved\t{row.approved} of {row.segments} segments")
    print(f"created\t{_when(row.created_at)} by {row.created_by or '—'}")
    print(f"updated\t{_when(row.updated_at)}")
    for e in events:
        change = f"{e.from_value or '—'} → {e.to_value or '—'}" if e.kind != "archive" else ""
        extra = f"  ({e.note})" if e.note else ""
        flag = " [override]" if e.override else ""
        print(f"{_when(e.at)}\t{e.editor}\t{e.kind}\t{change}{flag}{extra}")


@documents_app.command("assign")
def assign(
    doc: DocArg,
    name: Annotated[str, typer.Argument(help="The person to assign ('none' unassigns).")],
    editor: EditorOption = None,
    db: DbOption = None,
) -> None:
    """Assign the article to a person."""
    from mt.store import open_store
    from mt.store.workflow import assign as run

    with open_store(db) as store:
        row = run(store, doc, None if name == "none" else name, by=editor or editor_default())
    print(f"document {row.id} assigned to {row.assignee or 'nobody'}", file=sys.stderr)


@documents_app.command("state")
def state(
    doc: DocArg,
    new_state: Annotated[str, typer.Argument(metavar="STATE", help="The state to move to.")],
    note: Annotated[str | None, typer.Option(help="Why (kept in the log).")] = None,
    override: Annotated[
        bool,
        typer.Option("--override", help="Admin only: ready with segments not approved (logged)."),
    ] = False,
    editor: EditorOption = None,
    db: DbOption = None,
) -> None:
    """Move the article: drafted → editing → review → ready → published (published → editing
    reopens it for a correction)."""
    from mt.store import open_store
    from mt.store.workflow import check_state, set_state

    check_state(new_state)
    with open_store(db) as store:
        row = set_state(
            store, doc, new_state, by=editor or editor_default(), note=note, override=override
        )
    _print_row(row)


@documents_app.command("rename")
def rename(
    doc: DocArg,
    title: Annotated[str, typer.Argument(help="The new title.")],
    editor: EditorOption = None,
    db: DbOption = None,
) -> None:
    """Give the article a new title."""
    from mt.store import open_store
    from mt.store.workflow import rename as run

    with open_store(db) as store:
        row = run(store, doc, title, by=editor or editor_default())
    _print_row(row)


@documents_app.command("deadline")
def deadline(
    doc: DocArg,
    when: Annotated[
        str,
        typer.Argument(
            metavar="ISO-DATE",
            help="YYYY-MM-DD (end of that day, UTC) or YYYY-MM-DDTHH:MM[+HH:MM]; 'none' clears.",
        ),
    ],
    editor: EditorOption = None,
    db: DbOption = None,
) -> None:
    """Set or clear the article's deadline."""
    from mt.store import open_store
    from mt.store.workflow import parse_deadline, set_deadline

    parsed = parse_deadline(when)  # a bad date fails before the database opens
    with open_store(db) as store:
        row = set_deadline(store, doc, parsed, by=editor or editor_default())
    print(f"document {row.id} due {_when(row.deadline)}", file=sys.stderr)


@documents_app.command("archive")
def archive(
    doc: DocArg,
    note: Annotated[str | None, typer.Option(help="Why (kept in the log).")] = None,
    editor: EditorOption = None,
    db: DbOption = None,
) -> None:
    """Archive the article: hidden from lists, kept in the log and reports."""
    from mt.store import open_store
    from mt.store.workflow import archive as run

    with open_store(db) as store:
        run(store, doc, by=editor or editor_default(), note=note)
    print(f"document {doc} archived", file=sys.stderr)


@documents_app.command("restore")
def restore(
    doc: DocArg,
    note: Annotated[str | None, typer.Option(help="Why (kept in the log).")] = None,
    editor: EditorOption = None,
    db: DbOption = None,
) -> None:
    """Bring an archived article back into lists."""
    from mt.store import open_store
    from mt.store.workflow import restore as run

    with open_store(db) as store:
        run(store, doc, by=editor or editor_default(), note=note)
    print(f"document {doc} restored", file=sys.stderr)


@documents_app.command("scratch")
def scratch(
    doc: DocArg,
    share: Annotated[
        float, typer.Argument(help="Share (0-1) of the untouched segments to make from scratch.")
    ],
    seed: Annotated[int, typer.Option(help="Seed of the draw (as import --from-scratch).")] = 0,
    editor: EditorOption = None,
    db: DbOption = None,
) -> None:
    """Make a random share of the article's untouched segments from scratch (no draft)."""
    from mt.drafting import apply_scratch, check_share
    from mt.store import open_store

    check_share(share)  # a bad share fails before the database opens
    with open_store(db) as store:
        changed = apply_scratch(store, doc, share, seed=seed, by=editor or editor_default())
    noun = "segment" if changed == 1 else "segments"
    print(f"document {doc}: {changed} {noun} now from scratch (seed {seed})", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.add_typer(documents_app, name="documents")
