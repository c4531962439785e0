"""The workspace database: schema on first run, connection settings, transactions, two writer processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from generator.errors import EchoError
from workspace.db import Workspace, open_workspace
from workspace.models import Project, SceneCard, ToolCall

REPO = Path(__file__).resolve().parents[1]


def test_first_run_creates_home_and_schema(tmp_path: Path) -> None:
    home = tmp_path / "new" / "home"
    workspace = open_workspace(home)
    assert workspace.home == home.resolve() and (home / "workspace.sqlite").is_file()
    tables = set(inspect(workspace.engine).get_table_names())
    expected = {"project", "storyversion", "charactercard", "scenecard", "shotplan", "shotcondition", "take"}
    assert expected | {"revision", "toolcall"} <= tables
    workspace.close()
    again = open_workspace(home)  # idempotent, data kept
    assert set(inspect(again.engine).get_table_names()) == tables
    again.close()


def test_every_connection_has_wal_foreign_keys_and_busy_timeout(workspace: Workspace) -> None:
    with workspace.read_session() as first, workspace.read_session() as second, workspace.session() as third:
        connections = [session.connection() for session in (first, second, third)]
        assert len({id(c.connection.dbapi_connection) for c in connections}) == 3
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(EchoError, match=r"not a directory|cannot create"):
        open_workspace(tmp_path / "file")


def test_session_commits_or_rolls_back(workspace: Workspace) -> None:
    with workspace.session() as session:
        session.add(Project(title="kept"))
    with pytest.raises(RuntimeError), workspace.session() as session:
        session.add(Project(title="dropped"))
        session.flush()
        raise RuntimeError("boom")
    with workspace.read_session() as session:
        titles = session.exec(select(Project.title)).all()
    assert titles == ["kept"]


def test_foreign_keys_are_enforced(workspace: Workspace) -> None:
    with pytest.raises(IntegrityError), workspace.session() as session:
        session.add(SceneCard(project_id=12345, scene_id="S1", version=1, name="orphan"))


WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from director.session import open_checkpointer
    from director.settings import Settings
    from tools.base import Toolbox
    from workspace.db import open_workspace

    home, tag, signals = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    (signals / f"ready-{tag}").touch()
    while not (signals / "go").exists():
        time.sleep(0.01)
    # both create the databases at once: the race that once failed with "database is locked"
    toolbox = Toolbox(open_workspace(home), actor=tag)
    open_checkpointer(Settings(home=home)).conn.close()
    failures = []
    created = toolbox.call("create_project", {"title": tag})
    if not created.ok:
        failures.append(created.message)
    for i in range(50):
        # project 1 exists by now: it is whichever project was committed first
        result = toolbox.call("add_scene", {"project_id": 1, "name": f"{tag}-{i}"})
        if not result.ok:
            failures.append(result.message)
    print(len(failures), failures[:3])
    sys.exit(1 if failures else 0)
    """
)


def test_two_processes_write_one_home_without_errors_or_lost_rows(tmp_path: Path) -> None:
    home, signals = tmp_path / "home", tmp_path / "signals"
    signals.mkdir()
    tags = ("one", "two")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(home), tag, str(signals)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in tags
    ]
    deadline = time.monotonic() + 120
    while not all((signals / f"ready-{tag}").exists() for tag in tags):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            pytest.fail(f"workers did not start: {[w.communicate() for w in workers]}")
        time.sleep(0.05)
    (signals / "go").touch()
    outputs = [worker.communicate(timeout=240) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    workspace = open_workspace(home)
    with workspace.read_session() as session:
        projects = session.exec(select(Project.title)).all()
        scenes = session.exec(select(SceneCard).where(SceneCard.project_id == 1)).all()
        calls = session.exec(select(ToolCall)).all()
    assert sorted(projects) == ["one", "two"]
    assert sorted(int(s.scene_id[1:]) for s in scenes) == list(range(1, 101))
    assert {s.name for s in scenes} == {f"{tag}-{i}" for tag in tags for i in range(50)}
    assert len(calls) == 102 and all(c.ok for c in calls)
    assert {c.actor for c in calls} == set(tags)
    workspace.close()
