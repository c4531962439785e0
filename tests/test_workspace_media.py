"""The media store: path-escape attempts refused, generated names, atomic writes, staging."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import EchoError
from generator.files import atomic_write_bytes
from workspace.media_store import MediaStore


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    home = tmp_path / "home"
    home.mkdir()
    return MediaStore(home)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("../secret.txt", "'..'"),
        ("projects/../../secret.txt", "'..'"),
        ("projects\\..\\..\\secret.txt", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_resolve_refuses_escapes(media: MediaStore, relative: str, expected: str) -> None:
    with pytest.raises(EchoError, match=expected):
        media.resolve(relative)


def test_resolve_refuses_symlinks_that_leave_the_home(media: MediaStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("no")
    (media.home / "link").symlink_to(outside)
    (media.home / "file-link.txt").symlink_to(outside / "secret.txt")
    for relative in ("link/secret.txt", "file-link.txt"):
        with pytest.raises(EchoError, match="outside the project home"):
            media.resolve(relative)
    (media.home / "inside").mkdir()
    (media.home / "alias").symlink_to(media.home / "inside")
    assert media.resolve("alias/x.png") == media.home / "inside" / "x.png"


def test_relative_round_trip_and_outside_refused(media: MediaStore, tmp_path: Path) -> None:
    path = media.resolve("projects/1/takes/a.mp4")
    assert media.relative(path) == "projects/1/takes/a.mp4"
    with pytest.raises(EchoError, match="outside"):
        media.relative(tmp_path / "elsewhere.mp4")


def test_allocate_generates_unique_names_and_checks_suffix_and_kind(media: MediaStore) -> None:
    names = {media.allocate(3, "takes", ".MP4") for _ in range(50)}
    assert len(names) == 50
    assert all(n.startswith("projects/3/takes/") and n.endswith(".mp4") for n in names)
    assert not (media.home / "projects").exists()  # nothing is created until something is written
    for suffix in (".exe", ".sh", "", ".mp4/../x"):
        with pytest.raises(EchoError, match="not allowed"):
            media.allocate(3, "takes", suffix)
    for kind in ("../x", "Takes", "a/b", ""):
        with pytest.raises(EchoError, match="invalid media kind"):
            media.allocate(3, kind, ".png")


def test_atomic_writes_leave_no_temporary_files(media: MediaStore, tmp_path: Path) -> None:
    target = media.home / "projects" / "1" / "notes" / "a.txt"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_atomic_writes_get_the_permissions_the_umask_allows(
    media: MediaStore, process_umask: Callable[[int], int], umask: int, mode: int
) -> None:
    process_umask(umask)
    written = media.home / "written.txt"
    atomic_write_bytes(written, b"data")
    assert stat.S_IMODE(written.stat().st_mode) == mode


def test_failed_atomic_write_keeps_the_old_file(media: MediaStore) -> None:
    target = media.home / "keep.txt"
    atomic_write_bytes(target, b"old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in media.home.iterdir()] == ["keep.txt"]


def test_staging_dirs_are_fresh_and_only_regular_files_inside_count(media: MediaStore, tmp_path: Path) -> None:
    old, new = media.staging_dir(), media.staging_dir()
    assert old != new and old.parent == media.home / "staging"
    (old / "frame.png").write_bytes(b"x")
    assert media.is_staged(old / "frame.png") and not media.is_staged(old) and not media.is_staged("frame.png")
    outside = tmp_path / "o.png"
    outside.write_bytes(b"x")
    (new / "link.png").symlink_to(outside)
    assert not media.is_staged(new / "link.png")
