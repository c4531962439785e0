"""The media store: every file of a home lives under it, with generated names, written atomically.

Relative paths in the database are resolved only through `MediaStore.resolve`, which refuses anything that
would land outside the home (`..`, absolute paths, symlinks pointing out).
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from director.errors import EchoError

ALLOWED_SUFFIXES = frozenset(
    {
        ".mp4",
        ".webm",
        ".mov",
        ".wav",
        ".mp3",
        ".m4a",
        ".flac",
        ".ogg",
        ".png",
        ".jpg",
        ".jpeg",
        ".webp",
        ".json",
        ".txt",
        ".srt",
        ".vtt",
        ".otio",
        ".edl",
        ".xml",
        ".npy",
        ".npz",
    }
)
_KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_sibling(path: Path) -> Path:
    """A fresh hidden name next to `path` that keeps its suffix (ffmpeg picks the muxer from it)."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")


def _atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_path = temp_sibling(path)
    # Not mkstemp: its files are 0600 and keep that mode after the rename; 0666 lets the umask decide, as open() does.
    fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see either the old file or the complete new one."""
    _atomic_write(path, lambda handle: handle.write(data))


def atomic_copy(src: Path, dst: Path) -> None:
    """Copy `src` to `dst` atomically (temp file in the destination folder, fsync, rename)."""
    with open(src, "rb") as source:
        _atomic_write(dst, lambda handle: shutil.copyfileobj(source, handle, 1024 * 1024))


def check_suffix(suffix: str) -> str:
    suffix = suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        valid = ", ".join(sorted(ALLOWED_SUFFIXES))
        raise EchoError(f"file type {suffix or '(none)'!r} is not allowed; valid: {valid}")
    return suffix


class MediaStore:
    """Files of one home: `projects/<id>/<kind>/<generated name>` plus a `staging/` area for generators."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home).expanduser().resolve()

    @property
    def staging_root(self) -> Path:
        return self.home / "staging"

    def project_dir(self, project_id: int) -> Path:
        return self.home / "projects" / str(int(project_id))

    def resolve(self, relative: str | Path) -> Path:
        """The absolute path of a home-relative path; EchoError if it could reach outside the home."""
        text = str(relative)
        if not text.strip():
            raise EchoError("empty path; expected a path relative to the project home")
        pure = PurePosixPath(text.replace("\\", "/"))
        if pure.is_absolute() or Path(text).is_absolute() or re.match(r"^[A-Za-z]:", text):
            raise EchoError(f"absolute path {text!r} refused; paths must be relative to the project home")
        if ".." in pure.parts:
            raise EchoError(f"path {text!r} refused: '..' is not allowed")
        resolved = (self.home / pure).resolve()
        if not resolved.is_relative_to(self.home):
            raise EchoError(f"path {text!r} refused: it points outside the project home (symlink?)")
        return resolved

    def relative(self, path: str | Path) -> str:
        """The home-relative POSIX form of an absolute path inside the home."""
        resolved = Path(path).expanduser().resolve()
        if not resolved.is_relative_to(self.home):
            raise EchoError(f"{path} is outside the project home {self.home}")
        return resolved.relative_to(self.home).as_posix()

    def allocate(self, project_id: int, kind: str, suffix: str) -> str:
        """A new, unused home-relative path `projects/<id>/<kind>/<random><suffix>` (nothing is created yet)."""
        if not _KIND_PATTERN.match(kind):
            raise EchoError(f"invalid media kind {kind!r}; use lower-case letters, digits, '-' or '_'")
        suffix = check_suffix(suffix)
        folder = self.project_dir(project_id) / kind
        return (folder / f"{uuid.uuid4().hex}{suffix}").relative_to(self.home).as_posix()

    def staging_dir(self) -> Path:
        """A fresh folder under `home/staging/` for a generator to write outputs into."""
        folder = self.staging_root / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True)
        return folder

    def is_staged(self, path: str | Path) -> bool:
        """True for an existing regular file inside `home/staging/` (symlinks resolved)."""
        candidate = Path(path)
        if not candidate.is_absolute():
            return False
        resolved = candidate.resolve()
        return resolved.is_relative_to(self.staging_root.resolve()) and resolved.is_file()

    def clean_staging(self, older_than_s: float) -> int:
        """Remove staging folders last modified more than `older_than_s` seconds ago; returns how many."""
        if not self.staging_root.is_dir():
            return 0
        cutoff = time.time() - older_than_s
        removed = 0
        for entry in self.staging_root.iterdir():
            try:
                if entry.lstat().st_mtime >= cutoff:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed += 1
            except FileNotFoundError:
                continue
        return removed

    def import_file(self, source: str | Path, project_id: int, kind: str) -> str:
        """Copy a file into the project under a generated name; returns its home-relative path."""
        source = Path(source)
        if not source.is_file():
            raise EchoError(f"cannot import {source}: not an existing file")
        relative = self.allocate(project_id, kind, source.suffix)
        atomic_copy(source, self.home / relative)
        return relative
