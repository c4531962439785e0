"""The memory mel equals diffusers' torchaudio computation at every common input rate, long clips included.

torchaudio cannot be installed beside the project's torch, so the reference below re-derives, with torch ops, what
torchaudio does on diffusers' path: `functional.resample` (Hann-windowed sinc, 6 zero crossings, rolloff 0.99,
rates reduced by their gcd, the kernel computed in the waveform's float32 as `resample` asks for it, zero padding
of `width` / `width + orig`, a strided `conv1d`, `ceil` of the float32 length) and `transforms.MelSpectrogram`
(`torch.stft` centred with reflect padding and a periodic Hann window, magnitude, float32 Slaney filterbank with
Slaney norm). diffusers' own `_encode_audio` then runs on that stand-in, so its padding, resampling order and long
clip crop are its own code, not a re-reading of it.

Test signals carry a -60 dBFS noise floor, as recordings do: where a mel bin sits near the 1e-5 log clamp, the
float32 rounding of any STFT (torch's included) is magnified by the log, and two faithful float32 computations can
differ there by more than the 1e-3 this file asserts.
"""

from __future__ import annotations

import math
import sys
import types
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from diffusers.modular_pipelines.echo.encoders import MAX_MEMORY_AUDIO_DURATION_SECONDS, _encode_audio
from tiny_echo import tiny_echo_components

from generator.audio import log_mel, mel_filterbank, resample, resample_sinc
from generator.echo.memory_blocks import encode_memory_audio, memory_audio_mel

VAE_RATE = 16000
VAE_HOP = 160
VAE_MEL_BINS = 64  # the released audio VAE's config
RATES = [16000, 22050, 24000, 44100, 48000]
TOLERANCE = 1e-3  # natural-log units
NOISE_FLOOR = 1e-3  # -60 dBFS


# --- torchaudio, re-derived with torch ops --------------------------------------------------------------------


def reference_sinc_kernel(orig: int, new: int, zero_crossings: int = 6, rolloff: float = 0.99):
    """torchaudio's (new, 1, 2 * width + orig) kernel for gcd-reduced rates, built in float32 as `resample` builds
    it for a float32 waveform; returns (kernel, width)."""
    cutoff = min(orig, new) * rolloff
    width = math.ceil(zero_crossings * orig / cutoff)
    offsets = torch.arange(-width, width + orig, dtype=torch.float32)[None, None] / orig
    times = torch.arange(0, -new, -1, dtype=torch.float32)[:, None, None] / new + offsets
    times = (times * cutoff).clamp(-zero_crossings, zero_crossings)
    window = torch.cos(times * math.pi / zero_crossings / 2) ** 2
    times = times * math.pi
    sinc = torch.where(times == 0, torch.tensor(1.0), times.sin() / times)
    return sinc * (window * (cutoff / orig)), width


def reference_resample(waveform: torch.Tensor, orig_freq: int, new_freq: int) -> torch.Tensor:
    """(..., time) float32 resampled as torchaudio's `functional.resample` with its defaults."""
    if orig_freq == new_freq:
        return waveform
    divisor = math.gcd(orig_freq, new_freq)
    orig, new = orig_freq // divisor, new_freq // divisor
    kernel, width = reference_sinc_kernel(orig, new)
    flat = waveform.reshape(-1, waveform.shape[-1])
    count, length = flat.shape
    padded = torch.nn.functional.pad(flat, (width, width + orig))
    out = torch.nn.functional.conv1d(padded[:, None], kernel, stride=orig).transpose(1, 2).reshape(count, -1)
    out = out[:, : int(torch.ceil(torch.as_tensor(new * length / orig)))]
    return out.reshape(*waveform.shape[:-1], out.shape[-1])


