"""The film's soundtrack: every shot's wav on one clock, with loudness evened across shots.

Loudness is a gated block RMS in the spirit of ITU-R BS.1770 (400 ms blocks, 75 % overlap, an absolute gate at
-70 dBFS and a relative gate 10 dB under the mean) without the K-weighting filter: close enough to LUFS to even out
shots rendered at different levels, and it needs nothing beyond numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.audio import peak, read_wav, resample, to_mono, write_wav

TARGET_DB = -20.0
CEILING_DB = -1.0
LOWEST_TARGET_DB = -30.0
MAX_GAIN_DB = 24.0
_BLOCK_S = 0.4
_HOP_S = 0.1
_ABSOLUTE_GATE_DB = -70.0
_RELATIVE_GATE_DB = -10.0


@dataclass(frozen=True)
class ShotLevel:
    loudness_db: float | None
    gain_db: float


def gated_loudness_db(wave: np.ndarray, sample_rate: int) -> float | None:
    """Gated mean-square level in dBFS of (n,) or (n, channels) audio (the channels' mean square, so a mono shot
    reads the same as its two-channel copy); None when the shot is silent (nothing above the absolute gate)."""
    samples = np.asarray(wave, dtype=np.float64)
    power = samples**2 if samples.ndim == 1 else np.mean(samples**2, axis=1)
    block, hop = round(_BLOCK_S * sample_rate), round(_HOP_S * sample_rate)
    if power.size == 0:
        return None
    if power.size < block:
        powers = np.array([np.mean(power)])
    else:
        squares = np.concatenate([[0.0], np.cumsum(power)])
        starts = np.arange(0, power.size - block + 1, hop)
        powers = (squares[starts + block] - squares[starts]) / block
    powers = powers[powers > 10 ** (_ABSOLUTE_GATE_DB / 10)]
    if powers.size == 0:
        return None
    relative_gate = np.mean(powers) * 10 ** (_RELATIVE_GATE_DB / 10)
    return 10 * math.log10(float(np.mean(powers[powers >= relative_gate])))


def even_gains(loudness_db: Sequence[float | None], peaks: Sequence[float]) -> tuple[list[float], float]:
    """Per-shot gains (dB) that bring every non-silent shot to one target level, and that target.

    The target is lowered (down to LOWEST_TARGET_DB) until no shot's peak passes the ceiling, so evening never
    needs clipping unless a shot is extraordinarily peaky; gains are capped at +/-MAX_GAIN_DB.
    """
    target = TARGET_DB
    for level, shot_peak in zip(loudness_db, peaks, strict=True):
        if level is not None and shot_peak > 0:
            peak_after_db = 20 * math.log10(shot_peak) + (TARGET_DB - level)
            target = min(target, TARGET_DB - (peak_after_db - CEILING_DB))
    target = max(target, LOWEST_TARGET_DB)
    gains = [0.0 if level is None else max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target - level)) for level in loudness_db]
    return gains, target


def build_soundtrack(
    wav_paths: Sequence[Path], durations_s: Sequence[float], out_path: Path
) -> tuple[list[ShotLevel], float, int]:
    """Write the evened soundtrack (16-bit wav) whose shot boundaries fall exactly on the video's cuts.

    The soundtrack has the rate and channel count of the richest shot (a stereo take keeps its stereo); a shot
    with fewer channels is mixed to mono and played on every channel. Each shot's audio is trimmed or padded with
    silence to its video duration; boundaries are rounded on the cumulative clock so long films do not drift.
    Returns per-shot loudness and gains, the target, the rate.
    """
    decoded = [read_wav(path, mono=False) for path in wav_paths]
    rate = max(sr for _, sr in decoded)
    channels = max(wave.shape[1] for wave, _ in decoded)
    waves = [_spread(resample(wave, sr, rate), channels) for wave, sr in decoded]
    levels = [gated_loudness_db(wave, rate) for wave in waves]
    gains, target = even_gains(levels, [peak(wave) for wave in waves])

    boundaries = np.round(np.cumsum([0.0, *durations_s]) * rate).astype(np.int64)
    track = np.zeros((int(boundaries[-1]), channels), dtype=np.float32)
    for index, wave in enumerate(waves):
        start, end = boundaries[index], boundaries[index + 1]
        piece = wave[: end - start] * np.float32(10 ** (gains[index] / 20))
        track[start : start + len(piece)] = piece
    ceiling = 10 ** (CEILING_DB / 20)
    np.clip(track, -ceiling, ceiling, out=track)
    write_wav(out_path, track, rate)
    return [ShotLevel(level, gain) for level, gain in zip(levels, gains, strict=True)], target, rate


def _spread(wave: np.ndarray, channels: int) -> np.ndarray:
    """(n, channels) audio: as it is when it has that many channels, else its mono mix on every channel."""
    if wave.shape[1] == channels:
        return wave
    return np.repeat(to_mono(wave)[:, None], channels, axis=1)
