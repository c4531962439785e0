"""Audio primitives shared by the memory code and both backends: wav I/O, resampling, log-mel, loudness.

`log_mel` defaults reproduce the JoyAI-Echo memory-audio preprocessing in diffusers
(`modular_pipelines/echo/encoders.py`: input padded to one FFT window's worth, resampled to 16 kHz with
torchaudio's Hann-windowed sinc, n_fft 1024, hop 160, 128 Slaney mel bins with Slaney norm, magnitude spectrogram,
centred reflect padding, natural log clamped at 1e-5), computed in numpy: torchaudio cannot be installed beside
the project's torch, so `resample_sinc` ports its resampler.
"""

from __future__ import annotations

import io
import math
import os
import struct
import wave as wave_module
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
from scipy.fft import rfft
from scipy.signal import resample_poly

from generator.errors import EchoError
from generator.files import atomic_write_bytes

MEL_SAMPLE_RATE = 16000
MEL_N_FFT = 1024
MEL_HOP = 160
MEL_BINS = 128
LOG_FLOOR = 1e-5

_PCM = 1
_IEEE_FLOAT = 3
_EXTENSIBLE = 0xFFFE
_MAX_CHANNELS = 64
_FORMAT_TAG_NAMES = {2: "MS ADPCM", 6: "A-law", 7: "mu-law", 0x11: "IMA ADPCM", 0x50: "MPEG audio", 0x55: "MP3"}

MelScale = Literal["slaney", "htk"]


class WavError(EchoError):
    """A file `read_wav` cannot decode. `reason` is the cause alone, for callers that word their own advice:
    'unsupported WAV format: 4 bits per sample', 'invalid WAV header: sample rate 0 Hz', ..."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            f"{name} is not a readable WAV file ({reason}). Use a PCM or 32-bit float .wav, "
            "e.g. convert with: ffmpeg -i input -ac 1 -ar 16000 output.wav"
        )
        self.reason = reason


@dataclass(frozen=True)
class WavFormat:
    """A RIFF/WAVE header that `read_wav` can decode. `frames` counts the whole frames actually present in the
    data chunk (a streamed file may declare more than it holds)."""

    float_samples: bool
    channels: int
    sample_rate: int
    bits: int
    sample_bytes: int
    data_offset: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def wav_format(path: str | os.PathLike) -> WavFormat:
    """The header of a RIFF/WAVE file, read without loading its samples; WavError when `read_wav` could not
    decode the file (unsupported encoding, sample size or channel count, or a broken header)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return _read_header(handle, path.stat().st_size, path.name)
    except OSError as error:
        raise EchoError(f"Cannot read audio file {path}: {error.strerror or error}. Check the path.") from error


def read_wav(path: str | os.PathLike, *, sanitize: bool = True, mono: bool = True) -> tuple[np.ndarray, int]:
    """Decode a RIFF/WAVE file (PCM 8-32 bit or IEEE float 32/64, any channel count up to 64) to float32: mono
    (n,) with the channels averaged, or with `mono=False` every channel as (n, channels).

    With `sanitize` (the default) NaN/inf samples read as 0 and the result is clipped to [-1, 1]; without it float
    samples come back as stored, so a caller can refuse a file holding NaN or infinite values.
    """
    path = Path(path)
    fmt = wav_format(path)
    try:
        with path.open("rb") as handle:
            handle.seek(fmt.data_offset)
            pcm = handle.read(fmt.frames * fmt.channels * fmt.sample_bytes)
    except OSError as error:
        raise EchoError(f"Cannot read audio file {path}: {error.strerror or error}. Check the path.") from error
    samples = _decode_samples(fmt, pcm)
    if mono:
        samples = to_mono(samples)
    if sanitize:
        samples = np.clip(np.nan_to_num(samples), -1.0, 1.0)
    return samples, fmt.sample_rate


def _read_header(handle: BinaryIO, file_size: int, name: str) -> WavFormat:
    head = handle.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise WavError(name, "missing RIFF/WAVE header")
    fmt: tuple[int, int, int, int] | None = None
    data: tuple[int, int] | None = None
    offset = 12
    while offset + 8 <= file_size:
        handle.seek(offset)
        chunk_id, size = struct.unpack("<4sI", handle.read(8))
        if chunk_id == b"fmt ":
            body = handle.read(min(size, 40))
            if len(body) < 16:
                raise WavError(name, "invalid WAV header: fmt chunk too short")
            tag, channels, sample_rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack_from("<H", body, 24)[0]
            fmt = (tag, channels, sample_rate, bits)
        elif chunk_id == b"data":
            data = (offset + 8, max(0, min(size, file_size - offset - 8)))
        offset += 8 + size + (size & 1)
    if fmt is None or data is None:
        raise WavError(name, f"invalid WAV header: no {'fmt' if fmt is None else 'data'} chunk")
    tag, channels, sample_rate, bits = fmt
    sample_bytes = _sample_bytes(name, tag, channels, sample_rate, bits)
    return WavFormat(
        float_samples=tag == _IEEE_FLOAT,
        channels=channels,
        sample_rate=sample_rate,
        bits=bits,
        sample_bytes=sample_bytes,
        data_offset=data[0],
        frames=data[1] // (channels * sample_bytes),
    )


