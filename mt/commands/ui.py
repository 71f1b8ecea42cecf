"""`transdesk ui`: start the editor web app (Streamlit) on this machine."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from mt import web_origins

# ui/server.py wraps ui/app.py in an st.App with the sign-in cookie routes.
APP = Path(__file__).resolve().parents[2] / "ui" / "server.py"


def streamlit_command(
    *, port: int, host: str | None, max_upload_mb: int, allowed_origins: Iterable[str] = ()
) -> list[str]:
    """The `streamlit run` command line for the app with this desk's settings.

    The options travel as flags, not through `.streamlit/config.toml`, so they hold whatever
    folder the command is started from. Streamlit always runs headless: otherwise, on a first
    run, it stops at its "Welcome to Streamlit! Email:" prompt, and with no terminal (a service
    manager, nohup, `ssh -T`) it exits with status 255. `transdesk ui` opens the browser itself.
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
        "true",
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
    # A reverse proxy's origin: Streamlit's own WebSocket check must accept it too
    # (`ui.origin_guard` refuses every other origin first).
    for origin in sorted(allowed_origins):
        command += ["--server.corsAllowedOrigins", origin]
    return command


def has_display() -> bool:
    """Whether a browser window can be opened here: always on macOS and Windows; on Linux and
    the BSDs only inside a graphical session (X11 or Wayland)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_browser_when_up(url: str) -> None:
    """Start a small detached process that opens `url` in the browser once the server answers
    its health check (at most 60 s), so the server can take over this process meanwhile."""
    import subprocess

    subprocess.Popen(
        [sys.executable, "-m", "mt.commands.browser", url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def ui(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    db: Annotated[
        str | None,
        typer.Option(help="Database URL (default: env TRANSDESK_DB, else the local SQLite file)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Model for drafts: registry name, hub id, folder or 'test' (default: "
            "opus-mt-ko-en, or the offline test model when it is not available)."
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on; 127.0.0.1 by default, since a desk with no accounts "
            "has no sign-in (0.0.0.0 to serve the network once accounts exist)."
        ),
    ] = "127.0.0.1",
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            "--headless",
            help="Do not open a browser window (none is opened anyway where there is no "
            "display). --headless is an older name for it.",
        ),
    ] = False,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, help="Largest upload accepted, in MB.")
    ] = 20,
    allowed_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-origin",
            help="Another origin whose pages may use the app, e.g. a reverse proxy's "
            "https://desk.example.com (repeat for more; adds to env "
            f"{web_origins.ENV}). Only the address the browser reached is served otherwise.",
        ),
    ] = None,
) -> None:
    """Start the editor web app, and open it in the browser where there is a display."""
    env = dict(os.environ)
    origins = web_origins.configured_origins() | web_origins.parse_origins(
        ",".join(allowed_origin or []), source="--allowed-origin"
    )
    if origins:
        env[web_origins.ENV] = ",".join(sorted(origins))
    if db:
        env["TRANSDESK_DB"] = db
    if model:
        env["TRANSDESK_MODEL"] = model
    env["TRANSDESK_MAX_UPLOAD_MB"] = str(max_upload_mb)
    command = streamlit_command(
        port=port, host=host, max_upload_mb=max_upload_mb, allowed_origins=origins
    )
    url = f"http://{'localhost' if host in (None, '', '127.0.0.1', '0.0.0.0') else host}:{port}"
    typer.echo(f"Transdesk: {url}  (Ctrl+C stops it)", err=True)
    if not no_browser and has_display():
        open_browser_when_up(url)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the Streamlit server rather than wrapping it: a signal sent to `transdesk ui`
    # (a service manager's or a test's SIGTERM) then reaches the server itself, and no
    # orphaned server is left running when this process is stopped.
    os.execve(command[0], command, env)


def register(app: typer.Typer) -> None:
    """Add `transdesk ui` to the CLI."""
    app.command("ui")(ui)
