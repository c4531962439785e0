"""JoyAI-Echo 1.5 speed and GPU memory with random weights at the real model's size (no weights needed).

Builds Echo 1.5 at full size, randomly initialised: the transformer, text connectors, video VAE, audio VAE and
48 kHz BWE vocoder with the configurations the official JoyAI-Echo converter loads the BF16 release into
(`echo_longvideo/scripts/convert_echo_to_diffusers.py`: TRANSFORMER_CONFIG, CONNECTOR_CONFIG, VIDEO_VAE_CONFIG,
AUDIO_VAE_CONFIG, VOCODER_CONFIG; the transformer is 18.99 B parameters, 48 layers), plus a Gemma 3 12B text encoder
shaped as google/gemma-3-12b-it's config.json (its 48 layers + embeddings are the connectors' 49 inputs). Then, for
each offload mode, it renders 1280x736, 241-frame shots through the project's `EchoGenerator` (the product's own
placement code, `generator.echo.loading.place_components`) with 0 and 7 memory slots (9-frame clips and 3.84 s of
audio each) and the official 8-step DMD schedule. It prints, per mode and slot count: seconds per DMD step, seconds per
shot (text encoding, memory encoding, 8 steps, decoding; writing the mp4/wav is listed apart) and peak GPU memory.
With offload `none`, a transformer that does not fit is retried with the VAE decode tiled, then with half the
layers, and the step time is extrapolated linearly to 48 layers.

    .venv/bin/python -m bench.echo_gpu                                  # all four offload modes (GPU, long)
    .venv/bin/python -m bench.echo_gpu --offload none group --json out.json
    .venv/bin/python -m bench.echo_gpu --tiny --device cpu              # smoke test of this script on a CPU
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import get_args

import numpy as np
import torch

from generator.echo.config import EchoConfig, OffloadMode
from generator.echo.loading import place_components
from generator.echo.memory_blocks import echo_director_blocks
from generator.echo.pipeline import ECHO_SIGMAS, EchoGenerator
from generator.memory import CLIP_LENGTH, DEFAULT_WINDOW_S
from generator.types import GeneratorError, MemorySlot, MemorySource, ShotRequest
from tests.tiny_echo import tiny_echo_components, tiny_tokenizer

FULL_LAYERS = 48
ECHO15_TRANSFORMER = {
    "in_channels": 128,
    "out_channels": 128,
    "patch_size": 1,
    "patch_size_t": 1,
    "num_attention_heads": 32,
    "attention_head_dim": 128,
    "cross_attention_dim": 4096,
    "vae_scale_factors": (8, 32, 32),
    "pos_embed_max_pos": 20,
    "base_height": 2048,
    "base_width": 2048,
    "gated_attn": True,
    "cross_attn_mod": True,
    "audio_in_channels": 128,
    "audio_out_channels": 128,
    "audio_patch_size": 1,
    "audio_patch_size_t": 1,
    "audio_num_attention_heads": 32,
    "audio_attention_head_dim": 64,
    "audio_cross_attention_dim": 2048,
    "audio_scale_factor": 4,
    "audio_pos_embed_max_pos": 20,
    "audio_sampling_rate": 16000,
    "audio_hop_length": 160,
    "audio_gated_attn": True,
    "audio_cross_attn_mod": True,
    "num_layers": FULL_LAYERS,
    "activation_fn": "gelu-approximate",
    "qk_norm": "rms_norm_across_heads",
    "norm_elementwise_affine": False,
    "norm_eps": 1e-6,
    "caption_channels": 3840,
    "attention_bias": True,
    "attention_out_bias": True,
    "rope_theta": 10000.0,
    "rope_double_precision": True,
    "causal_offset": 1,
    "timestep_scale_multiplier": 1000,
    "cross_attn_timestep_scale_multiplier": 1000,
    "rope_type": "split",
    "use_prompt_embeddings": False,
    "perturbed_attn": True,
}
ECHO15_CONNECTORS = {
    "caption_channels": 3840,
    "text_proj_in_factor": 49,
    "video_connector_num_attention_heads": 32,
    "video_connector_attention_head_dim": 128,
    "video_connector_num_layers": 8,
    "video_connector_num_learnable_registers": 128,
    "video_gated_attn": True,
    "audio_connector_num_attention_heads": 32,
    "audio_connector_attention_head_dim": 64,
    "audio_connector_num_layers": 8,
    "audio_connector_num_learnable_registers": 128,
    "audio_gated_attn": True,
    "connector_rope_base_seq_len": 4096,
    "rope_theta": 10000.0,
    "rope_double_precision": True,
    "causal_temporal_positioning": False,
    "rope_type": "split",
    "per_modality_projections": True,
    "video_hidden_dim": 4096,
    "audio_hidden_dim": 2048,
    "proj_bias": True,
}
ECHO15_VIDEO_VAE = {
    "in_channels": 3,
    "out_channels": 3,
    "latent_channels": 128,
    "block_out_channels": (256, 512, 1024, 1024),
    "down_block_types": ("LTX2VideoDownBlock3D",) * 4,
    "decoder_block_out_channels": (256, 512, 512, 1024),
    "layers_per_block": (4, 6, 4, 2, 2),
    "decoder_layers_per_block": (4, 6, 4, 2, 2),
    "spatio_temporal_scaling": (True, True, True, True),
    "decoder_spatio_temporal_scaling": (True, True, True, True),
    "decoder_inject_noise": (False,) * 5,
    "downsample_type": ("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    "upsample_type": ("spatiotemporal", "spatiotemporal", "temporal", "spatial"),
    "upsample_residual": (False,) * 4,
    "upsample_factor": (2, 2, 1, 2),
    "timestep_conditioning": False,
    "patch_size": 4,
    "patch_size_t": 1,
    "resnet_norm_eps": 1e-6,
    "encoder_causal": True,
    "decoder_causal": False,
    "encoder_spatial_padding_mode": "zeros",
    "decoder_spatial_padding_mode": "zeros",
    "spatial_compression_ratio": 32,
    "temporal_compression_ratio": 8,
}
ECHO15_AUDIO_VAE = {
    "base_channels": 128,
    "output_channels": 2,
    "ch_mult": (1, 2, 4),
    "num_res_blocks": 2,
    "attn_resolutions": None,
    "in_channels": 2,
    "resolution": 256,
    "latent_channels": 8,
    "norm_type": "pixel",
    "causality_axis": "height",
    "dropout": 0.0,
    "mid_block_add_attention": False,
    "sample_rate": 16000,
    "mel_hop_length": 160,
    "is_causal": True,
    "mel_bins": 64,
    "double_z": True,
}
ECHO15_VOCODER = {
    "in_channels": 128,
    "hidden_channels": 1536,
    "out_channels": 2,
    "upsample_kernel_sizes": [11, 4, 4, 4, 4, 4],
    "upsample_factors": [5, 2, 2, 2, 2, 2],
    "resnet_kernel_sizes": [3, 7, 11],
    "resnet_dilations": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
    "act_fn": "snakebeta",
    "leaky_relu_negative_slope": 0.1,
    "antialias": True,
    "antialias_ratio": 2,
    "antialias_kernel_size": 12,
    "final_act_fn": None,
    "final_bias": False,
    "bwe_in_channels": 128,
    "bwe_hidden_channels": 512,
    "bwe_out_channels": 2,
    "bwe_upsample_kernel_sizes": [12, 11, 4, 4, 4],
    "bwe_upsample_factors": [6, 5, 2, 2, 2],
    "bwe_resnet_kernel_sizes": [3, 7, 11],
    "bwe_resnet_dilations": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
    "bwe_act_fn": "snakebeta",
    "bwe_leaky_relu_negative_slope": 0.1,
    "bwe_antialias": True,
    "bwe_antialias_ratio": 2,
    "bwe_antialias_kernel_size": 12,
    "bwe_final_act_fn": None,
    "bwe_final_bias": False,
    "filter_length": 512,
    "hop_length": 80,
    "window_length": 512,
    "num_mel_channels": 64,
    "input_sampling_rate": 16000,
    "output_sampling_rate": 48000,
}
GEMMA3_12B_TEXT = {
    "vocab_size": 262208,
    "hidden_size": 3840,
    "intermediate_size": 15360,
    "num_hidden_layers": 48,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 256,
}
GEMMA3_VISION = {"hidden_size": 1152, "intermediate_size": 4304, "num_hidden_layers": 27, "num_attention_heads": 16}
PROMPT = (
    "ID_A is a man in his forties with short grey hair and a calm, tired face. ID_A wears a dark wool coat. "
    "ID_A's voice is a low, warm baritone with a slight rasp. He looks towards the window. "
    'At normal speed, ID_A turns to the window and says, "The storm will pass before morning." '
    "Cinematic, natural light. The camera slowly pushes in. A small kitchen at night, rain on the glass. "
    "Soft rain and a distant thunder. No prominent background music. "
) * 3


@contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[None]:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def full_size_components(num_layers: int, build_device: torch.device, dtype: torch.dtype) -> dict:
    """Random Echo 1.5 components at the real sizes, created on `build_device` (the audio VAE in float32)."""
    from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, LTX2VideoTransformer3DModel
    from diffusers.pipelines.ltx2 import LTX2TextConnectors, LTX2VocoderWithBWE
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    with torch.device(build_device):
        with default_dtype(dtype):
            modules = {
                "transformer": LTX2VideoTransformer3DModel(**(ECHO15_TRANSFORMER | {"num_layers": num_layers})),
                "connectors": LTX2TextConnectors(**ECHO15_CONNECTORS),
                "vae": AutoencoderKLLTX2Video(**ECHO15_VIDEO_VAE),
                "vocoder": LTX2VocoderWithBWE(**ECHO15_VOCODER),
                "text_encoder": Gemma3ForConditionalGeneration(
                    Gemma3Config(text_config=GEMMA3_12B_TEXT, vision_config=GEMMA3_VISION)
                ),
            }
        modules["audio_vae"] = AutoencoderKLLTX2Audio(**ECHO15_AUDIO_VAE)
    return {"tokenizer": tiny_tokenizer(), **{name: module.eval() for name, module in modules.items()}}


def build_generator(args: argparse.Namespace, offload: OffloadMode, layers: int) -> EchoGenerator:
    """The components on the CPU for an offload mode (placement streams them), built on the device otherwise."""
    device = torch.device(args.device)
    build_device = device if offload == "none" else torch.device("cpu")
    if args.tiny:
        components = tiny_echo_components()
    else:
        components = full_size_components(layers, build_device, getattr(torch, args.dtype))
    pipeline = echo_director_blocks().init_pipeline()
    pipeline.update_components(**components)
    place_components(pipeline, device, offload, args.vae_tiling)
    config = EchoConfig(device=args.device, dtype=args.dtype, offload=offload, vae_tiling=args.vae_tiling)
    return EchoGenerator(config, sigmas=ECHO_SIGMAS, pipeline=pipeline)


class StageTimer:
    """Wall time of every forward of the hooked modules, synchronised with the GPU."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.times: dict[str, list[float]] = {}
        self._hooks: list = []

    def _sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def watch(self, name: str, module: torch.nn.Module) -> None:
        started: list[float] = []

        def before(*_: object) -> None:
            self._sync()
            started.append(time.perf_counter())

        def after(*_: object) -> None:
            self._sync()
            self.times.setdefault(name, []).append(time.perf_counter() - started.pop())

        self._hooks += [module.register_forward_pre_hook(before), module.register_forward_hook(after)]

    def total(self, name: str) -> float:
        return sum(self.times.get(name, []))

    def close(self) -> None:
        for hook in self._hooks:
            hook.remove()


