"""Subtitle sprites for the preview: a semi-transparent box with white text per dialogue line, drawn once per
shot and blended into the frames it spans. Lines that no installed font can draw are reported, not burned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generator.preview.sound import DialogueLayout
from generator.types import ShotRequest

SUBTITLE_HOLD_S = 0.4
_NON_LATIN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@dataclass
class Subtitle:
    start: int  # frame range in which the sprite shows
    end: int
    top: int
    left: int
    alpha: np.ndarray  # h x w x 1 uint16, 0..256
    color: np.ndarray  # h x w x 3 uint16, premultiplied by alpha (0..255 * 256)


def _font(size: int, text: str) -> ImageFont.FreeTypeFont | ImageFont.ImageFont | None:
    """A font that can draw `text`: a CJK system font for CJK text (None if there is none), else DejaVu/default."""
    candidates = _CJK_FONTS if _NON_LATIN.search(text) else _LATIN_FONTS
    for path in candidates:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return None if _NON_LATIN.search(text) else ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_width: int) -> list[str]:
    units = list(text) if _NON_LATIN.search(text) and " " not in text.strip() else text.split()
    joiner = "" if len(units) == len(text) else " "
    rows, row = [], ""
    for unit in units:
        trial = f"{row}{joiner}{unit}" if row else unit
        if row and font.getlength(trial) > max_width:
            rows.append(row)
            row = unit
        else:
            row = trial
    return [*rows, row] if row else rows


def subtitle_sprites(layout: DialogueLayout, request: ShotRequest) -> tuple[list[Subtitle], list[str]]:
    """Subtitle sprites (semi-transparent box, white text) and the lines no installed font could draw."""
    sprites, unburned = [], []
    size = max(11, request.height // 20)
    timings = layout.timings
    for index, timing in enumerate(timings):
        font = _font(size, timing.text)
        if font is None:
            unburned.append(timing.text)
            continue
        rows = _wrap(timing.text, font, int(request.width * 0.86))[:3]
        line_height = int(size * 1.3)
        width = int(max(font.getlength(row) for row in rows)) + 2 * size // 2
        height = line_height * len(rows) + size // 2
        sprite = Image.new("RGBA", (min(width, request.width), height), (0, 0, 0, 150))
        draw = ImageDraw.Draw(sprite)
        for row_index, row in enumerate(rows):
            draw.text((size // 2, size // 4 + row_index * line_height), row, font=font, fill=(255, 255, 255, 255))
        rgba = np.asarray(sprite).astype(np.uint16)
        alpha = rgba[..., 3:4] + (rgba[..., 3:4] >> 7)  # 0..255 -> 0..256, so blending divides by a shift
        next_start = timings[index + 1].start_s if index + 1 < len(timings) else request.duration_s
        end_s = min(timing.end_s + SUBTITLE_HOLD_S, max(next_start, timing.end_s))
        sprites.append(
            Subtitle(
                start=int(timing.start_s * request.fps),
                end=int(np.ceil(end_s * request.fps)),
                top=request.height - height - request.height // 14,
                left=(request.width - sprite.width) // 2,
                alpha=alpha,
                color=rgba[..., :3] * alpha,
            )
        )
    return sprites, unburned
