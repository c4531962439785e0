"""Tools: register a generated take (bringing its files in from staging), approve/reject it, roll a shot back
to an earlier take, record a revision, and mark takes stale when the memory they used has changed.

A take's files are hard-linked into the project (copied across file systems) before its row is committed, and
the staged names are removed only after the commit. A kill at any instant therefore leaves either no row and
the staged files intact (the resumed run registers them again; linked copies nobody references are swept by
`workspace.recovery`), or the committed row with every file in place.

A take marked stale because a take it remembers was replaced keeps the status it had (metadata
`status_before_stale`): when a rollback makes every take it remembers current again, it gets that status back.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlmodel import select

from generator.errors import EchoError
from generator.files import atomic_write_bytes, fsync_directory
from generator.types import MemorySource, TakeFacts
from tools.base import ProjectArgs, ShotNumberArgs, ToolContext, ToolOutput, tool, touch
from workspace.crash_points import crash_point
from workspace.history import dependents_in, memory_take_ids
from workspace.media_store import check_suffix
from workspace.models import Revision, ShotCondition, ShotPlan, Take
from workspace.queries import (
    active_shots,
    active_shots_with_current_take,
    get_project,
    next_version,
    project_take,
    shot_at,
    shot_takes,
)
from workspace.recovery import TAKES_KIND

STATUS_BEFORE_STALE = "status_before_stale"
PLAN_FIELDS_IN_CONDITION = ("action", "camera", "sound_effects", "music")  # plain text, same names


class StagedTake(TakeFacts):
    """A generated take waiting under the home's staging folder; it travels from the generate node through
    record to `register_take`. File fields are absolute paths of files a generator wrote there."""

    generation_id: str = Field(
        default_factory=lambda: uuid.uuid4().hex,
        pattern=r"^[0-9a-f]{32}$",
        description="Identifies this generation, so a take recorded before a crash is not recorded twice",
    )
    video: str = Field(min_length=1)
    audio: str = Field(min_length=1)
    keyframes: list[str] = Field(default_factory=list, max_length=64)
    kok_key_frame: str | None = Field(default=None, description="Key frame of this take's KOK memory window")
    kok_audio: str | None = Field(default=None, description="Audio of this take's KOK memory window")
    memory_window: dict[str, Any] = Field(default_factory=dict, description="{start_s, end_s, frame_index, ...}")
    speech_overflow_s: float = Field(default=0.0, ge=0, description="Seconds of speech that did not fit the shot")
    metadata: dict[str, Any] = Field(default_factory=dict)

    def files(self) -> list[str]:
        """Every staged file it names."""
        optional = [path for path in (self.kok_key_frame, self.kok_audio) if path]
        return [self.video, self.audio, *self.keyframes, *optional]


class RegisterTakeArgs(ShotNumberArgs, StagedTake):
    condition_id: int | None = Field(default=None, description="ShotCondition the take was generated from")
    memory_sources: list[dict[str, Any]] = Field(default_factory=list, description="Memory slots it was conditioned on")

    @field_validator("memory_sources")
    @classmethod
    def _sources(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for source in value:
            MemorySource.model_validate(source)
        return value


class TakeArgs(ProjectArgs):
    take_id: int = Field(ge=1)


class RollbackShotArgs(ShotNumberArgs):
    version: int = Field(ge=1, description="Take version that becomes the shot's current take")


class RecordRevisionArgs(ShotNumberArgs):
    feedback: str = Field(min_length=1, max_length=20_000)
    diagnosis: str = Field(default="", max_length=20_000)
    changes: dict[str, Any] = Field(default_factory=dict, description="What changed, e.g. condition fields")
    from_take_id: int | None = None
    to_take_id: int | None = None


class MarkStaleArgs(ProjectArgs):
    take_ids: list[int] = Field(min_length=1, max_length=1_000)
    reason: Literal["memory", "edit"] = Field(
        default="edit",
        description="memory: a take they remember was replaced (rolling that shot back clears the mark); "
        "edit: a card or shot they were made from changed (only regenerating clears it)",
    )


def _staged_source(ctx: ToolContext, field: str, path: str) -> Path:
    if not ctx.workspace.media.is_staged(path):
        raise EchoError(f"{field}: {path!r} must be an existing file inside {ctx.workspace.media.staging_root}")
    resolved = Path(path).resolve()
    check_suffix(resolved.suffix)
    return resolved


def _make_dirs(ctx: ToolContext, folder: Path) -> None:
    """Create `folder` and register removal of every level this call created."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir()
        ctx.undo_files.append(lambda created=created: created.rmdir())


