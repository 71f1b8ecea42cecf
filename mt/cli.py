"""The `transdesk` command: a Typer app whose commands live in `mt.commands.*`.

This is the only place that turns a `TransdeskError` into one line on stderr and an exit code.
"""

from __future__ import annotations

import importlib
import sys

import typer

from mt.errors import TransdeskError
from mt.redact import install_excepthook, mask

app = typer.Typer(
    name="transdesk",
    help="Korean→English machine-translation post-editing desk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Each module defines `register(app)`; imported lazily-light so `transdesk --help` stays fast.
COMMAND_MODULES = [
    "mt.commands.models",
    "mt.commands.translate",
    "mt.commands.ui",
    "mt.commands.check",
    "mt.commands.import_",
    "mt.commands.export",
    "mt.commands.import_xliff",
    "mt.commands.users",
    "mt.commands.documents",
    "mt.commands.eval",
    "mt.commands.report",
    "mt.commands.tm",
    "mt.commands.glossary",
    "mt.commands.adapt",
    "mt.commands.versions",
]


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_all()


def main() -> None:
    """Console entry point: run the app, turning user errors into one line and an exit code.

    Typer's standalone mode handles usage errors (exit 2) and explicit exits; anything the
    library raises as `TransdeskError` becomes "Error: <message>" and the error's exit code.
    A live secret (`mt.redact.register`) is masked in that line and in any traceback.
    """
    install_excepthook()
    try:
        app()
    except TransdeskError as e:
        print(f"Error: {mask(str(e))}", file=sys.stderr)
        raise SystemExit(e.exit_code) from None
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    except BrokenPipeError:
        # e.g. `transdesk translate - | head`: the reader went away; not an error of ours.
        sys.stderr.close()
        raise SystemExit(0) from None


if __name__ == "__main__":  # python -m mt.cli
    main()
