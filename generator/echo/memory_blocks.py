"""Echo's audio memory without torchaudio: one pipeline block that turns each slot's waveform into audio-VAE latents.

diffusers' `EchoVaeEncoderStep` builds the memory log-mel with torchaudio, which cannot be installed beside torch
2.13 here. This block runs right after it (which we always call with `memory_audio_waveforms=None`) and produces
the same `memory_audio_latents`: the project's numpy `log_mel` with diffusers' parameters (input padded to one FFT
window, torchaudio's sinc resampling to the audio VAE's rate, n_fft 1024, Hann window of 1024, the VAE's hop / mel
bins, f 0..Nyquist, magnitude, Slaney scale and norm, centred reflect padding, log clamped at 1e-5), mono
duplicated to the VAE's two channels, audio longer than diffusers' limit cut as diffusers cuts it, then the audio
VAE's mode and diffusers' own latent normalisation. One code path on every device.
"""

from __future__ import annotations

import numpy as np
import torch
from diffusers import AutoencoderKLLTX2Audio
from diffusers.modular_pipelines import EchoBlocks, EchoModularPipeline
from diffusers.modular_pipelines.echo.encoders import MAX_MEMORY_AUDIO_DURATION_SECONDS, _normalize_audio_latents
from diffusers.modular_pipelines.modular_pipeline import ModularPipelineBlocks, PipelineState
from diffusers.modular_pipelines.modular_pipeline_utils import ComponentSpec, InputParam, OutputParam

from generator.audio import MEL_N_FFT, log_mel, mel_waveform
from generator.echo.visual_memory import EchoMemoryVisualStep
from generator.memory import TIE_RTOL

MemoryAudio = tuple[np.ndarray, int] | None
"""One slot's audio: (mono float32 waveform, sample rate), or None for a silent slot."""


def memory_audio_mel(audio_vae: AutoencoderKLLTX2Audio, wave: np.ndarray, sample_rate: int) -> torch.Tensor:
    """(1, 2, frames, mel_bins) log-mel exactly as diffusers' `_encode_audio` prepares it for the audio VAE.

    Audio that is longer than diffusers' 9.62 s limit once resampled is cut as diffusers cuts it: the window of
    `round(9.62 * rate)` resampled samples whose mel frames hold the most energy (candidate starts every quarter
    window, plus the last), so the mel has `round(9.62 * rate) // hop + 1` frames (963 at 16 kHz, hop 160).
    """
    config = audio_vae.config
    rate, hop, bins = int(config.sample_rate), int(config.mel_hop_length), int(config.mel_bins)
    samples = mel_waveform(wave, sample_rate, target_sr=rate, n_fft=MEL_N_FFT)
    mel = _two_channel_log_mel(samples, rate, hop, bins)
    max_samples = round(MAX_MEMORY_AUDIO_DURATION_SECONDS * rate)
    if samples.size > max_samples:
        start = min(_loudest_window_start(mel, max_samples // hop + 1) * hop, samples.size - max_samples)
        mel = _two_channel_log_mel(samples[start : start + max_samples], rate, hop, bins)
    return mel


def _two_channel_log_mel(samples: np.ndarray, rate: int, hop: int, bins: int) -> torch.Tensor:
    """(1, 2, frames, bins): the log-mel of samples already at the VAE's rate, mono duplicated to both channels."""
    mel = log_mel(samples, rate, target_sr=rate, n_fft=MEL_N_FFT, hop=hop, n_mels=bins)
    frames_by_bins = torch.from_numpy(mel.T.copy())
    return frames_by_bins.expand(1, 2, *frames_by_bins.shape).contiguous()


def _loudest_window_start(mel: torch.Tensor, window_frames: int) -> int:
    """The first mel frame of diffusers' highest-response window: float32 energy summed over channels and bins,
    windows of `window_frames` starting every `window_frames // 4` frames plus the last start, the first maximum."""
    last_start = mel.shape[2] - window_frames
    starts = list(range(0, last_start + 1, max(1, window_frames // 4)))
    if starts[-1] != last_start:
        starts.append(last_start)
    response = mel.float().exp().sum(dim=(0, 1, 3))
    cumulative = torch.cat([response.new_zeros(1), response.cumsum(dim=0)])
    first = torch.tensor(starts, dtype=torch.long)
    scores = cumulative[first + window_frames] - cumulative[first]
    # diffusers takes the first maximum; scores within TIE_RTOL count as equal so every CPU picks the same window
    earliest_best = int(torch.nonzero(scores >= scores.max() * (1 - TIE_RTOL))[0].item())
    return starts[earliest_best]


def encode_memory_audio(audio_vae: AutoencoderKLLTX2Audio, wave: np.ndarray, sample_rate: int) -> torch.Tensor:
    """Normalised audio-VAE latents (1, C, L, M) of one memory waveform, as float32."""
    device = next(audio_vae.parameters()).device
    mel = memory_audio_mel(audio_vae, wave, sample_rate).to(device=device, dtype=audio_vae.dtype)
    latents = audio_vae.encode(mel).latent_dist.mode()
    return _normalize_audio_latents(latents, audio_vae.latents_mean, audio_vae.latents_std).float()


class EchoMemoryAudioStep(ModularPipelineBlocks):
    """Encodes each memory slot's waveform into normalised audio-VAE latents (None stays a silent slot)."""

    model_name = "echo"

    @property
    def description(self) -> str:
        return "Encodes memory-slot waveforms with numpy log-mel and the audio VAE (no torchaudio)."

    @property
    def expected_components(self) -> list[ComponentSpec]:
        return [ComponentSpec("audio_vae", AutoencoderKLLTX2Audio)]

    @property
    def inputs(self) -> list[InputParam]:
        return [
            InputParam(
                "memory_audio",
                type_hint=list,
                default=None,
                description="Per memory slot: (mono float32 waveform, sample rate), or None for a silent slot.",
            )
        ]

    @property
    def intermediate_outputs(self) -> list[OutputParam]:
        return [
            OutputParam(
                "memory_audio_latents",
                type_hint=list,
                description="Normalized audio VAE latents of shape (B, C, L, M) for each memory slot.",
            )
        ]

    @torch.no_grad()
    def __call__(self, components: EchoModularPipeline, state: PipelineState) -> tuple:
        block_state = self.get_block_state(state)
        slots: list[MemoryAudio] = block_state.memory_audio or []
        latents = [None if slot is None else encode_memory_audio(components.audio_vae, *slot) for slot in slots]
        block_state.memory_audio_latents = latents or None
        self.set_block_state(state, block_state)
        return components, state


def silence_progress_bars(blocks: ModularPipelineBlocks) -> None:
    """Turn off diffusers' tqdm bars in every nested block; progress goes through the generator's callback."""
    for block in blocks.sub_blocks.values():
        if hasattr(block, "set_progress_bar_config"):
            block.set_progress_bar_config(disable=True)
        silence_progress_bars(block)


def echo_director_blocks() -> EchoBlocks:
    """diffusers' `EchoBlocks` with the project's memory steps right after the VAE encoder (`EchoMemoryVisualStep`,
    then `EchoMemoryAudioStep`), without tqdm bars."""
    blocks = EchoBlocks()
    position = list(blocks.sub_blocks).index("vae_encoder") + 1
    blocks.sub_blocks.insert("memory_visual", EchoMemoryVisualStep(), position)
    blocks.sub_blocks.insert("memory_audio", EchoMemoryAudioStep(), position + 1)
    silence_progress_bars(blocks)
    return blocks
