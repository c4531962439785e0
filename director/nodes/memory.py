"""memory: the unified memory bank of a shot (paper Sec. 5.3), at most 7 slot-paired entries.

Fixed entries come from the cast's character cards (reference image + reference voice). Dynamic entries are
KOK slots of earlier takes: the previous shot first (continuity), then the retrieved R_t in relevance order.
With `memory_strategy = "native"` the bank is instead the model's own update rule, First-3 + Recent-4 of the
generated history (Eq. 9), with no card entries: the baseline the agent memory is compared against. With
`memory_strategy = "none"` the bank is empty: every shot is generated from its prompt alone (the ablation's floor).
A registered take keeps its KOK key frame and audio window on disk, so its slot is loaded, not recomputed; the
echo backend in clip mode also gets the slot's 9-frame clip, decoded from the take's video around that frame.
"""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import emit
from director.nodes.shot_context import ShotContext, load_shot_context, load_takes
from generator.audio import read_wav
from generator.media import read_frames
from generator.memory import assemble_memory, card_slot, clip_indices, load_image, native_bank, phi
from generator.types import MemorySlot, MemorySource
from workspace.project_view import TakeView

PREVIOUS_SHOT = "PREVIOUS_SHOT"


def take_slot(ctx: DirectorContext, take: TakeView, label: str, shot_number: int) -> MemorySlot | None:
    """The stored KOK entry of a take (with its 9-frame clip when the backend encodes clips); None for a take
    registered without one."""
    window = take.memory_window
    if not window.get("key_frame"):
        return None
    media = ctx.workspace.media
    audio, sample_rate = read_wav(media.resolve(window["audio"])) if window.get("audio") else (None, None)
    key_frame = load_image(media.resolve(window["key_frame"]))
    clip = None
    if ctx.settings.memory_clips and window.get("start_s") is not None and window.get("end_s") is not None:
        centre = phi((window["start_s"] + window["end_s"]) / 2, take.fps, take.num_frames)
        indices = clip_indices(centre, take.num_frames)
        clip = read_frames(media.resolve(take.video_path), indices)
        if clip.shape[1:] != key_frame.shape:  # a video re-encoded at another size: keep the key frame only
            clip = None
    return MemorySlot(
        label=label,
        source=MemorySource(
            kind="take",
            take_id=take.id,
            shot_number=shot_number,
            start_s=window.get("start_s"),
            end_s=window.get("end_s"),
            frame_index=window.get("frame_index"),
        ),
        key_frame=key_frame,
        clip=clip,
        audio=audio,
        sample_rate=sample_rate,
    )


def select_memory(
    ctx: DirectorContext, shot_ctx: ShotContext, retrieved: list[int], drop_labels: list[str]
) -> list[MemorySlot]:
    settings = ctx.settings
    if settings.memory_strategy == "none":
        return []
    numbers = {e.current_take_id: e.number for e in shot_ctx.earlier if e.current_take_id is not None}
    if settings.memory_strategy == "native":
        fixed = []
        wanted = [(take_id, f"SHOT_{number}") for take_id, number in native_bank(list(numbers.items()))]
    else:
        fixed = [
            slot
            for card in shot_ctx.cast(ctx)
            if (slot := card_slot(card, width=settings.width, height=settings.height)) is not None
        ]
        previous = shot_ctx.earlier[-1].current_take_id if shot_ctx.earlier else None
        wanted = [(previous, PREVIOUS_SHOT)] if previous is not None else []
        wanted += [(take_id, f"SHOT_{numbers[take_id]}") for take_id in retrieved if take_id != previous]
    takes = load_takes(ctx, shot_ctx.project_id, [take_id for take_id, _ in wanted])
    dynamic = [
        slot
        for take_id, label in wanted
        if (slot := take_slot(ctx, takes[take_id], label, numbers[take_id])) is not None
    ]
    dropped = set(drop_labels)
    return assemble_memory([s for s in fixed if s.label not in dropped], [s for s in dynamic if s.label not in dropped])


def describe(slots: list[MemorySlot]) -> list[dict[str, Any]]:
    """What the take records as its memory sources (HistoryManager.dependents reads the take ids)."""
    return [{"label": slot.label, **slot.source.model_dump(mode="json")} for slot in slots]


def cache_key(state: DirectorState) -> tuple[int, int, int]:
    return (state["project_id"], state["shot_number"], state["condition"]["condition_id"])


def memory_bank(state: DirectorState, ctx: DirectorContext) -> list[MemorySlot]:
    """The bank of the shot in `state`; the same inputs always give the same bank (generate rebuilds it)."""
    drop = (state.get("revision") or {}).get("drop_labels", [])
    shot_ctx = load_shot_context(ctx, state["project_id"], state["shot_number"])
    return select_memory(ctx, shot_ctx, state.get("retrieved", []), drop)


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    number = state["shot_number"]
    slots = memory_bank(state, ctx)
    ctx.slot_cache.clear()  # one shot in flight per session: never hold more than one bank of frames
    ctx.slot_cache[cache_key(state)] = slots
    labels = ", ".join(slot.label for slot in slots) or "none"
    emit("progress", f"Shot {number}: memory {labels}", shot_number=number)
    return {"memory": describe(slots)}
