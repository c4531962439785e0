"""Tool: undo the project's last change. The ToolCall audit table says what each call changed; every undoable tool
has an inverse here that reverts it through the same tool functions (or, for a deletion, the restore beside them)
in the undo's own transaction, so the usual checks apply and a change that can no longer be reverted is refused
with nothing changed. An undo is not itself undone: calling it again reverts the change before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from generator.errors import EchoError, format_validation_error
from tools.base import ProjectArgs, ShotNumberArgs, ToolContext, ToolFunction, ToolOutput, tool, touch
from tools.cards import (
    CHARACTERS,
    SCENES,
    CardKind,
    CharacterRefArgs,
    RenameCharacterArgs,
    SceneRefArgs,
    UpdateCharacterArgs,
    UpdateSceneArgs,
    delete_character,
    delete_scene,
    rename_character,
    restore_deleted_card,
    update_character,
    update_scene,
)
from tools.shots import ReorderShotArgs, UpdateShotArgs, delete_shot, reorder_shot, restore_shot, update_shot
from tools.story import story_fields, write_story_copy
from tools.takes import RollbackShotArgs, rollback_shot
from workspace.queries import (
    card_history,
    get_project,
    last_successful_call,
    project_take,
    shot_at,
    shot_number,
    story_version,
    successful_call_results,
)

UNDO_TOOL = "undo_last_change"


@dataclass(frozen=True)
class Change:
    """A successful tool call to revert, as the audit table recorded it."""

    call_id: int
    tool: str
    project_id: int
    args: dict[str, Any]
    data: dict[str, Any]

    def recorded(self, key: str) -> Any:
        """A value of the call's result data; calls recorded by an older version may lack the ones undo needs."""
        if key not in self.data:
            raise EchoError(
                f"it was recorded without {key!r} (by an older version), so what it replaced is unknown; "
                "change it back by hand"
            )
        return self.data[key]


@dataclass(frozen=True)
class Reverted:
    message: str
    stale_shots: list[int] = field(default_factory=list)


Inverse = Callable[[ToolContext, Change], Reverted]


def _undo_write_story(ctx: ToolContext, change: Change) -> Reverted:
    version = change.recorded("version")
    previous = story_version(ctx.session, change.project_id, version - 1)
    if previous is None:
        raise EchoError(
            f"it wrote story version {version}, the project's first, so there is no earlier story to go back to; "
            "write a new one with write_story instead"
        )
    new = write_story_copy(ctx, change.project_id, story_fields(previous), previous.confirmed)
    return Reverted(f"brought back story version {previous.version} as version {new} (version {version} was written)")


def _card_update_inverse(kind: CardKind, args_model: type[ProjectArgs], update: ToolFunction) -> Inverse:
    def undo(ctx: ToolContext, change: Change) -> Reverted:
        card_id, version = change.recorded(kind.key), change.recorded("version")
        versions = card_history(ctx.session, kind.model, kind.key, change.project_id, card_id)
        before = next(card for card in versions if card.version == version - 1)
        editable = set(args_model.model_fields) - {"project_id", kind.key}
        # the update tools read None as "keep" and "" as "clear" (reference paths)
        fields = {name: "" if value is None else value for name, value in before.model_dump(include=editable).items()}
        update(ctx, args_model(project_id=change.project_id, **{kind.key: card_id}, **fields))
        return Reverted(f"put {kind.noun} {card_id} back as it was in card version {before.version} (updated)")

    return undo


def _card_add_inverse(kind: CardKind, args_model: type[ProjectArgs], delete: ToolFunction) -> Inverse:
    def undo(ctx: ToolContext, change: Change) -> Reverted:
        card_id = change.recorded(kind.key)
        delete(ctx, args_model(project_id=change.project_id, **{kind.key: card_id}))
        return Reverted(f"removed {kind.noun} {card_id} (added)")

    return undo


def _card_delete_inverse(kind: CardKind) -> Inverse:
    def undo(ctx: ToolContext, change: Change) -> Reverted:
        card_id = change.recorded(kind.key)
        restore_deleted_card(ctx, kind, change.project_id, card_id)
        return Reverted(f"restored {kind.noun} {card_id} (deleted)")

    return undo


def _undo_rename_character(ctx: ToolContext, change: Change) -> Reverted:
    char_id, old_name, new_name = (change.recorded(key) for key in ("char_id", "old_name", "new_name"))
    args = RenameCharacterArgs(project_id=change.project_id, char_id=char_id, new_name=old_name)
    back = rename_character(ctx, args).data
    return Reverted(f"renamed {char_id} back to {old_name} (renamed to {new_name})", back["stale_shots"])


def _current_number(ctx: ToolContext, change: Change, shot_id: int) -> int:
    """The number the shot that `change` touched has now."""
    number = shot_number(ctx.session, change.project_id, shot_id)
    if number is None:
        raise EchoError(f"the shot it changed (id {shot_id}) has been deleted since")
    return number


