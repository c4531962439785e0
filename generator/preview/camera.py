"""Camera framing and moves for the preview backend, read from the shot's camera text.

The shot is rendered on a world canvas larger than the frame; the camera is a crop box that moves and
scales over the shot (zoom 1 = a crop the size of the output frame, the widest framing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

WORLD_MARGIN = 1.25  # world canvas size relative to the output frame
PAN_TRAVEL = 0.09  # of the world width/height, each side of the centre
MOVE_ZOOM = 1.35  # zoom ratio between the start and end of a dolly/zoom
CLOSE_ZOOM = 1.9

_FRAMINGS = [
    ("extreme close-up", 2.6, re.compile(r"\b(extreme close[- ]?up|ecu)\b|大特写|极近特写")),
    ("close-up", CLOSE_ZOOM, re.compile(r"\b(close[- ]?up|closeup|tight|cu)\b|特写|近景")),
    (
        "medium",
        1.35,
        re.compile(r"\b(medium|mid[- ]shot|waist|two[- ]shot|over[- ]the[- ]shoulder)\b|中景|半身|过肩|双人"),
    ),
    ("wide", 1.0, re.compile(r"\b(wide|establishing|long shot|full shot|full body)\b|全景|远景|建立镜头|全身")),
]
_ZOOM_IN = re.compile(
    r"\b(zoom(?:s|ing)? in|dolly(?:ing)? in|push(?:es|ing)? in|moves? in|track(?:s|ing)? in|"
    r"creep(?:s|ing)? in|dolly forward)\b|推近|推进|拉近|推镜"
)
_ZOOM_OUT = re.compile(
    r"\b(zoom(?:s|ing)? out|dolly(?:ing)? out|pull(?:s|ing)? (?:back|out)|moves? out|"
    r"track(?:s|ing)? out|dolly back(?:ward)?)\b|拉远|拉开|后拉"
)
_PAN = re.compile(
    r"\b(pan(?:s|ning)?|truck(?:s|ing)?|track(?:s|ing)?|slide(?:s)?|arc(?:s|ing)?|orbit\w*)\s+"
    r"(?:to the )?(left|right)\b|从[左右]到(左|右)|[向往](左|右)(?:摇|移|横移)"
)
_TILT = re.compile(
    r"\b(tilt(?:s|ing)?|crane(?:s|ing)?|pedestal(?:s|ing)?)\s+(up|down)\b|从[上下]到(上|下)|[向往](上|下)(?:摇|移|升|降)"
)
_HANDHELD = re.compile(r"\b(handheld|hand-held|shaky|documentary)\b|手持|晃动|纪录片")
_ZH_SIDES = {"左": "left", "右": "right", "上": "up", "下": "down"}


def world_size(width: int, height: int) -> tuple[int, int]:
    """The world canvas for an output frame: an even margin each side, so the widest framing is whole pixels."""
    return (width + 2 * round(width * (WORLD_MARGIN - 1) / 2), height + 2 * round(height * (WORLD_MARGIN - 1) / 2))


@dataclass(frozen=True)
class CameraMove:
    """Start and end zoom and centre (fractions of the world), plus handheld shake amplitude (world fraction)."""

    start_zoom: float
    end_zoom: float
    start_center: tuple[float, float]
    end_center: tuple[float, float]
    shake: float = 0.0
    description: str = "static wide"


def parse_camera(text: str, focus: tuple[float, float], group: tuple[float, float]) -> CameraMove:
    """Framing and move from the camera text: wide, medium (on `group`, everyone in the shot) or close-up (on
    `focus`, the speaker), static or pan / tilt / dolly-zoom in or out / handheld."""
    lowered = text.lower()
    found = [(name, value) for name, value, pattern in _FRAMINGS if pattern.search(lowered)]
    framing, zoom = found[0] if found else ("wide", 1.0)
    center = focus if zoom >= CLOSE_ZOOM else group if zoom > 1.0 else (0.5, 0.5)
    start_zoom = end_zoom = zoom
    words = [framing]
    if _ZOOM_IN.search(lowered):
        end_zoom = zoom * MOVE_ZOOM
        words.append("push in")
    elif _ZOOM_OUT.search(lowered):
        start_zoom = zoom * MOVE_ZOOM
        words.append("pull out")
    start, end = center, center
    pan, tilt = _PAN.search(lowered), _TILT.search(lowered)
    if pan:
        side = _side(pan)
        direction = -1 if side == "left" else 1
        start = (center[0] - direction * PAN_TRAVEL, start[1])
        end = (center[0] + direction * PAN_TRAVEL, end[1])
        words.append(f"pan {side}")
    if tilt:
        side = _side(tilt)
        direction = -1 if side == "up" else 1
        start = (start[0], center[1] - direction * PAN_TRAVEL)
        end = (end[0], center[1] + direction * PAN_TRAVEL)
        words.append(f"tilt {side}")
    shake = 0.004 if _HANDHELD.search(lowered) else 0.0
    if shake:
        words.append("handheld")
    if len(words) == 1:
        words.append("static")
    return CameraMove(start_zoom, end_zoom, start, end, shake, " ".join(words))


def _side(move: re.Match[str]) -> str:
    """The direction a pan or tilt names, in English ('left', 'up') whether the text said 'left' or '左'."""
    word = next(group for group in reversed(move.groups()) if group)
    return _ZH_SIDES.get(word, word)


def crop_boxes(
    move: CameraMove, num_frames: int, world_size: tuple[int, int], out_size: tuple[int, int], seed: int
) -> np.ndarray:
    """(num_frames, 4) float crop boxes (left, top, right, bottom) in world pixels, eased and kept inside the world."""
    world_w, world_h = world_size
    out_w, out_h = out_size
    t = np.linspace(0.0, 1.0, num_frames)
    eased = t * t * (3 - 2 * t)
    zoom = move.start_zoom * (move.end_zoom / move.start_zoom) ** eased
    cx = (move.start_center[0] + (move.end_center[0] - move.start_center[0]) * eased) * world_w
    cy = (move.start_center[1] + (move.end_center[1] - move.start_center[1]) * eased) * world_h
    if move.shake:
        rng = np.random.default_rng(seed)
        smooth = np.ones(9) / 9
        cx = cx + np.convolve(rng.standard_normal(num_frames + 8), smooth, "valid") * move.shake * world_w
        cy = cy + np.convolve(rng.standard_normal(num_frames + 8), smooth, "valid") * move.shake * world_h
    half_w, half_h = out_w / zoom / 2, out_h / zoom / 2
    cx = np.clip(cx, half_w, world_w - half_w)
    cy = np.clip(cy, half_h, world_h - half_h)
    return np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
