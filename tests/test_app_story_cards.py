"""The creator's direct controls at handler level (no browser, no server): the Story tab (save, versions, restore,
undo, approve refused when it must be), the Cards gallery (portraits, voices, a rename reaching every shot and the
story, one-click regeneration of exactly the stale shots), the Film tab (chapters, one shot, Play all) and Compare
(two takes, their prompt diff and memory, "Use this one"). Every refusal is checked to change nothing.

Three shots are rendered once per module with the preview backend at 320x192; each test works on a copy."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import take_workspace_snapshot
from PIL import Image
from sqlmodel import select
from workspace_helpers import ok

from director.session import DirectorSession
from director.settings import Settings
from director.ui.cards_gallery import CardsGallery
from director.ui.compare import Compare, prompt_diff_html
from director.ui.context import AppContext
from director.ui.editors import Editors
from director.ui.film import Film
from director.ui.film_reel import build_reel
from director.ui.handlers import Handlers
from director.ui.story_editor import StoryEditor
from generator.audio import read_wav, write_wav
from generator.media import probe, write_shot_files
from tools.base import Toolbox
from tools.references import attach_reference
from workspace.db import open_workspace
from workspace.models import ToolCall
from workspace.project_view import load_project_state

SIZE = {"width": 320, "height": 192}
SHOTS = [
    {"scene_id": "S1", "characters": ["ID_A"], "action": "Tom trims the lamp.", "num_frames": 49},
    {
        "scene_id": "S1",
        "characters": ["ID_A", "ID_B"],
        "action": "Mia runs up the stairs to Tom.",
        "dialogue": [{"speaker": "ID_B", "text": "Is the ship coming?"}],
        "num_frames": 73,
        "continuity": [1],
    },
    {"scene_id": "S2", "characters": ["ID_B"], "action": "Mia waves at the sea.", "num_frames": 25},
]


def build_project(home: Path) -> None:
    """Project 1: an approved story naming Mia, Old Tom (ID_A) and Mia (ID_B), two scenes, three rendered shots."""
    workspace = open_workspace(home)
    toolbox = Toolbox(workspace, actor="test")
    project = ok(toolbox, "create_project", title="The Lighthouse", idea="A keeper and a girl in a storm")["project_id"]
    cast = [{"name": "Old Tom", "description": "the keeper"}, {"name": "Mia", "description": "a girl"}]
    story = {"title": "The Lighthouse", "description": "Mia climbs to the lamp on a stormy night.", "cast": cast}
    ok(toolbox, "write_story", project_id=project, places=["Lamp room", "Shore"], beats=["Mia climbs"], **story)
    ok(toolbox, "confirm_story", project_id=project)
    ok(toolbox, "add_character", project_id=project, name="Old Tom", identity="a bearded keeper in his sixties")
    ok(toolbox, "add_character", project_id=project, name="Mia", identity="a girl of ten with red hair")
    ok(toolbox, "add_scene", project_id=project, name="Lamp room", time_of_day="night")
    ok(toolbox, "add_scene", project_id=project, name="Shore", time_of_day="dawn")
    ok(toolbox, "set_shot_plan", project_id=project, shots=SHOTS)
    workspace.close()
    render_pending(home)


def render_pending(home: Path) -> None:
    session = DirectorSession(Settings(home=home, **SIZE), project_id=1)
    try:
        events = list(session.generate_pending())
    finally:
        session.close()
    assert not [event.text for event in events if event.kind == "error"]


def copy_home(source: Path, target: Path) -> AppContext:
    shutil.copytree(source, target)
    return AppContext(Settings(home=target, **SIZE))


@pytest.fixture(scope="module")
def rendered_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("rendered") / "home"
    started = time.perf_counter()
    build_project(home)
    print(f"\nrendered 3 shots in {time.perf_counter() - started:.1f} s")
    return home


@pytest.fixture(scope="module")
def renamed_home(rendered_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rendered film after renaming Mia to Mae and dressing her in a raincoat in the Cards tab, then
    regenerating the affected shots (the prompts name characters by their ID_x anchors: the rename alone would
    not change them)."""
    home = tmp_path_factory.mktemp("renamed") / "home"
    ctx = copy_home(rendered_home, home)
    gallery = CardsGallery(ctx, Handlers(ctx))
    identity = "a girl of ten with red hair"
    status, _, _ = gallery.save_character("1", 1, 0, "ID_B", "Mae", identity, "", "a yellow raincoat", "")
    assert "updated its clothing; renamed Mia to Mae" in status, status
    *_, last = gallery.regenerate("1", 1)
    assert last[-1] == "Rendered shots 2 and 3 again.", last[-1]
    ctx.workspace.close()
    return home


