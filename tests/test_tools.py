"""Every tool: success, and failures that leave the database and the media folder exactly as before."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from workspace_helpers import ok, take_args

from tools.base import Toolbox
from workspace.db import Workspace
from workspace.history import HistoryManager
from workspace.models import ToolCall
from workspace.project_view import load_project_state


def test_create_project_strips_title_and_logs_the_call(workspace: Workspace, toolbox: Toolbox) -> None:
    data = ok(toolbox, "create_project", title="  A wizard explores a castle  ", idea="castle")
    state = load_project_state(workspace, data["project_id"])
    assert state.project.title == "A wizard explores a castle"
    with workspace.read_session() as session:
        (call,) = session.exec(select(ToolCall)).all()
    assert (call.tool, call.actor, call.ok, call.project_id) == ("create_project", "test", True, data["project_id"])
    assert call.args["idea"] == "castle" and call.result == data


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "idea": "x" * 20_001}, "idea"),
        ({"title": "ok", "language": "en; DROP"}, "language"),
        ({"title": "ok", "colour": "red"}, "colour"),
        ({}, "title"),
    ],
)
def test_create_project_rejects_bad_arguments(
    workspace: Workspace, toolbox: Toolbox, workspace_snapshot, args: dict, expected: str
) -> None:
    before = workspace_snapshot(workspace)
    result = toolbox.call("create_project", args)
    assert not result.ok and expected in result.message
    assert workspace_snapshot(workspace) == before
    with workspace.read_session() as session:
        (call,) = session.exec(select(ToolCall)).all()
    assert not call.ok and expected in call.error


def test_story_versions_and_confirmation(workspace: Workspace, toolbox: Toolbox) -> None:
    project_id = ok(toolbox, "create_project", title="Story")["project_id"]
    assert ok(toolbox, "write_story", project_id=project_id, title="One", description="first")["version"] == 1
    assert ok(toolbox, "write_story", project_id=project_id, title="Two", description="second")["version"] == 2
    story = load_project_state(workspace, project_id).story
    assert (story.version, story.title, story.confirmed) == (2, "Two", False)
    assert ok(toolbox, "confirm_story", project_id=project_id)["version"] == 2
    assert load_project_state(workspace, project_id).story.confirmed
    assert ok(toolbox, "confirm_story", project_id=project_id, version=1)["version"] == 1


def test_cards_get_stable_ids_and_new_versions(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    assert ok(toolbox, "add_character", project_id=pid, name="Cat", identity="a grey cat")["char_id"] == "ID_C"
    assert ok(toolbox, "update_character", project_id=pid, char_id="ID_C", clothing="a bell") == {
        "char_id": "ID_C",
        "version": 2,
    }
    ok(toolbox, "delete_character", project_id=pid, char_id="ID_C")
    # a deleted id is never reused: old takes may still name it in their memory sources
    assert ok(toolbox, "add_character", project_id=pid, name="Dog", identity="a dog")["char_id"] == "ID_D"
    assert ok(toolbox, "add_scene", project_id=pid, name="Cliff")["scene_id"] == "S3"
    assert ok(toolbox, "update_scene", project_id=pid, scene_id="S3", description="windy") == {
        "scene_id": "S3",
        "version": 2,
    }
    ok(toolbox, "delete_scene", project_id=pid, scene_id="S3")
    state = load_project_state(workspace, pid)
    assert [c.char_id for c in state.characters] == ["ID_A", "ID_B", "ID_D"]
    assert [s.scene_id for s in state.scenes] == ["S1", "S2"]


def test_cards_are_listed_in_id_order(workspace: Workspace, toolbox: Toolbox) -> None:
    pid = ok(toolbox, "create_project", title="Crowd")["project_id"]
    for index in range(28):
        ok(toolbox, "add_character", project_id=pid, name=f"Extra {index + 1}", identity="a passer-by")
    for index in range(11):
        ok(toolbox, "add_scene", project_id=pid, name=f"Street {index + 1}")
    state = load_project_state(workspace, pid)
    letters = [chr(ord("A") + i) for i in range(26)]
    assert [c.char_id for c in state.characters] == [f"ID_{x}" for x in [*letters, "AA", "AB"]]
    assert [s.scene_id for s in state.scenes] == [f"S{n}" for n in range(1, 12)]


def test_character_reference_must_be_an_existing_file_in_the_home(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot
) -> None:
    stored = workspace.media.allocate(planned_project, "references", ".png")
    workspace.media.resolve(stored).parent.mkdir(parents=True)
    workspace.media.resolve(stored).write_bytes(b"png")
    data = ok(toolbox, "update_character", project_id=planned_project, char_id="ID_A", reference_image=stored)
    assert data["version"] == 2
    assert load_project_state(workspace, planned_project).character("ID_A").reference_image == stored
    ok(toolbox, "update_character", project_id=planned_project, char_id="ID_A", reference_image="")
    assert load_project_state(workspace, planned_project).character("ID_A").reference_image is None

    before = workspace_snapshot(workspace)
    for bad, expected in [
        ("../outside.png", "'..'"),
        ("/etc/hostname", "absolute"),
        ("projects/1/references/missing.png", "does not exist"),
        (stored.replace(".png", ".wav"), "does not exist"),
    ]:
        result = toolbox.call(
            "add_character", {"project_id": planned_project, "name": "X", "identity": "y", "reference_image": bad}
        )
        assert not result.ok and expected in result.message
    wrong_type = toolbox.call(
        "update_character", {"project_id": planned_project, "char_id": "ID_A", "reference_audio": stored}
    )
    assert not wrong_type.ok and ".wav" in wrong_type.message
    assert workspace_snapshot(workspace) == before


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("write_story", {"project_id": 99, "title": "t", "description": "d"}, "unknown project 99"),
        ("write_story", {"project_id": 1, "title": "t", "description": ""}, "description"),
        ("confirm_story", {"project_id": 1, "version": 5}, "valid versions: 1..1"),
        ("add_character", {"project_id": 1, "name": "", "identity": "x"}, "name"),
        ("add_character", {"project_id": 1, "name": "x"}, "identity"),
        ("update_character", {"project_id": 1, "char_id": "ID_Q", "voice": "low"}, "unknown character ID_Q"),
        ("update_character", {"project_id": 1, "char_id": "Tom", "voice": "low"}, "char_id"),
        ("update_character", {"project_id": 1, "char_id": "ID_A"}, "nothing to change"),
        ("delete_character", {"project_id": 1, "char_id": "ID_B"}, "still in shots 2, 3"),
        ("add_scene", {"project_id": 1, "name": "x" * 201}, "name"),
        ("update_scene", {"project_id": 1, "scene_id": "S9", "name": "x"}, "unknown scene S9"),
        ("delete_scene", {"project_id": 1, "scene_id": "S1"}, "still used by shots 1, 2"),
        ("set_shot_plan", {"project_id": 1, "shots": []}, "shots"),
        ("set_shot_plan", {"project_id": 1, "shots": [{"scene_id": "S1", "num_frames": 50}]}, "1+8k"),
        ("set_shot_plan", {"project_id": 1, "shots": [{"scene_id": "S7"}]}, "unknown scene S7"),
        (
            "set_shot_plan",
            {"project_id": 1, "shots": [{"scene_id": "S1", "characters": ["ID_Z"]}]},
            "unknown characters",
        ),
        (
            "set_shot_plan",
            {"project_id": 1, "shots": [{"scene_id": "S1", "characters": ["ID_A", "ID_B", "ID_A"]}]},
            "at most 2",
        ),
        (
            "set_shot_plan",
            {"project_id": 1, "shots": [{"scene_id": "S1", "characters": ["ID_A", "ID_A"]}]},
            "duplicate",
        ),
        (
            "set_shot_plan",
            {
                "project_id": 1,
                "shots": [{"scene_id": "S1", "characters": ["ID_A"], "dialogue": [{"speaker": "ID_B", "text": "hi"}]}],
            },
            "dialogue.speaker",
        ),
        (
            "set_shot_plan",
            {
                "project_id": 1,
                "shots": [{"scene_id": "S1", "characters": ["ID_A"], "dialogue": [{"speaker": "ID_A", "text": " "}]}],
            },
            "text",
        ),
        ("set_shot_plan", {"project_id": 1, "shots": [{"scene_id": "S1", "continuity": [1]}]}, "earlier shots"),
        ("insert_shot", {"project_id": 1, "position": 5, "shot": {"scene_id": "S1"}}, "valid positions: 1..4"),
        (
            "insert_shot",
            {"project_id": 1, "position": 1, "shot": {"scene_id": "S1", "continuity": [999]}},
            "continuity",
        ),
        ("delete_shot", {"project_id": 1, "number": 4}, "valid shot numbers: 1..3"),
        ("delete_shot", {"project_id": 1, "number": 1}, "continue shot 1"),
        ("delete_shot", {"project_id": 1, "number": 0}, "number"),
        ("reorder_shot", {"project_id": 1, "number": 1, "new_number": 4}, "valid shot numbers: 1..3"),
        ("update_shot", {"project_id": 1, "number": 2, "characters": ["ID_A"]}, "dialogue.speaker"),
        ("update_shot", {"project_id": 1, "number": 2}, "nothing to change"),
        ("update_shot", {"project_id": 1, "number": 1, "continuity": [1]}, "continuity"),
        ("record_condition", {"project_id": 1, "number": 1, "prompt": ""}, "prompt"),
        ("record_condition", {"project_id": 1, "number": 1, "prompt": "p", "source": "magic"}, "source"),
        ("approve_take", {"project_id": 1, "take_id": 42}, "unknown take 42"),
        ("reject_take", {"project_id": 1, "take_id": 42}, "unknown take 42"),
        ("rollback_shot", {"project_id": 1, "number": 1, "version": 1}, "no take version 1"),
        ("record_revision", {"project_id": 1, "number": 1, "feedback": ""}, "feedback"),
        ("record_revision", {"project_id": 1, "number": 1, "feedback": "x", "to_take_id": 3}, "unknown take 3"),
        ("mark_stale", {"project_id": 1, "take_ids": []}, "take_ids"),
        ("rename_character", {"project_id": 1, "char_id": "ID_A", "new_name": " "}, "new_name"),
        ("rename_character", {"project_id": 1, "char_id": "ID_A", "new_name": "x" * 201}, "new_name"),
        ("rename_character", {"project_id": 1, "char_id": "ID_A", "new_name": "Old Tom"}, "already called"),
        ("rename_character", {"project_id": 1, "char_id": "ID_A", "new_name": "mia"}, "ID_B is already called"),
        ("rename_character", {"project_id": 1, "char_id": "ID_C", "new_name": "Al"}, "unknown character ID_C"),
        ("duplicate_shot", {"project_id": 1, "number": 4}, "valid shot numbers: 1..3"),
        ("mark_stale", {"project_id": 1, "take_ids": [8]}, "unknown take 8"),
        ("no_such_tool", {"project_id": 1}, "unknown tool"),
    ],
)
def test_failing_calls_change_nothing(
    workspace: Workspace,
    toolbox: Toolbox,
    planned_project: int,
    workspace_snapshot,
    name: str,
    args: dict,
    expected: str,
) -> None:
    assert planned_project == 1
    before = workspace_snapshot(workspace)
    result = toolbox.call(name, args)
    assert not result.ok
    assert expected in result.message
    assert workspace_snapshot(workspace) == before
    with workspace.read_session() as session:
        last = session.exec(select(ToolCall).order_by(ToolCall.id.desc())).first()
    assert (last.tool, last.ok, last.error) == (name, False, result.message)


def test_shot_plan_editing(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    shots = load_project_state(workspace, pid).shots
    ids = [s.id for s in shots]
    assert [s.number for s in shots] == [1, 2, 3] and shots[1].continuity == [ids[0]]

    new_id = ok(toolbox, "insert_shot", project_id=pid, position=2, shot={"scene_id": "S2", "continuity": [ids[0]]})[
        "shot_id"
    ]
    assert [s.id for s in load_project_state(workspace, pid).shots] == [ids[0], new_id, ids[1], ids[2]]
    ok(toolbox, "reorder_shot", project_id=pid, number=4, new_number=1)
    assert [s.id for s in load_project_state(workspace, pid).shots] == [ids[2], ids[0], new_id, ids[1]]
    ok(toolbox, "delete_shot", project_id=pid, number=3)
    state = load_project_state(workspace, pid)
    assert [(s.number, s.id) for s in state.shots] == [(1, ids[2]), (2, ids[0]), (3, ids[1])]
    data = ok(toolbox, "update_shot", project_id=pid, number=3, camera="slow push in", num_frames=97)
    assert data["changed"] == ["camera", "num_frames"] and data["before"] == {"camera": "", "num_frames": 73}
    shot = load_project_state(workspace, pid).shot(3)
    assert (shot.camera, shot.num_frames, shot.dialogue[0]["text"]) == ("slow push in", 97, "Is the ship coming?")

    replaced = ok(
        toolbox, "set_shot_plan", project_id=pid, shots=[{"scene_id": "S1"}, {"scene_id": "S2", "continuity": [1]}]
    )
    state = load_project_state(workspace, pid)
    assert [s.id for s in state.shots] == replaced["shot_ids"] and replaced["count"] == 2
    assert state.shots[1].continuity == [replaced["shot_ids"][0]]


def test_conditions_are_versioned(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    first = ok(toolbox, "record_condition", project_id=planned_project, number=2, prompt="one", fields={"a": 1})
    second = ok(toolbox, "record_condition", project_id=planned_project, number=2, prompt="two", source="revision")
    assert (first["version"], second["version"]) == (1, 2)
    shot = load_project_state(workspace, planned_project).shot(2)
    assert (shot.latest_condition_prompt, shot.latest_condition_id) == ("two", second["condition_id"])


def test_register_take_brings_staged_files_in(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    condition = ok(toolbox, "record_condition", project_id=planned_project, number=1, prompt="p")
    args = take_args(workspace, planned_project, 1, condition_id=condition["condition_id"], metadata={"steps": 8})
    data = ok(toolbox, "register_take", **args)
    assert data["version"] == 1
    take = load_project_state(workspace, planned_project).shot(1).current_take
    assert take.id == data["take_id"] and take.status == "generated"
    assert take.metadata["steps"] == 8 and take.metadata["speech_overflow_s"] == 0.0
    assert len(take.metadata["generation_id"]) == 32  # each staged take gets its own generation id
    for staged in (args["video"], args["audio"], *args["keyframes"], args["kok_audio"]):
        assert not Path(staged).exists()
    assert workspace.media.resolve(take.video_path).read_bytes() == b"content of shot.mp4"
    assert all(p.startswith(f"projects/{planned_project}/takes/") for p in [take.video_path, *take.keyframe_paths])
    # the KOK frame listed twice is moved once and both references point at it
    assert take.memory_window["key_frame"] == take.keyframe_paths[1]
    assert workspace.media.resolve(take.memory_window["audio"]).read_bytes() == b"content of kok.wav"
    assert take.memory_window["frame_index"] == 30
    assert take.dialogue_timings[0]["speaker"] == "ID_A"
    assert load_project_state(workspace, planned_project).shot(1).status == "generated"


def test_register_take_rejects_files_outside_staging(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(b"x")
    args = take_args(workspace, planned_project, 1)
    other_project = ok(toolbox, "create_project", title="Other")["project_id"]
    other_condition = ok(toolbox, "record_condition", project_id=planned_project, number=2, prompt="p")["condition_id"]
    cases = [
        ({"video": str(outside)}, "staging"),
        ({"video": "projects/1/x.mp4"}, "staging"),
        ({"audio": args["audio"] + ".missing"}, "staging"),
        ({"keyframes": [str(Path(args["video"]).parent / ".." / "escape.png")]}, "staging"),
        ({"number": 9}, "valid shot numbers: 1..3"),
        ({"num_frames": 48}, "1+8k"),
        ({"width": 650}, "multiple of 32"),
        ({"condition_id": other_condition}, "does not belong to shot 1"),
        ({"memory_sources": [{"kind": "take", "take_id": 77}]}, "unknown take 77"),
        ({"memory_sources": [{"kind": "dream"}]}, "memory_sources"),
        ({"project_id": other_project}, "has no shots yet"),
    ]
    bad_suffix = Path(args["video"]).with_suffix(".exe")
    bad_suffix.write_bytes(b"x")
    cases.append(({"video": str(bad_suffix)}, "not allowed"))
    before = workspace_snapshot(workspace)
    for change, expected in cases:
        result = toolbox.call("register_take", args | change)
        assert not result.ok and expected in result.message, (change, result.message)
        assert workspace_snapshot(workspace) == before


def test_register_take_undoes_links_when_a_later_link_fails(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = take_args(workspace, planned_project, 1)
    before = workspace_snapshot(workspace)
    real_link = os.link
    calls = {"n": 0}

    def failing_third_link(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_link(src, dst)

    monkeypatch.setattr("tools.takes.os.link", failing_third_link)
    result = toolbox.call("register_take", args)
    assert not result.ok and "No space left" in result.message
    assert workspace_snapshot(workspace) == before
    assert all(Path(args[name]).is_file() for name in ("video", "audio", "kok_audio"))  # staged files kept


def test_register_take_copies_when_links_cross_file_systems(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cross_device(src: str | Path, dst: str | Path) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr("tools.takes.os.link", cross_device)
    args = take_args(workspace, planned_project, 1)
    data = ok(toolbox, "register_take", **args)
    take = load_project_state(workspace, planned_project).shot(1).current_take
    assert take.id == data["take_id"] and not Path(args["video"]).exists()
    assert workspace.media.resolve(take.video_path).read_bytes() == b"content of shot.mp4"


def test_register_take_undoes_links_when_the_commit_fails(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot
) -> None:
    # A deferred foreign-key violation is only detected at COMMIT, after the files were linked in.
    with workspace.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER break_commit AFTER INSERT ON take WHEN NEW.seed = 666 BEGIN "
            "INSERT INTO revision (project_id, shot_id, feedback, diagnosis, changes, created_at) "
            "VALUES (NEW.project_id, 999999, 'x', '', '{}', CURRENT_TIMESTAMP); END"
        )
    args = take_args(workspace, planned_project, 1, seed=666)
    before = workspace_snapshot(workspace)
    with workspace.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    result = _call_with_deferred_foreign_keys(workspace, toolbox, args)
    assert not result.ok and "FOREIGN KEY" in result.message
    assert workspace_snapshot(workspace) == before


def _call_with_deferred_foreign_keys(workspace: Workspace, toolbox: Toolbox, args: dict) -> Any:
    from sqlalchemy import event

    def defer(connection: Any) -> None:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")

    event.listen(workspace.engine, "begin", defer)
    try:
        return toolbox.call("register_take", args)
    finally:
        event.remove(workspace.engine, "begin", defer)


def test_approve_reject_rollback_and_versions(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    first = ok(toolbox, "register_take", **take_args(workspace, pid, 2, seed=1))
    second = ok(toolbox, "register_take", **take_args(workspace, pid, 2, seed=2))
    assert (first["version"], second["version"]) == (1, 2)
    assert load_project_state(workspace, pid).shot(2).current_take.seed == 2

    ok(toolbox, "reject_take", project_id=pid, take_id=second["take_id"])
    assert load_project_state(workspace, pid).shot(2).status == "rejected"
    ok(toolbox, "approve_take", project_id=pid, take_id=first["take_id"])
    assert load_project_state(workspace, pid).shot(2).status == "rejected"  # take 1 is not current yet

    rolled_back = ok(toolbox, "rollback_shot", project_id=pid, number=2, version=1)
    assert rolled_back == {
        "take_id": first["take_id"],
        "stale_shots": [],
        "restored_shots": [],
        "restored_fields": [],
        "replaced_take_id": second["take_id"],
        "replaced_version": 2,
    }
    shot = load_project_state(workspace, pid).shot(2)
    assert (shot.current_take.version, shot.status) == (1, "approved")
    versions = [(t.version, t.status, t.is_current) for t in HistoryManager(workspace).takes(pid, 2)]
    assert versions == [(1, "approved", True), (2, "rejected", False)]

    revision = ok(
        toolbox,
        "record_revision",
        project_id=pid,
        number=2,
        feedback="make her smile",
        diagnosis="action",
        changes={"action": "Mia smiles"},
        from_take_id=second["take_id"],
        to_take_id=first["take_id"],
    )
    assert revision["revision_id"] >= 1
    bad = toolbox.call(
        "record_revision", {"project_id": pid, "number": 1, "feedback": "x", "from_take_id": first["take_id"]}
    )
    assert not bad.ok and "not a take of shot 1" in bad.message


def test_mark_stale_marks_takes_and_their_shots(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    pid = planned_project
    base = ok(toolbox, "register_take", **take_args(workspace, pid, 1))["take_id"]
    sources = [{"label": "SHOT_1", "kind": "take", "take_id": base, "shot_number": 1}]
    user = ok(toolbox, "register_take", **take_args(workspace, pid, 3, memory_sources=sources))["take_id"]
    assert HistoryManager(workspace).dependents(pid, base) == [3]
    data = ok(toolbox, "mark_stale", project_id=pid, take_ids=[user, user])
    assert data == {"take_ids": [user], "shot_numbers": [3]}
    state = load_project_state(workspace, pid)
    assert (state.shot(3).status, state.shot(3).current_take.status, state.shot(1).status) == (
        "stale",
        "stale",
        "generated",
    )


def _statuses(workspace: Workspace, project_id: int, number: int) -> tuple[str, str]:
    shot = load_project_state(workspace, project_id).shot(number)
    return shot.status, shot.current_take.status


def test_rollback_clears_stale_marks_that_no_longer_apply_and_marks_users_of_the_replaced_take(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    shot_1 = ok(toolbox, "register_take", **take_args(workspace, pid, 1))["take_id"]
    memory_1 = [{"label": "PREVIOUS_SHOT", "kind": "take", "take_id": shot_1}]
    shot_2_v1 = ok(toolbox, "register_take", **take_args(workspace, pid, 2, memory_sources=memory_1))["take_id"]
    memory_3 = [*memory_1, {"label": "SHOT_2", "kind": "take", "take_id": shot_2_v1}]
    shot_3 = ok(toolbox, "register_take", **take_args(workspace, pid, 3, memory_sources=memory_3))["take_id"]
    ok(toolbox, "approve_take", project_id=pid, take_id=shot_3)

    # the revision of shot 2 (as the Director's revise node does it): a new take, its dependents marked stale
    shot_2_v2 = ok(toolbox, "register_take", **take_args(workspace, pid, 2, memory_sources=memory_1))["take_id"]
    ok(toolbox, "mark_stale", project_id=pid, take_ids=[shot_3], reason="memory")
    assert _statuses(workspace, pid, 3) == ("stale", "stale")

    back = ok(toolbox, "rollback_shot", project_id=pid, number=2, version=1)
    assert back == {
        "take_id": shot_2_v1,
        "stale_shots": [],
        "restored_shots": [3],
        "restored_fields": [],
        "replaced_take_id": shot_2_v2,
        "replaced_version": 2,
    }
    assert _statuses(workspace, pid, 3) == ("approved", "approved")
    assert "status_before_stale" not in load_project_state(workspace, pid).shot(3).current_take.metadata

    # forward again: shot 3 remembered v1, which is replaced now
    forward = toolbox.call("rollback_shot", {"project_id": pid, "number": 2, "version": 2})
    assert forward.ok and forward.data == {
        "take_id": shot_2_v2,
        "stale_shots": [3],
        "restored_shots": [],
        "restored_fields": [],
        "replaced_take_id": shot_2_v1,
        "replaced_version": 1,
    }
    assert "shots 3 remembered the replaced take" in forward.message
    assert _statuses(workspace, pid, 3) == ("stale", "stale")

    # shot 1 replaced as well: going back to shot 2 v1 is not enough, shot 3 still remembers an old take of shot 1
    ok(toolbox, "register_take", **take_args(workspace, pid, 1))
    assert ok(toolbox, "rollback_shot", project_id=pid, number=2, version=1)["restored_shots"] == []
    assert _statuses(workspace, pid, 3) == ("stale", "stale")
    assert ok(toolbox, "rollback_shot", project_id=pid, number=1, version=1)["restored_shots"] == [3]
    assert _statuses(workspace, pid, 3) == ("approved", "approved")


def test_rollback_restores_the_plan_the_take_was_made_from(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project

    def take_from(action: str, camera: str, lines: list[dict[str, str]]) -> int:
        fields = {"action": action, "camera": camera, "dialogue": lines, "characters": [{"id": "ID_A", "name": "Tom"}],
                  "scene": {"id": "S1", "name": "Lamp room"}, "num_frames": 49, "retrieved_take_ids": []}  # fmt: skip
        condition = ok(toolbox, "record_condition", project_id=pid, number=1, prompt=action, fields=fields)
        return ok(toolbox, "register_take", **take_args(workspace, pid, 1, condition_id=condition["condition_id"]))[
            "take_id"
        ]

    take_from("Tom trims the lamp.", "static medium shot", [])
    ok(toolbox, "update_shot", project_id=pid, number=1, action="Tom smashes the lamp.", camera="fast whip pan",
       dialogue=[{"speaker": "ID_A", "text": "Enough!"}])  # fmt: skip
    take_from("Tom smashes the lamp.", "fast whip pan", [{"speaker": "ID_A", "text": "Enough!"}])

    data = ok(toolbox, "rollback_shot", project_id=pid, number=1, version=1)

    shot = load_project_state(workspace, pid).shot(1)
    assert (shot.action, shot.camera, shot.dialogue) == ("Tom trims the lamp.", "static medium shot", [])
    assert shot.current_take.version == 1 and sorted(data["restored_fields"]) == ["action", "camera", "dialogue"]
    again = ok(toolbox, "rollback_shot", project_id=pid, number=1, version=2)
    assert again["restored_fields"] and load_project_state(workspace, pid).shot(1).action == "Tom smashes the lamp."


def test_rollback_keeps_a_shot_stale_when_its_plan_changed_after_its_take(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    shot_1 = ok(toolbox, "register_take", **take_args(workspace, pid, 1))["take_id"]
    memory = [{"label": "SHOT_1", "kind": "take", "take_id": shot_1}]
    shot_3 = ok(toolbox, "register_take", **take_args(workspace, pid, 3, memory_sources=memory))["take_id"]
    ok(toolbox, "register_take", **take_args(workspace, pid, 1))
    ok(toolbox, "mark_stale", project_id=pid, take_ids=[shot_3], reason="memory")
    ok(toolbox, "update_shot", project_id=pid, number=3, action="Mia runs along the shore.")

    assert ok(toolbox, "rollback_shot", project_id=pid, number=1, version=1)["restored_shots"] == [3]
    assert _statuses(workspace, pid, 3) == ("stale", "generated")  # the take is fine, the shot's plan is not


def test_rollback_keeps_takes_stale_for_an_edited_card(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    shot_1 = ok(toolbox, "register_take", **take_args(workspace, pid, 1))["take_id"]
    memory = [{"label": "SHOT_1", "kind": "take", "take_id": shot_1}]
    shot_2 = ok(toolbox, "register_take", **take_args(workspace, pid, 2, memory_sources=memory))["take_id"]
    shot_3 = ok(toolbox, "register_take", **take_args(workspace, pid, 3, memory_sources=memory))["take_id"]
    ok(toolbox, "register_take", **take_args(workspace, pid, 1))
    ok(toolbox, "mark_stale", project_id=pid, take_ids=[shot_2, shot_3], reason="memory")
    ok(toolbox, "mark_stale", project_id=pid, take_ids=[shot_3])  # then Mia's card changes (reason "edit")

    assert ok(toolbox, "rollback_shot", project_id=pid, number=1, version=1)["restored_shots"] == [2]
    assert _statuses(workspace, pid, 2) == ("generated", "generated")
    assert _statuses(workspace, pid, 3) == ("stale", "stale")


def test_update_shot_with_a_take_makes_it_stale(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    ok(toolbox, "register_take", **take_args(workspace, planned_project, 1))
    ok(toolbox, "update_shot", project_id=planned_project, number=1, action="Tom lights the lamp.")
    assert load_project_state(workspace, planned_project).shot(1).status == "stale"


def test_a_bug_inside_a_tool_is_audited_rolled_back_and_raised(
    workspace: Workspace, toolbox: Toolbox, planned_project: int, workspace_snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("bug")

    before = workspace_snapshot(workspace)
    monkeypatch.setattr("tools.story.touch", broken)  # fails after the new story row was added
    with pytest.raises(RuntimeError, match="bug"):
        toolbox.call("write_story", {"project_id": planned_project, "title": "t", "description": "d"})
    assert workspace_snapshot(workspace) == before
    with workspace.read_session() as session:
        last = session.exec(select(ToolCall).order_by(ToolCall.id.desc())).first()
    assert (last.tool, last.ok) == ("write_story", False) and "internal error" in last.error
