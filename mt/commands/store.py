"""`transdesk import`, `export`, `import-xliff` and `users`: the document store from the shell."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from mt.errors import InputError, InvalidValue

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (SQLAlchemy; default: env TRANSDESK_DB, else the local SQLite file).",
        show_default=False,
    ),
]


def _editor_default() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "local"


def import_(
    file: Annotated[Path, typer.Argument(help="Korean file: txt, docx, jsonl, csv/tsv, XLIFF.")],
    title: Annotated[str | None, typer.Option(help="Title (default: the file name).")] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Registry name, hub id (org/name[@revision]), local folder or 'test' (default: "
            "env TRANSDESK_MODEL, else opus-mt-ko-en)."
        ),
    ] = None,
    engine: Annotated[str, typer.Option(help="auto, transformers or ctranslate2.")] = "auto",
    beam: Annotated[int, typer.Option(min=1, max=16, help="Beam size (1 = greedy).")] = 4,
    segment_mode: Annotated[
        str, typer.Option("--segment", help="sentence (split with kiwipiepy) or line.")
    ] = "sentence",
    input_format: Annotated[
        str | None, typer.Option("--input-format", help="Input format if not from the name.")
    ] = None,
    field: Annotated[str | None, typer.Option(help="JSONL field holding the Korean text.")] = None,
    column: Annotated[str | None, typer.Option(help="CSV/TSV column holding the text.")] = None,
    editor: Annotated[
        str | None, typer.Option(help="Who imports (default: your login name).")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"document_id": N}.')] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
) -> None:
    """Import a file as a document: segment it, draft it with the model, store it; print its id."""
    from mt.commands.common import open_engine, progress_bar
    from mt.segment import check_mode
    from mt.store import import_file, open_store

    check_mode(segment_mode)
    from mt import formats

    # Read the file before loading the model, so a bad input fails at once.
    formats.read(file, format=input_format, field=field, column=column)
    loaded = open_engine(model, engine=engine, beam=beam, quiet=quiet or as_json)
    with open_store(db) as store, progress_bar(file.name, enabled=not quiet) as progress:
        doc_id = import_file(
            store, file, title=title, engine=loaded, created_by=editor or _editor_default(),
            segment_mode=segment_mode, progress=progress, format=input_format, field=field,
            column=column,
        )  # fmt: skip
    print(json.dumps({"document_id": doc_id}) if as_json else doc_id)


def export(
    document: Annotated[int, typer.Argument(help="Document id.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="txt, docx, xliff, xliff2, tmx, jsonl or csv.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    db: DbOption = None,
) -> None:
    """Export a document: the edited article, XLIFF for a CAT tool, TMX, or JSONL/CSV records."""
    from mt.store import export_document, open_store

    with open_store(db) as store:
        export_document(store, document, fmt, output)
    print(f"document {document} → {output} ({fmt})", file=sys.stderr)


def import_xliff(
    file: Annotated[Path, typer.Argument(help="XLIFF exported by transdesk and edited.")],
    editor: Annotated[str, typer.Option(help="Who edited the file in the CAT tool.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Record each target changed in a CAT tool as an edit (client xliff), as if made on the web."""
    from mt.store import import_xliff as run
    from mt.store import open_store

    if not file.is_file():
        raise InputError(f"{file}: no such file")
    with open_store(db) as store:
        result = run(store, file, editor=editor)
    summary = {
        "documents": list(result.document_ids),
        "saved": len(result.saved),
        "approved": len(result.approved),
        "unchanged": len(result.unchanged),
    }
    if as_json:
        print(json.dumps(summary))
    else:
        print(
            f"{file.name}: {summary['saved']} saved, {summary['approved']} approved, "
            f"{summary['unchanged']} unchanged"
        )


users_app = typer.Typer(help="Accounts: editors, reviewers and admins.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
    else:
        try:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        except typer.Abort:  # end of input: no terminal, or stdin closed
            raise InvalidValue(
                "no password given (input ended); use --password-stdin or --no-password"
            ) from None
    if not password:
        raise InvalidValue("password is empty")
    return password


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Display name (used to sign in).")],
    role: Annotated[str, typer.Option(help="editor, reviewer or admin.")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="A local editor without sign-in.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an account; the password (asked without echo) is stored as an argon2id hash."""
    from mt.store import add_user, open_store
    from mt.store.accounts import check_role

    check_role(role)  # before asking for a password
    password = None if no_password else _read_password(password_stdin)
    with open_store(db) as store:
        user = add_user(store, name, role=role, password=password)
    print(f"{user.name} ({user.role}) added", file=sys.stderr)


@users_app.command("list")
def users_list(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List editors with their roles."""
    from mt.store import list_users, open_store

    with open_store(db) as store:
        users = list_users(store)
    if as_json:
        print(json.dumps([
            {"name": u.name, "role": u.role, "password": u.has_password,
             "created_at": u.created_at.isoformat()}
            for u in users
        ]))  # fmt: skip
        return
    for u in users:
        print(f"{u.name}\t{u.role}\t{'password' if u.has_password else 'no password'}")


@users_app.command("set-role")
def users_set_role(
    name: Annotated[str, typer.Argument(help="Editor name.")],
    role: Annotated[str, typer.Argument(help="editor, reviewer or admin.")],
    db: DbOption = None,
) -> None:
    """Change an editor's role."""
    from mt.store import open_store, set_role

    with open_store(db) as store:
        user = set_role(store, name, role)
    print(f"{user.name} is now {user.role}", file=sys.stderr)


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="Editor name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set or change an editor's password."""
    from mt.store import open_store, set_password

    password = _read_password(password_stdin)
    with open_store(db) as store:
        set_password(store, name, password)
    print(f"password of {name} set", file=sys.stderr)


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="Editor name.")],
    db: DbOption = None,
) -> None:
    """Remove an account: no more sign-in, and its signed-in browsers are signed out (the name
    stays in the edit log)."""
    from mt.store import open_store, remove_user

    with open_store(db) as store:
        remove_user(store, name)
    print(f"account {name} removed", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
    app.command("import-xliff")(import_xliff)
    app.add_typer(users_app, name="users")
