"""Preview backend speed: a 241-frame two-character shot with dialogue, encoding included, and KOK slot cost.

Run: .venv/bin/python -m bench.preview [--runs N]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from generator.memory import kok_slot
from generator.preview.renderer import PreviewGenerator
from generator.types import (
    CharacterInShot,
    DialogueLine,
    GeneratedShot,
    MemorySource,
    SceneInShot,
    ShotRequest,
)

REAL_TIME_S = 241 / 25


def bench_request(width: int, height: int) -> ShotRequest:
    return ShotRequest(
        prompt="ID_A and ID_B argue in a cafe at night.",
        characters=[
            CharacterInShot(
                id="ID_A",
                name="Mara",
                identity="A 30-year-old woman with long red hair",
                clothing="a green coat",
                voice="a bright, quick female voice",
            ),
            CharacterInShot(
                id="ID_B",
                name="Tom",
                identity="A tall bearded man",
                clothing="a blue shirt",
                voice="a deep, slow male voice",
            ),
        ],
        dialogue=[
            DialogueLine(speaker="ID_A", text="You came back. I really did not think you would."),
            DialogueLine(speaker="ID_B", text="I promised, didn't I? Sit down, the coffee is getting cold."),
            DialogueLine(speaker="ID_A", text="Fine. Tell me everything."),
        ],
        scene=SceneInShot(id="S1", name="Cafe", description="a small cafe at night, rain outside"),
        camera="medium shot, slow push in",
        sound_effects="cafe chatter, rain on the windows",
        music="soft melancholic piano",
        num_frames=241,
        width=width,
        height=height,
        seed=1,
    )


def time_shot(generator: PreviewGenerator, width: int, height: int, runs: int, folder: Path) -> GeneratedShot:
    request = bench_request(width, height)
    generator.generate(request, [], out_dir=folder / "warmup")  # voices calibrated, caches warm
    seconds, shot = [], None
    for run in range(runs):
        started = time.perf_counter()
        shot = generator.generate(request, [], out_dir=folder / f"{width}-{run}")
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    print(
        f"preview {width}x{height}, 241 frames + dialogue + encode: {median:.2f} s per shot "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {runs} runs) = {REAL_TIME_S / median:.1f}x real time"
    )
    return shot


def time_kok(shot: GeneratedShot, runs: int) -> None:
    source = MemorySource(kind="take", take_id=1, shot_number=1)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        kok_slot(shot, "SHOT_1", source)
        seconds.append(time.perf_counter() - started)
    print(
        f"KOK slot from a 241-frame shot (frames in memory): {statistics.median(seconds) * 1000:.1f} ms median "
        f"of {runs}"
    )
    on_disk = shot.model_copy(update={"frames": None, "audio": None})
    seconds = []
    for _ in range(max(1, runs // 2)):
        started = time.perf_counter()
        kok_slot(on_disk, "SHOT_1", source)
        seconds.append(time.perf_counter() - started)
    print(f"KOK slot from the files on disk (wav read + 9-frame decode): {statistics.median(seconds) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as folder:
        generator = PreviewGenerator()
        shot = time_shot(generator, 640, 384, args.runs, Path(folder))
        time_shot(generator, 1280, 736, args.runs, Path(folder))
        time_kok(shot, 9)


if __name__ == "__main__":
    main()
