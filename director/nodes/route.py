"""route: what does the creator want? One RouteDecision per message (LLM or offline rules) from the message and
the project brief, then a dispatch table."""

from __future__ import annotations

from typing import Any

from director.briefs import route_message
from director.graph_state import DirectorContext, DirectorState
from director.nodes.shot_context import plan_rows
from director.nodes.story import project_and_story
from director.schemas import RouteDecision
from workspace.queries import shot_at

# Graph node each intent leads to (see director/graph.py).
INTENT_NODES = {
    "new_story": "clarify",
    "edit_story": "story",
    "approve": "approve",
    "revise_shot": "revise",
    "edit_shot": "edit_shot",
    "edit_card": "edit_card",
    "add_character": "edit_cast",
    "remove_character": "edit_cast",
    "rename_character": "edit_cast",
    "insert_shot": "edit_structure",
    "delete_shot": "edit_structure",
    "move_shot": "edit_structure",
    "duplicate_shot": "edit_structure",
    "undo": "undo",
    "rollback_shot": "undo",
    "generate": "next_shot",
    "export": "export",
    "question": "reply",
    "cannot": "reply",
}


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    forced = state.get("forced_decision")
    decision = RouteDecision.model_validate(forced) if forced else route_message(ctx, state, state["user_message"])
    update = decision_update(decision, state["user_message"], ctx, state["project_id"])
    return {"forced_decision": None, "resume_loop": False, **update}


def decision_update(decision: RouteDecision, message: str, ctx: DirectorContext, project_id: int) -> dict[str, Any]:
    """State changes of acting on a decision: a new idea is what the story is written from; an explicit
    generate request also regenerates stale shots, and the shots it names (or all of them)."""
    update: dict[str, Any] = {"decision": decision.model_dump()}
    if decision.intent in ("new_story", "answer"):
        update["idea"] = message
    if decision.intent == "edit_story":
        update["story_feedback"] = decision.feedback or message
    if decision.intent == "generate":
        update["include_stale"] = True
        update["regenerate"] = shots_to_regenerate(ctx, project_id, decision)
    return update


def shots_to_regenerate(ctx: DirectorContext, project_id: int, decision: RouteDecision) -> list[int]:
    """Ids of the shots a generate request names ('regenerate shot 3', 'regenerate all shots'); EchoError with
    the valid range for a shot that does not exist."""
    if decision.all_shots:
        with ctx.workspace.read_session() as session:
            return [row.id for row in plan_rows(session, project_id)]
    if decision.shot_number is None:
        return []
    with ctx.workspace.read_session() as session:
        return [shot_at(session, project_id, decision.shot_number).id]


def dispatch(state: DirectorState, ctx: DirectorContext) -> str:
    """The node for the current decision; a bare 'answer' with no question pending is a new idea or a question."""
    intent = state["decision"]["intent"]
    if intent == "answer":
        _, story = project_and_story(ctx, state["project_id"])
        return "reply" if story is not None else "clarify"
    return INTENT_NODES[intent]
