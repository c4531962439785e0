"""generate: S_t = G(c_t, M) with the configured backend, written into a staging folder, plus the take's own KOK
entry (Eq. 8 window + aligned key frame) and storyboard key frames, so `record` only moves files."""

from __future__ import annotations

from typing import Any

import numpy as np

from director.graph_state import DirectorContext, DirectorState
from director.nodes import become_writer, emit
from director.nodes.memory import cache_key, memory_bank
from generator.audio import write_wav
from generator.media import read_frames, save_png
from generator.memory import kok_slot
from generator.prompt import ShotCondition, build_request
from generator.types import GeneratedShot, MemorySource, SceneInShot
from tools.takes import StagedTake
from workspace.crash_points import crash_point
from workspace.recovery import claim_staging, clean_crashed_staging


def _storyboard_frames(shot: GeneratedShot) -> list[np.ndarray]:
    """First, middle and last frame, for the storyboard."""
    indices = sorted({0, shot.num_frames // 2, shot.num_frames - 1})
    if shot.frames is not None:
        return [shot.frames[i] for i in indices]
    return list(read_frames(shot.video_path, indices))


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, number = state["project_id"], state["shot_number"]
    compiled = state["condition"]
    slots = ctx.slot_cache.pop(cache_key(state), None)
    if slots is None:  # resumed after a restart: rebuild the same bank from the same inputs
        slots = memory_bank(state, ctx)
    request = build_request(
        ShotCondition.model_validate(compiled["condition"]),
        num_frames=compiled["num_frames"],
        width=ctx.settings.width,
        height=ctx.settings.height,
        seed=compiled["seed"],
        scene=SceneInShot.model_validate(compiled["scene"]),
        language=compiled["language"],
        prompt=compiled["prompt"],
    )
    become_writer(ctx, pid)
    clean_crashed_staging(ctx.workspace, pid)
    staging = claim_staging(ctx.workspace, pid, number)

    def progress(fraction: float, step: str) -> None:
        emit("progress", f"Shot {number}: {step}", fraction=fraction, shot_number=number)

    emit("progress", f"Shot {number}: generating ({request.duration_s:.1f} s)", fraction=0.0, shot_number=number)
    shot = ctx.generator.generate(request, slots, progress, staging)
    kok = kok_slot(shot, f"SHOT_{number}", MemorySource(kind="take", shot_number=number))
    kok_frame = save_png(staging / "kok.png", kok.key_frame)
    kok_audio = write_wav(staging / "kok.wav", kok.audio, kok.sample_rate) if kok.audio is not None else None
    keyframes = [save_png(staging / f"key-{i}.png", f) for i, f in enumerate(_storyboard_frames(shot))]
    staged = StagedTake(
        **shot.take_facts(),
        video=str(shot.video_path),
        audio=str(shot.audio_path),
        keyframes=[str(path) for path in keyframes],
        kok_key_frame=str(kok_frame),
        kok_audio=str(kok_audio) if kok_audio else None,
        memory_window={"start_s": kok.source.start_s, "end_s": kok.source.end_s, "frame_index": kok.source.frame_index},
        speech_overflow_s=shot.speech_overflow_s,
        metadata={**shot.metadata, "prompt_chars": len(compiled["prompt"])},
    )
    crash_point("generate", number)
    return {"generated": {"staging": str(staging), "take": staged.model_dump(mode="json")}}
