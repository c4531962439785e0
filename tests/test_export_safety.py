"""The export's output folder is handled safely: a re-export never deletes a user's files, killed exports leave no
temp folders for good, and a full disk is one clear message with nothing left behind.

Real exports of a small synthetic project (helpers from tests/test_export.py); real kills through the CLI's
crash points; the disk fills for real by writing to /dev/full, and only the free-space figure is injected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from shutil import copytree
from typing import Any

import pytest
from test_export import SyntheticShot, build_project, open_home

from director.cli import main as cli_main
from generator.errors import EchoError
from workspace import export as export_module
from workspace import export_folder
from workspace.crash_points import CRASH_ENV
from workspace.db import Workspace
from workspace.export import MANIFEST_NAME, export_project
from workspace.export_video import join_stream_copy
from workspace.recovery import process_alive

REPO = Path(__file__).resolve().parents[1]
HAS_DEV_FULL = Path("/dev/full").exists()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, int]]:
    """Two rendered shots of matching size (stream copy); exports only read the workspace, so tests share it."""
    workspace = open_home(tmp_path_factory.mktemp("safety") / "home")
    project_id, _ = build_project(workspace, [SyntheticShot("S1", 25), SyntheticShot("S2", 25)])
    yield workspace, project_id
    workspace.close()


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` (hidden ones included) with its bytes; None for folders and links."""
    return {
        p.relative_to(folder).as_posix(): None if p.is_symlink() or p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def dead_pid() -> int:
    """The id of a process that has finished (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(done.stdout)
    assert not process_alive(pid)
    return pid


# -- 1. re-export never deletes the user's files ------------------------------------------------------------------


def test_reexport_refuses_a_folder_holding_user_files_and_changes_nothing(project, tmp_path: Path) -> None:
    workspace, project_id = project
    out = tmp_path / "film"
    export_project(workspace, project_id, out)
    (out / "my_notes.txt").write_text("call Mara back")
    (out / "edit.prproj").write_bytes(b"premiere project")
    (out / "shots" / "shot-009-alt.mp4").write_bytes(b"an alternate I made")
    (out / "renders").mkdir()
    before = tree(tmp_path)

    with pytest.raises(EchoError) as refused:
        export_project(workspace, project_id, out)
    message = str(refused.value)
    assert "edit.prproj, my_notes.txt, renders/, shots/shot-009-alt.mp4" in message
    assert "choose an empty or new folder" in message and "move those files out" in message
    assert tree(tmp_path) == before, "a refused export must write and delete nothing"

    # Only a few are named; a symlink in the place of one of our files is not ours either.
    for index in range(6):
        (out / f"take-{index}.mov").write_bytes(b"x")
    (out / "timeline.xml").unlink()
    (out / "timeline.xml").symlink_to(out / "my_notes.txt")
    with pytest.raises(EchoError, match=r"edit\.prproj, my_notes\.txt, renders/, shots/shot-009-alt\.mp4, "
                                        r"take-0\.mov and 6 more\. Nothing was exported"):  # fmt: skip
        export_project(workspace, project_id, out)
    assert (out / "my_notes.txt").read_text() == "call Mara back" and hidden(tmp_path) == []


def test_a_file_added_while_exporting_is_not_lost(project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace, project_id = project
    out = tmp_path / "film"
    export_project(workspace, project_id, out)
    write_sidecars = export_module._write_sidecars

    def user_saves_a_file_meanwhile(plan, built, out_dir):
        (out_dir / "edit.prproj").write_bytes(b"saved during the export")
        return write_sidecars(plan, built, out_dir)

    monkeypatch.setattr(export_module, "_write_sidecars", user_saves_a_file_meanwhile)
    earlier = {**tree(out), "edit.prproj": b"saved during the export"}
    with pytest.raises(EchoError, match=r"no earlier export wrote: edit\.prproj\."):
        export_project(workspace, project_id, out)
    assert tree(out) == earlier and hidden(tmp_path) == []


def test_an_earlier_export_is_replaced_whole(project, tmp_path: Path) -> None:
    workspace, project_id = project
    out = tmp_path / "film"
    first = export_project(workspace, project_id, out)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    # The manifest lists every file of the export, itself included: that list is what a re-export may replace.
    assert manifest["all_files"] == sorted(first.files) and MANIFEST_NAME in manifest["all_files"]
    assert "shots/shot-002.mp4" in manifest["all_files"]

    (out / "timeline.xml").write_text("edited by hand")  # ours by name: replaced like the rest
    second = export_project(workspace, project_id, out)
    assert (out / "timeline.xml").read_text() != "edited by hand"
    assert json.loads((out / MANIFEST_NAME).read_text())["exported_at"] > manifest["exported_at"]
    assert sorted(second.files) == sorted(first.files) and hidden(tmp_path) == []

    # A manifest written before `all_files` existed: its `files` section (plus itself) says what is ours.
    legacy = json.loads((out / MANIFEST_NAME).read_text())
    del legacy["all_files"]
    (out / MANIFEST_NAME).write_text(json.dumps(legacy))
    assert export_project(workspace, project_id, out).film.is_file()
    assert json.loads((out / MANIFEST_NAME).read_text())["all_files"] == sorted(first.files)


def test_empty_folder_is_used_and_a_foreign_manifest_is_not_ours(project, tmp_path: Path) -> None:
    workspace, project_id = project
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_project(workspace, project_id, empty).film.is_file()

    other = tmp_path / "other"
    other.mkdir()
    (other / MANIFEST_NAME).write_text(json.dumps({"format": "someone-else", "all_files": ["data.bin"]}))
    (other / "data.bin").write_bytes(b"theirs")
    with pytest.raises(EchoError, match=r"no earlier export wrote: data\.bin, manifest\.json\."):
        export_project(workspace, project_id, other)
    assert (other / "data.bin").read_bytes() == b"theirs"


def test_discarding_an_earlier_export_deletes_only_its_listed_files(tmp_path: Path) -> None:
    folder = tmp_path / ".film.old-1-abcdefgh"
    (folder / "shots").mkdir(parents=True)
    (folder / "shots" / "shot-001.mp4").write_bytes(b"ours")
    (folder / "film.mp4").write_bytes(b"ours")
    (folder / "shots" / "mine.txt").write_text("theirs")
    # A manifest is a file anyone can edit: what it lists outside the folder, or through a link, is not deleted.
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (folder / "linked").symlink_to(tmp_path)
    listed = ["film.mp4", "shots/shot-001.mp4", "../victim.txt", str(victim), "linked/victim.txt", "shots/../x"]
    manifest = {"format": export_folder.EXPORT_FORMAT, "all_files": listed}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert export_folder.discard_export(folder) is False
    assert tree(folder) == {"linked": None, "shots": None, "shots/mine.txt": b"theirs"}
    assert victim.read_text() == "keep me"
    (folder / "linked").unlink()
    (folder / "shots" / "mine.txt").unlink()
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert export_folder.discard_export(folder) is True and not folder.exists()


# -- 2. no leftover temp folders ----------------------------------------------------------------------------------


def test_leftovers_of_dead_exports_are_cleared_and_live_ones_kept(project, tmp_path: Path) -> None:
    workspace, project_id = project
    out = tmp_path / "film"
    export_project(workspace, project_id, out)
    dead = dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        removed = {
            f".film.export-{dead}-abcdefgh": {"shots/shot-001.mp4": b"half"},
            f".film.old-{dead}-abcdefgh": None,  # a finished swap's earlier export, killed before its clean-up
            ".film.export-oldlegac": {"film.mp4": b"x"},  # no pid (made before pids were recorded), an hour old
        }
        kept = {
            f".film.export-{sleeper.pid}-livelive": {"film.mp4": b"being written"},  # a concurrent export
            ".film.export-newlegac": {"film.mp4": b"x"},  # no pid and only just made: maybe running
            f".other.export-{dead}-abcdefgh": {"film.mp4": b"x"},  # another output folder's
            f".film.export-x.export-{dead}-abcdefgh": {"film.mp4": b"x"},  # the folder "film.export-x"'s
            f".film.old-{dead}-abcdefgh.bak": {"film.mp4": b"x"},  # a name we never make: a user's copy
            f".film.old-{dead}-withmine": {"my_notes.txt": b"mine"},  # not listed in its manifest: never deleted
        }
        for name, files in {**removed, **kept}.items():
            if files is None:
                copytree(out, tmp_path / name)
                continue
            (tmp_path / name / "shots").mkdir(parents=True)
            for relative, data in files.items():
                (tmp_path / name / relative).write_bytes(data)
        (tmp_path / f".film.export-{dead}-filefile").write_bytes(b"a file, not a temp folder")
        hour_ago = time.time() - 3600
        os.utime(tmp_path / ".film.export-oldlegac", (hour_ago, hour_ago))

        export_project(workspace, project_id, out)
        assert hidden(tmp_path) == sorted([*kept, f".film.export-{dead}-filefile"])
        assert tree(tmp_path / f".film.export-{sleeper.pid}-livelive") == {
            "film.mp4": b"being written", "shots": None,
        }  # fmt: skip
        assert tree(tmp_path / f".film.old-{dead}-withmine") == {"my_notes.txt": b"mine", "shots": None}
    finally:
        sleeper.kill()
        sleeper.wait()
    # Once the concurrent export's process is gone, its folder goes with the next export.
    export_project(workspace, project_id, out)
    assert f".film.export-{sleeper.pid}-livelive" not in hidden(tmp_path)


def echo_export(home: Path, project_id: int, out: Path, crash_at: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECHO_")} | {CRASH_ENV: crash_at}
    command = [sys.executable, "-m", "director.cli", "--home", str(home), "export", str(project_id), "--out", str(out)]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
def test_killed_exports_are_cleaned_up_and_a_half_done_swap_rolled_back(
    project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, project_id = project
    out = tmp_path / "film"
    export_project(workspace, project_id, out)
    earlier = tree(out)

    killed = echo_export(workspace.home, project_id, out, "export.written:0")  # SIGKILL with every file written
    assert killed.returncode == -9, killed.stderr
    assert tree(out) == earlier
    [left] = hidden(tmp_path)
    assert left.startswith(".film.export-") and (tmp_path / left / "film.mp4").is_file()

    killed = echo_export(workspace.home, project_id, out, "export.retired:0")  # between the swap's two renames
    assert killed.returncode == -9, killed.stderr
    assert not out.exists(), "the earlier export is only in its .old- folder now"
    # (this run cleared the first one's folder: that process was dead)
    assert [name.split("-")[0] for name in hidden(tmp_path)] == [".film.export", ".film.old"]

    # The next export puts the earlier export back before anything else, so even a failing one restores it.
    fill_disk_in_ffmpeg(monkeypatch)
    with pytest.raises(EchoError, match="not enough disk space"):
        export_project(workspace, project_id, out)
    assert tree(out) == earlier and hidden(tmp_path) == []
    monkeypatch.undo()
    assert export_project(workspace, project_id, out).film.is_file() and hidden(tmp_path) == []


# -- 3. disk full ---------------------------------------------------------------------------------------------------


def fake_free_space(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    usage = export_folder.disk_usage  # the real one, for the total

    def reported(path: str | os.PathLike[str]) -> Any:
        real = usage(path)
        return type(real)(real.total, real.total - free, free)

    monkeypatch.setattr(export_folder, "disk_usage", reported)


def fill_disk_in_ffmpeg(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ffmpeg write the film to /dev/full: a real ENOSPC inside the real encoder."""

    def join_onto_full_disk(shots, soundtrack, metadata, work_dir, out, progress=None) -> None:
        join_stream_copy(shots, soundtrack, metadata, work_dir, Path("/dev/full"), progress)

    monkeypatch.setattr(export_module, "join_stream_copy", join_onto_full_disk)


def test_too_little_free_space_is_refused_up_front(project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace, project_id = project
    tmp_path = tmp_path.resolve()  # as the messages print it
    out = tmp_path / "film"
    export_project(workspace, project_id, out)
    earlier = tree(tmp_path)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    videos = sum(workspace.media.resolve(t["video_path"]).stat().st_size for t in manifest["takes"])
    audios = sum(workspace.media.resolve(t["audio_path"]).stat().st_size for t in manifest["takes"])
    needed = export_folder.space_need(
        [workspace.media.resolve(t["video_path"]) for t in manifest["takes"]],
        [workspace.media.resolve(t["audio_path"]) for t in manifest["takes"]],
    ).needed_bytes
    assert needed >= 2 * videos + audios  # shot copies, the film and the soundtrack all fit

    fake_free_space(monkeypatch, needed - 1)
    with pytest.raises(EchoError) as refused:
        export_project(workspace, project_id, out)
    assert str(refused.value) == (
        f"not enough disk space in {tmp_path}: the export needs about {needed / 1e6:,.1f} MB (the shots' video and "
        f"audio files add up to {(videos + audios) / 1e6:,.1f} MB), {(needed - 1) / 1e6:,.1f} MB are free; "
        "free some space or export elsewhere"
    )
    with pytest.raises(EchoError, match="not enough disk space"):
        export_project(workspace, project_id, tmp_path / "new" / "deeper" / "film")
    assert tree(tmp_path) == earlier, "nothing written, no folders made, the earlier export untouched"

    fake_free_space(monkeypatch, needed)
    assert export_project(workspace, project_id, out).film.is_file()


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
def test_disk_full_while_copying_a_shot(project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace, project_id = project
    tmp_path = tmp_path.resolve()  # as the messages print it
    out = tmp_path / "film"
    export_project(workspace, project_id, out)
    earlier = tree(tmp_path)
    copies: list[Path] = []

    def copy_until_full(source: Path, target: Path) -> None:
        copies.append(target)
        export_module.shutil.copyfile(source, target if len(copies) == 1 else Path("/dev/full"))

    monkeypatch.setattr(export_module, "_copy_shot", copy_until_full)
    for destination in (out, tmp_path / "new" / "deeper" / "film"):
        with pytest.raises(EchoError) as full:
            export_project(workspace, project_id, destination)
        message = str(full.value)
        assert message.startswith(f"not enough disk space in {destination.parent}: the export needs about ")
        assert "MB are free; free some space or export elsewhere" in message
        assert isinstance(full.value.__cause__, OSError) and full.value.__cause__.errno == 28
        assert tree(tmp_path) == earlier, "temp folder and new parent folders removed, the earlier export kept"
        copies.clear()


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
def test_disk_full_inside_ffmpeg(project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace, project_id = project
    tmp_path = tmp_path.resolve()  # as the messages print it
    out = tmp_path / "film"
    export_project(workspace, project_id, out)
    earlier = tree(tmp_path)
    fill_disk_in_ffmpeg(monkeypatch)
    with pytest.raises(EchoError, match=rf"^not enough disk space in {tmp_path}: .* free some space or export"):
        export_project(workspace, project_id, out)
    assert tree(tmp_path) == earlier


# -- the command line ---------------------------------------------------------------------------------------------


def test_cli_reports_unusable_out_folders_as_one_error_line(
    project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, project_id = project
    tmp_path = tmp_path.resolve()  # as the messages print it
    base = ["--home", str(workspace.home), "export", str(project_id), "--out"]
    afile = tmp_path / "afile"
    afile.write_text("notes")
    users = tmp_path / "users"
    users.mkdir()
    (users / "edit.prproj").write_bytes(b"x")
    cases = {
        str(afile / "sub"): f"error: --out {afile / 'sub'} lies under {afile}, which is a file; give a folder path",
        str(afile / "sub" / "deeper"): f"lies under {afile}, which is a file",
        str(afile): f"error: --out {afile} is a file; give a folder path",
        str(users): "no earlier export wrote: edit.prproj.",
    }
    if Path("/proc/self").exists():  # nobody can make a folder in /proc, root included
        cases["/proc/x"] = "error: cannot write the export next to --out /proc/x ("
    for out, expected in cases.items():
        assert cli_main([*base, out]) == 2, out
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err and err.count("\n") == 1, err
    assert not (workspace.home / "logs").exists(), "these are user errors, not bugs for the error log"
    assert afile.read_text() == "notes" and sorted(p.name for p in tmp_path.iterdir()) == ["afile", "users"]
