"""clarify: ask what a shot plan still needs (paper Sec. 5.2) before writing the story."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import ask


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    questions = [] if state.get("auto_approve") else ctx.planner.clarify(state["idea"]).questions
    return {"questions": questions, "story_feedback": "", "outcome": "ask" if questions else "write"}


def ask_clarify(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    questions = "\n".join(f"- {question}" for question in state["questions"])
    answer = ask(f"Before I write the story:\n{questions}\n(Answer, or say 'go ahead' and I will decide.)")
    return {"idea": f"{state['idea']}\n{answer}", "questions": []}
