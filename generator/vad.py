"""Voice activity with silero-vad, whose model file ships inside its PyPI wheel (loaded with torch.jit, no hub):
speech probability per 32 ms of audio, and Eq. 8's mel energy weighted by it, which the echo backend reports as a
take's speech energy so its memory window lands on speech rather than on music or effects."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from generator.audio import MEL_HOP, MEL_SAMPLE_RATE, resample, to_mono
from generator.errors import EchoError
from generator.memory import frame_energy

VAD_SAMPLE_RATE = MEL_SAMPLE_RATE  # 16 kHz, so one VAD frame spans a whole number of mel hops' centres
VAD_FRAME = 512  # samples per probability at 16 kHz: silero's fixed chunk
SPEECH_THRESHOLD = 0.5  # silero's own default: frames under it count as no speech
_MODEL_LOCK = threading.Lock()  # the scripted model keeps its recurrent state on itself


@lru_cache(maxsize=1)
def _model() -> torch.jit.ScriptModule:
    # find_spec locates the package without importing it: silero_vad's __init__ calls torch.set_num_threads(1).
    spec = importlib.util.find_spec("silero_vad")
    path = Path(spec.origin).parent / "data" / "silero_vad.jit" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise EchoError("silero-vad is not installed; install the project's dependencies: pip install -e .")
    return torch.jit.load(str(path), map_location="cpu").eval()


@contextmanager
def _one_thread() -> Iterator[None]:
    # Silero runs hundreds of tiny sequential steps; more intra-op threads only add hand-offs (10x slower measured
    # on a busy 2-core machine).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def speech_probability(wave: np.ndarray, sample_rate: int) -> np.ndarray:
    """Silero's speech probability of each VAD_FRAME samples of non-empty audio, mixed to mono and resampled to
    16 kHz (the last frame zero-padded), as float32."""
    samples = torch.from_numpy(resample(to_mono(wave), sample_rate, VAD_SAMPLE_RATE))
    with _MODEL_LOCK, _one_thread(), torch.inference_mode():
        return _model().audio_forward(samples[None], VAD_SAMPLE_RATE)[0].numpy().astype(np.float32)


def voiced_energy(wave: np.ndarray, sample_rate: int) -> np.ndarray:
    """`frame_energy` of non-empty audio, each mel frame weighted by the speech probability of the VAD frame that
    holds its centre, and 0 where that is under SPEECH_THRESHOLD (so no music peak can outscore speech)."""
    energy = frame_energy(wave, sample_rate)
    probability = speech_probability(wave, sample_rate)
    centres = np.arange(energy.size) * MEL_HOP  # mel frame t is centred on 16 kHz sample t * hop
    voiced = probability[np.minimum(centres // VAD_FRAME, probability.size - 1)]
    return energy * np.where(voiced >= SPEECH_THRESHOLD, voiced, 0.0)
