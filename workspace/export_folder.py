"""The export's output folder: what an export may replace, leftovers of killed exports, free space, the swap.

What counts as ours: an existing output folder is replaced only when everything in it was written by an earlier
export. That is its `manifest.json` (format `echo-director-export`), the regular files the manifest's `all_files`
list names (a manifest written before that list existed: every file named in its `files` section) and the
folders holding them. Anything else (a file or folder a user put there, a symlink, a file name an export never
wrote, an empty folder) makes the export refuse before it writes or deletes anything. A file of ours that a user
edited in place (say timeline.xml) is still ours by its name and is replaced with the rest. An empty folder is
fine. The check runs again just before the swap, so a file dropped in during a long export is not lost either,
and the earlier export is then removed file by file (its listed files only), never with a blind rmtree.

Temp folders sit next to the output folder: `.<name>.export-<pid>-<8 chars>` while building, and
`.<name>.old-<pid>-<8 chars>` for the earlier export during the swap. The creating process id is in the name
rather than in a file inside, so no folder ever exists without its owner and nothing extra lands in the export.
At the start of each export, leftovers for the same output name are cleared: folders whose process is dead, whose
process id was probably reused (older than a day), or that carry no id (older than ten minutes). A live export's
folders are never touched. A swap killed halfway (the output folder gone, the earlier export still in its `.old-`
folder) is rolled back by putting that folder back in place.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from shutil import disk_usage

from generator.audio import wav_format
from generator.errors import EchoError
from workspace.crash_points import crash_point
from workspace.recovery import process_alive

EXPORT_FORMAT = "echo-director-export"
MANIFEST_NAME = "manifest.json"
LISTED_FOREIGN = 5
NO_PID_STALE_S = 600.0
LIVE_PID_STALE_S = 86_400.0
SPACE_FACTOR = 1.1
SPACE_SLACK = 16_000_000
_TEMP_KINDS = ("export", "old")


# -- what an existing folder holds --------------------------------------------------------------------------------


def manifest_files(folder: Path) -> set[str] | None:
    """The relative paths an earlier export in `folder` wrote (manifest included); None when there is none."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        return None
    listed = manifest.get("all_files")
    names = listed if isinstance(listed, list) else list(_strings(manifest.get("files")))
    return {name for name in names if _plain_relative(name)} | {MANIFEST_NAME}


