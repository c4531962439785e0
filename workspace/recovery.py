"""Recovery after a crash, run by the project's one writer (see `workspace.locks`) before each generation.

- Staging folders: a generator writes a shot into a fresh staging folder tagged with its project and process;
  a folder whose process has died (or is this process, from an attempt that failed) is removed.
- Take files: `register_take` links files into `projects/<id>/takes/` before its row commits, so a kill in
  between leaves files no row references. They are moved to `HOME/orphans/<id>/<time>/` (never deleted
  unseen) and reported.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from sqlmodel import select

from workspace.db import Workspace
from workspace.models import Take

OWNER_FILE = "director-owner.json"
TAKES_KIND = "takes"


def claim_staging(workspace: Workspace, project_id: int, shot_number: int) -> Path:
    """A fresh staging folder tagged with its project and process, so a crashed attempt's files can be found."""
    folder = workspace.media.staging_dir()
    owner = {"project_id": project_id, "shot_number": shot_number, "pid": os.getpid()}
    (folder / OWNER_FILE).write_text(json.dumps(owner))
    return folder


def clean_crashed_staging(workspace: Workspace, project_id: int) -> int:
    """Remove this project's staging folders left by dead processes or by this one; returns how many."""
    root = workspace.media.staging_root
    removed = 0
    for owner_file in root.glob(f"*/{OWNER_FILE}") if root.is_dir() else []:
        try:
            owner = json.loads(owner_file.read_text())
        except (OSError, ValueError):
            continue
        if owner.get("project_id") == project_id and not _alive_elsewhere(owner.get("pid")):
            shutil.rmtree(owner_file.parent, ignore_errors=True)
            removed += 1
    return removed


def _alive_elsewhere(pid: object) -> bool:
    return isinstance(pid, int) and pid != os.getpid() and process_alive(pid)


def process_alive(pid: int) -> bool:
    """True while process `pid` exists (this process included); a process of another user counts as alive."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def referenced_take_files(workspace: Workspace, project_id: int) -> set[str]:
    """Every home-relative file path a take row of the project points at."""
    with workspace.read_session() as session:
        takes = session.exec(select(Take).where(Take.project_id == project_id)).all()
    paths: set[str] = set()
    for take in takes:
        paths.update([take.video_path, take.audio_path, *take.keyframe_paths])
        paths.update(value for key in ("key_frame", "audio") if isinstance(value := take.memory_window.get(key), str))
    return paths


def orphans_dir(workspace: Workspace, project_id: int) -> Path:
    """Where files set aside from a project's interrupted runs go (one sub-folder a sweep)."""
    return workspace.home / "orphans" / str(project_id)


def quarantine_orphan_takes(workspace: Workspace, project_id: int) -> list[str]:
    """Move files under the project's takes folder that no take row references to HOME/orphans/; returns their
    former home-relative paths."""
    folder = workspace.media.project_dir(project_id) / TAKES_KIND
    if not folder.is_dir():
        return []
    referenced = referenced_take_files(workspace, project_id)
    orphans = [
        path for path in sorted(folder.iterdir()) if path.is_file() and workspace.media.relative(path) not in referenced
    ]
    if not orphans:
        return []
    quarantine = orphans_dir(workspace, project_id) / time.strftime("%Y%m%d-%H%M%S")
    quarantine.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in orphans:
        relative = workspace.media.relative(path)
        os.replace(path, quarantine / path.name)
        moved.append(relative)
    return moved
