"""Tools: the shot plan (set, insert, delete, reorder, update) and the compiled condition of a shot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from generator.errors import EchoError
from generator.types import MAX_CHARACTERS_PER_SHOT, FrameCount
from tools.base import ProjectArgs, ShotNumberArgs, ToolArgs, ToolContext, ToolOutput, tool, touch
from tools.cards import CharacterId, SceneId
from workspace.models import ShotCondition, ShotPlan, Take, utcnow
from workspace.queries import (
    active_shots,
    current_characters,
    current_scenes,
    get_project,
    next_version,
    number_range_text,
    renumber,
    shot_at,
)

MAX_SHOTS = 500


class DialogueInput(ToolArgs):
    speaker: CharacterId
    text: str = Field(min_length=1, max_length=2_000)
    delivery: str = Field(default="", max_length=80, description="How it is said, e.g. 'soft, hesitant voice'")

    @model_serializer(mode="wrap")
    def _stored(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A line is stored as {speaker, text}, with its delivery only when it has one."""
        line = handler(self)
        if not line.get("delivery"):
            line.pop("delivery", None)
        return line


class ShotInput(ToolArgs):
    """One planned shot. `continuity` holds ids of shots this one continues; in set_shot_plan, where the new
    shots have no ids yet, it holds the 1-based numbers of earlier shots of the new plan instead."""

    scene_id: SceneId
    characters: list[CharacterId] = Field(default_factory=list, description="At most two character ids")
    action: str = Field(default="", max_length=4_000)
    dialogue: list[DialogueInput] = Field(default_factory=list, max_length=40)
    camera: str = Field(default="", max_length=1_000)
    num_frames: FrameCount = Field(default=121, description="1+8k frames between 25 and 241 (25 fps)")
    sound_effects: str = Field(default="", max_length=2_000)
    music: str = Field(default="", max_length=2_000)
    continuity: list[int] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _cast(self) -> ShotInput:
        if len(self.characters) > MAX_CHARACTERS_PER_SHOT:
            raise ValueError(f"characters: at most {MAX_CHARACTERS_PER_SHOT} per shot; got {self.characters}")
        if len(set(self.characters)) != len(self.characters):
            raise ValueError(f"characters: duplicate ids in {self.characters}")
        for line in self.dialogue:
            if line.speaker not in self.characters:
                raise ValueError(
                    f"dialogue.speaker: {line.speaker} is not in this shot's characters {self.characters or '[]'}"
                )
        return self


class SetShotPlanArgs(ProjectArgs):
    shots: list[ShotInput] = Field(min_length=1, max_length=MAX_SHOTS)


class InsertShotArgs(ProjectArgs):
    position: int = Field(ge=1, description="1-based number the new shot gets; later shots move down")
    shot: ShotInput


class ReorderShotArgs(ShotNumberArgs):
    new_number: int = Field(ge=1)


class UpdateShotArgs(ShotNumberArgs):
    """Only the given fields change."""

    scene_id: SceneId | None = None
    characters: list[CharacterId] | None = None
    action: str | None = Field(default=None, max_length=4_000)
    dialogue: list[DialogueInput] | None = None
    camera: str | None = Field(default=None, max_length=1_000)
    num_frames: FrameCount | None = None
    sound_effects: str | None = Field(default=None, max_length=2_000)
    music: str | None = Field(default=None, max_length=2_000)
    continuity: list[int] | None = None


class RecordConditionArgs(ShotNumberArgs):
    prompt: str = Field(min_length=1, max_length=20_000, description="The compiled training-aligned prompt")
    fields: dict[str, Any] = Field(default_factory=dict, description="The structured condition it was compiled from")
    source: Literal["compile", "revision", "user"] = "compile"


@dataclass(frozen=True)
class _Cast:
    """Ids of the project's current scene and character cards, read once per tool call."""

    scenes: set[str]
    characters: set[str]


def _current_cast(ctx: ToolContext, project_id: int) -> _Cast:
    return _Cast(
        {s.scene_id for s in current_scenes(ctx.session, project_id)},
        {c.char_id for c in current_characters(ctx.session, project_id)},
    )


def _check_cast(cast: _Cast, shot: ShotInput, label: str) -> None:
    """Scene and characters must be current cards of the project."""
    if shot.scene_id not in cast.scenes:
        valid = ", ".join(sorted(cast.scenes)) or "none yet"
        raise EchoError(f"{label}: unknown scene {shot.scene_id}; valid: {valid}")
    unknown = [c for c in shot.characters if c not in cast.characters]
    if unknown:
        valid = ", ".join(sorted(cast.characters)) or "none yet"
        raise EchoError(f"{label}: unknown characters {', '.join(unknown)}; valid: {valid}")


