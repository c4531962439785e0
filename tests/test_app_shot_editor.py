"""The Shot tab's editor, handler by handler on the `planned_project` (plus one check through `gradio_client`):
editing a shot with its prompt compiled as typed, saving it as the creator's condition, a prompt written by hand,
regenerating exactly one shot, the shot list's structure, the storyboard's tiles and filter, and every refusal
leaving the project exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from sqlmodel import col, select
from workspace_helpers import ok, take_args

from director.session import DirectorSession
from director.settings import Settings
from director.ui import server, views
from director.ui.context import AppContext
from director.ui.editors import Editors
from director.ui.handlers import OPTION_BUTTONS, Handlers
from director.ui.shot_editor import DIALOGUE_ROWS, ShotEditor
from generator.prompt import MAX_PROMPT_CHARS
from generator.types import GeneratedShot, MemorySlot, ShotRequest
from tools.base import Toolbox
from workspace.db import Workspace
from workspace.models import ShotCondition, Take, ToolCall
from workspace.project_view import load_project_state

FIELDS = 5 + 2 * DIALOGUE_ROWS  # scene, characters, duration, action, camera, then speaker/line per row
SHOT_VIEW = 1 + 7  # the shot number, then the inspector's outputs (header ... shown film)
# What a change returns: status, storyboard, summary, generate button, answer buttons, then the shot shown
STATUS, STORYBOARD = 0, 1
SHOWN_NUMBER = 4 + OPTION_BUTTONS
RENDER_STATUS = 6 + OPTION_BUTTONS  # Regenerate: the Director's outputs (project, chat, buttons...), then status


class PromptSpy:
    """The preview generator, remembering every prompt it was asked to render."""

    name = "preview"

    def __init__(self) -> None:
        from generator.preview.renderer import PreviewGenerator

        self.prompts: list[str] = []
        self.preview = PreviewGenerator()

    def generate(
        self, request: ShotRequest, memory: Sequence[MemorySlot], progress: Any = None, out_dir: Path | None = None
    ) -> GeneratedShot:
        self.prompts.append(request.prompt)
        return self.preview.generate(request, memory, progress, out_dir)


class Page:
    """One browser tab's view of the app: the handlers, plus the Shot tab's state (film shown, shot edited)."""

    def __init__(self, ctx: AppContext, project_id: int) -> None:
        self.ctx, self.project = ctx, str(project_id)
        self.chat = Handlers(ctx)
        self.inspector = Editors(ctx, self.chat.run_started)
        self.editor = ShotEditor(ctx, self.chat, self.inspector)
        self.shown: int | None = None
        self.shot_id: int | None = None
        self.number: int | None = None
        self.fields: list[Any] = []

    def open(self, number: int) -> list[Any]:
        """Click a shot: the inspector and the editor fill from it; returns the editor's outputs."""
        self.number = number
        self.shown = self.inspector.inspect(self.project, number)[-1]
        loaded = list(self.editor.load(self.project, number))
        self.shot_id = loaded[-1]
        self.fields = [value["value"] if isinstance(value, dict) else value for value in loaded[:FIELDS]]
        return loaded

    def typed(self, **changes: Any) -> list[Any]:
        """The editor's fields with some typed over: scene, characters, duration, action, camera, or
        speaker_N / line_N (N from 0)."""
        names = ["scene", "characters", "duration", "action", "camera"]
        names += [f"{kind}_{row}" for row in range(DIALOGUE_ROWS) for kind in ("speaker", "line")]
        return [changes.get(name, value) for name, value in zip(names, self.fields, strict=True)]

    def target(self) -> tuple[Any, ...]:
        return (self.project, self.shown, self.shot_id, self.number)

    def save(self, **changes: Any) -> tuple[Any, ...]:
        return self.editor.save(*self.target(), *self.typed(**changes))

    def save_prompt(self, prompt: str, **changes: Any) -> tuple[Any, ...]:
        return self.editor.save_prompt(*self.target(), prompt, *self.typed(**changes))

    def regenerate(self) -> tuple[Any, ...]:
        return list(self.editor.regenerate(*self.target()))[-1]

    def after(self, outputs: tuple[Any, ...]) -> None:
        """Follow the shot a change shows (as the page does)."""
        number = outputs[SHOWN_NUMBER]
        if number is not None and outputs[STATUS][:1] != "⚠":
            self.open(number)