def _link_in(ctx: ToolContext, links: dict[Path, str], shot_number: int) -> None:
    """Give staged files their home-relative names too (a hard link, or a copy on another file system); undo
    removes those names, and once the row is committed the staged names go."""
    folders = set()
    for source, relative in links.items():
        target = ctx.workspace.media.resolve(relative)
        _make_dirs(ctx, target.parent)
        try:
            _link_or_copy(source, target)
        except OSError as error:
            raise EchoError(f"could not bring {source.name} into the project: {error}") from error
        ctx.undo_files.append(target.unlink)
        ctx.after_commit.append(source.unlink)
        folders.add(target.parent)
        crash_point("register_take.linked", shot_number)
    for folder in folders:
        fsync_directory(folder)
    ctx.after_commit.insert(0, lambda: crash_point("register_take.committed", shot_number))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        with source.open("rb") as data:
            atomic_write_bytes(target, data.read())


def _sync_shot_status(ctx: ToolContext, take: Take) -> None:
    shot = ctx.session.get(ShotPlan, take.shot_id)
    if shot is not None and shot.current_take_id == take.id:
        shot.status = take.status
        ctx.session.add(shot)


@tool("register_take", RegisterTakeArgs)
def register_take(ctx: ToolContext, args: RegisterTakeArgs) -> ToolOutput:
    """Record a generated take of a shot: its files move from staging into the project, it gets the next take
    version and becomes the shot's current take."""
    project = get_project(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    if args.condition_id is not None:
        condition = ctx.session.get(ShotCondition, args.condition_id)
        if condition is None or condition.shot_id != shot.id:
            raise EchoError(f"condition {args.condition_id} does not belong to shot {args.number}")
    for source in args.memory_sources:
        take_id = source.get("take_id")
        if take_id is not None:
            project_take(ctx.session, args.project_id, take_id)

    links: dict[Path, str] = {}

    def destination(field: str, path: str | None) -> str | None:
        if path is None:
            return None
        source = _staged_source(ctx, field, path)
        if source not in links:
            links[source] = ctx.workspace.media.allocate(args.project_id, TAKES_KIND, source.suffix)
        return links[source]

    video = destination("video", args.video)
    audio = destination("audio", args.audio)
    keyframes = [destination(f"keyframes.{i}", path) for i, path in enumerate(args.keyframes)]
    memory_window = {
        **args.memory_window,
        "key_frame": destination("kok_key_frame", args.kok_key_frame),
        "audio": destination("kok_audio", args.kok_audio),
    }

    version = next_version(ctx.session, Take, shot.id)
    take = Take(
        project_id=args.project_id,
        shot_id=shot.id,
        version=version,
        condition_id=args.condition_id,
        video_path=video,
        audio_path=audio,
        keyframe_paths=keyframes,
        memory_window=memory_window,
        memory_sources=args.memory_sources,
        metadata_={**args.metadata, "generation_id": args.generation_id, "speech_overflow_s": args.speech_overflow_s},
        **args.take_facts(),
    )
    ctx.session.add(take)
    ctx.session.flush()
    shot.current_take_id = take.id
    shot.status = take.status
    ctx.session.add(shot)
    touch(project)
    ctx.session.flush()
    _link_in(ctx, links, args.number)
    return ToolOutput(f"registered take {version} of shot {args.number}", {"take_id": take.id, "version": version})


def _set_take_status(ctx: ToolContext, args: TakeArgs, status: str) -> ToolOutput:
    project = get_project(ctx.session, args.project_id)
    take = project_take(ctx.session, args.project_id, args.take_id)
    take.status = status
    ctx.session.add(take)
    _sync_shot_status(ctx, take)
    touch(project)
    return ToolOutput(f"take {take.id} {status}", {"take_id": take.id, "status": status})


@tool("approve_take", TakeArgs)
def approve_take(ctx: ToolContext, args: TakeArgs) -> ToolOutput:
    """Approve a take; if it is its shot's current take the shot becomes 'approved'."""
    return _set_take_status(ctx, args, "approved")


@tool("reject_take", TakeArgs)
def reject_take(ctx: ToolContext, args: TakeArgs) -> ToolOutput:
    """Reject a take; if it is its shot's current take the shot becomes 'rejected' (regenerate or roll back)."""
    return _set_take_status(ctx, args, "rejected")


def _mark_stale(ctx: ToolContext, takes: Iterable[Take], *, because_of_memory: bool) -> None:
    """Only a take made stale by its memory alone keeps the status to return to; any other cause is permanent."""
    for take in takes:
        metadata = dict(take.metadata_)
        if take.status != "stale" and because_of_memory:
            metadata[STATUS_BEFORE_STALE] = take.status
        elif not because_of_memory:
            metadata.pop(STATUS_BEFORE_STALE, None)
        take.metadata_ = metadata
        take.status = "stale"
        ctx.session.add(take)
        _sync_shot_status(ctx, take)


def _restore_fresh_takes(ctx: ToolContext, project_id: int) -> list[int]:
    """Current takes that were marked stale and whose remembered takes are all current again get their earlier
    status back; returns the numbers of their shots."""
    shots = active_shots_with_current_take(ctx.session, project_id)
    current_ids = set(ctx.session.exec(select(ShotPlan.current_take_id).where(ShotPlan.project_id == project_id)).all())
    restored = []
    for number, (shot, take) in enumerate(shots, start=1):
        if take is None or take.status != "stale" or STATUS_BEFORE_STALE not in take.metadata_:
            continue
        if not set(memory_take_ids(take)) <= current_ids:
            continue
        metadata = dict(take.metadata_)
        take.status = metadata.pop(STATUS_BEFORE_STALE)
        take.metadata_ = metadata
        ctx.session.add(take)
        # a shot edited after this take was made (update_shot) stays stale: its take no longer matches its plan
        if shot.updated_at <= take.created_at:
            shot.status = take.status
            ctx.session.add(shot)
        restored.append(number)
    return restored


@tool("rollback_shot", RollbackShotArgs)
def rollback_shot(ctx: ToolContext, args: RollbackShotArgs) -> ToolOutput:
    """Make an earlier take version the shot's current take (nothing is deleted), with the plan fields it was made
    from (action, dialogue, camera, ...), so a regeneration starts from them. Later shots that remembered the
    take it replaces become stale; stale shots whose remembered takes are all current again lose that mark."""
    project = get_project(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    takes = shot_takes(ctx.session, shot.id)
    take = next((t for t in takes if t.version == args.version), None)
    if take is None:
        valid = ", ".join(str(t.version) for t in takes) or "none (the shot has no takes yet)"
        raise EchoError(f"shot {args.number} has no take version {args.version}; valid versions: {valid}")
    replaced = shot.current_take_id
    shot.current_take_id = take.id
    shot.status = take.status
    restored_fields = _restore_plan_of(ctx, shot, take)
    ctx.session.add(shot)
    ctx.session.flush()
    stale = dependents_in(ctx.session, args.project_id, replaced) if replaced not in (None, take.id) else []
    _mark_stale(ctx, [current for _, current in stale], because_of_memory=True)
    restored = _restore_fresh_takes(ctx, args.project_id)
    touch(project)
    message = f"shot {args.number} now uses take version {take.version}"
    if restored_fields:
        message += f" and the {', '.join(restored_fields)} it was made from"
    if stale:
        message += f"; shots {', '.join(str(n) for n, _ in stale)} remembered the replaced take and are now stale"
    if restored:
        message += f"; shots {', '.join(map(str, restored))} remember only current takes again and are no longer stale"
    replaced_version = project_take(ctx.session, args.project_id, replaced).version if replaced is not None else None
    data = {
        "take_id": take.id,
        "stale_shots": [n for n, _ in stale],
        "restored_shots": restored,
        "restored_fields": restored_fields,
        "replaced_take_id": replaced,
        "replaced_version": replaced_version,
    }
    return ToolOutput(message, data)


def _restore_plan_of(ctx: ToolContext, shot: ShotPlan, take: Take) -> list[str]:
    """Put back the plan fields the take was generated from (its condition), so the shot shows that take's
    text and a regeneration starts from it, not from instructions the creator rolled away from; returns the
    names of the fields that changed."""
    condition = ctx.session.get(ShotCondition, take.condition_id) if take.condition_id is not None else None
    recorded = condition.fields if condition is not None else {}
    values: dict[str, Any] = {
        field: recorded[field] for field in PLAN_FIELDS_IN_CONDITION if isinstance(recorded.get(field), str)
    }
    if isinstance(recorded.get("dialogue"), list):
        values["dialogue"] = [
            {"speaker": d["speaker"], "text": d["text"], **({"delivery": d["delivery"]} if d.get("delivery") else {})}
            for d in recorded["dialogue"]
        ]
    if isinstance(recorded.get("characters"), list):
        values["characters"] = [c["id"] for c in recorded["characters"] if isinstance(c, dict) and "id" in c]
    if isinstance(recorded.get("scene"), dict) and recorded["scene"].get("id"):
        values["scene_id"] = recorded["scene"]["id"]
    if isinstance(recorded.get("num_frames"), int):
        values["num_frames"] = recorded["num_frames"]
    changed = [field for field, value in values.items() if getattr(shot, field) != value]
    for field in changed:
        setattr(shot, field, values[field])
    return [field.replace("_id", "").replace("_", " ") for field in changed]


@tool("record_revision", RecordRevisionArgs)
def record_revision(ctx: ToolContext, args: RecordRevisionArgs) -> ToolOutput:
    """Record feedback on a shot, its diagnosis, what changed, and the takes before and after."""
    project = get_project(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    for field in ("from_take_id", "to_take_id"):
        take_id = getattr(args, field)
        if take_id is not None and project_take(ctx.session, args.project_id, take_id).shot_id != shot.id:
            raise EchoError(f"{field}: take {take_id} is not a take of shot {args.number}")
    revision = Revision(
        project_id=args.project_id, shot_id=shot.id, **args.model_dump(exclude={"project_id", "number"})
    )
    ctx.session.add(revision)
    ctx.session.flush()
    touch(project)
    return ToolOutput(f"recorded revision {revision.id} of shot {args.number}", {"revision_id": revision.id})


@tool("mark_stale", MarkStaleArgs)
def mark_stale(ctx: ToolContext, args: MarkStaleArgs) -> ToolOutput:
    """Mark takes stale (a take they remember was replaced, or a card or shot they were made from changed); shots
    whose current take is among them become 'stale'."""
    project = get_project(ctx.session, args.project_id)
    takes = [project_take(ctx.session, args.project_id, take_id) for take_id in dict.fromkeys(args.take_ids)]
    _mark_stale(ctx, takes, because_of_memory=args.reason == "memory")
    stale_ids = {t.id for t in takes}
    numbers = [
        n for n, s in enumerate(active_shots(ctx.session, args.project_id), start=1) if s.current_take_id in stale_ids
    ]
    touch(project)
    return ToolOutput(
        f"marked {len(takes)} takes stale; affected shots: {', '.join(map(str, numbers)) or 'none'}",
        {"take_ids": sorted(stale_ids), "shot_numbers": numbers},
    )
