"""UI speed: wall time from clicking "Approve" on the Director's story to the first storyboard tile showing a
rendered shot, and to all of them, in headless Chromium.

Every run starts `app.py` afresh (preview backend, offline planner) over a fresh temporary home, so each run is a
new user's first film; app start-up and the story proposal are not timed. A tile counts as visible once its
caption shows a take version and its key frame image has loaded. Prints the per-run figures and their medians.

    .venv/bin/python -m bench.ui [--runs 3] [--shots 3] [--width 640 --height 384]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS, log_tail, propose_story, running_app, story_idea

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# True once at least `count` storyboard tiles show a take version (" · v1") and their key frame has loaded.
SHOTS_VISIBLE_JS = """
(count) => [...document.querySelectorAll('#storyboard .caption-label')]
    .filter((label) => /\\bv\\d+\\b/.test(label.textContent))
    .map((label) => label.closest('button')?.querySelector('img'))
    .filter((img) => img && img.complete && img.naturalWidth > 0)
    .length >= count
"""
POLL_MS = 50


def timed_run(browser: Browser, url: str, shots: int) -> tuple[float, float]:
    """(seconds from the "Approve" click to the first shot visible, to all `shots` visible) for one new story."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        approve = propose_story(page, url, story_idea(shots))
        timeout_ms = (120 + 120 * shots) * 1000
        approve.click()
        started = time.perf_counter()
        page.wait_for_function(SHOTS_VISIBLE_JS, arg=1, polling=POLL_MS, timeout=timeout_ms)
        first_s = time.perf_counter() - started
        page.wait_for_function(SHOTS_VISIBLE_JS, arg=shots, polling=POLL_MS, timeout=timeout_ms)
        return first_s, time.perf_counter() - started
    finally:
        context.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="stories timed, each in a fresh app and home")
    parser.add_argument("--shots", type=int, default=3, help="shots asked for in the idea text")
    parser.add_argument("--width", type=int, default=640, help="ECHO_WIDTH of the rendered shots")
    parser.add_argument("--height", type=int, default=384, help="ECHO_HEIGHT of the rendered shots")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.shots < 1 or args.width < 1 or args.height < 1:
        parser.error("--runs, --shots, --width and --height must be positive")
    if not CHROMIUM.exists():
        print(f"bench.ui needs Debian's Chromium at {CHROMIUM} (apt install chromium); nothing was measured.")
        return 2
    from playwright.sync_api import sync_playwright

    print(f"UI bench: {args.runs} run(s), {args.shots} shots at {args.width}x{args.height}, preview backend")
    firsts, alls = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for run in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory(prefix="echo-bench-ui-") as tmp:
                log_path = Path(tmp) / "app.log"
                try:
                    with running_app(Path(tmp) / "home", log_path, args.width, args.height) as url:
                        first_s, all_s = timed_run(browser, url, args.shots)
                except Exception:
                    print(f"run {run} failed; the app's log ends with:\n{log_tail(log_path)}", file=sys.stderr)
                    raise
            firsts.append(first_s)
            alls.append(all_s)
            print(f"run {run}: first shot visible {first_s:6.2f} s, all {args.shots} shots visible {all_s:6.2f} s")
        browser.close()
    print(
        f"median of {args.runs}: approve -> first shot visible {statistics.median(firsts):.2f} s, "
        f"-> all {args.shots} shots visible {statistics.median(alls):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
