"""Run `app.py` on a free port and reach the story proposal in Chromium; shared by the browser test and bench/ui.py.

Import as `from browser_helpers import ...` in tests and `from tests.browser_helpers import ...` in bench/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# `pytestmark = BROWSER_TEST` in a browser test module: marked `browser`, skipped where Debian's Chromium is missing.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt install chromium)"
    ),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STORYBOARD_CAPTIONS = "#storyboard .caption-label"


def story_idea(shots: int) -> str:
    """The idea typed into the chat; the offline planner reads the shot count from its last sentence."""
    return f"A lighthouse keeper and a lost robot become friends during a storm. {shots} shots."


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"app.py exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"app.py did not answer on {url} within {timeout_s} s")


@contextmanager
def running_app(home: Path, log_path: Path, width: int, height: int) -> Iterator[str]:
    """`python app.py` on a free port over `home` with the preview backend at width x height; yields its URL.

    The app's output goes to `log_path` (see `log_tail`)."""
    port = free_port()
    env = {**os.environ, "ECHO_WIDTH": str(width), "ECHO_HEIGHT": str(height), "ECHO_BACKEND": "preview"}
    env.pop("ECHO_LLM_BASE_URL", None)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "app.py", "--home", str(home), "--port", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def log_tail(log_path: Path, chars: int = 3000) -> str:
    return log_path.read_text(errors="replace")[-chars:] if log_path.is_file() else f"(no log at {log_path})"


def propose_story(page: Page, url: str, idea: str) -> Locator:
    """Open the app, send `idea` in the chat and wait for the Director's story; returns its "Approve" button."""
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_text("How it works")).to_be_visible()
    page.locator("#message textarea").fill(idea)
    page.locator("#send").click()
    approve = page.locator("#option-0")
    expect(approve).to_be_visible(timeout=120_000)
    expect(approve).to_contain_text(re.compile("approve", re.IGNORECASE))
    return approve
