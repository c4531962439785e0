"""Attach an uploaded reference (face image or voice sample) to a character card: the checked, re-encoded copy is
stored by `workspace.uploads`, then the `update_character` tool points the card at it."""

from __future__ import annotations

from pathlib import Path

from tools.base import Toolbox, ToolResult
from workspace.db import Workspace
from workspace.project_view import load_project_state
from workspace.uploads import UploadKind, store_reference


def attach_reference(
    workspace: Workspace, project_id: int, char_id: str, source: str | Path, kind: UploadKind
) -> ToolResult:
    """Store an uploaded reference and point the character card at it; nothing stays behind when that fails."""
    load_project_state(workspace, project_id).character(char_id)
    relative = store_reference(workspace, project_id, source, kind)
    field = "reference_image" if kind == "image" else "reference_audio"
    result = Toolbox(workspace, actor="user").call(
        "update_character", {"project_id": project_id, "char_id": char_id, field: relative}
    )
    if not result.ok:
        workspace.media.resolve(relative).unlink(missing_ok=True)
    return result
