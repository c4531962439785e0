"""Load a local JoyAI-Echo pipeline folder onto a device, with the memory options of its EchoConfig. Never downloads.

Folder layout (what `EchoModularPipeline.save_pretrained` writes, or a local copy of a diffusers Echo repository):

    MODEL_DIR/modular_model_index.json    (or model_index.json)
    MODEL_DIR/text_encoder/   config.json + *.safetensors   Gemma 3 (Gemma3ForConditionalGeneration)
    MODEL_DIR/tokenizer/      tokenizer.json / tokenizer_config.json
    MODEL_DIR/connectors/     config.json + *.safetensors   LTX2TextConnectors
    MODEL_DIR/transformer/    config.json + *.safetensors   LTX2VideoTransformer3DModel
    MODEL_DIR/vae/            config.json + *.safetensors   AutoencoderKLLTX2Video
    MODEL_DIR/audio_vae/      config.json + *.safetensors   AutoencoderKLLTX2Audio
    MODEL_DIR/vocoder/        config.json + *.safetensors   LTX2Vocoder
"""

from __future__ import annotations

from pathlib import Path

import torch

from generator.echo.config import EchoConfig, OffloadMode
from generator.types import GeneratorError

INDEX_FILES = ("modular_model_index.json", "model_index.json")
MODEL_COMPONENTS = ("text_encoder", "connectors", "transformer", "vae", "audio_vae", "vocoder")
COMPONENTS = ("tokenizer", *MODEL_COMPONENTS)
OFFLOADED_COMPONENTS = ("text_encoder", "transformer")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")
WEIGHT_SUFFIXES = (".safetensors", ".bin")
LAYOUT_HINT = (
    "The folder must hold modular_model_index.json (or model_index.json) and one subfolder per component: "
    + ", ".join(COMPONENTS)
    + " (the layout EchoModularPipeline.save_pretrained writes)."
)


def _component_present(folder: Path, name: str) -> bool:
    if not folder.is_dir():
        return False
    files = [path.name for path in folder.iterdir()]
    if name == "tokenizer":
        return any(required in files for required in TOKENIZER_FILES)
    return "config.json" in files and any(file.endswith(WEIGHT_SUFFIXES) for file in files)


def check_model_dir(model_dir: Path | None) -> Path:
    """The model folder, resolved; GeneratorError naming what is missing when it cannot be a complete pipeline."""
    if model_dir is None:
        raise GeneratorError(
            "The echo backend needs local JoyAI-Echo weights: set ECHO_MODEL_DIR (or --model-dir) to the pipeline "
            "folder, or use --backend preview. " + LAYOUT_HINT
        )
    folder = Path(model_dir).expanduser().resolve()
    if not folder.is_dir():
        raise GeneratorError(f"Model folder {folder} does not exist. Check ECHO_MODEL_DIR / --model-dir.")
    if not any((folder / index).is_file() for index in INDEX_FILES):
        raise GeneratorError(f"{folder} is not an Echo pipeline folder (no {' or '.join(INDEX_FILES)}). {LAYOUT_HINT}")
    missing = [name for name in COMPONENTS if not _component_present(folder / name, name)]
    if missing:
        raise GeneratorError(
            f"{folder} is incomplete: missing or empty component folder(s) {', '.join(missing)}. "
            f"Copy them from the release (config plus weights). {LAYOUT_HINT}"
        )
    return folder


def resolve_device(name: str) -> torch.device:
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise GeneratorError(f"ECHO_DEVICE={name!r} is not a device; use cuda, cuda:1 or cpu.") from error
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise GeneratorError(
                "The echo backend needs a CUDA GPU, and none is visible to torch. Use --backend preview, or set "
                "ECHO_DEVICE=cpu to run Echo on the CPU (only practical for tiny test pipelines)."
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


def place_components(pipeline: object, device: torch.device, offload: OffloadMode, vae_tiling: bool) -> None:
    """Move components to `device`, or keep the large ones (text encoder, transformer) on the CPU and stream them.

    model: each large component moves to the device whole while it runs; group: the transformer one block at a
    time, the text encoder layer by layer; sequential: both layer by layer. diffusers' group offloading does
    this without accelerate; on CUDA it prefetches on a side stream.
    """
    from diffusers.hooks import apply_group_offloading

    if vae_tiling:
        pipeline.vae.enable_tiling()
    if offload == "none":
        pipeline.to(device)
        return
    for name in COMPONENTS:
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


def load_echo_pipeline(config: EchoConfig) -> object:
    """An `EchoModularPipeline` with the project's memory-audio block, every component loaded from local files."""
    folder = check_model_dir(config.model_dir)
    device = resolve_device(config.device)
    dtype = resolve_dtype(config, device)

    from diffusers.modular_pipelines import EchoModularPipeline

    from generator.echo.memory_blocks import echo_director_blocks

    try:
        pipeline = EchoModularPipeline(
            blocks=echo_director_blocks(), pretrained_model_name_or_path=str(folder), local_files_only=True
        )
    except (OSError, ValueError) as error:
        raise GeneratorError(f"Cannot read the pipeline index in {folder}: {error}. {LAYOUT_HINT}") from error
    components = {}
    for name in COMPONENTS:
        load_kwargs: dict = {"pretrained_model_name_or_path": str(folder), "subfolder": name, "local_files_only": True}
        if name != "tokenizer":
            # diffusers: Echo's audio memory was trained with a float32 audio VAE.
            load_kwargs["dtype"] = torch.float32 if name == "audio_vae" else dtype
        try:
            components[name] = pipeline.get_component_spec(name).load(**load_kwargs)
        except Exception as error:  # any loader failure means the same thing to the user: a bad component folder
            raise GeneratorError(
                f"Cannot load {name} from {folder / name}: {type(error).__name__}: {error}. "
                "Re-copy that folder from the release."
            ) from error
    pipeline.update_components(**components)
    try:
        place_components(pipeline, device, config.offload, config.vae_tiling)
    except torch.OutOfMemoryError as error:
        raise out_of_memory_error(error, f"moving the model to {device}") from error
    return pipeline
