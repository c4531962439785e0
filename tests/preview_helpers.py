"""Shot requests and audio measurements shared by the preview, speech and render tests."""

from __future__ import annotations

import numpy as np

from generator.preview.camera import world_size
from generator.preview.figures import Figure
from generator.types import CharacterInShot, DialogueLine, SceneInShot, ShotRequest

MARA = CharacterInShot(
    id="ID_A",
    name="Mara",
    identity="A 30-year-old woman with long red hair",
    clothing="a green coat and black trousers",
    voice="a bright, quick female voice",
)
TOM = CharacterInShot(
    id="ID_B",
    name="Tom",
    identity="A tall bearded man with glasses",
    clothing="a blue shirt, grey trousers and a black hat",
    voice="a deep, slow male voice",
)


def shot_request(**overrides: object) -> ShotRequest:
    """A small two-character shot with two lines; beds off so speech stands out in the mix."""
    fields: dict[str, object] = {
        "prompt": "ID_A and ID_B talk in a cafe.",
        "characters": [MARA, TOM],
        "dialogue": [
            DialogueLine(speaker="ID_A", text="You came back."),
            DialogueLine(speaker="ID_B", text="I promised."),
        ],
        "scene": SceneInShot(id="S1", name="Cafe", description="a small cafe at night"),
        "camera": "static wide shot",
        "sound_effects": "",
        "music": "none",
        "num_frames": 73,
        "width": 320,
        "height": 192,
        "seed": 3,
    }
    fields.update(overrides)
    return ShotRequest(**fields)


def frame_rms(wave: np.ndarray, sample_rate: int, hop_s: float = 0.01) -> np.ndarray:
    """RMS of consecutive 10 ms frames."""
    hop = int(sample_rate * hop_s)
    usable = wave[: len(wave) // hop * hop].astype(np.float64)
    return np.sqrt((usable.reshape(-1, hop) ** 2).mean(axis=1))


def segment(wave: np.ndarray, sample_rate: int, start_s: float, end_s: float) -> np.ndarray:
    return wave[int(start_s * sample_rate) : int(end_s * sample_rate)]


def mouth_region(figure: Figure, width: int, height: int) -> tuple[slice, slice]:
    """The lower part of a face in output pixels, for the static wide framing (world crop centred)."""
    world_width, world_height = world_size(width, height)
    left, top, right, bottom = figure.head_box
    dx, dy = (world_width - width) // 2, (world_height - height) // 2
    return slice(round(top + 0.62 * (bottom - top)) - dy, bottom - dy), slice(left - dx, right - dx)


def motion(frames: np.ndarray, region: tuple[slice, slice]) -> float:
    crop = frames[:, region[0], region[1]].astype(np.float32)
    return float(np.abs(np.diff(crop, axis=0)).mean())
