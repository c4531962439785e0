"""Drawing a preview shot's frames: the camera box cropped or resampled from the world each frame, face patches
pasted as mouths and eyes change, subtitles blended in, into frame buffers reused across shots."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from generator.preview.figures import Figure
from generator.preview.subtitles import Subtitle
from generator.types import ProgressCallback


class FrameBuffers:
    """Frame arrays for successive shots that reuse the memory of earlier shots' frames nobody holds any more.

    Writing into freshly allocated memory is slow on the VMs this runs on (the first touch of a page costs more
    than rendering into it; at 1280x736 the 680 MB of a shot's frames took 1-2 s), and a caller usually drops a
    shot's frames once it is written. A buffer is reused only when this pool holds the sole reference to it:
    numpy views and slices reference the array that owns the memory, so frames still held anywhere stay untouched.
    At most `max_buffers` buffers and `max_bytes` are kept, and buffers nobody holds are let go once no shot has
    asked for one in `idle_s` seconds, so a long-running app does not keep a shot's worth of memory between runs.
    """

    def __init__(self, max_buffers: int = 2, max_bytes: int = 3 << 29, idle_s: float = 60.0) -> None:
        self.max_buffers = max_buffers
        self.max_bytes = max_bytes
        self.idle_s = idle_s
        self._buffers: list[np.ndarray] = []
        self._lock = threading.Lock()  # two shots rendered at once must not both get one idle buffer
        self._idle_timer: threading.Timer | None = None
        self._last_take = time.monotonic()

    def take(self, shape: tuple[int, ...]) -> np.ndarray:
        with self._lock:
            self._restart_idle_timer()
            for index in range(len(self._buffers)):
                if self._buffers[index].shape == shape and self._unreferenced(index):
                    return self._buffers[index]
            buffer = np.empty(shape, dtype=np.uint8)
            if buffer.nbytes <= self.max_bytes:
                self._buffers.append(buffer)
                self._shrink()
            return buffer

    def pooled_bytes(self) -> int:
        with self._lock:
            return sum(buffer.nbytes for buffer in self._buffers)

    def _restart_idle_timer(self) -> None:
        self._last_take = time.monotonic()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = threading.Timer(self.idle_s, self._release_idle)
        self._idle_timer.daemon = True
        self._idle_timer.start()

    def _release_idle(self) -> None:
        with self._lock:
            if time.monotonic() - self._last_take < self.idle_s:
                return  # a shot asked for a buffer while this timer waited for the lock
            held = [index for index in range(len(self._buffers)) if not self._unreferenced(index)]
            self._buffers = [self._buffers[index] for index in held]

    def _unreferenced(self, index: int) -> bool:
        return sys.getrefcount(self._buffers[index]) <= 2  # the list's reference and getrefcount's argument

    def _shrink(self) -> None:
        """Forget the oldest buffers (unused ones first) until the limits hold; ones in use stay with their owner."""
        while len(self._buffers) > self.max_buffers or sum(b.nbytes for b in self._buffers) > self.max_bytes:
            idle = [index for index in range(len(self._buffers) - 1) if self._unreferenced(index)]
            del self._buffers[idle[0] if idle else 0]


FRAME_BUFFERS = FrameBuffers()
_RESAMPLE_BANDS = min(4, os.cpu_count() or 1)
_RESAMPLERS = ThreadPoolExecutor(_RESAMPLE_BANDS, thread_name_prefix="preview-camera")


def render_frames(
    world: np.ndarray,
    figures: list[Figure],
    boxes: np.ndarray,
    mouths: dict[str, np.ndarray],
    blinks: dict[str, np.ndarray],
    subtitles: list[Subtitle],
    frames: np.ndarray,
    report: ProgressCallback,
) -> Iterator[np.ndarray]:
    """Fill `frames` one by one, yielding each as it is ready (ffmpeg encodes while the next is drawn).

    The world stays one PIL image for the whole shot: a frame pastes the face patches that changed and resamples
    the camera box straight from it, with no per-frame array conversion of the world.
    """
    count = len(frames)
    canvas = Image.fromarray(world)
    patch_images = {id(patch): Image.fromarray(patch) for figure in figures for patch in figure.patches}
    pasted: dict[str, int] = {}  # card id -> id of the patch its face shows now
    for index in range(count):
        for figure in figures:
            card_id = figure.card.id
            patch = id(figure.patch(int(mouths[card_id][index]), bool(blinks[card_id][index])))
            if pasted.get(card_id) != patch:
                canvas.paste(patch_images[patch], figure.head_box[:2])
                pasted[card_id] = patch
        _camera(canvas, boxes[index], frames[index])
        for subtitle in subtitles:
            if subtitle.start <= index < subtitle.end:
                region = frames[
                    index,
                    subtitle.top : subtitle.top + subtitle.alpha.shape[0],
                    subtitle.left : subtitle.left + subtitle.alpha.shape[1],
                ]
                region[:] = (region * (256 - subtitle.alpha) + subtitle.color) >> 8
        if index % 24 == 0:
            report(0.2 + 0.75 * index / count, f"frame {index + 1}/{count}")
        yield frames[index]


def _camera(world: Image.Image, box: np.ndarray, out: np.ndarray) -> None:
    """Copy the camera box of the world into `out`: a plain crop at whole pixels, else a bilinear resample split
    into horizontal bands resampled in parallel (PIL releases the GIL while it resamples)."""
    out_h, out_w = out.shape[:2]
    left, top, right, bottom = (float(v) for v in box)
    if abs(right - left - out_w) < 1e-6 and left.is_integer() and top.is_integer():
        out[:] = np.asarray(world.crop((int(left), int(top), int(left) + out_w, int(top) + out_h)))
        return
    row_height = (bottom - top) / out_h
    bands = min(_RESAMPLE_BANDS, out_h)
    edges = [out_h * band // bands for band in range(bands + 1)]

    def resample(first: int, last: int) -> None:
        band_box = (left, top + first * row_height, right, top + last * row_height)
        out[first:last] = np.asarray(world.resize((out_w, last - first), Image.Resampling.BILINEAR, box=band_box))

    list(_RESAMPLERS.map(resample, edges[:-1], edges[1:]))