@pytest.fixture
def app(workspace: Workspace, planned_project: int) -> Iterator[tuple[AppContext, PromptSpy]]:
    ctx = AppContext(Settings(home=workspace.home, width=64, height=64))
    spy = PromptSpy()
    director = DirectorSession(ctx.settings, project_id=planned_project, generator=spy)
    ctx.adopt(director)
    yield ctx, spy
    director.close()


@pytest.fixture
def page(app: tuple[AppContext, PromptSpy], planned_project: int) -> Page:
    return Page(app[0], planned_project)


def comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A workspace snapshot without the page's placeholder tiles and the conversation checkpoints."""
    files = {k: v for k, v in snapshot["files"].items() if not k.startswith(("ui", "checkpoints", "chroma"))}
    return {**snapshot, "files": files}


def give_take(toolbox: Toolbox, workspace: Workspace, project_id: int, number: int) -> None:
    ok(toolbox, "register_take", **take_args(workspace, project_id, number))


def latest(workspace: Workspace, shot_id: int) -> ShotCondition:
    with workspace.read_session() as session:
        query = select(ShotCondition).where(ShotCondition.shot_id == shot_id).order_by(ShotCondition.version.desc())
        return session.exec(query).first()


def test_the_editor_shows_the_shot_and_the_prompt_it_compiles_to(page: Page) -> None:
    loaded = page.open(2)
    scene, characters, duration, action, camera = loaded[:5]
    assert scene["value"] == "S1" and [value for _, value in scene["choices"]] == ["S1", "S2"]
    assert characters["value"] == ["ID_A", "ID_B"] and characters["choices"][1] == ("ID_B · Mia", "ID_B")
    assert (duration, action, camera) == (73, "", "")
    assert loaded[5]["value"] == "ID_B" and loaded[6] == "Is the ship coming?" and loaded[7]["value"] is None
    prompt, length = loaded[FIELDS + 1 : FIELDS + 3]
    assert 'ID_B says, "Is the ship coming?"' in prompt and "a girl of ten with red hair" in prompt
    assert f"{len(prompt):,} / {MAX_PROMPT_CHARS:,} characters" in length and "over" not in length
    assert loaded[FIELDS + 3] == prompt, "the Advanced box starts from the prompt the next render sends"


def test_the_prompt_follows_the_typing_and_turns_red_over_the_limit(page: Page, workspace, workspace_snapshot) -> None:
    page.open(1)
    before = workspace_snapshot(workspace)
    prompt, length = page.editor.preview(page.project, page.shot_id, *page.typed(action="Old Tom lights the lamp."))
    assert "At normal speed, ID_A lights the lamp." in prompt and "over" not in length

    prompt, length = page.editor.preview(page.project, page.shot_id, *page.typed(action="Tom waits. " * 200))
    assert len(prompt) > MAX_PROMPT_CHARS and f"{len(prompt):,} / {MAX_PROMPT_CHARS:,} characters" in length
    assert "over the limit" in length and "#d32f2f" in length

    _, problem = page.editor.preview(page.project, page.shot_id, *page.typed(line_0="Hello?"))
    assert "choose who says it" in problem
    measured = page.editor.measure("  a  b \n c ")
    assert measured == f'<span class="prompt-length">5 / {MAX_PROMPT_CHARS:,} characters</span>'
    speakers = page.editor.speakers(page.project, ["ID_B"], "ID_A", None)
    assert [update["value"] for update in speakers] == [None, None]
    assert speakers[0]["choices"] == [("ID_B · Mia", "ID_B")]
    assert comparable(workspace_snapshot(workspace)) == comparable(before)


