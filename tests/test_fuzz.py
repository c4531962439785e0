"""Bad input, generated: requests, project commands and uploads that must each be refused with one line, exit 2
(or an EchoError), no traceback, nothing changed, in bounded time and memory. Each run sends 320 generated
inputs (120 requests, 120 project references, 40 shot numbers, 40 uploads) and 30 listed ones.

The CLI runs in process through `director.cli.main` (the same code as the installed command, without paying a
process start per example); hypothesis draws the inputs and shrinks any failure to a small one.
"""

from __future__ import annotations

import json
import sqlite3
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from conftest import take_workspace_snapshot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from preview_helpers import MARA, TOM, shot_request

from director import cli
from generator.errors import EchoError
from tools.base import Toolbox
from tools.references import attach_reference
from workspace.db import Workspace, open_workspace

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_BYTES = 200 * 1024 * 1024
# derandomize: every run (and CI) draws the same inputs, so a red run is reproducible and a green one stays green
FUZZ_OPTIONS = {"deadline": None, "derandomize": True, "database": None,
                "suppress_health_check": [HealthCheck.function_scoped_fixture]}  # fmt: skip
FUZZ = settings(max_examples=120, **FUZZ_OPTIONS)


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr of one in-process CLI run, checked for time and memory."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        code = cli.main(argv)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert elapsed < TIME_LIMIT_S and peak < MEMORY_LIMIT_BYTES, (argv, elapsed, peak)
    return code, err


def home_state(workspace: Workspace) -> tuple[dict[str, Any], list[int]]:
    """The workspace snapshot, with the conversation's checkpoints compared by their rows: opening the
    checkpoint database (creating it on first use) is not a change, recording a step is."""
    snapshot = take_workspace_snapshot(workspace)
    for name in ("checkpoints.sqlite", "checkpoints.sqlite-wal", "checkpoints.sqlite-shm"):
        snapshot["files"].pop(name, None)
    path = workspace.home / "checkpoints.sqlite"
    if not path.exists():
        return snapshot, [0, 0]
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = [connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("checkpoints", "writes")
                if t in tables]  # fmt: skip
    return snapshot, rows + [0] * (2 - len(rows))


