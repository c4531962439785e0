"""One take measured on its own: speech accuracy, and per character the voice, the face and lip sync, with the
embeddings the film-level comparisons use (generator/evaluation/film.py).

The video is decoded once: the sampled frames, every speaking frame and the middle frame (whose signature the
shot-pair proxy compares) come from one pass, and a face descriptor computed to assign a lone face is reused for
the character's mean descriptor.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import dlib
import numpy as np

from generator.audio import speech_envelope
from generator.evaluation.faces import (
    FOUND_METHOD,
    assign_faces,
    detect_faces,
    face_descriptor,
    face_to_reference,
)
from generator.evaluation.lip_sync import lip_sync, mouth_openings, speaking_frames
from generator.evaluation.models import CharacterMedia, CharacterScores, Measurement, TakeMedia, TakeScores
from generator.evaluation.similarity import frame_signature
from generator.evaluation.speaker_encoder import SAMPLE_RATE
from generator.evaluation.speech import speech_accuracy
from generator.evaluation.voice import load_speech, spoken_by, voice_embedding, voice_to_reference
from generator.media import probe, read_frames

SAMPLED_FRAMES = 4
DESCRIBED_FRAMES = 2


class StageClock:
    """Wall seconds spent in each named stage, summed over its uses."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started


class _Descriptors:
    """Face descriptors of one take's frames, each (frame, box) computed once."""

    def __init__(self, frames: dict[int, np.ndarray], clock: StageClock) -> None:
        self.frames, self._clock = frames, clock
        self._known: dict[tuple[int, int, int, int, int], np.ndarray] = {}

    def __call__(self, index: int, box: dlib.rectangle) -> np.ndarray:
        key = (index, box.left(), box.top(), box.right(), box.bottom())
        if key not in self._known:
            with self._clock.stage("face descriptors"):
                self._known[key] = face_descriptor(self.frames[index], box)
        return self._known[key]


def measure_take(media: TakeMedia) -> TakeScores:
    """Every per-take measurement of `media`; MediaError (an EchoError) when its files cannot be read."""
    return measure_take_timed(media)[0]


def measure_take_timed(media: TakeMedia) -> tuple[TakeScores, dict[str, float]]:
    """`measure_take`, with the wall seconds of each stage (audio, speech recognition, frame decoding, face
    detection, face descriptors, voice embeddings, lip sync)."""
    clock = StageClock()
    with clock.stage("audio"):
        wave = load_speech(media.audio_path)
    with clock.stage("speech recognition"):
        accuracy, recognised = speech_accuracy(wave, media.dialogue_timings, media.language)
    with clock.stage("frame decoding"):
        num_frames = probe(media.video_path).num_frames
        sampled = sorted({round(i) for i in np.linspace(0, num_frames - 1, SAMPLED_FRAMES)}) if num_frames else []
        speaking = {
            c.char_id: speaking_frames(media.dialogue_timings, c.char_id, media.fps, num_frames)
            for c in media.characters
        }
        middle = [num_frames // 2] if num_frames else []
        wanted = sorted(set(sampled).union(middle, *speaking.values()))
        frames = dict(zip(wanted, read_frames(media.video_path, wanted), strict=True))
    descriptors = _Descriptors(frames, clock)
    faces: dict[int, dict[str, dlib.rectangle]] = {}
    for index in sampled:
        with clock.stage("face detection"):
            boxes = detect_faces(frames[index])
        faces[index] = assign_faces(
            frames[index], boxes, media.characters, lambda box, index=index: descriptors(index, box)
        )
    loudness = speech_envelope(wave, SAMPLE_RATE, media.fps, num_frames)
    characters = [
        _character_scores(media, character, wave, faces, descriptors, speaking[character.char_id], loudness, clock)
        for character in media.characters
    ]
    scores = TakeScores(
        take_id=media.take_id,
        shot_number=media.shot_number,
        version=media.version,
        scene_id=media.scene_id,
        speech_accuracy=accuracy,
        recognised_text=recognised,
        characters=characters,
        memory_labels=media.memory_labels,
        middle_frame=frame_signature(frames[middle[0]]) if middle else None,
    )
    return scores, dict(clock.seconds)


def _character_scores(
    media: TakeMedia,
    character: CharacterMedia,
    wave: np.ndarray,
    faces: dict[int, dict[str, dlib.rectangle]],
    descriptors: _Descriptors,
    speaking: list[int],
    loudness: np.ndarray,
    clock: StageClock,
) -> CharacterScores:
    speech = spoken_by(wave, media.dialogue_timings, character.char_id)
    with clock.stage("voice embeddings"):
        voice = voice_embedding(speech)
        to_reference = voice_to_reference(voice, character.reference_audio)
    found = [(index, boxes[character.char_id]) for index, boxes in faces.items() if character.char_id in boxes]
    face = _mean_descriptor(descriptors, found)
    with clock.stage("face descriptors"):
        face_reference = face_to_reference(face, character.reference_image)
    with clock.stage("lip sync"):
        correlation, lag = _lip_sync(descriptors.frames, found, speaking, loudness, media.fps)
    share = len(found) / len(faces) if faces else None
    return CharacterScores(
        char_id=character.char_id,
        spoke_s=round(speech.size / SAMPLE_RATE, 3),
        voice_embedding=voice.tolist() if voice is not None else None,
        face_embedding=face.tolist() if face is not None else None,
        voice_to_reference=to_reference,
        face_to_reference=face_reference,
        face_found=Measurement(
            value=share, method=f"{FOUND_METHOD} ({len(faces)} frames)", reason=_found_note(found, faces)
        ),
        lip_sync_correlation=correlation,
        lip_sync_lag_s=lag,
    )


def _found_note(found: list, faces: dict) -> str:
    if not faces:
        return "the video has no frames"
    return "" if found else f"no face found in {len(faces)} sampled frames"


def _mean_descriptor(descriptors: _Descriptors, found: list[tuple[int, dlib.rectangle]]) -> np.ndarray | None:
    """The mean face descriptor over up to DESCRIBED_FRAMES of the frames where the face was found."""
    if not found:
        return None
    picks = found[:: max(1, len(found) // DESCRIBED_FRAMES)][:DESCRIBED_FRAMES]
    return np.mean([descriptors(index, box) for index, box in picks], axis=0)


def _lip_sync(
    frames: dict[int, np.ndarray],
    found: list[tuple[int, dlib.rectangle]],
    speaking: list[int],
    loudness: np.ndarray,
    fps: int,
) -> tuple[Measurement, Measurement]:
    """Lip sync of a character from the sampled face nearest its first spoken frame."""
    reason = "does not speak in this shot" if not speaking else "" if found else "no face found for this character"
    if reason:
        return lip_sync(np.zeros(0), np.zeros(0), fps, reason=reason)
    start = min(found, key=lambda item: abs(item[0] - speaking[0]))[1]
    return lip_sync(mouth_openings(frames, speaking, start), loudness[speaking], fps)