def memory_slots(count: int, width: int, height: int) -> list[MemorySlot]:
    """KOK-like slots: a random 9-frame clip (its last frame the key frame) and 3.84 s of noise at 16 kHz."""
    rng = np.random.default_rng(0)
    slots = []
    for index in range(count):
        clip = rng.integers(0, 256, (CLIP_LENGTH, height, width, 3), dtype=np.uint8)
        audio = (0.2 * rng.standard_normal(round(DEFAULT_WINDOW_S * 16000))).astype(np.float32)
        source = MemorySource(kind="take", take_id=index)
        slots.append(
            MemorySlot(
                label=f"SLOT_{index}", source=source, key_frame=clip[-1], clip=clip, audio=audio, sample_rate=16000
            )
        )
    return slots


def measure(generator: EchoGenerator, request: ShotRequest, slots: list[MemorySlot], device: torch.device) -> dict:
    pipeline = generator.load()
    timer = StageTimer(device)
    timer.watch("text", pipeline.text_encoder)
    timer.watch("step", pipeline.transformer)
    timer.watch("memory", pipeline.vae.encoder)
    timer.watch("memory", pipeline.audio_vae.encoder)
    timer.watch("video_decode", pipeline.vae.decoder)
    timer.watch("audio_decode", pipeline.vocoder)
    written: list[float] = []

    def on_progress(fraction: float, step: str) -> None:
        if step == "writing video and audio":
            written.append(time.perf_counter())

    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as out_dir:
            shot = generator.generate(request, slots, progress=on_progress, out_dir=Path(out_dir))
    finally:
        timer.close()
    finished = time.perf_counter()
    steps = timer.times.get("step", [])
    return {
        "slots": len(slots),
        "step_s": statistics.mean(steps[1:] or steps),
        "text_s": timer.total("text"),
        "memory_s": timer.total("memory"),
        "decode_s": timer.total("video_decode") + timer.total("audio_decode"),
        "shot_s": written[0] - started,
        "write_s": finished - written[0],
        "peak_gib": torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None,
        "tokens": shot.metadata["tokens"],
        "sample_rate": shot.sample_rate,
    }


