"""`transdesk ui`: the command line it runs, and its help."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mt.commands.ui import APP, streamlit_command
from tests.browser.conftest import free_port
from tests.conftest import ROOT, TRANSDESK, run_cli


def test_streamlit_command_carries_the_desk_settings():
    command = streamlit_command(port=8600, host="0.0.0.0", max_upload_mb=5)
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(APP)]
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options["--server.port"] == "8600"
    assert options["--server.address"] == "0.0.0.0"
    assert options["--server.headless"] == "true"
    assert options["--server.maxUploadSize"] == "5"
    assert options["--browser.gatherUsageStats"] == "false"
    assert options["--client.showErrorDetails"] == "type"  # no tracebacks in browsers
    assert APP.is_file()


def test_ui_help_names_every_option():
    result = run_cli("ui", "--help")
    assert result.exit_code == 0
    for option in ("--port", "--db", "--model", "--no-browser", "--max-upload-mb"):
        assert option in result.output


def _start_ui(tmp_path, *args: str, env_extra: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`transdesk ui` as a newcomer runs it: stdin closed, an empty home folder, no terminal."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRANSDESK_", "XDG_", "HF_", "STREAMLIT_"))
        and key not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")
    }
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", **env_extra)
    port = free_port()
    proc = subprocess.Popen(
        [*TRANSDESK, "ui", "--port", str(port), *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=(tmp_path / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


def _wait_for(url: str, proc: subprocess.Popen, log: Path) -> bytes:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"transdesk ui exited: {log.read_text()[-2000:]}"
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.read()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url} in 120 s: {log.read_text()[-2000:]}")


@pytest.mark.slow
def test_ui_starts_with_stdin_closed_and_an_empty_home(tmp_path):
    proc, url = _start_ui(tmp_path, env_extra={})
    log = tmp_path / "server.log"
    try:
        assert _wait_for(url + "/_stcore/health", proc, log) == b"ok"
        assert b"<title>" in _wait_for(url + "/", proc, log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    output = log.read_text()
    assert "Welcome to Streamlit" not in output and "Email" not in output
    assert not (tmp_path / "home" / ".streamlit" / "credentials.toml").exists()


@pytest.mark.slow
@pytest.mark.parametrize("no_browser", [False, True])
def test_ui_opens_the_browser_only_with_a_display_and_without_no_browser(tmp_path, no_browser):
    opened = tmp_path / "opened.txt"
    fake_browser = tmp_path / "fake-browser"
    fake_browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    fake_browser.chmod(0o755)
    args = ["--no-browser"] if no_browser else []
    proc, url = _start_ui(
        tmp_path, *args, env_extra={"DISPLAY": ":0", "BROWSER": f"{fake_browser} %s"}
    )
    try:
        _wait_for(url + "/_stcore/health", proc, tmp_path / "server.log")
        deadline = time.monotonic() + (5 if no_browser else 30)
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if no_browser:
        assert not opened.exists()
    else:
        assert opened.read_text().strip() == url.replace("127.0.0.1", "localhost")
