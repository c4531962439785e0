"""Slot-paired audio-visual memory (paper Sec. 3, Eq. 7-9) and the agent's KOK entries (Sec. 5.3).

KOK, Key-frame Of Key-shot (paper Sec. 5.3): the memory entry made from one earlier shot, its Eq. 8 audio window
paired with the key frame of the same moment. Everywhere else in the code "KOK" means this.

A slot is one event: an audio window of a shot (Eq. 8's loudest, or the one with the most speech: see
`select_audio_window` and the `MemoryWindow` setting) and the 9 frames around the window centre, whose last is the
key frame (the echo backend encodes the clip and keeps its last latent, as the paper does). Slots are
built here and only ever moved as whole units, so an image is never paired with another event's audio.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from generator.audio import MEL_HOP, MEL_SAMPLE_RATE, log_mel, read_wav, to_mono, write_wav
from generator.errors import EchoError
from generator.files import atomic_write_bytes, check_regular_file, read_json_file
from generator.media import read_frames, save_png
from generator.text import upper_first
from generator.types import (
    MAX_MEMORY_SLOTS,
    MAX_PIXELS,
    CharacterInShot,
    GeneratedShot,
    MemorySlot,
    MemorySource,
)

DEFAULT_WINDOW_S = 3.84
AUDIO_LATENT_DOWNSAMPLE = 4  # mel frames per audio-VAE latent (causal: n latents <- 4 (n - 1) + 1 mel frames)
CLIP_LENGTH = 9
ANCHOR_SHOTS = 3
RECENT_SHOTS = 4
MAX_IMAGE_FILE_BYTES = 50_000_000
MAX_AUDIO_FILE_BYTES = 100_000_000  # a memory window is seconds long; no memory wav comes near this
MAX_SLOTS_FILE_BYTES = 1_000_000
MAX_CLIP_FILE_BYTES = CLIP_LENGTH * MAX_PIXELS * 3 + 1_000  # an uncompressed .npy: the frames plus its header
TIE_RTOL = 1e-6  # window energies this close (relative) are equal: the earliest window wins

T = TypeVar("T")


class AudioWindow(BaseModel):
    """A span of a shot's audio in seconds; `center_s` is the moment the key frame is taken from."""

    model_config = ConfigDict(frozen=True)

    start_s: float
    end_s: float
    center_s: float

    @model_validator(mode="after")
    def _ordered(self) -> AudioWindow:
        if not 0.0 <= self.start_s <= self.center_s <= self.end_s:
            raise ValueError(f"audio window must satisfy 0 <= start <= centre <= end; got {self}")
        return self

    def slice(self, wave: np.ndarray, sample_rate: int) -> np.ndarray:
        return np.asarray(wave)[round(self.start_s * sample_rate) : round(self.end_s * sample_rate)]


def window_mel_frames(window_s: float = DEFAULT_WINDOW_S) -> int:
    """Delta in mel frames: 3.84 s is 96 audio latents, which the causal audio VAE reads from 381 mel frames."""
    latents = max(1, round(window_s * MEL_SAMPLE_RATE / MEL_HOP / AUDIO_LATENT_DOWNSAMPLE))
    return AUDIO_LATENT_DOWNSAMPLE * (latents - 1) + 1


def frame_energy(wave: np.ndarray, sample_rate: int) -> np.ndarray:
    """Eq. 8's energy of each mel frame (100 per second): the sum of exp(log-mel) over the bins, of the mono mix."""
    return np.exp(log_mel(to_mono(wave), sample_rate).astype(np.float64)).sum(axis=0)


