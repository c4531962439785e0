"""A bug (an exception that is not a user error) never shows a traceback: the CLI prints one `error:` line naming
the log file with the traceback and exits 2; the Director says it in the chat and answers the next message."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from director import cli
from director.commands import render
from director.graph_state import DirectorEvent
from director.session import DirectorSession
from director.settings import Settings
from generator.types import GeneratedShot, MemorySlot, ShotRequest


def test_cli_turns_a_bug_into_one_error_line_and_logs_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(render, "render_request", broken)
    code = cli.main(["render", "request.json", "--out", str(tmp_path / "out"), "--home", str(tmp_path / "home")])

    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    log = tmp_path / "home" / "logs" / "errors.log"
    assert err.startswith("error: unexpected internal error (ValueError: operands could not be broadcast")
    assert str(log) in err
    logged = log.read_text()
    assert "Traceback (most recent call last)" in logged and "echo-director render" in logged


class BrokenOnce:
    """A backend whose first shot hits a bug; later shots render with the preview."""

    name = "preview"

    def __init__(self) -> None:
        from generator.preview.renderer import PreviewGenerator

        self.calls = 0
        self.preview = PreviewGenerator()

    def generate(
        self, request: ShotRequest, memory: Sequence[MemorySlot], progress=None, out_dir: Path | None = None
    ) -> GeneratedShot:
        self.calls += 1
        if self.calls == 1:
            raise ZeroDivisionError("integer modulo by zero")
        return self.preview.generate(request, memory, progress, out_dir)


def test_director_reports_a_bug_in_the_chat_and_answers_the_next_message(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", width=64, height=64, default_shots=2)
    generator = BrokenOnce()
    session = DirectorSession(settings, generator=generator)
    list(session.send("Mia, a baker, bakes bread in a small bakery at dawn"))

    events: list[DirectorEvent] = list(session.send("Approve"))

    errors = [event.text for event in events if event.kind == "error"]
    assert events[-1].kind == "done" and len(errors) == 1
    assert errors[0].startswith("unexpected internal error (ZeroDivisionError: integer modulo by zero)")
    assert str(tmp_path / "home" / "logs" / "errors.log") in errors[0]
    follow_up = list(session.generate_pending())
    assert follow_up[-1].kind == "done" and any(event.kind == "shot_done" for event in follow_up)


@pytest.mark.parametrize(
    "error",
    [
        OSError(28, "No space left on device"),
        sqlite3.OperationalError("database or disk is full"),
        RuntimeError("encoding failed"),  # chained below from a full disk
    ],
)
def test_a_full_disk_is_one_line_that_says_so(
    error: Exception, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*_: object, **__: object) -> None:
        if isinstance(error, RuntimeError):
            raise error from OSError(28, "No space left on device")
        raise error

    monkeypatch.setattr(render, "render_request", full)
    code = cli.main(["render", "request.json", "--out", str(tmp_path / "out"), "--home", str(tmp_path / "home")])

    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: the disk holding {tmp_path / 'home'} is full (") and "MB free" in err
    assert "run the same command again" in err and not (tmp_path / "home" / "logs").exists()  # not a bug


def test_the_director_says_the_disk_is_full_in_the_chat(tmp_path: Path) -> None:
    class FullDisk(BrokenOnce):
        def generate(self, *args: object, **kwargs: object) -> GeneratedShot:
            raise sqlite3.OperationalError("database or disk is full")

    session = DirectorSession(
        Settings(home=tmp_path / "home", width=64, height=64, default_shots=1), generator=FullDisk()
    )
    list(session.send("Mia, a baker, bakes bread in a small bakery at dawn"))
    errors = [event.text for event in session.send("Approve") if event.kind == "error"]
    assert len(errors) == 1 and errors[0].startswith("the disk holding") and "is full" in errors[0]
