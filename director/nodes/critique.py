"""critique: checks after every take, then acting on what they find (paper Sec. 5.4).

The planner's critic (`Planner.critique`, once per take) produces the findings: every planner runs the
deterministic checks (director/offline/critique.py: measured speech overflow, card anchors, at most two people,
the prompt limit, a music statement), the LLM planner adds the model's review. Speech that overflows the shot
lengthens it (`update_shot`) and regenerates it once. A critic verdict with a fix (a `ShotEdit`) is applied and
the shot regenerated once per run; the take after that is kept, with its findings reported. In review mode the
creator sees the findings and the fix and chooses. Each take's findings and the action taken are recorded on it
(`record_critique`). With measuring on (`Settings.measures_takes`), the take is measured first and a weak one
regenerated with a new seed, best of N (`best_take.best_of`); the planner's critique sees the take kept, and the
review question shows its scores.
"""

from __future__ import annotations

import math
from typing import Any

from director.briefs import load_shot_brief, project_brief, route_message
from director.graph_state import DirectorContext, DirectorState
from director.nodes import ask, chose, say
from director.nodes.best_take import best_of
from director.prompt_fit import ShotCards, prompt_overflow, speech_over_budget
from director.schemas import CritiqueVerdict, ShotEdit
from director.shot_edits import shot_edit_changes
from generator.errors import EchoError
from generator.types import FPS, MAX_FRAMES, valid_frame_counts
from tools.critique import CritiqueAction
from tools.undo import CRITIC
from workspace.project_view import ProjectState, load_project_state

APPROVE, APPLY_FIX = "Approve", "Apply fix"
OVERFLOW_MARGIN_S = 0.3


def frames_to_fit(num_frames: int, overflow_s: float) -> int:
    """The shortest valid frame count that holds the shot plus its overflowing speech (capped at 241)."""
    needed = math.ceil((num_frames / FPS + overflow_s + OVERFLOW_MARGIN_S) * FPS)
    return next((count for count in valid_frame_counts() if count >= needed), MAX_FRAMES)


def _after_take(state: DirectorState) -> str:
    return "revised" if state.get("mode") == "revise" else "next"


def _approve(state: DirectorState, ctx: DirectorContext) -> None:
    ctx.tool("approve_take", project_id=state["project_id"], take_id=state["take_id"])


def _record(
    state: DirectorState, ctx: DirectorContext, findings: list[str], action: CritiqueAction, fix: ShotEdit | None
) -> None:
    ctx.tool(
        "record_critique",
        project_id=state["project_id"],
        take_id=state["take_id"],
        findings=findings,
        action=action,
        fix=fix.model_dump(exclude_none=True) if fix else None,
    )


def _listing(findings: list[str]) -> str:
    return "; ".join(finding.strip().rstrip(".") for finding in findings)


def _describe_fix(fix: ShotEdit) -> str:
    """The fix as the creator reads it: 'camera: "slow dolly in"; duration: 3 s'."""
    parts = []
    for name, value in fix.model_dump(exclude_none=True).items():
        if name == "dialogue":
            text = " / ".join(f'{line["speaker"]}: "{line["text"]}"' for line in value) or "none"
        elif name == "characters":
            text = ", ".join(value) or "nobody"
        elif name == "duration_s":
            text = f"{value:g} s"
        else:
            text = f'"{value}"'
        parts.append(f"{'duration' if name == 'duration_s' else name.replace('_', ' ')}: {text}")
    return "; ".join(parts)


def _apply_fix(ctx: DirectorContext, project_id: int, number: int, fix: ShotEdit) -> None:
    """Change the shot as the fix says. EchoError, with nothing changed, when the fix names someone or somewhere
    unknown, changes nothing, would put the prompt over the limit, or the tool refuses it. Names resolve against
    the whole cast, so a fix may bring in a character who is not in the shot yet."""
    project = load_project_state(ctx.workspace, project_id)
    shot, brief = project.shot(number), project_brief(project)
    changes = shot_edit_changes(fix, brief.characters, brief.scenes, shot.characters)
    changes = {field: value for field, value in changes.items() if getattr(shot, field) != value}
    if not changes:
        raise EchoError("it changes nothing in the shot")
    _check_prompt_fits(project, number, {**shot.model_dump(), **changes})
    ctx.tool("update_shot", project_id=project_id, number=number, actor=CRITIC, **changes)


def _check_prompt_fits(project: ProjectState, number: int, fields: dict[str, Any]) -> None:
    overflow = prompt_overflow(number, fields, ShotCards.of(project))
    if overflow is not None:
        raise EchoError(
            f"the shot's prompt would be {overflow.prompt_chars} characters, over the {overflow.limit}-character limit"
        )
    if problem := speech_over_budget(fields):
        raise EchoError(problem)


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    number = state["shot_number"]
    generated = state["generated"]["take"]
    overflow = generated["speech_overflow_s"]
    frames = frames_to_fit(generated["num_frames"], overflow) if overflow > 0 else 0
    if frames > generated["num_frames"] and number not in state.get("extended", []):
        return _lengthen(state, ctx, overflow, frames)
    measured: dict[str, Any] = {"critic_scores": ""}
    if ctx.settings.measures_takes:
        measured = best_of(state, ctx)
        if measured.get("outcome") == "retry":
            return measured
        state = {**state, **measured}  # the kept take may be an earlier one
    return _with_messages(measured, _judge(state, ctx))


