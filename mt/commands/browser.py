"""Open the desk in the browser once its server answers (run detached by `transdesk ui`)."""

from __future__ import annotations

import sys
import time
import urllib.request
import webbrowser


def wait_and_open(url: str, *, timeout_s: float = 60.0) -> bool:
    """Poll the server's health check until it answers, then open `url`; False on time-out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return webbrowser.open(url)
        except OSError:
            pass
        time.sleep(0.5)
    return False


if __name__ == "__main__":
    wait_and_open(sys.argv[1])
