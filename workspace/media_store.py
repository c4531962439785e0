"""The media store: every file of a home lives under it, with generated names, written atomically.

Relative paths in the database are resolved only through `MediaStore.resolve`, which refuses anything that
would land outside the home (`..`, absolute paths, symlinks pointing out).
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path, PurePosixPath

from generator.errors import EchoError

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
