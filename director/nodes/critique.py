"""critique: automatic checks after every take (speech overflow, missing card anchors, more than two people),
an LLM critic when an endpoint is configured, and a human review `interrupt()` in review mode (paper Sec. 5.4).

Speech that overflows the shot lengthens the shot (`update_shot`) and regenerates it once.
"""

from __future__ import annotations

import math
from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import ask, chose, say
from director.nodes.revise import shot_summary
from director.nodes.shot_context import load_shot_context
from generator.prompt import ShotCondition, missing_anchors
from generator.types import FPS, MAX_CHARACTERS_PER_SHOT, MAX_FRAMES, valid_frame_counts

APPROVE = "Approve"
OVERFLOW_MARGIN_S = 0.3


def frames_to_fit(num_frames: int, overflow_s: float) -> int:
    """The shortest valid frame count that holds the shot plus its overflowing speech (capped at 241)."""
    needed = math.ceil((num_frames / FPS + overflow_s + OVERFLOW_MARGIN_S) * FPS)
    return next((count for count in valid_frame_counts() if count >= needed), MAX_FRAMES)


def _after_take(state: DirectorState) -> str:
    return "revised" if state.get("mode") == "revise" else "next"


def _approve(state: DirectorState, ctx: DirectorContext) -> None:
    ctx.tool("approve_take", project_id=state["project_id"], take_id=state["take_id"])


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, number = state["project_id"], state["shot_number"]
    generated, compiled = state["generated"]["take"], state["condition"]
    condition = ShotCondition.model_validate(compiled["condition"])
    issues: list[str] = []
    overflow = generated["speech_overflow_s"]
    if overflow > 0:
        extended = state.get("extended", [])
        frames = frames_to_fit(generated["num_frames"], overflow)
        if number not in extended and frames > generated["num_frames"]:
            ctx.tool("update_shot", project_id=pid, number=number, num_frames=frames)
            text = (
                f"Shot {number}: the dialogue ran {overflow:.1f} s past the end; lengthened the shot to "
                f"{frames / FPS:.2f} s and regenerating it."
            )
            return {"outcome": "retry", "extended": [*extended, number], **say(text)}
        issues.append(f"the dialogue still runs {overflow:.1f} s past the end; shorten the lines or split the shot")
    missing = missing_anchors(compiled["prompt"], condition.characters)
    if missing:
        issues.append("the prompt lacks these card sentences: " + "; ".join(missing))
    if len(condition.characters) > MAX_CHARACTERS_PER_SHOT:
        issues.append(f"{len(condition.characters)} characters in one shot; the model handles at most two")
    if ctx.settings.llm_configured:
        verdict = ctx.planner.critique(shot_summary(load_shot_context(ctx, pid, number)), compiled["prompt"])
        if not verdict.ok:
            issues.extend(verdict.issues)
    update: dict[str, Any] = say(f"Shot {number} check: " + "; ".join(issues)) if issues else {}
    if ctx.settings.review_mode and not state.get("auto_approve"):
        return {**update, "outcome": "review"}
    if state.get("auto_approve"):
        _approve(state, ctx)
    return {**update, "outcome": _after_take(state)}


def review(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """Human review of the take: approve it, or the answer becomes revision feedback for this shot."""
    number = state["shot_number"]
    answer = ask(f"Shot {number} is ready. Approve it, or tell me what to change.", [APPROVE])
    context = f"The Director showed shot {number} and asked the user to approve it or describe changes."
    if chose(answer, APPROVE) or ctx.planner.route(answer, context).intent == "approve":
        _approve(state, ctx)
        return {"outcome": _after_take(state)}
    decision = {"intent": "revise_shot", "shot_number": number, "feedback": answer, "reply": ""}
    return {"outcome": "revise", "decision": decision, "resume_loop": True}
