"""Every sound the preview knows renders a bed of exactly the shot's length at every valid frame count."""

from __future__ import annotations

import re

import numpy as np
import pytest

from generator.preview.renderer import SAMPLE_RATE
from generator.preview.sound import _AMBIENCES, _DRUMS, _FAST, _MINOR, _PLUCKED, _SLOW, ambience, music_bed

FRAME_COUNTS = range(25, 242, 8)
FPS = 25


def _keywords(pattern: re.Pattern[str]) -> list[str]:
    """Concrete words for each alternative of the pattern's first group ("footsteps?" -> "footsteps")."""
    group = re.search(r"\(([^()]*)\)", pattern.pattern)
    assert group, pattern.pattern
    return [re.sub(r"\\w\*|\?|\\b", "", word).replace("/", "") for word in group[1].split("|")]


AMBIENCE_WORDS = [word for pattern, _ in _AMBIENCES for word in _keywords(pattern)]
MUSIC_WORDS = [word for pattern in (_MINOR, _FAST, _SLOW, _PLUCKED, _DRUMS) for word in _keywords(pattern)]


def test_every_keyword_is_recognised() -> None:
    assert len(AMBIENCE_WORDS) > 40 and len(MUSIC_WORDS) > 40
    for word in AMBIENCE_WORDS:
        assert ambience(f"the {word} nearby", 100, SAMPLE_RATE, np.random.default_rng(0))[1] != ["room tone"], word


@pytest.mark.parametrize("num_frames", FRAME_COUNTS)
def test_sound_beds_fit_every_frame_count(num_frames: int) -> None:
    num_samples = round(num_frames / FPS * SAMPLE_RATE)
    for word in [*AMBIENCE_WORDS, "the low hum of a ship's engine"]:
        bed, _ = ambience(word, num_samples, SAMPLE_RATE, np.random.default_rng(num_frames))
        assert bed.shape == (num_samples,) and np.isfinite(bed).all(), (word, num_frames)
    for word in MUSIC_WORDS:
        music, _ = music_bed(f"{word} music", num_samples, SAMPLE_RATE)
        assert music.shape == (num_samples,) and np.isfinite(music).all(), (word, num_frames)
