"""Voice: each character's speaker embedding from their own dialogue segments, and its cosine to the card's
reference recording (paper Sec. 7, voice consistency)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from generator.audio import read_wav, resample
from generator.evaluation.models import Measurement
from generator.evaluation.speaker_encoder import SAMPLE_RATE, embed_speech
from generator.media import extract_audio
from generator.types import DialogueTiming

VOICE_METHOD = "cosine of resemblyzer GE2E speaker embeddings (shipped weights) of the character's dialogue segments"
MIN_SPEECH_S = 0.5


def load_speech(path: Path) -> np.ndarray:
    """Any audio file as 16 kHz mono float32 (WAV read directly, anything else through ffmpeg)."""
    if Path(path).suffix.lower() == ".wav":
        wave, rate = read_wav(path)
        return resample(wave, rate, SAMPLE_RATE)
    return extract_audio(Path(path), SAMPLE_RATE)


def spoken_by(wave: np.ndarray, timings: Sequence[DialogueTiming], speaker: str) -> np.ndarray:
    """The samples of `speaker`'s lines, joined (the take's dialogue timings isolate each speaker)."""
    parts = [wave[int(t.start_s * SAMPLE_RATE) : int(t.end_s * SAMPLE_RATE)] for t in timings if t.speaker == speaker]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def voice_embedding(speech: np.ndarray) -> np.ndarray | None:
    """The speaker embedding of at least MIN_SPEECH_S of speech; None for less."""
    return embed_speech(speech) if speech.size >= MIN_SPEECH_S * SAMPLE_RATE else None


@cache
def reference_voice(path: Path) -> np.ndarray | None:
    """The embedding of a card's reference recording, computed once per file and process."""
    return voice_embedding(load_speech(path))


def cosine(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    first, second = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(first @ second / max(np.linalg.norm(first) * np.linalg.norm(second), 1e-12))


def voice_to_reference(embedding: np.ndarray | None, reference_audio: Path | None) -> Measurement:
    if reference_audio is None:
        return Measurement(method=VOICE_METHOD, reason="the card has no reference voice")
    if embedding is None:
        return Measurement(method=VOICE_METHOD, reason=f"speaks less than {MIN_SPEECH_S} s in this shot")
    reference = reference_voice(Path(reference_audio))
    if reference is None:
        return Measurement(method=VOICE_METHOD, reason=f"the reference voice is shorter than {MIN_SPEECH_S} s")
    return Measurement(value=cosine(embedding, reference), method=VOICE_METHOD)
