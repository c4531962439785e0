"""Echo's visual memory as the paper defines it: a pipeline block that encodes each slot's frames with the video VAE.

Paper Sec. 3: a slot's visual memory is Last(E_v(V[phi-4 : phi+4])), the 9 frames around the moment of its audio
window encoded by the causal video VAE (9 frames -> 2 latent frames), of which the last is kept. A slot that has
only a still image (a character card's reference picture, or `visual_memory="image"`) is encoded as diffusers'
`EchoVaeEncoderStep` encodes a memory image: one frame, one latent. Either way a slot is one latent frame, so the
transformer sees the same memory token layout. This block runs after diffusers' encoder and replaces its
`memory_video_latents`: call the pipeline with `memory_visuals`, never `memory_images`.
"""

from __future__ import annotations

import numpy as np
import torch
from diffusers import AutoencoderKLLTX2Video
from diffusers.modular_pipelines import EchoModularPipeline
from diffusers.modular_pipelines.echo.encoders import _normalize_latents, _prepare_image
from diffusers.modular_pipelines.modular_pipeline import ModularPipelineBlocks, PipelineState
from diffusers.modular_pipelines.modular_pipeline_utils import ComponentSpec, InputParam, OutputParam
from PIL import Image

MemoryVisual = np.ndarray
"""One slot's pictures: an H x W x 3 uint8 still image, or a T x H x W x 3 uint8 clip (T = 9 for a KOK slot)."""


def encode_memory_visual(
    components: EchoModularPipeline, visual: MemoryVisual, height: int, width: int
) -> torch.Tensor:
    """Normalised video-VAE latents (1, C, 1, h, w) of the last latent frame of a still image or a clip.

    Each frame is prepared exactly as diffusers prepares a memory image (bicubic resize to the shot size, scaled to
    [-1, 1]); a still image is a clip of one frame, which the causal VAE encodes to its one latent.
    """
    vae = components.vae
    frames = visual[None] if visual.ndim == 3 else visual
    pixels = torch.cat([_prepare_image(Image.fromarray(frame), height, width) for frame in frames])
    pixels = pixels.permute(1, 0, 2, 3).unsqueeze(0)  # (T, 3, H, W) -> (1, 3, T, H, W)
    latents = vae.encode(pixels.to(device=components._execution_device, dtype=vae.dtype)).latent_dist.mode()
    last = latents[:, :, -1:].float()
    return _normalize_latents(last, components.latents_mean, components.latents_std, components.vae_scaling_factor)


class EchoMemoryVisualStep(ModularPipelineBlocks):
    """Encodes each memory slot's clip (last latent kept) or still image into normalised video-VAE latents."""

    model_name = "echo"

    @property
    def description(self) -> str:
        return "Encodes memory-slot clips (keeping the last latent, paper Sec. 3) or still images with the video VAE."

    @property
    def expected_components(self) -> list[ComponentSpec]:
        return [ComponentSpec("vae", AutoencoderKLLTX2Video)]

    @property
    def inputs(self) -> list[InputParam]:
        return [
            InputParam(
                "memory_visuals",
                type_hint=list,
                default=None,
                description="Per memory slot: an H x W x 3 uint8 image, or a T x H x W x 3 uint8 clip (9 frames).",
            ),
            InputParam.template("height", default=512),
            InputParam.template("width", default=704),
        ]

    @property
    def intermediate_outputs(self) -> list[OutputParam]:
        return [
            OutputParam(
                "memory_video_latents",
                type_hint=list,
                description="Normalized VAE latents of shape (B, C, 1, H, W) for each memory slot.",
            )
        ]

    @torch.no_grad()
    def __call__(self, components: EchoModularPipeline, state: PipelineState) -> tuple:
        block_state = self.get_block_state(state)
        visuals: list[MemoryVisual] = block_state.memory_visuals or []
        height, width = block_state.height, block_state.width
        latents = [encode_memory_visual(components, visual, height, width) for visual in visuals]
        block_state.memory_video_latents = latents or None
        self.set_block_state(state, block_state)
        return components, state
