"""Files: atomic writes (readers see the old file or the complete new one, never a partial write) and checked
reads of files a user names (regular files only, bounded size)."""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from generator.errors import EchoError


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


def check_regular_file(path: Path, max_bytes: int, what: str) -> Path:
    """`path` if it is a regular file of at most `max_bytes`; otherwise an EchoError saying why. Devices, FIFOs
    and folders are refused before anything reads them (reading `/dev/zero` or a FIFO would never end)."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise EchoError(f"cannot read {what} {path}: {error.strerror or error}") from error
    if not stat.S_ISREG(info.st_mode):
        raise EchoError(f"cannot read {what} {path}: not a regular file")
    if info.st_size > max_bytes:
        raise EchoError(f"cannot read {what} {path}: {info.st_size:,} bytes is over the limit of {max_bytes:,}")
    return Path(path)


def read_json_file(path: Path, max_bytes: int, what: str) -> object:
    """The parsed JSON of a regular file of at most `max_bytes`; EchoError for anything else, including JSON
    nested too deeply to parse."""
    check_regular_file(path, max_bytes, what)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise EchoError(f"{what} {path} grew past the limit of {max_bytes:,} bytes while it was read")
        return json.loads(data.decode("utf-8"))
    except OSError as error:
        raise EchoError(f"cannot read {what} {path}: {error.strerror or error}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise EchoError(f"{what} {path} is not valid JSON ({error})") from error
    except RecursionError:
        raise EchoError(f"{what} {path} is nested too deeply to be a {what}") from None
