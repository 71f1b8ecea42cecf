"""`transdesk ui`: the command line it runs, and its help."""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from mt.cli import app
from mt.commands.ui import APP, streamlit_command


def test_streamlit_command_carries_the_desk_settings():
    command = streamlit_command(port=8600, host="0.0.0.0", headless=True, max_upload_mb=5)
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
    result = CliRunner().invoke(app, ["ui", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--db", "--model", "--headless", "--max-upload-mb"):
        assert option in result.output
