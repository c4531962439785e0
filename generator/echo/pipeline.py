"""The `echo` backend: JoyAI-Echo in process through diffusers' Echo modular pipeline, conditioned on memory slots.

The pipeline is loaded lazily (first `generate`, or `load()`), from `config.model_dir` (accepted layouts in
`generator.echo.layouts`). A shot request maps to one pipeline call: the rendered prompt, the optional first frame,
each slot's 9-frame clip (or key frame, for card slots and `visual_memory="image"`) in order as memory visuals
(`generator.echo.visual_memory`) and its audio as memory audio (`generator.echo.memory_blocks`), the shot's size and
frame count, a seeded CPU `torch.Generator` (the same noise on every device), and the official 8-step DMD sigmas.
Frames and audio (stereo, at the vocoder's rate) come back as an mp4 + wav written with the same media functions as
the preview backend; with `memory_window="speech"` the take also reports its silero-vad weighted speech energy.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from diffusers.pipelines.ltx2 import LTX2VocoderWithBWE
from PIL import Image

from generator.echo.config import EchoConfig, VisualMemory
from generator.echo.layouts import EchoLayout
from generator.echo.loading import load_echo_pipeline, out_of_memory_error
from generator.errors import EchoError
from generator.media import write_shot_files
from generator.memory import CLIP_LENGTH, load_image
from generator.speech_budget import dialogue_seconds, speech_overflow_s
from generator.types import (
    MAX_MEMORY_SLOTS,
    DialogueTiming,
    GeneratedShot,
    GeneratorError,
    MemorySlot,
    ProgressCallback,
    ShotRequest,
    ignore_progress,
    nearest_frame_count,
)
from generator.vad import voiced_energy

# The official JoyAI-Echo DMD schedule (8 steps); equal to diffusers' DEFAULT_ECHO_SIGMAS.
ECHO_SIGMAS = (1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875, 0.0)
STEPS_SHARE = 0.9  # progress fraction covered by encoding + denoising; decoding and writing take the rest
PROJECT_BLOCKS = ("memory_visual", "memory_audio")


def check_sigmas(sigmas: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(value) for value in sigmas)
    if len(values) < 2 or values[-1] != 0.0 or any(a < b for a, b in itertools.pairwise(values)):
        raise GeneratorError(
            f"sigmas must be at least two non-increasing values ending at 0, e.g. {list(ECHO_SIGMAS)}; got {values}"
        )
    return values


def check_memory(memory: Sequence[MemorySlot]) -> None:
    if len(memory) > MAX_MEMORY_SLOTS:
        raise GeneratorError(
            f"Echo takes at most {MAX_MEMORY_SLOTS} memory slots; got {len(memory)} "
            f"({', '.join(slot.label for slot in memory)}). Drop the least relevant slots."
        )
    for slot in memory:
        if slot.audio is not None and slot.audio.size == 0:
            raise GeneratorError(f"memory slot {slot.label!r} has an empty audio clip; give audio or None (silent).")
        expected = (CLIP_LENGTH, *slot.key_frame.shape)
        if slot.clip is not None and (slot.clip.shape != expected or slot.clip.dtype != np.uint8):
            raise GeneratorError(
                f"memory slot {slot.label!r} has a {slot.clip.dtype} clip of shape {slot.clip.shape}; it must be "
                f"{CLIP_LENGTH} uint8 frames the size of its key frame {expected}, or None (the key frame is used)."
            )


def memory_visuals(memory: Sequence[MemorySlot], mode: VisualMemory) -> list[np.ndarray]:
    """Per slot what the video VAE encodes: its 9-frame clip in `clip` mode when it has one, else its key frame."""
    return [slot.clip if mode == "clip" and slot.clip is not None else slot.key_frame for slot in memory]


def first_frame_image(request: ShotRequest) -> Image.Image | None:
    """The request's first frame, which must already be exactly the shot's size (Echo keeps it as frame 0)."""
    if request.first_frame is None:
        return None
    try:
        pixels = load_image(request.first_frame)
    except EchoError as error:
        raise GeneratorError(f"first frame: {error}") from error
    height, width = pixels.shape[:2]
    if (width, height) != (request.width, request.height):
        raise GeneratorError(
            f"first frame {request.first_frame.name} is {width}x{height} but the shot is "
            f"{request.width}x{request.height}; resize or crop it to the shot size first."
        )
    return Image.fromarray(pixels)


def dialogue_timings(request: ShotRequest) -> list[DialogueTiming]:
    """Echo does not report when each line is spoken: lines share the shot in order, in proportion to word count."""
    weights = [max(1, len(line.text.split())) for line in request.dialogue]
    total = sum(weights)
    timings, start = [], 0.0
    for line, weight in zip(request.dialogue, weights, strict=True):
        end = start + request.duration_s * weight / total
        timings.append(
            DialogueTiming(speaker=line.speaker, text=line.text, start_s=round(start, 3), end_s=round(end, 3))
        )
        start = end
    return timings


def speech_needs(request: ShotRequest) -> dict[str, float | int | str]:
    """What the dialogue needs, estimated from its text (Echo does not report it): the seconds, and when they
    do not fit, the frame count that would hold them, as the preview reports."""
    needed_s = round(dialogue_seconds(request.dialogue), 3)
    needs: dict[str, float | int | str] = {"speech_needed_s": needed_s, "speech_estimate": "from the text"}
    if needed_s > request.duration_s:
        needs["suggested_num_frames"] = nearest_frame_count(needed_s + 1 / request.fps)
    return needs


def vocoder_sample_rate(pipeline: object) -> int:
    """The vocoder's true output rate: mel frames per second times its total upsampling, times the bandwidth
    extension's ratio for `LTX2VocoderWithBWE` (Echo 1.5: 100 x 160 x 3 = 48 kHz)."""
    audio_vae, vocoder = pipeline.audio_vae, pipeline.vocoder
    mel_frames_per_second = audio_vae.config.sample_rate / audio_vae.config.mel_hop_length
    if isinstance(vocoder, LTX2VocoderWithBWE):
        extension = vocoder.config.output_sampling_rate / vocoder.config.input_sampling_rate
        return round(mel_frames_per_second * vocoder.vocoder.total_upsample_factor * extension)
    return round(mel_frames_per_second * vocoder.total_upsample_factor)