def test_save_changes_the_shot_and_records_the_creators_condition(
    page: Page, workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    give_take(toolbox, workspace, planned_project, 2)
    page.open(2)
    outputs = page.save(duration=121, speaker_1="ID_A", line_1="Not tonight, Mia.", camera="slow push in")

    assert outputs[STATUS] == "Saved shot 2 (duration, camera, dialogue). Press **Regenerate this shot** to render it."
    shot = load_project_state(workspace, planned_project).shot(2)
    assert shot.num_frames == 121 and shot.camera == "slow push in" and shot.status == "stale"
    assert shot.dialogue == [
        {"speaker": "ID_B", "text": "Is the ship coming?"},
        {"speaker": "ID_A", "text": "Not tonight, Mia."},
    ]
    condition = latest(workspace, shot.id)
    assert condition.source == "user" and 'ID_A says, "Not tonight, Mia."' in condition.prompt
    assert condition.fields["num_frames"] == 121 and condition.fields["compiled_prompt"] == condition.prompt
    tile = outputs[STORYBOARD][1][1]
    assert tile.startswith("Shot 2 · 4.8 s · v1 · stale\nOld Tom, Mia\n") and tile.endswith(views.STALE_MARKER)
    assert outputs[SHOWN_NUMBER] == 2 and "stale" in outputs[SHOWN_NUMBER + 1]  # the inspector's header
    with workspace.read_session() as session:
        calls = session.exec(select(ToolCall).where(col(ToolCall.tool).in_(["update_shot", "record_condition"])))
        made = {(call.tool, call.actor) for call in calls if call.ok}
    assert made >= {("update_shot", "user"), ("record_condition", "user")}


def test_refused_edits_change_nothing_and_keep_what_was_typed(
    page: Page, workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot
) -> None:
    page.open(2)
    shot_ids = [shot.id for shot in load_project_state(workspace, planned_project).shots]
    other = ok(toolbox, "create_project", title="Second film")["project_id"]
    before = workspace_snapshot(workspace)
    refusals = {
        f"over the {MAX_PROMPT_CHARS}-character limit": page.save(action="Tom waits. " * 200),
        "choose who says it": page.save(line_1="Who said this?"),
        "not in this shot": page.save(characters=["ID_A"]),  # Mia still has a line
        "nothing to save": page.save(),
        "type what happens in the new shot": page.editor.insert_after(*page.target(), "  "),
        "continue shot 1": page.editor.delete(page.project, page.shown, shot_ids[0], 1),
        "already the last": page.editor.move_down(page.project, page.shown, shot_ids[2], 3),
        "already the first": page.editor.move_up(page.project, page.shown, shot_ids[0], 1),
        "the editor is not showing shot 1": page.editor.duplicate(*page.target()[:3], 1),
        "unknown shot 9": page.editor.save(*page.target()[:3], 9, *page.typed()),
        "open a shot first": page.editor.save(page.project, None, None, 2, *page.typed()),
        'ID_B needs its identity sentence, beginning "ID_B is "': page.save_prompt("ID_B says hello in the storm."),
        "The prompt is empty": page.save_prompt("   "),
        "not saved": page.save_prompt("anything", action="Tom waves."),
    }
    over = "ID_A: a bearded keeper in his sixties. ID_B: a girl of ten with red hair. " + "Rain. " * 400
    refusals["it must stay under 2,000"] = page.save_prompt(over)
    refusals['field labels are not part of the caption ("ID_A:")'] = page.save_prompt(over)
    refusals[f"film #{other} is open now"] = page.editor.save(str(other), *page.target()[1:], *page.typed(camera="x"))

    for expected, outputs in refusals.items():
        assert outputs[STATUS].startswith("⚠ ") and expected in outputs[STATUS], (expected, outputs[STATUS])
        assert all(value == gr.skip() for value in outputs[1:]), f"{expected}: the page keeps what was typed"
    regenerated = list(page.editor.regenerate(page.project, page.shown, page.shot_id, 3))
    assert len(regenerated) == 1 and "the editor is not showing shot 3" in regenerated[0][RENDER_STATUS]
    assert comparable(workspace_snapshot(workspace)) == comparable(before)


def test_regenerate_renders_exactly_that_shot(app, page: Page, workspace: Workspace, planned_project: int) -> None:
    _, spy = app
    page.open(2)
    outputs = page.regenerate()

    shots = load_project_state(workspace, planned_project).shots
    assert [shot.current_take is not None for shot in shots] == [False, True, False], "shots 1 and 3 still wait"
    assert len(spy.prompts) == 1 and 'ID_B says, "Is the ship coming?"' in spy.prompts[0]
    assert outputs[RENDER_STATUS] == "Shot 2 is now version 1."
    chat = [message["content"] for message in outputs[1]]
    assert views.literal("Regenerate shot 2.") in chat and any("Still to render: shots 1 and 3" in m for m in chat)


def test_a_saved_edit_then_a_written_prompt_drive_the_next_renders(
    app, page: Page, workspace: Workspace, planned_project: int
) -> None:
    _, spy = app
    page.open(3)
    page.regenerate()
    page.open(3)
    page.after(page.save(action="Mia waves at the ship.", duration=49))
    assert load_project_state(workspace, planned_project).shot(3).status == "stale"
    page.regenerate()
    assert "At normal speed, ID_B waves at the ship." in spy.prompts[-1]
    take = load_project_state(workspace, planned_project).shot(3).current_take
    assert (take.version, take.num_frames) == (2, 49)

    page.open(3)
    written = spy.prompts[-1].replace("waves at the ship", "waves a red lantern at the passing ship")
    outputs = page.save_prompt(written)
    assert outputs[STATUS].startswith("Saved your prompt for shot 3")
    assert load_project_state(workspace, planned_project).shot(3).status == "stale", "the take is not of that prompt"
    page.after(outputs)
    assert page.open(3)[FIELDS + 3] == written, "the Advanced box shows the prompt in effect"
    page.regenerate()
    page.regenerate()
    assert spy.prompts[-2:] == [written, written], "a written prompt is used for every render until the shot changes"
    shot = load_project_state(workspace, planned_project).shot(3)
    with workspace.read_session() as session:
        condition = session.get(ShotCondition, session.get(Take, shot.current_take.id).condition_id)
    assert (condition.source, condition.prompt) == ("user", written)

    page.open(3)
    assert "uses already" in page.save_prompt(written)[STATUS]
    back = page.open(3)[FIELDS + 1]  # the compiled prompt, shown above the Advanced box
    assert page.save_prompt(back)[STATUS].startswith("Saved the compiled prompt again for shot 3")
    assert page.open(3)[FIELDS + 3] == back, "going back to the compiled prompt"
    page.after(page.save(camera="slow pan left"))
    page.regenerate()
    assert "waves at the ship" in spy.prompts[-1] and "The camera uses a slow pan left." in spy.prompts[-1]
    assert latest(workspace, shot.id).source == "compile", "an edit of the fields compiles the prompt afresh"


def test_structure_controls_insert_duplicate_move_and_delete(
    page: Page, workspace: Workspace, planned_project: int
) -> None:
    def actions() -> list[str]:
        return [
            shot.action or shot.dialogue[0]["text"] for shot in load_project_state(workspace, planned_project).shots
        ]

    page.open(2)
    outputs = page.editor.insert_before(*page.target(), "Mia climbs the stairs to Old Tom.")
    assert outputs[STATUS].startswith("Inserted shot 2") and outputs[-1] == "", "the new shot's box empties"
    new = load_project_state(workspace, planned_project).shot(2)
    assert (new.scene_id, new.characters, new.action) == ("S1", ["ID_B", "ID_A"], "Mia climbs the stairs to Old Tom.")
    assert outputs[SHOWN_NUMBER] == 2 and outputs[-2] == new.id, "the editor opens the new shot"
    page.after(outputs[:-1])

    page.after(page.editor.insert_after(*page.target(), "Waves break on the rocks."))
    page.after(page.editor.move_up(*page.target()))
    assert page.number == 2 and actions()[1] == "Waves break on the rocks."
    page.after(page.editor.move_down(*page.target()))
    page.after(page.editor.duplicate(*page.target()))
    assert page.number == 4
    assert actions() == [
        "Tom trims the lamp.", "Mia climbs the stairs to Old Tom.", "Waves break on the rocks.",
        "Waves break on the rocks.", "Is the ship coming?", "Mia waves at the sea.",
    ]  # fmt: skip
    outputs = page.editor.delete(*page.target())
    assert outputs[STATUS].startswith("Deleted shot 4") and len(outputs[STORYBOARD]) == 5
    assert outputs[SHOWN_NUMBER] == 4 and "Is the ship coming" in outputs[SHOWN_NUMBER + 3]  # the dialogue
    with workspace.read_session() as session:
        tools = {c.tool for c in session.exec(select(ToolCall).where(ToolCall.actor == "user")).all() if c.ok}
    assert {"insert_shot", "reorder_shot", "duplicate_shot", "delete_shot"} <= tools


def test_storyboard_tiles_say_what_each_shot_is(
    page: Page, workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    give_take(toolbox, workspace, planned_project, 1)
    give_take(toolbox, workspace, planned_project, 2)
    ok(toolbox, "update_shot", project_id=planned_project, number=2, camera="close-up")
    state = load_project_state(workspace, planned_project)
    captions = [caption for _, caption in views.storyboard(workspace, state)]
    assert [caption.split("\n")[0] for caption in captions] == [
        "Shot 1 · 2.0 s · v1 · generated", "Shot 2 · 2.9 s · v1 · stale", "Shot 3 · 1.0 s · planned",
    ]  # fmt: skip
    assert captions[1].split("\n")[1:] == ["Old Tom, Mia", 'Mia: "Is the ship coming?"', views.STALE_MARKER]
    assert captions[2].split("\n")[1:] == ["Mia", "Mia waves at the sea."]
    assert views.storyboard(workspace, state, making=3)[2][1].startswith("Shot 3 · 1.0 s · generating now\n")
    wordy = views.tile_caption(state, state.shot(1).model_copy(update={"action": "word " * 40}))
    assert len(wordy.split("\n")[2]) == views.TILE_LINE_CHARS and wordy.split("\n")[2].endswith("…")


def test_the_regenerate_offer_hides_once_nothing_is_stale(
    app, page: Page, workspace: Workspace, planned_project: int
) -> None:
    ctx, _ = app
    page.open(3)
    page.regenerate()
    director = ctx.director(planned_project)
    list(director.send("shot 3 camera: slow dolly in"))
    assert director.pending_question().options == ["Regenerate", "Keep"]
    assert [update.get("visible") for update in page.editor.offer_buttons(page.project)][:2] == [True, True]

    status, _ = page.inspector.rollback(page.project, page.shown, 3, 1)  # the take and its fields are current again
    assert "now uses version 1" in status and director.pending_question() is not None
    assert [update.get("visible") for update in page.editor.offer_buttons(page.project)] == ["hidden"] * OPTION_BUTTONS


def test_the_editor_through_the_api(workspace: Workspace, planned_project: int) -> None:
    """The page's wiring: /inspect_shot and /shot_editor fill the Shot tab; /save_shot saves through it."""
    from gradio_client import Client

    demo, url = server.start(Settings(home=workspace.home, port=0, width=64, height=64))
    try:
        client = Client(url, verbose=False)
        project = str(planned_project)
        client.predict(project, 1, api_name="/inspect_shot")
        editor = [value["value"] if isinstance(value, dict) else value for value in
                  client.predict(project, 1, api_name="/shot_editor")]  # fmt: skip
        assert editor[:5] == ["S1", ["ID_A"], 49, "Tom trims the lamp.", ""]
        fields = [*editor[:2], 97, "Tom trims the lamp and hums.", *editor[4:FIELDS]]
        outputs = client.predict(project, 1, *fields, api_name="/save_shot")
        assert outputs[0] == "Saved shot 1 (duration, action). It renders when generated."
        shot = load_project_state(workspace, planned_project).shot(1)
        assert (shot.num_frames, shot.action) == (97, "Tom trims the lamp and hums.")

        other = Toolbox(workspace, actor="test").call("create_project", {"title": "Other"}).data["project_id"]
        outputs = client.predict(str(other), 1, *fields, api_name="/save_shot")
        assert outputs[0].startswith("⚠ ") and f"film #{other} is open now" in outputs[0]
    finally:
        demo.close()