def _sample_bytes(name: str, tag: int, channels: int, sample_rate: int, bits: int) -> int:
    """Bytes per stored sample of a decodable format, or WavError naming what is not decodable."""
    if channels < 1:
        raise WavError(name, "invalid WAV header: 0 channels")
    if sample_rate < 1:
        raise WavError(name, "invalid WAV header: sample rate 0 Hz")
    if tag == _IEEE_FLOAT:
        if bits not in (32, 64):
            raise WavError(name, f"unsupported WAV format: {bits}-bit float samples")
    elif tag == _PCM:
        if not 8 <= bits <= 32:
            raise WavError(name, f"unsupported WAV format: {bits} bits per sample")
    else:
        encoding = _FORMAT_TAG_NAMES.get(tag, "compressed or unknown encoding")
        raise WavError(name, f"unsupported WAV format: format tag {tag} ({encoding})")
    if channels > _MAX_CHANNELS:
        raise WavError(name, f"unsupported WAV format: {channels} channels (at most {_MAX_CHANNELS})")
    return (bits + 7) // 8  # 12- or 20-bit PCM sits left-justified in 16- or 24-bit containers


def _decode_samples(fmt: WavFormat, pcm: bytes) -> np.ndarray:
    """(frames, channels) float32 of the whole frames in `pcm`; float data is returned as stored."""
    width, channels = fmt.sample_bytes, fmt.channels
    usable = len(pcm) - len(pcm) % (width * channels)
    raw = np.frombuffer(pcm, dtype=np.uint8, count=usable)
    if fmt.float_samples:
        samples = raw.view("<f4" if width == 4 else "<f8").astype(np.float32)
    elif width == 1:
        samples = (raw.astype(np.float32) - 128.0) / 128.0
    elif width in (2, 4):
        samples = raw.view("<i2" if width == 2 else "<i4").astype(np.float32) / float(2 ** (8 * width - 1))
    else:
        triplets = raw.reshape(-1, 3).astype(np.int32)
        values = triplets[:, 0] | (triplets[:, 1] << 8) | (triplets[:, 2] << 16)
        samples = (np.where(values >= 1 << 23, values - (1 << 24), values)).astype(np.float32) / float(1 << 23)
    return samples.reshape(-1, channels)


def to_mono(wave: np.ndarray) -> np.ndarray:
    """Float32 (n,) audio: a mono waveform as it is, the channels of an (n, channels) one averaged."""
    samples = np.asarray(wave, dtype=np.float32)
    if samples.ndim == 1:
        return samples
    if samples.shape[1] == 1:
        return samples[:, 0]
    with np.errstate(invalid="ignore", over="ignore"):  # unsanitised float files may hold NaN or inf
        return samples.mean(axis=1, dtype=np.float32)