def _check_continuity_ids(continuity: list[int], shots: list[ShotPlan], own_id: int | None, label: str) -> None:
    ids = {s.id for s in shots} - {own_id}
    unknown = [i for i in continuity if i not in ids]
    if unknown:
        raise EchoError(
            f"{label}: continuity ids {unknown} are not other shots of this project; valid ids: {sorted(ids) or 'none'}"
        )


def _shot_row(project_id: int, position: int, shot: ShotInput) -> ShotPlan:
    return ShotPlan(project_id=project_id, position=position, **shot.model_dump())


def _plan_of(shot: ShotPlan) -> dict[str, Any]:
    """The shot's plan fields, as ShotInput names them."""
    return {field: getattr(shot, field) for field in ShotInput.model_fields}


def _check_room(shots: list[ShotPlan]) -> None:
    if len(shots) >= MAX_SHOTS:
        raise EchoError(f"a project can have at most {MAX_SHOTS} shots")


def _check_position(number: int, shots: list[ShotPlan]) -> None:
    if number > len(shots) + 1:
        raise EchoError(f"position {number} is out of range; valid positions: 1..{len(shots) + 1}")


def _place(ctx: ToolContext, shots: list[ShotPlan], number: int, row: ShotPlan) -> None:
    """Put `row` into the plan `shots` as shot `number`; later shots move down by one."""
    shots.insert(number - 1, row)
    renumber(shots)
    ctx.session.add_all(shots)
    ctx.session.flush()


@tool("set_shot_plan", SetShotPlanArgs)
def set_shot_plan(ctx: ToolContext, args: SetShotPlanArgs) -> ToolOutput:
    """Replace the whole shot plan (earlier shots are kept in history as deleted). Continuity entries here are
    numbers of earlier shots in the new plan."""
    project = get_project(ctx.session, args.project_id)
    cast = _current_cast(ctx, args.project_id)
    for number, shot in enumerate(args.shots, start=1):
        _check_cast(cast, shot, f"shots.{number - 1} (shot {number})")
        bad = [n for n in shot.continuity if not 1 <= n < number]
        if bad:
            label = f"shots.{number - 1} (shot {number})"
            raise EchoError(f"{label}: continuity {bad} must be numbers of earlier shots (1..{number - 1})")
    for old in active_shots(ctx.session, args.project_id):
        old.deleted = True
        old.updated_at = utcnow()
        ctx.session.add(old)
    rows = [_shot_row(args.project_id, n, shot) for n, shot in enumerate(args.shots, start=1)]
    ctx.session.add_all(rows)
    ctx.session.flush()
    for row in rows:
        row.continuity = [rows[n - 1].id for n in row.continuity]
    touch(project)
    shot_ids = [row.id for row in rows]
    return ToolOutput(f"shot plan set: {len(rows)} shots", {"shot_ids": shot_ids, "count": len(rows)})


@tool("insert_shot", InsertShotArgs)
def insert_shot(ctx: ToolContext, args: InsertShotArgs) -> ToolOutput:
    """Insert a shot at a position (1-based); later shots move down by one."""
    project = get_project(ctx.session, args.project_id)
    shots = active_shots(ctx.session, args.project_id)
    _check_position(args.position, shots)
    _check_room(shots)
    _check_cast(_current_cast(ctx, args.project_id), args.shot, "shot")
    _check_continuity_ids(args.shot.continuity, shots, None, "shot")
    row = _shot_row(args.project_id, args.position, args.shot)
    _place(ctx, shots, args.position, row)
    touch(project)
    return ToolOutput(f"inserted shot {args.position}", {"shot_id": row.id, "number": args.position})


