"""A real Transdesk server and Debian's Chromium for the browser tests.

The server is started with `transdesk ui` (the README's command) on a free port, with a fresh
SQLite database and the tiny offline model. Chromium is `/usr/bin/chromium` (apt package
`chromium`); test tools never download a browser. Without it the tests skip, except under CI
(env CI set), where they fail: CI must run them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TRANSDESK

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip (or, under CI, fail) when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {message}")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Desk:
    """A running server: its URL, database URL and log file."""

    url: str
    db_url: str
    log: Path


def start_desk(
    tmp: Path,
    model_dir: Path,
    *,
    extra_env: dict[str, str] | None = None,
    db_url: str | None = None,
    log_name: str = "server.log",
) -> tuple[Desk, subprocess.Popen]:
    """Start `transdesk ui` on a free port and wait until it answers; its database is
    `db_url` (e.g. a PostgreSQL schema from tests/conftest.py, shared by two servers) or a
    fresh SQLite file in `tmp`."""
    port = free_port()
    db_url = db_url or f"sqlite:///{tmp / 'desk.db'}"
    log = tmp / log_name
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
    env.pop("TRANSDESK_DB", None)
    command = [
        *TRANSDESK, "ui", "--port", str(port), "--host", "127.0.0.1",
        "--headless", "--db", db_url, "--model", str(model_dir),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"transdesk ui exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return Desk(url, db_url, log), proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"transdesk ui did not answer in 180 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def artifacts(request) -> Path:
    """Where this test's screenshots and downloads go (kept after the run)."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    return folder


def wait_idle(page, timeout: float = 120_000) -> None:
    """Wait until the app has finished its runs: idle now, and still idle a moment later.

    A click may start a run a little after it lands, and a fragment run may hand over to a full
    one, so one glance at an idle app is not enough.
    """
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    for _ in range(2):
        page.wait_for_timeout(200)
        page.wait_for_selector(idle, timeout=timeout)
