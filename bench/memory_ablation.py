"""The memory ablation (paper Sec. 5.3 and Eq. 9): one fixed 30-shot, two-character screenplay rendered three times,
with the agent memory (card entries + previous shot + retrieved shots), the model's native First-3 + Recent-4 and no
memory at all, each into its own home; every film is then measured with `director.evaluation` and the strategies
are printed side by side, like the paper's table, and written as JSON. The planner's cards carry no reference
picture or voice, so the agent memory here is its dynamic part: the previous shot and the retrieved shots (KOK).

The screenplay (`bench/memory_ablation.screenplay`, one paragraph per shot) goes through the Director end to end as
`echo-director make --yes` does: the offline planner (forced, so all three films have the same plan, which is
checked), cards, shot plan, retrieval, memory, generation, critique. `--shots N` keeps the first N shots.

On the preview backend this is a smoke run of the harness: the preview draws faces and voices from the cards
deterministically whatever memory it is given, so the numbers do not measure memory. With real weights on a GPU
(`--backend echo --model-dir ... --width 1280 --height 736`) it is the real comparison.

    .venv/bin/python -m bench.memory_ablation [--shots 30] [--backend preview|echo] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from director.evaluation import evaluate_project
from director.session import DirectorSession
from director.settings import BackendName, MemoryStrategy, Settings, open_home
from generator.echo.config import OffloadMode
from generator.errors import EchoError
from generator.evaluation.models import FilmScores, Measurement
from generator.registry import get_generator
from generator.types import GeneratedShot, Generator, MemorySlot, ProgressCallback, ShotRequest
from workspace.project_view import load_project_state

HERE = Path(__file__).resolve().parent
SCREENPLAY = HERE / "memory_ablation.screenplay"
OUT = HERE / "out"
STRATEGIES: tuple[MemoryStrategy, ...] = get_args(MemoryStrategy)


def shot_blocks() -> tuple[list[str], int]:
    """The screenplay's paragraphs and how many of them are shots (the rest: the title and scene headings)."""
    blocks = SCREENPLAY.read_text(encoding="utf-8").strip().split("\n\n")
    return blocks, sum(not _is_heading(block) for block in blocks)


def _is_heading(block: str) -> bool:
    return block.startswith(("Title:", "INT.", "EXT."))


def screenplay(shots: int) -> str:
    """The screenplay cut after its first `shots` shots."""
    kept: list[str] = []
    count = 0
    for block in shot_blocks()[0]:
        if count == shots:
            break
        kept.append(block)
        count += not _is_heading(block)
    return "\n\n".join(kept) + "\n"


class TimedGenerator:
    """The backend, timing each shot it renders and counting the memory slots it was given."""

    def __init__(self, inner: Generator) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds: list[float] = []
        self.slots: list[int] = []

    def generate(
        self,
        request: ShotRequest,
        memory: Sequence[MemorySlot],
        progress: ProgressCallback | None = None,
        out_dir: Path | None = None,
    ) -> GeneratedShot:
        started = time.perf_counter()
        shot = self.inner.generate(request, memory, progress, out_dir)
        self.seconds.append(time.perf_counter() - started)
        self.slots.append(len(memory))
        return shot


def render(settings: Settings, text: str, shots: int, generator: TimedGenerator) -> tuple[int, list[str], float]:
    """Idea to finished shots with every take approved; returns the project id, the shots' prompts and wall time."""
    home = settings.home_dir
    if home.is_dir() and any(home.iterdir()):
        if not (home / "workspace.sqlite").is_file():
            raise SystemExit(f"{home} is not an Echo Director home; name another --work folder")
        shutil.rmtree(home)  # the previous run's home: every run starts fresh
    session = DirectorSession(settings, generator=generator)
    started = time.perf_counter()
    try:
        events = []
        for event in session.send(text, num_shots=shots, auto_approve=True):
            events.append(event)
            if event.kind == "shot_done":
                print(f"  {settings.memory_strategy}: shot {event.shot_number}/{shots}", flush=True)
        wall = time.perf_counter() - started
        errors = [event.text for event in events if event.kind == "error"]
        if errors or session.project_id is None:
            raise SystemExit(f"{settings.memory_strategy}: the Director failed: {errors or 'no project'}")
        state = load_project_state(session.workspace, session.project_id)
        missing = [shot.number for shot in state.shots if shot.current_take is None]
        if len(state.shots) != shots or missing:
            raise SystemExit(
                f"{settings.memory_strategy}: planned {len(state.shots)} shots of {shots}, not generated: {missing}"
            )
        return session.project_id, [shot.latest_condition_prompt or "" for shot in state.shots], wall
    finally:
        session.close()


