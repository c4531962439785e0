"""The page's event handlers through `gradio_client` against a real server on 127.0.0.1 (cards, uploads, shot
inspector, export and settings on a planned project; the Director conversation is in test_app_director.py)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlmodel import select

from director.settings import Settings
from director.ui import server
from director.ui.context import AppContext
from director.ui.handlers import Handlers
from workspace.db import Workspace
from workspace.models import ToolCall
from workspace.project_view import load_project_state


@pytest.fixture
def echo_ui_client(workspace: Workspace, planned_project: int) -> Iterator[Any]:
    """A `gradio_client.Client` connected to the app serving the `planned_project` home."""
    from gradio_client import Client

    demo, url = server.start(Settings(home=workspace.home, port=0, width=320, height=192))
    try:
        yield Client(url, verbose=False)
    finally:
        demo.close()


def upload_file(tmp_path: Path, name: str, content: bytes) -> Any:
    from gradio_client import handle_file

    path = tmp_path / "uploads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return handle_file(str(path))


def png(color: tuple[int, int, int] = (30, 160, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 64), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_cards_show_and_save_a_character(echo_ui_client, workspace: Workspace, planned_project: int) -> None:
    project = str(planned_project)
    cards = echo_ui_client.predict(project, api_name="/cards")
    assert cards[0]["value"] == "ID_A" and cards[1] == "Old Tom" and cards[8]["value"] == "S1"
    assert [value for _, value in cards[0]["choices"]] == ["ID_A", "ID_B", "__new__"]

    status, _ = echo_ui_client.predict(
        project,
        "ID_A",
        "Old Tom",
        "a bearded keeper of seventy",
        "",
        "oilskin coat",
        "gravelly",
        api_name="/save_character",
    )

    assert status.startswith("Saved ID_A")
    card = load_project_state(workspace, planned_project).character("ID_A")
    assert (card.version, card.identity, card.clothing) == (2, "a bearded keeper of seventy", "oilskin coat")
    with workspace.read_session() as session:
        actors = {c.actor for c in session.exec(select(ToolCall).where(ToolCall.tool == "update_character"))}
    assert actors == {"user"}


def test_invalid_card_edit_changes_nothing(echo_ui_client, workspace, planned_project, workspace_snapshot) -> None:
    before = workspace_snapshot(workspace)
    status, _ = echo_ui_client.predict(str(planned_project), "ID_A", "", "", "", "", "", api_name="/save_character")
    assert status.startswith("⚠ ") and "name" in status
    assert workspace_snapshot(workspace) == before


def test_new_character_and_scene_edit(echo_ui_client, workspace: Workspace, planned_project: int) -> None:
    project = str(planned_project)
    status, _ = echo_ui_client.predict(
        project, "__new__", "Gull", "a grey seagull", "", "", "", api_name="/save_character"
    )
    assert status.startswith("Saved ID_C")
    status = echo_ui_client.predict(project, "S2", "Shore", "rocky beach", "dawn", "pink sky", api_name="/save_scene")
    assert status == "Saved scene S2."
    state = load_project_state(workspace, planned_project)
    assert state.character("ID_C").name == "Gull" and state.scene("S2").description == "pink sky"


def test_reference_image_upload_with_an_odd_name(echo_ui_client, workspace, planned_project, tmp_path) -> None:
    odd = upload_file(tmp_path, "..%2F..%2Fface;rm -rf ~.png", png())
    status, image, _ = echo_ui_client.predict(str(planned_project), "ID_B", odd, api_name="/upload_image")

    assert status == "Stored the reference image of ID_B."
    stored = load_project_state(workspace, planned_project).character("ID_B").reference_image
    assert stored.startswith(f"projects/{planned_project}/references/") and "face" not in stored
    with Image.open(workspace.media.resolve(stored)) as picture:
        assert picture.size == (48, 64)
    assert Path(image).name.endswith(".png")


def test_refused_uploads_change_nothing(
    echo_ui_client, workspace, planned_project, workspace_snapshot, tmp_path
) -> None:
    before = workspace_snapshot(workspace)
    text = upload_file(tmp_path, "portrait.png", b"just some text, not an image\n" * 10)
    status, _, _ = echo_ui_client.predict(str(planned_project), "ID_A", text, api_name="/upload_image")
    assert status.startswith("⚠ ") and "not a readable image" in status

    fake_voice = upload_file(tmp_path, "voice.wav", b"RIFF but not really a wave file")
    status, _, _ = echo_ui_client.predict(str(planned_project), "ID_A", fake_voice, api_name="/upload_audio")
    assert status.startswith("⚠ ") and "not a readable audio file" in status

    snapshot = workspace_snapshot(workspace)
    snapshot["files"] = {k: v for k, v in snapshot["files"].items() if not k.startswith("ui")}
    before["files"] = {k: v for k, v in before["files"].items() if not k.startswith("ui")}
    assert snapshot == before


def test_inspector_on_a_planned_shot_and_an_unknown_one(echo_ui_client, planned_project: int) -> None:
    header, video, dialogue, _prompt, memory, versions = echo_ui_client.predict(
        str(planned_project), 2, api_name="/inspect_shot"
    )
    assert "Shot 2 · planned" in header and "Not generated yet" in header
    assert video is None and "Is the ship coming?" in dialogue and memory == [] and versions["choices"] == []

    header, *_ = echo_ui_client.predict(str(planned_project), 9, api_name="/inspect_shot")
    assert header.startswith("⚠ ") and "unknown shot 9" in header


def test_rollback_and_export_refuse_clearly(echo_ui_client, workspace, planned_project, workspace_snapshot) -> None:
    before = workspace_snapshot(workspace)
    status, _ = echo_ui_client.predict(str(planned_project), 1, 1, api_name="/rollback")
    assert status.startswith("⚠ ")

    status, _downloads, _film = echo_ui_client.predict(str(planned_project), False, api_name="/export")
    assert status.startswith("⚠ ") and "shot 1" in status.lower()
    assert "Export even if some shots are missing or stale" in status and "--force" not in status
    assert not (workspace.home / "exports").exists() or not any((workspace.home / "exports").rglob("*.mp4"))
    after = workspace_snapshot(workspace)
    after["files"] = {k: v for k, v in after["files"].items() if not k.startswith(("ui", "exports"))}
    before["files"] = {k: v for k, v in before["files"].items() if not k.startswith(("ui", "exports"))}
    assert after == before


def test_settings_are_validated(echo_ui_client) -> None:
    status = echo_ui_client.predict("", "", "", "preview", 300, 192, False, api_name="/apply_settings")
    assert status.startswith("⚠ ") and "multiple of 32" in status
    status = echo_ui_client.predict(
        "http://127.0.0.1:9/v1", "local", "", "preview", 320, 192, True, api_name="/apply_settings"
    )
    assert "LLM local at http://127.0.0.1:9/v1" in status and "pausing after every shot" in status


def test_no_project_chosen_gives_a_hint(echo_ui_client) -> None:
    header, *_ = echo_ui_client.predict("", 1, api_name="/inspect_shot")
    assert "no project is open" in header


def test_revising_an_unknown_shot_is_refused_beside_the_button(echo_ui_client, planned_project: int) -> None:
    outputs = echo_ui_client.predict(str(planned_project), 9, "brighter please", api_name="/revise_shot")
    status, feedback = outputs[-2:]
    assert status.startswith("⚠ ") and "unknown shot 9" in status
    assert not str(outputs[3] or "").startswith("⚠"), "the project summary keeps describing the project"
    assert feedback != "", "the typed feedback stays in the box"


def test_a_shot_of_another_film_is_never_changed(
    echo_ui_client, workspace: Workspace, toolbox, planned_project: int, workspace_snapshot
) -> None:
    """Open film #2's shot 2, switch to film #1, then revise or roll back: refused, neither film changes."""
    other = toolbox.call("create_project", {"title": "Second film"}).data["project_id"]
    ok_story = toolbox.call("write_story", {"project_id": other, "title": "Second", "description": "Another."})
    assert ok_story.ok and toolbox.call("add_scene", {"project_id": other, "name": "Harbour"}).ok
    plan = [{"scene_id": "S1", "action": f"Waves, part {n}."} for n in (1, 2)]
    assert toolbox.call("set_shot_plan", {"project_id": other, "shots": plan}).ok
    header, *_ = echo_ui_client.predict(str(other), 2, api_name="/inspect_shot")
    assert "Waves, part 2" in header
    before = workspace_snapshot(workspace)

    outputs = echo_ui_client.predict(str(planned_project), 2, "make it darker", api_name="/revise_shot")
    assert outputs[-2].startswith("⚠ ") and f"shot of film #{other}" in outputs[-2]
    status, _ = echo_ui_client.predict(str(planned_project), 2, 1, api_name="/rollback")
    assert status.startswith("⚠ ") and f"film #{planned_project} is open now" in status
    after = workspace_snapshot(workspace)
    for snapshot in (before, after):
        snapshot["files"] = {k: v for k, v in snapshot["files"].items() if not k.startswith(("ui", "checkpoints"))}
    assert after == before

    echo_ui_client.predict(str(planned_project), 2, api_name="/inspect_shot")  # the shot of the open film: allowed
    outputs = echo_ui_client.predict(str(planned_project), 9, "brighter", api_name="/revise_shot")
    assert "unknown shot 9" in outputs[-2]


