"""In headless Chromium at 1440x900: a message box that empties as soon as it is sent, then a shot edited directly
(a line of dialogue and the duration) with its prompt's length following the typing, saved, regenerated, and the
shot list changed from the Shot tab (insert, filter, move, delete). Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

from browser_helpers import (
    BROWSER_TEST,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    STORYBOARD_CAPTIONS,
    story_idea,
)

ARTIFACTS = REPO / "test-artifacts"
SHOWN_TILES = "#storyboard .gallery-item:not([hidden])"  # the tiles the storyboard's filter keeps
# Every error toast the page shows (a warning is expected when an edit is refused; an error never is).
RECORD_ERRORS = """
window.echoErrors = [];
new MutationObserver(() => document.querySelectorAll('[data-testid="toast-body"].error').forEach((toast) => {
    if (!toast.dataset.recorded) { toast.dataset.recorded = "1"; window.echoErrors.push(toast.innerText); }
})).observe(document, {childList: true, subtree: true});
"""

pytestmark = BROWSER_TEST


def test_edit_a_shot_directly_then_change_the_shot_list(echo_app_url: str) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    def shoot(page: Page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"shot-editor-{name}.png"), full_page=True)

    def choose(page: Page, dropdown: str, option: str | re.Pattern[str]) -> None:
        page.locator(f"{dropdown} input").click()
        page.get_by_role("option", name=option).first.click()

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(60_000)
        page.add_init_script(RECORD_ERRORS)
        captions = page.locator(STORYBOARD_CAPTIONS)
        message = page.locator("#message textarea")
        status = page.locator("#edit-status")
        board, shown = page.locator("#storyboard"), page.locator(f"{SHOWN_TILES} .caption-label")

        # 1. a sent message leaves the box at once; one sent while the Director works waits its turn
        page.goto(echo_app_url)
        message.fill(story_idea(3))
        page.locator("#send").click()
        expect(message).to_have_value("", timeout=3_000)
        page.locator("#option-0").click()  # Approve: three shots are made one after the other
        expect(page.locator("#activity")).to_be_visible()
        message.fill("What happens in shot 1?")
        page.locator("#send").click()
        expect(message).to_have_value("", timeout=3_000)
        expect(page.locator("#activity")).to_be_visible()
        for index in range(3):
            expect(captions.nth(index)).to_contain_text("v1", timeout=240_000)
        expect(page.locator("#chat")).to_contain_text("What happens in shot 1?", timeout=120_000)
        expect(page.locator("#activity")).to_be_hidden(timeout=120_000)
        expect(captions.nth(1)).to_contain_text(re.compile(r"^Shot 2 · \d+\.\d s · v1 · generated\n"))
        shoot(page, "1-storyboard")

        # 2. open shot 2 and give it a line of dialogue and a new length: the prompt follows the typing
        page.locator("#storyboard .thumbnail-item").nth(1).click()
        expect(page.locator("#shot-header")).to_contain_text("Shot 2")
        prompt = page.locator("#edit-prompt textarea")
        length = page.locator("#edit-prompt-length")
        expect(prompt).not_to_have_value("")
        choose(page, "#edit-speaker-0", re.compile(r"^ID_[AB] · "))
        page.locator("#edit-line-0 textarea").fill("Hold on, the storm is turning")
        page.locator("#edit-line-0 textarea").press_sequentially("!")  # typed: the prompt follows the keys
        expect(prompt).to_have_value(re.compile(r'ID_[AB] says, "Hold on, the storm is turning!"'))
        choose(page, "#edit-duration", "6.12 s")
        expect(length).to_have_text(re.compile(r"^\s*[\d,]+ / 1,999 characters\s*$"))
        page.locator("#shot-editor").scroll_into_view_if_needed()
        shoot(page, "2-editing")

        action = page.locator("#edit-action textarea")
        planned_action = action.input_value()
        action.fill("The keeper climbs the stairs. " * 75)  # pasted: the prompt follows when the box is left
        action.blur()
        expect(length).to_contain_text("over the limit")
        page.locator("#save-shot").click()
        expect(status).to_contain_text("over the 1999-character limit")
        page.locator("#edit-prompt-length").scroll_into_view_if_needed()
        shoot(page, "3-over-the-limit")
        action.fill(planned_action)
        action.blur()
        expect(length).not_to_contain_text("over")

        page.locator("#save-shot").click()
        expect(status).to_contain_text("Saved shot 2 (duration, dialogue)")
        expect(captions.nth(1)).to_contain_text("6.1 s · v1 · stale")
        expect(captions.nth(1)).to_contain_text("⚠ STALE: regenerate to update")
        expect(captions.nth(1)).to_contain_text('"Hold on, the storm is turning!"')
        shoot(page, "4-saved")

        # 3. regenerate exactly this shot
        page.locator("#regenerate-shot").click()
        expect(status).to_contain_text("Shot 2 is now version 2.", timeout=180_000)
        expect(captions.nth(1)).to_contain_text("6.1 s · v2 · generated")
        expect(captions.nth(1)).not_to_contain_text("stale")
        expect(page.locator("#shot-header")).to_contain_text("v2")
        expect(captions.nth(0)).to_contain_text("v1")
        expect(captions.nth(2)).to_contain_text("v1")
        shoot(page, "5-regenerated")

        # 4. insert a shot after shot 2, see it under Pending, move it up, then delete it
        page.locator("#new-shot-action textarea").fill("The robot waves goodbye from the rocks.")
        page.locator("#insert-after").click()
        expect(status).to_contain_text("Inserted shot 3")
        expect(captions).to_have_count(4)
        expect(captions.nth(2)).to_contain_text("The robot waves goodbye from the rocks.")
        expect(page.locator("#shot-header")).to_contain_text("Shot 3")
        page.locator("#move-up").click()
        expect(status).to_contain_text("Moved shot 3 to position 2")
        expect(captions.nth(1)).to_contain_text("The robot waves goodbye from the rocks.")
        page.get_by_role("tab", name="Storyboard").click()
        page.locator("#board-filter").get_by_text("Pending", exact=True).click()
        expect(shown).to_have_count(1)
        expect(shown.first).to_contain_text(re.compile(r"^Shot 2 · 4\.8 s · planned"))
        expect(board).to_have_attribute("data-note", "Showing 1 of 4 shots (waiting to be generated).")
        shoot(page, "6-pending-filter")
        page.locator(f"{SHOWN_TILES} .thumbnail-item").first.click()  # the filtered board's tile opens shot 2
        expect(page.locator("#shot-header")).to_contain_text("The robot waves goodbye")
        page.locator("#delete-shot").click()
        expect(status).to_contain_text("Deleted shot 2")
        page.get_by_role("tab", name="Storyboard").click()
        expect(shown).to_have_count(0)  # the filter holds while the storyboard changes
        expect(board).to_have_attribute("data-note", re.compile("^No shot is waiting to be generated"))
        page.locator("#board-filter").get_by_text("Stale", exact=True).click()
        expect(board).to_have_attribute("data-note", re.compile("^No shot is stale"))
        page.locator("#board-filter").get_by_text("All", exact=True).click()
        expect(shown).to_have_count(3)
        expect(captions.nth(1)).to_contain_text("v2")
        shoot(page, "7-deleted")
        assert page.evaluate("window.echoErrors") == []
        browser.close()