def mean_of(measurements: Sequence[Measurement]) -> dict[str, Any]:
    """The mean of the measured values, how many were measured, the method, and why any were not."""
    values = [m.value for m in measurements if m.value is not None]
    reasons = sorted({m.reason for m in measurements if m.value is None and m.reason})
    return {
        "value": statistics.fmean(values) if values else None,
        "measured": len(values),
        "of": len(measurements),
        "method": measurements[0].method if measurements else "",
        "not_measured": reasons,
    }


METRICS: dict[str, tuple[str, Callable[[FilmScores], list[Measurement]]]] = {
    "voice_consistency": ("voice cons.", lambda film: [c.voice_consistency for c in film.characters]),
    "face_consistency": ("face cons.", lambda film: [c.face_consistency for c in film.characters]),
    "voice_distinctness": ("voice dist.", lambda film: [film.voice_distinctness]),
    "histogram_similarity": ("hist. sim.", lambda film: [pair.histogram for pair in film.shot_pairs]),
    "phash_similarity": ("pHash sim.", lambda film: [pair.perceptual_hash for pair in film.shot_pairs]),
    "speech_accuracy": ("speech acc.", lambda film: [take.speech_accuracy for take in film.takes]),
    "lip_sync": ("lip sync", lambda film: [c.lip_sync_correlation for take in film.takes for c in take.characters]),
}


def summarise(film: FilmScores) -> dict[str, Any]:
    """One row of the table: each metric's mean over the film, and each character's consistency."""
    return {
        "metrics": {key: mean_of(measure(film)) for key, (_, measure) in METRICS.items()},
        "characters": {
            c.name: {"voice_consistency": c.voice_consistency.value, "face_consistency": c.face_consistency.value}
            for c in film.characters
        },
    }


def table(rows: dict[str, dict[str, Any]]) -> str:
    """The strategies as rows, the metrics and render time as columns."""
    headers = ["strategy", *(title for title, _ in METRICS.values()), "slots/shot", "render s", "s/shot"]
    lines = [headers]
    for strategy, row in rows.items():
        values = [row["metrics"][key]["value"] for key in METRICS]
        cells = ["n/a" if value is None else f"{value:.4f}" for value in values]
        cells += [f"{row['slots_per_shot']:.2f}", f"{row['render_s']:.1f}", f"{row['render_s'] / row['shots']:.2f}"]
        lines.append([strategy, *cells])
    widths = [max(len(line[column]) for line in lines) for column in range(len(headers))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in lines)


