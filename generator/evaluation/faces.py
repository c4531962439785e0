"""Faces: detection, 68-point landmarks and 128-D descriptors with dlib and the `face_recognition_models` weights,
and which face belongs to which character (paper Sec. 7, identity consistency).

A face is given to a character by its place in the frame: characters stand left to right in shot order, so with
as many faces as characters they pair in order. A face alone among two characters (a close-up) goes to the
character whose card reference face it matches (same person), else to the one whose share of the frame (left or
right half) is nearest; a close-up of a character without a reference image can be given to the wrong one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import dlib
import numpy as np

from generator.errors import EchoError
from generator.evaluation.models import CharacterMedia, Measurement
from generator.evaluation.shipped import shipped_file
from generator.memory import load_image

FACE_METHOD = (
    "1 - Euclidean distance of dlib ResNet face descriptors (face_recognition_models weights); "
    "the same person scores above 0.4"
)
FOUND_METHOD = "share of sampled frames where dlib's HOG detector found this character's face (assigned by position)"
SAME_PERSON = 0.4  # 1 - dlib's usual 0.6 distance threshold
SMALL_FRAME_HEIGHT = 720  # below this, frames are upsampled once so faces of ~40 px are found


@dataclass(frozen=True)
class FaceModels:
    detector: dlib.fhog_object_detector
    landmarks: dlib.shape_predictor
    descriptor: dlib.face_recognition_model_v1


@cache
def face_models() -> FaceModels:
    """Loaded once per process."""
    models = ("face_recognition_models", "models")
    return FaceModels(
        detector=dlib.get_frontal_face_detector(),
        landmarks=dlib.shape_predictor(str(shipped_file(*models, "shape_predictor_68_face_landmarks.dat"))),
        descriptor=dlib.face_recognition_model_v1(
            str(shipped_file(*models, "dlib_face_recognition_resnet_model_v1.dat"))
        ),
    )


def detect_faces(frame: np.ndarray) -> list[dlib.rectangle]:
    """Faces in an RGB frame, left to right."""
    upsample = 1 if frame.shape[0] < SMALL_FRAME_HEIGHT else 0
    return sorted(face_models().detector(frame, upsample), key=lambda box: box.left())


def landmarks(frame: np.ndarray, box: dlib.rectangle) -> dlib.full_object_detection:
    return face_models().landmarks(frame, box)


def face_descriptor(frame: np.ndarray, box: dlib.rectangle) -> np.ndarray:
    models = face_models()
    return np.asarray(models.descriptor.compute_face_descriptor(frame, landmarks(frame, box)), dtype=np.float32)


def face_similarity(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    return 1.0 - float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


Describe = Callable[[dlib.rectangle], np.ndarray]


def assign_faces(
    frame: np.ndarray, boxes: Sequence[dlib.rectangle], characters: Sequence[CharacterMedia], describe: Describe
) -> dict[str, dlib.rectangle]:
    """char_id -> its face box (see the module docstring); `describe` gives a box's face descriptor in `frame`
    (the caller keeps them, so a descriptor computed here is not computed again)."""
    cast = sorted(characters, key=lambda character: character.position)
    if not cast or not boxes:
        return {}
    if len(boxes) >= len(cast):
        largest = sorted(boxes, key=lambda box: box.area(), reverse=True)[: len(cast)]
        return {c.char_id: box for c, box in zip(cast, sorted(largest, key=lambda box: box.left()), strict=True)}
    assigned: dict[str, dlib.rectangle] = {}
    for box in boxes:
        free = [c for c in cast if c.char_id not in assigned]
        owner = _by_reference(box, free, describe) or _by_place(box, free, cast, frame.shape[1])
        assigned[owner.char_id] = box
    return assigned


def _by_reference(box: dlib.rectangle, free: list[CharacterMedia], describe: Describe) -> CharacterMedia | None:
    """The character whose reference face this face matches best, if it is the same person (score above 0.4)."""
    references = [(c, reference_face(c.reference_image)) for c in free if c.reference_image is not None]
    references = [(c, ref) for c, ref in references if ref is not None]
    if not references:
        return None
    descriptor = describe(box)
    score, owner = max((face_similarity(descriptor, ref), c) for c, ref in references)
    return owner if score > SAME_PERSON else None


def _by_place(
    box: dlib.rectangle, free: list[CharacterMedia], cast: list[CharacterMedia], width: int
) -> CharacterMedia:
    """The free character whose share of the frame (left to right) is nearest the face's centre."""
    centre = (box.left() + box.right()) / 2 / width
    return min(free, key=lambda c: abs((cast.index(c) + 0.5) / len(cast) - centre))


@cache
def reference_face(path: Path) -> np.ndarray | None:
    """The descriptor of the largest face in a card's reference image (None when none is found), once per file."""
    try:
        image = load_image(Path(path))
    except EchoError:
        return None
    boxes = detect_faces(image)
    if not boxes:
        return None
    return face_descriptor(image, max(boxes, key=lambda box: box.area()))


def face_to_reference(embedding: np.ndarray | None, reference_image: Path | None) -> Measurement:
    if reference_image is None:
        return Measurement(method=FACE_METHOD, reason="the card has no reference image")
    if embedding is None:
        return Measurement(method=FACE_METHOD, reason="no face found for this character")
    reference = reference_face(Path(reference_image))
    if reference is None:
        return Measurement(method=FACE_METHOD, reason="no face found in the card's reference image")
    return Measurement(value=face_similarity(embedding, reference), method=FACE_METHOD)
