"""`echo-director export PROJECT --out DIR [--force]`: the finished film and its files for editors."""

from __future__ import annotations

import argparse
from pathlib import Path

from director.settings import Settings, open_home
from workspace.export import export_project
from workspace.project_view import resolve_project


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """`echo-director export PROJECT --out DIR [--force]`."""
    workspace = open_home(settings)
    try:
        project_id = resolve_project(workspace, args.project)
        result = export_project(
            workspace, project_id, Path(args.out), force=args.force,
            progress=lambda fraction, message: print(f"[{fraction:4.0%}] {message}", flush=True),
        )  # fmt: skip
    finally:
        workspace.close()
    mode = "re-encoded" if result.video_reencoded else "stream-copied"
    print(f"film: {result.film} ({result.duration_s:.2f} s, {result.shot_count} shots, video {mode})")
    for skipped in result.skipped:
        print(f"skipped shot {skipped.number}: {skipped.reason}")
    print(f"files in {result.out_dir}: {', '.join(result.files)}")
    print(f"done in {result.elapsed_s:.1f} s")
    return 0
