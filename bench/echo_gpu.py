"""JoyAI-Echo speed and GPU memory with random weights at the real model's size (no weights needed).

Builds the Echo pipeline from diffusers' LTX-2 defaults (the 19B, 48-layer audio-video transformer, the LTX-2
video and audio VAEs, text connectors and 24 kHz vocoder) plus a Gemma 3 12B-shaped text encoder, all randomly
initialised on the GPU, and renders 1280x736, 241-frame shots through the project's `EchoGenerator` with 0 and 7
memory slots and the official 8-step DMD schedule. Prints seconds per DMD step, seconds per shot (text encoding,
memory encoding, 8 steps and decoding; the mp4/wav writing is listed apart) and peak GPU memory. If the full
transformer does not fit, it retries with half the layers and extrapolates the step time linearly to 48.

    .venv/bin/python -m bench.echo_gpu                         # the GPU measurement (a few minutes)
    .venv/bin/python -m bench.echo_gpu --tiny --device cpu     # smoke test of this script on a CPU
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

from generator.echo.config import EchoConfig
from generator.echo.memory_blocks import echo_director_blocks
from generator.echo.pipeline import ECHO_SIGMAS, EchoGenerator
from generator.types import GeneratorError, MemorySlot, ShotRequest
from tests.tiny_echo import tiny_echo_components, tiny_slot, tiny_tokenizer

FULL_LAYERS = 48
OFFICIAL_H20_SHOT_S = 44.6  # official release: one 241-frame shot on an H20 in bf16
# diffusers' LTX-2 conversion script: the class defaults plus these (32x spatial, 8x temporal compression).
LTX2_VIDEO_VAE = {"spatial_compression_ratio": 32, "temporal_compression_ratio": 8, "decoder_causal": False}
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
    "ID_A, a man in his forties with short grey hair, wearing a dark wool coat, speaks in a low, calm voice. "
    'At normal speed, ID_A turns to the window and says, "The storm will pass before morning." '
    "Cinematic, natural light. The camera slowly pushes in. A small kitchen at night, rain on the glass. "
    "Soft rain and a distant thunder; no background music. "
) * 4


@contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[None]:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def full_size_components(num_layers: int, device: torch.device, dtype: torch.dtype) -> dict:
    """Random components at the real sizes (diffusers' LTX-2 defaults), created directly on `device`."""
    from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, LTX2VideoTransformer3DModel
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    tokenizer = tiny_tokenizer()
    with torch.device(device):
        with default_dtype(dtype):
            modules = {
                "transformer": LTX2VideoTransformer3DModel(num_layers=num_layers),
                "connectors": LTX2TextConnectors(),
                "vae": AutoencoderKLLTX2Video(**LTX2_VIDEO_VAE),
                "vocoder": LTX2Vocoder(),
                "text_encoder": Gemma3ForConditionalGeneration(
                    Gemma3Config(text_config=GEMMA3_12B_TEXT, vision_config=GEMMA3_VISION)
                ),
            }
        modules["audio_vae"] = AutoencoderKLLTX2Audio()  # float32, as Echo's audio memory was trained
    return {"tokenizer": tokenizer, **{name: module.eval() for name, module in modules.items()}}


def build_generator(args: argparse.Namespace, layers: int) -> EchoGenerator:
    device = torch.device(args.device)
    if args.tiny:
        components = tiny_echo_components()
    else:
        components = full_size_components(layers, device, getattr(torch, args.dtype))
    pipeline = echo_director_blocks().init_pipeline()
    pipeline.update_components(**components)
    pipeline.to(device)
    if args.vae_tiling:
        pipeline.vae.enable_tiling()
    return EchoGenerator(EchoConfig(device=args.device, dtype=args.dtype), sigmas=ECHO_SIGMAS, pipeline=pipeline)


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
    slots = []
    for index in range(count):
        slot = tiny_slot(f"SLOT_{index}", seed=index, audio_s=3.84)
        frame = torch.randint(
            0, 256, (height, width, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(index)
        )
        slots.append(slot.model_copy(update={"key_frame": frame.numpy()}))
    return slots


def measure(generator: EchoGenerator, request: ShotRequest, slots: list[MemorySlot], device: torch.device) -> dict:
    pipeline = generator.load()
    timer = StageTimer(device)
    timer.watch("text", pipeline.text_encoder)
    timer.watch("step", pipeline.transformer)
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
        "decode_s": timer.total("video_decode") + timer.total("audio_decode"),
        "shot_s": written[0] - started,
        "write_s": finished - written[0],
        "peak_gib": torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None,
        "tokens": shot.metadata["tokens"],
    }


def run(args: argparse.Namespace, layers: int) -> list[dict]:
    device = torch.device(args.device)
    generator = build_generator(args, layers)
    params = sum(p.numel() for p in generator.load().transformer.parameters()) / 1e9
    print(f"transformer: {layers if not args.tiny else 'tiny'} layers, {params:.2f} B parameters", flush=True)
    warmup = ShotRequest(prompt=PROMPT, num_frames=25, width=args.width, height=args.height)
    generator.sigmas = (1.0, 0.0)
    measure(generator, warmup, [], device)  # kernels, allocator and cuDNN autotuning
    generator.sigmas = ECHO_SIGMAS
    request = ShotRequest(prompt=PROMPT, num_frames=args.frames, width=args.width, height=args.height, seed=1)
    return [measure(generator, request, memory_slots(count, args.width, args.height), device) for count in args.slots]


def report(args: argparse.Namespace, layers: int, rows: list[dict]) -> None:
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    scale = FULL_LAYERS / layers if not args.tiny else 1.0
    print(
        f"\nJoyAI-Echo, random weights, {name}, {args.dtype}, {args.width}x{args.height}, {args.frames} frames, "
        f"{len(ECHO_SIGMAS) - 1} DMD steps, vae tiling {'on' if args.vae_tiling else 'off'}"
    )
    print(
        f"{'slots':>5} {'tokens v/a':>13} {'s/step':>8} {'text s':>7} {'decode s':>9} {'shot s':>8} "
        f"{'write s':>8} {'peak GiB':>9}"
    )
    for row in rows:
        peak = f"{row['peak_gib']:.1f}" if row["peak_gib"] is not None else "n/a"
        tokens = row["tokens"]
        video = tokens["video"] + tokens["memory_video"]
        audio = tokens["audio"] + tokens["memory_audio"]
        print(
            f"{row['slots']:>5} {video:>7}/{audio:<5} {row['step_s']:>8.2f} {row['text_s']:>7.2f} "
            f"{row['decode_s']:>9.2f} {row['shot_s']:>8.2f} {row['write_s']:>8.2f} {peak:>9}"
        )
        if scale != 1.0:
            steps_s = row["step_s"] * (len(ECHO_SIGMAS) - 1)
            estimate = row["shot_s"] + steps_s * (scale - 1)
            print(
                f"      extrapolated to {FULL_LAYERS} layers (linear in layers): {row['step_s'] * scale:.2f} s/step, "
                f"{estimate:.1f} s/shot"
            )
    if not args.tiny:
        print(f"reference: {OFFICIAL_H20_SHOT_S} s per 241-frame shot on an H20 in bf16 (official release)")


def is_out_of_memory(error: BaseException) -> bool:
    return isinstance(error, torch.OutOfMemoryError) or isinstance(error.__cause__, torch.OutOfMemoryError)


def run_until_it_fits(args: argparse.Namespace) -> tuple[int, list[dict]]:
    """Out of memory while generating: tile the VAE decode first, then halve the layers; while building: halve."""
    layers = args.layers
    while True:
        try:
            return layers, run(args, layers)
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", help="cuda, cuda:1, or cpu (only sensible with --tiny)")
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--tiny", action="store_true", help="tiny random components (smoke test, runs on a CPU)")
    parser.add_argument("--layers", type=int, default=FULL_LAYERS, help="transformer layers to start with")
    parser.add_argument("--width", type=int, default=None, help="default 1280 (32 with --tiny)")
    parser.add_argument("--height", type=int, default=None, help="default 736 (32 with --tiny)")
    parser.add_argument("--frames", type=int, default=None, help="default 241 (25 with --tiny)")
    parser.add_argument("--slots", type=int, nargs="+", default=[0, 7], help="memory slot counts to measure")
    parser.add_argument("--vae-tiling", action="store_true", help="decode the video in tiles")
    args = parser.parse_args(argv)
    args.width = args.width or (32 if args.tiny else 1280)
    args.height = args.height or (32 if args.tiny else 736)
    args.frames = args.frames or (25 if args.tiny else 241)
    if args.tiny and args.device == "cpu" and "--dtype" not in (argv or sys.argv):
        args.dtype = "float32"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.manual_seed(0)
    layers, rows = run_until_it_fits(args)
    report(args, layers, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
