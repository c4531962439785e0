"""Project snapshots (P_t) and the generated history (H_t): current takes, history before a shot, dependents."""

from __future__ import annotations

from typing import Any

import pytest
from workspace_helpers import ok, take_args

from generator.errors import EchoError
from tools.base import Toolbox
from workspace.db import Workspace
from workspace.history import HistoryManager
from workspace.project_view import list_projects, load_project_state, resolve_project


def test_state_lists_current_cards_and_ordered_shots(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    ok(toolbox, "update_character", project_id=planned_project, char_id="ID_B", clothing="a yellow raincoat")
    ok(toolbox, "write_story", project_id=planned_project, title="The Lighthouse II", description="Later.")
    state = load_project_state(workspace, planned_project)
    assert (state.story.version, state.story.confirmed) == (2, False)
    assert [(c.char_id, c.version) for c in state.characters] == [("ID_A", 1), ("ID_B", 2)]
    assert state.character("ID_B").clothing == "a yellow raincoat"
    assert [s.number for s in state.shots] == [1, 2, 3] and state.shots[0].current_take is None
    with pytest.raises(EchoError, match=r"valid shot numbers: 1\.\.3"):
        state.shot(4)
    with pytest.raises(EchoError, match="valid: ID_A, ID_B"):
        state.character("ID_C")


def test_unknown_projects_name_what_exists(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    with pytest.raises(EchoError, match=r"existing projects: 1 \(The Lighthouse\)"):
        load_project_state(workspace, 5)
    assert resolve_project(workspace, "1") == 1
    assert resolve_project(workspace, "The Lighthouse") == 1
    with pytest.raises(EchoError, match="unknown project 'Lighthouse'"):
        resolve_project(workspace, "Lighthouse")
    ok(toolbox, "create_project", title="The Lighthouse")
    with pytest.raises(EchoError, match="several projects"):
        resolve_project(workspace, "The Lighthouse")
    assert [p.id for p in list_projects(workspace)] == [1, 2]


def _register(workspace: Workspace, toolbox: Toolbox, project_id: int, number: int, **extra: Any) -> int:
    return ok(toolbox, "register_take", **take_args(workspace, project_id, number, **extra))["take_id"]


def test_history_versions_current_takes_and_dependents(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    pid = planned_project
    history = HistoryManager(workspace)
    assert history.takes(pid) == [] and history.current_take(pid, 3) is None
    first = _register(workspace, toolbox, pid, 1, seed=1)
    retake = _register(workspace, toolbox, pid, 1, seed=2)
    memory = [
        {"label": "SHOT_1", "kind": "take", "take_id": retake},
        {"label": "ID_A", "kind": "card", "card_id": "ID_A"},
    ]
    second = _register(workspace, toolbox, pid, 2, memory_sources=memory)
    third = _register(workspace, toolbox, pid, 3, memory_sources=[{"label": "OLD", "kind": "take", "take_id": first}])

    assert [(t.shot_number, t.version) for t in history.takes(pid)] == [(1, 1), (1, 2), (2, 1), (3, 1)]
    assert [t.id for t in history.takes(pid, 1)] == [first, retake]
    assert history.current_take(pid, 1).id == retake and history.current_take(pid, 2).id == second
    assert history.dependents(pid, retake) == [2]
    assert history.dependents(pid, first) == [3]
    assert history.dependents(pid, third) == []

    ok(toolbox, "rollback_shot", project_id=pid, number=1, version=1)
    assert history.current_take(pid, 1).id == first
    ok(toolbox, "reorder_shot", project_id=pid, number=3, new_number=1)
    assert history.current_take(pid, 1).id == third and history.takes(pid, 2)[0].shot_number == 2


def test_history_errors_name_the_valid_range(workspace: Workspace, toolbox: Toolbox, planned_project: int) -> None:
    history = HistoryManager(workspace)
    with pytest.raises(EchoError, match=r"unknown shot 7 in project 1; valid shot numbers: 1\.\.3"):
        history.takes(planned_project, 7)
    with pytest.raises(EchoError, match="valid shot numbers"):
        history.current_take(planned_project, 0)
    with pytest.raises(EchoError, match="unknown take 9"):
        history.dependents(planned_project, 9)
    with pytest.raises(EchoError, match="unknown project 4"):
        history.current_take(4, 1)


def test_deleted_shots_keep_their_takes_out_of_the_plan(
    workspace: Workspace, toolbox: Toolbox, planned_project: int
) -> None:
    take = _register(workspace, toolbox, planned_project, 3)
    ok(toolbox, "delete_shot", project_id=planned_project, number=3)
    history = HistoryManager(workspace)
    assert history.takes(planned_project) == []
    with pytest.raises(EchoError, match=r"1\.\.2"):
        history.current_take(planned_project, 3)
    assert history.dependents(planned_project, take) == []
