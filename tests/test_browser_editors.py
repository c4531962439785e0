"""The creator's direct controls in headless Chromium at 1440x900: edit the story in the Story tab, restore its
first version and approve it there; rename a character on its card (the name reaches every shot and the story,
the shots showing it go stale) and regenerate exactly those with one click; play the film in the Film tab (all of
it, then one chapter); compare a shot's two takes and use the older one. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_helpers import (
    BROWSER_TEST,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    log_tail,
    propose_story,
    running_app,
    story_idea,
)

from workspace.db import open_workspace
from workspace.history import HistoryManager
from workspace.project_view import load_project_state

if TYPE_CHECKING:
    from playwright.sync_api import Page

ARTIFACTS = REPO / "test-artifacts"
NEW_NAME = "Bolt"

pytestmark = BROWSER_TEST


@pytest.fixture
def editors_app(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`python app.py` on a free port over a temporary home (preview backend, 320x192): (url, home)."""
    log_path = tmp_path / "app.log"
    try:
        with running_app(tmp_path / "home", log_path, width=320, height=192) as url:
            yield url, tmp_path / "home"
    finally:
        print(log_tail(log_path))


def shot_texts(home: Path) -> list[str]:
    """Every shot's action and dialogue, as the app (another process) has stored them."""
    workspace = open_workspace(home)
    shots = load_project_state(workspace, 1).shots
    workspace.close()
    return [" ".join([shot.action, *(line["text"] for line in shot.dialogue)]) for shot in shots]


def open_tab(page: Page, tab_id: str) -> None:
    page.locator(f'button[role="tab"][data-tab-id="{tab_id}"]').click()


def test_story_cards_film_and_compare(editors_app: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, home = editors_app
    ARTIFACTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(60_000)
        summary = page.locator("#summary")

        # 1. the Director proposes a story; edit it in the Story tab (a new version), then restore the first one
        propose_story(page, url, story_idea(3))
        open_tab(page, "story")
        title = page.locator("#story-title :is(input, textarea)")
        expect(title).not_to_have_value("")
        first_title = title.input_value()
        title.fill("The Storm Keepers")
        beats = page.locator("#story-beats textarea")
        beats.fill(beats.input_value() + "\nThey watch the dawn together.")
        page.locator("#story-save").click()
        status = page.locator("#story-status")
        expect(status).to_contain_text("Saved story version 2.")
        expect(page.locator("#story-version-view")).to_contain_text("The Storm Keepers")
        page.screenshot(path=str(ARTIFACTS / "editors-1-story-saved.png"), full_page=True)

        page.locator("#story-versions input").click()
        page.get_by_role("option", name=re.compile(r"^v1 ")).click()
        expect(page.locator("#story-version-view")).to_contain_text(first_title)
        page.locator("#story-restore").click()
        expect(status).to_contain_text("Restored version 1 as story version 3.")
        expect(title).to_have_value(first_title)
        page.screenshot(path=str(ARTIFACTS / "editors-2-story-restored.png"), full_page=True)

        # 2. approve from the Story tab: the Director plans and renders the shots
        page.locator("#story-approve").click()
        expect(summary).to_contain_text("3/3 shots generated", timeout=240_000)
        expect(status).to_contain_text("Story version 3 approved.")

        # 3. the cards: portraits and voices; rename the second character, then regenerate what went stale
        open_tab(page, "cards")
        expect(page.locator("#card-ID_A img")).to_be_visible()
        expect(page.locator("#card-ID_B img")).to_be_visible()
        page.locator("#hear-ID_A").click()
        expect(page.locator("#gallery-status")).to_contain_text("in the preview voice")
        expect(page.locator('#voice-player a[download^="ID_A-"]')).to_have_count(1)
        page.locator("#edit-ID_B").click()
        expect(page.locator("#gallery-status")).to_contain_text("Editing ID_B below.")
        name = page.locator("#character-name :is(input, textarea)")
        old_name = name.input_value()
        assert old_name, "the editor shows the card's name"
        name.fill(NEW_NAME)
        page.locator("#save-character").click()
        expect(page.locator("#cards-status")).to_contain_text(f"renamed {old_name} to {NEW_NAME}")
        regenerate = page.locator("#regenerate-affected")
        expect(regenerate).to_be_visible()
        expect(regenerate).to_contain_text("Regenerate affected shots: ")
        expect(page.locator("#card-ID_B")).to_contain_text(NEW_NAME)
        stale = [int(n) for n in re.findall(r"\d+", regenerate.inner_text().split(":", 1)[1])]
        page.screenshot(path=str(ARTIFACTS / "editors-3-renamed.png"), full_page=True)
        regenerate.click()
        expect(page.locator("#regenerate-status")).to_contain_text("again.", timeout=240_000)
        expect(regenerate).to_be_hidden()
        expect(summary).to_contain_text("3/3 shots generated")
        page.screenshot(path=str(ARTIFACTS / "editors-4-regenerated.png"), full_page=True)
        renamed = shot_texts(home)
        assert renamed and not any(re.search(rf"\b{re.escape(old_name)}\b", text) for text in renamed), renamed

        # 4. the Film tab: play every shot in order, then jump to one chapter
        open_tab(page, "film")
        expect(page.locator("#film-chapters")).to_contain_text("✓")
        page.locator("#play-all").click()
        now = page.locator("#film-now")
        expect(now).to_contain_text("Playing shots 1, 2 and 3 in order")
        player = page.locator("#film-player video")
        expect(player).to_have_count(1)
        playing = player.evaluate(
            "v => new Promise(done => { v.muted = true; v.play().then(() => setTimeout(() => done(v.currentTime), "
            "1500), e => done(-1)); })"
        )
        assert playing > 0.5, f"the film did not play (currentTime {playing})"
        page.screenshot(path=str(ARTIFACTS / "editors-5-film.png"), full_page=True)
        page.locator('#film-chapters [data-testid="cell-1-1"]').click()  # row of shot 2, column "Shot"
        expect(now).to_contain_text("Playing shot 2 (")

        # 5. compare a regenerated shot's two takes and go back to the first
        shot = stale[0]
        open_tab(page, "compare")
        page.locator("#compare-number input").fill(str(shot))
        page.locator("#compare-load").click()
        expect(page.locator("#compare-status")).to_contain_text(f"Shot {shot}: v1 (left")
        expect(page.locator("#compare-video-a video")).to_have_count(1)
        expect(page.locator("#compare-video-b video")).to_have_count(1)
        expect(page.locator("#compare-diff")).to_contain_text("v1")
        expect(page.locator("#compare-memory-b")).not_to_be_empty()
        page.screenshot(path=str(ARTIFACTS / "editors-6-compare.png"), full_page=True)
        page.locator("#use-a").click()
        expect(page.locator("#compare-status")).to_contain_text(f"Shot {shot} now uses v1.")
        page.screenshot(path=str(ARTIFACTS / "editors-7-used-v1.png"), full_page=True)
        browser.close()
    print(f"\nbrowser run: {time.perf_counter() - started:.0f} s")

    workspace = open_workspace(home)
    state = load_project_state(workspace, 1)
    takes = HistoryManager(workspace).takes(1)
    workspace.close()
    assert state.story.version >= 4 and state.story.confirmed  # 1 proposed, 2 edited, 3 restored, 4 renamed
    assert state.character("ID_B").name == NEW_NAME
    assert sorted({t.shot_number for t in takes if t.version > 1}) == stale, "exactly the stale shots were rendered"
    assert state.shot(shot).current_take.version == 1
