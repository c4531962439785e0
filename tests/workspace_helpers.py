"""Helpers for tests that drive the workspace through its tools (import: `from workspace_helpers import ...`)."""

from __future__ import annotations

from typing import Any

from tools.base import Toolbox
from workspace.db import Workspace


def ok(toolbox: Toolbox, tool_name: str, /, **args: Any) -> dict[str, Any]:
    result = toolbox.call(tool_name, args)
    assert result.ok, result.message
    return result.data


def stage(workspace: Workspace, *names: str) -> dict[str, str]:
    folder = workspace.media.staging_dir()
    paths = {}
    for name in names:
        (folder / name).write_bytes(f"content of {name}".encode())
        paths[name] = str(folder / name)
    return paths


def take_args(workspace: Workspace, project_id: int, number: int, **extra: Any) -> dict[str, Any]:
    files = stage(workspace, "shot.mp4", "shot.wav", "k0.png", "kok.png", "kok.wav")
    args = {
        "project_id": project_id,
        "number": number,
        "backend": "preview",
        "seed": 7,
        "video": files["shot.mp4"],
        "audio": files["shot.wav"],
        "keyframes": [files["k0.png"], files["kok.png"]],
        "kok_key_frame": files["kok.png"],
        "kok_audio": files["kok.wav"],
        "memory_window": {"start_s": 0.5, "end_s": 2.0, "frame_index": 30},
        "dialogue_timings": [{"speaker": "ID_A", "text": "Hi", "start_s": 0.1, "end_s": 0.9}],
        "num_frames": 49,
        "width": 640,
        "height": 384,
        "sample_rate": 16000,
    }
    return args | extra
