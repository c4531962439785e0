"""edit_shot: set fields of one shot directly from the chat (dialogue, duration, camera, characters, scene,
action, sound), the same `update_shot` tool the shot inspector uses; refused when the prompt would not fit."""

from __future__ import annotations

from typing import Any

from director.briefs import project_brief
from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.prompt_fit import prompt_overflow
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
    cards = {card.char_id: card for card in project.characters}
    scenes = {scene.scene_id: scene for scene in project.scenes}
    style = project.story.style if project.story else ""
    overflow = prompt_overflow(number, {**shot.model_dump(), **changes}, cards, scenes, style)
    if overflow is not None:
        return {
            "outcome": "done",
            **say(
                f"Nothing changed: shot {number}'s prompt would be {overflow.prompt_chars} characters, "
                f"{overflow.over_by} over the {overflow.limit}-character limit. Use shorter text."
            ),
        }
    ctx.tool("update_shot", project_id=pid, number=number, **changes)
    names = {card.char_id: card.name for card in project.characters}
    text = f"Shot {number}: {describe(shot, changes, names)}."
    if shot.current_take is None:
        return {"outcome": "done", **say(text + " It will render with the next 'generate'.")}
    return {"outcome": "offer", "stale": [number], **say(text + f" Shot {number} is now stale.")}
