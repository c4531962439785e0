"""The `preview` backend: a fast CPU animatic of a shot, with speech, ambience and music.

Everything that can fail on bad input (empty lines, unreadable reference images, unknown languages) is
resolved before the first file is written. Then static layers (backdrop, bodies, face patches, subtitle
sprites) are built once and each frame only pastes face patches, crops the camera box and blends a subtitle,
while ffmpeg encodes in parallel from a pipe.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generator.audio import resample, speech_envelope
from generator.errors import EchoError
from generator.media import write_shot_files
from generator.memory import load_image
from generator.preview.camera import crop_boxes, parse_camera
from generator.preview.camera import world_size as world_size_for
from generator.preview.config import PreviewConfig
from generator.preview.figures import MOUTH_LEVELS, Figure, build_face_patches, paint_bodies, place_figures
from generator.preview.scene import paint_backdrop
from generator.preview.sound import (
    DialogueLayout,
    SpokenLine,
    ambience,
    layout_dialogue,
    mix,
    music_bed,
    normalise_speech,
    stable_seed,
)
from generator.preview.speech import VoiceProfile, synthesize, voice_for_character
from generator.types import (
    GeneratedShot,
    GeneratorError,
    MemorySlot,
    ProgressCallback,
    ShotRequest,
    ignore_progress,
    nearest_frame_count,
)

SAMPLE_RATE = 22050  # eSpeak NG's native rate, so speech is never resampled
MAX_LINE_CHARS = 1000
BLINK_FRAMES = 3
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
class _Subtitle:
    start: int  # frame range in which the sprite shows
    end: int
    top: int
    left: int
    alpha: np.ndarray  # h x w x 1 uint16, 0..256
    color: np.ndarray  # h x w x 3 uint16, premultiplied by alpha (0..255 * 256)


class _FrameBuffers:
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


_FRAME_BUFFERS = _FrameBuffers()
_RESAMPLE_BANDS = min(4, os.cpu_count() or 1)
_RESAMPLERS = ThreadPoolExecutor(_RESAMPLE_BANDS, thread_name_prefix="preview-camera")


class PreviewGenerator:
    """Animatic renderer implementing `generator.types.Generator`."""

    name = "preview"

    def __init__(self, config: PreviewConfig | None = None) -> None:
        self.config = config or PreviewConfig()

    def generate(
        self,
        request: ShotRequest,
        memory: Sequence[MemorySlot] = (),
        progress: ProgressCallback | None = None,
        out_dir: Path | None = None,
    ) -> GeneratedShot:
        started = time.perf_counter()
        report = progress or ignore_progress
        _check_lines(request)
        report(0.0, "synthesising dialogue")
        voices = {card.id: voice_for_character(card) for card in request.characters}
        lines = [
            SpokenLine(line.speaker, line.text, normalise_speech(_speak(line.text, voices[line.speaker], request)))
            for line in request.dialogue
        ]
        faces, face_sources = _faces(request, memory)
        world_size = world_size_for(request.width, request.height)
        first_frame = _first_frame(request, world_size)

        report(0.1, "mixing the soundtrack")
        num_samples = round(request.duration_s * SAMPLE_RATE)
        layout = layout_dialogue(lines, num_samples, SAMPLE_RATE)
        sound_rng = np.random.default_rng(stable_seed("ambience", request.seed, request.sound_effects))
        bed, ambience_names = ambience(request.sound_effects, num_samples, SAMPLE_RATE, sound_rng)
        music, mood = music_bed(request.music, num_samples, SAMPLE_RATE)
        audio = mix(layout.speech, bed, music, SAMPLE_RATE)

        report(0.15, "painting the scene")
        backdrop = paint_backdrop(request.scene, *world_size, seed=stable_seed("scene", _scene_key(request)))
        if first_frame is not None:
            backdrop.image.paste(Image.fromarray(first_frame))
        figures = place_figures(request.characters, *world_size)
        for figure in figures:
            figure.face = faces.get(figure.card.id)
        canvas = backdrop.image.copy()
        paint_bodies(canvas, figures, world_size[1])
        for figure in figures:
            build_face_patches(figure, canvas, backdrop)
        world = backdrop.grade(np.asarray(canvas), 0, 0)
        move = parse_camera(request.camera, _focus(request, figures, world_size), _group_focus(figures, world_size))
        boxes = crop_boxes(move, request.num_frames, world_size, (request.width, request.height), request.seed)
        mouths = _mouth_levels(figures, layout, request)
        blinks = _blinks(figures, request)
        subtitles, unburned = _subtitles(layout, request) if self.config.subtitles else ([], [])

        frames = _FRAME_BUFFERS.take((request.num_frames, request.height, request.width, 3))
        render = _render_frames(world, figures, boxes, mouths, blinks, subtitles, frames, report)
        video_path, audio_path = write_shot_files(
            render, request.fps, request.width, request.height, audio, SAMPLE_RATE, out_dir
        )
        report(1.0, "done")
        metadata = {
            "voices": {card_id: voice.describe() for card_id, voice in voices.items()},
            "faces": face_sources,
            "camera": move.description,
            "lighting": backdrop.lighting.name,
            "setting": backdrop.setting,
            "ambience": ambience_names,
            "music": mood,
            "speech_needed_s": layout.needed_s,
            "memory_labels": [slot.label for slot in memory],
            "subtitles_burned": self.config.subtitles and not unburned,
            "subtitles_not_burned": unburned,
            "render_s": round(time.perf_counter() - started, 3),
        }
        if layout.overflow_s > 0:
            metadata["suggested_num_frames"] = nearest_frame_count(layout.needed_s + 1 / request.fps)
        return GeneratedShot(
            video_path=video_path,
            audio_path=audio_path,
            num_frames=request.num_frames,
            fps=request.fps,
            width=request.width,
            height=request.height,
            sample_rate=SAMPLE_RATE,
            dialogue_timings=layout.timings,
            speech_overflow_s=layout.overflow_s,
            backend=self.name,
            seed=request.seed,
            metadata=metadata,
            frames=frames,
            audio=audio,
        )


def _check_lines(request: ShotRequest) -> None:
    for index, line in enumerate(request.dialogue):
        if not line.text.strip():
            raise GeneratorError(
                f"dialogue[{index}].text: the line for {line.speaker} is empty; "
                f"valid values: 1 to {MAX_LINE_CHARS} characters of speech (or remove the line)"
            )
        if len(line.text) > MAX_LINE_CHARS:
            raise GeneratorError(
                f"dialogue[{index}].text: {len(line.text)} characters is too long for one shot; valid values: "
                f"1 to {MAX_LINE_CHARS} characters (split the line across shots)"
            )


def _speak(text: str, voice: VoiceProfile, request: ShotRequest) -> np.ndarray:
    wave, rate = synthesize(text, voice, request.language)
    return resample(wave, rate, SAMPLE_RATE)


def _faces(request: ShotRequest, memory: Sequence[MemorySlot]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Each character's face image: the card's reference image, else the key frame of its card memory slot."""
    faces, sources = {}, {}
    for card in request.characters:
        if card.reference_image is not None:
            try:
                faces[card.id] = load_image(Path(card.reference_image))
            except EchoError as error:
                raise GeneratorError(f"{card.id} ({card.name}) reference_image: {error}") from error
            sources[card.id] = "reference_image"
            continue
        slot = next((s for s in memory if s.label == card.id and s.source.kind == "card"), None)
        if slot is not None:
            faces[card.id] = slot.key_frame
            sources[card.id] = "memory"
        else:
            sources[card.id] = "drawn"
    return faces, sources


