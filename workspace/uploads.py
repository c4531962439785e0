"""Checked uploads of character references: a reference image or a voice sample.

A file is accepted only when it decodes for real (PIL for images; the wav reader or ffmpeg for audio), is within
the size limit, and is of sane dimensions/length; a voice sample's length is checked from its header before any
of it is decoded, and its samples must be finite and audible. The decoded content is re-encoded (PNG / 16-bit wav)
into the project's media folder under a generated name, so neither the uploaded bytes nor the uploaded file name
ever reach the home as they came. `tools.references.attach_reference` then points the card at it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, UnidentifiedImageError

from generator.audio import WavError, read_wav, wav_format, write_wav
from generator.errors import EchoError
from generator.media import MediaError, ffmpeg_exe, probe, save_png
from workspace.db import Workspace

UploadKind = Literal["image", "audio"]

REFERENCE_MEDIA_KIND = "references"
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF")
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 2048
MIN_AUDIO_S = 1.0
MAX_AUDIO_S = 300.0
MIN_AUDIO_RATE = 8_000
MAX_AUDIO_RATE = 192_000
SILENT_DBFS = -60.0
DECODED_AUDIO_RATE = 24_000
DECODE_TIMEOUT_S = 120


def check_size(source: Path, limit_bytes: int) -> None:
    size = source.stat().st_size
    if size == 0:
        raise EchoError(f"{_shown(source)} is empty; choose the file again")
    if size > limit_bytes:
        raise EchoError(
            f"{_shown(source)} is {size / 1e6:.1f} MB; the upload limit is {limit_bytes / 1e6:.1f} MB "
            "(ECHO_UPLOAD_MAX_BYTES). Use a smaller file."
        )


def decode_image(source: Path) -> Image.Image:
    """The image as RGB, or EchoError when the file is not a real image of a supported format."""
    try:
        with Image.open(source) as probe:
            probe.verify()
        with Image.open(source) as opened:
            if opened.format not in IMAGE_FORMATS:
                raise EchoError(f"{_shown(source)} is {opened.format}; use one of {', '.join(IMAGE_FORMATS)}")
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise EchoError(f"{_shown(source)} is {opened.width}x{opened.height}; use an image under 40 megapixels")
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise EchoError(f"{_shown(source)} is not a readable image; upload a PNG, JPEG or WebP picture") from error
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    return image


def decode_audio(source: Path) -> tuple[np.ndarray, int]:
    """Mono float32 samples in [-1, 1] and their rate, or EchoError when the file is not a usable voice sample.

    The length is read from the header (the WAV header, or ffmpeg's probe of any other file) and a file longer than
    MAX_AUDIO_S is refused before a sample is decoded; the ffmpeg decode itself also stops just past MAX_AUDIO_S,
    so a header that understates the length cannot make the app hold more than that much sound either.
    """
    if _is_wav(source):
        wave, sample_rate = _decode_wav(source)
    else:
        wave, sample_rate = _decode_with_ffmpeg(source), DECODED_AUDIO_RATE
    duration = wave.size / sample_rate
    if duration < MIN_AUDIO_S:
        raise EchoError(
            f"{_shown(source)} holds {duration:.2f} s of sound; a voice sample needs at least {MIN_AUDIO_S:g} s"
        )
    _check_length(source, duration)
    finite = np.isfinite(wave)
    if not finite.all():
        raise EchoError(
            f"{_shown(source)} contains {wave.size - int(np.count_nonzero(finite))} NaN or infinite samples; "
            "export it again as 16-bit PCM WAV or FLAC"
        )
    wave = np.clip(wave, -1.0, 1.0)
    _check_audible(source, wave)
    return wave, sample_rate


def _is_wav(source: Path) -> bool:
    with source.open("rb") as handle:
        head = handle.read(12)
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"


def _decode_wav(source: Path) -> tuple[np.ndarray, int]:
    try:
        header = wav_format(source)
    except WavError as error:
        raise EchoError(f"{_shown(source)}: {error.reason}; export it as 16-bit PCM WAV or FLAC") from error
    except EchoError as error:
        raise EchoError(f"upload {_shown(source)} could not be read; choose the file again") from error
    if not MIN_AUDIO_RATE <= header.sample_rate <= MAX_AUDIO_RATE:
        raise EchoError(
            f"{_shown(source)} is sampled at {header.sample_rate} Hz; a voice sample needs "
            f"{MIN_AUDIO_RATE} to {MAX_AUDIO_RATE} Hz (16000 Hz or more is best): export it again as WAV or FLAC"
        )
    _check_length(source, header.duration_s)
    try:
        wave, sample_rate = read_wav(source, sanitize=False)
    except EchoError as error:
        raise EchoError(f"upload {_shown(source)} could not be read; choose the file again") from error
    return wave, sample_rate


def _decode_with_ffmpeg(source: Path) -> np.ndarray:
    """The first audio stream as mono float32 at DECODED_AUDIO_RATE, refusing a long file before decoding it."""
    unreadable = f"{_shown(source)} is not a readable audio file; upload a WAV, FLAC, MP3, M4A or OGG file"
    try:
        info = probe(source)
    except MediaError as error:
        raise EchoError(unreadable) from error
    if not info.has_audio:
        raise EchoError(f"{_shown(source)} has no sound track; upload a WAV, FLAC, MP3, M4A or OGG file")
    _check_length(source, info.duration_s)
    cap_s = MAX_AUDIO_S + 1.0  # decoding a little more than allowed tells a too-long file from one just at the limit
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(source), "-map", "0:a:0"]
    args += ["-ac", "1", "-ar", str(DECODED_AUDIO_RATE), "-t", f"{cap_s:g}", "-f", "f32le", "pipe:1"]
    try:
        result = subprocess.run(args, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as error:
        raise EchoError(
            f"{_shown(source)} took over {DECODE_TIMEOUT_S} s to decode; export it as 16-bit PCM WAV or FLAC"
        ) from error
    if result.returncode != 0:
        raise EchoError(unreadable)
    cap_bytes = int(cap_s * DECODED_AUDIO_RATE) * 4
    wave = np.frombuffer(result.stdout, dtype="<f4", count=min(len(result.stdout), cap_bytes) // 4)
    if wave.size > MAX_AUDIO_S * DECODED_AUDIO_RATE:
        _check_length(source, wave.size / DECODED_AUDIO_RATE, at_least=True)
    return wave.astype(np.float32)


def _check_length(source: Path, duration_s: float, *, at_least: bool = False) -> None:
    if duration_s > MAX_AUDIO_S:
        length = f"more than {MAX_AUDIO_S:.0f}" if at_least else f"{duration_s:.0f}"
        raise EchoError(
            f"{_shown(source)} is {length} s long; a voice sample can be at most {MAX_AUDIO_S:.0f} s "
            f"({MAX_AUDIO_S / 60:g} minutes): trim it and upload again"
        )


def _check_audible(source: Path, wave: np.ndarray) -> None:
    """Refuse a sample whose loudest sample (DC offset removed) is under SILENT_DBFS: there is no voice to clone."""
    loudest = float(np.max(np.abs(wave - float(np.mean(wave, dtype=np.float64)))))
    if loudest < 10.0 ** (SILENT_DBFS / 20.0):
        level = f"its loudest sound is {20.0 * np.log10(loudest):.0f} dBFS" if loudest > 0 else "it holds no sound"
        raise EchoError(
            f"{_shown(source)} is silent ({level}, under {SILENT_DBFS:g} dBFS); "
            "upload a recording in which the voice can be heard"
        )


def store_reference(workspace: Workspace, project_id: int, source: str | Path, kind: UploadKind) -> str:
    """Validate `source` and store a clean re-encoded copy; returns its home-relative path."""
    source = Path(source)
    if not source.is_file():
        raise EchoError(f"upload {_shown(source)} was not received; choose the file again")
    check_size(source, workspace.upload_max_bytes)
    if kind == "image":
        image = decode_image(source)
        relative = workspace.media.allocate(project_id, REFERENCE_MEDIA_KIND, ".png")
        save_png(workspace.media.resolve(relative), np.asarray(image))
    elif kind == "audio":
        wave, sample_rate = decode_audio(source)
        relative = workspace.media.allocate(project_id, REFERENCE_MEDIA_KIND, ".wav")
        write_wav(workspace.media.resolve(relative), wave, sample_rate)
    else:
        raise EchoError(f"unknown upload kind {kind!r}; valid values: image, audio")
    return relative


def _shown(source: Path) -> str:
    """The uploaded file's name for messages only: never used to build a path."""
    name = source.name
    return repr(name if len(name) <= 60 else name[:57] + "...")
