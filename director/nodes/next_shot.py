"""next_shot: the generation loop's cursor, read from the workspace every time so the loop is idempotent.

The next shot is the first (in order) without a current take, or a stale one when regenerating, or one the creator
asked to render again ('regenerate shot 3', 'regenerate all shots'); a run limited to some shots (the app's
Regenerate button renders exactly one) passes over the others. A take registered just before a crash therefore
counts as done, and a restarted run continues at the first unfinished shot.
"""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import become_writer, say
from director.nodes.revise import shot_list
from director.nodes.shot_context import plan_rows


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid = state["project_id"]
    include_stale = state.get("include_stale", False)
    regenerate = state.get("regenerate", [])
    only = set(state.get("only_shots") or [])
    with ctx.workspace.read_session() as session:
        shots = plan_rows(session, pid)
    total = len(shots)
    for number, shot in enumerate(shots, start=1):
        if only and shot.id not in only:
            continue
        asked = shot.id in regenerate
        if shot.current_take_id is None or (include_stale and shot.status == "stale") or asked:
            become_writer(ctx, pid)  # before anything is generated: a second writer is told who holds it
            return {
                "regenerate": [shot_id for shot_id in regenerate if shot_id != shot.id],
                "shot_number": number,
                "mode": "plan",
                "revision": None,
                "generated": None,
                "outcome": "shot",
                "retrieved": [],
                "memory": [],
            }
    if total == 0:
        return {"outcome": "done", "shot_number": None, **say("There are no shots to generate yet.")}
    finished = {"outcome": "done", "shot_number": None, "include_stale": False, "regenerate": [], "only_shots": []}
    if only:
        waiting = [n for n, shot in enumerate(shots, start=1) if shot.current_take_id is None or shot.status == "stale"]
        if not waiting:
            return finished
        return {**finished, **say(f"Still to render: {shot_list(waiting)}. Press Generate or say 'generate'.")}
    text = f"All {total} shots have a take. Review them, revise any shot with feedback, or export the film."
    return {**finished, **say(text, ["Export"])}