@pytest.fixture
def app(rendered_home: Path, tmp_path: Path) -> Iterator[AppContext]:
    ctx = copy_home(rendered_home, tmp_path / "home")
    yield ctx
    ctx.workspace.close()


def snapshot(ctx: AppContext) -> dict[str, Any]:
    """Every row and file of the home, but Gradio's cache and the Director's checkpoints."""
    taken = take_workspace_snapshot(ctx.workspace)
    taken["files"] = {k: v for k, v in taken["files"].items() if not k.startswith(("ui", "checkpoints"))}
    return taken


def second_film(ctx: AppContext) -> int:
    toolbox = Toolbox(ctx.workspace, actor="test")
    other = ok(toolbox, "create_project", title="Second film")["project_id"]
    ok(toolbox, "write_story", project_id=other, title="Second", description="Another film.")
    return other


def versions(ctx: AppContext) -> list[int | None]:
    return [s.current_take.version if s.current_take else None for s in ctx.state(1).shots]


# -- Story ----------------------------------------------------------------------------------------------------


def test_story_save_keeps_the_language_then_restore_and_undo(app: AppContext) -> None:
    french = {"title": "Le Phare", "description": "Nuit.", "language": "fr"}
    ok(Toolbox(app.workspace, actor="test"), "write_story", project_id=1, **french)
    editor = StoryEditor(app, Handlers(app))
    title, synopsis, _style, cast, places, beats, _versions, _view, shown, base, status = editor.load("1")
    assert (title, synopsis, shown, base, status) == ("Le Phare", "Nuit.", 1, 2, "")
    assert cast == [["", ""]] and places == "" and beats == ""

    cast_rows = [["Old Tom", "the keeper"], ["", ""], ["Mia", ""]]
    form = editor.save("1", 1, 2, "The Lamp", "A calm night.", "ink", cast_rows, "Lamp room\n\nShore", "Tom waits\n")
    assert form[-1].startswith("Saved story version 3.") and "Approve story" in form[-1]
    story = app.state(1).story
    assert (story.version, story.title, story.description, story.style) == (3, "The Lamp", "A calm night.", "ink")
    assert not story.confirmed
    assert story.cast == [{"name": "Old Tom", "description": "the keeper"}, {"name": "Mia", "description": ""}]
    assert (story.places, story.beats, app.state(1).project.language) == (["Lamp room", "Shore"], ["Tom waits"], "fr")
    assert [value for _, value in form[6]["choices"]] == [3, 2, 1] and form[9] == 3

    assert "The Lighthouse" in editor.view_version("1", 1, 1) and "Mia climbs" in editor.view_version("1", 1, 1)
    form = editor.restore("1", 1, 1)
    assert form[-1].startswith("Restored version 1 as story version 4.")
    restored = app.state(1).story
    assert (restored.title, restored.beats, restored.confirmed) == ("The Lighthouse", ["Mia climbs"], False)
    assert form[0] == "The Lighthouse" and form[9] == 4

    *form, status, storyboard = editor.undo("1", 1)
    assert status.startswith("Undone: brought back story version 3") and len(storyboard) == 3
    assert app.state(1).story.title == "The Lamp" and form[0] == "The Lamp"
    with app.workspace.read_session() as session:
        actors = {
            c.actor
            for c in session.exec(select(ToolCall).where(ToolCall.tool.in_(["write_story", "undo_last_change"])))
        }
    assert "user" in actors


