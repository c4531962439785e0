"""Atomic file writes: readers see the old file or the complete new one, never a partial write."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def fsync_directory(directory: Path) -> None:
    """Make the names in `directory` durable (a rename or link is not, until its folder is synced)."""
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
    fsync_directory(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see either the old file or the complete new one."""
    _atomic_write(path, lambda handle: handle.write(data))