def run(args: argparse.Namespace, offload: OffloadMode, layers: int) -> list[dict]:
    device = torch.device(args.device)
    generator = build_generator(args, offload, layers)
    params = sum(p.numel() for p in generator.load().transformer.parameters()) / 1e9
    print(f"offload {offload}: transformer {'tiny' if args.tiny else layers} layers, {params:.2f} B parameters")
    warmup = ShotRequest(prompt=PROMPT, num_frames=25, width=args.width, height=args.height)
    generator.sigmas = (1.0, 0.0)
    measure(generator, warmup, memory_slots(1, args.width, args.height), device)  # kernels, allocator, autotuning
    generator.sigmas = ECHO_SIGMAS
    request = ShotRequest(prompt=PROMPT, num_frames=args.frames, width=args.width, height=args.height, seed=1)
    rows = [measure(generator, request, memory_slots(count, args.width, args.height), device) for count in args.slots]
    return [row | {"offload": offload, "layers": layers} for row in rows]


def is_out_of_memory(error: BaseException) -> bool:
    return isinstance(error, torch.OutOfMemoryError) or isinstance(error.__cause__, torch.OutOfMemoryError)


def run_until_it_fits(args: argparse.Namespace, offload: OffloadMode) -> list[dict]:
    """Out of memory while generating: tile the VAE decode first, then halve the layers; while building: halve."""
    layers = args.layers
    while True:
        try:
            return run(args, offload, layers)
        except (torch.OutOfMemoryError, GeneratorError) as error:
            if args.tiny or not is_out_of_memory(error) or layers <= 1:
                raise
            if isinstance(error, GeneratorError) and not args.vae_tiling:
                args.vae_tiling = True
            else:
                layers //= 2
        print(f"out of memory; retrying with {layers} layers, vae tiling {args.vae_tiling}", flush=True)
        gc.collect()
        torch.cuda.empty_cache()


