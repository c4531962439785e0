"""Per-shot Director overhead, excluding LLM and generator time: retrieve + compile + memory + record, at 30 and
at 1,000 shots of history (targets <= 100 ms and <= 200 ms).

The history is synthetic: shot rows and takes (copies of one real preview shot, with its KOK files) are written
straight into a temporary workspace and indexed, which is much faster than generating them. The measured shots
then run through the real graph (offline planner, SQLite checkpoints, Chroma retrieval, KOK memory loading,
`register_take`); the generator only copies a pre-rendered shot, and its time is left out of the figures.

    .venv/bin/python -m bench.director [--history 30 1000] [--measure 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from director import graph
from director.graph_state import DirectorContext, DirectorState
from director.session import DirectorSession
from director.settings import Settings, open_home
from generator.preview.renderer import PreviewGenerator
from generator.prompt import ShotCondition, build_request
from generator.types import GeneratedShot, MemorySlot, ProgressCallback, SceneInShot, ShotRequest
from tools.base import Toolbox
from workspace.db import Workspace
from workspace.index import ShotIndex
from workspace.models import ShotPlan, Take

MEASURED_STAGES = ("retrieve", "compile_prompt", "memory", "record")
WIDTH, HEIGHT, FRAMES = 320, 192, 121
SCENES = [
    ("Library", "castle library", "night"),
    ("Harbour", "stone harbour", "dawn"),
    ("Forest", "pine forest", "dusk"),
]
ACTIONS = ["opens an old book", "walks to the window", "reads a map aloud", "looks at the sea", "lights a candle"]


class CopyGenerator:
    """Returns a pre-rendered shot (copied into the staging folder) so only the Director's own work is timed."""

    name = "preview"

    def __init__(self, template: GeneratedShot) -> None:
        self.template = template
        self.seconds: list[float] = []

    def generate(
        self,
        request: ShotRequest,
        memory: Sequence[MemorySlot],
        progress: ProgressCallback | None = None,
        out_dir: Path | None = None,
    ) -> GeneratedShot:
        started = time.perf_counter()
        assert out_dir is not None
        video = Path(shutil.copy(self.template.video_path, out_dir / "shot.mp4"))
        audio = Path(shutil.copy(self.template.audio_path, out_dir / "shot.wav"))
        shot = self.template.model_copy(update={"video_path": video, "audio_path": audio, "seed": request.seed})
        self.seconds.append(time.perf_counter() - started)
        return shot


def render_template(folder: Path) -> GeneratedShot:
    condition = ShotCondition(
        characters=[],
        action="The sea rolls in under a grey sky.",
        background="A stone harbour at dawn.",
        music="a slow cello",
    )
    request = build_request(
        condition, num_frames=FRAMES, width=WIDTH, height=HEIGHT, seed=1, scene=SceneInShot(id="S2", name="Harbour")
    )
    return PreviewGenerator().generate(request, [], None, folder)


def call(toolbox: Toolbox, tool_name: str, /, **args: Any) -> dict[str, Any]:
    result = toolbox.call(tool_name, args)
    if not result.ok:
        raise SystemExit(f"{tool_name}: {result.message}")
    return result.data


def build_history(settings: Settings, template: GeneratedShot, history: int, pending: int) -> int:
    """A project with `history` generated shots (synthetic rows, indexed) and `pending` planned shots after them."""
    workspace = open_home(settings)
    toolbox = Toolbox(workspace, actor="bench")
    pid = call(toolbox, "create_project", title=f"bench {history}")["project_id"]
    call(toolbox, "write_story", project_id=pid, title="Bench", description="A synthetic story.", style="Soft light.")
    call(toolbox, "confirm_story", project_id=pid)
    names = [("Mira", "A young apprentice with short black hair."), ("Tobin", "An old librarian with a white beard.")]
    ids = [call(toolbox, "add_character", project_id=pid, name=n, identity=i)["char_id"] for n, i in names]
    scenes = [
        call(toolbox, "add_scene", project_id=pid, name=n, location=loc, time_of_day=t)["scene_id"]
        for n, loc, t in SCENES
    ]
    kok = _template_kok(workspace, pid, template)
    index = ShotIndex(settings.home_layout.chroma_dir)
    started = time.perf_counter()
    with workspace.session() as session:
        rows = []
        for number in range(1, history + pending + 1):
            who = ids[number % 2]
            row = ShotPlan(
                project_id=pid,
                position=number,
                scene_id=scenes[number % len(scenes)],
                characters=[who],
                action=f"{names[number % 2][0]} {ACTIONS[number % len(ACTIONS)]}.",
                dialogue=[{"speaker": who, "text": f"Line number {number}."}],
                camera="static medium shot",
                num_frames=FRAMES,
            )
            session.add(row)
            rows.append(row)
        session.flush()
        previous: int | None = None
        for number, row in enumerate(rows[:history], start=1):
            take = Take(
                project_id=pid,
                shot_id=row.id,
                version=1,
                backend="preview",
                seed=number,
                num_frames=FRAMES,
                width=WIDTH,
                height=HEIGHT,
                sample_rate=template.sample_rate,
                **kok,
                memory_sources=[{"label": "PREVIOUS_SHOT", "kind": "take", "take_id": previous}] if previous else [],
            )
            session.add(take)
            session.flush()
            row.current_take_id, row.status, previous = take.id, "generated", take.id
            session.add(row)
        session.flush()
        documents = [
            (row.id, row.current_take_id, f"{row.action} {row.dialogue[0]['text']}", None) for row in rows[:history]
        ]
    index.upsert_takes(pid, documents)
    print(f"  built {history} shots of history in {time.perf_counter() - started:.1f} s", flush=True)
    workspace.close()
    return pid


