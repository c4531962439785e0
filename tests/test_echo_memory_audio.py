"""Echo's memory audio without torchaudio: numpy log-mel with diffusers' parameters into the audio VAE."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers.modular_pipelines.echo.encoders import MAX_MEMORY_AUDIO_DURATION_SECONDS
from tiny_echo import memory_audio_latent_count, tiny_echo_components

from generator.audio import log_mel, resample
from generator.echo.memory_blocks import encode_memory_audio, memory_audio_mel


@pytest.fixture(scope="module")
def audio_vae() -> torch.nn.Module:
    return tiny_echo_components()["audio_vae"]


def _noise(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).standard_normal(round(seconds * rate))).astype(np.float32)


def test_mel_uses_the_audio_vae_parameters_on_both_channels(audio_vae: torch.nn.Module) -> None:
    wave = _noise(1.0, 16000)

    mel = memory_audio_mel(audio_vae, wave, 16000)

    assert mel.shape == (1, 2, 101, audio_vae.config.mel_bins)  # centred frames: 1 + 16000 // 160
    expected = log_mel(wave, 16000, n_mels=audio_vae.config.mel_bins, hop=audio_vae.config.mel_hop_length).T
    np.testing.assert_array_equal(mel[0, 0].numpy(), expected)
    assert torch.equal(mel[0, 0], mel[0, 1])


def test_other_sample_rates_are_resampled_to_the_vae_rate(audio_vae: torch.nn.Module) -> None:
    wave = _noise(1.0, 16000)

    mel_44k = memory_audio_mel(audio_vae, resample(wave, 16000, 44100), 44100)

    assert mel_44k.shape == (1, 2, 101, audio_vae.config.mel_bins)
    reference = memory_audio_mel(audio_vae, wave, 16000)
    assert float((mel_44k - reference).abs().mean()) < 0.1


def test_long_audio_is_cut_to_its_loudest_window(audio_vae: torch.nn.Module) -> None:
    wave = np.zeros(12 * 16000, dtype=np.float32)
    wave[-16000:] = _noise(1.0, 16000)  # only the last second is loud

    mel = memory_audio_mel(audio_vae, wave, 16000)

    assert mel.shape[2] == round(MAX_MEMORY_AUDIO_DURATION_SECONDS * 16000) // 160 + 1 == 963  # diffusers' cut
    assert float(mel[0, 0, -50:].mean()) > float(mel[0, 0, :50].mean()) + 5  # the loud end survived the cut


def test_latents_are_normalised_audio_vae_tokens(audio_vae: torch.nn.Module) -> None:
    latents = encode_memory_audio(audio_vae, _noise(2.0, 16000), 16000)

    mel_bins = audio_vae.config.mel_bins // audio_vae.mel_compression_ratio
    assert latents.shape == (1, audio_vae.config.latent_channels, memory_audio_latent_count(2.0), mel_bins)
    assert latents.dtype == torch.float32 and torch.isfinite(latents).all()
    other = encode_memory_audio(audio_vae, _noise(2.0, 16000, seed=1), 16000)
    assert not torch.equal(latents, other)
