"""The Film tab's "Play all": the current takes joined into one mp4 under the project's folder in the home, without
exporting. The video is copied when all takes share codec parameters (re-encoded to the first take's size
otherwise) and the sound is encoded once; the file is named after the takes it holds, so pressing again without
a new take plays the same file, and a reel of older takes is removed when a new one is written."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.files import temp_sibling
from generator.media import MediaError, ffmpeg_exe
from workspace.db import Workspace
from workspace.export_video import FilmShot, can_stream_copy, concat_list
from workspace.project_view import TakeView

REEL_KIND = "film"


@dataclass(frozen=True)
class Reel:
    path: Path
    duration_s: float
    elapsed_s: float
    video_copied: bool | None  # None: the file was there already


def reel_path(workspace: Workspace, project_id: int, takes: Sequence[TakeView]) -> Path:
    key = hashlib.sha256("|".join(f"{t.id}:{t.video_path}" for t in takes).encode()).hexdigest()[:16]
    return workspace.media.project_dir(project_id) / REEL_KIND / f"reel-{key}.mp4"


def build_reel(workspace: Workspace, project_id: int, takes: Sequence[TakeView]) -> Reel:
    """Join `takes` (in film order, each with its video file in the home) into one file; MediaError on failure."""
    started = time.perf_counter()
    out = reel_path(workspace, project_id, takes)
    duration = sum(take.duration_s for take in takes)
    if out.is_file():
        return Reel(out, duration, time.perf_counter() - started, None)
    shots = [FilmShot(workspace.media.resolve(take.video_path), take.num_frames, take.fps) for take in takes]
    copy = can_stream_copy(shots)
    out.parent.mkdir(parents=True, exist_ok=True)
    listing, temp = temp_sibling(out.with_suffix(".txt")), temp_sibling(out)
    listing.write_text(concat_list(shots), encoding="utf-8")
    first = takes[0]
    video = ["-c:v", "copy"] if copy else [
        "-vf", f"scale={first.width}:{first.height}:force_original_aspect_ratio=decrease,"
        f"pad={first.width}:{first.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={first.fps},format=yuv420p",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
    ]  # fmt: skip
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:v:0", "-map", "0:a:0?", *video,
        "-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k", "-movflags", "+faststart", str(temp),
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, check=False)
        if result.returncode != 0:
            detail = " | ".join(result.stderr.decode(errors="replace").strip().splitlines()[-3:])
            raise MediaError(f"joining the takes failed: {detail or 'ffmpeg gave no message'}")
        os.replace(temp, out)
    finally:
        listing.unlink(missing_ok=True)
        temp.unlink(missing_ok=True)
    for older in out.parent.glob("reel-*.mp4"):
        if older != out:
            older.unlink(missing_ok=True)
    return Reel(out, duration, time.perf_counter() - started, copy)
