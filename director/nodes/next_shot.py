"""next_shot: the generation loop's cursor, read from the workspace every time so the loop is idempotent.

The next shot is the first (in order) without a current take, or a stale one when regenerating. A take
registered just before a crash therefore counts as done, and a restarted run continues at the first
unfinished shot.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.shot_context import plan_rows
from workspace.db import Workspace

OWNER_FILE = "director-owner.json"


def claim_staging(workspace: Workspace, project_id: int, shot_number: int) -> Any:
    """A fresh staging folder tagged with its project, so a crashed attempt's files can be found and removed."""
    folder = workspace.media.staging_dir()
    (folder / OWNER_FILE).write_text(json.dumps({"project_id": project_id, "shot_number": shot_number}))
    return folder


def clean_crashed_staging(workspace: Workspace, project_id: int) -> int:
    """Remove staging folders left by interrupted generations of this project (registered takes moved theirs)."""
    root = workspace.media.staging_root
    removed = 0
    for owner in root.glob(f"*/{OWNER_FILE}") if root.is_dir() else []:
        try:
            if json.loads(owner.read_text()).get("project_id") == project_id:
                shutil.rmtree(owner.parent)
                removed += 1
        except (OSError, ValueError):
            continue
    return removed


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid = state["project_id"]
    clean_crashed_staging(ctx.workspace, pid)
    include_stale = state.get("include_stale", False)
    with ctx.workspace.read_session() as session:
        shots = plan_rows(session, pid)
    total = len(shots)
    for number, shot in enumerate(shots, start=1):
        if shot.current_take_id is None or (include_stale and shot.status == "stale"):
            return {
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
    text = f"All {total} shots have a take. Review them, revise any shot with feedback, or export the film."
    return {"outcome": "done", "shot_number": None, "include_stale": False, **say(text, ["Export"])}