def select_audio_window(
    wave: np.ndarray,
    sample_rate: int,
    window_s: float = DEFAULT_WINDOW_S,
    speech_energy: np.ndarray | None = None,
) -> AudioWindow:
    """Eq. 8: the window of Delta mel frames (stride Delta/4) with the largest summed mel energy.

    Candidate starts are 0, Delta/4, 2 Delta/4, ... plus the last possible start, as in the official encoder.
    Ties (scores within a relative TIE_RTOL of the best) go to the earliest window. Audio no longer than the window
    is taken whole; audio whose windows all tie (silence) gives the window centred on the clip. The window covers
    the centres of its Delta mel frames, so its length is (Delta - 1) hops: 3.80 s for the default 3.84 s.

    With `speech_energy` (per mel frame of `wave`, see GeneratedShot.speech_energy) the windows are scored by it
    instead, and ties go to the middle tied window, so a line shorter than the window sits around its centre, where
    the key frame is taken; speech energy whose windows all tie (no speech) falls back to the energy of `wave`.
    """
    samples = to_mono(wave)
    duration = samples.size / sample_rate
    delta = window_mel_frames(window_s)
    span_s = (delta - 1) * MEL_HOP / MEL_SAMPLE_RATE
    if duration <= span_s:
        return AudioWindow(start_s=0.0, end_s=duration, center_s=duration / 2)
    start = None if speech_energy is None else _best_start(np.asarray(speech_energy), delta, middle_tie=True)
    if start is None:
        start = _best_start(frame_energy(samples, sample_rate), delta, middle_tie=False)
    start_s = (duration - span_s) / 2 if start is None else min(start * MEL_HOP / MEL_SAMPLE_RATE, duration - span_s)
    return AudioWindow(start_s=start_s, end_s=start_s + span_s, center_s=start_s + span_s / 2)