def coverage(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Each metric not measured everywhere (or with nothing to measure): how many values each strategy's mean is
    over, and why the others are missing."""
    notes = []
    for key, (title, _) in METRICS.items():
        counts = {
            strategy: (row["metrics"][key]["measured"], row["metrics"][key]["of"]) for strategy, row in rows.items()
        }
        if all(measured == of > 0 for measured, of in counts.values()):
            continue
        reasons = sorted({reason for row in rows.values() for reason in row["metrics"][key]["not_measured"]})
        measured = ", ".join(f"{strategy} {m} of {of}" for strategy, (m, of) in counts.items())
        notes.append(f"{title}: measured {measured}" + (f" (not measured: {'; '.join(reasons)})" if reasons else ""))
    return notes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    total = shot_blocks()[1]
    parser.add_argument("--shots", type=int, default=total, help=f"the first N shots of the screenplay (1..{total})")
    parser.add_argument("--strategies", nargs="+", choices=STRATEGIES, default=list(STRATEGIES))
    parser.add_argument("--backend", choices=get_args(BackendName), default="preview")
    parser.add_argument("--model-dir", type=Path, help="local JoyAI-Echo pipeline folder (echo backend)")
    parser.add_argument("--base-model-dir", type=Path, help="Gemma 3 text encoder and tokenizer (echo backend)")
    parser.add_argument("--offload", choices=get_args(OffloadMode), default="none", help="echo backend memory saving")
    parser.add_argument("--width", type=int, default=640, help="shot width, multiple of 32 (Echo's native: 1280)")
    parser.add_argument("--height", type=int, default=384, help="shot height, multiple of 32 (Echo's native: 736)")
    parser.add_argument("--work", type=Path, help="where the homes go (default bench/out/memory_ablation/BACKEND)")
    parser.add_argument("--json", type=Path, help="the table as JSON (default bench/out/memory_ablation-BACKEND.json)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    total = shot_blocks()[1]
    if not 1 <= args.shots <= total:
        parser.error(f"--shots must be between 1 and {total}")
    work = args.work or OUT / "memory_ablation" / args.backend
    out_json = args.json or OUT / f"memory_ablation-{args.backend}.json"
    try:
        base = Settings(
            backend=args.backend,
            model_dir=args.model_dir,
            base_model_dir=args.base_model_dir,
            offload=args.offload,
            width=args.width,
            height=args.height,
            llm_base_url=None,  # the offline planner: the same plan for every strategy
            critic_measure=False,  # no measured retakes with new seeds: the rows differ by their memory alone
        )
    except ValidationError as error:
        parser.error(str(error))
    text = screenplay(args.shots)
    backend = get_generator(base.backend, base.generator_config)
    started = time.perf_counter()
    load = getattr(backend, "load", None)  # the echo backend loads its weights up front, outside the shot timings
    if load is not None:
        try:
            load()
        except EchoError as error:
            raise SystemExit(f"error: {error}") from None
    load_s = time.perf_counter() - started
    print(
        f"Memory ablation: {args.shots} shots, {args.backend} backend, {base.width}x{base.height}"
        + (f" (weights loaded in {load_s:.1f} s)" if load is not None else ""),
        flush=True,
    )

    rendered: dict[str, tuple[Settings, int, TimedGenerator, float]] = {}
    prompts: dict[str, list[str]] = {}
    for strategy in dict.fromkeys(args.strategies):
        settings = base.model_copy(update={"home": work / strategy, "memory_strategy": strategy})
        generator = TimedGenerator(backend)
        project_id, prompts[strategy], wall = render(settings, text, args.shots, generator)
        rendered[strategy] = (settings, project_id, generator, wall)
    first = args.strategies[0]
    for strategy, shot_prompts in prompts.items():
        if shot_prompts != prompts[first]:
            differs = next(n for n, (a, b) in enumerate(zip(shot_prompts, prompts[first], strict=True), 1) if a != b)
            raise SystemExit(f"the plans differ ({strategy} vs {first}, shot {differs}): the comparison is void")

    rows: dict[str, dict[str, Any]] = {}
    for strategy, (settings, project_id, generator, wall) in rendered.items():
        print(f"  evaluating {strategy} ...", flush=True)
        started = time.perf_counter()
        workspace = open_home(settings)
        try:
            result = evaluate_project(workspace, project_id, settings.home_dir / "evaluation")
        finally:
            workspace.close()
        rows[strategy] = {
            **summarise(result.film),
            "shots": args.shots,
            "slots_per_shot": statistics.fmean(generator.slots),
            "render_s": sum(generator.seconds),
            "shot_render_s": generator.seconds,
            "wall_s": wall,
            "evaluation_s": time.perf_counter() - started,
            "home": str(settings.home_dir),
        }

    print()
    print(table(rows))
    for line in coverage(rows):
        print(f"  {line}")
    for strategy, row in rows.items():
        print(
            f"  {strategy}: render {row['render_s']:.1f} s, Director run {row['wall_s']:.1f} s, "
            f"evaluation {row['evaluation_s']:.1f} s"
        )
    if args.backend == "preview":
        print(
            "\npreview backend: faces and voices are drawn from the cards deterministically whatever the memory, so "
            "these numbers exercise the harness; they do not measure memory (run --backend echo on a GPU for that)."
        )
    out_json.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "shots": args.shots,
        "backend": args.backend,
        "width": base.width,
        "height": base.height,
        "load_s": load_s,
        "metrics": {key: title for key, (title, _) in METRICS.items()},
        "strategies": rows,
    }
    out_json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