def _undo_update_shot(ctx: ToolContext, change: Change) -> Reverted:
    before = change.recorded("before")
    number = _current_number(ctx, change, change.recorded("shot_id"))
    update_shot(ctx, UpdateShotArgs(project_id=change.project_id, number=number, **before))
    has_take = shot_at(ctx.session, change.project_id, number).current_take_id is not None
    fields = ", ".join(name.replace("_", " ") for name in before)
    return Reverted(f"put back the {fields} of shot {number} (updated)", [number] if has_take else [])


def _shot_add_inverse(done: str) -> Inverse:
    def undo(ctx: ToolContext, change: Change) -> Reverted:
        number = _current_number(ctx, change, change.recorded("shot_id"))
        delete_shot(ctx, ShotNumberArgs(project_id=change.project_id, number=number))
        return Reverted(f"removed shot {number} ({done})")

    return undo


def _undo_delete_shot(ctx: ToolContext, change: Change) -> Reverted:
    number = change.args["number"]
    restore_shot(ctx, change.project_id, change.recorded("shot_id"), number)
    return Reverted(f"restored shot {number} (deleted)")


def _undo_reorder_shot(ctx: ToolContext, change: Change) -> Reverted:
    number = _current_number(ctx, change, change.recorded("shot_id"))
    original = change.args["number"]
    reorder_shot(ctx, ReorderShotArgs(project_id=change.project_id, number=number, new_number=original))
    return Reverted(f"moved shot {number} back to {original} (reordered)")


def _undo_rollback_shot(ctx: ToolContext, change: Change) -> Reverted:
    version = change.recorded("replaced_version")
    if version is None:
        raise EchoError("the shot had no current take before that rollback, so there is none to go back to")
    take = project_take(ctx.session, change.project_id, change.recorded("take_id"))
    number = _current_number(ctx, change, take.shot_id)
    back = rollback_shot(ctx, RollbackShotArgs(project_id=change.project_id, number=number, version=version)).data
    return Reverted(f"shot {number} uses take version {version} again (rolled back)", back["stale_shots"])


INVERSES: dict[str, Inverse] = {
    "write_story": _undo_write_story,
    "add_character": _card_add_inverse(CHARACTERS, CharacterRefArgs, delete_character),
    "update_character": _card_update_inverse(CHARACTERS, UpdateCharacterArgs, update_character),
    "delete_character": _card_delete_inverse(CHARACTERS),
    "rename_character": _undo_rename_character,
    "add_scene": _card_add_inverse(SCENES, SceneRefArgs, delete_scene),
    "update_scene": _card_update_inverse(SCENES, UpdateSceneArgs, update_scene),
    "delete_scene": _card_delete_inverse(SCENES),
    "update_shot": _undo_update_shot,
    "insert_shot": _shot_add_inverse("inserted"),
    "duplicate_shot": _shot_add_inverse("duplicated"),
    "delete_shot": _undo_delete_shot,
    "reorder_shot": _undo_reorder_shot,
    "rollback_shot": _undo_rollback_shot,
}


def _last_change(ctx: ToolContext, project_id: int) -> Change | None:
    undone = [data["undone_call_id"] for data in successful_call_results(ctx.session, project_id, UNDO_TOOL)]
    call = last_successful_call(ctx.session, project_id, list(INVERSES), excluding=undone, skip_actors=(CRITIC,))
    planned = last_successful_call(ctx.session, project_id, ["set_shot_plan"])
    if call is None or call.id is None or (planned is not None and planned.id is not None and planned.id > call.id):
        return None  # a new shot plan is where undo stops: the cards and shots before it were replaced
    return Change(call.id, call.tool, project_id, call.args, call.result or {})


def _revert(ctx: ToolContext, change: Change) -> Reverted:
    try:
        return INVERSES[change.tool](ctx, change)
    except (EchoError, ValidationError) as error:
        reason = format_validation_error(error) if isinstance(error, ValidationError) else str(error)
        raise EchoError(
            f"cannot undo the last change ({change.tool}, call {change.call_id}): {reason}; nothing was changed"
        ) from error


CRITIC = "critic"  # the actor of the critic's automatic fixes: undo passes over them, they come with a new take


@tool(UNDO_TOOL, ProjectArgs)
def undo_last_change(ctx: ToolContext, args: ProjectArgs) -> ToolOutput:
    """Undo the project's latest story, card, cast or shot edit that is not undone yet; call it again to undo the
    one before. Generation steps (takes, approvals, conditions, revisions, stale marks), story confirmations and
    whole new shot plans (set_shot_plan) and the critic's automatic fixes are not undone: undo passes over them."""
    project = get_project(ctx.session, args.project_id)
    change = _last_change(ctx, args.project_id)
    if change is None:
        raise EchoError(
            f"nothing to undo in project {args.project_id}: undo reverts story, card, cast and shot edits "
            f"({', '.join(INVERSES)}) made since the shots were last planned, and none is left that is not undone "
            "already"
        )
    reverted = _revert(ctx, change)
    touch(project)
    data = {
        "undone_call_id": change.call_id,
        "undone_tool": change.tool,
        "message": reverted.message,
        "stale_shots": reverted.stale_shots,
    }
    return ToolOutput(f"undid {change.tool}: {reverted.message}", data)