def assert_one_error_line(code: int, err: str, what: object) -> None:
    assert code == 2, (what, code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (what, err)
    assert "Traceback" not in err and "unexpected internal error" not in err, (what, err)


# -- render requests ----------------------------------------------------------------------------------------------

BASE_REQUEST = shot_request(characters=[MARA, TOM], num_frames=25, width=64, height=64).model_dump(mode="json")

bad_numbers = st.one_of(
    st.integers(max_value=24), st.integers(min_value=242), st.sampled_from([30, 48, 100, 240]), st.floats(),
    st.text(max_size=5), st.none(), st.booleans().map(lambda b: [b]),
)  # fmt: skip
bad_sides = st.one_of(st.integers(max_value=0), st.integers(min_value=2049), st.sampled_from([100, 650, 100_000]))
bad_languages = st.one_of(
    st.sampled_from(["../../../../etc/passwd", "en/../../x", "", "e", "english please", "en_US!", "\x00", "zh;rm"]),
    st.text(min_size=9, max_size=40).filter(lambda t: " " in t or "/" in t),
)
bad_fields = st.one_of(
    st.tuples(st.just("num_frames"), bad_numbers),
    st.tuples(st.just("width"), bad_sides),
    st.tuples(st.just("height"), bad_sides),
    st.tuples(st.just("seed"), st.one_of(st.integers(max_value=-1), st.integers(min_value=2**63))),
    st.tuples(st.just("fps"), st.integers().filter(lambda n: n != 25)),
    st.tuples(st.just("language"), bad_languages),
    st.tuples(st.just("prompt"), st.one_of(st.just(""), st.just("   "), st.just("x" * 20_001), st.integers())),
    st.tuples(st.sampled_from(["num_frame", "Width", "seeds", "promt", "extra"]), st.integers()),
    st.tuples(st.just("dialogue"), st.just([{"speaker": "ID_Q", "text": "who?"}])),
    st.tuples(st.just("characters"), st.just([MARA.model_dump(mode="json")] * 2)),
    st.tuples(st.just("scene"), st.one_of(st.integers(), st.just({"nmae": "x"}))),
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@FUZZ
@given(change=bad_fields)
def test_bad_render_requests_are_refused(
    change: tuple[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    job = tmp_path
    field, value = change
    request = job / "request.json"
    request.write_text(json.dumps({**BASE_REQUEST, field: value}))
    out = job / "out"
    code, err = run_cli(["render", str(request), "--out", str(out), "--home", str(job / "home")], capsys)
    assert_one_error_line(code, err, change)
    assert not out.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"null", b"[]", b'"text"', b"\xff\xfe\x00bad", nested(100_000).encode(),
     json.dumps({"a": 1}).encode(), b"{" * 50_000, b" " * 1_000_001],
)  # fmt: skip
def test_unreadable_request_files_are_refused(content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    request = tmp_path / "request.json"
    request.write_bytes(content)
    code, err = run_cli(["render", str(request), "--out", str(tmp_path / "out")], capsys)
    assert_one_error_line(code, err, content[:20])


@pytest.mark.parametrize("path", ["/dev/zero", "/proc/self/mem", "/", "fifo", "missing.json"])
def test_request_and_memory_paths_that_are_not_files_are_refused(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    target = str(tmp_path / path) if path in ("fifo", "missing.json") else path
    request = tmp_path / "request.json"
    request.write_text(json.dumps(BASE_REQUEST))
    memory = tmp_path / "memory.json"
    memory.write_text(json.dumps([{"label": "X", "key_frame": target, "audio": None}]))
    for argv in (["render", target, "--out", str(tmp_path / "a")],
                 ["render", str(request), "--out", str(tmp_path / "b"), "--memory", target],
                 ["render", str(request), "--out", str(tmp_path / "c"), "--memory", str(memory)]):  # fmt: skip
        code, err = run_cli(argv, capsys)
        assert_one_error_line(code, err, argv)


@pytest.mark.parametrize("out", ["afile/sub", "/proc/echo-out", "afile"])
def test_unusable_out_folders_are_refused(out: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "afile").write_text("x")
    request = tmp_path / "request.json"
    request.write_text(json.dumps(BASE_REQUEST))
    target = out if out.startswith("/") else str(tmp_path / out)
    code, err = run_cli(["render", str(request), "--out", target], capsys)
    assert_one_error_line(code, err, out)
    assert (tmp_path / "afile").read_text() == "x"


# -- project commands ---------------------------------------------------------------------------------------------


@pytest.fixture
def planned_home(workspace: Workspace, planned_project: int) -> Path:
    return workspace.home


project_refs = st.one_of(
    st.sampled_from(["²", "٣", "99999999999999999999999", "-1", "0", "1e3", "1.0", "[/red]", "[link=file:///etc]x",
                     "\x1b[2J", "\x00", "Lighthouse", " ", "ID_A", "../1"]),
    st.integers(min_value=2, max_value=10**30).map(str),
    st.text(min_size=1, max_size=30).filter(lambda t: t.strip() and t.strip() != "The Lighthouse"),
)  # fmt: skip
bad_shots = st.one_of(st.integers(max_value=0), st.integers(min_value=4, max_value=10**25))


@FUZZ
@given(command=st.sampled_from(["show", "history", "log", "generate", "export"]), ref=project_refs)
@example(command="log", ref="-x")  # looks like an option: found by an earlier run
def test_bad_project_references_change_nothing(
    command: str, ref: str, planned_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    workspace = open_workspace(planned_home)
    before = home_state(workspace)
    extra = ["--out", str(tmp_path / "film")] if command == "export" else []
    code, err = run_cli(["--home", str(planned_home), command, ref, *extra], capsys)
    assert_one_error_line(code, err, (command, ref))
    assert "\x1b" not in err and "\x00" not in err
    assert home_state(workspace) == before
    workspace.close()


@settings(max_examples=40, **FUZZ_OPTIONS)
@given(shot=bad_shots, command=st.sampled_from(["history", "revise"]))
@example(shot=2**63, command="history")  # past SQLite's integers: found by an earlier run
@example(shot=2**63, command="revise")
def test_bad_shot_numbers_change_nothing(
    shot: int, command: str, planned_home: Path, capsys: pytest.CaptureFixture
) -> None:
    workspace = open_workspace(planned_home)
    before = home_state(workspace)
    argv = ["--home", str(planned_home), command, "1", "--shot", str(shot)] + (
        ["brighter"] if command == "revise" else []
    )
    code, err = run_cli(argv, capsys)
    assert_one_error_line(code, err, argv)
    assert home_state(workspace) == before
    workspace.close()


def test_titles_with_markup_and_control_codes_print_as_text(
    workspace: Workspace, capsys: pytest.CaptureFixture
) -> None:
    toolbox = Toolbox(workspace, actor="test")
    for title in ("[/red] broken", "[link=file:///etc/passwd]click[/link]", "clear\x1b[2Jscreen\x00", "ok"):
        assert toolbox.call("create_project", {"title": title}).ok
    for argv in (["list"], ["show", "ok"]):
        code = cli.main(["--home", str(workspace.home), *argv])
        out = capsys.readouterr().out
        assert code == 0 and "\x1b" not in out and "\x00" not in out
    code = cli.main(["--home", str(workspace.home), "list"])
    out = capsys.readouterr().out
    assert "[/red] broken" in out and "[link=file:///etc/passwd]click[/link]" in out


# -- uploads ------------------------------------------------------------------------------------------------------


@settings(max_examples=40, **FUZZ_OPTIONS)
@given(
    content=st.binary(min_size=1, max_size=4096),
    kind=st.sampled_from(["image", "audio"]),
    name=st.sampled_from(["face.png", "voice.wav", "x.flac", "a.svg", "page.html", "..%2f.png", "noext"]),
)
def test_random_uploads_are_refused_and_leave_nothing(
    content: bytes, kind: str, name: str, workspace: Workspace, planned_project: int, tmp_path: Path
) -> None:
    upload = tmp_path / name
    upload.write_bytes(content)
    before = take_workspace_snapshot(workspace)
    started = time.monotonic()
    with pytest.raises(EchoError):
        attach_reference(workspace, planned_project, "ID_A", upload, kind).raise_if_failed()
    assert time.monotonic() - started < TIME_LIMIT_S
    assert take_workspace_snapshot(workspace) == before