def fit_length(wave: np.ndarray, length: int) -> np.ndarray:
    """Trim or zero-pad (n,) or (n, channels) audio at the end (the causal audio VAE decodes 3 mel frames short of
    the shot)."""
    if len(wave) >= length:
        return wave[:length]
    return np.pad(wave, [(0, length - len(wave))] + [(0, 0)] * (wave.ndim - 1))


class EchoGenerator:
    """`Generator` backed by JoyAI-Echo. Pass `pipeline` to use one already built (tests, benchmarks)."""

    name = "echo"

    def __init__(
        self,
        config: EchoConfig | None = None,
        *,
        sigmas: Sequence[float] = ECHO_SIGMAS,
        pipeline: object | None = None,
    ) -> None:
        self.config = config or EchoConfig()
        self.sigmas = check_sigmas(sigmas)
        if pipeline is not None and any(name not in pipeline.blocks.sub_blocks for name in PROJECT_BLOCKS):
            raise ValueError("pass a pipeline built from generator.echo.memory_blocks.echo_director_blocks()")
        self._pipeline = pipeline
        self._layout: EchoLayout | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._pipeline is not None

    def load(self) -> object:
        """Load the pipeline now (otherwise the first `generate` does); returns it."""
        with self._lock:
            if self._pipeline is None:
                self._pipeline, self._layout = load_echo_pipeline(self.config)
            return self._pipeline

    def generate(
        self,
        request: ShotRequest,
        memory: Sequence[MemorySlot],
        progress: ProgressCallback | None = None,
        out_dir: Path | None = None,
    ) -> GeneratedShot:
        check_memory(memory)
        image = first_frame_image(request)
        report = progress or ignore_progress
        if not self.loaded:
            report(0.0, "loading JoyAI-Echo")
        pipeline = self.load()
        report(0.0, f"encoding prompt and {len(memory)} memory slot(s)")
        started = time.perf_counter()
        with self._lock:
            state = self._run(pipeline, request, memory, image, report)
        seconds = time.perf_counter() - started
        report(STEPS_SHARE, "writing video and audio")
        shot = self._write(pipeline, request, memory, state, Path(out_dir) if out_dir else None, seconds)
        report(1.0, "done")
        return shot

    def _run(
        self,
        pipeline: object,
        request: ShotRequest,
        memory: Sequence[MemorySlot],
        image: Image.Image | None,
        report: ProgressCallback,
    ) -> object:
        steps = len(self.sigmas) - 1
        done = [0]

        def after_step(*_: object) -> None:
            done[0] += 1
            what = f"denoising step {done[0]}/{steps} done"
            report(STEPS_SHARE * done[0] / steps, what + ("; decoding video and audio" if done[0] == steps else ""))

        hook = pipeline.transformer.register_forward_hook(after_step)
        try:
            return pipeline(
                prompt=request.prompt,
                image=image,
                memory_visuals=memory_visuals(memory, self.config.visual_memory),
                memory_audio=[None if slot.audio is None else (slot.audio, slot.sample_rate) for slot in memory],
                height=request.height,
                width=request.width,
                num_frames=request.num_frames,
                frame_rate=float(request.fps),
                sigmas=list(self.sigmas),
                generator=torch.Generator("cpu").manual_seed(request.seed),
                output_type="np",
            )
        except torch.OutOfMemoryError as error:
            what = f"generating {request.width}x{request.height}, {request.num_frames} frames, {len(memory)} slot(s)"
            raise out_of_memory_error(error, what) from error
        finally:
            hook.remove()

    def _write(
        self,
        pipeline: object,
        request: ShotRequest,
        memory: Sequence[MemorySlot],
        state: object,
        out_dir: Path | None,
        seconds: float,
    ) -> GeneratedShot:
        frames = np.clip(np.round(state.get("videos")[0] * 255.0), 0, 255).astype(np.uint8)
        sample_rate = vocoder_sample_rate(pipeline)
        channels = state.get("audio")[0].float().cpu().numpy()  # (channels, samples): stereo from Echo's vocoder
        audio = fit_length(np.ascontiguousarray(channels.T), round(request.duration_s * sample_rate))
        speech_energy = voiced_energy(audio, sample_rate) if self.config.memory_window == "speech" else None
        video_path, audio_path = write_shot_files(
            frames, request.fps, request.width, request.height, audio, sample_rate, out_dir
        )
        return GeneratedShot(
            video_path=video_path,
            audio_path=audio_path,
            num_frames=len(frames),
            fps=request.fps,
            width=request.width,
            height=request.height,
            sample_rate=sample_rate,
            dialogue_timings=dialogue_timings(request),
            speech_overflow_s=speech_overflow_s(request.dialogue, request.duration_s),
            backend=self.name,
            seed=request.seed,
            metadata={**self._metadata(pipeline, memory, state, seconds), **speech_needs(request)},
            frames=frames,
            audio=audio,
            speech_energy=speech_energy,
        )

    def _metadata(self, pipeline: object, memory: Sequence[MemorySlot], state: object, seconds: float) -> dict:
        tokens = {
            "prompt": int(state.get("prompt_attention_mask").sum()),
            "video": int(state.get("latent_num_frames") * state.get("latent_height") * state.get("latent_width")),
            "audio": int(state.get("audio_num_frames")),
            "first_frame": int(state.get("first_frame_token_count")),
            "memory_video": int(state.get("memory_video_token_count")),
            "memory_audio": int(state.get("memory_audio_token_count")),
        }
        return {
            "model_dir": str(self.config.model_dir) if self.config.model_dir else None,
            "layout": self._layout.kind if self._layout else None,
            "steps": len(self.sigmas) - 1,
            "sigmas": list(self.sigmas),
            "memory_slots": [slot.label for slot in memory],
            "silent_memory_slots": [slot.label for slot in memory if slot.audio is None],
            "memory_visuals": [
                "clip" if visual.ndim == 4 else "image" for visual in memory_visuals(memory, self.config.visual_memory)
            ],
            "tokens": tokens,
            "dtype": str(pipeline.transformer.dtype).removeprefix("torch."),
            "device": str(pipeline._execution_device),
            "offload": self.config.offload,
            "generation_s": round(seconds, 3),
            "dialogue_timing": "estimated: lines share the shot in proportion to word count",
        }