def report(args: argparse.Namespace, rows: list[dict]) -> None:
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    steps = len(ECHO_SIGMAS) - 1
    print(
        f"\nJoyAI-Echo 1.5, random weights, {name}, {args.dtype}, {args.width}x{args.height}, {args.frames} frames, "
        f"{steps} DMD steps, 9-frame clip memory, vae tiling {'on' if args.vae_tiling else 'off'}"
    )
    print(
        f"{'offload':>10} {'slots':>5} {'tokens v/a':>13} {'s/step':>8} {'text s':>7} {'memory s':>9} {'decode s':>9} "
        f"{'shot s':>8} {'write s':>8} {'peak GiB':>9}"
    )
    for row in rows:
        peak = f"{row['peak_gib']:.1f}" if row["peak_gib"] is not None else "n/a"
        tokens = row["tokens"]
        video = tokens["video"] + tokens["memory_video"]
        audio = tokens["audio"] + tokens["memory_audio"]
        print(
            f"{row['offload']:>10} {row['slots']:>5} {video:>7}/{audio:<5} {row['step_s']:>8.2f} {row['text_s']:>7.2f} "
            f"{row['memory_s']:>9.2f} {row['decode_s']:>9.2f} {row['shot_s']:>8.2f} {row['write_s']:>8.2f} {peak:>9}"
        )
        if not args.tiny and row["layers"] != FULL_LAYERS:
            scale = FULL_LAYERS / row["layers"]
            estimate = row["shot_s"] + row["step_s"] * steps * (scale - 1)
            print(
                f"{'':>16}extrapolated to {FULL_LAYERS} layers (linear in layers): {row['step_s'] * scale:.2f} s/step, "
                f"{estimate:.1f} s/shot"
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", help="cuda, cuda:1, or cpu (only sensible with --tiny)")
    parser.add_argument("--dtype", default=None, choices=["bfloat16", "float16", "float32"], help="default bfloat16")
    parser.add_argument("--offload", nargs="+", default=list(get_args(OffloadMode)), choices=get_args(OffloadMode))
    parser.add_argument("--tiny", action="store_true", help="tiny random components (smoke test, runs on a CPU)")
    parser.add_argument("--layers", type=int, default=FULL_LAYERS, help="transformer layers to start with")
    parser.add_argument("--width", type=int, default=None, help="default 1280 (32 with --tiny)")
    parser.add_argument("--height", type=int, default=None, help="default 736 (32 with --tiny)")
    parser.add_argument("--frames", type=int, default=None, help="default 241 (25 with --tiny)")
    parser.add_argument("--slots", type=int, nargs="+", default=[0, 7], help="memory slot counts to measure")
    parser.add_argument("--vae-tiling", action="store_true", help="decode the video in tiles")
    parser.add_argument("--json", type=Path, default=None, help="also write the measured rows to this file")
    args = parser.parse_args(argv)
    args.width = args.width or (32 if args.tiny else 1280)
    args.height = args.height or (32 if args.tiny else 736)
    args.frames = args.frames or (25 if args.tiny else 241)
    args.dtype = args.dtype or ("float32" if args.device == "cpu" else "bfloat16")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if torch.device(args.device).type == "cuda" and not torch.cuda.is_available():
        print(
            "error: bench.echo_gpu measures JoyAI-Echo on a CUDA GPU and none is visible to torch. Run it on a GPU "
            "machine, or smoke-test this script with --tiny --device cpu.",
            file=sys.stderr,
        )
        return 2
    torch.manual_seed(0)
    rows = []
    for offload in args.offload:
        rows += run_until_it_fits(args, offload)
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    report(args, rows)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