def reference_slaney_filterbank(sample_rate: int, n_fft: int, n_mels: int) -> torch.Tensor:
    """(n_fft // 2 + 1, n_mels) float32 triangles on the Slaney mel scale over 0..Nyquist, Slaney-normalised."""
    log_step = math.log(6.4) / 27.0

    def to_mel(hz: float) -> float:
        return 15.0 + math.log(hz / 1000.0) / log_step if hz >= 1000.0 else hz / (200.0 / 3)

    mels = torch.linspace(to_mel(0.0), to_mel(sample_rate / 2.0), n_mels + 2)
    edges = mels * (200.0 / 3)
    upper = mels >= 15.0
    edges[upper] = 1000.0 * torch.exp(log_step * (mels[upper] - 15.0))
    bins = torch.linspace(0, sample_rate // 2, n_fft // 2 + 1)
    gaps = edges[1:] - edges[:-1]
    slopes = edges[None, :] - bins[:, None]
    triangles = torch.clamp(torch.minimum(-slopes[:, :-2] / gaps[:-1], slopes[:, 2:] / gaps[1:]), min=0.0)
    return triangles * (2.0 / (edges[2:] - edges[:-2]))[None, :]


class ReferenceMelSpectrogram:
    """`torchaudio.transforms.MelSpectrogram` for the arguments diffusers passes (refuses any other)."""

    def __init__(self, **kwargs) -> None:
        rate = kwargs["sample_rate"]
        expected = dict(
            n_fft=1024,
            win_length=1024,
            f_min=0.0,
            f_max=rate / 2.0,
            window_fn=torch.hann_window,
            center=True,
            pad_mode="reflect",
            power=1.0,
            mel_scale="slaney",
            norm="slaney",
        )
        assert {key: kwargs[key] for key in expected} == expected and set(kwargs) == {
            *expected,
            "sample_rate",
            "hop_length",
            "n_mels",
        }
        self.hop, self.bank = kwargs["hop_length"], reference_slaney_filterbank(rate, 1024, kwargs["n_mels"])

    def to(self, device: torch.device) -> ReferenceMelSpectrogram:
        return self

    def __call__(self, waveform: torch.Tensor) -> torch.Tensor:
        spectrum = torch.stft(
            waveform,
            n_fft=1024,
            hop_length=self.hop,
            win_length=1024,
            window=torch.hann_window(1024),
            center=True,
            pad_mode="reflect",
            return_complex=True,
        ).abs()
        return torch.matmul(spectrum.transpose(-1, -2), self.bank).transpose(-1, -2)


@pytest.fixture
def reference_torchaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the stand-in as `torchaudio` for diffusers' `_encode_audio` to import."""
    module = types.ModuleType("torchaudio")
    module.functional = SimpleNamespace(resample=reference_resample)
    module.transforms = SimpleNamespace(MelSpectrogram=ReferenceMelSpectrogram)
    monkeypatch.setitem(sys.modules, "torchaudio", module)


class MelCapturingVae:
    """An audio VAE whose 'latents' are the mel diffusers hands it (with mean 0 / std 1 they come back as is)."""

    def __init__(self, mel_bins: int = VAE_MEL_BINS) -> None:
        self.config = SimpleNamespace(sample_rate=VAE_RATE, mel_hop_length=VAE_HOP, mel_bins=mel_bins)
        self.dtype = torch.float32

    def encode(self, mel: torch.Tensor) -> SimpleNamespace:
        return SimpleNamespace(latent_dist=SimpleNamespace(mode=lambda: mel))


def diffusers_mel(wave: np.ndarray, sample_rate: int, mel_bins: int = VAE_MEL_BINS) -> np.ndarray:
    """(1, 2, frames, bins): what diffusers' `_encode_audio` feeds the audio VAE for this mono waveform."""
    vae = MelCapturingVae(mel_bins)
    zeros, ones = torch.zeros(2 * mel_bins), torch.ones(2 * mel_bins)
    mel = _encode_audio(vae, zeros, ones, torch.from_numpy(wave), sample_rate, torch.device("cpu"))
    return mel.numpy()


def project_mel(wave: np.ndarray, sample_rate: int, mel_bins: int = VAE_MEL_BINS) -> np.ndarray:
    return memory_audio_mel(MelCapturingVae(mel_bins), wave, sample_rate).numpy()


# --- signals --------------------------------------------------------------------------------------------------


def with_floor(wave: np.ndarray, seed: int) -> np.ndarray:
    floor = NOISE_FLOOR * np.random.default_rng(1000 + seed).standard_normal(wave.size)
    return (wave + floor).astype(np.float32)


KINDS = ("tones", "chirp", "noise", "speech")


def signal(kind: str, rate: int, seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    """Tones just below and (for faster inputs) above 16 kHz's Nyquist, a chirp across the whole input band, white
    noise, or speech-like syllables (a gliding 120-180 Hz voice with harmonics, fricative hiss); float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * rate)) / rate
    if kind == "tones":
        near_nyquist = [7700.0, 7900.0, 7960.0, 7990.0] + ([8100.0, 9000.0, 10500.0] if rate > 16000 else [])
        wave = 0.2 * np.sin(2 * np.pi * 440.0 * t)
        for k, freq in enumerate(near_nyquist):
            wave += 0.15 * np.sin(2 * np.pi * freq * t + k)
    elif kind == "chirp":
        top = min(0.95 * rate / 2, 20000.0)
        wave = 0.5 * np.sin(2 * np.pi * (40.0 * t + (top - 40.0) / (2 * seconds) * t**2))
    elif kind == "noise":
        wave = 0.3 * rng.standard_normal(t.size)
    else:
        syllables = np.clip(np.sin(2 * np.pi * 2.7 * t + seed), 0.0, None) ** 2
        phase = 2 * np.pi * np.cumsum(150.0 + 30.0 * np.sin(2 * np.pi * 0.8 * t)) / rate
        voiced = sum(np.sin(h * phase) / h for h in range(1, 25))
        hiss = np.diff(rng.standard_normal(t.size + 1))  # a rising spectrum, like a fricative
        wave = 0.15 * syllables * voiced + 0.05 * (np.sin(2 * np.pi * 1.3 * t + seed) > 0.85) * hiss
    return with_floor(wave, seed)


def signals(rate: int, seconds: float = 2.0, seed: int = 0) -> dict[str, np.ndarray]:
    return {kind: signal(kind, rate, seconds, seed) for kind in KINDS}


# --- the tests ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 24000, 32000, 44100, 48000, 96000, 44056])
def test_resample_sinc_is_torchaudio_resample(rate: int) -> None:
    """Same samples (to float32 rounding) and the same length; 44056 Hz needs a kernel too big to cache."""
    wave = signal("speech", rate, seconds=1.37)
    ours = resample_sinc(wave, rate, VAE_RATE)
    theirs = reference_resample(torch.from_numpy(wave), rate, VAE_RATE).numpy()
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    impulse = np.zeros(997, np.float32)
    impulse[500] = 1.0  # the kernel itself, phase by phase
    np.testing.assert_allclose(
        resample_sinc(impulse, rate, VAE_RATE), reference_resample(torch.from_numpy(impulse), rate, VAE_RATE), atol=1e-6
    )


def test_resample_sinc_lengths_follow_torchaudio_float32_ceil() -> None:
    # 160 * 441328 / 441 = 160119.0023: torchaudio rounds it to float32 (160119.0) before its ceil.
    for rate, length in [(44100, 441328), (44100, 1), (44100, 441), (22050, 12345), (48000, 3), (11025, 7), (24000, 5)]:
        wave = np.ones(length, np.float32)
        expected = reference_resample(torch.from_numpy(wave), rate, VAE_RATE).shape[-1]
        assert resample_sinc(wave, rate, VAE_RATE).size == expected
    assert resample_sinc(np.ones(441328, np.float32), 44100, 16000).size == 160119
    assert resample_sinc(np.zeros(0, np.float32), 48000, 16000).size == 0


def test_reference_filterbank_is_the_project_filterbank() -> None:
    for bins in (VAE_MEL_BINS, 128):
        reference = reference_slaney_filterbank(VAE_RATE, 1024, bins).numpy().T
        np.testing.assert_allclose(mel_filterbank(VAE_RATE, 1024, bins), reference, atol=1e-6)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("seed", [0, 1])
def test_memory_mel_equals_diffusers_torchaudio_mel(reference_torchaudio: None, rate: int, seed: int) -> None:
    for name, wave in signals(rate, seed=seed).items():
        ours, theirs = project_mel(wave, rate), diffusers_mel(wave, rate)
        assert ours.shape == theirs.shape == (1, 2, 201, VAE_MEL_BINS), name
        assert float(np.abs(ours - theirs).max()) <= TOLERANCE, name


@pytest.mark.parametrize("rate", RATES)
def test_log_mel_with_128_bins_equals_the_reference(reference_torchaudio: None, rate: int) -> None:
    for name, wave in signals(rate, seconds=1.0, seed=2).items():
        theirs = diffusers_mel(wave, rate, mel_bins=128)[0, 0].T
        assert float(np.abs(log_mel(wave, rate) - theirs).max()) <= TOLERANCE, name


@pytest.mark.parametrize("seconds", [0.01, 0.05, 0.9])
@pytest.mark.parametrize("rate", RATES)
def test_short_clips_are_padded_as_diffusers_pads_them(reference_torchaudio: None, rate: int, seconds: float) -> None:
    wave = signal("speech", rate, seconds=seconds, seed=3)
    ours, theirs = project_mel(wave, rate), diffusers_mel(wave, rate)
    assert ours.shape == theirs.shape
    assert float(np.abs(ours - theirs).max()) <= TOLERANCE


def long_clip(rate: int, seconds: float, loud_from: float, loud_to: float) -> np.ndarray:
    """Quiet speech with a loud stretch [loud_from, loud_to) s: one clearly highest-energy 9.62 s window."""
    wave = 0.02 * signal("speech", rate, seconds=seconds, seed=4)
    t = np.arange(wave.size) / rate
    loud = (t >= loud_from) & (t < loud_to)
    wave[loud] += 6 * signal("speech", rate, seconds=seconds, seed=5)[loud]
    return with_floor(wave, seed=6)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(
    ("seconds", "loud_from", "loud_to"), [(12.5, 9.3, 12.4), (9.7, 0.0, 0.5), (16.0, 7.1, 9.9), (15.0, 0.2, 14.8)]
)
def test_long_clips_are_cut_to_diffusers_window_and_frame_count(
    reference_torchaudio: None, rate: int, seconds: float, loud_from: float, loud_to: float
) -> None:
    expected_frames = round(MAX_MEMORY_AUDIO_DURATION_SECONDS * VAE_RATE) // VAE_HOP + 1
    assert expected_frames == 963
    wave = long_clip(rate, seconds, loud_from, loud_to)
    ours, theirs = project_mel(wave, rate), diffusers_mel(wave, rate)
    assert ours.shape == theirs.shape == (1, 2, expected_frames, VAE_MEL_BINS)
    assert float(np.abs(ours - theirs).max()) <= TOLERANCE  # the same window, not just the same length


def test_the_old_kaiser_resampling_was_measurably_different(reference_torchaudio: None) -> None:
    """The parity tests can see a resampler change: scipy's polyphase path missed by far more than 0.05."""
    for name, wave in signals(48000).items():
        theirs = diffusers_mel(wave, 48000)[0, 0].T
        old = log_mel(resample(wave, 48000, VAE_RATE), VAE_RATE, n_mels=VAE_MEL_BINS)
        assert float(np.abs(old - theirs).max()) > 0.05, name
        assert float(np.abs(project_mel(wave, 48000)[0, 0].T - theirs).max()) <= TOLERANCE, name


def test_memory_latents_equal_diffusers_latents(reference_torchaudio: None) -> None:
    vae = tiny_echo_components()["audio_vae"]
    with torch.no_grad():
        vae.latents_mean.copy_(torch.linspace(-0.5, 0.5, vae.latents_mean.numel()))
        vae.latents_std.copy_(torch.linspace(0.5, 2.0, vae.latents_std.numel()))
    for rate in (16000, 44100):
        wave = long_clip(rate, 11.0, 4.0, 6.0)
        ours = encode_memory_audio(vae, wave, rate)
        with torch.no_grad():
            theirs = _encode_audio(
                vae, vae.latents_mean, vae.latents_std, torch.from_numpy(wave), rate, torch.device("cpu")
            )
        assert ours.shape == theirs.shape
        torch.testing.assert_close(ours, theirs, atol=1e-3, rtol=1e-3)
