"""record: the take goes into the workspace (`register_take` moves the staged files in) and into the shot index.
The take it replaces stays indexed: retrieval only offers current takes, and a rollback can make it current again.

Idempotent across crashes: a take already registered for this generation (same generation id, e.g. killed
right after `register_take`) is found and not registered twice; staged files that are gone (e.g. a staging
folder removed by hand) send the shot back to `generate` instead of failing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from director.graph_state import DirectorContext, DirectorState, turn
from director.nodes import become_writer, emit
from director.nodes.retrieve import document_of
from director.nodes.shot_context import load_shot_context
from tools.takes import StagedTake
from workspace.crash_points import crash_point


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, number = state["project_id"], state["shot_number"]
    become_writer(ctx, pid)
    generated = state["generated"]
    staged = generated["take"]
    shot_ctx = load_shot_context(ctx, pid, number)
    current = shot_ctx.shot.current_take
    if current is not None and current.metadata.get("generation_id") == staged["generation_id"]:
        take_id, version = current.id, current.version
    elif not all(Path(path).is_file() for path in StagedTake.model_validate(staged).files()):
        emit("message", f"Shot {number}: its generated files are gone (interrupted run); generating it again.")
        return {"outcome": "regenerate", "generated": None}
    else:
        registered = ctx.tool(
            "register_take",
            project_id=pid,
            number=number,
            condition_id=state["condition"]["condition_id"],
            memory_sources=state.get("memory", []),
            **staged,
        )
        take_id, version = registered["take_id"], registered["version"]
    crash_point("record", number)
    ctx.index.upsert_take(
        pid, shot_ctx.shot.id, take_id, document_of(shot_ctx), {"shot_number": number, "version": version}
    )
    shutil.rmtree(Path(generated["staging"]), ignore_errors=True)
    text = f"Shot {number} is ready (take {version})."
    emit("shot_done", text, fraction=1.0, shot_number=number)
    return {"outcome": "recorded", "take_id": take_id, "messages": [turn("assistant", text)]}
