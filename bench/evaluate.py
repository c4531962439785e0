"""Evaluation speed: `evaluate_project` on a 12-shot preview project at the app's default size (640x384), target
under 60 s on 2 cores. Prints the wall time, where it went (per stage and per metric) and the summary line.

The project is built once with the real preview backend under bench/out/evaluate/home and reused: two
characters (Mara with a reference face photo, scikit-image's bundled astronaut; Tomas drawn), three scenes,
close-up, medium and wide shots, one or two lines a shot. `build_project` is also what the evaluation tests use.

    .venv/bin/python -m bench.evaluate [--shots 12] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from generator.preview.renderer import PreviewGenerator
from generator.types import CharacterInShot, DialogueLine, SceneInShot, ShotRequest
from tools.base import Toolbox
from tools.references import attach_reference
from workspace.db import Workspace, open_workspace
from workspace.project_view import load_project_state

OUT = Path(__file__).resolve().parent / "out" / "evaluate"
WIDTH, HEIGHT, FRAMES = 640, 384, 121
CAST = [
    ("Mara", "A woman in her thirties with short brown hair.", "A bright, clear female voice."),
    ("Tomas", "An old man with a white beard.", "A deep, slow male voice."),
]
SCENES = [("Harbour", "A small harbour at sunset."), ("Lamp room", "The lamp room of a lighthouse at night.")]
LINES = [
    "We need to find the old map before the sun goes down.",
    "The boat is ready and the water is calm tonight.",
    "I will wait for you here until the morning comes.",
    "Look at the light on the water, it is so bright.",
]
CAMERAS = ["close-up", "medium shot", "static wide shot"]


def face_photo(folder: Path) -> Path:
    """A real face photo that ships inside a wheel (scikit-image's astronaut, Eileen Collins), cropped to her face."""
    from skimage.data import astronaut

    path = folder / "face.png"
    Image.fromarray(np.ascontiguousarray(astronaut()[20:220, 120:320])).save(path)
    return path


def build_project(home: Path, shots: int, width: int = WIDTH, height: int = HEIGHT, frames: int = FRAMES) -> int:
    """A rendered preview project in `home`; returns its id. Shot n: scene n // 4 (so consecutive shots share a
    scene), camera n % 3, Mara speaks in every shot and Tomas in every second one."""
    workspace = open_workspace(home)
    try:
        return _build(workspace, shots, width, height, frames)
    finally:
        workspace.close()


def _call(toolbox: Toolbox, tool_name: str, /, **args: Any) -> dict[str, Any]:
    result = toolbox.call(tool_name, args)
    if not result.ok:
        raise RuntimeError(f"{tool_name}: {result.message}")
    return result.data


def _build(workspace: Workspace, shots: int, width: int, height: int, frames: int) -> int:
    toolbox = Toolbox(workspace, actor="bench")
    pid = _call(toolbox, "create_project", title="Evaluation bench")["project_id"]
    for name, identity, voice in CAST:
        _call(toolbox, "add_character", project_id=pid, name=name, identity=identity, voice=voice)
    for name, description in SCENES:
        _call(toolbox, "add_scene", project_id=pid, name=name, description=description)
    photo = face_photo(workspace.media.staging_dir())
    assert attach_reference(workspace, pid, "ID_A", photo, "image").ok
    plan = [_shot_plan(number, frames) for number in range(shots)]
    _call(toolbox, "set_shot_plan", project_id=pid, shots=plan)
    state = load_project_state(workspace, pid)
    cards = {
        card.char_id: CharacterInShot(
            id=card.char_id, name=card.name, identity=card.identity, voice=card.voice,
            reference_image=str(workspace.media.resolve(card.reference_image)) if card.reference_image else None,
        )
        for card in state.characters
    }  # fmt: skip
    generator = PreviewGenerator()
    for shot in state.shots:
        request = ShotRequest(
            prompt=f"Shot {shot.number}.", characters=[cards[c] for c in shot.characters],
            dialogue=[DialogueLine(**line) for line in shot.dialogue], camera=shot.camera,
            scene=SceneInShot(id=shot.scene_id, name=state.scene(shot.scene_id).name),
            num_frames=frames, width=width, height=height, seed=shot.number, sound_effects="", music="none",
        )  # fmt: skip
        rendered = generator.generate(request, [], None, workspace.media.staging_dir())
        memory = [{"label": c, "kind": "card", "card_id": c} for c in shot.characters]
        if shot.number > 1:
            memory.append({"label": "PREVIOUS_SHOT", "kind": "take", "shot_number": shot.number - 1})
        _call(
            toolbox, "register_take", project_id=pid, number=shot.number, backend=rendered.backend,
            seed=rendered.seed, video=str(rendered.video_path), audio=str(rendered.audio_path),
            dialogue_timings=[t.model_dump() for t in rendered.dialogue_timings], num_frames=rendered.num_frames,
            fps=rendered.fps, width=rendered.width, height=rendered.height, sample_rate=rendered.sample_rate,
            memory_sources=memory,
        )  # fmt: skip
    return pid


def _shot_plan(number: int, frames: int) -> dict[str, Any]:
    dialogue = [{"speaker": "ID_A", "text": LINES[number % len(LINES)]}]
    if number % 2:
        dialogue.append({"speaker": "ID_B", "text": LINES[(number + 1) % len(LINES)]})
    return {
        "scene_id": f"S{number // 4 % len(SCENES) + 1}",
        "characters": ["ID_A", "ID_B"],
        "dialogue": dialogue,
        "camera": CAMERAS[number % len(CAMERAS)],
        "num_frames": frames,
    }


def main() -> None:
    from director.evaluation import evaluate_project

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shots", type=int, default=12)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    home = OUT / f"home-{args.shots}"
    if args.rebuild or not (home / "built").exists():
        shutil.rmtree(home, ignore_errors=True)
        started = time.perf_counter()
        build_project(home, args.shots)
        (home / "built").touch()
        print(
            f"built {args.shots} shots at {WIDTH}x{HEIGHT}, {FRAMES} frames, in {time.perf_counter() - started:.1f} s"
        )
    workspace = open_workspace(home)
    try:
        started = time.perf_counter()
        result = evaluate_project(workspace, 1, OUT / "report")
        wall = time.perf_counter() - started
    finally:
        workspace.close()
    print(f"evaluate_project: {wall:.1f} s for {args.shots} shots (target < 60 s); load average {_load()}")
    for stage, seconds in result.seconds.items():
        print(f"  stage {stage:<8} {seconds:6.1f} s")
    print("  measurements, summed over the takes (the processes run side by side):")
    for name, seconds in sorted(result.measure_seconds.items(), key=lambda item: -item[1]):
        print(f"    {name:<20} {seconds:6.1f} s")
    print(result.film.summary)
    print(f"report: {result.html_path}")


def _load() -> str:
    """The 1-, 5- and 15-minute load averages (other jobs slow the bench down)."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
