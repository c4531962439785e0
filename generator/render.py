"""`echo-director render REQUEST.json --out DIR [--memory SLOTS.json]`: render one shot without a project."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pydantic import ValidationError

from director.errors import EchoError
from director.settings import Settings
from generator.memory import load_slots_json
from generator.registry import get_generator
from generator.types import GeneratedShot, MemorySlot, ProgressCallback, ShotRequest
from workspace.media import atomic_write_bytes

SUMMARY_FILE = "shot.json"


def load_request(path: Path) -> ShotRequest:
    """Read and validate a ShotRequest JSON file; relative file paths in it are relative to the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise EchoError(f"cannot read request {path}: {error.strerror or error}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise EchoError(f"{path} is not valid JSON ({error}); it must hold one ShotRequest object") from error
    if not isinstance(data, dict):
        raise EchoError(f"{path} must hold one ShotRequest JSON object, not {type(data).__name__}")
    try:
        request = ShotRequest.model_validate(data)
    except ValidationError as error:
        raise EchoError(f"invalid shot request {path.name}: {describe_validation_error(error)}") from error
    return _resolve_paths(request, path.parent)


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, each naming the field (dotted path) and pydantic's or our validator's message."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{field}: {message}" if field and not message.startswith(field) else message)
    return "; ".join(problems)


def _resolve_paths(request: ShotRequest, base: Path) -> ShotRequest:
    def resolve(path: Path | None) -> Path | None:
        return None if path is None else (base / path).resolve()  # an absolute path stays as it is

    characters = [
        card.model_copy(
            update={"reference_image": resolve(card.reference_image), "reference_audio": resolve(card.reference_audio)}
        )
        for card in request.characters
    ]
    return request.model_copy(update={"characters": characters, "first_frame": resolve(request.first_frame)})


def render_request(
    request_path: Path,
    out_dir: Path,
    settings: Settings,
    memory_path: Path | None = None,
    progress: ProgressCallback | None = None,
) -> GeneratedShot:
    """Validate everything, render with the configured backend into `out_dir`, write `shot.json` beside it."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise EchoError(f"--out {out_dir} is a file; give a folder (it is created if missing)")
    request = load_request(Path(request_path))
    memory: list[MemorySlot] = load_slots_json(Path(memory_path)) if memory_path is not None else []
    generator = get_generator(settings.backend, settings)
    shot = generator.generate(request, memory, progress=progress, out_dir=out_dir)
    atomic_write_bytes(out_dir / SUMMARY_FILE, shot.model_dump_json(indent=2).encode())
    return shot


def summarise(shot: GeneratedShot, out_dir: Path, seconds: float | None = None) -> str:
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    lines = [
        f"rendered {shot.num_frames} frames ({shot.duration_s:.2f} s, {shot.width}x{shot.height} @ {shot.fps} fps) "
        f"with the {shot.backend} backend{took}",
        f"  video:    {shot.video_path}",
        f"  audio:    {shot.audio_path} ({shot.sample_rate} Hz)",
        f"  summary:  {Path(out_dir) / SUMMARY_FILE}",
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