def _first_frame(request: ShotRequest, world_size: tuple[int, int]) -> np.ndarray | None:
    """The request's first frame scaled to cover the world canvas, read before anything is written."""
    if request.first_frame is None:
        return None
    try:
        return load_image(Path(request.first_frame), *world_size)
    except EchoError as error:
        raise GeneratorError(f"first_frame: {error}") from error


def _scene_key(request: ShotRequest) -> str:
    scene = request.scene
    return scene.id or scene.name or scene.description


def _focus(request: ShotRequest, figures: list[Figure], world_size: tuple[int, int]) -> tuple[float, float]:
    """Where a close-up points: the first speaker's face (else the first character's, else the centre)."""
    if not figures:
        return 0.5, 0.5
    speaker = request.dialogue[0].speaker if request.dialogue else figures[0].card.id
    return _face_point(next(f for f in figures if f.card.id == speaker), world_size)


def _group_focus(figures: list[Figure], world_size: tuple[int, int]) -> tuple[float, float]:
    """Where a medium shot points: between the characters, a little below their faces."""
    if not figures:
        return 0.5, 0.5
    points = [_face_point(figure, world_size) for figure in figures]
    return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points) + 0.08


def _face_point(figure: Figure, world_size: tuple[int, int]) -> tuple[float, float]:
    x, y = figure.head_center
    return x / world_size[0], (y + (figure.head_box[3] - figure.head_box[1]) * 0.6) / world_size[1]


def _mouth_levels(figures: list[Figure], layout: DialogueLayout, request: ShotRequest) -> dict[str, np.ndarray]:
    levels = {}
    for figure in figures:
        track = layout.tracks.get(figure.card.id)
        if track is None:
            levels[figure.card.id] = np.zeros(request.num_frames, dtype=np.int64)
            continue
        envelope = speech_envelope(track, SAMPLE_RATE, request.fps, request.num_frames)
        levels[figure.card.id] = np.minimum(MOUTH_LEVELS - 1, np.ceil(envelope * (MOUTH_LEVELS - 1) * 1.25)).astype(
            np.int64
        )
    return levels


def _blinks(figures: list[Figure], request: ShotRequest) -> dict[str, np.ndarray]:
    blinks = {}
    for figure in figures:
        rng = np.random.default_rng(stable_seed("blink", request.seed, figure.card.id))
        closed = np.zeros(request.num_frames, dtype=bool)
        at = rng.uniform(0.3, 2.5) * request.fps
        while at < request.num_frames:
            closed[int(at) : int(at) + BLINK_FRAMES] = True
            at += rng.uniform(2.0, 5.0) * request.fps
        blinks[figure.card.id] = closed
    return blinks


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


def _subtitles(layout: DialogueLayout, request: ShotRequest) -> tuple[list[_Subtitle], list[str]]:
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
            _Subtitle(
                start=int(timing.start_s * request.fps),
                end=int(np.ceil(end_s * request.fps)),
                top=request.height - height - request.height // 14,
                left=(request.width - sprite.width) // 2,
                alpha=alpha,
                color=rgba[..., :3] * alpha,
            )
        )
    return sprites, unburned


def _render_frames(
    world: np.ndarray,
    figures: list[Figure],
    boxes: np.ndarray,
    mouths: dict[str, np.ndarray],
    blinks: dict[str, np.ndarray],
    subtitles: list[_Subtitle],
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