def test_story_refusals_change_nothing(app: AppContext) -> None:
    editor = StoryEditor(app, Handlers(app))
    other = second_film(app)
    before = snapshot(app)
    fields = ("New", "Text.", "", [["Tom", ""]], "", "")
    unchanged = ("The Lighthouse", "Mia climbs to the lamp on a stormy night.", "")
    same_lists = ([["Old Tom", "the keeper"], ["Mia", "a girl"]], "Lamp room\nShore", "Mia climbs")
    refusals = [
        (f"film #{other} is open now", editor.save(str(other), 1, 1, *fields)[-1]),
        ("shows no film yet", editor.save("1", None, 1, *fields)[-1]),
        ("the story changed since", editor.save("1", 1, 0, *fields)[-1]),
        ("nothing to save", editor.save("1", 1, 1, *unchanged, *same_lists)[-1]),
        ("has a description but no name", editor.save("1", 1, 1, "T", "D.", "", [["", "a ghost"]], "", "")[-1]),
        ("description: ", editor.save("1", 1, 1, "T", "", "", [], "", "")[-1]),
        ("is the latest already", editor.restore("1", 1, 1)[-1]),
        ("unknown story version 7", editor.restore("1", 1, 7)[-1]),
        ("pick a version", editor.restore("1", 1, None)[-1]),
        (f"film #{other} is open now", editor.undo(str(other), 1)[-2]),
        ("is approved already", list(editor.approve("1", 1))[-1][-1]),
        ("still shows film #1", list(editor.approve(str(other), 1))[-1][-1]),
    ]
    for expected, message in refusals:
        assert message.startswith("⚠ ") and expected in message, (expected, message)
    assert editor.view_version(str(other), 1, 1).startswith("⚠ ")
    assert snapshot(app) == before


# -- Cards ----------------------------------------------------------------------------------------------------


def test_rename_reaches_every_shot_and_the_story_and_regenerates_exactly_the_stale_shots(app: AppContext) -> None:
    gallery = CardsGallery(app, Handlers(app))
    assert gallery.regenerate_button("1")["visible"] == "hidden"
    status, dropdown, revision = gallery.save_character(
        "1", 1, 4, "ID_B", "Mae", "a girl of ten with red hair", "", "", ""
    )
    assert status == (
        "Saved ID_B: renamed Mia to Mae in the card, shots 2 and 3, the story (version 2). Now stale: shots 2 and 3; "
        "press **Regenerate affected shots** to render them."
    )
    assert revision == 5 and dropdown["value"] == "ID_B"
    state = app.state(1)
    assert state.character("ID_B").name == "Mae" and state.story.description.startswith("Mae climbs")
    actions = ["Tom trims the lamp.", "Mae runs up the stairs to Tom.", "Mae waves at the sea."]
    assert [s.action for s in state.shots] == actions
    assert [s.status for s in state.shots] == ["generated", "stale", "stale"] and state.story.confirmed
    button = gallery.regenerate_button("1")
    assert button["visible"] and button["value"] == "Regenerate affected shots: 2, 3"
    with app.workspace.read_session() as session:
        renames = session.exec(select(ToolCall).where(ToolCall.tool == "rename_character")).all()
    assert [(call.actor, call.ok) for call in renames] == [("user", True)]

    *steps, last = gallery.regenerate("1", 1)
    assert steps and all(step[-1].startswith("Rendering shots 2 and 3...") for step in steps)
    assert last[-1] == "Rendered shots 2 and 3 again."
    assert versions(app) == [1, 2, 2] and all(s.status != "stale" for s in app.state(1).shots)
    assert gallery.regenerate_button("1")["visible"] == "hidden"


