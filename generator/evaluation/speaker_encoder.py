"""The GE2E speaker encoder of `resemblyzer` (3-layer LSTM over 40-band mel frames, 256-D unit embeddings), with
the weights its wheel ships (`pretrained.pt`).

Inference follows `resemblyzer.VoiceEncoder.embed_utterance`: volume raised to -30 dBFS, 1.6 s partial windows at
1.3 per second, partial embeddings averaged and L2-normalised. resemblyzer's package cannot be imported here (its
`webrtcvad` wrapper needs `pkg_resources`), so its long-silence trimming is not applied: callers pass speech
segments cut by the take's dialogue timings instead.

The mel spectrogram is librosa's `feature.melspectrogram` defaults (centred, zero-padded periodic Hann STFT, power
2, Slaney mel filters) written out in numpy: importing librosa's feature module compiles numba code, seconds per
process, for what is one matrix product here. torch is imported on the first embedding, not with this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from generator.evaluation.shipped import shipped_file

if TYPE_CHECKING:
    from torch import nn

SAMPLE_RATE = 16_000
MEL_BANDS = 40
WINDOW_SAMPLES = 400  # 25 ms
HOP_SAMPLES = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s
PARTIALS_PER_S = 1.3
MIN_LAST_COVERAGE = 0.75
TARGET_DBFS = -30.0
INT16_MAX = 2**15 - 1


@dataclass(frozen=True)
class SpeakerEncoder:
    lstm: nn.LSTM
    linear: nn.Linear


@cache
def speaker_encoder() -> SpeakerEncoder:
    """Loaded once per process."""
    import torch

    checkpoint = torch.load(shipped_file("resemblyzer", "pretrained.pt"), map_location="cpu", weights_only=False)
    state = checkpoint["model_state"]
    encoder = SpeakerEncoder(lstm=torch.nn.LSTM(MEL_BANDS, 256, 3, batch_first=True), linear=torch.nn.Linear(256, 256))
    for name, layer in (("lstm", encoder.lstm), ("linear", encoder.linear)):
        layer.load_state_dict(
            {key.removeprefix(f"{name}."): value for key, value in state.items() if key.startswith(f"{name}.")}
        )
        layer.eval()
    return encoder


def embed_speech(wave: np.ndarray) -> np.ndarray:
    """The unit speaker embedding (256,) of 16 kHz mono speech."""
    import torch

    wave = _raise_volume(np.asarray(wave, dtype=np.float32))
    mel_slices = _partial_slices(len(wave))
    needed = mel_slices[-1].stop * HOP_SAMPLES
    if needed >= len(wave):
        wave = np.pad(wave, (0, needed - len(wave)))
    frames = mel_spectrogram(wave)
    batch = torch.from_numpy(np.stack([frames[s] for s in mel_slices]))
    encoder = speaker_encoder()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a few 1.6 s windows: more threads only wait on each other (5x slower under load)
    try:
        with torch.inference_mode():
            _, (hidden, _) = encoder.lstm(batch)
            raw = torch.relu(encoder.linear(hidden[-1]))
            partials = (raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-12)).numpy()
    finally:
        torch.set_num_threads(threads)
    mean = partials.mean(axis=0)
    return (mean / np.linalg.norm(mean)).astype(np.float32)


def mel_spectrogram(wave: np.ndarray) -> np.ndarray:
    """(frames, MEL_BANDS) float32 power mel spectrogram, as `librosa.feature.melspectrogram(y=wave,
    sr=SAMPLE_RATE, n_fft=WINDOW_SAMPLES, hop_length=HOP_SAMPLES, n_mels=MEL_BANDS).T`."""
    padded = np.pad(np.asarray(wave, dtype=np.float32), WINDOW_SAMPLES // 2)
    windows = np.lib.stride_tricks.sliding_window_view(padded, WINDOW_SAMPLES)[::HOP_SAMPLES]
    power = np.abs(np.fft.rfft(windows * _hann(), axis=1)) ** 2
    return (power @ mel_filters().T).astype(np.float32)


@cache
def _hann() -> np.ndarray:
    """The periodic Hann window (scipy's `get_window("hann", n, fftbins=True)`)."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WINDOW_SAMPLES) / WINDOW_SAMPLES)


@cache
def mel_filters() -> np.ndarray:
    """(MEL_BANDS, WINDOW_SAMPLES // 2 + 1) Slaney-scale, Slaney-normalised triangular filters from 0 Hz to
    Nyquist (librosa's `filters.mel` defaults)."""
    frequencies = np.fft.rfftfreq(WINDOW_SAMPLES, 1 / SAMPLE_RATE)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), MEL_BANDS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - frequencies[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(rising, falling))
    return (weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


_LINEAR_HZ_PER_MEL = 200.0 / 3
_LOG_FROM_HZ = 1000.0
_LOG_FROM_MEL = _LOG_FROM_HZ / _LINEAR_HZ_PER_MEL
_LOG_STEP = np.log(6.4) / 27.0


def _hz_to_mel(hz: float) -> float:
    if hz < _LOG_FROM_HZ:
        return hz / _LINEAR_HZ_PER_MEL
    return _LOG_FROM_MEL + float(np.log(hz / _LOG_FROM_HZ)) / _LOG_STEP


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    linear = mels * _LINEAR_HZ_PER_MEL
    logarithmic = _LOG_FROM_HZ * np.exp(_LOG_STEP * (mels - _LOG_FROM_MEL))
    return np.where(mels >= _LOG_FROM_MEL, logarithmic, linear)


def _raise_volume(wave: np.ndarray) -> np.ndarray:
    rms = np.sqrt(np.mean((wave.astype(np.float64) * INT16_MAX) ** 2))
    if rms <= 0:
        return wave
    change_db = TARGET_DBFS - 20 * np.log10(rms / INT16_MAX)
    return wave if change_db < 0 else (wave * 10 ** (change_db / 20)).astype(np.float32)


def _partial_slices(num_samples: int) -> list[slice]:
    num_frames = int(np.ceil((num_samples + 1) / HOP_SAMPLES))
    step = int(np.round(SAMPLE_RATE / PARTIALS_PER_S / HOP_SAMPLES))
    starts = range(0, max(1, num_frames - PARTIAL_FRAMES + step + 1), step)
    slices = [slice(start, start + PARTIAL_FRAMES) for start in starts]
    last = slices[-1]
    coverage = (num_samples - last.start * HOP_SAMPLES) / (PARTIAL_FRAMES * HOP_SAMPLES)
    if coverage < MIN_LAST_COVERAGE and len(slices) > 1:
        slices.pop()
    return slices