def _best_start(energy: np.ndarray, delta: int, *, middle_tie: bool) -> int | None:
    """The first mel frame of the best-scoring candidate window (the earliest or the middle of tied ones); None
    when every candidate ties."""
    last_start = energy.size - delta
    starts = list(range(0, last_start + 1, max(1, delta // 4)))
    if starts[-1] != last_start:
        starts.append(last_start)
    scores = np.array([energy[start : start + delta].sum() for start in starts])
    # Float sums differ in their last bits between CPUs and BLAS/FFT paths, so scores within TIE_RTOL are ties.
    best = scores.max()
    if scores.min() >= best * (1 - TIE_RTOL):
        return None
    tied = np.flatnonzero(scores >= best * (1 - TIE_RTOL))
    return starts[int(tied[len(tied) // 2] if middle_tie else tied[0])]


def phi(center_s: float, fps: int, num_frames: int) -> int:
    """The video frame on screen at `center_s` (frame i covers [i / fps, (i + 1) / fps)), clamped to the shot."""
    return max(0, min(num_frames - 1, math.floor(center_s * fps + 1e-9)))


def clip_indices(center: int, num_frames: int) -> list[int]:
    """Frames [center - 4, center + 4] clamped to the shot (edges repeat); the key frame is the last entry."""
    half = CLIP_LENGTH // 2
    return [max(0, min(num_frames - 1, index)) for index in range(center - half, center + half + 1)]


def kok_slot(shot: GeneratedShot, label: str, source: MemorySource, window_s: float = DEFAULT_WINDOW_S) -> MemorySlot:
    """The shot's KOK entry: its memory window (by speech when the backend measured it, else Eq. 8) and the key
    frame of the same moment. The slot keeps the full mix of that window, downmixed to mono at the take's rate."""
    if shot.audio is not None:
        audio, sample_rate = to_mono(shot.audio), shot.sample_rate
    else:
        audio, sample_rate = read_wav(shot.audio_path)
    window = select_audio_window(audio, sample_rate, window_s, shot.speech_energy)
    heard = _heard(window, audio, sample_rate)
    frame_count = shot.num_frames if shot.frames is None else min(shot.num_frames, len(shot.frames))
    indices = clip_indices(phi(window.center_s, shot.fps, frame_count), frame_count)
    clip = shot.frames[indices] if shot.frames is not None else read_frames(shot.video_path, indices)
    return MemorySlot(
        label=label,
        source=source.model_copy(
            update={"start_s": round(window.start_s, 4), "end_s": round(window.end_s, 4), "frame_index": indices[-1]}
        ),
        key_frame=np.ascontiguousarray(clip[-1]),
        clip=np.ascontiguousarray(clip),
        audio=heard,
        sample_rate=sample_rate if heard is not None else None,
    )


def card_slot(
    card: CharacterInShot,
    *,
    width: int,
    height: int,
    label: str | None = None,
    window_s: float = DEFAULT_WINDOW_S,
) -> MemorySlot | None:
    """A fixed entry from a character card: its reference image (cover-fit to width x height) and the Eq. 8
    window of its reference audio (silent without one). None when the card has no reference image."""
    if card.reference_image is None:
        return None
    key_frame = load_image(card.reference_image, width, height)
    audio, sample_rate, window = None, None, None
    if card.reference_audio is not None:
        wave, sample_rate = read_wav(card.reference_audio)
        window = select_audio_window(wave, sample_rate, window_s)
        audio = _heard(window, wave, sample_rate)
    return MemorySlot(
        label=label or card.id,
        source=MemorySource(
            kind="card",
            card_id=card.id,
            start_s=None if window is None else round(window.start_s, 4),
            end_s=None if window is None else round(window.end_s, 4),
        ),
        key_frame=key_frame,
        audio=audio,
        sample_rate=sample_rate if audio is not None else None,
    )


def _heard(window: AudioWindow, wave: np.ndarray, sample_rate: int) -> np.ndarray | None:
    """A copy of the window's samples (None for empty audio, which the slot treats as silent)."""
    heard = window.slice(wave, sample_rate)
    return heard.copy() if heard.size else None


def load_image(path: Path, width: int | None = None, height: int | None = None) -> np.ndarray:
    """An image file as H x W x 3 uint8; with a size, scaled to cover width x height and centre-cropped."""
    try:
        check_regular_file(path, MAX_IMAGE_FILE_BYTES, "image")
    except EchoError as error:
        raise EchoError(f"{upper_first(str(error))}. Use a PNG or JPEG file.") from error
    try:
        with Image.open(path) as opened:
            image = opened.convert("RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise EchoError(f"Cannot read image {path}: {error}. Use a PNG or JPEG file.") from error
    if width is not None and height is not None:
        scale = max(width / image.width, height / image.height)
        size = (max(width, round(image.width * scale)), max(height, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BICUBIC)
        left, top = (image.width - width) // 2, (image.height - height) // 2
        image = image.crop((left, top, left + width, top + height))
    return np.asarray(image, dtype=np.uint8)


def native_bank(history: Sequence[T]) -> list[T]:
    """Eq. 9: the first 3 entries of the history as anchors, then the 4 most recent; order kept, no repeats."""
    chosen = list(range(min(ANCHOR_SHOTS, len(history))))
    chosen += [i for i in range(max(0, len(history) - RECENT_SHOTS), len(history)) if i not in chosen]
    return [history[i] for i in chosen]


def assemble_memory(
    fixed: Sequence[MemorySlot], dynamic: Sequence[MemorySlot], cap: int = MAX_MEMORY_SLOTS
) -> list[MemorySlot]:
    """Fixed entries first, then dynamic ones in the given (relevance) order; the first slot of each event wins;
    at most `cap` slots, so dynamic entries are dropped before fixed ones."""
    assembled: list[MemorySlot] = []
    seen: set[tuple] = set()
    for slot in [*fixed, *dynamic]:
        if slot.key in seen:
            continue
        seen.add(slot.key)
        assembled.append(slot)
        if len(assembled) == cap:
            break
    return assembled


def save_slots(slots: Sequence[MemorySlot], path: Path) -> Path:
    """Write slots as a `--memory` file that `load_slots_json` reads back: the JSON list at `path`, and each
    slot's key frame (PNG), 9-frame clip (uncompressed .npy) and audio (wav) beside it under names unique to the
    event."""
    path = Path(path)
    entries = []
    for slot in slots:
        digest = hashlib.sha1(repr(slot.key).encode()).hexdigest()[:8]
        stem = f"{re.sub(r'[^A-Za-z0-9_-]+', '_', slot.label)[:40]}_{digest}"
        save_png(path.parent / f"{stem}.png", slot.key_frame)
        audio_name, clip_name = None, None
        if slot.audio is not None and slot.sample_rate:
            audio_name = write_wav(path.parent / f"{stem}.wav", slot.audio, slot.sample_rate).name
        if slot.clip is not None:
            clip_name = f"{stem}.clip.npy"
            atomic_write_bytes(path.parent / clip_name, _npy_bytes(slot.clip))
        entries.append(
            {
                "label": slot.label,
                "key_frame": f"{stem}.png",
                "clip": clip_name,
                "audio": audio_name,
                "source": slot.source.model_dump(),
            }
        )
    atomic_write_bytes(path, json.dumps(entries, indent=2).encode())
    return path


def load_slots_json(path: Path) -> list[MemorySlot]:
    """Read a `--memory SLOTS.json` file: a list of slot entries whose file paths are relative to the JSON file."""
    entries = read_json_file(Path(path), MAX_SLOTS_FILE_BYTES, "memory file")
    if not isinstance(entries, list):
        raise EchoError(f"{path} must hold a JSON list of memory slots ({{label, key_frame, audio, source}}).")
    if len(entries) > MAX_MEMORY_SLOTS:
        raise EchoError(f"{path} lists {len(entries)} memory slots; the model takes at most {MAX_MEMORY_SLOTS}.")
    return [_slot_from_entry(entry, Path(path).parent, f"{path} entry {i}") for i, entry in enumerate(entries)]


def _slot_from_entry(entry: object, base: Path, where: str) -> MemorySlot:
    if not isinstance(entry, dict) or not isinstance(entry.get("key_frame"), str) or not entry.get("label"):
        raise EchoError(f"{where}: each memory slot needs 'label' and 'key_frame' (a PNG path).")
    key_frame = load_image(_resolve(base, entry["key_frame"]))
    audio, sample_rate = None, None
    if entry.get("audio"):
        audio, sample_rate = read_wav(
            check_regular_file(_resolve(base, str(entry["audio"])), MAX_AUDIO_FILE_BYTES, "memory audio")
        )
    clip = _read_clip(_resolve(base, str(entry["clip"])), key_frame.shape, where) if entry.get("clip") else None
    try:
        source = MemorySource.model_validate(entry.get("source") or {"kind": "external"})
        return MemorySlot(
            label=str(entry["label"]),
            source=source,
            key_frame=key_frame,
            clip=clip,
            audio=audio,
            sample_rate=sample_rate,
        )
    except ValidationError as error:
        raise EchoError(f"{where}: invalid memory slot: {error.errors()[0]['msg']}") from error


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _read_clip(path: Path, frame_shape: tuple[int, ...], where: str) -> np.ndarray:
    """A slot's 9-frame clip: CLIP_LENGTH uint8 frames the size of its key frame, from an uncompressed .npy file."""
    check_regular_file(path, MAX_CLIP_FILE_BYTES, "memory clip")
    try:
        clip = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise EchoError(f"{where}: cannot read memory clip {path}: {error}. Save the slots again.") from error
    if not isinstance(clip, np.ndarray) or clip.dtype != np.uint8 or clip.shape != (CLIP_LENGTH, *frame_shape):
        raise EchoError(
            f"{where}: memory clip {path} must hold {CLIP_LENGTH} uint8 frames of the key frame's size "
            f"{frame_shape}. Save the slots again."
        )
    return clip


def _resolve(base: Path, relative: str) -> Path:
    path = Path(relative)
    return path if path.is_absolute() else base / path
