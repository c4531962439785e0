"""Export speed: 30 preview shots at 640x384 joined into one film (target <= 10 s on the stream-copy path).

The 30 takes are rendered once with the preview backend and cached in bench/out/export/takes/; every run
registers copies of them in a fresh home and times only `export_project`. Prints the median of the runs and
where the time goes.

    .venv/bin/python -m bench.export [--runs 3] [--shots 30]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

from bench.director import call
from generator.preview.renderer import PreviewGenerator
from generator.types import CharacterInShot, DialogueLine, SceneInShot, ShotRequest
from tools.base import Toolbox
from workspace.db import open_workspace
from workspace.export import export_project

OUT = Path(__file__).resolve().parent / "out" / "export"
WIDTH, HEIGHT = 640, 384
FRAME_COUNTS = (97, 121, 145)
CAST = [
    CharacterInShot(id="ID_A", name="Mara", identity="A tall woman in her thirties with short black hair.",
                    clothing="She wears a yellow raincoat.", voice="A calm, low female voice."),
    CharacterInShot(id="ID_B", name="Tomas", identity="An old man with a white beard.",
                    clothing="He wears a navy wool sweater.", voice="A deep, slow male voice."),
]  # fmt: skip
SCENES = [
    SceneInShot(id="S1", name="Harbour", description="A small harbour at sunset, orange light on the water."),
    SceneInShot(id="S2", name="Lamp room", description="The lamp room of a lighthouse at night, warm interior."),
    SceneInShot(id="S3", name="Cliff path", description="A windy cliff path in grey morning light."),
]
LINES = ["The storm is coming in fast.", "Then we light the lamp early.", "Do you hear the bell?",
         "Only the wind, nothing more.", "Hold the rail and keep walking."]  # fmt: skip


def shot_request(index: int) -> ShotRequest:
    speaker = CAST[index % 2]
    return ShotRequest(
        prompt=f"Shot {index + 1}: {speaker.name} speaks.",
        characters=CAST,
        action="At normal speed, they talk by the water.",
        dialogue=[DialogueLine(speaker=speaker.id, text=LINES[index % len(LINES)])],
        scene=SCENES[(index // 4) % len(SCENES)],
        camera=["static", "slow pan left", "dolly in"][index % 3],
        music="a soft piano theme" if index % 2 else "",
        num_frames=FRAME_COUNTS[index % len(FRAME_COUNTS)],
        width=WIDTH,
        height=HEIGHT,
        seed=index,
    )


def cached_takes(count: int) -> list[dict]:
    """Render (once) and return [{video, audio, request, take facts}] for `count` shots."""
    takes_dir = OUT / "takes"
    index_path = takes_dir / "index.json"
    if index_path.is_file():
        cached = json.loads(index_path.read_text())
        if len(cached) >= count and all((takes_dir / t["video"]).is_file() for t in cached[:count]):
            return cached[:count]
    shutil.rmtree(takes_dir, ignore_errors=True)
    takes_dir.mkdir(parents=True)
    generator = PreviewGenerator()
    entries = []
    started = time.perf_counter()
    for index in range(count):
        request = shot_request(index)
        shot = generator.generate(request, [], None, takes_dir / f"render-{index:02d}")
        video, audio = f"shot-{index:02d}.mp4", f"shot-{index:02d}.wav"
        shutil.move(shot.video_path, takes_dir / video)
        shutil.move(shot.audio_path, takes_dir / audio)
        shutil.rmtree(takes_dir / f"render-{index:02d}", ignore_errors=True)
        entries.append({
            "video": video, "audio": audio, "scene_id": request.scene.id, "num_frames": shot.num_frames,
            "sample_rate": shot.sample_rate, "seed": shot.seed,
            "dialogue": [line.model_dump() for line in request.dialogue],
            "dialogue_timings": [timing.model_dump() for timing in shot.dialogue_timings],
        })  # fmt: skip
        print(f"rendered shot {index + 1}/{count}", end="\r", flush=True)
    print(f"rendered {count} preview shots in {time.perf_counter() - started:.1f} s (cached in {takes_dir})")
    shutil.rmtree(OUT / "render-home", ignore_errors=True)
    index_path.write_text(json.dumps(entries, indent=1))
    return entries


def fresh_project(home: Path, takes: list[dict]) -> tuple[object, int]:
    shutil.rmtree(home, ignore_errors=True)
    workspace = open_workspace(home)
    toolbox = Toolbox(workspace, actor="bench")
    project_id = call(toolbox, "create_project", title="Export bench")["project_id"]
    call(toolbox, "write_story", project_id=project_id, title="The Lighthouse", description="A stormy night.")
    for card in CAST:
        call(toolbox, "add_character", project_id=project_id, name=card.name, identity=card.identity)
    for scene in SCENES:
        call(toolbox, "add_scene", project_id=project_id, name=scene.name, description=scene.description)
    plan = [{"scene_id": t["scene_id"], "characters": ["ID_A", "ID_B"], "num_frames": t["num_frames"],
             "dialogue": t["dialogue"]} for t in takes]  # fmt: skip
    call(toolbox, "set_shot_plan", project_id=project_id, shots=plan)
    for number, take in enumerate(takes, start=1):
        staging = workspace.media.staging_dir()
        video, audio = staging / "shot.mp4", staging / "shot.wav"
        shutil.copyfile(OUT / "takes" / take["video"], video)
        shutil.copyfile(OUT / "takes" / take["audio"], audio)
        call(toolbox, "register_take",
            project_id=project_id, number=number, backend="preview", seed=take["seed"],
            video=str(video), audio=str(audio), dialogue_timings=take["dialogue_timings"],
            num_frames=take["num_frames"], width=WIDTH, height=HEIGHT, sample_rate=take["sample_rate"],
        )  # fmt: skip
    return workspace, project_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shots", type=int, default=30)
    args = parser.parse_args()
    takes = cached_takes(args.shots)
    workspace, project_id = fresh_project(OUT / "home", takes)
    seconds, phases = [], []
    for _ in range(args.runs):
        marks: list[tuple[float, str]] = []
        started = time.perf_counter()
        result = export_project(
            workspace,
            project_id,
            OUT / "film",
            progress=lambda _f, step, marks=marks: marks.append((time.perf_counter(), step)),
        )
        seconds.append(time.perf_counter() - started)
        phases.append([(step, mark - started) for mark, step in marks])
    workspace.close()
    film_s = result.duration_s
    median = statistics.median(seconds)
    print(f"export of {result.shot_count} preview shots at {WIDTH}x{HEIGHT} ({film_s:.1f} s of film, "
          f"video {'re-encoded' if result.video_reencoded else 'stream-copied'})")  # fmt: skip
    print(f"  export time: median {median:.2f} s over {args.runs} runs ({', '.join(f'{s:.2f}' for s in seconds)}); "
          f"{film_s / median:.0f}x real time; target <= 10 s: {'met' if median <= 10 else 'MISSED'}")  # fmt: skip
    # Where the time of the median run went: each step at its last report ("copied shot N" counts as one step).
    steps: dict[str, float] = {}
    for step, at in phases[seconds.index(median)] if median in seconds else phases[-1]:
        steps["copying the shot files" if step.startswith("copied shot") else step] = at
    last = 0.0
    for step, at in steps.items():
        print(f"  {at:6.2f} s (+{at - last:5.2f})  {step}")
        last = at


if __name__ == "__main__":
    main()
