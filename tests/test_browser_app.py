"""End to end in headless Chromium: idea -> approve -> shots -> revise shot 2 -> roll back -> export -> download.

Runs `app.py` as a subprocess on a free port over a temporary home with the preview backend at 320x192.
Screenshots go to test-artifacts/; the time from pressing "Approve" to the first shot in the storyboard is printed.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browser_helpers import (
    BROWSER_TEST,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    STORYBOARD_CAPTIONS,
    propose_story,
    story_idea,
)

from generator.media import probe
from workspace.db import open_workspace
from workspace.project_view import load_project_state

ARTIFACTS = REPO / "test-artifacts"
IDEA = story_idea(3)

pytestmark = BROWSER_TEST


def test_idea_to_downloaded_film(echo_app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(60_000)
        captions = page.locator(STORYBOARD_CAPTIONS)

        # 1. the idea -> the Director proposes a story and asks for approval
        approve = propose_story(page, echo_app_url, IDEA)
        page.screenshot(path=str(ARTIFACTS / "browser-1-story.png"), full_page=True)

        # 2. approve -> shots appear one by one in the storyboard
        approve.click()
        started = time.perf_counter()
        expect(captions.first).to_contain_text("v1", timeout=180_000)
        first_shot_s = time.perf_counter() - started
        print(f"\nUI time from 'Approve' to the first shot visible: {first_shot_s:.1f} s")
        expect(captions).to_have_count(3)
        for index in range(3):
            expect(captions.nth(index)).to_contain_text("v1", timeout=240_000)
        expect(approve).not_to_contain_text(re.compile("approve", re.IGNORECASE))
        expect(page.locator("#summary")).to_contain_text("ready: open Export")
        expect(page.locator("#generate")).to_be_hidden()
        expect(page.locator("#activity")).to_be_hidden()
        page.screenshot(path=str(ARTIFACTS / "browser-2-storyboard.png"), full_page=True)

        # 3. inspect shot 2 and revise it from the feedback box -> version 2
        page.locator("#storyboard .thumbnail-item").nth(1).click()
        header = page.locator("#shot-header")
        expect(header).to_contain_text("Shot 2")
        expect(page.locator("#shot-video video")).to_have_count(1)
        page.locator("#feedback textarea").fill("Make the storm darker and move the camera closer.")
        page.locator("#revise").click()
        expect(header).to_contain_text("v2", timeout=180_000)
        expect(page.locator("#shot-status")).to_contain_text("Shot 2 is now version 2.")
        expect(page.locator("#feedback textarea")).to_have_value("")
        expect(captions.nth(1)).to_contain_text("v2")
        try:
            expect(page.locator("#generate")).to_be_visible()
            expect(page.locator("#generate")).to_contain_text("Generate 1 pending shot")
        except AssertionError as error:
            raise AssertionError(
                f"{error}\n{what_the_film_holds(tmp_path / 'home')}\nchat:\n{page.locator('#chat').inner_text()}"
            ) from error
        page.screenshot(path=str(ARTIFACTS / "browser-3-revised.png"), full_page=True)

        # 4. roll back to version 1
        page.locator("#versions input").click()
        page.get_by_role("option", name=re.compile(r"^v1 ")).click()
        page.locator("#rollback").click()
        expect(page.locator("#shot-status")).to_contain_text("now uses version 1")
        expect(header).to_contain_text("v1")
        expect(captions.nth(1)).to_contain_text("v1")
        page.screenshot(path=str(ARTIFACTS / "browser-4-rolled-back.png"), full_page=True)

        # 5. shots that remembered the replaced take of shot 2 went stale: regenerate what is pending, then ask the
        #    Director to export from the chat; the Export tab opens on the film, and the tab's button exports again.
        generate = page.locator("#generate")
        if any("stale" in caption for caption in captions.all_inner_texts()):
            expect(generate).to_be_visible()
            expect(generate).to_contain_text("pending shot")
            generate.click()
        expect(page.locator("#summary")).to_contain_text("3/3 shots generated", timeout=180_000)
        for index in range(3):
            expect(captions.nth(index)).not_to_contain_text("stale", timeout=180_000)
        expect(generate).to_be_hidden()
        page.locator("#message textarea").fill("Export the film please")
        page.locator("#send").click()
        expect(page.locator("#export-status")).to_contain_text("Last export", timeout=180_000)
        expect(page.locator("#film video")).to_have_count(1)
        page.locator("#export").click()
        expect(page.locator("#export-status")).to_contain_text("Exported 3 shots", timeout=180_000)
        page.screenshot(path=str(ARTIFACTS / "browser-5-export.png"), full_page=True)
        with page.expect_download() as download_info:
            page.locator("#downloads tr", has_text=re.compile(r"film\s*\.mp4")).locator("td").first.click()  # the name
        film = tmp_path / "downloaded-film.mp4"
        download_info.value.save_as(film)
        browser.close()

    workspace = open_workspace(tmp_path / "home")
    shots = load_project_state(workspace, 1).shots
    workspace.close()
    assert [s.current_take.version for s in shots][:2] == [1, 1]
    info = probe(film)
    assert info.has_audio and (info.width, info.height) == (320, 192)
    assert info.duration_s == pytest.approx(sum(s.current_take.duration_s for s in shots), abs=0.1)


def what_the_film_holds(home: Path) -> str:
    """Each shot's status and current take with the takes it remembered, for a failure message."""
    workspace = open_workspace(home)
    try:
        shots = load_project_state(workspace, 1).shots
    finally:
        workspace.close()
    return "\n".join(
        f"shot {shot.number} ({shot.status}): take {take.id} v{take.version} {take.status}, remembers take ids "
        f"{[source.get('take_id') for source in take.memory_sources]}"
        if (take := shot.current_take)
        else f"shot {shot.number} ({shot.status}): no take"
        for shot in shots
    )


def test_a_failed_story_edit_keeps_the_buttons_and_the_next_message_is_answered(echo_app_url: str) -> None:
    """The Director cannot apply an edit (quoted text that is not in the story): the error shows, Approve/Edit
    stay, and the next message is answered with a new story version."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(60_000)
        approve = propose_story(page, echo_app_url, IDEA)

        page.locator("#message textarea").fill('replace "a purple submarine" with "a red kite"')
        page.locator("#send").click()
        expect(page.get_by_text("does not appear in the story").last).to_be_visible()
        expect(approve).to_be_visible()
        expect(approve).to_contain_text(re.compile("approve", re.IGNORECASE))
        expect(page.locator("#option-1")).to_contain_text(re.compile("edit", re.IGNORECASE))
        page.screenshot(path=str(ARTIFACTS / "browser-failed-edit.png"), full_page=True)

        page.locator("#message textarea").fill("Make it funnier")
        page.locator("#send").click()
        expect(page.get_by_text("story version 2").last).to_be_visible()
        expect(approve).to_contain_text(re.compile("approve", re.IGNORECASE))
        browser.close()
