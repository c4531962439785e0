"""`echo-director evaluate PROJECT [--out DIR]`: measure the film (voice, speech, faces, lip sync, shot
similarity) and write evaluation.json and an HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

from director.evaluation import evaluate_project
from director.settings import Settings, open_home


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """`echo-director evaluate PROJECT [--out DIR]`."""
    workspace = open_home(settings)
    try:
        result = evaluate_project(
            workspace, args.project, Path(args.out) if args.out else None,
            progress=lambda fraction, message: print(f"[{fraction:4.0%}] {message}", flush=True),
        )  # fmt: skip
    finally:
        workspace.close()
    print(result.film.summary)
    print(f"evaluation: {result.json_path}")
    print(f"report: {result.html_path}")
    print(f"done in {sum(result.seconds.values()):.1f} s")
    return 0