def _plain_relative(name: object) -> bool:
    """A path inside the folder as an export writes it: relative, forward slashes, no '.', '..' or empty parts
    (a manifest is a file anyone can edit; what it lists may be deleted)."""
    if not isinstance(name, str) or not name or "\\" in name or name.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def foreign_entries(folder: Path) -> list[str]:
    """What in `folder` an earlier export did not write, as sorted relative paths (folders end in '/').

    Without an export manifest, every top-level entry is foreign; with one, only folders that hold listed files
    are looked into (so a big foreign tree costs one entry, not a walk)."""
    ours = manifest_files(folder) or set()
    ours_dirs = {parent.as_posix() for name in ours for parent in Path(name).parents if parent != Path(".")}
    foreign: list[str] = []

    def visit(directory: Path, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if relative in ours_dirs:
                        visit(Path(entry.path), relative + "/")
                    else:
                        foreign.append(relative + "/")
                elif not (relative in ours and entry.is_file(follow_symlinks=False)):
                    foreign.append(relative)

    visit(folder, "")
    return sorted(foreign)


def check_replaceable(out_dir: Path) -> None:
    """EchoError unless `out_dir` is missing, empty, or holds exactly an earlier export (see the module doc)."""
    try:
        if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
            raise EchoError(f"--out {out_dir} is a file; give a folder path")
        foreign = foreign_entries(out_dir) if out_dir.is_dir() else []
    except OSError as error:
        raise EchoError(
            f"cannot read --out {out_dir} ({error.strerror or error}); choose a folder you can use"
        ) from error
    if foreign:
        shown = ", ".join(foreign[:LISTED_FOREIGN])
        more = f" and {len(foreign) - LISTED_FOREIGN} more" if len(foreign) > LISTED_FOREIGN else ""
        raise EchoError(
            f"--out {out_dir} is not empty and holds files no earlier export wrote: {shown}{more}. Nothing was "
            "exported or deleted; choose an empty or new folder, or move those files out of it"
        )


def check_parent_chain(out_dir: Path) -> None:
    """EchoError when a folder on the way to `out_dir` is a file (e.g. --out notes.txt/film)."""
    for ancestor in out_dir.parents:
        try:
            if ancestor.is_dir():
                return
            if ancestor.exists() or ancestor.is_symlink():
                raise EchoError(f"--out {out_dir} lies under {ancestor}, which is a file; give a folder path")
        except OSError as error:
            raise EchoError(
                f"cannot reach --out {out_dir} ({error.strerror or error}); choose another folder"
            ) from error


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return Path(path.anchor)


# -- leftovers of killed exports ----------------------------------------------------------------------------------


def _leftover_pattern(out_dir: Path) -> re.Pattern[str]:
    kinds = "|".join(_TEMP_KINDS)
    return re.compile(rf"\.{re.escape(out_dir.name)}\.({kinds})-(?:(\d+)-)?([a-z0-9_]{{8}})")


def _is_stale(pid: int | None, age_s: float) -> bool:
    if pid is None:
        return age_s > NO_PID_STALE_S
    return not process_alive(pid) or age_s > LIVE_PID_STALE_S


def clean_leftovers(out_dir: Path) -> list[Path]:
    """Clear temp folders of killed exports to `out_dir` (see the module doc); returns what was removed or put
    back. A failure to remove one is ignored: it is tried again by the next export."""
    parent, pattern = out_dir.parent, _leftover_pattern(out_dir)
    stale: list[tuple[float, str, Path]] = []
    try:
        with os.scandir(parent) as entries:
            for entry in entries:
                match = pattern.fullmatch(entry.name)
                if match is None or not entry.is_dir(follow_symlinks=False):
                    continue
                mtime = entry.stat(follow_symlinks=False).st_mtime
                pid = int(match.group(2)) if match.group(2) else None
                if _is_stale(pid, time.time() - mtime):
                    stale.append((mtime, match.group(1), Path(entry.path)))
    except OSError:
        return []
    handled: list[Path] = []
    for _, kind, folder in sorted(stale, reverse=True):  # newest first: the one to put back, if any
        if kind == "old" and not os.path.lexists(out_dir) and manifest_files(folder) is not None:
            try:
                folder.rename(out_dir)
            except OSError:
                continue
        elif kind == "old":
            discard_export(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        handled.append(folder)
    return handled


def discard_export(folder: Path) -> bool:
    """Delete an earlier export's own files (see the module doc), then its emptied folders; anything else stays.
    True when the folder is gone."""
    ours = manifest_files(folder) or set()
    inside = folder.resolve()
    for name in sorted(ours, key=lambda name: name == MANIFEST_NAME):  # the manifest last: a kill midway leaves
        path = folder / name  # the rest still listed for the next clean-up
        if path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(inside):  # not via a link
            path.unlink(missing_ok=True)
    parents = {parent for name in ours for parent in Path(name).parents if parent != Path(".")}
    for directory in [*sorted(parents, key=lambda p: len(p.parts), reverse=True), Path(".")]:
        with contextlib.suppress(OSError):  # not empty: something that is not ours stays, and so does its folder
            (folder / directory).rmdir()
    return not os.path.lexists(folder)


# -- disk space ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceNeed:
    """How much an export will write, estimated from its shots' files."""

    shot_bytes: int  # the takes' video and audio files
    video_bytes: int
    soundtrack_bytes: int  # the evened soundtrack wav: every shot at the richest shot's rate and channels

    @property
    def needed_bytes(self) -> int:
        # per-shot copies + film.mp4 (about the videos again) + the soundtrack wav, +10 %, and 16 MB for the film's
        # AAC track, subtitles, timelines and manifest
        return int((2 * self.video_bytes + self.soundtrack_bytes) * SPACE_FACTOR) + SPACE_SLACK


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since the plan checked it: the copy reports that
        return 0


def _soundtrack_bytes(audios: Iterable[Path]) -> int:
    """16-bit samples of every readable shot wav at the richest rate and channel count among them (an unreadable
    one is reported when the soundtrack is built)."""
    formats = []
    for path in audios:
        with contextlib.suppress(EchoError):
            formats.append(wav_format(path))
    if not formats:
        return 0
    rate, channels = max(f.sample_rate for f in formats), max(f.channels for f in formats)
    return round(sum(f.duration_s for f in formats) * rate) * channels * 2


def space_need(videos: Iterable[Path], audios: Iterable[Path]) -> SpaceNeed:
    video, audios = sum(_size(path) for path in videos), list(audios)
    return SpaceNeed(video + sum(_size(path) for path in audios), video, _soundtrack_bytes(audios))


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def free_bytes(folder: Path) -> int | None:
    """Free bytes on the file system of `folder` (or its nearest existing parent); None when unknown (a
    pseudo file system such as /proc reports 0 of 0)."""
    try:
        usage = disk_usage(_existing_ancestor(folder))
    except OSError:
        return None
    return usage.free if usage.total > 0 else None


def not_enough_space(folder: Path, need: SpaceNeed) -> EchoError:
    free = free_bytes(folder)
    free_text = "an unknown amount is" if free is None else f"{_mb(free)} are"
    return EchoError(
        f"not enough disk space in {folder}: the export needs about {_mb(need.needed_bytes)} (the shots' video "
        f"and audio files add up to {_mb(need.shot_bytes)}), {free_text} free; free some space or export elsewhere"
    )


def check_space(folder: Path, need: SpaceNeed) -> None:
    free = free_bytes(folder)
    if free is not None and free < need.needed_bytes:
        raise not_enough_space(folder, need)


def is_disk_full(error: BaseException) -> bool:
    """ENOSPC from Python, or ffmpeg's EchoError quoting the same system message."""
    if isinstance(error, OSError):
        return error.errno == errno.ENOSPC
    return isinstance(error, EchoError) and os.strerror(errno.ENOSPC) in str(error)


# -- building and the swap ----------------------------------------------------------------------------------------


@dataclass
class Build:
    """The hidden folder an export is written into, and the parent folders created for it."""

    out_dir: Path
    path: Path
    created: list[Path] = field(default_factory=list)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        _remove_created(self.created)


def _remove_created(created: list[Path]) -> None:
    for folder in reversed(created):  # deepest first; one that is no longer empty keeps its parents too
        try:
            folder.rmdir()
        except OSError:
            break


def start_build(out_dir: Path) -> Build:
    """Create the missing parents of `out_dir` and the temp folder beside it; EchoError when that fails."""
    missing = [folder for folder in reversed(out_dir.parents) if not folder.exists()]
    created: list[Path] = []
    try:
        for folder in missing:
            folder.mkdir()
            created.append(folder)
        prefix = f".{out_dir.name}.export-{os.getpid()}-"
        return Build(out_dir, Path(tempfile.mkdtemp(prefix=prefix, dir=out_dir.parent)), created)
    except OSError as error:
        _remove_created(created)
        raise EchoError(
            f"cannot write the export next to --out {out_dir} ({error.strerror or error}); "
            "choose a folder you can write to"
        ) from error


def move_into_place(build: Build) -> None:
    """Swap the finished folder in. An earlier export there is set aside first and its files deleted only once
    the new one is in place; the folder is checked again so nothing added during the export is lost."""
    out_dir = build.out_dir
    check_replaceable(out_dir)
    try:
        if not os.path.lexists(out_dir):
            build.path.rename(out_dir)
            return
        retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        out_dir.rename(retired)
    except OSError as error:
        raise EchoError(
            f"cannot move the finished export into {out_dir} ({error.strerror or error}); nothing there was "
            "changed; close programs using that folder and export again"
        ) from error
    crash_point("export.retired", 0)
    try:
        build.path.rename(out_dir)
    except OSError as error:
        retired.rename(out_dir)
        raise EchoError(
            f"cannot move the finished export into {out_dir} ({error.strerror or error}); the earlier export "
            "there was kept; export again"
        ) from error
    discard_export(retired)
