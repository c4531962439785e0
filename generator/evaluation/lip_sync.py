"""Lip sync: how the speaker's mouth opening follows the loudness of the speech (paper Sec. 7, lip sync).

The face found in a sampled frame is followed frame by frame through the speaker's dialogue (re-detected in a
window around its last box, scaled so the face is about TRACK_FACE_PX tall); the inner-lip opening from dlib's
68 landmarks, divided by the face height, is correlated with the audio RMS per video frame at lags up to
MAX_LAG_S either way. A positive lag means the mouth moves after the sound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dlib
import numpy as np
from PIL import Image

from generator.evaluation.faces import face_models, landmarks
from generator.evaluation.models import Measurement
from generator.types import DialogueTiming

CORRELATION_METHOD = (
    "Pearson correlation of the inner-lip opening (dlib 68 landmarks, over face height) with the audio RMS per "
    "frame over the speaker's dialogue, at the best lag"
)
LAG_METHOD = "lag of the best correlation in seconds (positive: the mouth follows the sound)"
MAX_LAG_S = 0.24
MIN_FRAMES = 10
TRACK_FACE_PX = 110
_INNER_LIP_PAIRS = ((61, 67), (62, 66), (63, 65))


def speaking_frames(timings: Sequence[DialogueTiming], speaker: str, fps: int, num_frames: int) -> list[int]:
    """Frame indices inside `speaker`'s lines."""
    frames: set[int] = set()
    for timing in timings:
        if timing.speaker == speaker:
            frames.update(range(int(timing.start_s * fps), min(num_frames, int(np.ceil(timing.end_s * fps)))))
    return sorted(frames)


def mouth_openings(frames: Mapping[int, np.ndarray], indices: Sequence[int], start: dlib.rectangle) -> np.ndarray:
    """Inner-lip opening over face height in each of `indices`, following the face from the box `start`."""
    box, openings = start, []
    for index in indices:
        frame = frames[index]
        box = _redetect(frame, box) or box
        shape = landmarks(frame, box)
        gap = np.mean([shape.part(top).y - shape.part(bottom).y for top, bottom in _INNER_LIP_PAIRS])
        face_height = max(shape.part(8).y - shape.part(27).y, 1)
        openings.append(abs(gap) / face_height)
    return np.asarray(openings, dtype=np.float64)


def _redetect(frame: np.ndarray, box: dlib.rectangle) -> dlib.rectangle | None:
    """The face nearest `box` in a window twice its size around it, or None."""
    height, width = frame.shape[:2]
    side = max(box.width(), box.height())
    left, top = max(0, box.left() - side // 2), max(0, box.top() - side // 2)
    right, bottom = min(width, box.right() + side // 2), min(height, box.bottom() + side // 2)
    if right - left < 8 or bottom - top < 8:
        return None
    scale = TRACK_FACE_PX / side
    window = Image.fromarray(frame[top:bottom, left:right])
    window = window.resize((round((right - left) * scale), round((bottom - top) * scale)), Image.Resampling.BILINEAR)
    found = face_models().detector(np.asarray(window), 0)
    if not found:
        return None
    best = max(found, key=lambda candidate: candidate.area())
    return dlib.rectangle(
        left + round(best.left() / scale),
        top + round(best.top() / scale),
        left + round(best.right() / scale),
        top + round(best.bottom() / scale),
    )


def lip_sync(openings: np.ndarray, loudness: np.ndarray, fps: int, reason: str = "") -> tuple[Measurement, Measurement]:
    """Best correlation and its lag between mouth opening and loudness (same frames, same length); both not
    measured, with `reason`, when a reason is given or there are too few frames."""
    if not reason and len(openings) < MIN_FRAMES:
        reason = f"fewer than {MIN_FRAMES} speaking frames"
    if reason:
        return Measurement(method=CORRELATION_METHOD, reason=reason), Measurement(method=LAG_METHOD, reason=reason)
    best: tuple[float, int] | None = None
    for lag in range(-round(MAX_LAG_S * fps), round(MAX_LAG_S * fps) + 1):
        mouth = openings[max(lag, 0) : len(openings) + min(lag, 0)]
        sound = loudness[max(-lag, 0) : len(loudness) - max(lag, 0)]
        if len(mouth) < MIN_FRAMES or np.std(mouth) == 0 or np.std(sound) == 0:
            continue
        correlation = float(np.corrcoef(mouth, sound)[0, 1])
        if best is None or correlation > best[0]:
            best = (correlation, lag)
    if best is None:
        return lip_sync(openings, loudness, fps, reason="the mouth or the sound does not change over the lines")
    return (
        Measurement(value=best[0], method=CORRELATION_METHOD),
        Measurement(value=best[1] / fps, method=LAG_METHOD),
    )
