"""undo: revert the last change (story, card, cast or shot edit) or roll a shot back to an earlier take, through
the `undo_last_change` and `rollback_shot` tools; shots that become stale are offered for regeneration."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.revise import stale_sentence
from generator.errors import EchoError
from generator.text import as_sentence


def _rollback(ctx: DirectorContext, project_id: int, number: int | None, version: int | None) -> tuple[str, list[int]]:
    if number is None or version is None:
        raise EchoError("say which shot and version, e.g. 'roll back shot 4 to version 1'")
    done = ctx.tool("rollback_shot", project_id=project_id, number=number, version=version)
    text = f"Shot {number} now uses take version {version}"
    if done["restored_fields"]:
        text += f", with the {', '.join(done['restored_fields'])} it was made from"
    text += "."
    stale = done["stale_shots"]
    if stale:
        text += " " + stale_sentence(stale, "remembered the replaced take")
    if done["restored_shots"]:
        text += f" Shots {', '.join(map(str, done['restored_shots']))} are no longer stale."
    return text, stale


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, decision = state["project_id"], state["decision"]
    if decision["intent"] == "rollback_shot":
        text, stale = _rollback(ctx, pid, decision.get("shot_number"), decision.get("version"))
    else:
        undone = ctx.tool("undo_last_change", project_id=pid)
        stale = undone.get("stale_shots", [])
        text = "Undone: " + as_sentence(undone["message"])
        if stale:
            text += " " + stale_sentence(stale, "changed back")
    return {"outcome": "offer" if stale else "done", "stale": stale, **say(text)}
