"""The `preview` backend: a fast CPU animatic of a shot, with speech, ambience and music.

Everything that can fail on bad input (empty lines, unreadable reference images, unknown languages) is
resolved before the first file is written. Then static layers (backdrop, bodies, face patches, subtitle
sprites) are built once and each frame only pastes face patches, crops the camera box and blends a subtitle,
while ffmpeg encodes in parallel from a pipe.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from generator.audio import resample, speech_envelope
from generator.errors import EchoError
from generator.media import write_shot_files
from generator.memory import frame_energy, load_image
from generator.preview.camera import crop_boxes, parse_camera
from generator.preview.camera import world_size as world_size_for
from generator.preview.config import PreviewConfig
from generator.preview.figures import MOUTH_LEVELS, Figure, build_face_patches, paint_bodies, place_figures
from generator.preview.frames import FRAME_BUFFERS, render_frames
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
from generator.preview.subtitles import subtitle_sprites
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
        subtitles, unburned = subtitle_sprites(layout, request) if self.config.subtitles else ([], [])

        frames = FRAME_BUFFERS.take((request.num_frames, request.height, request.width, 3))
        render = render_frames(world, figures, boxes, mouths, blinks, subtitles, frames, report)
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
            speech_energy=frame_energy(layout.speech, SAMPLE_RATE) if self.config.memory_window == "speech" else None,
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
