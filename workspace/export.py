"""Export a project as a finished film: film.mp4 (scene chapters inside), SRT/WebVTT subtitles, chapters.json,
per-shot files, manifest.json and editor timelines (OTIO, FCP XML, EDL).

Everything is built in a hidden temp folder next to the output folder and moved into place only at the end, so
a failed export never leaves a half-written film; an output folder is replaced only when it holds nothing but an
earlier export (workspace/export_folder.py). Input media is read only through the home's MediaStore.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from generator.errors import EchoError
from generator.types import ProgressCallback
from workspace import export_folder as folders
from workspace.crash_points import crash_point
from workspace.db import Workspace
from workspace.export_audio import ShotLevel, build_soundtrack
from workspace.export_folder import EXPORT_FORMAT, MANIFEST_NAME
from workspace.export_text import (
    Chapter,
    chapters_json,
    format_ffmetadata,
    format_srt,
    format_vtt,
    scene_chapters,
    shot_cues,
)
from workspace.export_timeline import TimelineShot, write_timelines
from workspace.export_video import FILM_AUDIO_RATE, FilmShot, can_stream_copy, join_reencode, join_stream_copy
from workspace.models import ShotCondition
from workspace.project_view import ProjectState, ShotView, TakeView, read_project_state

FILM_NAME = "film.mp4"
_RESERVED_HOME_FOLDERS = ("projects", "staging", "chroma")


class SkippedShot(BaseModel):
    number: int
    reason: str


class ExportBlocked(EchoError):
    """Shots that keep the film from being exported; each front end words its own way round them."""

    def __init__(self, shots: list[SkippedShot]) -> None:
        self.shots = shots
        super().__init__(f"cannot export yet, fix these shots first: {self.listing}. Or export anyway with --force.")

    @property
    def listing(self) -> str:
        return "; ".join(f"shot {s.number}: {s.reason}" for s in self.shots)


class ExportResult(BaseModel):
    out_dir: Path
    film: Path
    duration_s: float
    num_frames: int
    shot_count: int
    skipped: list[SkippedShot]
    video_reencoded: bool
    files: list[str]
    elapsed_s: float


@dataclass(frozen=True)
class _ExportShot:
    shot: ShotView
    take: TakeView
    video: Path
    audio: Path
    offset_s: float

    @property
    def duration_s(self) -> float:
        return self.take.duration_s

    @property
    def file_name(self) -> str:
        return f"shots/shot-{self.shot.number:03d}.mp4"


def _blocker(workspace: Workspace, shot: ShotView) -> str | None:
    """Why this shot cannot go into the film, or None."""
    take = shot.current_take
    if take is None:
        return "not generated yet: render it"
    if shot.status == "stale" or take.status == "stale":
        return "stale: a shot it remembers has changed; regenerate it"
    if take.status == "rejected":
        return f"its current take (v{take.version}) was rejected; regenerate it or roll back to another version"
    return _missing_file(workspace, take)


def _missing_file(workspace: Workspace, take: TakeView) -> str | None:
    for relative in (take.video_path, take.audio_path):
        try:
            if not workspace.media.resolve(relative).is_file():
                return f"take v{take.version} file {relative} is missing; regenerate it"
        except EchoError as error:
            return f"take v{take.version} has an unusable file path ({error}); regenerate it"
    return None


def _select_shots(
    workspace: Workspace, state: ProjectState, force: bool
) -> tuple[list[_ExportShot], list[SkippedShot]]:
    chosen: list[_ExportShot] = []
    skipped: list[SkippedShot] = []
    offset = 0.0
    for shot in state.shots:
        reason = _blocker(workspace, shot)
        if reason:
            skipped.append(SkippedShot(number=shot.number, reason=reason))
            continue
        take = shot.current_take
        assert take is not None  # _blocker refuses shots without a take
        entry = _ExportShot(
            shot, take, workspace.media.resolve(take.video_path), workspace.media.resolve(take.audio_path), offset
        )
        chosen.append(entry)
        offset += entry.duration_s
    if skipped and not force:
        raise ExportBlocked(skipped)
    if not chosen:
        raise EchoError("nothing to export: the project has no rendered shots yet; make or render some shots first")
    return chosen, skipped


def _check_out_dir(out_dir: Path, home: Path) -> None:
    if home == out_dir or home.is_relative_to(out_dir):
        raise EchoError(f"--out {out_dir} contains the project home; choose a folder outside it")
    if any(out_dir.is_relative_to(home / folder) for folder in _RESERVED_HOME_FOLDERS):
        raise EchoError(f"--out {out_dir} is inside the workspace's own data; choose another folder")
    folders.check_parent_chain(out_dir)
    folders.check_replaceable(out_dir)


def _conditions(session: Session, shots: Sequence[_ExportShot]) -> list[dict[str, Any]]:
    ids = {s.take.condition_id: s.shot.number for s in shots if s.take.condition_id is not None}
    found = session.exec(select(ShotCondition).where(col(ShotCondition.id).in_(ids)))
    rows = {row.id: row for row in found.all()}
    return [
        {"id": row.id, "shot_number": number, "version": row.version, "source": row.source,
         "prompt": row.prompt, "fields": row.fields}
        for condition_id, number in ids.items() if (row := rows.get(condition_id)) is not None
    ]  # fmt: skip


@dataclass(frozen=True)
class _ExportPlan:
    """Everything read from the workspace before any file is written."""

    state: ProjectState
    shots: list[_ExportShot]
    skipped: list[SkippedShot]
    conditions: list[dict[str, Any]]
    chapters: list[Chapter]
    scene_names: dict[str, str]

    @property
    def title(self) -> str:
        return self.state.story.title if self.state.story else self.state.project.title

    @property
    def speaker_names(self) -> dict[str, str]:
        return {card.char_id: card.name for card in self.state.characters}

    @property
    def num_frames(self) -> int:
        return sum(s.take.num_frames for s in self.shots)

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.shots)

    @property
    def space(self) -> folders.SpaceNeed:
        return folders.space_need([s.video for s in self.shots], [s.audio for s in self.shots])


@dataclass(frozen=True)
class _Film:
    levels: list[ShotLevel]
    target_db: float
    reencoded: bool


def _plan(workspace: Workspace, project_id: int, force: bool) -> _ExportPlan:
    with workspace.read_session() as session:
        state = read_project_state(session, project_id)
        shots, skipped = _select_shots(workspace, state, force)
        conditions = _conditions(session, shots)
    scene_names = {card.scene_id: card.name for card in state.scenes}
    chapters = scene_chapters([(s.shot.number, s.shot.scene_id, s.offset_s, s.duration_s) for s in shots], scene_names)
    return _ExportPlan(state, shots, skipped, conditions, chapters, scene_names)


def _manifest(plan: _ExportPlan, film: _Film, files: dict[str, Any], all_files: list[str]) -> dict[str, Any]:
    state, shots, first = plan.state, plan.shots, plan.shots[0].take
    names = plan.speaker_names
    return {
        "format": EXPORT_FORMAT,
        "format_version": 1,
        "exported_at": datetime.now(UTC).isoformat(),
        "project": state.project.model_dump(mode="json"),
        "story": state.story.model_dump(mode="json") if state.story else None,
        "characters": [card.model_dump(mode="json") for card in state.characters],
        "scenes": [card.model_dump(mode="json") for card in state.scenes],
        "film": {
            "file": FILM_NAME,
            "duration_s": round(plan.duration_s, 6),
            "num_frames": plan.num_frames,
            "fps": first.fps,
            "width": first.width,
            "height": first.height,
            "video_reencoded": film.reencoded,
            "audio": {"codec": "aac", "sample_rate": FILM_AUDIO_RATE, "target_loudness_db": round(film.target_db, 2)},
        },
        "shots": [
            {
                "number": s.shot.number,
                "shot_id": s.shot.id,
                "scene_id": s.shot.scene_id,
                "scene_name": plan.scene_names.get(s.shot.scene_id, ""),
                "characters": [{"id": c, "name": names.get(c, c)} for c in s.shot.characters],
                "action": s.shot.action,
                "dialogue": [{**line, "name": names.get(line.get("speaker", ""), "")} for line in s.shot.dialogue],
                "dialogue_timings": s.take.dialogue_timings,
                "num_frames": s.take.num_frames,
                "duration_s": round(s.duration_s, 6),
                "film_start_s": round(s.offset_s, 6),
                "film_end_s": round(s.offset_s + s.duration_s, 6),
                "status": s.shot.status,
                "take_id": s.take.id,
                "file": s.file_name,
                "loudness_db": None if level.loudness_db is None else round(level.loudness_db, 2),
                "gain_db": round(level.gain_db, 2),
            }
            for s, level in zip(shots, film.levels, strict=True)
        ],
        "takes": [
            {
                **s.take.model_dump(mode="json", exclude={"memory_sources", "dialogue_timings", "is_current"}),
                "exported_file": s.file_name,
            }
            for s in shots
        ],
        "conditions": plan.conditions,
        "memory_sources": [
            {"shot_number": s.shot.number, "take_id": s.take.id, "sources": s.take.memory_sources} for s in shots
        ],
        "chapters": chapters_json(plan.chapters),
        "skipped": [s.model_dump() for s in plan.skipped],
        "files": files,
        "all_files": all_files,  # every file of the export, this manifest included: what a re-export may replace
    }


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _report(progress: ProgressCallback | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(round(fraction, 4), message)


def _copy_shot(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def _write_film(plan: _ExportPlan, built: Path, work: Path, progress: ProgressCallback | None) -> _Film:
    """Per-shot copies, the evened soundtrack, then film.mp4 (stream copy when the shots allow it)."""
    shots = plan.shots
    for index, s in enumerate(shots):
        _copy_shot(s.video, built / s.file_name)
        _report(progress, 0.02 + 0.2 * (index + 1) / len(shots), f"copied shot {s.shot.number}")
    soundtrack, metadata = work / "soundtrack.wav", work / "chapters.ffmeta"
    levels, target_db, _ = build_soundtrack([s.audio for s in shots], [s.duration_s for s in shots], soundtrack)
    _report(progress, 0.35, "soundtrack evened")
    _write_text(metadata, format_ffmetadata(plan.title, plan.chapters))
    film_shots = [FilmShot(built / s.file_name, s.take.num_frames, s.take.fps) for s in shots]
    reencode = not can_stream_copy(film_shots)
    step = "re-encoding the film" if reencode else "joining the shots"

    def joined(fraction: float) -> None:
        _report(progress, 0.4 + 0.45 * fraction, step)

    if reencode:
        first = shots[0].take
        join_reencode(film_shots, (first.width, first.height), soundtrack, metadata, built / FILM_NAME, joined)
    else:
        join_stream_copy(film_shots, soundtrack, metadata, work, built / FILM_NAME, joined)
    _report(progress, 0.85, "film written")
    return _Film(levels, target_db, reencode)


def _write_sidecars(plan: _ExportPlan, built: Path, out_dir: Path) -> dict[str, Any]:
    """Subtitles, chapters.json and timelines; returns the file listing for the manifest."""
    names = plan.speaker_names
    cues = [c for s in plan.shots for c in shot_cues(s.take.dialogue_timings, s.offset_s, s.duration_s, names)]
    _write_text(built / "film.srt", format_srt(cues))
    _write_text(built / "film.vtt", format_vtt(cues))
    _write_text(built / "chapters.json", json.dumps(chapters_json(plan.chapters), indent=2, ensure_ascii=False))
    timeline_shots = [
        TimelineShot(s.shot.number, s.file_name, s.take.num_frames, s.take.fps, s.take.id, s.take.version)
        for s in plan.shots
    ]
    timelines = write_timelines(plan.title, timeline_shots, plan.chapters, built, out_dir)
    return {
        "film": FILM_NAME, "subtitles": ["film.srt", "film.vtt"], "chapters": "chapters.json",
        "shots": [s.file_name for s in plan.shots], "timelines": timelines,
    }  # fmt: skip


def _build(plan: _ExportPlan, build: folders.Build, progress: ProgressCallback | None) -> _Film:
    """Write every file into the temp folder, then swap it in."""
    built, work = build.path, build.path / ".work"
    (built / "shots").mkdir()
    work.mkdir()
    film = _write_film(plan, built, work, progress)
    files = _write_sidecars(plan, built, build.out_dir)
    _report(progress, 0.92, "subtitles, chapters and timelines written")
    shutil.rmtree(work)
    crash_point("export.written", 0)
    written = [os.path.relpath(os.path.join(d, f), built) for d, _, names in os.walk(built) for f in names]
    all_files = sorted({Path(name).as_posix() for name in written} | {MANIFEST_NAME})
    manifest = _manifest(plan, film, files, all_files)
    _write_text(built / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False))
    folders.move_into_place(build)
    return film


def default_export_dir(workspace: Workspace, project_id: int) -> Path:
    """Where the app and the Director export a project: one folder per project, replaced by each export."""
    return workspace.home / "exports" / f"project-{project_id}"


def export_project(
    workspace: Workspace,
    project_id: int,
    out_dir: Path,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Export the current takes in shot order into `out_dir`, replacing an earlier export there. EchoError, with
    nothing written or deleted, when shots are stale or missing, when `out_dir` holds anything an earlier export
    did not write (see workspace/export_folder.py), or when the disk is too full (checked up front from the
    shots' file sizes, and again when a write fails with ENOSPC). Killed exports' temp folders are cleared first.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir).expanduser().resolve()
    _check_out_dir(out_dir, workspace.home)
    plan = _plan(workspace, project_id, force)
    _report(progress, 0.02, f"exporting {len(plan.shots)} shots")
    folders.clean_leftovers(out_dir)
    need = plan.space
    folders.check_space(out_dir.parent, need)
    build = folders.start_build(out_dir)
    try:
        film = _build(plan, build, progress)
    except BaseException as error:
        build.discard()
        if folders.is_disk_full(error):
            raise folders.not_enough_space(out_dir.parent, need) from error
        raise
    _report(progress, 1.0, f"exported to {out_dir}")
    return ExportResult(
        out_dir=out_dir,
        film=out_dir / FILM_NAME,
        duration_s=plan.duration_s,
        num_frames=plan.num_frames,
        shot_count=len(plan.shots),
        skipped=plan.skipped,
        video_reencoded=film.reencoded,
        files=sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()),
        elapsed_s=time.perf_counter() - started,
    )