def test_card_sentences_mark_the_shots_showing_it_stale_and_bad_saves_change_nothing(
    app: AppContext, tmp_path: Path
) -> None:
    gallery, editors = CardsGallery(app, Handlers(app)), Editors(app, {})
    other = second_film(app)
    face = tmp_path / "face.png"
    Image.new("RGB", (64, 64), (200, 40, 40)).save(face)
    before = snapshot(app)
    identity = "a bearded keeper in his sixties"
    save = partial(gallery.save_character, "1", 1, 0)
    moved_on = f"film #{other} is open now"
    refusals = [
        ("already called 'Mia'", save("ID_A", "mia", identity, "", "", "")[0]),
        ("nothing to save", save("ID_A", "Old Tom", identity, "", "", "")[0]),
        ("identity", save("ID_A", "Tom", "", "", "", "")[0]),
        ("name", save("ID_A", "", identity, "", "", "")[0]),
        ("over the 1999-character limit", save("ID_A", "Tom", "x" * 1_990, "", "", "")[0]),
        ("unknown character ID_Q", save("ID_Q", "Q", identity, "", "", "")[0]),
        (moved_on, gallery.save_character(str(other), 1, 0, "ID_A", "Tom", identity, "", "", "")[0]),
        ("no shot is stale", list(gallery.regenerate("1", 1))[-1][-1]),
        ("shows no film yet", list(gallery.regenerate("1", None))[-1][-1]),
        (moved_on, editors.upload_image(str(other), 1, "ID_A", str(face))[0]),
        (moved_on, editors.save_scene(str(other), 1, "S1", "Lamp", "", "", "")),
    ]
    for expected, message in refusals:
        assert message.startswith("⚠ ") and expected in message, (expected, message)
    assert snapshot(app) == before

    status, _, revision = gallery.save_character("1", 1, 0, "ID_A", "Old Tom", identity, "", "oilskin coat", "")
    assert status == (
        "Saved ID_A: updated its clothing. Now stale: shots 1 and 2; press **Regenerate affected shots** to render "
        "them."
    )
    assert revision == 1 and [s.status for s in app.state(1).shots] == ["stale", "stale", "generated"]
    assert app.state(1).character("ID_A").clothing == "oilskin coat"


def test_gallery_portraits_come_from_the_reference_then_the_newest_key_frame(app: AppContext, tmp_path: Path) -> None:
    gallery = CardsGallery(app, Handlers(app))
    ok(Toolbox(app.workspace, actor="test"), "add_character", project_id=1, name="Gull", identity="a grey gull")
    tiles = {tile.char_id: tile for tile in gallery.tiles("1")}
    assert tiles["ID_A"].portrait_source == "key frame of shot 2 v1"  # shot 2 was rendered after shot 1
    assert tiles["ID_B"].portrait_source == "key frame of shot 3 v1"
    assert Path(tiles["ID_A"].portrait).is_file() and Path(tiles["ID_A"].portrait).is_relative_to(app.workspace.home)
    assert tiles["ID_C"].portrait_source == "no picture yet" and isinstance(tiles["ID_C"].portrait, Image.Image)
    assert "**Gull** · ID_C" in tiles["ID_C"].details

    face = tmp_path / "face.png"
    Image.new("RGB", (64, 64), (200, 40, 40)).save(face)
    assert attach_reference(app.workspace, 1, "ID_B", face, "image").ok
    tile = next(tile for tile in gallery.tiles("1") if tile.char_id == "ID_B")
    assert tile.portrait_source == "reference image" and "references" in str(tile.portrait)
    assert gallery.tiles("") == [] and gallery.opened("") == (None, gallery.regenerate_button(""))


