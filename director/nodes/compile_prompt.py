"""compile: c_t = T(u_t, P_t, R_t) (paper Eq. 16): the shot's structured condition from the plan, the cards and
the story style, rendered into the training-aligned paragraph and recorded (`record_condition`)."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes.shot_context import load_shot_context
from director.prompt_fit import shot_condition
from generator.prompt import render_prompt

SEED_SPACE = 2**31


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, number = state["project_id"], state["shot_number"]
    shot_ctx = load_shot_context(ctx, pid, number)
    shot = shot_ctx.shot
    scene = shot_ctx.scene()
    style = shot_ctx.story.style if shot_ctx.story else ""
    condition = shot_condition(shot.model_dump(), shot_ctx.cast(ctx), scene, style)
    prompt = render_prompt(condition)
    retrieved = state.get("retrieved", [])
    revision = state.get("revision") or {}
    source = "revision" if state.get("mode") == "revise" else "compile"
    recorded_fields = {
        **condition.model_dump(
            mode="json", exclude={"characters": {"__all__": {"reference_image", "reference_audio"}}}
        ),
        "scene": scene.model_dump(mode="json"),
        "num_frames": shot.num_frames,
        "retrieved_take_ids": retrieved,
    }
    recorded = ctx.tool(
        "record_condition", project_id=pid, number=number, prompt=prompt, fields=recorded_fields, source=source
    )
    keep_seed = revision and not revision.get("new_seed", True) and shot.current_take is not None
    seed = shot.current_take.seed if keep_seed else (shot.id * 1009 + recorded["version"]) % SEED_SPACE
    return {
        "condition": {
            "condition_id": recorded["condition_id"],
            "prompt": prompt,
            "condition": condition.model_dump(mode="json"),
            "scene": scene.model_dump(mode="json"),
            "num_frames": shot.num_frames,
            "seed": seed,
            "language": shot_ctx.language,
        }
    }
