"""`echo-director render REQUEST.json --out DIR [--memory SLOTS.json]`: render one shot without a project.

Beside the shot it writes `memory/slots.json`: the memory it was given plus its own KOK slot (generator.memory,
paper Sec. 5.3), kept to First-3 + Recent-4 (Eq. 9), so `--memory DIR/memory/slots.json` continues from it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from director.settings import Settings
from generator.errors import EchoError
from generator.files import atomic_write_bytes
from generator.memory import kok_slot, load_slots_json, native_bank, save_slots
from generator.registry import get_generator
from generator.request_file import load_request
from generator.types import GeneratedShot, MemorySlot, MemorySource, ProgressCallback

SUMMARY_FILE = "shot.json"
MEMORY_FILE = "memory/slots.json"


def render_request(
    request_path: Path,
    out_dir: Path,
    settings: Settings,
    memory_path: Path | None = None,
    progress: ProgressCallback | None = None,
) -> GeneratedShot:
    """Validate everything, render with the configured backend into `out_dir`, write `shot.json` and
    `memory/slots.json` beside it."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise EchoError(f"--out {out_dir} is a file; give a folder (it is created if missing)")
    request = load_request(Path(request_path))
    memory: list[MemorySlot] = load_slots_json(Path(memory_path)) if memory_path is not None else []
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or error
        raise EchoError(f"cannot create the --out folder {out_dir}: {reason}; choose another folder") from error
    try:
        generator = get_generator(settings.backend, settings.generator_config)
        shot = generator.generate(request, memory, progress=progress, out_dir=out_dir)
        atomic_write_bytes(out_dir / SUMMARY_FILE, shot.model_dump_json(indent=2).encode())
        own = kok_slot(shot, f"SHOT_{out_dir.name}", MemorySource(kind="external"))
        save_slots(native_bank([*memory, own]), out_dir / MEMORY_FILE)
    except BaseException:
        if created:  # a failed render leaves no folder it made
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    return shot


def summarise(shot: GeneratedShot, out_dir: Path, seconds: float | None = None) -> str:
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    lines = [
        f"rendered {shot.num_frames} frames ({shot.duration_s:.2f} s, {shot.width}x{shot.height} @ {shot.fps} fps) "
        f"with the {shot.backend} backend{took}",
        f"  video:    {shot.video_path}",
        f"  audio:    {shot.audio_path} ({shot.sample_rate} Hz)",
        f"  summary:  {Path(out_dir) / SUMMARY_FILE}",
        f"  memory:   {Path(out_dir) / MEMORY_FILE} (pass it as --memory to continue from this shot)",
    ]
    if shot.dialogue_timings:
        lines.append("  dialogue:")
        lines += [f"    {t.start_s:6.2f}-{t.end_s:6.2f} s  {t.speaker}  {t.text!r}" for t in shot.dialogue_timings]
    if not shot.speech_fits:
        suggestion = shot.metadata.get("suggested_num_frames")
        hint = f"; use num_frames {suggestion}" if suggestion else "; lengthen the shot or shorten the lines"
        lines.append(f"  warning: {shot.speech_overflow_s:.2f} s of dialogue did not fit the shot and was cut{hint}")
    return "\n".join(lines)


def _progress_printer() -> ProgressCallback:
    shown = {"tenth": -1}

    def show(fraction: float, step: str) -> None:
        tenth = int(fraction * 10)
        if tenth != shown["tenth"]:
            shown["tenth"] = tenth
            print(f"[{fraction:4.0%}] {step}", file=sys.stderr, flush=True)

    return show


def cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    shot = render_request(Path(args.request), Path(args.out), settings, args.memory, progress=_progress_printer())
    print(summarise(shot, Path(args.out), time.perf_counter() - started))
    return 0
