"""compile: c_t = T(u_t, P_t, R_t) (paper Eq. 16): the shot's structured condition from the plan, the cards and
the story style, rendered into the caption (generator/caption.py's contract) and recorded (`record_condition`).
A shot too short for its lines (the contract's speech budget, e.g. one planned with the tools) is lengthened first,
and the chat says so.

A prompt the creator wrote for the shot (Shot tab, Advanced) is sent instead of the compiled one for as long as
the shot's fields and cards still compile to what they did when it was written (`prompt_fit.written_prompt`);
it is recorded again with source "user", so every take made from it says so."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.shot_context import load_shot_context
from director.prompt_fit import WRITTEN_FOR, condition_record, frames_for_speech, shot_condition, written_prompt
from generator.caption import SPEECH_UNITS_PER_10_S
from generator.prompt import compose_prompt, render_prompt
from generator.types import FPS
from tools.undo import CRITIC
from workspace.queries import latest_condition

SEED_SPACE = 2**31


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, number = state["project_id"], state["shot_number"]
    shot_ctx = load_shot_context(ctx, pid, number)
    lengthened = _lengthen_for_speech(ctx, pid, number, shot_ctx.shot.model_dump())
    if lengthened:
        shot_ctx = load_shot_context(ctx, pid, number)
    shot = shot_ctx.shot
    scene = shot_ctx.scene()
    style = shot_ctx.story.style if shot_ctx.story else ""
    condition = shot_condition(shot.model_dump(), shot_ctx.cast(ctx), scene, style, shot_ctx.language)
    compiled = compose_prompt(condition)
    with ctx.workspace.read_session() as session:
        written = written_prompt(latest_condition(session, shot.id), compiled)
    prompt = written or render_prompt(condition)
    retrieved = state.get("retrieved", [])
    revision = state.get("revision") or {}
    recorded_fields = {**condition_record(condition, scene, shot.num_frames), "retrieved_take_ids": retrieved}
    if written:
        source, recorded_fields[WRITTEN_FOR] = "user", compiled
    else:
        source = "revision" if state.get("mode") == "revise" else "compile"
    recorded = ctx.tool(
        "record_condition", project_id=pid, number=number, prompt=prompt, fields=recorded_fields, source=source
    )
    # a new seed per condition version, unless a revision keeps the take's own; the critic's retry of a weak take
    # (`reseed`) always gets a new one
    reseed = number in state.get("reseed", [])
    keep_seed = revision and not revision.get("new_seed", True) and shot.current_take is not None and not reseed
    seed = shot.current_take.seed if keep_seed else (shot.id * 1009 + recorded["version"]) % SEED_SPACE
    told = say(lengthened) if lengthened else {}
    return {
        **told,
        "condition": {
            "condition_id": recorded["condition_id"],
            "prompt": prompt,
            "condition": condition.model_dump(mode="json"),
            "scene": scene.model_dump(mode="json"),
            "num_frames": shot.num_frames,
            "seed": seed,
            "language": shot_ctx.language,
        },
    }


def _lengthen_for_speech(ctx: DirectorContext, project_id: int, number: int, fields: dict[str, Any]) -> str:
    """Give the shot the length its dialogue needs under the speech budget (audited as the critic's change, so
    undo skips it like the critic's other fixes); what was done, or "" when it already fits. A shot whose lines no
    length can carry is left for the caption check to refuse with its remedy."""
    frames = frames_for_speech(fields)
    if frames is None or frames <= fields["num_frames"]:
        return ""
    ctx.tool("update_shot", project_id=project_id, number=number, num_frames=frames, actor=CRITIC)
    return (
        f"Shot {number}: its lines need more time than {fields['num_frames'] / FPS:.2f} s gives them (the model is "
        f"trained on at most {SPEECH_UNITS_PER_10_S} words per 10 s); lengthened it to {frames / FPS:.2f} s."
    )
