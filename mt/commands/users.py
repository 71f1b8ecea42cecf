"""`transdesk users`: accounts (viewers, editors, reviewers, admins) from the shell."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from mt.commands.common import DbOption
from mt.errors import InvalidValue

users_app = typer.Typer(
    help="Accounts: viewers, editors, reviewers and admins.", no_args_is_help=True
)


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
    from mt.store.accounts import check_password

    return check_password(password)  # the policy, before the database opens


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Display name (used to sign in).")],
    role: Annotated[str, typer.Option(help="viewer, editor, reviewer or admin.")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="A local editor without sign-in.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an account; the password (asked without echo) is stored as an argon2id hash."""
    from mt.names import check_name
    from mt.store import add_user, open_store
    from mt.store.accounts import check_role

    check_role(role)  # before asking for a password
    check_name(name)  # likewise (the store checks it again, with look-alikes of existing names)
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
    role: Annotated[str, typer.Argument(help="viewer, editor, reviewer or admin.")],
    db: DbOption = None,
) -> None:
    """Change an editor's role."""
    from mt.store import open_store, set_role

    with open_store(db) as store:
        user = set_role(store, name, role)
    print(f"{user.name} is now {user.role}", file=sys.stderr)


@users_app.command("rename")
def users_rename(
    name: Annotated[str, typer.Argument(help="Editor name now.")],
    new_name: Annotated[str, typer.Argument(help="The new name.")],
    db: DbOption = None,
) -> None:
    """Rename an editor; their history stays theirs and the rename is logged."""
    from mt.store import open_store, rename_user

    with open_store(db) as store:
        user = rename_user(store, name, new_name)
    print(f"{name} is now called {user.name}", file=sys.stderr)


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
    app.add_typer(users_app, name="users")