def test_hear_voice_speaks_a_line_once_and_plays_a_reference_as_given(app: AppContext, tmp_path: Path) -> None:
    gallery = CardsGallery(app, Handlers(app))
    other = second_film(app)
    before = snapshot(app)
    assert gallery.hear(str(other), 1, "ID_B")[1].startswith("⚠ ")
    assert gallery.hear("1", None, "ID_B")[1].startswith("⚠ ")
    assert snapshot(app) == before

    started = time.perf_counter()
    path, status = gallery.hear("1", 1, "ID_B")
    first_s = time.perf_counter() - started
    sample = Path(path)
    assert sample.parent == app.workspace.home / "projects" / "1" / "voices" and sample.name.startswith("ID_B-")
    assert status == "Mia in the preview voice: “Is the ship coming?”"  # her first line in the plan
    wave, rate = read_wav(sample)
    assert 0.5 < wave.size / rate < 3.0 and np.abs(wave).max() > 0.1
    modified = sample.stat().st_mtime_ns
    started = time.perf_counter()
    assert gallery.hear("1", 1, "ID_B")[0] == path and sample.stat().st_mtime_ns == modified
    print(
        f"\nhear voice: {first_s * 1000:.0f} ms to synthesise, {(time.perf_counter() - started) * 1000:.0f} ms cached"
    )

    tom, status = gallery.hear("1", 1, "ID_A")  # no line of his own: a greeting in the project's language
    assert "Hello, my name is Old Tom\\." in status and Path(tom) != sample
    ok(Toolbox(app.workspace, actor="test"), "update_character", project_id=1, char_id="ID_B", voice="deep and gruff")
    deeper, _ = gallery.hear("1", 1, "ID_B")
    assert deeper != path and not sample.exists(), "a new voice replaces the sample of the old one"

    recording = tmp_path / "voice.wav"
    seconds = np.arange(16_000 * 2) / 16_000
    write_wav(recording, 0.4 * np.sin(2 * np.pi * 180 * seconds) * (1 + np.sin(2 * np.pi * 3 * seconds)) / 2, 16_000)
    assert attach_reference(app.workspace, 1, "ID_B", recording, "audio").ok
    played, status = gallery.hear("1", 1, "ID_B")
    assert "/references/" in played and status == "Mia's voice sample (the reference recording)."


def test_edit_button_opens_a_card_in_the_editor(app: AppContext) -> None:
    gallery = CardsGallery(app, Handlers(app))
    status, dropdown, name, identity, *_ = gallery.edit("1", 1, "ID_B")
    assert status.startswith("Editing ID_B below. Every caption describes them as: “ID\\_B is a girl of ten with red")
    assert (dropdown["value"], name, identity) == (
        "ID_B",
        "Mia",
        "a girl of ten with red hair",
    )
    assert gallery.edit(str(second_film(app)), 1, "ID_B")[0].startswith("⚠ ")


# -- Film -----------------------------------------------------------------------------------------------------


def test_film_chapters_mark_stale_and_missing_shots_and_play(app: AppContext) -> None:
    toolbox = Toolbox(app.workspace, actor="test")
    ok(toolbox, "insert_shot", project_id=1, position=4, shot={"scene_id": "S2", "action": "The sun rises."})
    take = app.state(1).shot(3).current_take
    ok(toolbox, "mark_stale", project_id=1, take_ids=[take.id])
    film = Film(app)
    summary, table, player, now, shown = film.load("1")
    assert shown == 1 and player is None and now == ""
    assert [row[:3] for row in table] == [
        ["1 · Lamp room", "1", "✓ generated v1"],
        ["", "2", "✓ generated v1"],
        ["2 · Shore", "3", "⚠ stale v1: regenerate"],
        ["", "4", "✗ missing: not generated yet"],
    ]
    assert [row[3] for row in table] == ["0:00.0", "0:02.0", "0:04.9", "—"]
    assert "3 of 4 shots playable" in summary and "Stale (played as they are): shot 3" in summary
    assert "Missing (left out of Play all): shot 4" in summary

    video, now = film.play_shot("1", 1, 2)
    assert Path(video).is_file() and now == "Playing shot 2 (v1, ✓ generated v1, at 0:02.0 in the film)."
    assert film.play_shot("1", 1, 4)[1].startswith("⚠ shot 4 cannot play: missing")
    other = second_film(app)
    before = snapshot(app)
    assert film.play_all(str(other), 1)[1].startswith("⚠ ") and film.play_shot(str(other), 1, 1)[1].startswith("⚠ ")
    assert snapshot(app) == before

    reel, now = film.play_all("1", 1)
    assert Path(reel).parent == app.workspace.home / "projects" / "1" / "film"
    assert now.startswith("Playing shots 1, 2 and 3 in order (0:05.9), joined in ") and "video copied" in now
    assert now.endswith("Left out: shot 4 (no take).")
    info = probe(Path(reel))
    assert info.has_audio and (info.width, info.height) == (320, 192)
    assert info.duration_s == pytest.approx((49 + 73 + 25) / 25, abs=0.15)
    print(f"\nplay all: {now}")
    again, now = film.play_all("1", 1)
    assert again == reel and "joined earlier" in now