@tool("duplicate_shot", ShotNumberArgs)
def duplicate_shot(ctx: ToolContext, args: ShotNumberArgs) -> ToolOutput:
    """Copy a shot's plan (scene, characters, action, dialogue, camera, length, sound, music; not its takes or
    continuity) as a new planned shot right after it; later shots move down by one."""
    project = get_project(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    shots = active_shots(ctx.session, args.project_id)
    _check_room(shots)
    copy = _shot_row(args.project_id, args.number + 1, ShotInput.model_validate({**_plan_of(shot), "continuity": []}))
    _place(ctx, shots, args.number + 1, copy)
    touch(project)
    return ToolOutput(
        f"duplicated shot {args.number} as shot {args.number + 1}", {"shot_id": copy.id, "number": args.number + 1}
    )


@tool("delete_shot", ShotNumberArgs)
def delete_shot(ctx: ToolContext, args: ShotNumberArgs) -> ToolOutput:
    """Delete a shot from the plan (its takes stay in history); later shots move up by one."""
    project = get_project(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    shots = active_shots(ctx.session, args.project_id)
    followers = [n for n, other in enumerate(shots, start=1) if shot.id in other.continuity]
    if followers:
        raise EchoError(
            f"shots {', '.join(map(str, followers))} continue shot {args.number}; update their continuity first"
        )
    shot.deleted = True
    shot.updated_at = utcnow()
    shots.remove(shot)
    renumber(shots)
    ctx.session.add_all([shot, *shots])
    touch(project)
    return ToolOutput(f"deleted shot {args.number}; {len(shots)} shots remain", {"shot_id": shot.id})


def restore_shot(ctx: ToolContext, project_id: int, shot_id: int, number: int) -> None:
    """Put a deleted shot back into the plan as shot `number`, with its takes and status (the undo of
    delete_shot); its scene, characters and continuity must still exist."""
    project = get_project(ctx.session, project_id)
    shot = ctx.session.get(ShotPlan, shot_id)
    if shot is None or shot.project_id != project_id:
        raise EchoError(f"shot id {shot_id} is not a shot of project {project_id}")
    if not shot.deleted:
        raise EchoError(f"shot id {shot_id} is in the plan already")
    shots = active_shots(ctx.session, project_id)
    _check_position(number, shots)
    _check_room(shots)
    plan = ShotInput.model_validate(_plan_of(shot))
    _check_cast(_current_cast(ctx, project_id), plan, f"shot {number}")
    _check_continuity_ids(plan.continuity, shots, shot.id, f"shot {number}")
    shot.deleted = False
    shot.updated_at = utcnow()
    _place(ctx, shots, number, shot)
    touch(project)


@tool("reorder_shot", ReorderShotArgs)
def reorder_shot(ctx: ToolContext, args: ReorderShotArgs) -> ToolOutput:
    """Move shot `number` so that it becomes shot `new_number`."""
    project = get_project(ctx.session, args.project_id)
    shots = active_shots(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    if args.new_number > len(shots):
        raise EchoError(f"new_number {args.new_number} is out of range; {number_range_text(len(shots))}")
    shots.remove(shot)
    shots.insert(args.new_number - 1, shot)
    renumber(shots)
    ctx.session.add_all(shots)
    touch(project)
    return ToolOutput(f"moved shot {args.number} to {args.new_number}", {"shot_id": shot.id, "number": args.new_number})


@tool("update_shot", UpdateShotArgs)
def update_shot(ctx: ToolContext, args: UpdateShotArgs) -> ToolOutput:
    """Change fields of one shot. A shot that already has a take becomes 'stale' (regenerate it)."""
    project = get_project(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    changes = args.model_dump(exclude={"project_id", "number"}, exclude_none=True)
    if not changes:
        raise EchoError("nothing to change: give at least one shot field")
    merged = ShotInput.model_validate({**_plan_of(shot), **changes})
    _check_cast(_current_cast(ctx, args.project_id), merged, "shot")
    _check_continuity_ids(merged.continuity, active_shots(ctx.session, args.project_id), shot.id, "shot")
    before = {field: getattr(shot, field) for field in changes}
    for key, value in merged.model_dump().items():
        setattr(shot, key, value)
    if shot.current_take_id is not None:
        shot.status = "stale"
    shot.updated_at = utcnow()
    ctx.session.add(shot)
    touch(project)
    return ToolOutput(
        f"updated shot {args.number}: {', '.join(changes)}",
        {"shot_id": shot.id, "changed": list(changes), "before": before},
    )


def _take_prompt(ctx: ToolContext, shot: ShotPlan) -> str | None:
    """The prompt the shot's current take was made from, if it is known."""
    take = ctx.session.get(Take, shot.current_take_id)
    condition = ctx.session.get(ShotCondition, take.condition_id) if take and take.condition_id else None
    return condition.prompt if condition else None


@tool("record_condition", RecordConditionArgs)
def record_condition(ctx: ToolContext, args: RecordConditionArgs) -> ToolOutput:
    """Store the compiled condition (prompt + structured fields) of a shot as its next condition version. A prompt
    the creator wrote (source "user") that the shot's current take was not made from makes the shot 'stale'."""
    project = get_project(ctx.session, args.project_id)
    shot = shot_at(ctx.session, args.project_id, args.number)
    version = next_version(ctx.session, ShotCondition, shot.id)
    condition = ShotCondition(
        shot_id=shot.id, version=version, prompt=args.prompt, fields=args.fields, source=args.source
    )
    ctx.session.add(condition)
    if args.source == "user" and shot.current_take_id is not None and _take_prompt(ctx, shot) != args.prompt:
        shot.status = "stale"
        shot.updated_at = utcnow()
        ctx.session.add(shot)
    ctx.session.flush()
    touch(project)
    return ToolOutput(
        f"recorded condition version {version} for shot {args.number}",
        {"condition_id": condition.id, "version": version},
    )
