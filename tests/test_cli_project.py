"""`echo-director new/list/show/history/log` as a user runs them (real subprocesses, temporary home)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from director.cli import main

CLI = Path(sys.executable).with_name("echo-director")


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECHO_")}
    return subprocess.run(
        [str(CLI), "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env | {"COLUMNS": "160"},
    )


def test_new_then_show(tmp_path: Path) -> None:
    home = tmp_path / "home"
    created = run(home, "new", "A wizard explores a castle")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "1"

    shown = run(home, "show", "1")
    assert shown.returncode == 0, shown.stderr
    assert "Project 1: A wizard explores a castle" in shown.stdout
    assert "No story yet" in shown.stdout and "Shot plan: none yet" in shown.stdout


def test_list_and_log_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path / "home")
    assert main(["--home", home, "list"]) == 0
    assert "no projects yet" in capsys.readouterr().out
    assert main(["--home", home, "new", "A wizard explores a castle"]) == 0
    assert main(["--home", home, "list"]) == 0
    assert "A wizard explores a castle" in capsys.readouterr().out
    assert main(["--home", home, "log", "A wizard explores a castle"]) == 0
    log = capsys.readouterr().out
    assert "create_project" in log and "user" in log


def test_unknown_project_shot_and_bad_input_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path / "home")
    assert main(["--home", home, "new", "Castle"]) == 0
    cases = [
        (["show", "99"], "error: unknown project 99; existing projects: 1 (Castle)"),
        (["history", "1", "--shot", "3"], "error: unknown shot 3 in project 1; the project has no shots yet"),
        (["log", "Kastle"], "error: unknown project 'Kastle'"),
        (["new", "   "], "error: create_project: title"),
        (["--width", "33", "list"], "error: invalid settings (CLI flags or ECHO_* environment variables): width"),
    ]
    capsys.readouterr()
    for args, expected in cases:
        assert main(["--home", home, *args]) == 2, args
        assert expected in capsys.readouterr().err