def test_play_all_fits_takes_of_another_size_into_the_first(workspace, planned_project: int, tmp_path: Path) -> None:
    """Takes made at different sizes (the size setting changed between them) cannot be stream-joined: the reel
    re-encodes them, letterboxed into the first take's size."""
    toolbox = Toolbox(workspace, actor="test")
    for number, (width, height) in enumerate(((320, 192), (160, 128)), start=1):
        frames = np.full((25, height, width, 3), 60 * number, dtype=np.uint8)
        staging = workspace.media.staging_dir()
        video, audio = write_shot_files(frames, 25, width, height, np.zeros(16_000), 16_000, staging)
        size = {"num_frames": 25, "width": width, "height": height, "sample_rate": 16_000}
        files = {"video": str(video), "audio": str(audio), "backend": "preview", "seed": number}
        ok(toolbox, "register_take", project_id=planned_project, number=number, **files, **size)
    takes = [shot.current_take for shot in load_project_state(workspace, planned_project).shots[:2]]
    reel = build_reel(workspace, planned_project, takes)
    info = probe(reel.path)
    assert reel.video_copied is False and (info.width, info.height) == (320, 192) and info.has_audio
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    assert build_reel(workspace, planned_project, takes[:1]).path != reel.path and not reel.path.exists()


def test_film_tab_without_a_film(app: AppContext) -> None:
    film = Film(app)
    assert film.load("")[0].startswith("Open a film") and film.load("")[-1] is None
    assert film.play_all("1", None)[1].startswith("⚠ the Film tab shows no film yet")


# -- Compare --------------------------------------------------------------------------------------------------


def test_compare_two_takes_and_use_the_older_one(renamed_home: Path, tmp_path: Path) -> None:
    app = copy_home(renamed_home, tmp_path / "home")
    compare = Compare(app)
    a, b, video_a, memory_a, video_b, memory_b, diff, status, shown, shot = compare.load("1", 2)
    assert (a["value"], b["value"], shown, shot) == (1, 2, 1, 2)
    assert [value for _, value in a["choices"]] == [1, 2] and "(current)" in a["choices"][1][0]
    assert Path(video_a).is_file() and Path(video_b).is_file() and video_a != video_b
    assert status.startswith("Shot 2: v1 (left, seed ") and "v2 (right, seed " in status
    assert "Shot 1 v1" in memory_a and "Shot 1 v1" in memory_b
    inserted = re.findall(r"<ins [^>]*>([^<]*)</ins>", diff)
    assert diff.startswith("<p>From v1 to v2: ") and any("yellow raincoat" in words for words in inserted), diff

    other = second_film(app)
    before = snapshot(app)
    refusals = [
        compare.use(str(other), 1, 2, 1)[0],
        compare.use("1", None, 2, 1)[0],
        compare.use("1", 1, 2, 2)[0],  # the current one already
        compare.use("1", 1, 2, 9)[0],
        compare.compare(str(other), 1, 2, 1, 2)[-1],
    ]
    assert all(message.startswith("⚠ ") for message in refusals), refusals
    assert "current take already" in refusals[2] and "has no version 9" in refusals[3]
    assert snapshot(app) == before

    status, storyboard = compare.use("1", 1, 2, 1)
    assert status.startswith("Shot 2 now uses v1.") and len(storyboard) == 3
    assert versions(app) == [1, 1, 2]
    relabelled_a, _ = compare.labels("1", 2)
    assert "(current)" in relabelled_a["choices"][0][0]
    app.workspace.close()


def test_prompt_diff_escapes_user_text() -> None:
    diff = prompt_diff_html("ID_A says <b>hi</b>.", "ID_A says <img src=x>.", ("v1", "v2"))
    assert "<img" not in diff and "&lt;img src=x&gt;" in diff and "&lt;b&gt;hi&lt;/b&gt;" in diff
    assert prompt_diff_html("same", "same", ("v1", "v2")) == "<p>The prompts of v1 and v2 are identical.</p>"
