"""What the echo backend can be configured with (built from the app's settings by the Director). Light: no torch."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from generator.types import MemoryWindow

Dtype = Literal["bfloat16", "float16", "float32"]
OffloadMode = Literal["none", "model", "group", "sequential"]
VisualMemory = Literal["clip", "image"]
"""clip: a slot's 9-frame clip through the video VAE, last latent kept (paper Sec. 3); image: its key frame only."""


class EchoConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_dir: Path | None = None  # local JoyAI-Echo folder (any layout of generator.echo.layouts); never downloaded
    base_model_dir: Path | None = None  # Gemma 3 text encoder + tokenizer folder (layouts)
    device: str = "cuda"
    dtype: Dtype | None = None  # None: bfloat16 on an accelerator, float32 on the CPU
    offload: OffloadMode = "none"
    vae_tiling: bool = False
    visual_memory: VisualMemory = "clip"
    memory_window: MemoryWindow = "speech"  # speech: report the silero-vad weighted energy for the memory window
