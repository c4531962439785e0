"""undo_last_change reverts the latest story, card, cast or shot edit (and passes over generation steps);
rename_character renames across card, shots and story; duplicate_shot copies a shot's plan after it."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from workspace_helpers import ok, take_args

from tools.base import Toolbox
from tools.undo import CRITIC
from workspace.db import Workspace
from workspace.models import ToolCall
from workspace.project_view import load_project_state


def _plan(workspace: Workspace, project_id: int) -> dict[str, Any]:
    """What a user sees of the project, without version numbers (an undo adds versions, it never removes any)."""
    state = load_project_state(workspace, project_id)
    return {
        "story": state.story.model_dump(exclude={"version"}) if state.story else None,
        "characters": [card.model_dump(exclude={"version"}) for card in state.characters],
        "scenes": [card.model_dump(exclude={"version"}) for card in state.scenes],
        "shots": [shot.model_dump() for shot in state.shots],
    }


def _shot_ids(workspace: Workspace, project_id: int) -> list[int]:
    return [shot.id for shot in load_project_state(workspace, project_id).shots]


def _last_call_id(workspace: Workspace, tool: str) -> int:
    with workspace.read_session() as session:
        query = select(ToolCall.id).where(ToolCall.tool == tool, col(ToolCall.ok)).order_by(col(ToolCall.id).desc())
        return session.exec(query).first()


def _undo(toolbox: Toolbox, project_id: int) -> dict[str, Any]:
    return ok(toolbox, "undo_last_change", project_id=project_id)


def _refused_undo(toolbox: Toolbox, workspace: Workspace, project_id: int, workspace_snapshot) -> str:
    before = workspace_snapshot(workspace)
    result = toolbox.call("undo_last_change", {"project_id": project_id})
    assert not result.ok
    assert workspace_snapshot(workspace) == before
    return result.message


def test_undo_write_story_brings_back_the_previous_version(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    before = _plan(workspace, pid)
    ok(
        toolbox,
        "write_story",
        project_id=pid,
        title="Other",
        description="Calm.",
        style="noir",
        beats=["x"],
        cast=[{"name": "Mia", "description": "a girl"}],
    )
    written = _last_call_id(workspace, "write_story")

    data = _undo(toolbox, pid)

    assert data == {
        "undone_call_id": written,
        "undone_tool": "write_story",
        "message": "brought back story version 1 as version 3 (version 2 was written)",
        "stale_shots": [],
    }
    assert _plan(workspace, pid) == before  # title, description, cast, beats, confirmed (version 1 was confirmed)
    assert load_project_state(workspace, pid).story.version == 3


def test_the_first_story_version_cannot_be_undone(workspace: Workspace, toolbox: Toolbox, workspace_snapshot) -> None:
    pid = ok(toolbox, "create_project", title="Tale")["project_id"]
    ok(toolbox, "write_story", project_id=pid, title="Tale", description="Once.")
    message = _refused_undo(toolbox, workspace, pid, workspace_snapshot)
    assert "cannot undo the last change (write_story" in message and "the project's first" in message


def test_undo_card_updates_restores_every_field(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    before = _plan(workspace, pid)
    stored = workspace.media.allocate(pid, "references", ".png")
    workspace.media.resolve(stored).parent.mkdir(parents=True)
    workspace.media.resolve(stored).write_bytes(b"png")
    ok(
        toolbox,
        "update_character",
        project_id=pid,
        char_id="ID_A",
        name="Tom",
        clothing="an oilskin coat",
        reference_image=stored,
    )
    ok(toolbox, "update_scene", project_id=pid, scene_id="S1", description="dark", time_of_day="dusk")

    first = _undo(toolbox, pid)
    assert (first["undone_tool"], first["message"]) == (
        "update_scene",
        "put scene S1 back as it was in card version 1 (updated)",
    )
    second = _undo(toolbox, pid)
    assert second["undone_tool"] == "update_character"
    assert _plan(workspace, pid) == before  # name, clothing and the reference image (None again) are back
    assert load_project_state(workspace, pid).character("ID_A").version == 3


def test_undo_card_additions_and_deletions(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    before = _plan(workspace, pid)
    ok(toolbox, "add_character", project_id=pid, name="Cat", identity="a grey cat", voice="a purr")
    ok(toolbox, "add_scene", project_id=pid, name="Cliff", description="windy")
    ok(toolbox, "delete_scene", project_id=pid, scene_id="S3")
    ok(toolbox, "delete_character", project_id=pid, char_id="ID_C")

    assert _undo(toolbox, pid)["message"] == "restored character ID_C (deleted)"
    cat = load_project_state(workspace, pid).character("ID_C")
    assert (cat.name, cat.identity, cat.voice, cat.version) == ("Cat", "a grey cat", "a purr", 3)
    assert _undo(toolbox, pid)["message"] == "restored scene S3 (deleted)"
    assert load_project_state(workspace, pid).scene("S3").description == "windy"
    assert _undo(toolbox, pid)["message"] == "removed scene S3 (added)"
    assert _undo(toolbox, pid)["message"] == "removed character ID_C (added)"
    assert _plan(workspace, pid) == before


def test_undo_shot_structure_edits_one_by_one(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    before = _plan(workspace, pid)
    orders = [_shot_ids(workspace, pid)]
    ok(toolbox, "insert_shot", project_id=pid, position=2, shot={"scene_id": "S2", "action": "Waves."})
    orders.append(_shot_ids(workspace, pid))
    ok(toolbox, "duplicate_shot", project_id=pid, number=1)
    orders.append(_shot_ids(workspace, pid))
    ok(toolbox, "reorder_shot", project_id=pid, number=5, new_number=1)
    orders.append(_shot_ids(workspace, pid))
    ok(toolbox, "delete_shot", project_id=pid, number=4)
    orders.append(_shot_ids(workspace, pid))

    messages = []
    for _ in range(4):
        messages.append(_undo(toolbox, pid)["message"])
        orders.pop()
        assert _shot_ids(workspace, pid) == orders[-1]
    assert messages == [
        "restored shot 4 (deleted)",
        "moved shot 1 back to 5 (reordered)",
        "removed shot 2 (duplicated)",
        "removed shot 2 (inserted)",
    ]
    assert _plan(workspace, pid) == before


def test_undo_update_shot_puts_back_the_old_values(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    before = _plan(workspace, pid)
    ok(
        toolbox,
        "update_shot",
        project_id=pid,
        number=2,
        characters=["ID_B"],
        camera="close-up",
        continuity=[],
        dialogue=[{"speaker": "ID_B", "text": "Hello?"}],
    )
    data = _undo(toolbox, pid)
    assert data["message"] == "put back the characters, dialogue, camera, continuity of shot 2 (updated)"
    assert data["stale_shots"] == [] and _plan(workspace, pid) == before

    ok(toolbox, "register_take", **take_args(workspace, pid, 1))
    ok(toolbox, "update_shot", project_id=pid, number=1, action="Tom lights the lamp.")
    assert _undo(toolbox, pid)["stale_shots"] == [1]
    shot = load_project_state(workspace, pid).shot(1)
    assert (shot.action, shot.status) == ("Tom trims the lamp.", "stale")


def test_undo_rollback_shot_returns_to_the_replaced_take(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    first = ok(toolbox, "register_take", **take_args(workspace, pid, 2, seed=1))["take_id"]
    second = ok(toolbox, "register_take", **take_args(workspace, pid, 2, seed=2))["take_id"]
    rolled = ok(toolbox, "rollback_shot", project_id=pid, number=2, version=1)
    assert (rolled["take_id"], rolled["replaced_take_id"], rolled["replaced_version"]) == (first, second, 2)

    data = _undo(toolbox, pid)
    assert (data["undone_tool"], data["message"]) == ("rollback_shot", "shot 2 uses take version 2 again (rolled back)")
    assert load_project_state(workspace, pid).shot(2).current_take.id == second


def test_undo_passes_over_generation_steps(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    ok(toolbox, "update_shot", project_id=pid, number=1, camera="wide")
    edit = _last_call_id(workspace, "update_shot")
    condition = ok(toolbox, "record_condition", project_id=pid, number=1, prompt="p")["condition_id"]
    take = ok(toolbox, "register_take", **take_args(workspace, pid, 1, condition_id=condition))["take_id"]
    ok(toolbox, "approve_take", project_id=pid, take_id=take)
    ok(toolbox, "reject_take", project_id=pid, take_id=take)
    ok(toolbox, "mark_stale", project_id=pid, take_ids=[take])
    ok(toolbox, "record_revision", project_id=pid, number=1, feedback="darker")
    ok(toolbox, "confirm_story", project_id=pid)

    assert _undo(toolbox, pid)["undone_call_id"] == edit
    shot = load_project_state(workspace, pid).shot(1)
    assert (shot.camera, shot.current_take.id) == ("", take)  # the take is kept


def test_two_undos_revert_the_two_last_changes_then_nothing_is_left(
    workspace: Workspace, toolbox: Toolbox, workspace_snapshot
) -> None:
    pid = ok(toolbox, "create_project", title="Small")["project_id"]
    assert "nothing to undo in project" in _refused_undo(toolbox, workspace, pid, workspace_snapshot)
    ok(toolbox, "add_character", project_id=pid, name="Ann", identity="a baker")
    ok(toolbox, "add_scene", project_id=pid, name="Bakery")

    assert _undo(toolbox, pid)["undone_tool"] == "add_scene"
    assert [c.name for c in load_project_state(workspace, pid).characters] == ["Ann"]
    assert _undo(toolbox, pid)["undone_tool"] == "add_character"
    state = load_project_state(workspace, pid)
    assert state.characters == [] and state.scenes == []

    message = _refused_undo(toolbox, workspace, pid, workspace_snapshot)
    assert message.startswith(f"undo_last_change: nothing to undo in project {pid}")
    assert "story, card, cast and shot edits" in message and "rename_character" in message


def test_undo_cannot_reach_past_a_new_shot_plan(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot
) -> None:
    """Cards and shot edits made before the shots were (re)planned are not undone: the plan replaced them."""
    pid = planned_project
    ok(toolbox, "update_shot", project_id=pid, number=1, camera="wide")
    ok(toolbox, "add_character", project_id=pid, name="Cat", identity="a grey cat")
    ok(toolbox, "set_shot_plan", project_id=pid, shots=[{"scene_id": "S1", "characters": ["ID_C"]}])
    message = _refused_undo(toolbox, workspace, pid, workspace_snapshot)
    assert "nothing to undo" in message and "since the shots were last planned" in message


def test_undo_passes_over_the_critics_automatic_fixes(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    ok(toolbox, "update_shot", project_id=pid, number=1, camera="wide")
    ok(toolbox.as_actor(CRITIC), "update_shot", project_id=pid, number=2, num_frames=121)
    assert _undo(toolbox, pid)["message"].startswith("put back the camera of shot 1")
    assert load_project_state(workspace, pid).shot(2).num_frames == 121


def test_undo_refuses_a_change_recorded_without_its_old_values(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot
) -> None:
    shot_id = _shot_ids(workspace, planned_project)[0]
    with workspace.session() as session:  # an update_shot logged before update_shot returned `before`
        session.add(
            ToolCall(
                project_id=planned_project,
                tool="update_shot",
                args={},
                ok=True,
                result={"shot_id": shot_id, "changed": ["camera"]},
            )
        )
    message = _refused_undo(toolbox, workspace, planned_project, workspace_snapshot)
    assert "recorded without 'before'" in message


def _rename_setup(workspace: Workspace, toolbox: Toolbox, pid: int) -> None:
    ok(toolbox, "update_character", project_id=pid, char_id="ID_B", voice="Mia speaks softly")
    ok(toolbox, "update_shot", project_id=pid, number=1, sound_effects="Mia's footsteps on the stairs")
    ok(toolbox, "update_shot", project_id=pid, number=3, music="a Miami jazz record, MIA on the label")
    ok(
        toolbox,
        "write_story",
        project_id=pid,
        title="Mia and the Lighthouse",
        description="Mia's storm.",
        screenplay="MIA: hello. Mia waves.",
        cast=[{"name": "Mia", "description": "Tom's niece"}],
        places=["Mia's room"],
        beats=["Mia waves at the sea."],
    )
    ok(toolbox, "confirm_story", project_id=pid)
    ok(toolbox, "register_take", **take_args(workspace, pid, 1))
    ok(toolbox, "register_take", **take_args(workspace, pid, 2))


def test_rename_character_renames_card_shots_and_story(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    _rename_setup(workspace, toolbox, pid)
    data = ok(toolbox, "rename_character", project_id=pid, char_id="ID_B", new_name="Lena")

    # shot 1: its text changed and it has a take; shot 2: it shows Lena and has a take; shot 3: no take yet
    assert data == {
        "char_id": "ID_B",
        "old_name": "Mia",
        "new_name": "Lena",
        "changed_shots": [1, 3],
        "stale_shots": [1, 2],
        "story_version": 3,
    }
    state = load_project_state(workspace, pid)
    card = state.character("ID_B")
    assert (card.name, card.voice, card.identity) == ("Lena", "Lena speaks softly", "a girl of ten with red hair")
    assert state.shot(1).sound_effects == "Lena's footsteps on the stairs"
    assert state.shot(3).action == "Lena waves at the sea."
    assert state.shot(3).music == "a Miami jazz record, MIA on the label"  # other words and other case stay
    assert [shot.status for shot in state.shots] == ["stale", "stale", "planned"]
    story = state.story
    assert (story.version, story.confirmed, story.title) == (3, True, "Lena and the Lighthouse")
    assert (story.description, story.screenplay) == ("Lena's storm.", "MIA: hello. Lena waves.")
    assert (story.cast, story.places) == ([{"name": "Lena", "description": "Tom's niece"}], ["Lena's room"])
    assert story.beats == ["Lena waves at the sea."]


def test_undo_rename_character_renames_back(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    _rename_setup(workspace, toolbox, pid)
    before = _plan(workspace, pid)
    ok(toolbox, "rename_character", project_id=pid, char_id="ID_B", new_name="Lena")

    data = _undo(toolbox, pid)

    assert data["message"] == "renamed ID_B back to Mia (renamed to Lena)" and data["stale_shots"] == [1, 2]
    after = _plan(workspace, pid)
    assert after["story"] == before["story"] and after["characters"] == before["characters"]
    texts = ("action", "dialogue", "camera", "sound_effects", "music")
    assert [[shot[field] for field in texts] for shot in after["shots"]] == [
        [shot[field] for field in texts] for shot in before["shots"]
    ]
    # takes made under the other name no longer match their shots: they stay stale
    assert [shot["status"] for shot in after["shots"]] == ["stale", "stale", "planned"]
    assert load_project_state(workspace, pid).story.version == 4


def test_rename_without_story_mentions_and_in_chinese(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    data = ok(toolbox, "rename_character", project_id=pid, char_id="ID_A", new_name="Old Tim")
    # the shots say "Tom", not the card's "Old Tom": only the card changes, the story does not mention him
    assert (data["changed_shots"], data["stale_shots"], data["story_version"]) == ([], [], None)
    assert load_project_state(workspace, pid).story.version == 1

    ok(toolbox, "add_character", project_id=pid, name="小明", identity="一个十岁的男孩")
    ok(toolbox, "update_shot", project_id=pid, number=3, action="小明走进灯塔。小明的灯亮了。")
    assert ok(toolbox, "rename_character", project_id=pid, char_id="ID_C", new_name="小红")["changed_shots"] == [3]
    assert load_project_state(workspace, pid).shot(3).action == "小红走进灯塔。小红的灯亮了。"


def test_duplicate_shot_inserts_a_plain_copy_after_the_shot(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    ok(toolbox, "register_take", **take_args(workspace, pid, 2))
    ids = _shot_ids(workspace, pid)

    data = ok(toolbox, "duplicate_shot", project_id=pid, number=2)

    assert data["number"] == 3 and _shot_ids(workspace, pid) == [ids[0], ids[1], data["shot_id"], ids[2]]
    original, copy = load_project_state(workspace, pid).shots[1:3]
    plan = ("scene_id", "characters", "action", "dialogue", "camera", "num_frames", "sound_effects", "music")
    assert [getattr(copy, field) for field in plan] == [getattr(original, field) for field in plan]
    assert original.continuity == [ids[0]] and copy.continuity == []
    assert (copy.status, copy.current_take, original.status) == ("planned", None, "generated")
    last = ok(toolbox, "duplicate_shot", project_id=pid, number=4)
    assert last["number"] == 5 and _shot_ids(workspace, pid)[-2:] == [ids[2], last["shot_id"]]
