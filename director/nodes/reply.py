"""reply: answer a question about the project (the router's reply, or a status summary)."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.route import project_context
from workspace.project_view import load_project_state


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    reply = state["decision"].get("reply", "").strip()
    if not reply:
        reply = project_context(load_project_state(ctx.workspace, state["project_id"]))
    return say(reply)