def _template_kok(workspace: Workspace, pid: int, template: GeneratedShot) -> dict[str, Any]:
    """Files of the template shot inside the project (shared by every synthetic take) and its KOK window."""
    from generator.media import save_png
    from generator.memory import kok_slot
    from generator.types import MemorySource

    folder = workspace.media.project_dir(pid) / "bench"
    folder.mkdir(parents=True)
    slot = kok_slot(template, "SHOT", MemorySource(kind="take"))
    save_png(folder / "kok.png", slot.key_frame)
    from generator.audio import write_wav

    write_wav(folder / "kok.wav", slot.audio, slot.sample_rate)
    shutil.copy(template.video_path, folder / "shot.mp4")
    shutil.copy(template.audio_path, folder / "shot.wav")
    relative = workspace.media.relative
    return {
        "video_path": relative(folder / "shot.mp4"),
        "audio_path": relative(folder / "shot.wav"),
        "keyframe_paths": [relative(folder / "kok.png")],
        "memory_window": {
            "start_s": slot.source.start_s,
            "end_s": slot.source.end_s,
            "frame_index": slot.source.frame_index,
            "key_frame": relative(folder / "kok.png"),
            "audio": relative(folder / "kok.wav"),
        },
    }


def timed_nodes(times: dict[str, list[float]]) -> Callable[[], None]:
    """Wrap the graph's node table with timers; returns the function that restores it."""
    original = dict(graph.NODES)

    def timer(name: str, node: graph.Node) -> graph.Node:
        def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
            started = time.perf_counter()
            try:
                return node(state, ctx)
            finally:
                times[name].append(time.perf_counter() - started)

        return run

    graph.NODES.update({name: timer(name, node) for name, node in original.items()})
    return lambda: graph.NODES.update(original)


def measure(history: int, pending: int, template: GeneratedShot, root: Path) -> dict[str, float]:
    settings = Settings(home=root / f"home-{history}", width=WIDTH, height=HEIGHT)
    pid = build_history(settings, template, history, pending)
    times: dict[str, list[float]] = defaultdict(list)
    restore = timed_nodes(times)
    try:
        generator = CopyGenerator(template)
        session = DirectorSession(settings, pid, generator=generator)
        started = time.perf_counter()
        events = list(session.generate_pending())
        wall = time.perf_counter() - started
        session.close()
    finally:
        restore()
    errors = [event.text for event in events if event.kind == "error"]
    if errors:
        raise SystemExit(f"generation failed: {errors}")
    # the first shot also pays one-off costs (embedding model load, generator set-up): report the rest
    per_stage = {name: statistics.median(times[name][1:] or times[name]) * 1000 for name in MEASURED_STAGES}
    per_stage["sum"] = sum(per_stage[name] for name in MEASURED_STAGES)
    per_stage["whole step"] = (wall - sum(generator.seconds)) / pending * 1000
    return per_stage


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=int, nargs="+", default=[30, 1000])
    parser.add_argument("--measure", type=int, default=5, help="shots generated (and timed) after the history")
    args = parser.parse_args(argv)
    targets = {30: 100.0, 1000: 200.0}
    with tempfile.TemporaryDirectory(prefix="bench-director-") as temp:
        root = Path(temp)
        template_dir = root / "template"
        template_dir.mkdir()
        template = render_template(template_dir)
        print(f"Director overhead per shot ({WIDTH}x{HEIGHT}, {FRAMES} frames; median ms; LLM and generator excluded)")
        for history in args.history:
            figures = measure(history, args.measure, template, root)
            stages = "  ".join(f"{name} {figures[name]:.1f}" for name in MEASURED_STAGES)
            target = targets.get(history)
            verdict = (
                f" (target <= {target:.0f} ms: {'met' if figures['sum'] <= target else 'MISSED'})" if target else ""
            )
            print(f"history {history:>5}: {stages}  => {figures['sum']:.1f} ms{verdict}")
            print(
                f"               whole graph step (routing, critique, checkpoints too): {figures['whole step']:.1f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