def test_a_home_outside_the_working_and_temp_folders_still_shows_its_storyboard(
    workspace: Workspace, planned_project: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gradio serves a returned file only from the working directory, the temp folder or the allowed paths; the
    storyboard's "not generated yet" tiles must show for a home anywhere (e.g. --home ~/films)."""
    from gradio_client import Client

    elsewhere = tmp_path / "system-temp"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))  # the home is now outside cwd and the temp folder
    demo, url = server.start(Settings(home=workspace.home, port=0, width=320, height=192))
    try:
        outputs = Client(url, verbose=False).predict(str(planned_project), api_name="/open_project")
    finally:
        demo.close()
    tiles = next(output for output in outputs if isinstance(output, list) and output and "image" in output[0])
    assert len(tiles) == 3 and all(Path(tile["image"]).is_file() for tile in tiles)


def test_a_restart_reopens_the_film_worked_on_last(workspace: Workspace, toolbox, planned_project: int) -> None:
    newer = toolbox.call("create_project", {"title": "A newer film"}).data["project_id"]
    first = Handlers(AppContext(Settings(home=workspace.home)))
    assert first.load()[0]["value"] == str(newer)  # nothing opened yet: the newest
    first.open_project(str(planned_project))
    restarted = Handlers(AppContext(Settings(home=workspace.home)))
    assert restarted.load()[0]["value"] == str(planned_project)
    assert toolbox.call("create_project", {"title": "Newest"}).ok  # a film made elsewhere does not change that
    assert Handlers(AppContext(Settings(home=workspace.home))).load()[0]["value"] == str(planned_project)


def test_clearing_the_chat_forgets_the_conversation_but_not_the_film(workspace: Workspace, planned_project) -> None:
    handlers = Handlers(AppContext(Settings(home=workspace.home, width=64, height=64)))
    director = handlers.ctx.director(planned_project)
    list(director.send("what happens in shot 2?"))
    assert director.transcript()
    before = load_project_state(workspace, planned_project)
    chat, *options = handlers.clear_chat(str(planned_project))
    assert chat == [] and all(option["visible"] == "hidden" for option in options)
    assert director.transcript() == [] and director.pending_question() is None
    restarted = Handlers(AppContext(Settings(home=workspace.home, width=64, height=64)))
    assert restarted.open_project(str(planned_project))[1] == []  # gone after a restart too
    assert load_project_state(workspace, planned_project) == before
