"""route: what does the user want? One RouteDecision per message (LLM or offline rules), then a dispatch table."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes.story import project_and_story
from director.schemas import RouteDecision
from workspace.project_view import ProjectState, load_project_state

# Graph node each intent leads to (see director/graph.py).
INTENT_NODES = {
    "new_story": "clarify",
    "edit_story": "story",
    "approve": "approve",
    "revise_shot": "revise",
    "edit_card": "edit_card",
    "generate": "next_shot",
    "export": "export",
    "question": "reply",
}


def project_context(project: ProjectState) -> str:
    """The project as the router sees it: what exists, what is waiting."""
    story = project.story
    if story is None:
        return "The project has no story yet."
    shots = project.shots
    done = sum(1 for shot in shots if shot.current_take is not None)
    stale = [shot.number for shot in shots if shot.status == "stale"]
    lines = [
        f"Story '{story.title}' (version {story.version}, {'confirmed' if story.confirmed else 'not confirmed yet'}).",
        f"{len(shots)} shots planned, {done} generated." + (f" Stale shots: {stale}." if stale else ""),
        "Characters: " + (", ".join(f"{c.name} ({c.char_id})" for c in project.characters) or "none") + ".",
        "Scenes: " + (", ".join(f"{s.name} ({s.scene_id})" for s in project.scenes) or "none") + ".",
    ]
    return " ".join(lines)


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    forced = state.get("forced_decision")
    if forced:
        decision = RouteDecision.model_validate(forced)
    else:
        project = load_project_state(ctx.workspace, state["project_id"])
        decision = ctx.planner.route(state["user_message"], project_context(project))
    return {"forced_decision": None, "resume_loop": False, **decision_update(decision, state["user_message"])}


def decision_update(decision: RouteDecision, message: str) -> dict[str, Any]:
    """State changes of acting on a decision: a new idea is what the story is written from; an explicit
    generate request also regenerates stale shots."""
    update: dict[str, Any] = {"decision": decision.model_dump()}
    if decision.intent in ("new_story", "answer"):
        update["idea"] = message
    if decision.intent == "generate":
        update["include_stale"] = True
    return update


def dispatch(state: DirectorState, ctx: DirectorContext) -> str:
    """The node for the current decision; a bare 'answer' with no question pending is a new idea or a question."""
    intent = state["decision"]["intent"]
    if intent == "answer":
        _, story = project_and_story(ctx, state["project_id"])
        return "reply" if story is not None else "clarify"
    return INTENT_NODES[intent]
