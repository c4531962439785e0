"""edit_structure: insert, delete, move and duplicate shots from the chat, through the same tools as the
storyboard's controls; numbers outside the plan are refused with the valid range."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.plan import shot_input
from director.prompt_fit import ShotCards, caption_problems_of, prompt_overflow, speech_over_budget
from director.schemas import ShotSpec
from director.shot_edits import name_key
from generator.errors import EchoError
from generator.text import as_sentence
from workspace.project_view import ProjectState, load_project_state
from workspace.queries import number_range_text


def _number(project: ProjectState, number: int | None, what: str) -> int:
    count = len(project.shots)
    if number is None or not 1 <= number <= count:
        shown = "no number" if number is None else f"shot {number}"
        raise EchoError(f"cannot {what} {shown}: {number_range_text(count)}")
    return number


def _insert(ctx: DirectorContext, project: ProjectState, decision: dict[str, Any]) -> str:
    if not decision.get("new_shot"):
        raise EchoError("say what the new shot shows, e.g. 'add a shot at the end where Mae waves goodbye'")
    spec = ShotSpec.model_validate(decision["new_shot"])
    count = len(project.shots)
    position = decision.get("target_number") or count + 1
    if not 1 <= position <= count + 1:
        raise EchoError(f"a new shot can go at positions 1..{count + 1}; got {position}")
    characters = {
        **{name_key(c.name): c.char_id for c in project.characters},
        **{name_key(c.char_id): c.char_id for c in project.characters},
    }
    scenes = {
        **{name_key(s.name): s.scene_id for s in project.scenes},
        **{name_key(s.scene_id): s.scene_id for s in project.scenes},
    }
    if not scenes:
        raise EchoError("the project has no scenes yet; approve the story so the shots are planned first")
    neighbour = project.shots[min(position, count) - 1] if count else None
    default_scene = neighbour.scene_id if neighbour else project.scenes[0].scene_id
    shot = shot_input(spec, characters, scenes, default_scene)
    overflow = prompt_overflow(position, shot, ShotCards.of(project))
    if overflow is not None:
        raise EchoError(
            f"the new shot's prompt would be {overflow.over_by} characters over the limit; describe it more briefly"
        )
    if problem := speech_over_budget(shot):
        raise EchoError(f"the new shot's {problem}")
    if problems := caption_problems_of(shot, ShotCards.of(project)):
        raise EchoError(f"the new shot's caption would break the model's caption contract ({problems[0]})")
    ctx.tool("insert_shot", project_id=project.project.id, position=position, shot=shot)
    return f"Added shot {position}: {as_sentence(spec.action or 'a new shot')} Say 'generate' to render it."


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, decision = state["project_id"], state["decision"]
    project = load_project_state(ctx.workspace, pid)
    intent, number = decision["intent"], decision.get("shot_number")
    if intent == "insert_shot":
        text = _insert(ctx, project, decision)
    elif intent == "delete_shot":
        number = _number(project, number, "delete")
        ctx.tool("delete_shot", project_id=pid, number=number)
        later = " Later shots moved up by one." if number < len(project.shots) else ""
        text = f"Deleted shot {number} (its takes stay in history; say 'undo' to bring it back).{later}"
    elif intent == "move_shot":
        number = _number(project, number, "move")
        target = decision.get("target_number")
        if target is None or not 1 <= target <= len(project.shots):
            raise EchoError(f"say where shot {number} should go: {number_range_text(len(project.shots))}")
        ctx.tool("reorder_shot", project_id=pid, number=number, new_number=target)
        text = f"Moved shot {number} to position {target}."
    else:
        number = _number(project, number, "duplicate")
        copy = ctx.tool("duplicate_shot", project_id=pid, number=number)
        text = f"Duplicated shot {number} as shot {copy['number']}; say 'generate' to render it."
    return {"outcome": "done", **say(text)}
