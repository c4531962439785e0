"""export: hand the finished takes to the exporter (workspace/export.py) and report where the film is."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import emit, say
from workspace.export import default_export_dir, export_project


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid = state["project_id"]
    out_dir = default_export_dir(ctx.workspace, pid)

    def progress(fraction: float, step: str) -> None:
        emit("progress", f"Export: {step}", fraction=fraction)

    result = export_project(ctx.workspace, pid, out_dir, progress=progress)
    return say(f"Exported {result.shot_count} shots ({result.duration_s:.1f} s) to {result.film}.")
