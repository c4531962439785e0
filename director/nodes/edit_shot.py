"""edit_shot: set fields of one shot directly from the chat (dialogue, duration, camera, characters, scene,
action, sound), the same `update_shot` tool the shot inspector uses. Lines that need more time than the shot gives
(the caption contract's speech budget) lengthen it unless the same edit sets its length; refused when the caption
would not fit or would break the contract."""

from __future__ import annotations

from typing import Any

from director.briefs import project_brief
from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.prompt_fit import (
    ShotCards,
    caption_problems_added,
    frames_for_speech,
    prompt_overflow,
    speech_over_budget,
)
from director.schemas import ShotEdit
from director.shot_edits import shot_edit_changes
from generator.types import FPS
from workspace.project_view import ShotView, load_project_state

EXAMPLES = "e.g. \"shot 2: Mae says 'We leave at dawn.'\", 'make shot 3 6 seconds long', 'shot 4 camera: slow dolly in'"


def describe(shot: ShotView, changes: dict[str, Any], names: dict[str, str]) -> str:
    """'camera "slow dolly in"; duration 5.00 s -> 6.12 s' for the changed fields."""
    parts = []
    for field, value in changes.items():
        if field == "num_frames":
            parts.append(f"duration {shot.num_frames / FPS:.2f} s -> {value / FPS:.2f} s")
        elif field == "dialogue":
            parts.append(
                "dialogue " + " / ".join(f'{names.get(d["speaker"], d["speaker"])}: "{d["text"]}"' for d in value)
            )
        elif field == "characters":
            parts.append("characters " + (", ".join(names.get(c, c) for c in value) or "none"))
        elif field == "scene_id":
            parts.append(f"scene {value}")
        else:
            parts.append(f'{field.replace("_", " ")} "{value}"')
    return "; ".join(parts)


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, decision = state["project_id"], state["decision"]
    number = decision.get("shot_number")
    edit = ShotEdit.model_validate(decision.get("shot_edit") or {})
    if number is None or edit.is_empty():
        return {"outcome": "done", **say(f"Nothing changed: say which shot and what to set, {EXAMPLES}.")}
    project = load_project_state(ctx.workspace, pid)
    shot = project.shot(number)
    brief = project_brief(project)
    changes = shot_edit_changes(edit, brief.characters, brief.scenes, shot.characters)
    changes = {field: value for field, value in changes.items() if getattr(shot, field) != value}
    if not changes:
        return {"outcome": "done", **say(f"Shot {number} already has that; nothing changed.")}
    frames = frames_for_speech({**shot.model_dump(), **changes}) if "num_frames" not in changes else None
    if (
        frames and frames > shot.num_frames
    ):  # new lines need more time: the shot grows to carry them (the reply says so)
        changes["num_frames"] = frames
    if refusal := _refusal(number, shot.model_dump(), {**shot.model_dump(), **changes}, ShotCards.of(project)):
        return {"outcome": "done", **say(f"Nothing changed: {refusal}")}
    ctx.tool("update_shot", project_id=pid, number=number, **changes)
    names = {card.char_id: card.name for card in project.characters}
    text = f"Shot {number}: {describe(shot, changes, names)}."
    if shot.current_take is None:
        return {"outcome": "done", **say(text + " It will render with the next 'generate'.")}
    return {"outcome": "offer", "stale": [number], **say(text + f" Shot {number} is now stale.")}


def _refusal(number: int, before: dict[str, Any], after: dict[str, Any], cards: ShotCards) -> str | None:
    """Why the edited shot cannot be saved (its caption over the limit, its lines over the speech budget, or a new
    break of the caption contract), or None."""
    if overflow := prompt_overflow(number, after, cards):
        return (
            f"shot {number}'s prompt would be {overflow.prompt_chars} characters, {overflow.over_by} over the "
            f"{overflow.limit}-character limit. Use shorter text."
        )
    if problem := speech_over_budget(after):
        return f"shot {number}'s {problem}."
    if new := caption_problems_added((before, cards), (after, cards)):
        return f"shot {number}'s caption would break the model's caption contract ({new[0]})."
    return None
