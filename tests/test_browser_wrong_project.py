"""In headless Chromium (1440x900): open film #2's shot 2 in the Shot tab, pick film #1 under "Your films", type
feedback and press Revise. The inspector was reset when the film changed, the revise is refused, and neither film
changes (the bug was: film #1's shot 2 became a new version and its later shots went stale)."""

from __future__ import annotations

import re
from pathlib import Path

from browser_helpers import BROWSER_TEST, CHROMIUM, CHROMIUM_ARGS, REPO, log_tail, running_app
from conftest import take_workspace_snapshot
from workspace_helpers import ok

from tools.base import Toolbox
from workspace.db import open_workspace

ARTIFACTS = REPO / "test-artifacts"

pytestmark = BROWSER_TEST


def two_planned_films(home: Path) -> None:
    workspace = open_workspace(home)
    toolbox = Toolbox(workspace, actor="test")
    for title, place in (("The Lighthouse", "Lamp room"), ("The Harbour", "Quay")):
        pid = ok(toolbox, "create_project", title=title, idea=title)["project_id"]
        ok(toolbox, "write_story", project_id=pid, title=title, description=f"A night at {place}.")
        ok(toolbox, "confirm_story", project_id=pid)
        ok(toolbox, "add_scene", project_id=pid, name=place)
        shots = [{"scene_id": "S1", "action": f"{title}, moment {n}."} for n in (1, 2, 3)]
        ok(toolbox, "set_shot_plan", project_id=pid, shots=shots)
    workspace.close()


def project_rows(home: Path) -> dict:
    workspace = open_workspace(home)
    try:
        return take_workspace_snapshot(workspace)["tables"]
    finally:
        workspace.close()


def test_a_shot_of_another_film_is_never_revised(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    home = tmp_path / "home"
    two_planned_films(home)
    before = project_rows(home)
    log_path = tmp_path / "app.log"
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with running_app(home, log_path, width=320, height=192) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(url)
            expect(page.locator("#project-picker input")).to_have_value(re.compile("#2"))  # the newest film
            page.locator("#storyboard .thumbnail-item").nth(1).click()
            header = page.locator("#shot-header")
            expect(header).to_contain_text("The Harbour, moment 2")

            page.locator("#project-picker input").click()
            page.get_by_role("option", name=re.compile(r"#1 ")).click()
            expect(header).not_to_contain_text("The Harbour", timeout=30_000)  # the inspector was reset
            page.screenshot(path=str(ARTIFACTS / "wrong-project-1-switched.png"), full_page=True)

            page.locator("#feedback textarea").fill("Make it darker.")
            page.locator("#revise").click()
            expect(page.locator("#shot-status")).to_contain_text("⚠")
            page.screenshot(path=str(ARTIFACTS / "wrong-project-2-refused.png"), full_page=True)
            browser.close()
    finally:
        print(log_tail(log_path))
    after = project_rows(home)
    assert after == before
