"""`transdesk ui`: start the editor web app (Streamlit) on this machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"


def streamlit_command(
    *, port: int, host: str | None, headless: bool, max_upload_mb: int
) -> list[str]:
    """The `streamlit run` command line for the app with this desk's settings.

    The options travel as flags, not through `.streamlit/config.toml`, so they hold whatever
    folder the command is started from.
    """
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--server.maxUploadSize",
        str(max_upload_mb),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
        # An unexpected error shows its type only: tracebacks (paths, segment text) stay in
        # the server's log, not in every editor's browser.
        "--client.showErrorDetails",
        "type",
    ]
    if host:
        command += ["--server.address", host]
    return command


def ui(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    db: Annotated[
        str | None,
        typer.Option(help="Database URL (default: env TRANSDESK_DB, else the local SQLite file)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Model for drafts: registry name, hub id or folder (default: "
            "opus-mt-ko-en, or an offline test model when it is not available)."
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on; 127.0.0.1 by default, since a desk with no accounts "
            "has no sign-in (0.0.0.0 to serve the network once accounts exist)."
        ),
    ] = "127.0.0.1",
    headless: Annotated[
        bool, typer.Option("--headless", help="Do not open a browser window.")
    ] = False,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, help="Largest upload accepted, in MB.")
    ] = 20,
) -> None:
    """Start the editor web app and open it in the browser."""
    env = dict(os.environ)
    if db:
        env["TRANSDESK_DB"] = db
    if model:
        env["TRANSDESK_MODEL"] = model
    env["TRANSDESK_MAX_UPLOAD_MB"] = str(max_upload_mb)
    command = streamlit_command(
        port=port, host=host, headless=headless, max_upload_mb=max_upload_mb
    )
    typer.echo(f"Transdesk: http://{host or 'localhost'}:{port}  (Ctrl+C stops it)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the Streamlit server rather than wrapping it: a signal sent to `transdesk ui`
    # (a service manager's or a test's SIGTERM) then reaches the server itself, and no
    # orphaned server is left running when this process is stopped.
    os.execve(command[0], command, env)


def register(app: typer.Typer) -> None:
    """Add `transdesk ui` to the CLI."""
    app.command("ui")(ui)
