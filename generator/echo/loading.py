"""Load JoyAI-Echo from local folders onto a device, with the memory options of its EchoConfig. Never downloads.

Which folders are accepted, and where each part comes from, is `generator.echo.layouts`; this module loads each part
with its own class, checks that every tensor was read from disk, and places the parts on the device. Every failure
is one GeneratorError that names the folder and the fix.
"""

from __future__ import annotations

from itertools import chain
from pathlib import Path

import torch
from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, LTX2VideoTransformer3DModel
from diffusers.hooks import apply_group_offloading
from diffusers.pipelines.ltx2 import LTX2TextConnectors, LTX2Vocoder, LTX2VocoderWithBWE
from transformers import AutoTokenizer, Gemma3ForConditionalGeneration

from generator.echo.config import EchoConfig, OffloadMode
from generator.echo.layouts import PARTS, EchoLayout, Part, find_layout
from generator.types import GeneratorError

CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        AutoTokenizer,
        Gemma3ForConditionalGeneration,
        LTX2TextConnectors,
        LTX2VideoTransformer3DModel,
        AutoencoderKLLTX2Video,
        AutoencoderKLLTX2Audio,
        LTX2Vocoder,
        LTX2VocoderWithBWE,
    )
}
OFFLOADED_COMPONENTS = ("text_encoder", "transformer")


def resolve_device(name: str, folder: Path) -> torch.device:
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise GeneratorError(f"ECHO_DEVICE={name!r} is not a device; use cuda, cuda:1 or cpu.") from error
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise GeneratorError(
                f"Cannot run JoyAI-Echo from {folder}: the echo backend needs a CUDA GPU, and none is visible to "
                "torch. Use --backend preview, or set ECHO_DEVICE=cpu to run Echo on the CPU (only practical for tiny "
                "test pipelines)."
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise GeneratorError(
                f"ECHO_DEVICE={name} but only {torch.cuda.device_count()} CUDA device(s) exist; use cuda:0."
            )
    return device


def resolve_dtype(config: EchoConfig, device: torch.device) -> torch.dtype:
    """config.dtype when set; otherwise bfloat16 on an accelerator and float32 on the CPU."""
    if config.dtype is None:
        return torch.float32 if device.type == "cpu" else torch.bfloat16
    return getattr(torch, config.dtype)


def out_of_memory_error(error: BaseException, what: str) -> GeneratorError:
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return GeneratorError(
        f"The GPU ran out of memory while {what}. Try ECHO_OFFLOAD=group (or sequential for the smallest "
        "footprint), ECHO_VAE_TILING=true, fewer frames or a smaller width/height, or free the GPU from other "
        f"processes. ({str(error).splitlines()[0] if str(error) else type(error).__name__})"
    )


def _is_out_of_memory(error: BaseException) -> bool:
    """True for torch's or Python's out-of-memory error, or the CPU allocator's, anywhere in the chain."""
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, torch.OutOfMemoryError | MemoryError) or "can't allocate memory" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def load_part(part: Part, dtype: torch.dtype) -> object:
    """One component from its folder; the audio VAE in float32 (diffusers: Echo's audio memory was trained so)."""
    kwargs: dict = {"local_files_only": True}
    if part.subfolder:
        kwargs["subfolder"] = part.subfolder
    if part.name != "tokenizer":
        kwargs["dtype"] = torch.float32 if part.name == "audio_vae" else dtype
    try:
        component = CLASSES[part.class_name].from_pretrained(str(part.root), **kwargs)
    except Exception as error:  # any loader failure means the same thing to the user: a bad component folder
        if _is_out_of_memory(error):
            raise GeneratorError(
                f"Out of memory while loading {part.name} from {part.folder}: every part of JoyAI-Echo passes "
                "through CPU RAM while it loads (about 70 GB in bf16). Free RAM or add swap; ECHO_OFFLOAD does not "
                "lower this."
            ) from error
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise GeneratorError(
            f"Cannot load {part.name} ({part.class_name}) from {part.folder}: {reason}. Copy that folder again from "
            "the converter's output (config.json and every weight file)."
        ) from error
    if isinstance(component, torch.nn.Module):
        tensors = chain(component.named_parameters(), component.named_buffers())
        unread = [name for name, tensor in tensors if tensor.is_meta]
        if unread:
            raise GeneratorError(
                f"{part.folder} does not hold the weights of its {part.class_name}: {len(unread)} tensor(s) such as "
                f"{unread[0]} are missing from its weight files. Convert the release checkpoint again, or copy that "
                "folder from the converter's output."
            )
    return component


def place_components(pipeline: object, device: torch.device, offload: OffloadMode, vae_tiling: bool) -> None:
    """Move components to `device`, or keep the large ones (text encoder, transformer) on the CPU and stream them.

    model: each large component moves to the device whole while it runs; group: the transformer one block at a
    time, the text encoder layer by layer; sequential: both layer by layer. diffusers' group offloading does
    this without accelerate; on CUDA it prefetches on a side stream.
    """
    if vae_tiling:
        pipeline.vae.enable_tiling()
    if offload == "none":
        pipeline.to(device)
        return
    for name in PARTS:
        component = getattr(pipeline, name)
        if not isinstance(component, torch.nn.Module):
            continue
        if name not in OFFLOADED_COMPONENTS:
            component.to(device)
            continue
        leaf = offload == "sequential" or (offload == "group" and name == "text_encoder")
        apply_group_offloading(
            component,
            onload_device=device,
            offload_device=torch.device("cpu"),
            offload_type="leaf_level" if leaf else "block_level",
            num_blocks_per_group=None if leaf else (1 if offload == "group" else 1_000_000),
            use_stream=device.type == "cuda",
        )


def load_echo_pipeline(config: EchoConfig) -> tuple[object, EchoLayout]:
    """An `EchoModularPipeline` with the project's memory blocks, every part loaded from local files; and the layout
    it was found in."""
    from generator.echo.memory_blocks import echo_director_blocks

    layout = find_layout(config.model_dir, config.base_model_dir)
    device = resolve_device(config.device, layout.model_dir)
    dtype = resolve_dtype(config, device)
    pipeline = echo_director_blocks().init_pipeline()
    pipeline.update_components(**{name: load_part(part, dtype) for name, part in layout.parts.items()})
    try:
        place_components(pipeline, device, config.offload, config.vae_tiling)
    except torch.OutOfMemoryError as error:
        raise out_of_memory_error(error, f"moving JoyAI-Echo from {layout.model_dir} to {device}") from error
    return pipeline, layout