def write_wav(path: str | os.PathLike, wave: np.ndarray, sample_rate: int) -> Path:
    """Write mono (n,) or multi-channel (n, channels) float audio as 16-bit PCM, atomically."""
    samples = np.asarray(wave, dtype=np.float32)
    if samples.ndim not in (1, 2) or sample_rate <= 0:
        raise ValueError(f"expected (n,) or (n, channels) audio and a positive sample rate; got {samples.shape}")
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    pcm = np.round(np.clip(np.nan_to_num(samples), -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave_module.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(int(sample_rate))
        writer.writeframes(pcm.tobytes())
    atomic_write_bytes(Path(path), buffer.getvalue())
    return Path(path)


def resample(wave: np.ndarray, from_sr: int, to_sr: int) -> np.ndarray:
    """Polyphase (Kaiser-windowed FIR) resampling of (n,) or (n, channels) audio along time; returns float32."""
    samples = np.asarray(wave, dtype=np.float32)
    if from_sr == to_sr or samples.size == 0:
        return samples
    divisor = math.gcd(int(from_sr), int(to_sr))
    return resample_poly(samples, int(to_sr) // divisor, int(from_sr) // divisor, axis=0).astype(np.float32)


SINC_ZERO_CROSSINGS = 6
SINC_ROLLOFF = 0.99
_SINC_KERNEL_CACHE_ENTRIES = 1 << 22
"""Kernels up to this many taps (16 MiB) are cached; larger ones (rates with a small common divisor) are built in
blocks of phases per call, so memory stays bounded."""


def resample_sinc(
    wave: np.ndarray,
    from_sr: int,
    to_sr: int,
    *,
    zero_crossings: int = SINC_ZERO_CROSSINGS,
    rolloff: float = SINC_ROLLOFF,
) -> np.ndarray:
    """Band-limited resampling as torchaudio's `functional.resample` does it for float32 audio (its default
    `sinc_interp_hann`, `lowpass_filter_width=6`, `rolloff=0.99`); returns float32.

    The rates are reduced by their gcd to `orig`/`new`; output phase p of every block of `new` samples is the dot
    product of one kernel row with `2 * width + orig` input samples starting at `orig * block`, on the input
    zero-padded by `width` before and `width + orig` after; `ceil(new * length / orig)` samples are kept (that
    quotient rounded to float32 first, as torchaudio rounds it). `resample` (polyphase, Kaiser) stays the
    general-purpose resampler; this one exists so the memory mel equals diffusers' torchaudio computation.
    """
    samples = np.asarray(wave, dtype=np.float32).reshape(-1)
    if from_sr <= 0 or to_sr <= 0:
        raise ValueError(f"sample rates must be positive; got {from_sr} and {to_sr}")
    if from_sr == to_sr:
        return samples
    divisor = math.gcd(int(from_sr), int(to_sr))
    orig, new = int(from_sr) // divisor, int(to_sr) // divisor
    width = _sinc_width(orig, new, zero_crossings, rolloff)
    padded = np.pad(samples, (width, width + orig))
    taps = 2 * width + orig
    blocks = np.lib.stride_tricks.sliding_window_view(padded, taps)[::orig]  # (length // orig + 1, taps)
    output = np.empty((blocks.shape[0], new), dtype=np.float32)
    if new * taps <= _SINC_KERNEL_CACHE_ENTRIES:
        np.matmul(blocks, _cached_sinc_kernel(orig, new, zero_crossings, rolloff).T, out=output)
    else:
        blocks = np.ascontiguousarray(blocks)
        step = max(1, _SINC_KERNEL_CACHE_ENTRIES // taps)
        for first in range(0, new, step):
            last = min(new, first + step)
            kernel = _sinc_kernel_rows(orig, new, zero_crossings, rolloff, first, last)
            np.matmul(blocks, kernel.T, out=output[:, first:last])
    target = math.ceil(np.float32(new * samples.size / orig))
    return output.reshape(-1)[:target]


def _sinc_width(orig: int, new: int, zero_crossings: int, rolloff: float) -> int:
    return math.ceil(zero_crossings * orig / (min(orig, new) * rolloff))


def _sinc_kernel_rows(orig: int, new: int, zero_crossings: int, rolloff: float, first: int, last: int) -> np.ndarray:
    """Rows first..last-1 of torchaudio's (new, 2 * width + orig) Hann-windowed sinc kernel, computed in float32
    step by step as torchaudio computes it for a float32 waveform."""
    cutoff = min(orig, new) * rolloff
    width = _sinc_width(orig, new, zero_crossings, rolloff)
    f32 = np.float32
    offsets = np.arange(-width, width + orig, dtype=f32) / f32(orig)
    times = (-np.arange(first, last, dtype=f32) / f32(new))[:, None] + offsets[None, :]
    times = np.clip(times * f32(cutoff), -zero_crossings, zero_crossings).astype(f32)
    window = np.cos(times * f32(math.pi) / f32(zero_crossings) / f32(2)) ** 2
    times = times * f32(math.pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        sinc = np.where(times == 0, f32(1.0), np.sin(times) / times)
    return (sinc * (window * f32(cutoff / orig))).astype(f32)


@lru_cache(maxsize=16)
def _cached_sinc_kernel(orig: int, new: int, zero_crossings: int, rolloff: float) -> np.ndarray:
    kernel = _sinc_kernel_rows(orig, new, zero_crossings, rolloff, 0, new)
    kernel.setflags(write=False)
    return kernel


def hz_to_mel(freq: np.ndarray | float, scale: MelScale = "slaney") -> np.ndarray:
    freq = np.asarray(freq, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + freq / 700.0)
    linear = freq / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(freq, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
    return np.where(freq >= 1000.0, log_part, linear)


def mel_to_hz(mels: np.ndarray | float, scale: MelScale = "slaney") -> np.ndarray:
    mels = np.asarray(mels, dtype=np.float64)
    if scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    return np.where(mels >= 15.0, 1000.0 * np.exp((math.log(6.4) / 27.0) * (mels - 15.0)), mels * (200.0 / 3))


@lru_cache(maxsize=16)
def mel_filterbank(
    sample_rate: int,
    n_fft: int,
    n_mels: int,
    fmin: float = 0.0,
    fmax: float | None = None,
    scale: MelScale = "slaney",
    norm: Literal["slaney"] | None = "slaney",
) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters, constructed as torchaudio's `melscale_fbanks`."""
    fmax = sample_rate / 2.0 if fmax is None else fmax
    fft_freqs = np.linspace(0.0, sample_rate // 2, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin, scale), hz_to_mel(fmax, scale), n_mels + 2), scale)
    widths = np.diff(edges)
    slopes = edges[None, :] - fft_freqs[:, None]
    falling = -slopes[:, :-2] / widths[:-1]
    rising = slopes[:, 2:] / widths[1:]
    bank = np.maximum(0.0, np.minimum(falling, rising))
    if norm == "slaney":
        bank *= 2.0 / (edges[2 : n_mels + 2] - edges[:n_mels])
    bank = bank.T.astype(np.float32)
    bank.setflags(write=False)
    return bank


@lru_cache(maxsize=8)
def _hann_window(length: int) -> np.ndarray:
    # Periodic, as torch.hann_window defaults to.
    phase = 2.0 * np.pi * np.arange(length) / length
    return (0.5 - 0.5 * np.cos(phase)).astype(np.float32)


def mel_waveform(
    wave: np.ndarray, sample_rate: int, *, target_sr: int = MEL_SAMPLE_RATE, n_fft: int = MEL_N_FFT
) -> np.ndarray:
    """The float32 waveform diffusers' memory encoder takes its mel of: zero-padded at the end to the input length
    of one FFT window (`ceil(n_fft * sample_rate / target_sr)` samples), `resample_sinc` to target_sr, then
    zero-padded to at least n_fft samples."""
    samples = np.asarray(wave, dtype=np.float32).reshape(-1)
    shortest = math.ceil(n_fft * sample_rate / target_sr)
    if samples.size < shortest:
        samples = np.pad(samples, (0, shortest - samples.size))
    samples = resample_sinc(samples, sample_rate, target_sr)
    if samples.size < n_fft:
        samples = np.pad(samples, (0, n_fft - samples.size))
    return samples


def log_mel(
    wave: np.ndarray,
    sample_rate: int,
    *,
    target_sr: int = MEL_SAMPLE_RATE,
    n_fft: int = MEL_N_FFT,
    hop: int = MEL_HOP,
    n_mels: int = MEL_BINS,
) -> np.ndarray:
    """(n_mels, frames) float32 natural-log mel energies of a mono waveform (`mel_waveform` of it first)."""
    samples = mel_waveform(wave, sample_rate, target_sr=target_sr, n_fft=n_fft)
    samples = np.pad(samples, (n_fft // 2, n_fft // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(samples, n_fft)[::hop]
    spectrum = np.abs(rfft(frames * _hann_window(n_fft), axis=1))
    bank = mel_filterbank(target_sr, n_fft, n_mels)
    mel = (spectrum.astype(np.float32, copy=False) @ bank.T).T
    return np.log(np.maximum(mel, LOG_FLOOR)).astype(np.float32)


def peak(wave: np.ndarray) -> float:
    samples = np.asarray(wave)
    return float(np.max(np.abs(samples))) if samples.size else 0.0


def speech_envelope(
    wave: np.ndarray, sample_rate: int, fps: int, num_frames: int | None = None, gate_db: float = -50.0
) -> np.ndarray:
    """Per-video-frame loudness in [0, 1] (RMS over each frame's samples, relative to the loudest frame).

    Frames quieter than `gate_db` dBFS are 0, so background hiss does not open a mouth. `num_frames`
    defaults to the number of frames the audio spans; missing audio at the end reads as silence.
    """
    samples = np.asarray(wave, dtype=np.float32).reshape(-1)
    per_frame = sample_rate / fps
    if num_frames is None:
        num_frames = math.ceil(samples.size / per_frame)
    bounds = np.minimum(np.round(np.arange(num_frames + 1) * per_frame).astype(np.int64), samples.size)
    squares = np.concatenate([[0.0], np.cumsum(samples.astype(np.float64) ** 2)])
    counts = np.maximum(bounds[1:] - bounds[:-1], 1)
    rms = np.sqrt((squares[bounds[1:]] - squares[bounds[:-1]]) / counts)
    rms[rms < 10.0 ** (gate_db / 20.0)] = 0.0
    loudest = rms.max(initial=0.0)
    return (rms / loudest if loudest > 0 else rms).astype(np.float32)