def _with_messages(first: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """Two state updates of one node as one: `then` wins, the chat lines of both are kept in order."""
    return {**first, **then, "messages": [*first.get("messages", []), *then.get("messages", [])]}


def _judge(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """The planner's critique of the kept take, then acting on it (or putting it to the creator)."""
    verdict = ctx.planner.critique(load_shot_brief(ctx, state["project_id"], state["shot_number"]))
    findings = [] if verdict.ok else verdict.issues  # every planner's critique runs the deterministic checks
    fix = _fix_of(verdict)
    if ctx.settings.review_mode and not state.get("auto_approve"):
        if findings or fix:
            _record(state, ctx, findings, "ask", fix)
        critic = {
            "findings": findings,
            "fix": fix.model_dump(exclude_none=True) if fix else None,
            "scores": state.get("critic_scores", ""),
        }
        return {"outcome": "review", "critic": critic}
    return _act(state, ctx, findings, fix)


def _lengthen(state: DirectorState, ctx: DirectorContext, overflow: float, frames: int) -> dict[str, Any]:
    """Speech ran past the end: lengthen the shot to hold it and regenerate (once per shot)."""
    number = state["shot_number"]
    ctx.tool("update_shot", project_id=state["project_id"], number=number, num_frames=frames, actor=CRITIC)
    found = f"the dialogue ran {overflow:.1f} s past the end"
    _record(state, ctx, [found], "regenerate", ShotEdit(duration_s=round(frames / FPS, 2)))
    text = f"Shot {number}: {found}; lengthened the shot to {frames / FPS:.2f} s and regenerating it."
    return {"outcome": "retry", "extended": [*state.get("extended", []), number], **say(text)}


def _fix_of(verdict: CritiqueVerdict) -> ShotEdit | None:
    """The verdict's fix, when it found a problem and proposes a change."""
    return None if verdict.ok or verdict.fix is None or verdict.fix.is_empty() else verdict.fix


def _act(state: DirectorState, ctx: DirectorContext, findings: list[str], fix: ShotEdit | None) -> dict[str, Any]:
    """Without a reviewer: apply the critic's fix and regenerate once per run, else keep the take and report."""
    pid, number = state["project_id"], state["shot_number"]
    fixed = state.get("critic_fixed", [])
    text = f"Shot {number} check: {_listing(findings) or 'the critic proposes a change'}" if findings or fix else ""
    if fix is not None and number not in fixed:
        try:
            _apply_fix(ctx, pid, number, fix)
        except EchoError as error:
            text += f". The critic's fix ({_describe_fix(fix)}) could not be applied: {error}. Keeping this take."
        else:
            _record(state, ctx, findings, "regenerate", fix)
            text += f". Changed the shot ({_describe_fix(fix)}) and regenerating it."
            return {"outcome": "retry", "critic_fixed": [*fixed, number], **say(text)}
    elif fix is not None:
        text += ". It was already regenerated once with the critic's fix, so this take is kept."
    if text:
        _record(state, ctx, findings, "kept", fix)
    if state.get("auto_approve"):
        _approve(state, ctx)
    update = say(text) if text else {}
    return {**update, "outcome": _after_take(state), "critic_fixed": [n for n in fixed if n != number]}


def _review_question(number: int, critic: dict[str, Any]) -> str:
    question = f"Shot {number} is ready."
    if critic.get("scores"):
        question += f" {critic['scores'].rstrip('.')}."
    if critic.get("findings"):
        question += f" The check found: {_listing(critic['findings'])}."
    if critic.get("fix"):
        fix = _describe_fix(ShotEdit.model_validate(critic["fix"]))
        return f"{question} Proposed fix: {fix}. Apply the fix, approve it, or tell me what to change."
    return f"{question} Approve it, or tell me what to change."


def review(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """Human review of the take: apply the critic's fix, approve it, or the answer becomes revision feedback."""
    number = state["shot_number"]
    critic = state.get("critic") or {}
    fix = ShotEdit.model_validate(critic["fix"]) if critic.get("fix") else None
    question = _review_question(number, critic)
    answer = ask(question, [APPLY_FIX, APPROVE] if fix else [APPROVE])
    if fix is not None and chose(answer, APPLY_FIX):
        return _apply_reviewed_fix(state, ctx, critic.get("findings", []), fix)
    if chose(answer, APPROVE) or route_message(ctx, state, answer, pending_question=question).intent == "approve":
        _approve(state, ctx)
        return {"outcome": _after_take(state)}
    decision = {"intent": "revise_shot", "shot_number": number, "feedback": answer, "reply": ""}
    return {"outcome": "revise", "decision": decision, "resume_loop": True}


def _apply_reviewed_fix(
    state: DirectorState, ctx: DirectorContext, findings: list[str], fix: ShotEdit
) -> dict[str, Any]:
    """The creator chose the fix: apply it and regenerate; a fix that cannot be applied is reported and the take
    is put to the creator again, without the fix."""
    number = state["shot_number"]
    try:
        _apply_fix(ctx, state["project_id"], number, fix)
    except EchoError as error:
        text = f"The fix ({_describe_fix(fix)}) could not be applied: {error}. Shot {number} keeps this take."
        critic = {"findings": findings, "fix": None, "scores": (state.get("critic") or {}).get("scores", "")}
        return {"outcome": "review", "critic": critic, **say(text)}
    _record(state, ctx, findings, "accepted", fix)
    return {"outcome": "retry", **say(f"Changed shot {number} ({_describe_fix(fix)}) and regenerating it.")}
