"""Shared fixtures. Add yours with distinctive names; never rewrite others'."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel
from workspace_helpers import ok

from tools.base import Toolbox
from workspace.db import Workspace, open_workspace

WorkspaceSnapshot = Callable[[Workspace], dict[str, Any]]
_DATABASE_FILES = ("workspace.sqlite", "workspace.sqlite-wal", "workspace.sqlite-shm")


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace in a temporary home."""
    opened = open_workspace(tmp_path / "home")
    yield opened
    opened.close()


@pytest.fixture
def toolbox(workspace: Workspace) -> Toolbox:
    return Toolbox(workspace, actor="test")


def take_workspace_snapshot(workspace: Workspace, include_audit: bool = False) -> dict[str, Any]:
    """Every row of every table (the ToolCall audit and LLM call log only when asked) plus every file and folder
    under the home (sha256 of file contents), excluding the SQLite files themselves."""
    tables: dict[str, list[tuple]] = {}
    with workspace.engine.connect() as connection:
        for table in sorted(SQLModel.metadata.tables.values(), key=lambda t: t.name):
            if table.name in ("toolcall", "llmcall") and not include_audit:
                continue
            rows = connection.execute(sa_select(table).order_by(*table.primary_key.columns)).all()
            tables[table.name] = [tuple(row) for row in rows]
    files: dict[str, str] = {}
    for path in sorted(workspace.home.rglob("*")):
        relative = path.relative_to(workspace.home).as_posix()
        if relative in _DATABASE_FILES:
            continue
        files[relative] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return {"tables": tables, "files": files}


@pytest.fixture
def workspace_snapshot() -> WorkspaceSnapshot:
    """`snapshot = workspace_snapshot(ws)`: compare before/after a call that must change nothing."""
    return take_workspace_snapshot


@pytest.fixture
def planned_project(toolbox: Toolbox) -> int:
    """A project with a confirmed story, characters ID_A and ID_B, scenes S1 and S2 and a three-shot plan."""
    project_id = ok(toolbox, "create_project", title="The Lighthouse", idea="A keeper and a girl in a storm")[
        "project_id"
    ]
    ok(toolbox, "write_story", project_id=project_id, title="The Lighthouse", description="A stormy night.")
    ok(toolbox, "confirm_story", project_id=project_id)
    ok(toolbox, "add_character", project_id=project_id, name="Old Tom", identity="a bearded keeper in his sixties")
    ok(toolbox, "add_character", project_id=project_id, name="Mia", identity="a girl of ten with red hair")
    ok(toolbox, "add_scene", project_id=project_id, name="Lamp room", time_of_day="night")
    ok(toolbox, "add_scene", project_id=project_id, name="Shore", time_of_day="dawn")
    shots = [
        {"scene_id": "S1", "characters": ["ID_A"], "action": "Tom trims the lamp.", "num_frames": 49},
        {
            "scene_id": "S1",
            "characters": ["ID_A", "ID_B"],
            "dialogue": [{"speaker": "ID_B", "text": "Is the ship coming?"}],
            "num_frames": 73,
            "continuity": [1],
        },
        {"scene_id": "S2", "characters": ["ID_B"], "action": "Mia waves at the sea.", "num_frames": 25},
    ]
    ok(toolbox, "set_shot_plan", project_id=project_id, shots=shots)
    return project_id


@pytest.fixture(scope="session")
def tiny_echo_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random JoyAI-Echo pipeline saved in the layout users point ECHO_MODEL_DIR at (see tests/tiny_echo.py)."""
    from tiny_echo import save_tiny_echo

    return save_tiny_echo(tmp_path_factory.mktemp("tiny-echo") / "model")


@pytest.fixture
def process_umask() -> Iterator[Callable[[int], int]]:
    """`os.umask` for one test: call it with the mask to test under; the original mask is restored afterwards."""
    original = os.umask(0o022)
    os.umask(original)
    yield os.umask
    os.umask(original)


@pytest.fixture
def echo_app_url(tmp_path: Path) -> Iterator[str]:
    """`python app.py` on a free port over a temporary home (preview backend, 320x192); its log is printed after."""
    from browser_helpers import log_tail, running_app

    log_path = tmp_path / "app.log"
    try:
        with running_app(tmp_path / "home", log_path, width=320, height=192) as url:
            yield url
    finally:
        print(log_tail(log_path))


@pytest.fixture(autouse=True)
def patient_browser_assertions(request: pytest.FixtureRequest) -> None:
    """Browser tests wait up to 60 s for what they expect to see: Playwright's 5 s default fails on a busy
    2-core machine while the app is still rendering."""
    if request.node.get_closest_marker("browser"):
        from playwright.sync_api import expect

        expect.set_options(timeout=60_000)
