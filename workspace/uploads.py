"""Checked uploads of character references: a reference image or a voice sample.

A file is accepted only when it decodes for real (PIL for images; the wav reader or ffmpeg for audio), is within
the size limit, and is of sane dimensions/length. The decoded content is re-encoded (PNG / 16-bit wav) into the
project's media folder under a generated name, so neither the uploaded bytes nor the uploaded file name ever
reach the home as they came. `tools.references.attach_reference` then points the card at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, UnidentifiedImageError

from generator.audio import read_wav, write_wav
from generator.errors import EchoError
from generator.media import extract_audio, save_png
from workspace.db import Workspace

UploadKind = Literal["image", "audio"]

REFERENCE_MEDIA_KIND = "references"
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF")
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 2048
MIN_AUDIO_S = 1.0
MAX_AUDIO_S = 300.0
DECODED_AUDIO_RATE = 24_000


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
    """Mono float32 samples and their rate, or EchoError when the file holds no decodable sound."""
    with source.open("rb") as handle:
        is_riff = handle.read(4) == b"RIFF"
    try:
        if is_riff:
            wave, sample_rate = read_wav(source)
        else:
            wave, sample_rate = extract_audio(source, DECODED_AUDIO_RATE), DECODED_AUDIO_RATE
    except (EchoError, OSError, ValueError, EOFError) as error:
        raise EchoError(f"{_shown(source)} is not a readable audio file; upload a WAV, MP3, M4A or OGG file") from error
    wave = np.asarray(wave, dtype=np.float32).reshape(-1)
    duration = wave.size / sample_rate if sample_rate else 0.0
    if duration < MIN_AUDIO_S:
        raise EchoError(
            f"{_shown(source)} holds {duration:.2f} s of sound; a voice sample needs at least {MIN_AUDIO_S:g} s"
        )
    if duration > MAX_AUDIO_S:
        raise EchoError(f"{_shown(source)} is {duration:.0f} s long; trim the voice sample to under 5 minutes")
    if not np.isfinite(wave).all():
        raise EchoError(f"{_shown(source)} contains invalid samples; export it again as WAV")
    return np.clip(wave, -1.0, 1.0), sample_rate


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
